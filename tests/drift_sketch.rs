//! A large CSV reference read through a quantile sketch (its `quantile:K` columns counted and
//! only the values near each edge kept) gives the report of both tables read whole, bit for
//! bit; and when the sample misjudges the file the sketch gives no answer, never a wrong one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::path::{Path, PathBuf};

#[path = "common/lcg.rs"]
mod lcg;

use lcg::Lcg;

use kl_explorer::cancel::{Cancel, Progress};
use kl_explorer::drift::sketch::drift_csv_sketched;
use kl_explorer::drift::{
    Binning, ColumnKind, DriftOptions, DriftReport, SketchLimits, drift_files_with, drift_tables,
};
use kl_explorer::io::table::{SampleShape, read_table};

/// Sketching for any file, from a sample of 16 pieces of 32 KiB, however much the ranges
/// keep (a small sample's are wide).
fn sketching() -> SketchLimits {
    SketchLimits {
        min_bytes: 0,
        min_rows: 0,
        sample: SampleShape {
            pieces: 16,
            piece_bytes: 32 << 10,
        },
        max_kept: 1.0,
        ..SketchLimits::default()
    }
}

/// No sketch at all: the reference is read whole.
fn whole_read() -> SketchLimits {
    SketchLimits {
        min_bytes: u64::MAX,
        ..SketchLimits::default()
    }
}

fn options(binning: Binning) -> DriftOptions {
    DriftOptions {
        binning,
        permutations: 20,
        seed: 3,
        ..DriftOptions::default()
    }
}

/// The report of both files read whole and compared in memory.
fn in_memory(r: &Path, c: &Path, o: &DriftOptions) -> DriftReport {
    drift_tables(
        &read_table(r, None, &Cancel::default()).unwrap(),
        &read_table(c, None, &Cancel::default()).unwrap(),
        o,
        &Cancel::default(),
        &Progress::new(),
    )
    .unwrap()
}

fn sketched(r: &Path, c: &Path, o: &DriftOptions, limits: &SketchLimits) -> Option<DriftReport> {
    drift_csv_sketched(r, c, None, o, limits, &Cancel::default(), &Progress::new()).unwrap()
}

fn files(dir: &Path, header: &str, reference: &[String], current: &[String]) -> (PathBuf, PathBuf) {
    let write = |name: &str, rows: &[String]| {
        let p = dir.join(name);
        std::fs::write(&p, format!("{header}\n{}", rows.concat())).unwrap();
        p
    };
    (write("r.csv", reference), write("c.csv", current))
}

/// A row of the mixed table: numbers at two precisions with missing cells, signed zeros
/// among few values, few integers (categorical), text, and a name the header has twice.
fn mixed_row(g: &mut Lcg, shift: f64, i: usize) -> String {
    let x = g.normal(shift, 1.0);
    let y = g.normal(0.0, 3.0 + shift);
    let y = if i.is_multiple_of(101) {
        String::new()
    } else {
        format!("{y:.2}")
    };
    let z = match i % 5 {
        0 => "-0".to_string(),
        1 => "0".to_string(),
        _ => format!("{:.1}", (g.next() * 6.0).floor() - 3.0),
    };
    let k = (g.next() * 4.0).floor();
    let t = ["red", "green", "blue"][i % 3];
    let d = g.normal(0.0, 1.0);
    format!("{x:.6},{y},{z},{k},{t},{d:.3},{:.3}\n", d * 2.0)
}

const MIXED: &str = "x,y,z,k,t,d,d";

#[test]
fn a_sketched_reference_gives_the_report_of_the_tables_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Lcg(5);
    let reference: Vec<String> = (0..40_000).map(|i| mixed_row(&mut g, 0.0, i)).collect();
    let current: Vec<String> = (0..30_000).map(|i| mixed_row(&mut g, 0.2, i)).collect();
    let (r, c) = files(dir.path(), MIXED, &reference, &current);
    for binning in [
        Binning::Quantile(10),
        Binning::Quantile(2),
        Binning::Quantile(37),
    ] {
        let mut o = options(binning.clone());
        let want = in_memory(&r, &c, &o);
        let got = sketched(&r, &c, &o, &sketching()).expect("a sketch for random columns");
        assert_eq!(got, want, "{binning}");
        // A column on other bins and a kind chosen by hand: the rest is still sketched.
        o.per_column.insert("x".into(), Binning::Fixed(12));
        o.kinds.insert("k".into(), ColumnKind::Numeric);
        o.kinds.insert("y".into(), ColumnKind::Categorical);
        let want = in_memory(&r, &c, &o);
        let got = sketched(&r, &c, &o, &sketching()).expect("a sketch for the others");
        assert_eq!(got, want, "{binning}, overridden");
        let got = drift_files_with(
            &r,
            &c,
            None,
            &o,
            &whole_read(),
            &Cancel::default(),
            &Progress::new(),
        )
        .unwrap();
        assert_eq!(got, want, "{binning}, read whole");
    }
    // Nothing to sketch: no quantile bins; or a file of fewer rows than the limit.
    let few = SketchLimits {
        min_rows: 50_000,
        ..sketching()
    };
    assert_eq!(
        sketched(&r, &c, &options(Binning::Quantile(10)), &few),
        None
    );
    assert_eq!(
        sketched(&r, &c, &options(Binning::Sturges), &sketching()),
        None
    );
}

