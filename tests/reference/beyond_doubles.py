"""Tail integrals beyond the last double, for src/divergence/beyond.rs's tests.

For each pair, with X = 2^1023: P's mass beyond X, the integral of p·|ln p − ln q| from X to ∞,
and that of p·|ln p|, by mpmath at 40 digits in u = ln(x/X) (x = X·e^u). Prints the Rust table
that the test holds. Run:
    python3 tests/reference/beyond_doubles.py
"""
import mpmath as mp

mp.mp.dps = 40
X = mp.mpf(2) ** 1023


def student_t(loc, scale, nu):
    loc, scale, nu = mp.mpf(loc), mp.mpf(scale), mp.mpf(nu)
    c = mp.loggamma((nu + 1) / 2) - mp.loggamma(nu / 2) - mp.log(mp.sqrt(nu * mp.pi) * scale)
    return lambda x: c - (nu + 1) / 2 * mp.log(1 + ((x - loc) / scale) ** 2 / nu)


def cauchy(loc, scale):
    loc, scale = mp.mpf(loc), mp.mpf(scale)
    return lambda x: -mp.log(mp.pi * scale) - mp.log(1 + ((x - loc) / scale) ** 2)


def pareto(xm, a):
    xm, a = mp.mpf(xm), mp.mpf(a)
    return lambda x: mp.log(a) + a * mp.log(xm) - (a + 1) * mp.log(x)


def inverse_gamma(a, b):
    a, b = mp.mpf(a), mp.mpf(b)
    return lambda x: a * mp.log(b) - mp.loggamma(a) - (a + 1) * mp.log(x) - b / x


def log_normal(mu, s):
    mu, s = mp.mpf(mu), mp.mpf(s)
    return lambda x: -mp.log(x * s * mp.sqrt(2 * mp.pi)) - (mp.log(x) - mu) ** 2 / (2 * s * s)


def mixture(parts):
    return lambda x: mp.log(sum(w * mp.exp(f(x)) for w, f in parts))


CASES = [
    ("cauchy(0, 1e290)", cauchy(0, 1e290), "student_t(0, 1e290, 1.5)", student_t(0, 1e290, 1.5)),
    ("student_t(1e300, 1e295, 3)", student_t(1e300, 1e295, 3), "cauchy(0, 1e295)", cauchy(0, 1e295)),
    ("inverse_gamma(0.05, 1)", inverse_gamma(0.05, 1), "pareto(1, 0.06)", pareto(1, 0.06)),
    ("log_normal(0, 90)", log_normal(0, 90), "log_normal(1, 89)", log_normal(1, 89)),
    (
        "0.5*cauchy(0, 1e290) + 0.5*pareto(1, 0.05)",
        mixture([(mp.mpf("0.5"), cauchy(0, 1e290)), (mp.mpf("0.5"), pareto(1, 0.05))]),
        "student_t(0, 1e291, 2)",
        student_t(0, 1e291, 2),
    ),
]


def tail(f):
    return mp.quad(f, [0, 1, 10, 100, 1000, 10000, mp.inf])


for ps, lp, qs, lq in CASES:
    dens = lambda u: mp.exp(lp(X * mp.exp(u))) * X * mp.exp(u)
    mass = tail(dens)
    kl = tail(lambda u: dens(u) * abs(lp(X * mp.exp(u)) - lq(X * mp.exp(u))))
    ent = tail(lambda u: dens(u) * abs(lp(X * mp.exp(u))))
    print(f'    ("{ps}", "{qs}", {mp.nstr(mass, 17)}, {mp.nstr(kl, 17)}, {mp.nstr(ent, 17)}),')
