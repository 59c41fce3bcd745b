//! The drift workbench against numpy and scipy (tests/reference/drift_reference.py), on
//! missing values, one-sided labels, Parquet against CSV, bad files, and the permutation
//! test's calibration.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::collections::HashMap;
use std::path::Path;

use kl_explorer::cancel::{Cancel, Progress};
use kl_explorer::drift::{
    Binning, ColumnKind, DriftOptions, DriftReport, Side, drift_column, drift_tables, make_bins,
};
use kl_explorer::io::CsvErrorKind;
use kl_explorer::io::table::{
    Column, Table, TableErrorKind, Values, read_csv_table, read_csv_table_chunked, read_table,
};
use serde_json::Value;

#[path = "common/parquet.rs"]
mod parquet_file;

use parquet_file::write_parquet;

fn reference() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/drift_reference.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn counts(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

fn numbers(name: &str, v: Vec<f64>) -> Column {
    Column {
        name: name.into(),
        values: Values::Numbers(v),
        missing: 0,
        first_label: None,
    }
}

/// Relative and absolute tolerance: |a − b| ≤ abs + rel·|b|; "inf" must be ∞.
fn close(got: f64, want: &Value, rel: f64, abs: f64) -> bool {
    match want.as_str() {
        Some("inf") => got == f64::INFINITY,
        _ => {
            let w = want.as_f64().unwrap();
            (got - w).abs() <= abs + rel * w.abs()
        }
    }
}

#[test]
fn every_binning_rule_gives_numpys_edges_and_counts() {
    let r = reference();
    let cases = r["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let data = &r["data"][case["data"].as_str().unwrap()];
        let (mut a, b) = (floats(&data["reference"]), floats(&data["current"]));
        a.sort_by(f64::total_cmp);
        let lo = a[0].min(b.iter().copied().fold(f64::INFINITY, f64::min));
        let hi = a[a.len() - 1].max(b.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        let binning: Binning = case["binning"].as_str().unwrap().parse().unwrap();
        let bins = make_bins(&binning, &a, (lo, hi));
        let want = floats(&case["edges"]);
        let what = format!("{} {}", case["data"], case["binning"]);
        assert_eq!(
            bins.edges().len(),
            want.len(),
            "{what}: {:?} {want:?}",
            bins.edges()
        );
        for (g, w) in bins.edges().iter().zip(&want) {
            // linspace and the quantiles as numpy computes them: to the last ulp or two.
            assert!(
                (g - w).abs() <= 4.0 * f64::EPSILON * w.abs().max(1.0),
                "{what}: {g} {w}"
            );
        }
        assert_eq!(bins.count(&a), counts(&case["counts_reference"]), "{what}");
        assert_eq!(bins.count(&b), counts(&case["counts_current"]), "{what}");
    }
}

#[test]
fn figures_match_scipy_with_and_without_smoothing() {
    let r = reference();
    for case in r["cases"].as_array().unwrap() {
        let data = &r["data"][case["data"].as_str().unwrap()];
        let binning: Binning = case["binning"].as_str().unwrap().parse().unwrap();
        for (key, alpha) in [("figures", None), ("figures_smoothed", Some(0.5))] {
            let options = DriftOptions {
                binning: binning.clone(),
                kinds: HashMap::from([("x".to_string(), ColumnKind::Numeric)]),
                smoothing: alpha,
                ..DriftOptions::default()
            };
            let d = drift_column(
                &numbers("x", floats(&data["reference"])),
                &numbers("x", floats(&data["current"])),
                &options,
                &Cancel::default(),
                &Progress::new(),
            )
            .unwrap();
            let want = &case[key];
            let what = format!("{} {} {key}", case["data"], case["binning"]);
            for (name, got) in [
                ("kl_pq", &d.kl_pq),
                ("kl_qp", &d.kl_qp),
                ("js", &d.js),
                ("psi", &d.psi),
                ("tv", &d.tv),
                ("hellinger", &d.hellinger),
            ] {
                assert!(
                    close(got.value, &want[name], 1e-11, 1e-14),
                    "{what} {name}: {} vs {}",
                    got.value,
                    want[name]
                );
                assert_eq!(
                    got.value == f64::INFINITY,
                    got.reason.is_some(),
                    "{what} {name}"
                );
            }
        }
    }
}

fn csv(text: &str) -> Table {
    read_csv_table(
        text.as_bytes(),
        Path::new("t.csv"),
        None,
        &Cancel::default(),
    )
    .unwrap()
}

/// The report on two tables in memory, never cancelled.
fn compare(r: &Table, c: &Table, options: &DriftOptions) -> DriftReport {
    drift_tables(r, c, options, &Cancel::default(), &Progress::new()).unwrap()
}

#[test]
fn missing_cells_are_counted_per_column_and_left_out_of_the_bins() {
    let r = csv("a,b\n1,x\n,y\nNA,x\n4,\n5,NaN\n");
    let a = r.column("a").unwrap();
    assert_eq!(a.values, Values::Numbers(vec![1.0, 4.0, 5.0]));
    assert_eq!(a.missing, 2);
    let b = r.column("b").unwrap();
    assert_eq!(b.missing, 2);
    assert_eq!(b.values.len(), 3);
    let c = csv("a,b\n1,x\n2,x\n3,y\n");
    let report = compare(&r, &c, &DriftOptions::default());
    let a = &report.columns[0];
    assert_eq!((a.missing_reference, a.missing_current), (2, 0));
    assert_eq!(a.counts_reference.iter().sum::<u64>(), 3);
}

#[test]
fn a_label_on_one_side_only_is_named_and_makes_kl_infinite_with_a_reason() {
    let r = csv("c\na\nb\na\nb\n");
    let c = csv("c\na\nb\nz\n");
    let report = compare(&r, &c, &DriftOptions::default());
    let d = &report.columns[0];
    assert_eq!(d.kind, ColumnKind::Categorical);
    assert_eq!(d.one_sided.len(), 1);
    assert_eq!(d.one_sided[0].label, "z");
    assert_eq!(d.one_sided[0].side, Side::Current);
    assert_eq!(d.kl_qp.value, f64::INFINITY);
    assert!(d.kl_qp.reason.as_deref().unwrap().contains("'z'"));
    assert!(d.kl_pq.value.is_finite());
    assert_eq!(d.psi.value, f64::INFINITY);
    // JS stays finite: ½·(1/3)·ln 2 from 'z' plus the shared labels' part.
    let (p, q) = ([0.5, 0.5, 0.0], [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]);
    let js: f64 = p
        .iter()
        .zip(&q)
        .map(|(&a, &b): (&f64, &f64)| {
            let m = 0.5 * (a + b);
            let t = |x: f64| if x > 0.0 { x * (x / m).ln() } else { 0.0 };
            0.5 * (t(a) + t(b))
        })
        .sum();
    assert!((d.js.value - js).abs() < 1e-15, "{} {js}", d.js.value);
}

#[test]
fn few_valued_integers_are_categorical_and_the_kind_can_be_forced() {
    let r = csv("k,x\n1,0.5\n2,1.5\n1,2.5\n3,3.5\n");
    let c = csv("k,x\n1,0.1\n2,0.2\n2,0.3\n");
    let run = |options: &DriftOptions| compare(&r, &c, options);
    let report = run(&DriftOptions::default());
    assert_eq!(report.columns[0].kind, ColumnKind::Categorical);
    assert_eq!(report.columns[1].kind, ColumnKind::Numeric);
    let forced = DriftOptions {
        kinds: HashMap::from([("k".to_string(), ColumnKind::Numeric)]),
        binning: Binning::Fixed(2),
        ..DriftOptions::default()
    };
    let report = run(&forced);
    assert_eq!(report.columns[0].kind, ColumnKind::Numeric);
    assert_eq!(report.columns[0].counts_reference, vec![2, 2]);
}

#[test]
fn parquet_and_csv_of_the_same_rows_give_identical_tables_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let mk = |shift: f64, n: usize| -> (Vec<Option<f64>>, Vec<Option<&'static str>>) {
        let xs = (0..n)
            .map(|i| (i % 17 != 3).then(|| ((i * 7919) % 1000) as f64 / 100.0 + shift))
            .collect();
        let cs = (0..n)
            .map(|i| (i % 23 != 5).then_some(["red", "green", "blue"][(i * 31 + n) % 3]))
            .collect();
        (xs, cs)
    };
    let mut tables = Vec::new();
    for (name, shift, n) in [("ref", 0.0, 700), ("cur", 0.5, 500)] {
        let (xs, cs) = mk(shift, n);
        let pq = dir.path().join(format!("{name}.parquet"));
        // Row groups of 128 rows: the reader must carry on across them.
        write_parquet(&pq, &xs, &cs, 128);
        let mut text = String::from("x,c\n");
        for (x, c) in xs.iter().zip(&cs) {
            text.push_str(&format!(
                "{},{}\n",
                x.map_or(String::new(), |v| format!("{v}")),
                c.unwrap_or("")
            ));
        }
        let path = dir.path().join(format!("{name}.csv"));
        std::fs::write(&path, text).unwrap();
        let a = read_table(&pq, None, &Cancel::default()).unwrap();
        let b = read_table(&path, None, &Cancel::default()).unwrap();
        assert_eq!(a.rows, n as u64);
        assert_eq!(a.columns, b.columns, "{name}");
        tables.push((a, b));
    }
    let options = DriftOptions {
        permutations: 50,
        seed: 3,
        ..DriftOptions::default()
    };
    let run = |r, c| compare(r, c, &options);
    let from_parquet = run(&tables[0].0, &tables[1].0);
    let from_csv = run(&tables[0].1, &tables[1].1);
    assert_eq!(from_parquet, from_csv);
    assert_eq!(from_parquet.columns.len(), 2);
    assert!(from_parquet.columns[0].missing_reference > 0);
}

#[test]
fn bad_files_say_the_line_and_the_column() {
    let err = |text: &str| {
        read_csv_table(
            text.as_bytes(),
            Path::new("bad.csv"),
            None,
            &Cancel::default(),
        )
        .unwrap_err()
    };
    let e = err("a,b\n1,2\n3\n");
    assert_eq!((e.line, e.column), (Some(3), None));
    assert!(matches!(
        e.kind,
        TableErrorKind::Csv(CsvErrorKind::RaggedRow { .. })
    ));
    let e = err("a,b\n1,2\n3,\"4\n");
    assert_eq!((e.line, e.column), (Some(3), Some(2)));
    assert!(matches!(
        e.kind,
        TableErrorKind::Csv(CsvErrorKind::UnterminatedQuote)
    ));
    let e = err("a,b\n1,2\n3,inf\n");
    assert_eq!((e.line, e.column), (Some(3), Some(2)));
    assert!(matches!(
        e.kind,
        TableErrorKind::Csv(CsvErrorKind::NotFinite { .. })
    ));
    assert!(e.to_string().ends_with("bad.csv"), "{e}");
    let e = read_csv_table(
        "a,b\n1,2\n".as_bytes(),
        Path::new("t.csv"),
        Some(&["zz".to_string()]),
        &Cancel::default(),
    )
    .unwrap_err();
    assert!(matches!(e.kind, TableErrorKind::NoSuchColumn { .. }));
}

/// Runs `kl-explorer drift FLAGS --reference A --current B`.
fn drift_cli(flags: &[&str], a: &Path, b: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .arg("drift")
        .args(flags)
        .arg("--reference")
        .arg(a)
        .arg("--current")
        .arg(b)
        .output()
        .unwrap()
}

#[test]
fn a_bad_file_exits_2_naming_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&good, "x\n1\n2\n").unwrap();
    std::fs::write(&bad, "x,y\n1,2\n3,\"4\n").unwrap();
    let out = drift_cli(&[], &good, &bad);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 3, column 2"), "{err}");
    assert!(err.contains("bad.csv"), "{err}");
}

