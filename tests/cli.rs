//! The `compute` command as a script would use it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

mod common;

use std::process::Command;

use common::{json, kl};

/// `compute --pairs FILE --json`: the exit code and one JSON value per output line.
fn pairs_json(path: &std::path::Path) -> (i32, Vec<serde_json::Value>) {
    let (code, out, _) = kl(&["compute", "--pairs", path.to_str().unwrap(), "--json"]);
    let lines = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (code, lines)
}

#[test]
fn default_pair_json_has_every_key_and_the_exact_value() {
    let v = json(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--json",
    ]);
    for key in [
        "p",
        "q",
        "unit",
        "kl_pq",
        "kl_qp",
        "cross_entropy_pq",
        "cross_entropy_qp",
        "entropy_p",
        "entropy_q",
        "js",
        "jeffreys",
        "tv",
        "hellinger",
        "method_pq",
        "error_pq",
        "method_qp",
        "error_qp",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    let exact = 2f64.ln() + 0.25 - 0.5;
    assert!((v["kl_pq"].as_f64().unwrap() - exact).abs() < 1e-14);
    assert_eq!(v["unit"], "nats");
    assert!(v.get("reason_pq").is_none());
}

#[test]
fn grid_reproduces_the_notes_naive_sum() {
    let v = json(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--json",
        "--grid=-10,10,1000",
    ]);
    assert!(
        (v["grid_sum"].as_f64().unwrap() - 22.135035).abs() < 5e-7,
        "{v}"
    );
    assert!(
        (v["grid_sum_dx"].as_f64().unwrap() - 0.443144).abs() < 5e-7,
        "{v}"
    );
}

#[test]
fn bits_divide_by_ln_2() {
    let v = json(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--json",
        "--bits",
    ]);
    let exact = (2f64.ln() + 0.25 - 0.5) / std::f64::consts::LN_2;
    assert!((v["kl_pq"].as_f64().unwrap() - exact).abs() < 1e-14);
    assert_eq!(v["unit"], "bits");
}

#[test]
fn infinite_kl_is_the_string_inf_with_a_reason() {
    let v = json(&[
        "compute",
        "--p",
        "cauchy(0,1)",
        "--q",
        "normal(0,1)",
        "--json",
    ]);
    assert_eq!(v["kl_pq"], "inf");
    assert_eq!(v["jeffreys"], "inf");
    assert!(v["reason_pq"].as_str().unwrap().contains("diverges"));
    assert!(v["kl_qp"].as_f64().unwrap() > 0.0);
}

#[test]
fn table_output_names_the_method_and_the_grid_comparison() {
    let (code, out, _) = kl(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--grid=-10,10,1000",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("0.4431471806"), "{out}");
    assert!(out.contains("closed form (normal–normal)"), "{out}");
    assert!(out.contains("22.1350349993"), "{out}");
}

#[test]
fn bad_spec_exits_2_with_one_line() {
    let (code, out, err) = kl(&["compute", "--p", "normal(0,-1)", "--q", "normal(0,1)"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("std_dev must be > 0 (got -1)"), "{err}");
}

#[test]
fn pairs_file_reports_each_line_and_exits_1_on_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pairs.tsv");
    std::fs::write(
        &path,
        "# comment\nnormal(0,1)\tnormal(1,2)\nnromal(0,1)\tnormal(0,1)\npoisson(3)\tpoisson(4)\nno tab here\n",
    )
    .unwrap();
    let (code, lines) = pairs_json(&path);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["line"], 2);
    assert!((lines[0]["kl_pq"].as_f64().unwrap() - 0.443_147_180_559_945_3).abs() < 1e-14);
    assert_eq!(lines[1]["line"], 3);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("did you mean normal?")
    );
    let poisson = 3.0 * (3.0f64 / 4.0).ln() + 1.0;
    assert!((lines[2]["kl_pq"].as_f64().unwrap() - poisson).abs() < 1e-14);
    assert!(lines[3]["error"].as_str().unwrap().contains("P<TAB>Q"));
}

#[test]
fn csv_files_work_as_specs() {
    let v = json(&[
        "compute",
        "--p",
        "assets/zero_bin_p.csv",
        "--q",
        "assets/zero_bin_q.csv",
        "--json",
    ]);
    assert_eq!(v["kl_pq"], "inf");
    assert_eq!(
        v["reason_pq"],
        "P has mass on [4, 5], where Q's density is 0"
    );
    // KL(Q‖P) by hand: Σ q_i ln(q_i / p_i) over the five unit bins.
    let p: [f64; 5] = [0.10, 0.25, 0.40, 0.20, 0.05];
    let q: [f64; 5] = [0.12, 0.30, 0.38, 0.20, 0.0];
    let expected: f64 = p
        .iter()
        .zip(q)
        .filter(|(_, q)| *q > 0.0)
        .map(|(p, q)| q * (q / p).ln())
        .sum();
    assert!(
        (v["kl_qp"].as_f64().unwrap() - expected).abs() < 1e-14,
        "{v}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let (code, _, err) = kl(&[
        "compute",
        "--p",
        "nowhere/missing.csv",
        "--q",
        "normal(0,1)",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("file not found"), "{err}");
    assert!(err.contains("nowhere/missing.csv"), "{err}");
}

