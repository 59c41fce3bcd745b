//! `kl-explorer fit`: the JSON keys the issue lists, with the reference optimum, and the
//! exit codes for bad input and for a family that is ∞ everywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::process::Command;

fn fit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .arg("fit")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn forward_fit_json_has_the_listed_keys_and_the_reference_optimum() {
    let (code, out, err) = fit(&[
        "--p",
        "0.5*normal(-3,1) + 0.5*normal(3,1)",
        "--family",
        "normal",
        "--direction",
        "forward",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "direction",
        "family",
        "q",
        "params",
        "kl",
        "converged",
        "iterations",
        "optima",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["direction"], "forward");
    assert_eq!(v["family"], "normal");
    assert_eq!(v["converged"], true);
    let params: Vec<f64> = v["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(params[0].abs() < 1e-8, "{params:?}");
    assert!((params[1] - 10f64.sqrt()).abs() < 1e-8, "{params:?}");
    assert!((v["kl"].as_f64().unwrap() - 0.461_994_6).abs() < 5e-8);
    let q = kl_explorer::distribution::parse_spec(v["q"].as_str().unwrap()).unwrap();
    let kl_explorer::distribution::Distribution::Parametric(q) = q else {
        panic!("q is not parametric")
    };
    assert!((q.params()[1] - 10f64.sqrt()).abs() < 1e-8);
    let optima = v["optima"].as_array().unwrap();
    assert_eq!(optima.len(), 1, "{optima:?}");
    assert_eq!(optima[0]["kind"], "minimum");
    for key in ["q", "params", "kl", "kind"] {
        assert!(optima[0].get(key).is_some(), "optimum lacks {key}");
    }
}

#[test]
fn reverse_fit_from_a_start_on_the_right_reaches_the_right_mode() {
    let (code, out, err) = fit(&[
        "--p",
        "0.5*normal(-3,1) + 0.5*normal(3,1)",
        "--family",
        "normal",
        "--direction",
        "reverse",
        "--from",
        "normal(1, 0.5)",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mean = v["params"][0].as_f64().unwrap();
    assert!((mean - 2.984_306_0).abs() < 5e-8, "{v}");
    assert!((v["kl"].as_f64().unwrap() - 0.688_769_0).abs() < 5e-8);
    let kinds: Vec<&str> = v["optima"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["minimum", "minimum", "minimum", "saddle", "saddle"]);
    let kls: Vec<f64> = v["optima"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kl"].as_f64().unwrap())
        .collect();
    assert!(kls.windows(2).all(|w| w[0] <= w[1]), "{kls:?}");
}

#[test]
fn an_edge_optimum_is_said_in_words() {
    let (code, out, err) = fit(&[
        "--p",
        "normal(0, 1)",
        "--family",
        "student_t",
        "--direction",
        "forward",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["converged"], false);
    assert!(v["edge"].as_str().unwrap().contains("freedom → ∞"), "{v}");
}

#[test]
fn bad_input_exits_2_and_an_everywhere_infinite_family_exits_1_with_the_reason() {
    let (code, _, err) = fit(&[
        "--p",
        "normal(0,1)",
        "--family",
        "nope",
        "--direction",
        "forward",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown family"), "{err}");
    let (code, _, err) = fit(&[
        "--p",
        "normal(0,1)",
        "--family",
        "gamma",
        "--direction",
        "forward",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("x < 0"), "{err}");
}

#[test]
fn a_free_freedom_student_t_lists_its_minima_and_says_the_passes_are_at_the_edge() {
    let (code, out, err) = fit(&[
        "--p",
        "0.5*normal(-3,1) + 0.5*normal(3,1)",
        "--family",
        "student_t",
        "--direction",
        "reverse",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<&str> = v["optima"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["minimum", "minimum"], "{v}");
    let passes = v["passes"].as_array().unwrap();
    assert_eq!(passes.len(), 1, "{v}");
    let crossings = passes[0]["crossings"].as_array().unwrap();
    assert_eq!(crossings.len(), 2, "{v}");
    for c in crossings {
        assert_eq!(c["kind"], "edge");
        assert_eq!(c["param"], "freedom");
        assert!(c["words"].as_str().unwrap().contains("freedom → ∞"), "{c}");
        assert_eq!(c["limit"]["kind"], "saddle");
        let mean = c["limit"]["params"][0].as_f64().unwrap();
        assert!((mean.abs() - 1.840_496_2).abs() < 5e-8, "{c}");
        assert!(
            (c["kl"].as_f64().unwrap() - 0.971_977_9).abs() < 5e-8,
            "{c}"
        );
    }
}
