"""Tail integrals beyond the last double, for src/divergence/beyond.rs's tests.

For each pair, with X = 2^1023: P's mass beyond X, the integral of p·|ln p − ln q| from X to ∞,
and that of p·|ln p|, by mpmath at 40 digits in u = ln(x/X) (x = X·e^u). Prints the Rust table
that the test holds; then, for a light-tailed Q against a heavy P, (P, Q, mass, ∫ p·|ln p − ln q|)
for the second table. Run:
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


def normal(mu, s):
    mu, s = mp.mpf(mu), mp.mpf(s)
    return lambda x: -mp.log(s * mp.sqrt(2 * mp.pi)) - (x - mu) ** 2 / (2 * s * s)


def exponential(rate):
    rate = mp.mpf(rate)
    return lambda x: mp.log(rate) - rate * x


def laplace(mu, b):
    mu, b = mp.mpf(mu), mp.mpf(b)
    return lambda x: -mp.log(2 * b) - abs(x - mu) / b


def gamma(k, rate):
    k, rate = mp.mpf(k), mp.mpf(rate)
    return lambda x: k * mp.log(rate) - mp.loggamma(k) + (k - 1) * mp.log(x) - rate * x


def weibull(k, lam):
    k, lam = mp.mpf(k), mp.mpf(lam)
    return lambda x: mp.log(k / lam) + (k - 1) * mp.log(x / lam) - (x / lam) ** k


def gumbel(mu, b):
    mu, b = mp.mpf(mu), mp.mpf(b)

    def f(x):
        z = (x - mu) / b
        # e^−z below 1e-4000 is left out (mpmath's exp of −1e18 takes minutes).
        return -mp.log(b) - z - (mp.exp(-z) if z < 10000 else 0)

    return f


def mixture_far(parts):
    """A mixture's log-density as a log-sum-exp that leaves out terms e^-10000 below the
    largest (far below the 40 digits; mpmath's exp of −4e15 takes minutes)."""

    def f(x):
        logs = [mp.log(w) + g(x) for w, g in parts]
        top = max(logs)
        return top + mp.log(sum(mp.exp(v - top) for v in logs if top - v < 10000))

    return f


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

LIGHT = [
    ("pareto(6.082448927978163e290, 2.090561923950342)", pareto("6.082448927978163e290", "2.090561923950342"),
     "normal(0, 2.8403662138722215e279)", normal(0, "2.8403662138722215e279")),
    ("pareto(1e290, 3)", pareto(1e290, 3), "exponential(1e-300)", exponential("1e-300")),
    ("student_t(0, 1e290, 3)", student_t(0, 1e290, 3), "laplace(0, 1e295)", laplace(0, 1e295)),
    ("log_normal(0, 20)", log_normal(0, 20), "gamma(2, 1e-300)", gamma(2, "1e-300")),
    ("inverse_gamma(3, 1e290)", inverse_gamma(3, 1e290), "weibull(1.5, 1e200)", weibull("1.5", 1e200)),
    ("pareto(1e295, 2.5)", pareto(1e295, "2.5"), "gumbel(0, 1e290)", gumbel(0, 1e290)),
    (
        "0.5*pareto(1e290, 4) + 0.5*inverse_gamma(4, 1e290)",
        mixture([(mp.mpf("0.5"), pareto(1e290, 4)), (mp.mpf("0.5"), inverse_gamma(4, 1e290))]),
        "chi_squared(3)",
        gamma("1.5", "0.5"),
    ),
    (
        "pareto(1e290, 3)",
        pareto(1e290, 3),
        "0.5*gamma(2, 1e-300) + 0.5*normal(0, 1e300)",
        mixture_far([(mp.mpf("0.5"), gamma(2, "1e-300")), (mp.mpf("0.5"), normal(0, 1e300))]),
    ),
    (
        "student_t(0, 1e290, 4)",
        student_t(0, 1e290, 4),
        "0.3*laplace(0, 1e295) + 0.7*normal(1e300, 1e305)",
        mixture_far([(mp.mpf("0.3"), laplace(0, 1e295)), (mp.mpf("0.7"), normal(1e300, 1e305))]),
    ),
]

print()
for ps, lp, qs, lq in LIGHT:
    dens = lambda u: mp.exp(lp(X * mp.exp(u))) * X * mp.exp(u)
    mass = tail(dens)
    kl = tail(lambda u: dens(u) * abs(lp(X * mp.exp(u)) - lq(X * mp.exp(u))))
    print(f'    ("{ps}", "{qs}", {mp.nstr(mass, 17)}, {mp.nstr(kl, 17)}),')
