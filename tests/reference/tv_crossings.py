"""30-digit references for TV = ½∫|p − q| split at the crossings of p and q (tests/tv_crossings.rs).

mpmath.quad is given the crossings (found by mpmath.findroot on ln p − ln q from a sign
change on a fine grid) and the modes as points, so that no panel straddles a kink.
Run: python3 tests/reference/tv_crossings.py
"""
import mpmath as mp

mp.mp.dps = 30

def normal(m, s):
    return lambda x: -mp.log(s) - mp.log(2 * mp.pi) / 2 - ((x - m) / s) ** 2 / 2, (-mp.inf, mp.inf)

def laplace(m, b):
    return lambda x: -mp.log(2 * b) - abs(x - m) / b, (-mp.inf, mp.inf)

def gumbel(m, b):
    def f(x):
        z = (x - m) / b
        return -mp.log(b) - z - mp.exp(-z)
    return f, (-mp.inf, mp.inf)

def student_t(m, s, nu):
    c = mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(mp.sqrt(nu * mp.pi) * s)
    return lambda x: c - (nu + 1) / 2 * mp.log(1 + ((x - m) / s) ** 2 / nu), (-mp.inf, mp.inf)

def log_normal(m, s):
    return lambda x: (-mp.log(s * x) - mp.log(2 * mp.pi) / 2 - ((mp.log(x) - m) / s) ** 2 / 2) if x > 0 else -mp.inf, (0, mp.inf)

def gamma(k, r):
    return lambda x: (k * mp.log(r) - mp.loggamma(k) + (k - 1) * mp.log(x) - r * x) if x > 0 else -mp.inf, (0, mp.inf)

def weibull(k, lam):
    return lambda x: (mp.log(k / lam) + (k - 1) * mp.log(x / lam) - (x / lam) ** k) if x > 0 else -mp.inf, (0, mp.inf)

def tv(p, q, grid, kinks):
    (lp, _), (lq, _) = p, q
    lo = min(p[1][0], q[1][0])
    hi = max(p[1][1], q[1][1])
    d = lambda x: lp(x) - lq(x)
    roots = []
    for a, b in zip(grid, grid[1:]):
        da, db = d(a), d(b)
        if da * db < 0:
            roots.append(mp.findroot(d, (a, b), solver='anderson'))
    f = lambda x: abs(mp.exp(lp(x)) - mp.exp(lq(x))) / 2
    pts = [lo] + sorted(set(roots) | set(mp.mpf(k) for k in kinks)) + [hi]
    return mp.quad(f, pts), roots

PAIRS = [
    ("log_normal(0.5,0.7)", "log_normal(0,1)", log_normal(0.5, 0.7), log_normal(0, 1), (1e-3, 60), []),
    ("gumbel(0,1)", "normal(0,1.5)", gumbel(0, 1), normal(0, 1.5), (-12, 12), []),
    ("normal(0,1)", "laplace(0,1)", normal(0, 1), laplace(0, 1), (-12, 12), [0]),
    ("normal(0,1)", "student_t(0,1,3)", normal(0, 1), student_t(0, 1, 3), (-12, 12), []),
    ("gamma(2,1)", "log_normal(0.5,0.7)", gamma(2, 1), log_normal(0.5, 0.7), (1e-3, 60), []),
    ("weibull(1.5,1)", "gamma(2,2)", weibull(1.5, 1), gamma(2, 2), (1e-3, 30), []),
    ("gumbel(3,2)", "laplace(2,1)", gumbel(3, 2), laplace(2, 1), (-20, 30), [2]),
]

if __name__ == "__main__":
    for name_p, name_q, p, q, (a, b), kinks in PAIRS:
        n = 300
        grid = [mp.mpf(a) + (mp.mpf(b) - a) * i / n for i in range(n + 1)]
        if a > 0:
            grid = [mp.mpf(a) * (mp.mpf(b) / a) ** (mp.mpf(i) / n) for i in range(n + 1)]
        v, roots = tv(p, q, grid, kinks)
        print(f'    ("{name_p}", "{name_q}", {mp.nstr(v, 20)}),  # crossings {[mp.nstr(r, 8) for r in roots]}')
