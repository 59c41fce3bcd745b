#!/usr/bin/env python3
"""The peer of benches/renyi.rs: D_alpha(P||Q) = ln(∫ p^a q^(1-a))/(a - 1) by
scipy.integrate.quad (epsrel=1e-10, the log-integrand exponentiated, scipy.stats logpdf) on the
same pairs, and the alpha curve (52 orders from 0.02 to 5, both ways) on the same three pairs.
scipy has no closed forms for Rényi divergences, so the closed-form pairs are timed by quad too.
Prints the median CPU time (time.process_time: the machine is shared) per call and the value, for docs/PERFORMANCE.md ("The divergence family").

Usage: python3 benches/renyi_scipy.py [--repeat 7]
"""
import argparse
import statistics
import time

import numpy as np
from scipy import integrate, stats


class Mixture:
    def __init__(self, parts):
        self.parts = parts

    def logpdf(self, x):
        return np.logaddexp.reduce([np.log(w) + d.logpdf(x) for w, d in self.parts], axis=0)


N = stats.norm
PAIRS = {
    "normal(0,1)": (N(0, 1), (-np.inf, np.inf)),
    "normal(1,2)": (N(1, 2), (-np.inf, np.inf)),
    "normal(0,2)": (N(0, 2), (-np.inf, np.inf)),
    "gamma(3,2)": (stats.gamma(3, scale=0.5), (0, np.inf)),
    "gamma(1.5,0.8)": (stats.gamma(1.5, scale=1 / 0.8), (0, np.inf)),
    "log_normal(0,0.5)": (stats.lognorm(0.5, scale=1.0), (0, np.inf)),
    "log_normal(0.3,0.6)": (stats.lognorm(0.6, scale=np.exp(0.3)), (0, np.inf)),
    "student_t(0,1,3)": (stats.t(3, 0, 1), (-np.inf, np.inf)),
    "0.3*normal(-2,1)+0.7*normal(2,0.5)": (Mixture([(0.3, N(-2, 1)), (0.7, N(2, 0.5))]), (-np.inf, np.inf)),
    "laplace(0,2)": (stats.laplace(0, 2), (-np.inf, np.inf)),
    "0.5*laplace(0,1)+0.5*laplace(2,1)": (Mixture([(0.5, stats.laplace(0, 1)), (0.5, stats.laplace(2, 1))]), (-np.inf, np.inf)),
    "0.5*normal(0,1)+0.5*normal(3,1)": (Mixture([(0.5, N(0, 1)), (0.5, N(3, 1))]), (-np.inf, np.inf)),
}

CALLS = [
    ("normal(0,1)", "normal(1,2)", 2.0),
    ("gamma(3,2)", "gamma(1.5,0.8)", 0.5),
    ("log_normal(0,0.5)", "log_normal(0.3,0.6)", 3.0),
    ("normal(0,1)", "student_t(0,1,3)", 2.0),
    ("0.3*normal(-2,1)+0.7*normal(2,0.5)", "normal(0,2)", 1.5),
    ("laplace(0,2)", "0.5*laplace(0,1)+0.5*laplace(2,1)", 1.9),
]

CURVES = [
    ("normal(0,1)", "normal(1,2)"),
    ("normal(0,2)", "0.5*normal(0,1)+0.5*normal(3,1)"),
    ("normal(0,1)", "student_t(0,1,3)"),
]


def renyi(ps, qs, a):
    (p, (lo, hi)), (q, _) = PAIRS[ps], PAIRS[qs]
    f = lambda x: np.exp(a * p.logpdf(x) + (1 - a) * q.logpdf(x))
    with np.errstate(all="ignore"):
        v, _ = integrate.quad(f, lo, hi, epsrel=1e-10, epsabs=0, limit=200)
    return np.log(v) / (a - 1) if v > 0 else float("nan")


def alpha_grid():
    return [0.02, 0.05] + [i / 10 for i in range(1, 51)]


def curve(ps, qs):
    # At alpha = 1 the window shows KL; scipy's quad gets ln(1)/0 there, so the point is skipped.
    return [(renyi(ps, qs, a), renyi(qs, ps, a)) for a in alpha_grid() if a != 1.0]


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    import warnings
    warnings.simplefilter("ignore")
    for ps, qs, a in CALLS:
        t = median_time(lambda: renyi(ps, qs, a), args.repeat * 5)
        print(f"quad\t{ps} ‖ {qs} α = {a}\t{t * 1e6:.0f} µs\tD = {renyi(ps, qs, a)!r}")
    for ps, qs in CURVES:
        t = median_time(lambda: curve(ps, qs), args.repeat)
        print(f"alpha curve\t{ps} ‖ {qs}\t{t * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
