//! D_α for α > 1 where both sides have alike tails (mixtures of normals, laplaces, gammas; an
//! edge, an interior zero of Q, an interior singularity of P): on both sides of the α where
//! ∫ p^α q^(1−α) starts to diverge, both directions, against
//! tests/reference/make_renyi_tails_reference.py (mpmath at 30 digits, analytically for
//! normals at integer α; every ∞ witnessed by truncated integrals that keep growing).
//! Both with closed forms (the default) and on the quadrature path.
//!
//! Tolerance: the figure's stated error, which must bound the distance to the reference, and
//! must itself be below 1e-8 relative (1e-11 absolute near 0).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::Options;
use kl_explorer::divergence::renyi::{Divergence, alpha_curve, divergence_pair, renyi};

const REFERENCE: &str = include_str!("reference/renyi_tails_reference.tsv");

/// Cases where the figure is known to be wrong today (none now: the closed form at α = 4.0/3.0,
/// the power maps at edges and interior zeros of Q, the Rényi term where p underflows and the
/// cut where ln p and ln q cancel to rounding closed the six that were listed here).
const KNOWN_GAPS: [(&str, &str, &str); 0] = [];

fn known_gap(c: &Case) -> bool {
    KNOWN_GAPS.iter().any(|(p, q, alphas)| {
        *p == c.p && *q == c.q && alphas.split(' ').any(|a| alpha_of(a) == c.alpha)
    })
}

struct Case {
    p: String,
    q: String,
    alpha: f64,
    expected: Option<f64>,
}

/// `4/3` is the double 4 / 3, as the window's slider cannot give it but a script can.
fn alpha_of(text: &str) -> f64 {
    match text.split_once('/') {
        Some((a, b)) => a.parse::<f64>().unwrap() / b.parse::<f64>().unwrap(),
        None => text.parse().unwrap(),
    }
}

fn cases() -> Vec<Case> {
    REFERENCE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Case {
                p: f[0].into(),
                q: f[1].into(),
                alpha: alpha_of(f[2]),
                expected: (f[3] != "inf").then(|| f[3].parse().unwrap()),
            }
        })
        .collect()
}