#[test]
fn drift_json_has_exactly_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, "x,c\n1.5,u\n2.5,v\n3.5,u\n4.5,v\n,u\n").unwrap();
    std::fs::write(&b, "x,c\n1.7,u\n2.2,w\n9.5,u\n").unwrap();
    let out = drift_cli(
        &["--json", "--permutations", "20", "--bins", "quantile:2"],
        &a,
        &b,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cols = v["columns"].as_array().unwrap();
    let mut keys: Vec<&str> = cols[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "bins",
            "column",
            "hellinger",
            "js",
            "kind",
            "kl_pq",
            "kl_qp",
            "missing_current",
            "missing_reference",
            "p_value",
            "psi",
            "tv"
        ]
    );
    assert_eq!(cols[0]["missing_reference"], 1);
    // 'w' only in the current table: KL(current‖reference) = ∞, as the string "inf".
    assert_eq!(cols[1]["kl_qp"], "inf");
    assert_eq!(cols[1]["kind"], "categorical");
}

#[test]
fn the_permutation_p_value_is_uniform_under_no_drift() {
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand_distr::{Distribution as _, Normal};
    let normal = Normal::new(0.0, 1.0).unwrap();
    let mut below = 0;
    for seed in 0..200u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1000 + seed);
        let a: Vec<f64> = (0..300).map(|_| normal.sample(&mut rng)).collect();
        let b: Vec<f64> = (0..200).map(|_| normal.sample(&mut rng)).collect();
        let options = DriftOptions {
            permutations: 199,
            seed,
            ..DriftOptions::default()
        };
        let d = drift_column(
            &numbers("x", a),
            &numbers("x", b),
            &options,
            &Cancel::default(),
            &Progress::new(),
        )
        .unwrap();
        if d.permutation.unwrap().p_value < 0.05 {
            below += 1;
        }
    }
    let fraction = f64::from(below) / 200.0;
    assert!((0.02..=0.09).contains(&fraction), "{fraction}");
}

