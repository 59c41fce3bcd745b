"""The peer of `kl-explorer drift` for docs/PERFORMANCE.md: pandas.read_csv, then per column
numpy quantile edges (deciles of the reference), histogram counts of both sides, and
scipy.stats.entropy for KL both ways. Run (warm Python, whole process timed by the shell):

    python3 benches/drift_pandas.py make DIR      # writes DIR/reference.csv and DIR/current.csv
    time python3 benches/drift_pandas.py run DIR
    time kl-explorer drift --reference DIR/reference.csv --current DIR/current.csv --bins quantile:10 --json
"""
import sys
import time

import numpy as np


def make(d):
    import pandas as pd

    rng = np.random.default_rng(7)
    for name, n, shift in (("reference", 2_000_000, 0.0), ("current", 1_500_000, 0.1)):
        df = pd.DataFrame(
            {f"c{i}": np.round(rng.normal(shift * i, 1 + 0.1 * i, n), 6) for i in range(5)}
        )
        df.to_csv(f"{d}/{name}.csv", index=False)


def run(d):
    import pandas as pd
    from scipy.stats import entropy

    t0 = time.perf_counter()
    ref = pd.read_csv(f"{d}/reference.csv")
    cur = pd.read_csv(f"{d}/current.csv")
    t1 = time.perf_counter()
    for c in ref.columns:
        a = ref[c].dropna().to_numpy()
        b = cur[c].dropna().to_numpy()
        inner = np.quantile(a, np.arange(1, 10) / 10)
        edges = np.concatenate([[-np.inf], inner, [np.inf]])
        p, _ = np.histogram(a, bins=edges)
        q, _ = np.histogram(b, bins=edges)
        print(c, entropy(p, q), entropy(q, p))
    t2 = time.perf_counter()
    print(f"read {t1 - t0:.3f} s, binned and compared {t2 - t1:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    {"make": make, "run": run}[sys.argv[1]](sys.argv[2])
