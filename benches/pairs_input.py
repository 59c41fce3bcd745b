#!/usr/bin/env python3
"""Writes the `compute --pairs` speed input: N lines `normal(a, b)<TAB>normal(c, d)`.

    python3 benches/pairs_input.py [N] > /tmp/pairs.tsv
    /usr/bin/time -v target/release/kl-explorer compute --pairs /tmp/pairs.tsv --json > /dev/null

Means uniform on [-5, 5], standard deviations log-uniform on [0.1, 10]; seeded, so every run
writes the same file (docs/PERFORMANCE.md, "Batches and mixtures").
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(11)
out = []
for _ in range(n):
    a, c = rng.uniform(-5, 5), rng.uniform(-5, 5)
    b, d = 10 ** rng.uniform(-1, 1), 10 ** rng.uniform(-1, 1)
    out.append(f"normal({a:.6g}, {b:.6g})\tnormal({c:.6g}, {d:.6g})\n")
sys.stdout.write("".join(out))
