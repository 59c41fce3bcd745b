#!/usr/bin/env python3
"""Side-by-side timings against the Python stack, for docs/PERFORMANCE.md.

1. KL by scipy.integrate.quad (epsrel=1e-10) on the quadrature pairs of benches/divergence.rs,
   with the error against the 30-digit mpmath references in tests/reference/kl_reference.tsv.
2. The whole job "load two histogram CSVs and compute KL": pandas.read_csv + scipy.stats.entropy
   against `kl-explorer compute` on the same files (the CLI computes every figure, not only KL).

Usage: python3 benches/scipy_compare.py [--rows 10000000] [--binary target/release/kl-explorer]
       [--repeat 5] [--skip-quadrature] [--skip-pipeline]
"""
import argparse
import os
import subprocess
import tempfile
import time
import timeit

import math

import numpy as np
from scipy.special import gammaln
from scipy import integrate, stats

PAIRS = [
    ("normal(0,1)", "laplace(0,1)", stats.norm(0, 1), stats.laplace(0, 1), (-np.inf, np.inf)),
    ("normal(0,1)", "student_t(0,1,3)", stats.norm(0, 1), stats.t(3, 0, 1), (-np.inf, np.inf)),
    ("0.3*normal(-2,1)+0.7*normal(2,0.5)", "normal(0,2)", None, stats.norm(0, 2), (-np.inf, np.inf)),
    ("beta(0.5,0.5)", "uniform(0,1)", stats.beta(0.5, 0.5), stats.uniform(0, 1), (0, 1)),
    ("gamma(2,1)", "log_normal(0.5,0.7)", stats.gamma(2, scale=1), stats.lognorm(0.7, scale=np.exp(0.5)), (0, np.inf)),
    ("gumbel(0,1)", "normal(0,2)", stats.gumbel_r(0, 1), stats.norm(0, 2), (-np.inf, np.inf)),
    ("cauchy(0,1)", "student_t(0,1,2)", stats.cauchy(0, 1), stats.t(2, 0, 1), (-np.inf, np.inf)),
    ("weibull(1.5,1)", "gamma(2,2)", stats.weibull_min(1.5, scale=1), stats.gamma(2, scale=0.5), (0, np.inf)),
]


class Mixture:
    def logpdf(self, x):
        return np.logaddexp(np.log(0.3) + stats.norm(-2, 1).logpdf(x), np.log(0.7) + stats.norm(2, 0.5).logpdf(x))


L2P = math.log(2 * math.pi)
FAST = {
    "normal(0,1)": lambda x: -0.5 * x * x - 0.5 * L2P,
    "laplace(0,1)": lambda x: -abs(x) - math.log(2),
    "student_t(0,1,3)": lambda x: gammaln(2) - gammaln(1.5) - 0.5 * math.log(3 * math.pi) - 2 * math.log1p(x * x / 3),
    "0.3*normal(-2,1)+0.7*normal(2,0.5)": lambda x: float(np.logaddexp(math.log(0.3) - 0.5 * (x + 2) ** 2 - 0.5 * L2P, math.log(0.7) - 2 * (x - 2) ** 2 - 0.5 * L2P - math.log(0.5))),
    "normal(0,2)": lambda x: -x * x / 8 - 0.5 * L2P - math.log(2),
    "beta(0.5,0.5)": lambda x: -0.5 * math.log(x) - 0.5 * math.log1p(-x) - math.log(math.pi),
    "uniform(0,1)": lambda x: 0.0,
    "gamma(2,1)": lambda x: math.log(x) - x,
    "log_normal(0.5,0.7)": lambda x: -math.log(x * 0.7) - 0.5 * L2P - (math.log(x) - 0.5) ** 2 / 0.98,
    "gumbel(0,1)": lambda x: -x - math.exp(-x) if x > -700 else -math.inf,
    "cauchy(0,1)": lambda x: -math.log(math.pi) - math.log1p(x * x),
    "student_t(0,1,2)": lambda x: gammaln(1.5) - gammaln(1) - 0.5 * math.log(2 * math.pi) - 1.5 * math.log1p(x * x / 2),
    "weibull(1.5,1)": lambda x: math.log(1.5) + 0.5 * math.log(x) - x ** 1.5,
    "gamma(2,2)": lambda x: 2 * math.log(2) + math.log(x) - 2 * x,
}


def kl_quad_fast(ps, qs, lo, hi):
    lp_, lq_ = FAST[ps], FAST[qs]

    def f(x):
        lp = lp_(x)
        pv = math.exp(lp)
        if pv == 0.0:
            return 0.0
        return pv * (lp - lq_(x))

    return integrate.quad(f, lo, hi, epsrel=1e-10, epsabs=0, limit=200)


