//! The streaming path (numeric Parquet columns binned without being held) against the
//! in-memory path: the same bins, counts and figures bit for bit, one row group at a time,
//! with bounded memory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::collections::HashMap;
use std::path::Path;

#[path = "common/lcg.rs"]
mod lcg;
#[path = "common/parquet.rs"]
mod parquet_file;

use lcg::Lcg;
use parquet_file::write_parquet;

use kl_explorer::cancel::{Cancel, Progress};
use kl_explorer::drift::stream::InMemory;
use kl_explorer::drift::{
    Binning, ColumnKind, DriftOptions, StreamLimits, drift_column, drift_column_streamed,
    drift_files, drift_tables,
};
use kl_explorer::io::table::{Column, ParquetNumbers, Values, read_table};

fn column(name: &str, v: &[f64], missing: u64) -> Column {
    Column {
        name: name.into(),
        values: Values::Numbers(v.to_vec()),
        missing,
        first_label: None,
    }
}

fn binnings() -> Vec<Binning> {
    vec![
        Binning::Quantile(10),
        Binning::Quantile(4),
        Binning::Quantile(97),
        Binning::Fixed(20),
        Binning::Sturges,
        Binning::Doane,
        Binning::Fd,
        Binning::Edges(vec![-1.0, 0.0, 0.5, 3.0]),
    ]
}

fn options(binning: &Binning, kinds: &[(&str, ColumnKind)]) -> DriftOptions {
    DriftOptions {
        binning: binning.clone(),
        kinds: kinds.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
        permutations: 20,
        seed: 7,
        ..DriftOptions::default()
    }
}

fn streamed_equals_in_memory(name: &str, r: &[f64], c: &[f64], kinds: &[(&str, ColumnKind)]) {
    let (cr, cc) = (column(name, r, 3), column(name, c, 1));
    // Tiny buckets force the split-by-16-more-bits passes; the default takes one pass.
    for limits in [StreamLimits::default(), StreamLimits { bucket_values: 7 }] {
        for b in binnings() {
            let o = options(&b, kinds);
            let want = drift_column(&cr, &cc, &o, &Cancel::default(), &Progress::new()).unwrap();
            let (got, _) = drift_column_streamed(
                name,
                &InMemory {
                    values: r,
                    missing: 3,
                },
                &InMemory {
                    values: c,
                    missing: 1,
                },
                &o,
                &limits,
                &Cancel::default(),
                &|_| {},
            )
            .unwrap();
            assert_eq!(got, want, "{name} {b} {limits:?}");
            for (x, y) in got.intervals.iter().zip(&want.intervals) {
                assert_eq!(x.0.to_bits(), y.0.to_bits(), "{name} {b}");
                assert_eq!(x.1.to_bits(), y.1.to_bits(), "{name} {b}");
            }
            assert_eq!(got.kl_pq.value.to_bits(), want.kl_pq.value.to_bits());
        }
    }
}

#[test]
fn streamed_bins_equal_the_in_memory_bins_bit_for_bit_for_every_binning() {
    let mut g = Lcg(1);
    let r: Vec<f64> = (0..5000).map(|_| g.normal(0.0, 1.0)).collect();
    let c: Vec<f64> = (0..3000).map(|_| g.normal(0.3, 1.2)).collect();
    streamed_equals_in_memory("normal", &r, &c, &[]);
    // Heavy ties, −0 and 0, negative numbers: edges repeat and merge, keys share 48 bits.
    let tied = |g: &mut Lcg, n: usize| -> Vec<f64> {
        (0..n)
            .map(|i| {
                let x = (g.next() * 9.0).floor() * 0.25 - 1.0;
                if x == 0.0 && i % 2 == 0 {
                    -0.0
                } else {
                    x + 1e-3
                }
            })
            .collect()
    };
    let (r, c) = (tied(&mut g, 4000), tied(&mut g, 2500));
    streamed_equals_in_memory("tied", &r, &c, &[]);
    // Few distinct integers: detected categorical; and forced numeric and categorical.
    let ints = |g: &mut Lcg, n: usize| -> Vec<f64> {
        (0..n).map(|_| (g.next() * 6.0).floor() - 2.0).collect()
    };
    let (r, c) = (ints(&mut g, 3000), ints(&mut g, 2000));
    streamed_equals_in_memory("ints", &r, &c, &[]);
    streamed_equals_in_memory("ints", &r, &c, &[("ints", ColumnKind::Numeric)]);
    streamed_equals_in_memory("normal", &r, &c, &[("normal", ColumnKind::Categorical)]);
    // More than 20 distinct integers: numeric, with the in-memory path's reason.
    let many: Vec<f64> = (0..2000).map(|i| f64::from(i % 40)).collect();
    streamed_equals_in_memory("many", &many, &r, &[]);
}

