//! The estimator lab's core (issue 13): exact moments against closed forms and an mpmath
//! reference, Monte Carlo against the exact figures, gradient identities, infinite
//! variances, and reproducibility across thread counts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

use kl_explorer::cancel::{Cancel, Progress};
use kl_explorer::distribution::{Distribution, parse_spec};
use kl_explorer::divergence::{Options, kl_divergence};
use kl_explorer::estimate::{
    self, Clamp, Estimator, Loss, McOptions, exact_moments, gradients, relative_bias, relative_sd,
};

fn d(s: &str) -> Distribution {
    parse_spec(s).unwrap()
}

fn moments(p: &str, q: &str, clamp: Clamp, closed_forms: bool) -> Vec<estimate::Moments> {
    let opts = Options {
        closed_forms,
        ..Options::default()
    };
    exact_moments(&d(p), &d(q), clamp, &opts).unwrap()
}

/// Schulman's table ("Approximating KL divergence", 2020), P = N(0, 1), Q = N(μ, 1). With
/// ln r = μx − μ²/2 ~ N(−μ²/2, μ²) the figures have closed forms derived here independently
/// of the engine: KL = μ²/2; k1: sd/KL = 2/μ; k2: bias/KL = μ²/4, sd/KL = √(μ² + 2);
/// k3: sd/KL = 2√(e^{μ²} − 1 − μ²)/μ².
#[test]
fn schulmans_table_comes_out_to_1e6_by_closed_form_and_by_quadrature() {
    for (mu, published) in [
        (0.1f64, [(0.0, 20.0), (0.0025, 1.418), (0.0, 1.417)]),
        (1.0, [(0.0, 2.0), (0.25, 1.732), (0.0, 1.695)]),
    ] {
        let kl = mu * mu / 2.0;
        let exact = [
            (0.0, 2.0 / mu),
            (mu * mu / 4.0, (mu * mu + 2.0).sqrt()),
            (
                0.0,
                2.0 * (mu * mu).exp_m1().sub(mu * mu).sqrt() / (mu * mu),
            ),
        ];
        let q = format!("normal({mu}, 1)");
        for closed in [true, false] {
            let m = moments("normal(0, 1)", &q, Clamp::None, closed);
            for i in 0..3 {
                let bias = relative_bias(m[i].mean.value, kl).unwrap();
                let sd = relative_sd(m[i].sd(), kl).unwrap();
                assert!(
                    (bias - exact[i].0).abs() < 1e-6 && (sd - exact[i].1).abs() < 1e-6,
                    "μ = {mu}, {:?}, closed forms {closed}: {bias} / {sd} vs {:?}",
                    m[i].estimator,
                    exact[i]
                );
                // And the published, rounded figures.
                assert!((bias - published[i].0).abs() < 5e-4, "{bias}");
                assert!((sd - published[i].1).abs() < 5e-4, "{sd}");
            }
        }
    }
}

trait Sub {
    fn sub(self, b: f64) -> f64;
}
impl Sub for f64 {
    fn sub(self, b: f64) -> f64 {
        self - b
    }
}

/// Every clamp on four pairs against tests/reference/estimate_reference.tsv (mpmath at 30
/// digits, split at every clamp's kink; exact sums for logits).
#[test]
fn clamped_and_unclamped_moments_match_the_mpmath_reference() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/estimate_reference.tsv"
    ))
    .unwrap();
    let mut rows = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let clamp = Clamp::from_name(f[2]).unwrap();
        let k = Estimator::ALL
            .into_iter()
            .find(|e| e.key() == f[3])
            .unwrap();
        let m = &moments(f[0], f[1], clamp, true)[k.index()];
        let mean: f64 = f[4].parse().unwrap();
        assert!(
            (m.mean.value - mean).abs() <= 1e-9 * mean.abs().max(1e-3) + m.mean.error,
            "{line}: mean {} ± {}",
            m.mean.value,
            m.mean.error
        );
        if f[5] == "inf" {
            assert_eq!(m.variance.value, f64::INFINITY, "{line}");
            assert!(m.variance.reason.is_some());
        } else {
            let var: f64 = f[5].parse().unwrap();
            assert!(
                (m.variance.value - var).abs() <= 1e-8 * var.abs().max(1e-3) + m.variance.error,
                "{line}: variance {} ± {}",
                m.variance.value,
                m.variance.error
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 60);
}

