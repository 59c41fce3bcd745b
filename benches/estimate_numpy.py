"""The peer of benches/estimate.rs: the vectorised numpy/scipy code a user writes for 10^7
samples of all four KL estimators (means and standard deviations), timed in a warm Python
(imports done, one untimed run first), best and median of 5.

Run: python3 benches/estimate_numpy.py
"""

import time

import numpy as np
from scipy import stats

N = 10_000_000
PAIRS = [
    ("normal(0,1) vs normal(0.1,1)", stats.norm(0, 1), stats.norm(0.1, 1)),
    # scipy's lognorm(s, scale=e^mu) is log_normal(mu, s); gamma(a, scale=1/rate).
    ("gamma(2,1) vs log_normal(0.5,0.8)", stats.gamma(2, scale=1.0), stats.lognorm(0.8, scale=np.exp(0.5))),
]


def estimate(p, q, rng):
    x = p.rvs(size=N, random_state=rng)
    lr = q.logpdf(x) - p.logpdf(x)
    k1 = -lr
    k2 = 0.5 * lr * lr
    k3 = np.expm1(lr) - lr
    ab = np.abs(lr)
    return [(k.mean(), k.std(ddof=1)) for k in (k1, k2, k3, ab)]


def main():
    rng = np.random.default_rng(1)
    for name, p, q in PAIRS:
        estimate(p, q, rng)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            out = estimate(p, q, rng)
            times.append(time.perf_counter() - t)
        times.sort()
        print(f"{name}: best {times[0]*1e3:.0f} ms, median {times[2]*1e3:.0f} ms;"
              f" k1 mean {out[0][0]:.5f}, k3 mean {out[2][0]:.5f}")


if __name__ == "__main__":
    main()