fn both_paths() -> [(&'static str, Options); 2] {
    [
        ("closed forms on", Options::default()),
        (
            "quadrature path",
            Options {
                closed_forms: false,
                ..Options::default()
            },
        ),
    ]
}

#[test]
fn infinite_cases_and_their_finite_neighbours_match_mpmath_both_ways() {
    let all = cases();
    assert!(all.len() >= 50, "{} cases", all.len());
    assert!(all.iter().filter(|c| c.expected.is_none()).count() >= 15);
    let mut failures = Vec::new();
    for c in all.iter().filter(|c| !known_gap(c)) {
        let (p, q) = (parse_spec(&c.p).unwrap(), parse_spec(&c.q).unwrap());
        for (path, opts) in both_paths() {
            let got = renyi(&p, &q, c.alpha, ["P", "Q"], &opts).unwrap();
            let case = format!("{} ‖ {} at α = {} ({path})", c.p, c.q, c.alpha);
            match c.expected {
                None if got.value != f64::INFINITY || got.reason.is_none() => {
                    failures.push(format!("{case}: expected ∞ with a reason, got {got:?}"));
                }
                None => {}
                Some(v) => {
                    let allowed = (1e-8 * v.abs()).max(1e-11);
                    let off = (got.value - v).abs();
                    if !(off <= got.error.max(4.0 * f64::EPSILON * v.abs()) && got.error <= allowed)
                    {
                        failures.push(format!(
                            "{case}: {} ± {:.1e} against {v} (off by {off:.1e}; {})",
                            got.value, got.error, got.method
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_zero_of_q_inside_the_support_is_integrated_through_not_infinite_nor_refused() {
    // Q, two touching triangles, is 0 at x = 1 inside P = uniform(0, 2): p^α q^(1−α) behaves
    // like |x − 1|^(1−α) there, integrable for α < 2 (analytically D_α = ln(2^(1−α)/(2 − α))
    // /(α − 1), ln 2 at 1.5). The quadrature is split there and maps |x − 1| = u^k, k ≥
    // 2/(2 − α), so no node lands on the zero and the integrand is smooth in u.
    let p = parse_spec("uniform(0,2)").unwrap();
    let q = parse_spec("0.5*triangular(0,1,0.5)+0.5*triangular(1,2,1.5)").unwrap();
    for alpha in [1.5, 1.9] {
        for (path, opts) in both_paths() {
            let got = renyi(&p, &q, alpha, ["P", "Q"], &opts).unwrap();
            let want = cases()
                .into_iter()
                .find(|c| c.p == "uniform(0,2)" && c.alpha == alpha)
                .and_then(|c| c.expected)
                .unwrap();
            let right = (got.value - want).abs() <= got.error && got.error <= 1e-8 * want;
            assert!(right, "α = {alpha} ({path}): {got:?} against {want}");
        }
    }
}

#[test]
fn chi2_is_infinite_exactly_where_d2_is() {
    for c in cases().iter().filter(|c| c.alpha == 2.0 && !known_gap(c)) {
        let (p, q) = (parse_spec(&c.p).unwrap(), parse_spec(&c.q).unwrap());
        let pair = divergence_pair(&p, &q, Divergence::Chi2, None, &Options::default()).unwrap();
        match c.expected {
            None => assert_eq!(pair.pq.value, f64::INFINITY, "{} ‖ {}", c.p, c.q),
            Some(d2) => {
                let want = d2.exp_m1();
                assert!(
                    (pair.pq.value - want).abs() <= 1e-8 * want.max(1e-3),
                    "{} ‖ {}: {} against {want}",
                    c.p,
                    c.q,
                    pair.pq.value
                );
            }
        }
    }
}

#[test]
fn the_reason_names_the_end_and_the_term_that_decided() {
    let p = parse_spec("normal(0,2)").unwrap();
    let q = parse_spec("0.5*normal(0,1) + 0.5*normal(3,1)").unwrap();
    let two = renyi(&p, &q, 2.0, ["P", "Q"], &Options::default()).unwrap();
    let reason = two.reason.unwrap();
    assert!(
        reason.contains("x → −∞") && reason.contains("grows"),
        "{reason}"
    );
    // At 4/3 the x² terms cancel; at −∞ nothing is left of the exponent.
    let tie = renyi(&p, &q, 4.0 / 3.0, ["P", "Q"], &Options::default()).unwrap();
    assert_eq!(tie.value, f64::INFINITY);
    assert!(tie.reason.unwrap().contains("cancel"));
    // Exponential against a gamma mixture at α = 2: the x terms cancel and ln x decides, so
    // the figure is finite, and its method says why it was integrated.
    let p = parse_spec("exponential(1)").unwrap();
    let q = parse_spec("0.5*gamma(3,2) + 0.5*exponential(2)").unwrap();
    let f = renyi(&p, &q, 2.0, ["P", "Q"], &Options::default()).unwrap();
    assert!(f.value.is_finite());
    assert!(f.method.contains("cancel"), "{}", f.method);
}

#[test]
fn the_alpha_curve_turns_infinite_where_the_tails_cross() {
    let p = parse_spec("normal(0,2)").unwrap();
    let q = parse_spec("0.5*normal(0,1) + 0.5*normal(3,1)").unwrap();
    let c = alpha_curve(&p, &q, &Options::default()).unwrap();
    for (i, a) in c.alpha.iter().enumerate() {
        // ∞ from α = 4/3 on, P‖Q; the mixture against the wider normal is finite everywhere.
        assert_eq!(
            c.pq[i] == f64::INFINITY,
            *a > 4.0 / 3.0,
            "α = {a}: {}",
            c.pq[i]
        );
        assert!(c.qp[i].is_finite(), "α = {a}: {}", c.qp[i]);
    }
}

#[test]
fn the_normal_closed_form_is_infinite_at_the_boundary_and_right_just_below_it() {
    // normal(0, 2) against normal(1, 1): σ_α² = α − 4(α − 1) vanishes at α = 4/3. The double
    // 4.0/3.0 meets it to within rounding (it gave a finite 3e15); just below, the value grows
    // like 1/σ_α², and its stated error must carry that conditioning. References: mpmath at
    // 40 digits from the Gaussian integral √(π/A)·e^(B²/4A + C) at the very doubles below.
    let p = parse_spec("normal(0,2)").unwrap();
    let q = parse_spec("normal(1,1)").unwrap();
    let at = renyi(&p, &q, 4.0 / 3.0, ["P", "Q"], &Options::default()).unwrap();
    assert_eq!(at.value, f64::INFINITY, "{at:?}");
    assert!(at.reason.unwrap().contains("rounding"));
    for (alpha, want) in [
        (4.0 / 3.0 - 2f64.powi(-30), 238_609_303.943_151_57),
        (4.0 / 3.0 - 2f64.powi(-20), 233_035.175_608_719_58),
        (1.33, 72.784_383_404_271_95),
    ] {
        let got = renyi(&p, &q, alpha, ["P", "Q"], &Options::default()).unwrap();
        let off = (got.value - want).abs();
        assert!(
            off <= got.error && got.error <= 1e-5 * want,
            "α = {alpha}: {got:?} against {want} (off by {off:.1e})"
        );
    }
}

#[test]
fn just_below_the_boundary_quadrature_is_right_or_refused_never_confidently_wrong() {
    // The same pair with Q written as a mixture, so only quadrature can do it: the peak of
    // p^α q^(1−α) lies at x ≈ −4/(9·(4/3 − α)), where ln p and ln q are huge and cancel. It
    // gave 12.34 ± 3.6e-12 at α = 1.3333333 (true 6.7e6); now a figure within its error or
    // no number with its reason.
    let p = parse_spec("normal(0,2)").unwrap();
    let q = parse_spec("0.5*normal(1,1)+0.5*normal(1,1)").unwrap();
    for (alpha, want) in [
        (4.0 / 3.0 - 2f64.powi(-30), 238_609_303.943_151_57),
        (4.0 / 3.0 - 2f64.powi(-20), 233_035.175_608_719_58),
        (1.33, 72.784_383_404_271_95),
    ] {
        let got = renyi(&p, &q, alpha, ["P", "Q"], &Options::default()).unwrap();
        let right = (got.value - want).abs() <= got.error;
        let refused = got.value.is_nan() && got.reason.is_some();
        assert!(right || refused, "α = {alpha}: {got:?} against {want}");
    }
}
