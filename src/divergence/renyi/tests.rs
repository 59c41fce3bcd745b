use super::*;
use crate::distribution::parse_spec;

fn d(s: &str) -> Distribution {
    parse_spec(s).unwrap()
}

fn quadrature() -> Options {
    Options {
        closed_forms: false,
        ..Options::default()
    }
}

#[test]
fn names_parse_with_typed_errors() {
    assert_eq!(Divergence::parse(" Renyi:0.5 "), Ok(Divergence::Renyi(0.5)));
    assert_eq!(Divergence::parse("chi2"), Ok(Divergence::Chi2));
    assert_eq!(Divergence::parse("kl"), Ok(Divergence::Kl));
    assert_eq!(
        Divergence::parse("squared_hellinger"),
        Ok(Divergence::SquaredHellinger)
    );
    assert_eq!(
        Divergence::parse("renyi"),
        Err(ParseDivergenceError::MissingAlpha)
    );
    assert_eq!(
        Divergence::parse("renyi:0"),
        Err(ParseDivergenceError::OutOfRange("0".into()))
    );
    assert_eq!(
        Divergence::parse("renyi:x"),
        Err(ParseDivergenceError::NotANumber("x".into()))
    );
    assert!(matches!(
        Divergence::parse("chi2:2"),
        Err(ParseDivergenceError::NoOrder(..))
    ));
    assert!(matches!(
        Divergence::parse("kld"),
        Err(ParseDivergenceError::Unknown(_))
    ));
    for div in [
        Divergence::Renyi(0.25),
        Divergence::Chi2,
        Divergence::NeymanChi2,
        Divergence::Tv,
        Divergence::Js,
    ] {
        assert_eq!(Divergence::parse(&div.name()), Ok(div));
    }
}

#[test]
fn uniform_against_beta_is_finite_below_one_while_kl_is_infinite() {
    let (p, q) = (d("uniform(0,2)"), d("beta(2,2)"));
    let f = renyi(&p, &q, 0.5, ["P", "Q"], &Options::default()).unwrap();
    // ∫ p^½ q^½ = √3·π/8 on [0, 1].
    let want = -2.0 * (3f64.sqrt() * std::f64::consts::PI / 8.0).ln();
    assert!((f.value - want).abs() < 1e-9, "{f:?}");
    assert!((f.value - 0.7708).abs() < 5e-5);
    assert!(f.error < 1e-8, "{f:?}");
    let kl = crate::divergence::kl_divergence(&p, &q, &Options::default()).unwrap();
    assert_eq!(kl.value, f64::INFINITY);
    let two = renyi(&p, &q, 2.0, ["P", "Q"], &Options::default()).unwrap();
    assert_eq!(two.value, f64::INFINITY);
    assert!(two.reason.unwrap().contains("[1, 2]"));
}

#[test]
fn alpha_above_one_is_infinite_when_the_variance_condition_fails_or_tails_are_heavy() {
    for opts in [Options::default(), quadrature()] {
        let f = renyi(&d("normal(0,2)"), &d("normal(1,1)"), 2.0, ["P", "Q"], &opts).unwrap();
        assert_eq!(f.value, f64::INFINITY, "{f:?}");
        assert!(f.reason.is_some());
    }
    let f = renyi(
        &d("student_t(0,1,5)"),
        &d("normal(0,1)"),
        1.5,
        ["P", "Q"],
        &Options::default(),
    )
    .unwrap();
    assert_eq!(f.value, f64::INFINITY);
    // Decided at the first end swept, from the two tails' terms.
    assert!(f.reason.unwrap().contains("x → −∞"));
    // The same pair below 1 is finite, and the other way round finite at every α.
    for alpha in [0.5, 3.0] {
        let g = renyi(
            &d("normal(0,1)"),
            &d("student_t(0,1,5)"),
            alpha,
            ["P", "Q"],
            &Options::default(),
        )
        .unwrap();
        assert!(g.value.is_finite() && g.value > 0.0, "{g:?}");
    }
    let chi = chi2(
        &d("student_t(0,1,3)"),
        &d("normal(0,1)"),
        ["P", "Q"],
        &Options::default(),
    )
    .unwrap();
    assert_eq!(chi.value, f64::INFINITY);
}