/// Labels none of which is missing (a required Parquet column).
fn every<'a>(labels: &[&'a str]) -> Vec<Option<&'a str>> {
    labels.iter().copied().map(Some).collect()
}

fn rows(g: &mut Lcg, n: usize, shift: f64) -> (Vec<Option<f64>>, Vec<&'static str>) {
    let xs = (0..n)
        .map(|i| (i % 101 != 7).then(|| g.normal(shift, 1.0)))
        .collect();
    let cs = (0..n)
        .map(|i| ["red", "green", "blue"][(i * 7 + usize::from(shift > 0.0)) % 3])
        .collect();
    (xs, cs)
}

#[test]
fn a_parquet_column_is_streamed_one_row_group_at_a_time_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Lcg(11);
    let (n, group) = (60_000, 1000);
    let (xs, cs) = rows(&mut g, n, 0.0);
    let (ys, ds) = rows(&mut g, 20_000, 0.2);
    let (pr, pc) = (dir.path().join("r.parquet"), dir.path().join("c.parquet"));
    write_parquet(&pr, &xs, &every(&cs), group);
    write_parquet(&pc, &ys, &every(&ds), group);
    let (sr, sc) = (
        ParquetNumbers::open(&pr, "x").unwrap(),
        ParquetNumbers::open(&pc, "x").unwrap(),
    );
    assert_eq!(sr.row_groups(), n / group);
    let whole_r = read_table(&pr, Some(&["x".into()]), &Cancel::default()).unwrap();
    let whole_c = read_table(&pc, Some(&["x".into()]), &Cancel::default()).unwrap();
    let limits = StreamLimits { bucket_values: 500 };
    for b in binnings() {
        let o = options(&b, &[]);
        let want = drift_column(
            &whole_r.columns[0],
            &whole_c.columns[0],
            &o,
            &Cancel::default(),
            &Progress::new(),
        )
        .unwrap();
        let (got, stats) =
            drift_column_streamed("x", &sr, &sc, &o, &limits, &Cancel::default(), &|_| {}).unwrap();
        assert_eq!(got, want, "{b}");
        assert!(want.missing_reference > 0);
        // Never more than one row group's values in a batch, and the kept values for the
        // quantiles a small part of the column.
        assert!(stats.max_batch <= group, "{b} {stats:?}");
        // At most `bucket_values` per wanted rank's bucket (2 ranks per inner edge).
        let ranks = match b {
            Binning::Quantile(k) => 2 * (k - 1),
            Binning::Fd => 4,
            _ => 0,
        };
        assert!(
            stats.max_kept <= ranks * limits.bucket_values,
            "{b} {stats:?}"
        );
        if ranks <= 18 {
            assert!(stats.max_kept <= n / 5, "{b} {stats:?}");
        }
        let least = match b {
            Binning::Quantile(_) | Binning::Fd => 3,
            Binning::Doane => 5,
            _ => 2,
        };
        assert!(stats.reference_passes >= least, "{b} {stats:?}");
        assert_eq!(stats.current_passes, 2, "{b} {stats:?}");
    }
    // Progress is told after every row group of every pass, rising to 1.
    let seen = std::sync::Mutex::new(Vec::new());
    let o = options(&Binning::Quantile(10), &[]);
    drift_column_streamed("x", &sr, &sc, &o, &limits, &Cancel::default(), &|f| {
        seen.lock().unwrap().push(f);
    })
    .unwrap();
    let seen = seen.into_inner().unwrap();
    // Three passes over 60 row groups of the reference, two over 20 of the current.
    assert!(seen.len() >= 3 * 60 + 2 * 20, "{}", seen.len());
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.last().copied(), Some(1.0));
    assert!(seen[0] < 0.02, "{}", seen[0]);
}

