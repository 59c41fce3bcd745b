//! The metrics panel: KL both ways and its relatives, the unit toggle, the smoothing control.
//!
//! Every figure shown comes from one [`Derived`] answer, so the figures, the curves and the
//! grid sums always describe the same P and Q; while a newer request is computing, they stay
//! and are marked as updating.

use egui::{RichText, Ui};

use crate::distribution::{Distribution, Note};
use crate::divergence::{Figure, FigureId, Report, Unit};

use super::command::Command;
use super::plots::{PQ_COLOR, WARN_COLOR};
use super::state::State;
use super::worker::Derived;

/// Formats a figure's value for display: the core's one formatter (4 decimals, ∞ and −∞).
pub use crate::divergence::format_value as fmt_value;

/// Library text for the screen: egui's default fonts have no '‖' or '→'.
pub fn ui_str(s: &str) -> String {
    s.replace('‖', "||").replace('→', "->")
}

fn hover(f: &Figure) -> String {
    let mut s = format!("{}\nestimated error ± {:.1e}", ui_str(&f.method), f.error);
    if let Some(r) = f.reason_text() {
        s.push_str(&format!("\n{}", ui_str(&r)));
    }
    s
}

/// The rows of the metrics table, for drawing and for copying: label, figure, whether it has
/// a unit — in the core's one list of figures.
pub fn rows(r: &Report) -> Vec<(String, &Figure, bool)> {
    FigureId::ALL
        .into_iter()
        .map(|id| (ui_str(id.label()), r.get(id), id.has_unit()))
        .collect()
}

/// The table as tab-separated text, for the clipboard.
pub fn table_text(r: &Report, p: &str, q: &str) -> String {
    let mut s = format!(
        "P\t{p}\nQ\t{q}\nfigure\tvalue ({})\terror\tmethod\n",
        r.unit.name()
    );
    for (name, f, _) in rows(r) {
        s.push_str(&format!(
            "{name}\t{}\t{:.2e}\t{}\n",
            fmt_value(f.value),
            f.error,
            f.method
        ));
    }
    s
}

fn is_binned(d: &Distribution) -> bool {
    matches!(d, Distribution::Histogram(_))
}

/// Draws the metrics panel for the latest answer; `updating` says a newer one is on its way.
#[must_use]
pub fn metrics_ui(
    ui: &mut Ui,
    derived: Option<&Derived>,
    updating: bool,
    state: &mut State,
) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.horizontal(|ui| {
        ui.heading("Divergence");
        if updating {
            ui.spinner();
            ui.label(RichText::new("updating…").weak());
        }
    });
    ui.horizontal(|ui| {
        ui.selectable_value(&mut state.unit, Unit::Nats, "nats");
        ui.selectable_value(&mut state.unit, Unit::Bits, "bits");
    });
    let Some(d) = derived else {
        ui.label("computing…");
        return commands;
    };
    match &d.report {
        Err(e) => {
            ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
        }
        Ok(nats) => figures_ui(ui, &nats.in_unit(state.unit), d, &mut commands),
    }
    for (side, dist) in [("P", &d.request.p), ("Q", &d.request.q)] {
        for n in dist.typed_notes() {
            if matches!(n, Note::Normalised { .. }) {
                ui.label(RichText::new(format!("{side}: {n}")).color(WARN_COLOR));
            }
        }
    }
    let binned = is_binned(&d.request.p) || is_binned(&d.request.q);
    if binned {
        ui.separator();
        smoothing_ui(ui, state, d.request.smoothing);
    }
    commands
}

fn figures_ui(ui: &mut Ui, r: &Report, d: &Derived, commands: &mut Vec<Command>) {
    let unit = r.unit.name();
    ui.add_space(4.0);
    ui.label("KL(P||Q)");
    ui.label(
        RichText::new(format!("{} {unit}", fmt_value(r.kl_pq.value)))
            .size(28.0)
            .strong()
            .color(PQ_COLOR),
    )
    .on_hover_text(hover(&r.kl_pq));
    if let Some(reason) = r.kl_pq.reason_text() {
        ui.label(RichText::new(format!("{}.", ui_str(&reason))).color(WARN_COLOR));
    }
    if is_binned(&d.request.p) || is_binned(&d.request.q) {
        ui.label(match d.request.smoothing {
            Some(a) => format!(
                "all figures with additive smoothing α = {} per bin",
                crate::distribution::family::format_number(a)
            ),
            None => "no smoothing: figures are exact for the data".to_string(),
        });
    }
    ui.add_space(6.0);
    egui::Grid::new("metrics")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (name, f, has_unit) in rows(r).into_iter().skip(1) {
                ui.label(name);
                let text = if has_unit {
                    format!("{} {unit}", fmt_value(f.value))
                } else {
                    fmt_value(f.value)
                };
                ui.label(RichText::new(text).monospace())
                    .on_hover_text(hover(f));
                ui.end_row();
            }
        });
    if let Some(reason) = &r.kl_qp.reason {
        ui.label(
            RichText::new(format!("KL(Q||P) is ∞ because {}.", ui_str(reason))).color(WARN_COLOR),
        );
    }
    ui.label(
        RichText::new(format!(
            "computed in {:.0} ms",
            d.elapsed.as_secs_f64() * 1e3
        ))
        .weak(),
    );
    ui.add_space(4.0);
    if ui
        .button("Copy table")
        .on_hover_text("Copy the figures as tab-separated text")
        .clicked()
    {
        ui.ctx().copy_text(table_text(
            r,
            &d.request.p.to_spec(),
            &d.request.q.to_spec(),
        ));
        commands.push(Command::Toast("Figures copied to the clipboard".into()));
    }
}

/// The smoothing control. `computed` is the smoothing of the figures on screen.
fn smoothing_ui(ui: &mut Ui, state: &mut State, computed: Option<f64>) {
    let mut on = state.smoothing.is_some();
    if ui
        .checkbox(&mut on, "Additive smoothing")
        .on_hover_text("Adds a pseudo-count α to every bin: p_i = (c_i + α) / (N + kα). Off by default: a zero bin in Q under P's mass makes KL(P||Q) infinite, and that is the honest answer.")
        .changed()
    {
        state.smoothing = on.then_some(computed.unwrap_or(0.5));
    }
    if let Some(a) = &mut state.smoothing {
        ui.add(
            egui::Slider::new(a, 1e-6..=10.0)
                .logarithmic(true)
                .text("α per bin"),
        );
        ui.label(RichText::new("p_i = (c_i + α) / (N + k·α)").monospace());
    }
}
