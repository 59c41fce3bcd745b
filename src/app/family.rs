//! "Beyond KL": pick a divergence (Rényi D_α with its α slider, χ², the symmetric ones), read
//! it both ways, see D_α against α, and for χ² the importance-sampling effective sample size.
//! The choice is saved in [`State`] and is part of the worker's request, so the figures, the
//! pointwise plots and the α curve on screen are always those of the choice they name.

use egui::{RichText, Ui};

use crate::divergence::Figure;
use crate::divergence::renyi::{Divergence, MAX_PLOTTED_ALPHA, Pair};

use super::metrics::{fmt_value, ui_str};
use super::plots::{PQ_COLOR, QP_COLOR, WARN_COLOR, alpha_plot};
use super::state::State;
use super::worker::Derived;

/// The order the Rényi choice starts from.
const DEFAULT_ALPHA: f64 = 0.5;

/// The choices of the selector, by kind (the Rényi order is the slider's).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Kl,
    Renyi,
    Chi2,
    Neyman,
    SquaredHellinger,
    Tv,
    Js,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Kl,
        Kind::Renyi,
        Kind::Chi2,
        Kind::Neyman,
        Kind::SquaredHellinger,
        Kind::Tv,
        Kind::Js,
    ];

    fn of(d: Divergence) -> Kind {
        match d {
            Divergence::Kl => Kind::Kl,
            Divergence::Renyi(_) => Kind::Renyi,
            Divergence::Chi2 => Kind::Chi2,
            Divergence::NeymanChi2 => Kind::Neyman,
            Divergence::SquaredHellinger => Kind::SquaredHellinger,
            Divergence::Tv => Kind::Tv,
            Divergence::Js => Kind::Js,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Kl => "KL",
            Kind::Renyi => "Rényi D_α",
            Kind::Chi2 => "χ² (Pearson)",
            Kind::Neyman => "χ² (Neyman)",
            Kind::SquaredHellinger => "squared Hellinger",
            Kind::Tv => "total variation",
            Kind::Js => "Jensen–Shannon",
        }
    }

    fn divergence(self, alpha: f64) -> Divergence {
        match self {
            Kind::Kl => Divergence::Kl,
            Kind::Renyi => Divergence::Renyi(alpha),
            Kind::Chi2 => Divergence::Chi2,
            Kind::Neyman => Divergence::NeymanChi2,
            Kind::SquaredHellinger => Divergence::SquaredHellinger,
            Kind::Tv => Divergence::Tv,
            Kind::Js => Divergence::Js,
        }
    }
}

fn hover(f: &Figure) -> String {
    let mut s = format!("{}\nestimated error ± {:.1e}", ui_str(&f.method), f.error);
    if let Some(r) = f.reason_text() {
        s.push_str(&format!("\n{}", ui_str(&r)));
    }
    s
}

/// The importance-sampling effective sample size per 1000 samples: 1000/(1 + χ²).
pub fn ess_per_1000(chi2: f64) -> f64 {
    if chi2 == f64::INFINITY {
        0.0
    } else {
        1000.0 / (1.0 + chi2)
    }
}

/// Draws the family section for the latest answer; the selector and slider change
/// `state.divergence`, which the next request carries.
pub fn family_ui(ui: &mut Ui, derived: Option<&Derived>, state: &mut State) {
    ui.heading("Beyond KL");
    let mut kind = Kind::of(state.divergence);
    let mut alpha = match state.divergence {
        Divergence::Renyi(a) => a,
        _ => DEFAULT_ALPHA,
    };
    egui::ComboBox::from_label("divergence")
        .selected_text(kind.label())
        .show_ui(ui, |ui| {
            for k in Kind::ALL {
                ui.selectable_value(&mut kind, k, k.label());
            }
        });
    if kind == Kind::Renyi {
        ui.add(
            egui::Slider::new(&mut alpha, 0.01..=MAX_PLOTTED_ALPHA)
                .logarithmic(true)
                .text("α"),
        )
        .on_hover_text(
            "α → 1 is KL, α = ½ is twice the Bhattacharyya distance, α = 2 gives χ² = e^D₂ − 1",
        );
    }
    state.divergence = kind.divergence(alpha);
    let Some(d) = derived else {
        return;
    };
    let Some(family) = &d.family else {
        return;
    };
    let current = d.request.divergence == state.divergence;
    match &family.pair {
        Err(e) => {
            ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
        }
        Ok(pair) => pair_ui(ui, &pair.in_unit(state.unit), state, current),
    }
    ui.add_space(4.0);
    let alpha_now = match d.request.divergence {
        Divergence::Renyi(a) => Some(a),
        _ => None,
    };
    if family.alpha.alpha.is_empty() {
        ui.label(RichText::new("Pick a divergence beyond KL to see D_α against α.").weak());
    } else {
        alpha_plot(ui, &family.alpha, alpha_now, state.unit);
    }
}

fn pair_ui(ui: &mut Ui, pair: &Pair, state: &State, current: bool) {
    let unit = if pair.divergence.has_unit() {
        format!(" {}", state.unit.name())
    } else {
        String::new()
    };
    let weak = |t: RichText| if current { t } else { t.weak() };
    for (pq, f, col) in [(true, &pair.pq, PQ_COLOR), (false, &pair.qp, QP_COLOR)] {
        if pq || !pair.divergence.is_symmetric() {
            let text = format!(
                "{} = {}{unit}",
                ui_str(&pair.divergence.label(pq)),
                fmt_value(f.value)
            );
            ui.label(weak(RichText::new(text).size(16.0).strong().color(col)))
                .on_hover_text(hover(f));
            // KL's reasons are in the metrics panel above.
            if let Some(r) = f
                .reason_text()
                .filter(|_| pair.divergence != Divergence::Kl)
            {
                ui.label(RichText::new(format!("{}.", ui_str(&r))).color(WARN_COLOR));
            }
        }
    }
    let chi2_both = match pair.divergence {
        Divergence::Chi2 => Some([&pair.pq, &pair.qp]),
        Divergence::NeymanChi2 => Some([&pair.qp, &pair.pq]),
        _ => None,
    };
    if let Some([pq, qp]) = chi2_both {
        ui.label("Importance sampling, effective sample size per 1000 samples, 1000/(1 + χ²):");
        for (f, from, to) in [(pq, "Q", "P"), (qp, "P", "Q")] {
            ui.label(weak(
                RichText::new(format!(
                    "{from} reweighted to {to}: ESS = {:.1}",
                    ess_per_1000(f.value)
                ))
                .monospace(),
            ));
        }
    }
}
