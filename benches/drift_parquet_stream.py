"""Peak memory and time of `kl-explorer drift` on a 10^8-row single-column Parquet file
(numeric Parquet columns are streamed row group by row group, never held).

    python3 benches/drift_parquet_stream.py [--rows 100000000] [--binary target/release/kl-explorer]

Writes /tmp/kl-drift-reference.parquet (numpy standard normal, row groups of 10^6, pyarrow's
default snappy) and /tmp/kl-drift-current.parquet (10^6 rows, normal(0.1, 1.1)) if missing,
then runs `drift --bins B` for each binning under /usr/bin/time -v and prints peak RSS
(maximum resident set size) and wall, user and system time. Figures go to
docs/PERFORMANCE.md ("Streaming Parquet").
"""
import argparse, os, re, subprocess

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def write(path, rows, mean, sd, seed, group=1_000_000):
    if os.path.exists(path) and pq.ParquetFile(path).metadata.num_rows == rows:
        return
    rng = np.random.default_rng(seed)
    schema = pa.schema([("x", pa.float64())])
    with pq.ParquetWriter(path, schema) as w:
        for start in range(0, rows, group):
            n = min(group, rows - start)
            w.write_table(pa.table({"x": rng.normal(mean, sd, n)}), row_group_size=group)


def measure(cmd):
    out = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    get = lambda key: re.search(re.escape(key) + r":\s*(.+)", out.stderr).group(1).strip()
    return {
        "peak_rss_mib": int(get("Maximum resident set size (kbytes)")) / 1024,
        "wall": get("Elapsed (wall clock) time (h:mm:ss or m:ss)"),
        "user_s": float(get("User time (seconds)")),
        "sys_s": float(get("System time (seconds)")),
        "stdout": out.stdout,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--binary", default="target/release/kl-explorer")
    ap.add_argument("--bins", nargs="*", default=["quantile:10", "fixed:20", "fd"])
    a = ap.parse_args()
    ref, cur = "/tmp/kl-drift-reference.parquet", "/tmp/kl-drift-current.parquet"
    write(ref, a.rows, 0.0, 1.0, 1)
    write(cur, 1_000_000, 0.1, 1.1, 2)
    print(f"reference {os.path.getsize(ref) / 2**20:.0f} MiB on disk, {a.rows} rows")
    for b in a.bins:
        m = measure([a.binary, "drift", "--reference", ref, "--current", cur, "--bins", b, "--json"])
        print(f"{b}: peak RSS {m['peak_rss_mib']:.1f} MiB, wall {m['wall']}, "
              f"user {m['user_s']:.1f} s, sys {m['sys_s']:.1f} s")
        print("  ", m["stdout"].strip()[:300])


if __name__ == "__main__":
    main()
