//! KL from the engine against 30-digit mpmath references (tests/reference/make_reference.py),
//! over more than 60 pairs: every family, mixtures, heavy tails, narrow against wide,
//! shapes < 1, far-apart locations, discrete pairs, and pairs whose KL is infinite.
//! Tolerance: 1e-8 relative (1e-12 absolute near 0).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::{Options, kl_divergence};

const REFERENCE: &str = include_str!("reference/kl_reference.tsv");

fn cases() -> Vec<(String, String, Option<f64>)> {
    REFERENCE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let v = if f[2] == "inf" {
                None
            } else {
                Some(f[2].parse::<f64>().unwrap())
            };
            (f[0].to_string(), f[1].to_string(), v)
        })
        .collect()
}

#[test]
fn reference_file_covers_at_least_sixty_pairs() {
    assert!(cases().len() >= 60, "{} pairs", cases().len());
}

#[test]
fn kl_matches_mpmath_to_1e_8_relative() {
    let mut failures = Vec::new();
    for (ps, qs, expected) in cases() {
        let p = parse_spec(&ps).unwrap();
        let q = parse_spec(&qs).unwrap();
        let got = kl_divergence(&p, &q, &Options::default()).unwrap();
        match expected {
            None => {
                if got.value != f64::INFINITY || got.reason.is_none() {
                    failures.push(format!(
                        "{ps} ‖ {qs}: expected ∞ with a reason, got {got:?}"
                    ));
                }
            }
            Some(v) => {
                let tol = (1e-8 * v.abs()).max(1e-12);
                if (got.value - v).abs() > tol {
                    failures.push(format!(
                        "{ps} ‖ {qs}: got {} (±{:.1e}, {}), expected {v}, rel. error {:.1e}",
                        got.value,
                        got.error,
                        got.method,
                        ((got.value - v) / v).abs()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn quadrature_alone_matches_mpmath_where_closed_forms_exist() {
    // The same references with closed forms turned off: the integrator on its own.
    let opts = Options {
        closed_forms: false,
        ..Options::default()
    };
    let mut failures = Vec::new();
    for (ps, qs, expected) in cases() {
        let Some(v) = expected else { continue };
        let got =
            kl_divergence(&parse_spec(&ps).unwrap(), &parse_spec(&qs).unwrap(), &opts).unwrap();
        if (got.value - v).abs() > (1e-8 * v.abs()).max(1e-12) {
            failures.push(format!("{ps} ‖ {qs}: {} vs {v}", got.value));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
