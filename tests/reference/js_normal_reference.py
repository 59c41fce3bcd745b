"""30-digit mpmath references for the Jensen–Shannon divergence between two normals
(tests/js_normal.rs and the unit tests of src/divergence/normal_pair.rs). Writes
tests/reference/js_normal_reference.tsv: m1, s1, m2, s2 (Python's shortest repr, so the
doubles are exact) and JS in nats.

    python3 tests/reference/js_normal_reference.py

64 pairs from a seeded generator in five groups: ordinary (means in [-5, 5], sds 0.1-10),
near-identical (JS 1e-13..1e-10, means up to 1e3 with sd 1), very unequal scales (ratio
1e-6..1e6), far apart (20..1e4 sds) and sharp crossings (5..15 sds apart, scales 10-50 apart).
JS = ½∫[p·ln(2p/(p+q)) + q·ln(2q/(p+q))] by mpmath.quad at 45 digits (no underflow in
mpmath, and the 1e-6 cancellation of a near-identical pair leaves 39), split at the crossings
and at each mean ± 0, 1, 2, 4, 8, 16, 32 sds; computed twice, with those break points and with
every piece halved, and the two must agree to 1e-32 + 1e-28·JS.
"""
import random

import mpmath as mp

mp.mp.dps = 45


def js(m1, s1, m2, s2, halve=False):
    m1, s1, m2, s2 = (mp.mpf(v) for v in (m1, s1, m2, s2))
    c1 = 1 / (s1 * mp.sqrt(2 * mp.pi))
    c2 = 1 / (s2 * mp.sqrt(2 * mp.pi))

    def f(x):
        p = c1 * mp.exp(-((x - m1) / s1) ** 2 / 2)
        q = c2 * mp.exp(-((x - m2) / s2) ** 2 / 2)
        m = p + q
        out = mp.mpf(0)
        if p > 0:
            out += p * mp.log(2 * p / m)
        if q > 0:
            out += q * mp.log(2 * q / m)
        return out / 2

    pts = set()
    for m, s in ((m1, s1), (m2, s2)):
        for k in (0, 1, 2, 4, 8, 16, 32):
            pts.add(m + k * s)
            pts.add(m - k * s)
    # Crossings: ln p = ln q, a quadratic in x.
    a = 1 / (2 * s2**2) - 1 / (2 * s1**2)
    b = m1 / s1**2 - m2 / s2**2
    c = m2**2 / (2 * s2**2) - m1**2 / (2 * s1**2) + mp.log(s2 / s1)
    if a == 0:
        if b != 0:
            pts.add(-c / b)
    else:
        disc = b * b - 4 * a * c
        if disc >= 0:
            r = mp.sqrt(disc)
            pts.add((-b + r) / (2 * a))
            pts.add((-b - r) / (2 * a))
    pts = sorted(pts)
    if halve:
        pts = sorted(set(pts) | {(u + v) / 2 for u, v in zip(pts, pts[1:])})
    return mp.quad(f, [-mp.inf] + pts + [mp.inf])


def pairs():
    rng = random.Random(1711)
    out = []
    lu = lambda lo, hi: 10 ** rng.uniform(lo, hi)
    for _ in range(16):  # ordinary
        out.append((rng.uniform(-5, 5), lu(-1, 1), rng.uniform(-5, 5), lu(-1, 1)))
    for i in range(14):  # near-identical
        m = [0.0, 3.0, -40.0, 1000.0][i % 4]
        s = [1.0, 0.3, 7.0, 1.0][i % 4]
        dm = rng.choice([0.0, 1.0, -1.0]) * lu(-6.5, -5) * s
        ds = rng.choice([0.0, 1.0, -1.0]) * lu(-6.5, -5) if dm != 0.0 else lu(-6.5, -5)
        out.append((m, s, m + dm, s * (1 + ds)))
    for _ in range(14):  # very unequal scales
        s = lu(-1, 1)
        r = lu(-6, 6)
        m = rng.uniform(-5, 5)
        out.append((m, s, m + rng.uniform(-3, 3) * s, s * r))
    for _ in range(10):  # far apart
        s1, s2 = lu(-1, 1), lu(-1, 1)
        m = rng.uniform(-5, 5)
        out.append((m, s1, m + rng.choice([1, -1]) * lu(1.3, 4) * min(s1, s2), s2))
    for _ in range(10):  # sharp crossings
        s = lu(-1, 0)
        r = lu(1, 1.7) ** rng.choice([1, -1])
        m = rng.uniform(-5, 5)
        out.append((m, s, m + rng.uniform(5, 15) * s, s * r))
    # Round to doubles as the engine will see them (repr round-trips).
    return [tuple(float(v) for v in p) for p in out]


def main():
    rows = []
    for m1, s1, m2, s2 in pairs():
        a = js(m1, s1, m2, s2)
        b = js(m1, s1, m2, s2, halve=True)
        if abs(a - b) > mp.mpf("1e-32") + mp.mpf("1e-28") * abs(a):
            raise SystemExit(f"no agreement for {m1!r} {s1!r} {m2!r} {s2!r}: {a} vs {b}")
        rows.append(f"{m1!r}\t{s1!r}\t{m2!r}\t{s2!r}\t{mp.nstr(a, 30)}")
        print(rows[-1], flush=True)
    with open(__file__.replace(".py", ".tsv"), "w") as f:
        f.write("# m1\ts1\tm2\ts2\tJS(N(m1,s1), N(m2,s2)) in nats, 30-digit mpmath (tests/reference/js_normal_reference.py)\n")
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
