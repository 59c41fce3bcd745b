#!/usr/bin/env python3
"""Regenerates tests/reference/renyi_tails_reference.tsv: D_alpha(P||Q) for alpha > 1 on pairs whose
tails are alike (mixtures of normals, laplaces, gammas; edges and interior points of mixtures),
on both sides of the alpha where the integral of p^a q^(1-a) starts to diverge, both directions.

Finite values: mpmath tanh-sinh at 30 digits (the densities of make_reference.py, written
independently of the Rust code), and for normals with an integer alpha also analytically: the
integrand is then a sum of exp(-A x^2 + B x + C), each integrating to sqrt(pi/A) e^(B^2/4A + C)
(or diverging when A <= 0); the two must agree to 1e-25.

Infinite values are witnessed numerically, not assumed: the integral over the support truncated
to |x| < L and to distance > 1/L from every component edge is taken at L = 10, 100, 1000, 10000, and its
increments must not shrink (a convergent end's do). Each infinite line also says which
term of the tails decides it (the theory the Rust code implements), for the reader.

Usage: python3 tests/reference/make_renyi_tails_reference.py > tests/reference/renyi_tails_reference.tsv
(about 30 minutes on a loaded machine; `--from N` resumes at the N-th pair, appending with >>)
"""
import itertools
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import breakpoints, ln_pdf, mix, parse, scipy_dist, support  # noqa: E402

mp.mp.dps = 30

# p, q, alphas (a fraction such as 4/3 is exact here; the Rust test divides the two doubles).
# The comment is the theory: where the first surviving term of
# alpha*ln p - (alpha - 1)*ln q changes sign.
CASES = [
    # -a/8 + (a-1)/2 on x^2: infinite from a = 4/3 on; at 4/3 the x^2 terms cancel and at -inf
    # nothing is left (constant integrand).
    ("normal(0,2)", "0.5*normal(0,1)+0.5*normal(3,1)",
     "0.5 1.2 1.3 1.33 4/3 1.34 1.5 2 3"),
    # The mixture is lighter than normal(0, 2) at both ends: finite at every alpha.
    ("0.5*normal(0,1)+0.5*normal(3,1)", "normal(0,2)", "0.5 1.5 2 3 5"),
    # Same with a single normal Q: at 4/3 the linear term -(a-1)*x (Q's mean 1) decides at -inf.
    ("normal(0,2)", "normal(1,1)", "1.2 1.3 4/3 1.4 2"),
    ("normal(1,1)", "normal(0,2)", "1.5 2 3"),
    # P's heaviest component normal(1, 1.5) against normal(0, 1.2): infinite for a > 2.777...
    ("0.5*normal(-1,1)+0.5*normal(1,1.5)", "normal(0,1.2)", "1.5 2 2.5 2.75 2.8 3 4"),
    ("normal(0,1.2)", "0.5*normal(-1,1)+0.5*normal(1,1.5)", "1.5 2 3 5"),
    # Laplace: -a/2 + (a-1) on |x|: infinite from 2 on (at 2 nothing is left).
    ("laplace(0,2)", "0.5*laplace(0,1)+0.5*laplace(2,1)", "1.5 1.9 2 2.5"),
    ("0.5*laplace(0,1)+0.5*laplace(2,1)", "laplace(0,2)", "1.5 2 3"),
    # Gamma: -a + 2(a-1) on x (rate 1 against rate 2): at a = 2 they cancel and the log term
    # -(a-1)*2*ln x (Q's heaviest, gamma(3, 2)) decides: ~ x^-2, integrable. Above 2 infinite.
    ("exponential(1)", "0.5*gamma(3,2)+0.5*exponential(2)", "1.5 1.9 2 2.1 3"),
    ("0.5*gamma(3,2)+0.5*exponential(2)", "exponential(1)", "1.5 2 3"),
    # An edge: beta(0.5, 1) ~ x^-0.5 at 0 against a positive Q: x^(-a/2), infinite from 2 on.
    ("beta(0.5,1)", "0.5*uniform(0,1)+0.5*beta(2,2)", "1.5 1.9 2 3"),
    ("0.5*uniform(0,1)+0.5*beta(2,2)", "beta(0.5,1)", "1.5 2 3"),
    # An interior point: Q vanishes linearly at 1 from both sides (and at 0, 2): |x-1|^(1-a).
    ("uniform(0,2)", "0.5*triangular(0,1,0.5)+0.5*triangular(1,2,1.5)", "1.5 1.9 2"),
    # A singularity of P inside its support: beta(0.5, 2) at 0 inside uniform(-1, 1).
    ("0.5*beta(0.5,2)+0.5*uniform(-1,1)", "uniform(-1,1)", "1.5 1.9 2 3"),
]