#[test]
fn k3_has_no_variance_for_gamma_against_log_normal_and_says_why() {
    let m = moments("gamma(2, 1)", "log_normal(0.5, 0.8)", Clamp::None, true);
    let k3 = &m[Estimator::K3.index()];
    assert_eq!(k3.variance.value, f64::INFINITY);
    assert!(k3.variance.reason.as_deref().unwrap().contains("∫q²/p"));
    assert!(k3.mean.value.is_finite());
    assert!(m[Estimator::K1.index()].variance.value.is_finite());
    // A clamp bounds k3, so its variance is finite again.
    let verl = moments("gamma(2, 1)", "log_normal(0.5, 0.8)", Clamp::Verl, true);
    assert!(verl[Estimator::K3.index()].variance.value.is_finite());
}

#[test]
fn normal_pairs_whose_q_is_twice_as_wide_in_variance_have_no_k3_variance() {
    // ∫q²/p < ∞ iff σq² < 2σp².
    let m = moments("normal(0, 1)", "normal(0, 1.5)", Clamp::None, true);
    assert_eq!(m[Estimator::K3.index()].variance.value, f64::INFINITY);
    let m = moments("normal(0, 1)", "normal(0, 1.4)", Clamp::None, true);
    assert!(m[Estimator::K3.index()].variance.value.is_finite());
}

#[test]
fn infinite_kl_makes_every_unclamped_mean_infinite_and_clamped_ones_finite() {
    let m = moments("uniform(0, 2)", "uniform(0, 1)", Clamp::None, true);
    assert!(
        m.iter()
            .all(|m| m.mean.value == f64::INFINITY && m.mean.reason.is_some())
    );
    let m = moments("uniform(0, 2)", "uniform(0, 1)", Clamp::OpenRlhf, true);
    // Half of P's mass has ln r = −∞, where k1 is clamped to 10; on the other half
    // ln r = ln 2, so k1 = −ln 2.
    let k1 = m[Estimator::K1.index()].mean.value;
    assert!((k1 - (0.5 * 10.0 - 0.5 * 2f64.ln())).abs() < 1e-9, "{k1}");
}

fn run(p: &str, q: &str, n: u64, seed: u64, clamp: Clamp) -> estimate::McResult {
    estimate::run(
        &d(p),
        &d(q),
        &McOptions {
            n,
            seed,
            clamp,
            ..McOptions::default()
        },
        &Cancel::default(),
        &Progress::default(),
    )
    .unwrap()
}

/// Monte Carlo means are within 5 standard errors of the exact means, for every family kind.
#[test]
fn monte_carlo_means_are_within_5_standard_errors_of_the_exact_means() {
    for (p, q, clamp) in [
        ("normal(0, 1)", "normal(1, 1)", Clamp::None),
        ("normal(0, 1)", "normal(5, 1)", Clamp::OpenRlhf),
        ("gamma(2, 1)", "log_normal(0.5, 0.8)", Clamp::Verl),
        ("student_t(0, 1, 5)", "normal(0, 1)", Clamp::None),
        (
            "0.3*normal(-2, 1) + 0.7*normal(2, 0.5)",
            "normal(0, 2)",
            Clamp::None,
        ),
        ("logits(3, 0, -3)", "logits(-3, 0, 3)", Clamp::None),
        ("poisson(3)", "poisson(4)", Clamp::None),
        ("beta(2, 3)", "uniform(0, 1)", Clamp::None),
    ] {
        let exact = moments(p, q, clamp, true);
        let mc = run(p, q, 400_000, 11, clamp);
        for (m, s) in exact.iter().zip(&mc.summaries) {
            if !m.variance.value.is_finite() {
                continue;
            }
            let se = m.sd() / (mc.options.n as f64).sqrt();
            assert!(
                (s.mean - m.mean.value).abs() < 5.0 * se,
                "{p} vs {q} ({clamp:?}), {:?}: MC {} vs exact {} (SE {se})",
                m.estimator,
                s.mean,
                m.mean.value
            );
            // The sample sd estimates the exact one (where its own error is small: two
            // normals, whose ln r has every moment).
            if p == "normal(0, 1)" && clamp == Clamp::None {
                assert!(
                    (s.sd - m.sd()).abs() < 0.02 * m.sd(),
                    "{p} {:?}",
                    m.estimator
                );
            }
        }
        let last = mc.running.last().unwrap();
        assert_eq!(last.n, mc.options.n);
        assert_eq!(last.mean[0], mc.summaries[0].mean);
    }
}

