//! Every closed form against the engine's own quadrature (closed forms off), over a grid of
//! parameters, to 1e-9 relative (1e-12 absolute near 0). Entropies likewise.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use kl_explorer::distribution::parse_spec;
use kl_explorer::divergence::{Options, compare, kl_divergence};

fn quad() -> Options {
    Options {
        closed_forms: false,
        rel_tol: 1e-12,
        max_intervals: 20_000,
        ..Options::default()
    }
}

fn check(ps: &str, qs: &str, failures: &mut Vec<String>) {
    let p = parse_spec(ps).unwrap();
    let q = parse_spec(qs).unwrap();
    let closed = kl_divergence(&p, &q, &Options::default()).unwrap();
    assert!(
        closed.method.starts_with("closed form"),
        "{ps} ‖ {qs} has no closed form: {}",
        closed.method
    );
    let numeric = kl_divergence(&p, &q, &quad()).unwrap();
    let tol = (1e-9 * closed.value.abs()).max(1e-12);
    if (closed.value - numeric.value).abs() > tol {
        failures.push(format!(
            "{ps} ‖ {qs}: closed {} vs quadrature {} (±{:.1e})",
            closed.value, numeric.value, numeric.error
        ));
    }
}

fn grid(
    f: impl Fn(f64, f64, f64, f64) -> (String, String),
    a: &[f64],
    b: &[f64],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for &a1 in a {
        for &b1 in b {
            for &a2 in a {
                for &b2 in b {
                    out.push(f(a1, b1, a2, b2));
                }
            }
        }
    }
    out
}

#[test]
fn continuous_closed_forms_agree_with_quadrature() {
    let loc = [-2.0, 0.0, 1.5];
    let scale = [0.3, 1.0, 4.0];
    let shape = [0.6, 1.0, 3.5];
    let mut pairs = Vec::new();
    pairs.extend(grid(
        |a, b, c, d| (format!("normal({a},{b})"), format!("normal({c},{d})")),
        &loc,
        &scale,
    ));
    pairs.extend(grid(
        |a, b, c, d| {
            (
                format!("log_normal({a},{b})"),
                format!("log_normal({c},{d})"),
            )
        },
        &[-0.5, 0.5],
        &[0.3, 1.0],
    ));
    pairs.extend(grid(
        |a, b, c, d| (format!("laplace({a},{b})"), format!("laplace({c},{d})")),
        &loc,
        &scale,
    ));
    pairs.extend(grid(
        |a, b, c, d| (format!("cauchy({a},{b})"), format!("cauchy({c},{d})")),
        &loc,
        &[0.5, 2.0],
    ));
    pairs.extend(grid(
        |a, b, c, d| (format!("gamma({a},{b})"), format!("gamma({c},{d})")),
        &shape,
        &[0.5, 2.0],
    ));
    pairs.extend(grid(
        |a, b, c, d| (format!("beta({a},{b})"), format!("beta({c},{d})")),
        &shape,
        &[0.7, 2.5],
    ));
    pairs.extend(grid(
        |a, b, c, d| (format!("weibull({a},{b})"), format!("weibull({c},{d})")),
        &shape,
        &[0.5, 2.0],
    ));
    pairs.extend(grid(
        |a, b, c, d| (format!("gumbel({a},{b})"), format!("gumbel({c},{d})")),
        &loc,
        &[0.5, 2.0],
    ));
    pairs.extend(grid(
        |a, b, c, d| {
            (
                format!("inverse_gamma({a},{b})"),
                format!("inverse_gamma({c},{d})"),
            )
        },
        &[1.5, 4.0],
        &[0.5, 2.0],
    ));
    for (a, b) in [(1.0, 3.0), (2.0, 1.5), (1.0, 0.8)] {
        for (c, d) in [(1.0, 2.0), (0.5, 4.0)] {
            pairs.push((format!("pareto({a},{b})"), format!("pareto({c},{d})")));
        }
    }
    for (a, b) in [(0.0, 1.0), (-1.0, 2.0)] {
        for (c, d) in [(-2.0, 3.0), (-1.0, 2.0)] {
            pairs.push((format!("uniform({a},{b})"), format!("uniform({c},{d})")));
        }
        for (m, s) in [(0.0, 1.0), (3.0, 0.5)] {
            pairs.push((format!("uniform({a},{b})"), format!("normal({m},{s})")));
        }
    }
    for r in [0.5, 2.0] {
        pairs.push((format!("exponential({r})"), "gamma(2, 1)".into()));
        pairs.push(("gamma(0.5, 1)".into(), format!("exponential({r})")));
        pairs.push((
            format!("chi_squared({})", 4.0 * r),
            format!("exponential({r})"),
        ));
        pairs.push((format!("exponential({r})"), "exponential(1.3)".into()));
    }
    let mut failures = Vec::new();
    for (p, q) in &pairs {
        check(p, q, &mut failures);
    }
    assert!(pairs.len() >= 390, "{} pairs", pairs.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn discrete_closed_forms_agree_with_exact_sums() {
    let mut failures = Vec::new();
    for (a, b) in [(0.5, 3.0), (4.0, 2.0), (30.0, 33.0)] {
        check(
            &format!("poisson({a})"),
            &format!("poisson({b})"),
            &mut failures,
        );
    }
    for (a, b) in [(0.1, 0.5), (0.5, 0.9), (0.0, 0.3)] {
        check(
            &format!("binomial({a}, 20)"),
            &format!("binomial({b}, 20)"),
            &mut failures,
        );
        check(
            &format!("bernoulli({a})"),
            &format!("bernoulli({b})"),
            &mut failures,
        );
    }
    for (a, b) in [(0.2, 0.5), (0.9, 0.1), (1.0, 0.3)] {
        check(
            &format!("geometric({a})"),
            &format!("geometric({b})"),
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn closed_form_entropies_agree_with_quadrature() {
    let specs = [
        "normal(1, 2)",
        "log_normal(0.3, 0.8)",
        "uniform(-1, 3)",
        "laplace(0, 2)",
        "cauchy(0, 0.5)",
        "gumbel(1, 2)",
        "weibull(0.8, 2)",
        "weibull(3, 1)",
        "pareto(1, 2.5)",
        "triangular(0, 2, 0.5)",
        "beta(0.5, 3)",
        "beta(4, 2)",
        "inverse_gamma(3, 2)",
        "student_t(0, 1, 3)",
        "student_t(1, 2, 0.8)",
        "gamma(0.5, 2)",
        "gamma(4, 1)",
        "exponential(3)",
        "chi_squared(5)",
    ];
    let mut failures = Vec::new();
    for s in specs {
        let d = parse_spec(s).unwrap();
        let closed = compare(&d, &d, &Options::default()).unwrap().entropy_p;
        let numeric = compare(&d, &d, &quad()).unwrap().entropy_p;
        assert!(
            closed.method.starts_with("closed form"),
            "{s}: {}",
            closed.method
        );
        if (closed.value - numeric.value).abs() > (1e-9 * closed.value.abs()).max(1e-12) {
            failures.push(format!(
                "{s}: closed {} vs quadrature {}",
                closed.value, numeric.value
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
