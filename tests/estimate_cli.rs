//! `kl-explorer estimate`: its JSON keys, ∞ as "inf" with a reason, and exit code 2 for bad
//! specs, as `compute`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use std::process::Command;

fn estimate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kl-explorer"))
        .arg("estimate")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_has_the_issues_keys_and_an_infinite_variance_with_its_reason() {
    let (code, out, err) = estimate(&[
        "--p",
        "gamma(2, 1)",
        "--q",
        "log_normal(0.5, 0.8)",
        "--n",
        "20000",
        "--seed",
        "3",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n"], 20000);
    assert_eq!(v["seed"], 3);
    assert_eq!(v["clamp"], "none");
    assert!((v["kl_pq"].as_f64().unwrap() - 0.049876406583).abs() < 1e-9);
    for k in ["k1", "k2", "k3", "abs"] {
        let e = &v["estimators"][k];
        for key in [
            "exact_mean",
            "exact_bias_rel",
            "exact_sd_rel",
            "mc_mean",
            "mc_bias_rel",
            "mc_sd_rel",
        ] {
            assert!(!e[key].is_null(), "{k}.{key} missing in {e}");
        }
    }
    assert_eq!(v["estimators"]["k3"]["exact_sd_rel"], "inf");
    assert!(v["estimators"]["k3"]["reason_sd"].is_string());
    assert!(v["estimators"]["k1"].get("reason_sd").is_none());
    // gamma is not a policy family: no gradients.
    assert!(v.get("gradients").is_none());
}

#[test]
fn a_normal_policy_reports_gradients_per_parameter() {
    let (code, out, _) = estimate(&[
        "--p",
        "normal(0, 1)",
        "--q",
        "normal(1, 1)",
        "--n",
        "50000",
        "--clamp",
        "verl",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["clamp"], "verl");
    let mean = &v["gradients"]["mean"];
    for key in ["k1", "k2", "k3", "kl_pq", "kl_qp"] {
        assert!(!mean[key].is_null(), "{key}");
    }
    // ∂KL(P‖Q)/∂μ = (μ − μq)/σq² = −1.
    assert!((mean["kl_pq"].as_f64().unwrap() + 1.0).abs() < 1e-12);
    assert!(v["gradients"]["std_dev"].is_object());
}

#[test]
fn the_same_seed_prints_the_same_figures() {
    let args = [
        "--p",
        "logits(1, 0, -1)",
        "--q",
        "logits(0, 0, 0)",
        "--n",
        "100000",
        "--json",
    ];
    assert_eq!(estimate(&args).1, estimate(&args).1);
}

#[test]
fn bad_specs_and_options_exit_2_with_a_sentence() {
    let (code, _, err) = estimate(&["--p", "normal(0, -1)", "--q", "normal(0, 1)"]);
    assert_eq!(code, 2);
    assert!(err.contains("std_dev must be > 0"), "{err}");
    let (code, _, err) = estimate(&["--p", "normal(0, 1)", "--q", "poisson(2)"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = estimate(&[
        "--p",
        "normal(0, 1)",
        "--q",
        "normal(0, 1)",
        "--clamp",
        "trl",
    ]);
    assert_eq!(code, 2);
    let (code, _, _) = estimate(&["--p", "normal(0, 1)", "--q", "normal(0, 1)", "--n", "1"]);
    assert_eq!(code, 2);
}
