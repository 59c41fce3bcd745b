"""Independent reference for the estimator moments (issue 13): E_P[k] and Var_P[k] of k1, k2,
k3 and |ln r| under no clamp, verl's and OpenRLHF's, by mpmath quadrature at 30 digits (split
at every kink a clamp introduces) or exact sums for logits. Writes estimate_reference.tsv
beside this file; tests/estimate.rs compares the engine with it.

Run: python3 tests/reference/estimate_reference.py
"""

import os

import mpmath as mp

mp.mp.dps = 30


def k_raw(name, lr):
    if name == "k1":
        return -lr
    if name == "k2":
        return lr * lr / 2
    if name == "k3":
        return mp.expm1(lr) - lr
    return abs(lr)


def k_value(name, clamp, lr):
    if clamp == "none":
        return k_raw(name, lr)
    if clamp == "verl":
        if name == "k3":
            c = min(max(lr, -20), 20)
            return min(k_raw(name, c), 10)
        return k_raw(name, lr)
    v = k_raw(name, lr)
    return min(max(v, -10), 10)


def normal_lp(m, s):
    return lambda x: -((x - m) ** 2) / (2 * s * s) - mp.log(s) - mp.log(2 * mp.pi) / 2


def gamma_lp(a, rate):
    return lambda x: a * mp.log(rate) - mp.loggamma(a) + (a - 1) * mp.log(x) - rate * x


def lognormal_lp(mu, s):
    return lambda x: -((mp.log(x) - mu) ** 2) / (2 * s * s) - mp.log(x * s) - mp.log(2 * mp.pi) / 2


def student_lp(nu):
    return lambda x: (
        mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(nu * mp.pi) / 2
        - (nu + 1) / 2 * mp.log(1 + x * x / nu)
    )


def kinks(lr, lo, hi, grid=40001):
    """Points in (lo, hi) where lr crosses a clamp threshold, found on a grid, refined by
    bisection."""
    thresholds = []
    for c in (0, 20, -20, 10, -10, mp.sqrt(20), -mp.sqrt(20)):
        thresholds.append(lambda x, c=c: lr(x) - c)
    # k3 = 10 on both sides.
    thresholds.append(lambda x: mp.expm1(lr(x)) - lr(x) - 10)
    out = []
    xs = [lo + (hi - lo) * mp.mpf(i) / (grid - 1) for i in range(grid)]
    for h in thresholds:
        vals = [h(x) for x in xs]
        for a, b, fa, fb in zip(xs, xs[1:], vals, vals[1:]):
            if fa == 0:
                out.append(a)
            elif fa * fb < 0:
                for _ in range(100):
                    m = (a + b) / 2
                    fm = h(m)
                    if fa * fm <= 0:
                        b = m
                    else:
                        a, fa = m, fm
                out.append((a + b) / 2)
    return sorted(set(out))


def continuous(lp, lq, lo, hi, scan, extra):
    lr = lambda x: lq(x) - lp(x)
    pts = sorted(set([lo, hi] + kinks(lr, scan[0], scan[1]) + extra))
    rows = []
    for clamp in ("none", "verl", "openrlhf"):
        for name in ("k1", "k2", "k3", "abs"):
            f = lambda x: mp.exp(lp(x)) * k_value(name, clamp, lr(x))
            mean = mp.quad(f, pts, maxdegree=10)
            g = lambda x: mp.exp(lp(x)) * (k_value(name, clamp, lr(x)) - mean) ** 2
            var = mp.quad(g, pts, maxdegree=10)
            rows.append((clamp, name, mean, var))
    return rows


def logits(lp_list, lq_list):
    def norm(v):
        m = max(v)
        z = m + mp.log(sum(mp.exp(x - m) for x in v))
        return [x - z for x in v]

    lp, lq = norm([mp.mpf(x) for x in lp_list]), norm([mp.mpf(x) for x in lq_list])
    rows = []
    for clamp in ("none", "verl", "openrlhf"):
        for name in ("k1", "k2", "k3", "abs"):
            vals = [k_value(name, clamp, b - a) for a, b in zip(lp, lq)]
            mean = sum(mp.exp(a) * v for a, v in zip(lp, vals))
            var = sum(mp.exp(a) * (v - mean) ** 2 for a, v in zip(lp, vals))
            rows.append((clamp, name, mean, var))
    return rows


CASES = [
    # Far apart: every clamp is active on a large part of P's mass.
    ("normal(0, 1)", "normal(5, 1)",
     lambda: continuous(normal_lp(0, 1), normal_lp(5, 1), -mp.inf, mp.inf, (-12, 12), [-8, -4, 0, 4, 8])),
    # Unequal widths: ln r is quadratic.
    ("normal(0, 1)", "normal(1, 0.5)",
     lambda: continuous(normal_lp(0, 1), normal_lp(1, 0.5), -mp.inf, mp.inf, (-12, 12), [-8, -4, 0, 4, 8])),
    # The issue's pair (k3's variance is infinite: ∫q²/p diverges as x → ∞, so only the
    # clamped k3 variances are finite; the unclamped one is written inf).
    ("gamma(2, 1)", "log_normal(0.5, 0.8)",
     lambda: continuous(gamma_lp(2, 1), lognormal_lp(0.5, 0.8), 0, mp.inf, (1e-6, 60), [0.5, 1, 2, 4, 8, 16, 32])),
    # A student t against a normal: E[(ln r)^4] ~ E[x^8] diverges (ν = 5), so k2's
    # unclamped variance is inf.
    ("student_t(0, 1, 5)", "normal(0, 1)",
     lambda: continuous(student_lp(5), normal_lp(0, 1), -mp.inf, mp.inf, (-15, 15), [-8, -4, 0, 4, 8])),
    ("logits(3, 0, -3)", "logits(-3, 0, 3)", lambda: logits([3, 0, -3], [-3, 0, 3])),
]

INFINITE = {
    ("gamma(2, 1)", "none", "k3"),
    ("student_t(0, 1, 5)", "none", "k2"),
    ("student_t(0, 1, 5)", "verl", "k2"),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "estimate_reference.tsv"), "w") as out:
        out.write("# p\tq\tclamp\testimator\tmean\tvariance  (mpmath, 30 digits)\n")
        for p, q, f in CASES:
            for clamp, name, mean, var in f():
                v = "inf" if (p, clamp, name) in INFINITE else mp.nstr(var, 20)
                out.write(f"{p}\t{q}\t{clamp}\t{name}\t{mp.nstr(mean, 20)}\t{v}\n")


if __name__ == "__main__":
    main()
