"""40-digit mpmath references for J(t), the Jensen–Shannon integrand between two normals over
the density that dominates a point (src/divergence/js_integrand.rs). Writes
tests/reference/js_integrand_reference.tsv: t (Python's shortest repr, so the double is exact),
J(t) and J'(t), each to 20 significant digits.

    python3 tests/reference/js_integrand_reference.py

J(t) = t/4·(1 − e^−t) − (1 + e^−t)/2·ln cosh(t/2); J'(t) = e^−t/2·(t − ln(2/(1 + e^−t))).
400 points log-uniform on [1e-12, 2] and 1400 uniform on [0, 45] from a seeded generator, and
the table's cell edges k/4 (k = 1..179), each with its neighbour one ulp up.
"""
import math
import random

import mpmath as mp

mp.mp.dps = 40


def j(t):
    t = mp.mpf(t)
    e = mp.exp(-t)
    return t / 4 * (1 - e) - (1 + e) / 2 * mp.log(mp.cosh(t / 2))


def dj(t):
    t = mp.mpf(t)
    e = mp.exp(-t)
    return e / 2 * (t - mp.log(2 / (1 + e)))


rng = random.Random(20261202)
ts = [10 ** rng.uniform(-12, math.log10(2)) for _ in range(400)]
ts += [rng.uniform(0, 45) for _ in range(1400)]
edges = [k / 4 for k in range(1, 180)]
ts += edges + [math.nextafter(x, 46) for x in edges]
ts = sorted(set(ts))
with open("tests/reference/js_integrand_reference.tsv", "w") as f:
    f.write("# t\tJ(t)\tJ'(t) (mpmath, 40 digits; tests/reference/js_integrand_reference.py)\n")
    for t in ts:
        f.write(f"{t!r}\t{mp.nstr(j(t), 20)}\t{mp.nstr(dj(t), 20)}\n")
