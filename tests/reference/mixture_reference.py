"""30-digit mpmath references for mixtures with more components than the engine evaluates
directly (tests/mixture.rs). Writes tests/reference/mixture_reference.tsv.

Each mixture is built by a formula, the same one tests/mixture.rs uses (no random numbers):
  mixed40:  40 components cycling normal / laplace / student_t(ν = 5), overlapping
  normals30: 30 normals, overlapping
  narrow30: 30 narrow normals (σ = 0.05) 2 apart, far from each other
KL is integrated with mpmath.quad, split at every component's location and ±3, ±6 scales
and every quarter unit across the range.
"""
import mpmath as mp

mp.mp.dps = 30


def mixed40():
    out = []
    for i in range(40):
        w = 1 + (i * 7) % 5
        loc = ((i * 13) % 40) * 0.37 - 7
        scale = 0.2 + ((i * 11) % 9) * 0.1
        fam = ["normal", "laplace", "student_t"][i % 3]
        out.append((w, fam, loc, scale))
    return out


def normals30():
    return [(1 + i % 3, "normal", ((i * 3) % 30) * 0.5 - 7.5, 0.5 + (i % 4) * 0.2) for i in range(30)]


def narrow30():
    return [(1 + i % 2, "normal", i * 2.0, 0.05) for i in range(30)]


def spec(parts):
    def one(w, fam, loc, s):
        if fam == "student_t":
            return f"{w}*student_t({loc!r}, {s!r}, 5)"
        return f"{w}*{fam}({loc!r}, {s!r})"
    return " + ".join(one(*p) for p in parts)


def density(parts):
    total = mp.mpf(sum(p[0] for p in parts))

    def comp(fam, loc, s, x):
        loc, s = mp.mpf(loc), mp.mpf(s)
        z = (x - loc) / s
        if fam == "normal":
            return mp.exp(-z * z / 2) / (s * mp.sqrt(2 * mp.pi))
        if fam == "laplace":
            return mp.exp(-abs(z)) / (2 * s)
        nu = mp.mpf(5)
        c = mp.gamma((nu + 1) / 2) / (mp.gamma(nu / 2) * mp.sqrt(nu * mp.pi) * s)
        return c * (1 + z * z / nu) ** (-(nu + 1) / 2)

    return lambda x: sum(mp.mpf(w) * comp(f, l, s, x) for (w, f, l, s) in parts) / total


def single_normal(m, s):
    return [(1, "normal", m, s)]


def points(*mixtures):
    pts = set()
    for parts in mixtures:
        for (_, _, loc, s) in parts:
            for k in (-6, -3, 0, 3, 6):
                pts.add(mp.mpf(loc) + k * mp.mpf(s))
    # And every quarter unit across the range: between narrow components far apart, ln q
    # dips by hundreds and a split at ±6σ alone leaves mpmath 1e-7 off.
    lo, hi = int(min(pts)) - 10, int(max(pts)) + 10
    pts.update(mp.mpf(k) / 4 for k in range(4 * lo, 4 * hi + 1))
    return [-mp.inf] + sorted(pts) + [mp.inf]


def kl(p_parts, q_parts):
    p, q = density(p_parts), density(q_parts)

    def f(x):
        px = p(x)
        if px == 0:
            return mp.mpf(0)
        return px * (mp.log(px) - mp.log(q(x)))

    return mp.quad(f, points(p_parts, q_parts))


CASES = [
    ("mixed40", mixed40(), "normal(0, 4)", single_normal(0, 4)),
    ("normals30", normals30(), "normal(-1, 3)", single_normal(-1, 3)),
    ("mixed40", mixed40(), "normals30", normals30()),
    ("narrow30", narrow30(), "normal(30, 20)", single_normal(30, 20)),
]

if __name__ == "__main__":
    import os

    path = os.path.join(os.path.dirname(__file__), "mixture_reference.tsv")
    with open(path, "w") as out:
        out.write("# P\tQ\tKL(P||Q), 30-digit mpmath (tests/reference/mixture_reference.py)\n")
        for name_p, p, name_q, q in CASES:
            v = kl(p, q)
            w = kl(q, p)
            print(name_p, name_q, mp.nstr(v, 20), mp.nstr(w, 20), flush=True)
            out.write(f"{spec(p)}\t{spec(q)}\t{mp.nstr(v, 25)}\n")
            out.write(f"{spec(q)}\t{spec(p)}\t{mp.nstr(w, 25)}\n")