def ln_p(terms, x):
    return mix(terms, lambda n, a: ln_pdf(n, a, x))


def edges(terms):
    out = set()
    for _, n, a in terms:
        for v in scipy_dist(n, a).support():
            if mp.isfinite(v):
                out.add(float(v))
    return out


def ln_integrand(p, q, a, x):
    lp, lq = ln_p(p, x), ln_p(q, x)
    if lp == mp.ninf:
        return mp.ninf
    if lq == mp.ninf:
        return mp.inf
    return a * lp + (1 - a) * lq


def points(p, q, lo, hi):
    pts = set(breakpoints(p + q, lo, hi)) | {e for e in edges(p) | edges(q) if lo < e < hi}
    return sorted(pts)


def integral(p, q, a):
    """Tanh-sinh over the support split at break points; infinite ends cut where the
    log-integrand is below -700 (if it ever is: algebraic tails go to infinity)."""
    lo, hi = support(p)
    inner = points(p, q, lo, hi)
    pts = [mp.mpf(lo)] + [mp.mpf(v) for v in inner] + [mp.mpf(hi)]
    pts = [mp.ninf if v == -mp.inf else mp.inf if v == mp.inf else v for v in pts]
    for end, nxt, sign in ((0, 1, -1), (-1, -2, 1)):
        if mp.isinf(pts[end]):
            step = mp.mpf(1)
            x = pts[nxt]
            while step < 1e12:
                if ln_integrand(p, q, a, x + sign * step) < -700:
                    pts[end] = x + sign * step
                    break
                step *= 2
    # Geometric points out along an infinite end that was not cut, so slow (algebraic) tails
    # are resolved.
    nodes = list(pts)
    if nodes[0] == mp.ninf:
        nodes[1:1] = [pts[1] - mp.mpf(2) ** k for k in range(38, -1, -2)]
    if nodes[-1] == mp.inf:
        nodes[-1:-1] = [pts[-2] + mp.mpf(2) ** k for k in range(0, 40, 2)]
    nodes = [v for i, v in enumerate(nodes) if i == 0 or v > nodes[i - 1]]

    def f(x):
        # Nodes that round onto an edge where q is 0 (a set of measure zero: these pairs have
        # no gaps) count as 0.
        v = ln_integrand(p, q, a, x)
        return mp.mpf(0) if v in (mp.ninf, mp.inf) else mp.exp(v)

    return mp.quad(f, nodes, error=True, maxdegree=12)


def truncated(p, q, a, L):
    """The integral over the support with |x| < L and distance > 1/L from every edge."""
    lo, hi = support(p)
    lo, hi = max(lo, -L), min(hi, L)
    cuts = sorted(e for e in edges(p) | edges(q) if lo - 1 <= e <= hi + 1)
    pieces = [(lo, hi)]
    for e in cuts:
        nxt = []
        for a0, b0 in pieces:
            for s, t in ((a0, min(b0, e - 1 / L)), (max(a0, e + 1 / L), b0)):
                if t > s:
                    nxt.append((s, t))
        pieces = nxt

    def f(x):
        v = ln_integrand(p, q, a, x)
        return mp.mpf(0) if v == mp.ninf else mp.exp(v)

    total = mp.mpf(0)
    for s, t in pieces:
        inner = [v for v in points(p, q, s, t)]
        nodes = [mp.mpf(s)] + [mp.mpf(v) for v in inner] + [mp.mpf(t)]
        total += mp.quad(f, nodes, maxdegree=10)
    return total


def diverges(p, q, a):
    """Whether the increments of the truncated integral, decade by decade of L, stop shrinking
    (a convergent power-law end x^-s shrinks them by 10^-(s-1) per decade: 0.89 at s = 1.05;
    ∫ dx/x keeps them equal; growing integrands make them grow)."""
    i = [truncated(p, q, a, L) for L in (10, 100, 1000, 10000)]
    steps = [i[k + 1] - i[k] for k in range(3)]
    return all(steps[k + 1] >= mp.mpf("0.97") * steps[k] > 0 for k in range(2))


def normal_terms(terms):
    return all(n == "normal" for _, n, _ in terms)