#[test]
fn closed_forms_agree_with_quadrature_both_ways() {
    let pairs = [
        ("normal(0,1)", "normal(1,2)"),
        ("normal(0.3,1.5)", "normal(-1,1.2)"),
        ("gamma(3,2)", "gamma(1.5,0.8)"),
        ("exponential(1)", "gamma(2,1.5)"),
        ("beta(2,3)", "beta(0.8,1.6)"),
        ("log_normal(0,0.5)", "log_normal(0.3,0.6)"),
        ("inverse_gamma(3,2)", "inverse_gamma(2.5,1)"),
        ("poisson(3)", "poisson(5)"),
    ];
    for (ps, qs) in pairs {
        for (a, b) in [(ps, qs), (qs, ps)] {
            for alpha in [0.1, 0.5, 0.999, 1.3, 2.0] {
                let closed = renyi(&d(a), &d(b), alpha, ["P", "Q"], &Options::default()).unwrap();
                let quad = renyi(&d(a), &d(b), alpha, ["P", "Q"], &quadrature()).unwrap();
                assert!(closed.method.contains("closed form"), "{a} {b}: {closed:?}");
                if closed.value.is_infinite() {
                    // Quadrature of a divergent integral cannot converge.
                    assert!(
                        quad.value.is_infinite() || quad.method.contains("not reached"),
                        "{a} ‖ {b} at {alpha}: {quad:?}"
                    );
                    continue;
                }
                // Within 1e-8, or within the error quadrature states (a nearly singular
                // α·σ_Q² + (1 − α)·σ_P² makes p^α q^(1−α) very wide).
                let tol = (1e-8 * closed.value.abs().max(1e-3)).max(quad.error);
                assert!(
                    (closed.value - quad.value).abs() < tol,
                    "{a} ‖ {b} at α = {alpha}: {} against {} ± {:e}",
                    closed.value,
                    quad.value,
                    quad.error
                );
            }
        }
    }
}

#[test]
fn the_limit_at_one_is_kl_to_1e_9_from_both_sides() {
    let pairs = [
        ("normal(0,1)", "normal(1,2)"),
        ("gamma(3,2)", "gamma(0.7,0.5)"),
        ("beta(2,3)", "beta(0.8,1.6)"),
        ("normal(0.5,1.5)", "laplace(0,1)"),
        ("0.3*normal(-2,1) + 0.7*normal(2,0.5)", "normal(0,2)"),
        ("poisson(3)", "poisson(5)"),
        ("binomial(0.3,10)", "poisson(3)"),
    ];
    for (ps, qs) in pairs {
        let (p, q) = (d(ps), d(qs));
        for opts in [Options::default(), quadrature()] {
            let kl = crate::divergence::kl_divergence(&p, &q, &opts)
                .unwrap()
                .value;
            for e in [1e-12, 1e-9, 1e-6] {
                for alpha in [1.0 - e, 1.0 + e] {
                    let f = renyi(&p, &q, alpha, ["P", "Q"], &opts).unwrap();
                    assert!(
                        (f.value - kl).abs() < 1e-9 + 2.0 * e * (1.0 + kl) * 10.0,
                        "{ps} ‖ {qs} at α = {alpha}: {} against KL {kl}",
                        f.value
                    );
                    if e <= 1e-9 {
                        assert!((f.value - kl).abs() < 1e-9, "{ps} ‖ {qs} at α = {alpha}");
                    }
                }
            }
        }
    }
}

