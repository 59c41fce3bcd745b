//! The window's "Beyond KL" section driven as a person would (egui_kittest): pick Rényi in
//! the selector, drag α, pick χ², and read the figures, the ESS and the running value that
//! must change with them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on failure by design

mod common;

use common::settle;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kl_explorer::app::{KlApp, LaunchOptions};
use kl_explorer::divergence::renyi::Divergence;

fn harness() -> Harness<'static, KlApp> {
    common::app_harness(LaunchOptions::default(), [1400.0, 1000.0])
}

fn shows(h: &Harness<'static, KlApp>, text: &str) {
    assert!(
        h.query_all_by_label(text).next().is_some(),
        "no label '{text}' on screen"
    );
}

fn pick(h: &mut Harness<'static, KlApp>, choice: &str) {
    h.get_by_role_and_label(Role::ComboBox, "divergence")
        .click();
    h.run_steps(2);
    h.get_by_label(choice).click();
    h.run_steps(2);
    settle(h);
}

/// The running value's end in the P‖Q direction, as the pointwise plots draw it.
fn running_end(h: &Harness<'static, KlApp>) -> f64 {
    let d = h.state().derived().unwrap();
    *d.family.as_ref().unwrap().curves.run_pq.last().unwrap()
}

#[test]
fn the_selector_and_the_alpha_slider_move_the_renyi_figures_and_the_running_value() {
    let mut h = harness();
    // KL by default: the section repeats KL(P‖Q) = ln 2 + 2/8 − ½.
    shows(&h, "KL(P||Q) = 0.4431 nats");
    pick(&mut h, "Rényi D_α");
    // D_½(N(0,1)‖N(1,2)) = ln 2 − ln(4/2.5) + ½·1/(2·2.5) = 0.32314.
    shows(&h, "D_0.5(P||Q) = 0.3231 nats");
    assert_eq!(
        h.state().derived().unwrap().request.divergence,
        Divergence::Renyi(0.5)
    );
    let end = running_end(&h);
    assert!(
        (end - 0.323_144).abs() < 2e-3,
        "running value ends at {end}"
    );
    h.get_by_role_and_label(Role::Slider, "α")
        .set_value_accesskit(2.0);
    settle(&mut h);
    // σ_α² = 2·4 − 1 = 7: D₂ = ln 2 + ½·ln(4/7) + 2/14 = 0.55620.
    shows(&h, "D_2(P||Q) = 0.5562 nats");
    let end2 = running_end(&h);
    assert!(
        (end2 - 0.556_196).abs() < 2e-3,
        "running value ends at {end2}"
    );
    // Q‖P at α = 2: σ_α² = 2·1 − 4 < 0, so ∞ with its reason.
    shows(&h, "D_2(Q||P) = ∞ nats");
}

#[test]
fn chi2_shows_the_effective_sample_size_per_thousand() {
    let mut h = harness();
    pick(&mut h, "χ² (Pearson)");
    assert_eq!(
        h.state().derived().unwrap().request.divergence,
        Divergence::Chi2
    );
    // χ² = e^(D₂) − 1 = e^0.5561964 − 1 = 0.743997; ESS = 1000/1.743997 = 573.4.
    shows(&h, "χ²(P||Q) = 0.7440");
    shows(&h, "Q reweighted to P: ESS = 573.4");
    // χ²(Q‖P) is ∞ here: no sample of P reweighted to Q is effective.
    shows(&h, "P reweighted to Q: ESS = 0.0");
}
