"""A broader sweep of 30-digit mpmath references for the Jensen–Shannon divergence between
two normals (tests/js_normal.rs, beside tests/reference/js_normal_reference.py, whose
integrand, break points and agreement check it reuses). Writes
tests/reference/js_normal_sweep_reference.tsv: m1, s1, m2, s2 (Python's shortest repr, so
the doubles are exact) and JS in nats.

    python3 tests/reference/js_normal_sweep_reference.py

Groups, from a seeded generator:
- 24 pairs as benches/pairs_input.py draws them (means uniform on [-5, 5], sds log-uniform
  on [0.1, 10], 6 significant digits): the `compute --pairs` speed input;
- 12 pairs with scale ratios 1e6 to 1e8 either way (1e8 is where the normal-pair rules stop),
  means 0 to 3 narrow sds apart;
- 10 pairs far apart: 1e2 to 1e7 of the smaller sd, sds up to 100 times apart;
- 8 pairs of equal sds, means 1e-3 to 30 sds apart (one crossing);
- 6 near-identical pairs at 1e-9 to 1e-7 relative differences (JS 1e-20 to 1e-15), at means
  up to 1e4 sds from 0.
"""
import random
import sys
from pathlib import Path

import mpmath as mp

sys.path.insert(0, str(Path(__file__).parent))
from js_normal_reference import js  # noqa: E402  (sets mp.dps = 45)


def pairs():
    rng = random.Random(2611)
    lu = lambda lo, hi: 10 ** rng.uniform(lo, hi)
    g6 = lambda v: float(f"{v:.6g}")
    out = []
    for _ in range(24):
        a, c = rng.uniform(-5, 5), rng.uniform(-5, 5)
        b, d = lu(-1, 1), lu(-1, 1)
        out.append((g6(a), g6(b), g6(c), g6(d)))
    for _ in range(12):
        s = lu(-2, 2)
        r = lu(6, 8) ** rng.choice([1, -1])
        m = rng.uniform(-10, 10)
        narrow = min(s, s * r)
        out.append((m, s, m + rng.choice([0.0, rng.uniform(-3, 3)]) * narrow, s * r))
    for _ in range(10):
        s1 = lu(-1, 1)
        s2 = s1 * lu(-2, 2)
        m = rng.uniform(-5, 5)
        out.append((m, s1, m + rng.choice([1, -1]) * lu(2, 7) * min(s1, s2), s2))
    for _ in range(8):
        s = lu(-2, 2)
        m = rng.uniform(-5, 5)
        out.append((m, s, m + rng.choice([1, -1]) * lu(-3, 1.5) * s, s))
    for i in range(6):
        s = lu(-1, 1)
        m = [0.0, 1e4 * s, -30 * s][i % 3]
        dm = lu(-9, -7) * s * rng.choice([0.0, 1.0, -1.0])
        ds = lu(-9, -7) * rng.choice([1.0, -1.0])
        out.append((m, s, m + dm, s * (1 + ds)))
    return [tuple(float(v) for v in p) for p in out]


def main():
    rows = []
    for m1, s1, m2, s2 in pairs():
        a = js(m1, s1, m2, s2)
        b = js(m1, s1, m2, s2, halve=True)
        if abs(a - b) > mp.mpf("1e-40") + mp.mpf("1e-28") * abs(a):
            raise SystemExit(f"no agreement for {m1!r} {s1!r} {m2!r} {s2!r}: {a} vs {b}")
        rows.append(f"{m1!r}\t{s1!r}\t{m2!r}\t{s2!r}\t{mp.nstr(a, 30)}")
        print(rows[-1], flush=True)
    with open(__file__.replace(".py", ".tsv"), "w") as f:
        f.write(
            "# m1\ts1\tm2\ts2\tJS(N(m1,s1), N(m2,s2)) in nats, 30-digit mpmath "
            "(tests/reference/js_normal_sweep_reference.py)\n"
        )
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
