//! The Rényi family and χ² against 30-digit mpmath references
//! (tests/reference/make_renyi_reference.py): closed-form pairs, quadrature pairs and exact sums,
//! both directions, the ∞ cases by theory; and `compute --divergence` as a script would use it.
//! Tolerance: 1e-8 relative (1e-12 absolute near 0).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

mod common;

use common::{json, kl};

use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::Options;
use kl_explorer::divergence::renyi::{Divergence, divergence_pair, renyi};

const REFERENCE: &str = include_str!("reference/renyi_reference.tsv");

fn cases() -> Vec<(String, String, f64, Option<f64>)> {
    REFERENCE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let v = (f[3] != "inf").then(|| f[3].parse::<f64>().unwrap());
            (f[0].into(), f[1].into(), f[2].parse().unwrap(), v)
        })
        .collect()
}

#[test]
fn renyi_matches_mpmath_to_1e_8_relative_in_both_directions() {
    let all = cases();
    assert!(all.len() >= 100, "{} cases", all.len());
    assert!(all.iter().filter(|c| c.3.is_none()).count() >= 10);
    let mut failures = Vec::new();
    for (ps, qs, alpha, expected) in all {
        let (p, q) = (parse_spec(&ps).unwrap(), parse_spec(&qs).unwrap());
        let got = renyi(&p, &q, alpha, ["P", "Q"], &Options::default()).unwrap();
        match expected {
            None if got.value != f64::INFINITY || got.reason.is_none() => failures.push(format!(
                "{ps} ‖ {qs} at α = {alpha}: expected ∞ with a reason, got {got:?}"
            )),
            None => {}
            Some(v) => {
                let tol = (1e-8 * v.abs()).max(1e-12);
                if (got.value - v).abs() > tol || got.error > tol {
                    failures.push(format!(
                        "{ps} ‖ {qs} at α = {alpha}: got {} ± {:.1e} ({}), expected {v}",
                        got.value, got.error, got.method
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn chi2_is_exp_of_d2_minus_one_on_the_reference_pairs() {
    for (ps, qs, alpha, expected) in cases() {
        let Some(d2) = expected.filter(|_| alpha == 2.0) else {
            continue;
        };
        let (p, q) = (parse_spec(&ps).unwrap(), parse_spec(&qs).unwrap());
        let pair = divergence_pair(&p, &q, Divergence::Chi2, None, &Options::default()).unwrap();
        let want = d2.exp_m1();
        assert!(
            (pair.pq.value - want).abs() < 1e-8 * want.max(1e-4),
            "{ps} ‖ {qs}: {} against {want}",
            pair.pq.value
        );
    }
}

#[test]
fn compute_divergence_adds_exactly_the_named_keys() {
    let base = json(&[
        "compute",
        "--p",
        "uniform(0,2)",
        "--q",
        "beta(2,2)",
        "--json",
    ]);
    let v = json(&[
        "compute",
        "--p",
        "uniform(0,2)",
        "--q",
        "beta(2,2)",
        "--divergence",
        "renyi:0.5",
        "--json",
    ]);
    let keys = |v: &serde_json::Value| -> std::collections::BTreeSet<String> {
        v.as_object().unwrap().keys().cloned().collect()
    };
    let added: Vec<String> = keys(&v).difference(&keys(&base)).cloned().collect();
    assert_eq!(
        added,
        [
            "divergence",
            "divergence_pq",
            "divergence_qp",
            "error_divergence_pq",
            "error_divergence_qp",
            "method_divergence_pq",
            "method_divergence_qp"
        ]
    );
    assert_eq!(v["divergence"], "renyi:0.5");
    let want = -2.0 * (3f64.sqrt() * std::f64::consts::PI / 8.0).ln();
    assert!((v["divergence_pq"].as_f64().unwrap() - want).abs() < 1e-9);
    // α = ½ is symmetric.
    assert!((v["divergence_qp"].as_f64().unwrap() - want).abs() < 1e-9);
    assert_eq!(v["kl_pq"], "inf");
}

#[test]
fn an_infinite_divergence_is_the_string_inf_with_its_reason() {
    let v = json(&[
        "compute",
        "--p",
        "normal(0,2)",
        "--q",
        "normal(1,1)",
        "--divergence",
        "chi2",
        "--json",
    ]);
    assert_eq!(v["divergence"], "chi2");
    assert_eq!(v["divergence_pq"], "inf");
    assert!(
        v["reason_divergence_pq"]
            .as_str()
            .unwrap()
            .contains("not integrable")
    );
    assert!(v.get("reason_divergence_qp").is_none());
    // χ²(Q‖P) = e^(D₂(Q‖P)) − 1 with the normal closed form: σ_α² = 2·4 − 1 = 7.
    let d2 = 2f64.ln() + 0.5 * (4.0f64 / 7.0).ln() + 2.0 / (2.0 * 7.0);
    let got = v["divergence_qp"].as_f64().unwrap();
    assert!(
        (got - d2.exp_m1()).abs() < 1e-12,
        "{got} against {}",
        d2.exp_m1()
    );
}

#[test]
fn the_table_prints_both_directions_and_bits_scale_renyi_only() {
    let (code, out, _) = kl(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--divergence",
        "renyi:2",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("D_2(P‖Q)") && out.contains("D_2(Q‖P)"),
        "{out}"
    );
    let nats = json(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--divergence",
        "renyi:2",
        "--json",
    ]);
    let bits = json(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--divergence",
        "renyi:2",
        "--json",
        "--bits",
    ]);
    let (n, b) = (
        nats["divergence_pq"].as_f64().unwrap(),
        bits["divergence_pq"].as_f64().unwrap(),
    );
    assert!((b - n / std::f64::consts::LN_2).abs() < 1e-14);
    let tv = json(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--divergence",
        "tv",
        "--json",
        "--bits",
    ]);
    assert_eq!(tv["divergence_pq"], tv["tv"]);
}

#[test]
fn a_bad_divergence_name_exits_2_with_the_sentence() {
    let (code, _, err) = kl(&[
        "compute",
        "--p",
        "normal(0,1)",
        "--q",
        "normal(1,2)",
        "--divergence",
        "renyi",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("renyi:α"), "{err}");
}

#[test]
fn pairs_mode_carries_the_divergence_on_every_line() {
    let dir = std::env::temp_dir().join(format!("kl-renyi-pairs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pairs.tsv");
    std::fs::write(&path, "normal(0,1)\tnormal(1,2)\nuniform(0,2)\tbeta(2,2)\n").unwrap();
    let (code, out, _) = kl(&[
        "compute",
        "--pairs",
        path.to_str().unwrap(),
        "--divergence",
        "renyi:2",
        "--json",
    ]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["divergence_pq"].as_f64().unwrap() > 0.0);
    assert_eq!(lines[1]["divergence_pq"], "inf");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_refused_figure_prints_its_refusal_not_infinity() {
    // Q's lower tail, −e^(−(x − 1000)) in its log, has a coefficient e^1000 that is not a
    // double: whether p^α q^(1−α) is integrable there is not decided, so no number is given.
    // (The touching triangles once used here are now integrated.)
    let (code, out, err) = kl(&[
        "compute",
        "--p",
        "normal(1000,1)",
        "--q",
        "gumbel(1000,1)",
        "--divergence",
        "renyi:1.5",
    ]);
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .skip_while(|l| !l.starts_with("D_1.5(P‖Q)"))
        .nth(1)
        .unwrap();
    assert!(line.trim_start().starts_with("not decided:"), "{out}");
}