#[test]
fn renyi_is_non_decreasing_in_alpha() {
    for (ps, qs) in [
        ("normal(0,1)", "normal(1,2)"),
        ("normal(0,2)", "normal(1,1)"),
        ("uniform(0,2)", "beta(2,2)"),
        ("laplace(0,1)", "student_t(0,1,3)"),
        ("categorical(0.1,0.2,0.7)", "categorical(0.3,0.3,0.4)"),
    ] {
        for (a, b) in [(ps, qs), (qs, ps)] {
            let c = alpha_curve(&d(a), &d(b), &Options::default()).unwrap();
            for w in c.pq.windows(2) {
                assert!(
                    w[1] == f64::INFINITY || w[1] >= w[0] - 1e-9 * w[0].abs().max(1.0),
                    "{a} ‖ {b}: {:?}",
                    c.pq
                );
            }
            let at_one = c.alpha.iter().position(|x| *x == 1.0).unwrap();
            let kl = crate::divergence::kl_divergence(&d(a), &d(b), &Options::default())
                .unwrap()
                .value;
            assert!(c.pq[at_one] == kl || (c.pq[at_one] - kl).abs() < 1e-12);
        }
    }
}

#[test]
fn half_order_is_twice_the_bhattacharyya_distance_from_the_reports_hellinger() {
    for (ps, qs) in [
        ("normal(0,1)", "laplace(1,2)"),
        ("gamma(2,1)", "log_normal(0.5,0.7)"),
        ("poisson(4)", "geometric(0.3)"),
    ] {
        let (p, q) = (d(ps), d(qs));
        let r = crate::divergence::compare(&p, &q, &Options::default()).unwrap();
        let h2 = r.hellinger.value * r.hellinger.value;
        let want = -2.0 * (-h2).ln_1p();
        let got = renyi(&p, &q, 0.5, ["P", "Q"], &Options::default()).unwrap();
        assert!(
            (got.value - want).abs() < 1e-8,
            "{ps} {qs}: {} vs {want}",
            got.value
        );
    }
}

#[test]
fn chi2_is_exp_d2_minus_one_and_neyman_is_the_other_direction() {
    let (p, q) = (d("normal(0,1)"), d("normal(1,1)"));
    let pair = divergence_pair(&p, &q, Divergence::Chi2, None, &Options::default()).unwrap();
    // Equal variances: D₂ = d²/σ² = 1.
    assert!((pair.pq.value - (1f64.exp() - 1.0)).abs() < 1e-14);
    let ney = divergence_pair(&p, &q, Divergence::NeymanChi2, None, &Options::default()).unwrap();
    assert_eq!(ney.pq, pair.qp);
    // Histograms: (p − q)²/q summed exactly. P = (½, ½) on two unit bins, Q = (¼, ¾).
    use crate::distribution::histogram::{Histogram, Weights};
    let h = |a: f64, b: f64| {
        Distribution::Histogram(std::sync::Arc::new(
            Histogram::from_bins(&[(0.0, 1.0, a), (1.0, 2.0, b)], Weights::Count, "h").unwrap(),
        ))
    };
    let pair = divergence_pair(
        &h(1.0, 1.0),
        &h(1.0, 3.0),
        Divergence::Chi2,
        None,
        &Options::default(),
    )
    .unwrap();
    let want = 0.25 * 0.25 / 0.25 + 0.25 * 0.25 / 0.75;
    assert!((pair.pq.value - want).abs() < 1e-14, "{pair:?}");
}

#[test]
fn discrete_sums_see_mass_where_q_has_none_only_above_one() {
    let (p, q) = (d("categorical(0.5,0.5,0)"), d("categorical(0.5,0,0.5)"));
    let low = renyi(&p, &q, 0.5, ["P", "Q"], &Options::default()).unwrap();
    // Σ √(pq) = ½: D_½ = −2 ln ½.
    assert!((low.value - 2.0 * 2f64.ln()).abs() < 1e-14, "{low:?}");
    let high = renyi(&p, &q, 3.0, ["P", "Q"], &Options::default()).unwrap();
    assert_eq!(high.value, f64::INFINITY);
    assert!(high.reason.unwrap().contains("k = 1"));
    // A geometric P against a Poisson Q: p²/q grows like k!·c^k.
    let g = renyi(
        &d("geometric(0.3)"),
        &d("poisson(4)"),
        2.0,
        ["P", "Q"],
        &Options::default(),
    )
    .unwrap();
    assert_eq!(g.value, f64::INFINITY, "{g:?}");
}