def reference():
    ref = {}
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "reference", "kl_reference.tsv")
    for line in open(path):
        if line.startswith("#"):
            continue
        p, q, v, _ = line.rstrip("\n").split("\t")
        ref[(p, q)] = float(v)
    return ref


def kl_quad(p, q, lo, hi):
    def f(x):
        lp = p.logpdf(x)
        pv = np.exp(lp)
        if pv == 0.0:
            return 0.0
        return pv * (lp - q.logpdf(x))

    return integrate.quad(f, lo, hi, epsrel=1e-10, epsabs=0, limit=200)


def quadrature_table():
    ref = reference()
    print("## scipy.integrate.quad, epsrel=1e-10")
    print("| pair | quad + scipy.stats logpdf | rel. error | quad + plain-math logpdf | rel. error |")
    print("|---|---|---|---|---|")
    for ps, qs, p, q, (lo, hi) in PAIRS:
        p = p or Mixture()
        value, _ = kl_quad(p, q, lo, hi)
        n, total = timeit.Timer(lambda: kl_quad(p, q, lo, hi)).autorange()
        per = total / n
        exact = ref.get((ps, qs))
        err = abs(value - exact) / abs(exact) if exact else float("nan")
        fvalue, _ = kl_quad_fast(ps, qs, lo, hi)
        n, total = timeit.Timer(lambda: kl_quad_fast(ps, qs, lo, hi)).autorange()
        fper = total / n
        ferr = abs(fvalue - exact) / abs(exact) if exact else float("nan")
        print(f"| {ps} ‖ {qs} | {per * 1e6:.0f} µs | {err:.1e} | {fper * 1e6:.0f} µs | {ferr:.1e} |")


def write_hist(path, rows, shift):
    x = np.linspace(-5, 5, rows + 1)
    mid = 0.5 * (x[:-1] + x[1:])
    counts = np.round(1000 * np.exp(-((mid - shift) ** 2) / 2)) + 1
    with open(path, "w") as f:
        f.write("left,right,count\n")
        np.savetxt(f, np.column_stack([x[:-1], x[1:], counts]), fmt="%.10g", delimiter=",")


PANDAS_JOB = """
import sys
import pandas as pd
from scipy import stats
a = pd.read_csv(sys.argv[1])
b = pd.read_csv(sys.argv[2])
print(repr(float(stats.entropy(a["count"].to_numpy(), b["count"].to_numpy()))))
"""


def timed(cmd):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, check=True, text=True).stdout
    return time.perf_counter() - t0, out


def pipeline(rows, binary, repeat):
    import json
    import statistics

    import pandas as pd

    print(f"\n## load two {rows}-bin CSV histograms and compute KL (best and median of {repeat})")
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, "a.csv"), os.path.join(d, "b.csv")
        write_hist(a, rows, 0.0)
        write_hist(b, rows, 0.3)
        size = os.path.getsize(a)
        ours = [binary, "compute", "--p", a, "--q", b, "--json"]
        theirs = ["python3", "-c", PANDAS_JOB, a, b]
        # One untimed run of each: both then read from the page cache.
        timed(ours)
        timed(theirs)
        t_rs, t_py = [], []
        for _ in range(repeat):
            t, out = timed(ours)
            t_rs.append(t)
            kl_rs = json.loads(out)["kl_pq"]
            t, out = timed(theirs)
            t_py.append(t)
            kl_py = float(out)
        # pandas with the interpreter and libraries already loaded and warm.
        t_warm = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            pa, pb = pd.read_csv(a), pd.read_csv(b)
            stats.entropy(pa["count"].to_numpy(), pb["count"].to_numpy())
            t_warm.append(time.perf_counter() - t0)

        def cell(ts):
            return f"{min(ts):.2f} s | {statistics.median(ts):.2f} s"

        print(f"file size {size / 1e6:.0f} MB each")
        print("| pipeline | best | median | KL(P‖Q) |")
        print("|---|---|---|---|")
        print(f"| `python3` process: pandas.read_csv ×2 + scipy.stats.entropy | {cell(t_py)} | {kl_py:.12f} |")
        print(f"| the same inside a warm interpreter (no start-up, no imports) | {cell(t_warm)} | |")
        print(f"| `kl-explorer compute` process (every figure) | {cell(t_rs)} | {kl_rs:.12f} |")
        print(f"ratio, process against process (best): {min(t_py) / min(t_rs):.1f}×")
        print(f"ratio, warm pandas against our process (best): {min(t_warm) / min(t_rs):.1f}×")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--binary", default="target/release/kl-explorer")
    ap.add_argument("--skip-pipeline", action="store_true")
    ap.add_argument("--skip-quadrature", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not args.skip_quadrature:
        quadrature_table()
    if not args.skip_pipeline:
        pipeline(args.rows, args.binary, args.repeat)
