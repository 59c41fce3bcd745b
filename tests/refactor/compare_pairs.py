#!/usr/bin/env python3
"""Runs `compute --pairs FILE --json` with two kl-explorer binaries and reports every
difference: behaviour unchanged means identical output, numbers to the last digit.

    python3 tests/refactor/compare_pairs.py BASELINE_BIN NEW_BIN [--pairs FILE]

Each binary runs over the pairs file (pairs.tsv beside this script by default, from
make_pairs.py) in nats with the naive grid sum (`--grid=-6,6,301`).
Run it from the repository root (the pairs name assets/*.csv by relative path). Prints
one line per differing pair and key; exits 0 when every line is identical, 1 otherwise.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

MODES = {"nats+grid": ["--grid=-6,6,301"]}


def run(binary, pairs, extra):
    proc = subprocess.run(
        [binary, "compute", "--pairs", str(pairs), "--json", *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        sys.exit(f"{binary} exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout.splitlines(), proc.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("baseline")
    ap.add_argument("new")
    ap.add_argument("--pairs", default=Path(__file__).with_name("pairs.tsv"))
    args = ap.parse_args()
    differences = 0
    for mode, extra in MODES.items():
        (base, base_rc), (new, new_rc) = run(args.baseline, args.pairs, extra), run(args.new, args.pairs, extra)
        if base_rc != new_rc:
            print(f"[{mode}] exit code {base_rc} -> {new_rc}")
            differences += 1
        if len(base) != len(new):
            print(f"[{mode}] {len(base)} output lines -> {len(new)}")
            differences += 1
        errors = 0
        for b_line, n_line in zip(base, new):
            if b_line == n_line:
                errors += '"error"' in b_line
                continue
            b, n = json.loads(b_line), json.loads(n_line)
            for key in sorted(set(b) | set(n)):
                if b.get(key) != n.get(key):
                    print(f"[{mode}] line {b.get('line')} {b.get('p')} | {b.get('q')}: "
                          f"{key}: {b.get(key)!r} -> {n.get(key)!r}")
                    differences += 1
        print(f"[{mode}] {len(base)} pairs compared ({errors} of them error lines)")
    if differences:
        print(f"{differences} differences")
        return 1
    print("identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
