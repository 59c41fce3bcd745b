//! Speed of the drift workbench's CSV table reader and of the comparison after it.
//!
//! `cargo bench --bench drift`: a table of 2·10^5 rows × 5 numeric columns (about 9 MB, numbers
//! written as `benches/drift_pandas.py make` writes them) read from memory by the block reader
//! (every core) and by the sequential reader, read from a file, and the two tables compared on
//! deciles. With `DRIFT_DIR` set to a directory made by `python3 benches/drift_pandas.py make
//! DIR`, also the whole job of `kl-explorer drift` on those files (2·10^6 and 1.5·10^6 rows),
//! which `python3 benches/drift_pandas.py run DIR` times for pandas. Figures in
//! docs/PERFORMANCE.md.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches panic on failure by design

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kl_explorer::cancel::{Cancel, Progress};
use kl_explorer::cli::drift::read_pair;
use kl_explorer::drift::{Binning, DriftOptions, drift_tables};
use kl_explorer::io::table::{read_csv_table, read_csv_table_chunked, read_table};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Normal};

/// Rows of the in-memory table.
const ROWS: usize = 200_000;

/// A table as `drift_pandas.py make` writes one: 5 columns c0..c4, column i normal with mean
/// shift·i and standard deviation 1 + 0.1·i, rounded to 6 decimals.
fn table_text(rows: usize, shift: f64, seed: u64) -> String {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let normals: Vec<Normal<f64>> = (0..5)
        .map(|i| Normal::new(shift * f64::from(i), 1.0 + 0.1 * f64::from(i)).unwrap())
        .collect();
    let mut s = String::from("c0,c1,c2,c3,c4\n");
    for _ in 0..rows {
        let line: Vec<String> = normals
            .iter()
            .map(|n| format!("{}", (n.sample(&mut rng) * 1e6).round() / 1e6))
            .collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    s
}

fn options() -> DriftOptions {
    DriftOptions {
        binning: Binning::Quantile(10),
        ..DriftOptions::default()
    }
}

fn reader(c: &mut Criterion) {
    let text = table_text(ROWS, 0.0, 7);
    let path = Path::new("reference.csv");
    let cancel = Cancel::new();
    let mut g = c.benchmark_group("table_csv_2e5x5");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("blocks_every_core", |b| {
        b.iter(|| {
            read_csv_table_chunked(text.as_bytes(), path, None, &cancel, 1 << 20)
                .unwrap()
                .rows
        })
    });
    g.bench_function("sequential", |b| {
        b.iter(|| {
            read_csv_table(text.as_bytes(), path, None, &cancel)
                .unwrap()
                .rows
        })
    });
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    g.bench_function("file", |b| {
        b.iter(|| read_table(file.path(), None, &cancel).unwrap().rows)
    });
    g.finish();

    let current = table_text(ROWS * 3 / 4, 0.1, 8);
    let a = read_csv_table(text.as_bytes(), path, None, &cancel).unwrap();
    let b = read_csv_table(current.as_bytes(), path, None, &cancel).unwrap();
    let mut g = c.benchmark_group("drift_after_reading");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    g.bench_function("deciles_2e5_vs_1.5e5_x5", |bench| {
        bench.iter(|| {
            black_box(drift_tables(&a, &b, &options(), &cancel, &Progress::new()).unwrap())
        })
    });
    g.finish();
}

/// The whole job of `kl-explorer drift --bins quantile:10` on the files of `DRIFT_DIR`.
fn whole(c: &mut Criterion) {
    let Some(dir) = std::env::var_os("DRIFT_DIR") else {
        return;
    };
    let dir = Path::new(&dir);
    let (r, q) = (dir.join("reference.csv"), dir.join("current.csv"));
    let cancel = Cancel::new();
    let mut g = c.benchmark_group("drift_2e6_vs_1.5e6_x5");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("read_both", |b| {
        b.iter(|| black_box(read_pair(&r, &q, None, &cancel).unwrap()))
    });
    g.bench_function("read_and_compare", |b| {
        b.iter(|| {
            let (a, b) = read_pair(&r, &q, None, &cancel).unwrap();
            black_box(drift_tables(&a, &b, &options(), &cancel, &Progress::new()).unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, reader, whole);
criterion_main!(benches);
