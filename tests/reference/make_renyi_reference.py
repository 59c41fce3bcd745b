#!/usr/bin/env python3
"""Regenerates tests/reference/renyi_reference.tsv: D_alpha(P||Q) at 30 digits with mpmath, in
both directions, for closed-form pairs (normal, gamma family, beta, Poisson) and pairs that need
quadrature or exact sums. The densities are make_reference.py's (written independently of the
Rust code); the integral of p^a q^(1-a) is taken with tanh-sinh quadrature split at break points
(continuous) or summed (discrete), and D = ln(I)/(a - 1).

Pairs whose D_alpha is infinite by theory are listed with `inf` (mpmath cannot integrate a
divergent integral); the Rust test checks that they come out infinite with a reason.

Usage: python3 tests/reference/make_renyi_reference.py > tests/reference/renyi_reference.tsv
"""
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import DISCRETE, breakpoints, ln_pdf, ln_pmf, mix, parse, support  # noqa: E402

mp.mp.dps = 30

PAIRS = """
normal(0,1)	normal(1,2)
normal(0.3,1.5)	normal(-1,1.2)
gamma(3,2)	gamma(1.5,0.8)
exponential(1)	gamma(2,1.5)
beta(2,3)	beta(0.8,1.6)
poisson(3)	poisson(5)
uniform(0,2)	beta(2,2)
laplace(0,1)	normal(0.5,1.5)
normal(0,1)	student_t(0,1,3)
gumbel(0,1)	normal(0,2)
0.3*normal(-2,1)+0.7*normal(2,0.5)	normal(0,2)
weibull(1.5,1)	gamma(2,2)
binomial(0.3,10)	poisson(3)
categorical(0.1,0.2,0.3,0.4)	logits(1,0,-1,0.5)
"""
# Below 1, D_alpha is finite whenever the supports overlap: every pair, both ways.
ALPHAS = ["0.25", "0.5", "0.9"]

# Above 1, only where the theory says the integral converges (checked by hand per pair: the
# normal variance condition, the gamma/beta shapes on the line, lighter tails of P).
ABOVE = """
normal(0,1)	normal(1,2)	1.5 2 3
normal(0.3,1.5)	normal(-1,1.2)	1.5 2
gamma(3,2)	gamma(1.5,0.8)	1.5 2 3
exponential(1)	gamma(2,1.5)	1.5
beta(2,3)	beta(0.8,1.6)	1.5 2 3
poisson(3)	poisson(5)	1.5 2 3
poisson(5)	poisson(3)	1.5 2 3
normal(0,1)	student_t(0,1,3)	1.5 2 3
weibull(1.5,1)	gamma(2,2)	1.5 2 3
0.3*normal(-2,1)+0.7*normal(2,0.5)	normal(0,2)	1.5 2 3
binomial(0.3,10)	poisson(3)	1.5 2 3
categorical(0.1,0.2,0.3,0.4)	logits(1,0,-1,0.5)	1.5 2 3
logits(1,0,-1,0.5)	categorical(0.1,0.2,0.3,0.4)	1.5 2 3
beta(2,2)	uniform(0,2)	1.5 2 3
"""

# D_alpha = inf by theory: P has mass where Q has none (alpha > 1), a tail of P too heavy
# for Q's, or the closed form's variance condition alpha*s_q^2 + (1-alpha)*s_p^2 <= 0.
INFINITE = """
normal(0,2)	normal(1,1)	2
student_t(0,1,5)	normal(0,1)	1.5
uniform(0,2)	beta(2,2)	2
laplace(0,1)	normal(0.5,1.5)	2
cauchy(0,1)	laplace(0,1)	1.1
categorical(0.5,0.5,0)	categorical(0.5,0,0.5)	2
normal(1,2)	normal(0,1)	2
exponential(1)	gamma(2,1.5)	2
normal(0.3,1.5)	normal(-1,1.2)	3
gamma(2,2)	weibull(1.5,1)	2
poisson(3)	binomial(0.3,10)	2
gumbel(0,1)	normal(0,2)	2
normal(0,2)	gumbel(0,1)	1.5
student_t(0,1,3)	normal(0,1)	1.5
"""


def integral_continuous(p, q, a):
    lo, hi = support(p)
    lo_q, hi_q = support(q)
    lo, hi = max(lo, lo_q), min(hi, hi_q)
    pts = [mp.mpf(lo)] + [mp.mpf(v) for v in breakpoints(p + q, lo, hi)] + [mp.mpf(hi)]
    pts = [mp.ninf if v == -mp.inf else mp.inf if v == mp.inf else v for v in pts]

    def ln_integrand(x):
        lp = mix(p, lambda n, args: ln_pdf(n, args, x))
        lq = mix(q, lambda n, args: ln_pdf(n, args, x))
        if lp == mp.ninf or lq == mp.ninf:
            return mp.ninf
        return a * lp + (1 - a) * lq

    # Where the log-integrand falls below -700 the rest of an infinite tail adds less than
    # 1e-300 (the pairs here have light tails of p^a q^(1-a)); cut there, as make_reference.py
    # does, so tanh-sinh does not chase double exponentials (Gumbel's left tail).
    for end, inner, sign in ((0, 1, -1), (-1, -2, 1)):
        if mp.isinf(pts[end]):
            step = mp.mpf(1)
            x = pts[inner]
            while step < 1e12:
                if ln_integrand(x + sign * step) < -700:
                    pts[end] = x + sign * step
                    break
                step *= 2

    def f(x):
        lp = mix(p, lambda n, args: ln_pdf(n, args, x))
        lq = mix(q, lambda n, args: ln_pdf(n, args, x))
        if lp == mp.ninf or lq == mp.ninf:
            return mp.mpf(0)
        return mp.exp(a * lp + (1 - a) * lq)

    return mp.quad(f, pts, error=True, maxdegree=12)


def integral_discrete(p, q, a):
    total = mp.mpf(0)
    for k in range(0, 3000):
        lp = mix(p, lambda n, args: ln_pmf(n, args, k))
        lq = mix(q, lambda n, args: ln_pmf(n, args, k))
        if lp == mp.ninf or lq == mp.ninf:
            continue
        total += mp.exp(a * lp + (1 - a) * lq)
    return total, mp.mpf(0)


def main():
    print("# D_alpha(P||Q) in nats, mpmath at 30 digits (tests/reference/make_renyi_reference.py)")
    print("# p\tq\talpha\td_alpha\tintegral_error_estimate")
    cases = []
    for line in PAIRS.strip().splitlines():
        s1, s2 = line.split("\t")
        cases += [(s1, s2, ALPHAS), (s2, s1, ALPHAS)]
    for line in ABOVE.strip().splitlines():
        ps, qs, alphas = line.split("\t")
        cases.append((ps, qs, alphas.split()))
    for ps, qs, alphas in cases:
            p, q = parse(ps), parse(qs)
            for a_text in alphas:
                a = mp.mpf(a_text)
                if p[0][1] in DISCRETE:
                    i, e = integral_discrete(p, q, a)
                else:
                    i, e = integral_continuous(p, q, a)
                d = mp.log(i) / (a - 1)
                print(f"{ps}\t{qs}\t{a_text}\t{mp.nstr(d, 20)}\t{mp.nstr(e / i, 3)}")
                sys.stdout.flush()
    for line in INFINITE.strip().splitlines():
        ps, qs, a_text = line.split("\t")
        print(f"{ps}\t{qs}\t{a_text}\tinf\t0")


if __name__ == "__main__":
    main()
