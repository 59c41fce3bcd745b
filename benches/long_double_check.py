#!/usr/bin/env python3
"""Checks `kl-explorer compute` on two CSV histograms with the same bins against sums in
long double (x87 80-bit on x86-64: 64-bit mantissa, 11 more bits than a double).

    python3 benches/long_double_check.py a.csv b.csv [--binary target/release/kl-explorer]

Prints each figure, the reference and the difference in ulps of the reference. Files as
benches/scipy_compare.py writes them: a header `left,right,count`, the same edges in both.
"""
import argparse
import json
import subprocess

import numpy as np
import pandas as pd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("p")
    ap.add_argument("q")
    ap.add_argument("--binary", default="target/release/kl-explorer")
    args = ap.parse_args()
    out = subprocess.run(
        [args.binary, "compute", "--p", args.p, "--q", args.q, "--json"],
        capture_output=True, check=True, text=True,
    ).stdout
    ours = json.loads(out)

    L = np.longdouble
    a, b = pd.read_csv(args.p, dtype=str), pd.read_csv(args.q, dtype=str)
    # Edges as the doubles the app reads; everything after that in long double.
    left = np.array(a["left"].values, dtype=np.float64).astype(L)
    right = np.array(a["right"].values, dtype=np.float64).astype(L)
    assert (a["left"].values == b["left"].values).all(), "the files must share their bins"
    ca = np.array(a["count"].values, dtype=np.float64).astype(L)
    cb = np.array(b["count"].values, dtype=np.float64).astype(L)
    w = right - left
    p, q = ca / ca.sum() / w, cb / cb.sum() / w
    ln_ratio = np.log(p / q)
    m = (p + q) / 2
    reference = {
        "kl_pq": (p * ln_ratio * w).sum(),
        "kl_qp": (-q * ln_ratio * w).sum(),
        "js": (0.5 * (p * np.log(p / m) + q * np.log(q / m)) * w).sum(),
        "tv": (0.5 * np.abs(p - q) * w).sum(),
        "hellinger": np.sqrt((0.5 * (np.sqrt(p) - np.sqrt(q)) ** 2 * w).sum()),
        "entropy_p": -(p * np.log(p) * w).sum(),
        "entropy_q": -(q * np.log(q) * w).sum(),
    }
    print("| figure | kl-explorer | long-double reference | difference (ulps) |")
    print("|---|---|---|---|")
    for name, ref in reference.items():
        v = ours[name]
        ulps = abs(L(v) - ref) / L(np.spacing(np.float64(ref)))
        print(f"| {name} | {v!r} | {float(ref)!r} | {float(ulps):.2f} |")


if __name__ == "__main__":
    main()
