#!/usr/bin/env python3
"""Writes pairs.tsv: the P<TAB>Q pairs that compare_pairs.py runs through two binaries.

Every pair of tests/reference/kl_reference.tsv and tests/closed_forms.rs (the same grids,
rebuilt here), then seeded random specs over every family, mixtures, and the assets/*.csv
histograms against each other and against parametric specs. Deterministic: the same file
on every run (seed 12).

    python3 tests/refactor/make_pairs.py > tests/refactor/pairs.tsv
"""

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def num(x):
    """A number as Rust's `{}` prints an f64 (`2`, not `2.0`)."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def grid(fmt, a, b):
    return [fmt(a1, b1, a2, b2) for a1 in a for b1 in b for a2 in a for b2 in b]


def closed_form_pairs():
    loc, scale, shape = [-2.0, 0.0, 1.5], [0.3, 1.0, 4.0], [0.6, 1.0, 3.5]

    def two(name):
        return lambda a, b, c, d: (f"{name}({num(a)},{num(b)})", f"{name}({num(c)},{num(d)})")

    out = []
    out += grid(two("normal"), loc, scale)
    out += grid(two("log_normal"), [-0.5, 0.5], [0.3, 1.0])
    out += grid(two("laplace"), loc, scale)
    out += grid(two("cauchy"), loc, [0.5, 2.0])
    out += grid(two("gamma"), shape, [0.5, 2.0])
    out += grid(two("beta"), shape, [0.7, 2.5])
    out += grid(two("weibull"), shape, [0.5, 2.0])
    out += grid(two("gumbel"), loc, [0.5, 2.0])
    out += grid(two("inverse_gamma"), [1.5, 4.0], [0.5, 2.0])
    for a, b in [(1.0, 3.0), (2.0, 1.5), (1.0, 0.8)]:
        for c, d in [(1.0, 2.0), (0.5, 4.0)]:
            out.append((f"pareto({num(a)},{num(b)})", f"pareto({num(c)},{num(d)})"))
    for a, b in [(0.0, 1.0), (-1.0, 2.0)]:
        for c, d in [(-2.0, 3.0), (-1.0, 2.0)]:
            out.append((f"uniform({num(a)},{num(b)})", f"uniform({num(c)},{num(d)})"))
        for m, s in [(0.0, 1.0), (3.0, 0.5)]:
            out.append((f"uniform({num(a)},{num(b)})", f"normal({num(m)},{num(s)})"))
    for r in [0.5, 2.0]:
        out.append((f"exponential({num(r)})", "gamma(2, 1)"))
        out.append(("gamma(0.5, 1)", f"exponential({num(r)})"))
        out.append((f"chi_squared({num(4 * r)})", f"exponential({num(r)})"))
        out.append((f"exponential({num(r)})", "exponential(1.3)"))
    for a, b in [(0.5, 3.0), (4.0, 2.0), (30.0, 33.0)]:
        out.append((f"poisson({num(a)})", f"poisson({num(b)})"))
    for a, b in [(0.1, 0.5), (0.5, 0.9), (0.0, 0.3)]:
        out.append((f"binomial({num(a)}, 20)", f"binomial({num(b)}, 20)"))
        out.append((f"bernoulli({num(a)})", f"bernoulli({num(b)})"))
    for a, b in [(0.2, 0.5), (0.9, 0.1), (1.0, 0.3)]:
        out.append((f"geometric({num(a)})", f"geometric({num(b)})"))
    entropies = [
        "normal(1, 2)", "log_normal(0.3, 0.8)", "uniform(-1, 3)", "laplace(0, 2)",
        "cauchy(0, 0.5)", "gumbel(1, 2)", "weibull(0.8, 2)", "weibull(3, 1)",
        "pareto(1, 2.5)", "triangular(0, 2, 0.5)", "beta(0.5, 3)", "beta(4, 2)",
        "inverse_gamma(3, 2)", "student_t(0, 1, 3)", "student_t(1, 2, 0.8)",
        "gamma(0.5, 2)", "gamma(4, 1)", "exponential(3)", "chi_squared(5)",
    ]
    out += [(s, s) for s in entropies]
    return out


def reference_pairs():
    out = []
    for line in (ROOT / "tests/reference/kl_reference.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        p, q = line.split("\t")[:2]
        out.append((p, q))
    return out


def r3(x):
    return round(x, 3)


CONTINUOUS = {
    "normal": lambda r: [r3(r.uniform(-5, 5)), r3(r.uniform(0.1, 5))],
    "laplace": lambda r: [r3(r.uniform(-5, 5)), r3(r.uniform(0.1, 5))],
    "cauchy": lambda r: [r3(r.uniform(-5, 5)), r3(r.uniform(0.1, 5))],
    "student_t": lambda r: [r3(r.uniform(-5, 5)), r3(r.uniform(0.1, 5)), r3(r.uniform(0.3, 30))],
    "uniform": lambda r: (lambda a: [a, r3(a + r.uniform(0.1, 6))])(r3(r.uniform(-5, 5))),
    "exponential": lambda r: [r3(r.uniform(0.1, 5))],
    "gamma": lambda r: [r3(r.uniform(0.2, 15)), r3(r.uniform(0.1, 5))],
    "beta": lambda r: [r3(r.uniform(0.2, 10)), r3(r.uniform(0.2, 10))],
    "log_normal": lambda r: [r3(r.uniform(-2, 2)), r3(r.uniform(0.1, 2))],
    "weibull": lambda r: [r3(r.uniform(0.3, 6)), r3(r.uniform(0.1, 5))],
    "chi_squared": lambda r: [r3(r.uniform(0.3, 30))],
    "pareto": lambda r: [r3(r.uniform(0.1, 5)), r3(r.uniform(0.2, 10))],
    "triangular": lambda r: (lambda a, w, t: [a, r3(a + w), r3(a + t * w)])(
        r3(r.uniform(-5, 5)), r3(r.uniform(0.2, 6)), r3(r.random())),
    "gumbel": lambda r: [r3(r.uniform(-5, 5)), r3(r.uniform(0.1, 5))],
    "inverse_gamma": lambda r: [r3(r.uniform(0.3, 10)), r3(r.uniform(0.1, 5))],
}

DISCRETE = {
    "poisson": lambda r: [r3(r.uniform(0.1, 40))],
    "binomial": lambda r: [r3(r.random()), r.randint(1, 60)],
    "geometric": lambda r: [r3(r.uniform(0.02, 1))],
    "bernoulli": lambda r: [r3(r.random())],
    "categorical": lambda r: [r3(r.random()) for _ in range(r.randint(2, 6))],
    "logits": lambda r: [r3(r.uniform(-4, 4)) for _ in range(r.randint(2, 6))],
}


def spec(r, families):
    name = r.choice(sorted(families))
    return f"{name}({', '.join(num(v) for v in families[name](r))})"


def mixture(r, families):
    k = r.randint(2, 4)
    return " + ".join(f"{num(r3(r.uniform(0.1, 2)))}*{spec(r, families)}" for _ in range(k))


def random_pairs(r):
    out = []
    for _ in range(120):
        out.append((spec(r, CONTINUOUS), spec(r, CONTINUOUS)))
    for _ in range(50):
        out.append((spec(r, DISCRETE), spec(r, DISCRETE)))
    for _ in range(25):
        out.append((mixture(r, CONTINUOUS), spec(r, CONTINUOUS)))
        out.append((spec(r, CONTINUOUS), mixture(r, CONTINUOUS)))
    # Not categorical or logits inside a discrete mixture: with a table component the
    # mixture's survival function stalls near 1e-16 and the exact sum never ends (a hang
    # in the baseline too: `1.143*categorical(0.784, 0.549) + 1.264*poisson(6.559)`).
    counts = {k: v for k, v in DISCRETE.items() if k not in ("categorical", "logits")}
    for _ in range(10):
        out.append((mixture(r, counts), spec(r, DISCRETE)))
    # Every family against itself and a neighbour, so none is left out by chance.
    for fams in (CONTINUOUS, DISCRETE):
        for name in sorted(fams):
            a = f"{name}({', '.join(num(v) for v in fams[name](r))})"
            b = f"{name}({', '.join(num(v) for v in fams[name](r))})"
            out += [(a, b), (b, a)]
    # A spec mixing kinds (an error line) and a bad spec, so error lines are compared too.
    out.append(("poisson(3)", "normal(3, 1)"))
    out.append(("nromal(0, 1)", "normal(0, 1)"))
    return out


def histogram_pairs(r):
    hist = ["assets/feature_train.csv", "assets/feature_prod.csv", "assets/samples.csv",
            "assets/zero_bin_p.csv", "assets/zero_bin_q.csv"]
    cats = ["assets/policy_old.csv", "assets/policy_new.csv"]
    out = [(a, b) for a in hist for b in hist]
    out += [(a, b) for a in cats for b in cats]
    out += [("assets/policy_old.csv", "categorical(0.4, 0.3, 0.2, 0.1)")]
    for h in hist:
        out.append((h, "normal(0, 1)"))
        out.append(("normal(0.5, 2)", h))
        out.append((h, spec(r, CONTINUOUS)))
        out.append((mixture(r, CONTINUOUS), h))
    return out


def main():
    r = random.Random(12)
    pairs = reference_pairs() + closed_form_pairs() + random_pairs(r) + histogram_pairs(r)
    out = sys.stdout
    out.write("# P<TAB>Q pairs for compare_pairs.py; made by make_pairs.py (seed 12)\n")
    for p, q in pairs:
        out.write(f"{p}\t{q}\n")


if __name__ == "__main__":
    main()
