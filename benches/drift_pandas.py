"""The peer of `kl-explorer drift` for docs/PERFORMANCE.md: pandas.read_csv, then per column
numpy quantile edges (deciles of the reference), histogram counts of both sides, and
scipy.stats.entropy for KL both ways.

    python3 benches/drift_pandas.py make DIR   # writes DIR/reference.csv and DIR/current.csv
    python3 benches/drift_pandas.py run DIR    # warm: imports done, one untimed run, then 5
                                               # timed runs of read_csv + quantile + histogram
                                               # + entropy; best and median
    /usr/bin/time python3 benches/drift_pandas.py once DIR   # one run, whole process
    /usr/bin/time kl-explorer drift --reference DIR/reference.csv --current DIR/current.csv \
        --bins quantile:10 --json                            # ours, whole process
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


def compare(d, show):
    """read_csv of both files, then every column on the reference's deciles; the two times."""
    import pandas as pd
    from scipy.stats import entropy

    c0 = time.process_time()
    t0 = time.perf_counter()
    ref = pd.read_csv(f"{d}/reference.csv")
    cur = pd.read_csv(f"{d}/current.csv")
    t1 = time.perf_counter()
    out = []
    for c in ref.columns:
        a = ref[c].dropna().to_numpy()
        b = cur[c].dropna().to_numpy()
        inner = np.quantile(a, np.arange(1, 10) / 10)
        edges = np.concatenate([[-np.inf], inner, [np.inf]])
        p, _ = np.histogram(a, bins=edges)
        q, _ = np.histogram(b, bins=edges)
        out.append((c, entropy(p, q), entropy(q, p)))
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    if show:
        for c, pq, qp in out:
            print(c, pq, qp)
    return t1 - t0, t2 - t1, cpu


def run(d):
    import pandas  # noqa: F401  (imports outside the timing)
    import scipy.stats  # noqa: F401

    compare(d, False)
    times = sorted((compare(d, False) for _ in range(5)), key=lambda t: t[0] + t[1])
    for name, (read, rest, cpu) in (("best", times[0]), ("median", times[2])):
        print(
            f"pandas warm, {name} of 5: {read + rest:.3f} s wall (read {read:.3f} s, bin and"
            f" compare {rest:.3f} s), {cpu:.3f} s CPU"
        )


def once(d):
    read, rest, _ = compare(d, True)
    print(f"read {read:.3f} s, binned and compared {rest:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    {"make": make, "run": run, "once": once}[sys.argv[1]](sys.argv[2])
