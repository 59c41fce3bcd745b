"""Reference bins and figures for the drift workbench, from numpy and scipy.

Writes drift_reference.json beside this script: for a few seeded data sets (reference and
current, values with 4 decimals so that every parser reads them exactly), the edges and counts
numpy gives for each binning rule, and the figures on those counts computed independently
(scipy.special.rel_entr, scipy.spatial.distance.jensenshannon). Run:
    python3 tests/reference/drift_reference.py
"""
import json
import pathlib

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr


def data_sets():
    rng = np.random.default_rng(20261201)
    yield "normal_shift", rng.normal(0, 1, 300), rng.normal(0.3, 1.2, 250)
    yield "lognormal", rng.lognormal(0, 0.8, 401), rng.lognormal(0.1, 0.8, 333)
    # Ties in the reference (quantile edges repeat) and current values outside its range.
    yield "ties_wider", np.round(rng.normal(0, 1, 200), 1), rng.normal(0, 2, 180)
    yield "small", rng.uniform(0, 1, 7), rng.uniform(0.2, 1.1, 5)


def open_counts(edges, x):
    """(−∞, e0), [e0, e1), …, [em, ∞): a value equal to an edge goes right."""
    idx = np.searchsorted(edges, x, side="right")
    return np.bincount(idx, minlength=len(edges) + 1)


def closed_counts(edges, x, outer):
    inside = (x >= edges[0]) & (x <= edges[-1])
    c, _ = np.histogram(x[inside], bins=edges)
    if not outer:
        assert inside.all()
        return c
    return np.concatenate([[np.sum(x < edges[0])], c, [np.sum(x > edges[-1])]])


def figures(a, b, alpha):
    p = (a + alpha) / np.sum(a + alpha)
    q = (b + alpha) / np.sum(b + alpha)
    kl_pq = float(np.sum(rel_entr(p, q)))
    kl_qp = float(np.sum(rel_entr(q, p)))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p == q, 0.0, (q - p) * np.log(q / p))
    psi = float(np.sum(terms))
    if np.any((p == 0) != (q == 0)):
        psi = float("inf")
    js = float(jensenshannon(p, q) ** 2)
    tv = float(0.5 * np.sum(np.abs(p - q)))
    hellinger = float(np.sqrt(max(0.0, 1.0 - np.sum(np.sqrt(p * q)))))
    enc = lambda v: "inf" if np.isinf(v) else v
    return {k: enc(v) for k, v in dict(kl_pq=kl_pq, kl_qp=kl_qp, js=js, psi=psi, tv=tv,
                                        hellinger=hellinger).items()}


def rounded():
    return [(n, np.round(r, 4), np.round(c, 4)) for n, r, c in data_sets()]


def cases():
    for name, ref, cur in rounded():
        pooled = np.concatenate([ref, cur])
        rules = []
        for k in (2, 4, 10):
            e = np.unique(np.quantile(ref, np.arange(1, k) / k))  # merged repeats, sorted
            rules.append((f"quantile:{k}", e, open_counts(e, ref), open_counts(e, cur)))
        for k in (1, 5, 13):
            e = np.histogram_bin_edges(pooled, bins=k)
            rules.append((f"fixed:{k}", e, closed_counts(e, ref, False), closed_counts(e, cur, False)))
        for rule in ("sturges", "doane", "fd"):
            e = np.histogram_bin_edges(ref, bins=rule)
            rules.append((rule, e, closed_counts(e, ref, True), closed_counts(e, cur, True)))
        e = np.array([-1.0, 0.0, 0.5, 2.0])
        rules.append(("edges:-1,0,0.5,2", e, closed_counts(e, ref, True), closed_counts(e, cur, True)))
        for binning, edges, a, b in rules:
            yield {
                "data": name,
                "binning": binning,
                "edges": edges.tolist(),
                "counts_reference": a.tolist(),
                "counts_current": b.tolist(),
                "figures": figures(a, b, 0.0),
                "figures_smoothed": figures(a, b, 0.5),
            }


out = pathlib.Path(__file__).with_name("drift_reference.json")
data = {n: {"reference": r.tolist(), "current": c.tolist()} for n, r, c in rounded()}
out.write_text(json.dumps({"numpy": np.__version__, "data": data, "cases": list(cases())}) + "\n")
print(f"wrote {out}")