/// A CSV table built line by line: numbers, missing tokens, a quoted field, comment and blank
/// lines, and (from line `label_from` on) labels in column `b`.
fn mixed_csv(rows: usize, label_from: usize) -> String {
    let mut s = String::from("a,b,c\n");
    for i in 0..rows {
        let line = i + 2;
        let b = if line >= label_from {
            format!("lab{}", i % 7)
        } else {
            format!("{}", (i as f64) * 0.37 - 3.0)
        };
        let c = match i % 11 {
            0 => "NA".to_string(),
            3 => String::new(),
            5 => format!("\"{}\"", i),
            _ => format!("{:e}", (i as f64).sqrt()),
        };
        s.push_str(&format!("{}, {b} ,{c}\n", i % 13));
        if i % 17 == 4 {
            s.push_str("# a comment\n\n");
        }
    }
    s
}

#[test]
fn chunked_reading_gives_the_sequential_table_at_any_chunk_size() {
    let cancel = Cancel::new();
    let path = Path::new("t.csv");
    for label_from in [usize::MAX, 2, 150] {
        let text = mixed_csv(300, label_from);
        let want = read_csv_table(text.as_bytes(), path, None, &cancel).unwrap();
        if label_from == 150 {
            let first = want.column("b").unwrap().first_label.clone();
            assert!(matches!(first, Some((l, _)) if l > 150), "{first:?}");
        }
        for chunk in [1, 7, 13, 64, 1000, 1 << 20] {
            let got = read_csv_table_chunked(text.as_bytes(), path, None, &cancel, chunk).unwrap();
            assert_eq!(got, want, "chunk {chunk}, labels from line {label_from}");
            let some = [String::from("c"), String::from("a")];
            let got =
                read_csv_table_chunked(text.as_bytes(), path, Some(&some), &cancel, chunk).unwrap();
            let want = read_csv_table(text.as_bytes(), path, Some(&some), &cancel).unwrap();
            assert_eq!(got, want);
        }
    }
}

