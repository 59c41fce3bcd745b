//! Tests of the plotted curves: ∞ in the data, the running integral, labels, cancel.

use super::*;
use crate::distribution::{Categories, parse_spec};
use std::sync::Arc;

fn pair(p: &str, q: &str, budget: usize) -> Curves {
    let p = parse_spec(p).unwrap();
    let q = parse_spec(q).unwrap();
    curves(&p, &q, budget, &Cancel::new()).unwrap()
}

fn asset(name: &str) -> Distribution {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(name);
    crate::io::load_histogram(
        &path,
        &crate::io::CsvOptions::default(),
        &crate::io::LoadControl::default(),
    )
    .unwrap()
}

#[test]
fn running_integral_ends_near_kl_for_the_default_pair() {
    let c = pair("normal(0,1)", "normal(1,2)", 4000);
    let end = *c.run_pq.last().unwrap();
    // The view cuts P's tails at its 0.1 % quantiles; what lies beyond is tiny.
    assert!((end - 0.443_147).abs() < 2e-3, "{end}");
    assert!(c.x.len() <= 4000);
    assert_eq!(c.infinite_from_pq, None);
    assert!(c.run_pq.iter().all(|v| v.is_finite()));
}

#[test]
fn decimation_keeps_the_peak() {
    let c = pair(
        "0.99*normal(0,1) + 0.01*normal(3, 0.001)",
        "normal(0,2)",
        800,
    );
    let peak = c.p.iter().cloned().fold(0.0, f64::max);
    // The narrow component's density peak is 0.01/(0.001·√(2π)) ≈ 3.99.
    assert!(peak > 3.5, "{peak}");
}

#[test]
fn where_q_is_zero_under_p_the_integrand_and_the_running_integral_are_infinite() {
    // beta(2, 2) lives on [0, 1]; uniform(0, 2) has mass on (1, 2].
    let c = pair("uniform(0,2)", "beta(2,2)", 4000);
    assert_eq!(c.infinite_from_pq, Some(InfiniteFrom::Gap(1.0)));
    let mut inside = 0;
    for i in 0..c.x.len() {
        let x = c.x[i];
        if x > 1.0 && x < 2.0 {
            inside += 1;
            assert_eq!(c.d_pq[i], f64::INFINITY, "p·ln(p/q) at x = {x}");
        }
        if x > 1.0 {
            assert_eq!(c.run_pq[i], f64::INFINITY, "running integral at x = {x}");
        } else {
            assert!(c.run_pq[i].is_finite(), "running integral at x = {x}");
        }
    }
    assert!(inside > 10, "{inside} samples in the band");
    // The reverse is finite: KL(beta(2,2) ‖ uniform(0,2)) = ln 2 − H(beta(2,2)), with
    // H(beta(2,2)) = ln B(2,2) − 2ψ(2) + 2ψ(4) = −0.125092802561388 (mpmath).
    let end = *c.run_qp.last().unwrap();
    let expected = std::f64::consts::LN_2 + 0.125_092_802_561_388;
    assert!((end - expected).abs() < 2e-3, "{end} vs {expected}");
}

#[test]
fn an_empty_bin_under_p_makes_the_integrand_infinite_over_that_bin() {
    let p = asset("zero_bin_p.csv");
    let q = asset("zero_bin_q.csv");
    let c = curves(&p, &q, 4000, &Cancel::new()).unwrap();
    assert_eq!(c.infinite_from_pq, Some(InfiniteFrom::Gap(4.0)));
    assert_eq!(c.infinite_pq, vec![(4.0, 5.0)]);
    let mut inside = 0;
    for i in 0..c.x.len() {
        let x = c.x[i];
        if x > 4.0 && x < 5.0 {
            inside += 1;
            assert_eq!(c.d_pq[i], f64::INFINITY, "x = {x}");
        }
        if x > 4.0 {
            assert_eq!(c.run_pq[i], f64::INFINITY, "x = {x}");
        }
    }
    assert!(inside > 10, "{inside}");
    // Below 4 the integral is the exact sum of the first four bins' terms.
    let (pp, qq): ([f64; 4], [f64; 4]) = ([10.0, 25.0, 40.0, 20.0], [12.0, 30.0, 38.0, 20.0]);
    let expected: f64 = pp
        .iter()
        .zip(qq)
        .map(|(a, b)| a / 100.0 * ((a / 100.0) / (b / 100.0)).ln())
        .sum();
    let at4 =
        c.x.iter()
            .zip(&c.run_pq)
            .rfind(|(x, _)| **x < 4.0)
            .map(|(_, r)| *r)
            .unwrap();
    assert!((at4 - expected).abs() < 1e-3, "{at4} vs {expected}");
}