#[test]
fn discrete_against_continuous_is_refused_in_a_sentence() {
    let (code, _, err) = kl(&["compute", "--p", "poisson(3)", "--q", "normal(3,1)"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("P (poisson(3)) is discrete and Q (normal(3, 1)) is continuous"),
        "{err}"
    );
}

#[test]
fn curves_export_has_every_column() {
    let p = kl_explorer::distribution::parse_spec("normal(0,1)").unwrap();
    let q = kl_explorer::distribution::parse_spec("normal(1,2)").unwrap();
    let c = kl_explorer::divergence::pointwise::curves(
        &p,
        &q,
        2000,
        &kl_explorer::cancel::Cancel::new(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("curves.csv");
    kl_explorer::io::export_curves(&path, &c).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "x,p,q,p_ln_p_over_q,q_ln_q_over_p,running_kl_pq,running_kl_qp"
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), c.x.len());
    // The running integral ends near KL(P‖Q) = 0.4431 (the view cuts P's outer 0.1 %).
    assert!((rows.last().unwrap()[5] - 0.443_147).abs() < 2e-3);
}

#[test]
fn smoothing_adds_a_pseudo_count_to_every_bin_and_says_so() {
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "compute",
            "--p",
            "assets/feature_train.csv",
            "--q",
            "assets/feature_prod.csv",
            "--json",
        ];
        a.extend_from_slice(extra);
        a
    };
    let exact = json(&args(&[]));
    assert_eq!(exact["kl_qp"], "inf");
    assert!(exact.get("smoothing").is_none());
    let smoothed = json(&args(&["--smoothing", "0.5"]));
    // numpy on the smoothed counts: (c + 0.5) / (N + 16 · 0.5).
    assert!(
        (smoothed["kl_pq"].as_f64().unwrap() - 0.0816).abs() < 5e-5,
        "{smoothed}"
    );
    assert!(
        (smoothed["kl_qp"].as_f64().unwrap() - 0.1164).abs() < 5e-5,
        "{smoothed}"
    );
    assert_eq!(smoothed["smoothing"], 0.5);
    // A parametric pair is unchanged by smoothing.
    let a = json(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--json",
    ]);
    let b = json(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--smoothing",
        "3",
        "--json",
    ]);
    assert_eq!(a["kl_pq"], b["kl_pq"]);
    for bad in ["0", "-1", "nan", "1e9", "x"] {
        let (code, _, err) = kl(&[
            "compute",
            "--p",
            "normal(0,1)",
            "--q",
            "normal(1,2)",
            "--smoothing",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("smoothing"), "{bad}: {err}");
    }
}

#[test]
fn the_grid_needs_finite_ends_and_a_bounded_point_count() {
    for (grid, says) in [
        ("--grid=-inf,inf,1000", "finite ends"),
        ("--grid=-10,10,1000000000", "at most 10000000"),
    ] {
        let (code, _, err) = kl(&["compute", "--p", "normal(0,1)", "--q", "normal(1,2)", grid]);
        assert_eq!(code, 2, "{grid}: {err}");
        assert!(err.contains(says), "{grid}: {err}");
    }
}

#[test]
fn a_spec_is_never_read_as_a_file_of_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("normal(0,1)"), "0,1,1\n1,2,3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .args([
            "compute",
            "--p",
            "normal(0,1)",
            "--q",
            "normal(1,2)",
            "--json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["p"], "normal(0, 1)");
    assert_eq!(v["method_pq"], "closed form (normal–normal)");
}

#[test]
fn pairs_from_a_pipe_or_a_device_are_refused_and_a_non_utf8_line_is_reported_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pairs.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for path in [fifo.to_str().unwrap(), "/dev/zero"] {
        let (code, _, err) = kl(&["compute", "--pairs", path]);
        assert_eq!(code, 2, "{path}: {err}");
        assert!(err.contains("not a regular file"), "{path}: {err}");
    }
    let file = dir.path().join("pairs.tsv");
    let mut bytes = b"normal(0,1)\tnormal(1,2)\n".to_vec();
    bytes.extend_from_slice(b"normal(0,1)\t\xff\xfe\n");
    bytes.extend_from_slice(b"normal(0,1)\tnormal(0,1)\n");
    std::fs::write(&file, bytes).unwrap();
    let (code, lines) = pairs_json(&file);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[2]["kl_pq"], 0.0);
}