#[test]
fn chunked_reading_reports_the_sequential_error_and_line() {
    let cancel = Cancel::new();
    let path = Path::new("t.csv");
    let mut text = mixed_csv(200, usize::MAX);
    text.push_str("1,2\n");
    text.push_str(&mixed_csv(50, usize::MAX)[6..]);
    let want = read_csv_table(text.as_bytes(), path, None, &cancel).unwrap_err();
    assert!(matches!(
        want.kind,
        TableErrorKind::Csv(CsvErrorKind::RaggedRow { .. })
    ));
    assert!(want.line.unwrap() > 200);
    for chunk in [1, 9, 100, 1 << 20] {
        let got = read_csv_table_chunked(text.as_bytes(), path, None, &cancel, chunk).unwrap_err();
        assert_eq!(got, want, "chunk {chunk}");
    }
}

#[test]
fn drift_bins_and_kind_flags_apply_per_column_as_the_library_does() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let mut ta = String::from("x,y,n\n");
    let mut tb = ta.clone();
    for i in 0..300u32 {
        ta.push_str(&format!(
            "{},{},{}\n",
            f64::from((i * 37) % 300) / 30.0,
            f64::from((i * 11) % 300) / 7.0,
            i % 4
        ));
    }
    for i in 0..200u32 {
        tb.push_str(&format!(
            "{},{},{}\n",
            f64::from((i * 37) % 200) / 18.0,
            f64::from((i * 13) % 200) / 5.0,
            (i * 3) % 5
        ));
    }
    std::fs::write(&a, ta).unwrap();
    std::fs::write(&b, tb).unwrap();
    let run = |extra: &[&str]| -> Value {
        let flags: Vec<&str> = std::iter::once("--json")
            .chain(extra.iter().copied())
            .collect();
        let out = drift_cli(&flags, &a, &b);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = run(&[
        "--bins",
        "fixed:4",
        "--bins",
        "x=quantile:3",
        "--kind",
        "n=numeric",
    ]);
    let cols = v["columns"].as_array().unwrap();
    let bins: Vec<&str> = cols.iter().map(|c| c["bins"].as_str().unwrap()).collect();
    assert_eq!(bins, ["quantile:3", "fixed:4", "fixed:4"]);
    assert_eq!(cols[2]["kind"], "numeric");
    // The library with the same options gives the same figures.
    let options = DriftOptions {
        binning: Binning::Fixed(4),
        per_column: HashMap::from([("x".to_string(), Binning::Quantile(3))]),
        kinds: HashMap::from([("n".to_string(), ColumnKind::Numeric)]),
        ..DriftOptions::default()
    };
    let c = Cancel::default();
    let report = drift_tables(
        &read_table(&a, None, &c).unwrap(),
        &read_table(&b, None, &c).unwrap(),
        &options,
        &c,
        &Progress::new(),
    )
    .unwrap();
    for (got, want) in cols.iter().zip(&report.columns) {
        assert!(close(want.kl_pq.value, &got["kl_pq"], 1e-15, 0.0), "{got}");
        assert!(close(want.psi.value, &got["psi"], 1e-15, 0.0), "{got}");
    }
    // Without the flags the integer column is categorical and its figure differs.
    let plain = run(&[]);
    assert_eq!(plain["columns"][2]["kind"], "categorical");
    assert_ne!(plain["columns"][2]["kl_pq"], cols[2]["kl_pq"]);
    // A bad kind is refused by the parser.
    let out = drift_cli(&["--kind", "n=ordinal"], &a, &b);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_column_of_thousands_of_new_labels_names_a_bounded_few_in_the_text_table() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    // 'c' turns from three labels into 20 000 distinct ones; 'x' is plain numbers.
    let mut ta = String::from("c,x\n");
    for i in 0..300 {
        ta.push_str(&format!("{},{}\n", ["u", "v", "w"][i % 3], i));
    }
    let mut tb = String::from("c,x\n");
    for i in 0..20_000 {
        let label = if i % 2 == 0 {
            "u".to_string()
        } else {
            format!("n{i}")
        };
        tb.push_str(&format!("{label},{}\n", i % 300));
    }
    std::fs::write(&a, ta).unwrap();
    std::fs::write(&b, tb).unwrap();
    let out = drift_cli(&[], &a, &b);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // A row per column under the header.
    assert!(lines[1].starts_with("c ") && lines[1].contains("categorical"));
    assert!(lines[2].starts_with("x ") && lines[2].contains("numeric"));
    // 'v' and 'w' are named; of the 10 000 new labels, the first ten, then the rest counted.
    assert!(
        text.contains("'v' only in the reference table (100 values)\n"),
        "{text}"
    );
    assert!(
        text.contains("'w' only in the reference table (100 values)\n"),
        "{text}"
    );
    let named: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("  '") && l.contains("only in the current table ("))
        .copied()
        .collect();
    assert_eq!(named.len(), 10, "{text}");
    assert_eq!(named[0], "  'n1' only in the current table (1 value)");
    assert_eq!(named[9], "  'n19' only in the current table (1 value)");
    assert!(
        text.contains("  … and 9990 more labels only in the current table (9990 values)\n"),
        "{text}"
    );
    assert!(lines.len() < 40 && text.len() < 4000, "{text}");
}