def analytic(p, q, a):
    """∫ p^a q^(1-a) for an integer a when P is a normal mixture and Q one normal; None when
    not of that shape."""
    if not (normal_terms(p) and len(q) == 1 and q[0][1] == "normal" and a == int(a)):
        return None
    (_, _, (mq, sq)), = q
    total = mp.mpf(0)
    for pick in itertools.product(p, repeat=int(a)):
        # Σ ln(w N(m, s)) - (a - 1) ln N(mq, sq) = -A x² + B x + C.
        A = sum(1 / (2 * s * s) for _, _, (m, s) in pick) - (a - 1) / (2 * sq * sq)
        B = sum(m / (s * s) for _, _, (m, s) in pick) - (a - 1) * mq / (sq * sq)
        C = sum(mp.log(w) - m * m / (2 * s * s) - mp.log(s * mp.sqrt(2 * mp.pi))
                for w, _, (m, s) in pick)
        C -= (a - 1) * (-mq * mq / (2 * sq * sq) - mp.log(sq * mp.sqrt(2 * mp.pi)))
        if A <= 0:
            return mp.inf
        total += mp.sqrt(mp.pi / A) * mp.exp(B * B / (4 * A) + C)
    return total


TENT = ("uniform(0,2)", "0.5*triangular(0,1,0.5)+0.5*triangular(1,2,1.5)")


BETA_EDGE = ("beta(0.5,1)", "0.5*uniform(0,1)+0.5*beta(2,2)")


def exact_special(ps, qs, a):
    """Integrals that tanh-sinh at 30 digits gets poorly (an integrand ~|x - e|^-0.9 at
    interior and end points), as (value, how). Uniform(0, 2) against the tent with zeros at
    0, 1, 2 gives 4 * (1/2)^a * ∫_0^½ (2x)^(1-a) dx = 2^(1-a)/(2-a). Beta(0.5, 1) is
    (1/2)·x^(-1/2), so p^a ~ x^(-a/2) at 0 (x^-0.95 at a = 1.9: tanh-sinh was 6e-3 off with an
    estimate of 1e-5): with x = u^k, k = 1/(1 - a/2), p^a dx = (1/2)^a·k du, and the integral
    ∫_0^1 (1/2)^a k q(u^k)^(1-a) du has a smooth integrand, q = 1/2 + 3x(1 - x)."""
    if (ps, qs) == TENT and a < 2:
        return mp.mpf(2) ** (1 - a) / (2 - a), "analytic"
    if (ps, qs) == BETA_EDGE and a < 2:
        k = 1 / (1 - a / 2)

        def f(u):
            x = u ** k
            return mp.mpf(0.5) ** a * k * (mp.mpf(0.5) + 3 * x * (1 - x)) ** (1 - a)

        v, err = mp.quad(f, [0, 0.5, 0.9, 1], error=True, maxdegree=10)
        return v, f"mpmath quad in u with x = u^k, error estimate {mp.nstr(err / v, 3)}"
    return None


def main():
    # `--from N`: start at the N-th pair (0-based), without the header, to resume a long run.
    start = int(sys.argv[sys.argv.index("--from") + 1]) if "--from" in sys.argv else 0
    if start:
        return run(CASES[start:])
    print("# D_alpha(P||Q) in nats for alpha > 1 near where it becomes infinite "
          "(tests/reference/make_renyi_tails_reference.py)")
    print("# p\tq\talpha\td_alpha\thow")
    run(CASES)


def run(cases):
    for ps, qs, alphas in cases:
        p, q = parse(ps), parse(qs)
        for a_text in alphas.split():
            num, _, den = a_text.partition("/")
            a = mp.mpf(num) / mp.mpf(den or 1)
            exact = analytic(p, q, a)
            if exact == mp.inf or (exact is None and diverges(p, q, a)):
                how = "analytic: a quadratic exponent that does not decay" if exact == mp.inf \
                    else "mpmath: truncated integrals keep growing"
                print(f"{ps}\t{qs}\t{a_text}\tinf\t{how}")
                sys.stdout.flush()
                continue
            i, err = integral(p, q, a)
            how = f"mpmath quad, relative error estimate {mp.nstr(err / i, 3)}"
            special = exact_special(ps, qs, a)
            if special is not None:
                how = f"{special[1]} (mpmath quad in x: {mp.nstr(i, 12)}, error estimate {mp.nstr(err / i, 3)})"
                i = special[0]
            elif err / i > mp.mpf("1e-12"):
                print(f"# skipped {ps} ‖ {qs} at {a_text}: mpmath's error estimate {mp.nstr(err / i, 3)}")
                continue
            if exact is not None:
                assert abs(exact - i) < mp.mpf("1e-25") * exact, (ps, qs, a_text, exact, i)
                how += "; analytic agrees to 1e-25"
                i = exact
            elif diverges(p, q, a):
                raise AssertionError(f"{ps} {qs} {a_text}: finite integral {i} that keeps growing")
            d = mp.log(i) / (a - 1)
            print(f"{ps}\t{qs}\t{a_text}\t{mp.nstr(d, 20)}\t{how}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