#[test]
fn a_reference_the_sample_misjudges_is_read_whole_for_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    // Sorted, so that a sample of the file's start and middle only misses most deciles.
    let reference: Vec<String> = (0..60_000).map(|i| format!("{}\n", i * 7)).collect();
    let current: Vec<String> = (0..10_000).map(|i| format!("{}\n", i * 31)).collect();
    let (r, c) = files(dir.path(), "v", &reference, &current);
    let two = SketchLimits {
        sample: SampleShape {
            pieces: 2,
            piece_bytes: 16 << 10,
        },
        ..sketching()
    };
    let o = options(Binning::Quantile(10));
    assert_eq!(sketched(&r, &c, &o, &two), None);
    let got = drift_files_with(&r, &c, None, &o, &two, &Cancel::default(), &Progress::new());
    assert_eq!(got.unwrap(), in_memory(&r, &c, &o));
}

#[test]
fn a_current_file_far_out_or_with_late_text_gives_the_report_of_the_tables_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Lcg(8);
    let reference: Vec<String> = (0..40_000).map(|i| mixed_row(&mut g, 0.0, i)).collect();
    // Values moved far out (a 0 before the first point: 1.2 becomes 10.2) land in gaps,
    // which hold no edge: still counted exactly.
    let far: Vec<String> = (0..20_000)
        .map(|i| mixed_row(&mut g, 0.0, i).replacen('.', "0.", 1))
        .collect();
    // No p-values: a numeric column against one of text has a bin a label, and the
    // permutations over thousands of bins are slow unoptimised (the other tests have them).
    let o = DriftOptions {
        permutations: 0,
        ..options(Binning::Quantile(10))
    };
    let (r, c) = files(dir.path(), MIXED, &reference, &far);
    let got = sketched(&r, &c, &o, &sketching()).expect("counted through the sketch");
    assert_eq!(got, in_memory(&r, &c, &o));
    // Text late in a sketched column: the current file is read whole.
    let mut late: Vec<String> = (0..20_000).map(|i| mixed_row(&mut g, 0.1, i)).collect();
    late[19_000] = "oops,1,0,1,red,1,1\n".into();
    let (r, c) = files(dir.path(), MIXED, &reference, &late);
    let got = drift_files_with(
        &r,
        &c,
        None,
        &o,
        &sketching(),
        &Cancel::default(),
        &Progress::new(),
    );
    assert_eq!(got.unwrap(), in_memory(&r, &c, &o));
}

#[test]
fn a_bad_or_cancelled_read_reports_as_the_whole_read_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Lcg(2);
    let reference: Vec<String> = (0..20_000).map(|i| mixed_row(&mut g, 0.0, i)).collect();
    let mut bad: Vec<String> = (0..5_000).map(|i| mixed_row(&mut g, 0.0, i)).collect();
    bad[4_000] = "1,2\n".into();
    let (r, c) = files(dir.path(), MIXED, &reference, &bad);
    let o = options(Binning::Quantile(10));
    let read = |limits: &SketchLimits, cancel: &Cancel| {
        drift_files_with(&r, &c, None, &o, limits, cancel, &Progress::new()).unwrap_err()
    };
    let (got, want) = (
        read(&sketching(), &Cancel::default()),
        read(&whole_read(), &Cancel::default()),
    );
    assert_eq!(got, want);
    assert_eq!(got.path, c);
    assert_eq!(got.line, Some(4_002));
    // Cancelled before it starts: the same answer too (a file this small may be read before
    // the reader next looks at the flag).
    let cancel = Cancel::new();
    cancel.cancel();
    assert_eq!(read(&sketching(), &cancel), read(&whole_read(), &cancel));
}