#[test]
fn a_divergent_left_tail_makes_the_running_integral_infinite_from_the_start() {
    // E_cauchy[x²] diverges: KL(cauchy ‖ normal) is ∞ through both tails.
    let c = pair("cauchy(0,1)", "normal(0,1)", 4000);
    assert_eq!(
        c.infinite_from_pq,
        Some(InfiniteFrom::Edge(f64::NEG_INFINITY))
    );
    assert!(c.run_pq.iter().all(|v| *v == f64::INFINITY));
    // The integrand itself is finite everywhere.
    assert!(c.d_pq.iter().all(|v| v.is_finite()));
    // KL(normal ‖ cauchy) is finite, and the running integral ends at it.
    let p = parse_spec("normal(0,1)").unwrap();
    let q = parse_spec("cauchy(0,1)").unwrap();
    let kl = crate::divergence::kl_divergence(&p, &q, &Options::default())
        .unwrap()
        .value;
    let end = *c.run_qp.last().unwrap();
    assert!((end - kl).abs() < 2e-3, "{end} vs {kl}");
    assert_eq!(c.infinite_from_qp, None);
}

#[test]
fn a_right_tail_that_diverges_leaves_the_view_finite_and_says_the_end_is_infinite() {
    // pareto(1, 0.8) has no mean; −ln q grows like x for exponential(1): KL = ∞ through
    // the right tail only.
    let c = pair("pareto(1,0.8)", "exponential(1)", 4000);
    assert_eq!(c.infinite_from_pq, Some(InfiniteFrom::Edge(f64::INFINITY)));
    assert!(c.run_pq.iter().all(|v| v.is_finite()));
    assert_eq!(c.infinite_from_qp, Some(InfiniteFrom::Gap(0.0)));
}

#[test]
fn a_discrete_gap_beyond_the_support_makes_the_sum_infinite_there() {
    // poisson(3) has mass on k > 10, where binomial(0.3, 10) has none.
    let c = pair("poisson(3)", "binomial(0.3,10)", 4000);
    assert!(c.discrete);
    assert_eq!(c.infinite_from_pq, Some(InfiniteFrom::Gap(10.0)));
    for (k, r) in c.x.iter().zip(&c.run_pq) {
        if *k > 10.0 {
            assert_eq!(*r, f64::INFINITY, "k = {k}");
        } else {
            assert!(r.is_finite(), "k = {k}");
        }
    }
    // The other way is finite and ends at the engine's exact sum.
    let p = parse_spec("binomial(0.3,10)").unwrap();
    let q = parse_spec("poisson(3)").unwrap();
    let kl = crate::divergence::kl_divergence(&p, &q, &Options::default())
        .unwrap()
        .value;
    // The view ends near binomial's 0.9995 quantile: the terms beyond are below 1e-3.
    let end = *c.run_qp.last().unwrap();
    assert!((end - kl).abs() < 1e-3, "{end} vs {kl}");
}

#[test]
fn categories_are_aligned_by_label_and_keep_their_names() {
    let cat = |pairs: &[(&str, f64)]| {
        Distribution::Categories(Arc::new(
            Categories::new(
                pairs.iter().map(|(l, c)| (l.to_string(), *c)).collect(),
                "test",
                Vec::new(),
            )
            .unwrap(),
        ))
    };
    let p = cat(&[("up", 1.0), ("down", 3.0)]);
    let q = cat(&[("down", 1.0), ("up", 1.0), ("left", 2.0)]);
    let c = curves(&p, &q, 4000, &Cancel::new()).unwrap();
    assert_eq!(
        c.labels.as_deref(),
        Some(&["up".to_string(), "down".into(), "left".into()][..])
    );
    assert_eq!(c.x, vec![0.0, 1.0, 2.0]);
    for (got, want) in c.p.iter().zip([0.25, 0.75, 0.0]) {
        assert!((got - want).abs() < 1e-15, "p: {:?}", c.p);
    }
    for (got, want) in c.q.iter().zip([0.25, 0.25, 0.5]) {
        assert!((got - want).abs() < 1e-15, "q: {:?}", c.q);
    }
    // KL(P‖Q) = 0.75·ln 3, finite; KL(Q‖P) = ∞ at 'left'.
    let end = *c.run_pq.last().unwrap();
    assert!((end - 0.75 * 3f64.ln()).abs() < 1e-15, "{end}");
    assert!(
        (c.run_qp[1] - 0.25 * (1.0f64 / 3.0).ln()).abs() < 1e-15,
        "{:?}",
        c.run_qp
    );
    assert_eq!(c.run_qp[2], f64::INFINITY);
    assert_eq!(c.infinite_qp, vec![(1.5, 2.5)]);
}

#[test]
fn sampling_stops_when_cancelled() {
    let p = parse_spec("normal(0,1)").unwrap();
    let q = parse_spec("normal(1,2)").unwrap();
    let cancel = Cancel::new();
    cancel.cancel();
    assert_eq!(curves(&p, &q, 4000, &cancel), Err(Cancelled));
    let p = parse_spec("poisson(4)").unwrap();
    assert_eq!(curves(&p, &p, 4000, &cancel), Err(Cancelled));
}