#[test]
fn drift_files_streams_parquet_and_gives_the_in_memory_report_and_that_of_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Lcg(5);
    let mut paths = Vec::new();
    for (name, n, shift) in [("r", 3000, 0.0), ("c", 2000, 0.4)] {
        let (xs, cs) = rows(&mut g, n, shift);
        let pq = dir.path().join(format!("{name}.parquet"));
        write_parquet(&pq, &xs, &every(&cs), 256);
        let mut text = String::from("x,c\n");
        for (x, c) in xs.iter().zip(&cs) {
            text.push_str(&format!(
                "{},{c}\n",
                x.map_or(String::new(), |v| format!("{v}"))
            ));
        }
        let csv = dir.path().join(format!("{name}.csv"));
        std::fs::write(&csv, text).unwrap();
        paths.push((pq, csv));
    }
    for b in binnings() {
        let mut o = options(&b, &[]);
        o.per_column = HashMap::from([("x".to_string(), b.clone())]);
        let run = |r: &Path, c: &Path| {
            drift_files(r, c, None, &o, &Cancel::default(), &Progress::new()).unwrap()
        };
        let streamed = run(&paths[0].0, &paths[1].0);
        let whole = drift_tables(
            &read_table(&paths[0].0, None, &Cancel::default()).unwrap(),
            &read_table(&paths[1].0, None, &Cancel::default()).unwrap(),
            &o,
            &Cancel::default(),
            &Progress::new(),
        )
        .unwrap();
        assert_eq!(streamed, whole, "{b}");
        assert_eq!(streamed, run(&paths[0].1, &paths[1].1), "{b}");
        // One side CSV, the other Parquet.
        assert_eq!(streamed, run(&paths[0].1, &paths[1].0), "{b}");
        assert_eq!(streamed.columns.len(), 2);
    }
}

/// CSV files whose current side is counted into the reference's bins as it is read, or read
/// whole when it cannot be: the report is that of both tables read whole, for a column of
/// numbers, one that turns to text in the current file only, one of few integers (whose kind
/// the current side decides), one missing everywhere in the current file, and `fixed:K`
/// (whose range is the pooled one).
#[test]
fn drift_files_on_csv_counting_the_current_gives_the_report_of_the_whole_tables() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Lcg(11);
    let write = |name: &str, rows: &[String]| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("x,t,k,m\n{}", rows.concat())).unwrap();
        p
    };
    let mut reference = Vec::new();
    let mut current = Vec::new();
    for i in 0..3000 {
        let (x, t, k) = (
            g.normal(0.0, 1.0),
            g.normal(0.0, 1.0),
            (g.next() * 4.0).floor(),
        );
        reference.push(format!("{x:.5},{t:.4},{k},{}\n", i % 7));
    }
    for i in 0..2000 {
        let (x, t, k) = (
            g.normal(0.3, 1.0),
            g.normal(0.0, 1.0),
            (g.next() * 5.0).floor(),
        );
        let t = if i == 1500 {
            "late text".to_string()
        } else {
            format!("{t:.4}")
        };
        current.push(format!("{x:.5},{t},{k},\n"));
    }
    let (r, c) = (write("r.csv", &reference), write("c.csv", &current));
    let whole = |o: &DriftOptions| {
        drift_tables(
            &read_table(&r, None, &Cancel::default()).unwrap(),
            &read_table(&c, None, &Cancel::default()).unwrap(),
            o,
            &Cancel::default(),
            &Progress::new(),
        )
        .unwrap()
    };
    for b in binnings() {
        let o = options(&b, &[]);
        let got = drift_files(&r, &c, None, &o, &Cancel::default(), &Progress::new()).unwrap();
        assert_eq!(got, whole(&o), "{b}");
        assert_eq!(
            got.refused.len(),
            1,
            "{b}: the column missing in the current file"
        );
    }
    // Without the column that turns to text, the current file is counted, not read whole.
    let mut current: Vec<String> = current
        .iter()
        .map(|l| l.replace("late text", "0.5"))
        .collect();
    current.push("1.25,2.5,3,\n".into());
    let c = write("c.csv", &current);
    for b in binnings() {
        let o = options(&b, &[]);
        let got = drift_files(&r, &c, None, &o, &Cancel::default(), &Progress::new()).unwrap();
        let want = drift_tables(
            &read_table(&r, None, &Cancel::default()).unwrap(),
            &read_table(&c, None, &Cancel::default()).unwrap(),
            &o,
            &Cancel::default(),
            &Progress::new(),
        )
        .unwrap();
        assert_eq!(got, want, "{b}");
    }
}
