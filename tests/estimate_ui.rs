//! The Samples view driven headless (egui_kittest): move a control, read the figure it changes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

mod common;

use common::settle;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kl_explorer::app::labs::LabInput;
use kl_explorer::app::state::{View, Which};
use kl_explorer::app::{KlApp, LaunchOptions};
use kl_explorer::distribution::Distribution;
use kl_explorer::divergence::format_value;
use kl_explorer::estimate::{Clamp, Estimator};

fn harness(p: &str, q: &str) -> Harness<'static, KlApp> {
    let launch = LaunchOptions {
        p: Some(p.into()),
        q: Some(q.into()),
        view: Some(View::Samples),
        no_restore: true,
        ..Default::default()
    };
    common::app_harness(launch, [1400.0, 900.0])
}

/// The exact mean of `k` the Samples lab shows for the app's current P and Q.
fn shown_mean(h: &Harness<'static, KlApp>, k: Estimator) -> f64 {
    let app = h.state();
    let (p, q) = (app.side(Which::P), app.side(Which::Q));
    let input = LabInput {
        p: &p.dist,
        q: &q.dist,
        p_source: &app.state.p,
        q_source: &app.state.q,
        unit: app.state.unit,
    };
    app.labs
        .samples
        .current(&input)
        .expect("figures for the current inputs")
        .moments[k.index()]
    .mean
    .value
}

#[test]
fn choosing_the_openrlhf_clamp_changes_the_k2_figure_on_screen() {
    let mut h = harness("normal(0, 1)", "normal(5, 1)");
    let before = shown_mean(&h, Estimator::K2);
    // Unclamped E[k2] = ½E[(5x − 12.5)²] = 90.625.
    assert!((before - 90.625).abs() < 1e-9, "{before}");
    assert!(h.query_all_by_label(&format_value(before)).next().is_some());
    h.get_by_label("OpenRLHF").click();
    settle(&mut h);
    assert_eq!(h.state().labs.samples.clamp, Clamp::OpenRlhf);
    let after = shown_mean(&h, Estimator::K2);
    assert!(after < 10.0, "OpenRLHF caps k2 at 10: {after}");
    assert!(
        h.query_all_by_label(&format_value(after)).next().is_some(),
        "the clamped mean {} is not on screen",
        format_value(after)
    );
}

#[test]
fn the_direction_toggle_estimates_kl_q_p_from_samples_of_q() {
    let mut h = harness("normal(0, 1)", "normal(1, 2)");
    let forward = shown_mean(&h, Estimator::K1);
    assert!((forward - 0.443_147_180_559_945_3).abs() < 1e-9);
    h.get_by_label("samples from Q: KL(Q||P)").click();
    settle(&mut h);
    let backward = shown_mean(&h, Estimator::K1);
    // KL(N(1, 2)‖N(0, 1)) = ln(1/2) + (4 + 1)/2 − ½ = 2 − ln 2.
    assert!((backward - (2.0 - 2f64.ln())).abs() < 1e-9, "{backward}");
}

#[test]
fn the_policy_preset_puts_two_logits_distributions_in_p_and_q() {
    let mut h = harness("normal(0, 1)", "normal(1, 1)");
    h.get_by_label("Policy preset").click();
    settle(&mut h);
    for which in [Which::P, Which::Q] {
        assert!(
            matches!(&*h.state().side(which).dist, Distribution::Parametric(p) if p.family().name() == "logits"),
            "{which:?}"
        );
    }
    // A logits policy has gradients: the table shows one row per logit.
    assert!(h.query_all_by_label("l4").next().is_some());
}