#[test]
fn a_seed_gives_the_same_run_on_one_thread_and_on_two() {
    let go = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                run(
                    "gamma(2, 1)",
                    "log_normal(0.5, 0.8)",
                    300_001,
                    seed,
                    Clamp::None,
                )
            })
    };
    let one = go(1, 5);
    let two = go(2, 5);
    assert_eq!(one, two);
    let other = go(2, 6);
    assert_ne!(one.summaries[0].mean, other.summaries[0].mean);
}

#[test]
fn the_running_mean_is_log_spaced_and_its_band_narrows() {
    let mc = run("normal(0, 1)", "normal(1, 1)", 100_000, 3, Clamp::None);
    let ns: Vec<u64> = mc.running.iter().map(|r| r.n).collect();
    assert_eq!(ns[0], 10);
    assert!(ns.windows(2).all(|w| w[1] > w[0]));
    let first_se = mc.running[5].se[0];
    let last_se = mc.running.last().unwrap().se[0];
    assert!(last_se < first_se / 10.0);
    // The histogram holds every sample.
    for h in &mc.histograms {
        let total: u64 = h.counts.iter().sum::<u64>() + h.below + h.above;
        assert_eq!(total, 100_000);
    }
}

fn grads(p: &str, q: &str, n: u64) -> estimate::Gradients {
    gradients(
        &d(p),
        &d(q),
        Clamp::None,
        n,
        9,
        &Cancel::default(),
        &Progress::default(),
    )
    .unwrap()
    .unwrap()
}

/// The identities of the trainers' convention (x fixed, differentiated through ln p_θ(x)):
/// k1 → 0, k2 → ∇KL(P‖Q), k3 → ∇KL(Q‖P), k3-value-k2-gradient → ∇KL(P‖Q); exact and by
/// Monte Carlo; ∇KL itself against central differences of the engine's KL.
fn check_identities(p: &str, q: &str, p_at: impl Fn(usize, f64) -> String) {
    let g = grads(p, q, 1_000_000);
    let opts = Options::default();
    for (j, row) in g.rows.iter().enumerate() {
        let h = 1e-5;
        let fd = |a: &str, b: &str, swap: bool| {
            let (x, y) = (d(a), d(b));
            let qd = d(q);
            if swap {
                kl_divergence(&qd, &x, &opts).unwrap().value
                    - kl_divergence(&qd, &y, &opts).unwrap().value
            } else {
                kl_divergence(&x, &qd, &opts).unwrap().value
                    - kl_divergence(&y, &qd, &opts).unwrap().value
            }
        };
        let (up, down) = (p_at(j, h), p_at(j, -h));
        let fd_pq = fd(&up, &down, false) / (2.0 * h);
        let fd_qp = fd(&up, &down, true) / (2.0 * h);
        assert!(
            (row.kl_pq - fd_pq).abs() < 1e-6,
            "{}: {} vs {fd_pq}",
            row.param,
            row.kl_pq
        );
        assert!(
            (row.kl_qp - fd_qp).abs() < 1e-6,
            "{}: {} vs {fd_qp}",
            row.param,
            row.kl_qp
        );
        let at = |l: Loss| Loss::ALL.iter().position(|x| *x == l).unwrap();
        let k1 = at(Loss::Estimator(Estimator::K1));
        let k2 = at(Loss::Estimator(Estimator::K2));
        let k3 = at(Loss::Estimator(Estimator::K3));
        let st = at(Loss::K3ValueK2Gradient);
        assert!(
            row.exact[k1].abs() < 1e-8,
            "{}: k1 {}",
            row.param,
            row.exact[k1]
        );
        assert!((row.exact[k2] - row.kl_pq).abs() < 1e-8, "{}", row.param);
        assert!((row.exact[k3] - row.kl_qp).abs() < 1e-8, "{}", row.param);
        assert!((row.exact[st] - row.kl_pq).abs() < 1e-8, "{}", row.param);
        for l in 0..Loss::ALL.len() {
            assert!(
                (row.mc[l] - row.exact[l]).abs() < 5.0 * row.mc_se[l] + 1e-12,
                "{} {:?}: MC {} ± {} vs {}",
                row.param,
                Loss::ALL[l],
                row.mc[l],
                row.mc_se[l],
                row.exact[l]
            );
        }
    }
}

