//! The quadrature path (closed forms turned off) against the closed forms, over a grid of
//! very unequal log-normal and gamma-family pairs and α from 0.05 to 5: the error quadrature
//! states must bound its distance to the closed form, and ∞ must come out ∞.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::Options;
use kl_explorer::divergence::renyi::renyi;

/// Known today to miss the stated error (none now: both that were listed, log_normal(8, 1)
/// against log_normal(0, 1) at α = 5 and gamma(50, 2) against gamma(1.5, 20) at α = 1.1, lost
/// the integrand where p underflows in P's tail, beyond the peak of p^α q^(1−α)).
const KNOWN_GAPS: [(&str, &str, f64); 0] = [];

const ALPHAS: [f64; 12] = [
    0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1.1, 1.5, 2.0, 3.0, 4.0, 5.0,
];

fn pairs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let log_normal = [(0.0, 1.0), (3.0, 0.2), (-2.0, 2.5), (0.5, 0.05), (8.0, 1.0)];
    for (i, a) in log_normal.iter().enumerate() {
        for b in &log_normal[i + 1..] {
            out.push((
                format!("log_normal({}, {})", a.0, a.1),
                format!("log_normal({}, {})", b.0, b.1),
            ));
        }
    }
    let gamma = [
        "gamma(0.5, 1)",
        "gamma(50, 2)",
        "gamma(3, 0.05)",
        "gamma(1.5, 20)",
        "exponential(0.1)",
        "chi_squared(30)",
        "gamma(200, 10)",
    ];
    for (i, a) in gamma.iter().enumerate() {
        for b in &gamma[i + 1..] {
            out.push((a.to_string(), b.to_string()));
        }
    }
    out
}

#[test]
fn quadrature_states_an_error_that_bounds_its_distance_to_the_closed_form() {
    let quad = Options {
        closed_forms: false,
        ..Options::default()
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (a, b) in pairs() {
        for (ps, qs) in [(&a, &b), (&b, &a)] {
            let (p, q) = (parse_spec(ps).unwrap(), parse_spec(qs).unwrap());
            for alpha in ALPHAS {
                if KNOWN_GAPS.contains(&(ps.as_str(), qs.as_str(), alpha)) {
                    continue;
                }
                let closed = renyi(&p, &q, alpha, ["P", "Q"], &Options::default()).unwrap();
                let got = renyi(&p, &q, alpha, ["P", "Q"], &quad).unwrap();
                let case = format!("{ps} ‖ {qs} at α = {alpha}");
                assert!(closed.method.contains("closed form"), "{case}: {closed:?}");
                if closed.value == f64::INFINITY {
                    if got.value != f64::INFINITY {
                        failures.push(format!("{case}: closed form ∞, quadrature {got:?}"));
                    }
                    continue;
                }
                checked += 1;
                let off = (got.value - closed.value).abs();
                if !(off <= got.error + closed.error) {
                    failures.push(format!(
                        "{case}: quadrature {} ± {:.2e}, closed form {} (off by {off:.2e}) [{}]",
                        got.value, got.error, closed.value, got.method
                    ));
                }
            }
        }
    }
    assert!(checked >= 300, "{checked} finite cases");
    assert!(
        failures.is_empty(),
        "{} of the grid:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