#[test]
fn gradient_identities_hold_for_a_normal_policy() {
    check_identities("normal(0.3, 1.2)", "normal(-0.2, 0.9)", |j, h| {
        if j == 0 {
            format!("normal({}, 1.2)", 0.3 + h)
        } else {
            format!("normal(0.3, {})", 1.2 + h)
        }
    });
}

#[test]
fn gradient_identities_hold_for_a_normal_policy_against_a_student_t_reference() {
    check_identities("normal(0.3, 1.2)", "student_t(0, 1, 4)", |j, h| {
        if j == 0 {
            format!("normal({}, 1.2)", 0.3 + h)
        } else {
            format!("normal(0.3, {})", 1.2 + h)
        }
    });
}

#[test]
fn gradient_identities_hold_for_a_logits_policy() {
    let base = [1.0, 0.0, -1.0, 0.5];
    check_identities(
        "logits(1, 0, -1, 0.5)",
        "logits(0, 0.5, -0.5, 1)",
        |j, h| {
            let v: Vec<String> = base
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{}", if i == j { l + h } else { *l }))
                .collect();
            format!("logits({})", v.join(", "))
        },
    );
}

#[test]
fn a_clamp_stops_the_gradient_where_it_is_active() {
    // Far apart, OpenRLHF's clamp on k2 (|ln r| > √20) cuts most of the gradient.
    let free = grads("normal(0, 1)", "normal(5, 1)", 10_000);
    let clamped = gradients(
        &d("normal(0, 1)"),
        &d("normal(5, 1)"),
        Clamp::OpenRlhf,
        10_000,
        9,
        &Cancel::default(),
        &Progress::default(),
    )
    .unwrap()
    .unwrap();
    let k2 = 1;
    assert!(clamped.rows[0].exact[k2].abs() < 0.5 * free.rows[0].exact[k2].abs());
}

#[test]
fn k3_variance_of_two_geometrics_is_infinite_when_the_terms_q_squared_over_p_grow() {
    // q_k²/p_k ∝ ((1 − q)²/(1 − p))^k: 0.8²/0.4 = 1.6 > 1 diverges; 0.4²/0.8 = 0.2 converges.
    let m = moments("geometric(0.6)", "geometric(0.2)", Clamp::None, true);
    let k3 = &m[Estimator::K3.index()];
    assert_eq!(k3.variance.value, f64::INFINITY);
    assert!(k3.variance.reason.is_some());
    assert!(m[Estimator::K1.index()].variance.value.is_finite());
    let m = moments("geometric(0.2)", "geometric(0.6)", Clamp::None, true);
    let k3 = &m[Estimator::K3.index()];
    assert!(k3.variance.value.is_finite());
    // E[k3] = KL(P‖Q) exactly (E_P[r] = 1 on a common support).
    let kl = kl_divergence(
        &d("geometric(0.2)"),
        &d("geometric(0.6)"),
        &Options::default(),
    )
    .unwrap()
    .value;
    assert!(
        (k3.mean.value - kl).abs() < 1e-12,
        "{} vs {kl}",
        k3.mean.value
    );
}
