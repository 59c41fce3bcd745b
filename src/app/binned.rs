//! The binned view: "compare on P's bins", PSI, the bins that contribute most, and a bar chart
//! of every bin's share of KL(P||Q).

use egui::{RichText, Ui};

use crate::distribution::Distribution;
use crate::divergence::bins::BinTable;

use super::metrics::fmt_value;
use super::plots::{PQ_COLOR, WARN_COLOR};
use super::state::State;
use super::worker::Derived;

/// Draws the binned view of the latest answer `derived`; the "compare on P's bins" toggle
/// changes `state`.
pub fn bins_ui(ui: &mut Ui, derived: Option<&Derived>, state: &mut State) {
    let Some(d) = derived else {
        return;
    };
    let (p, q) = (d.request.p.as_ref(), d.request.q.as_ref());
    let bins: Option<&BinTable> = d.bins.as_deref();
    let hist_vs_param = matches!(p, Distribution::Histogram(_))
        && q.kind() == crate::distribution::Kind::Continuous
        && !matches!(q, Distribution::Histogram(_));
    if hist_vs_param {
        ui.separator();
        ui.checkbox(&mut state.compare_on_p_bins, "Compare on P's bins")
            .on_hover_text("Replace Q by its bin probabilities on P's bins (from Q's cdf) and compare both as discrete distributions. KL(Q||P) is then finite when Q has mass only outside P's bins.");
    }
    let Some(t) = bins else {
        return;
    };
    ui.separator();
    egui::CollapsingHeader::new("Where does KL come from? (bins)")
        .default_open(true)
        .show(ui, |ui| {
            ui.label(RichText::new(format!("on {}", t.basis)).weak());
            egui::Grid::new("bin-summary").num_columns(2).show(ui, |ui| {
                ui.label("PSI");
                ui.label(RichText::new(fmt_value(t.psi)).monospace())
                    .on_hover_text("Population Stability Index, Σ (p − q)·ln(p/q) over the bins; ∞ when a bin is empty on one side only");
                ui.end_row();
                ui.label("KL(P||Q) on bins");
                ui.label(RichText::new(fmt_value(t.kl_on_bins)).monospace());
                ui.end_row();
            });
            let bars: Vec<egui_plot::Bar> = bars(&t.contributions);
            egui_plot::Plot::new("bin-contributions")
                .height(110.0)
                .show_axes([true, true])
                .allow_scroll(false)
                .show(ui, |plot_ui| {
                    plot_ui.add(egui_plot::BarChart::new("p·ln(p/q) per bin", bars).color(PQ_COLOR));
                });
            ui.label(RichText::new("Largest contributions").strong());
            egui::Grid::new("bin-top").num_columns(4).striped(true).show(ui, |ui| {
                ui.label("bin");
                ui.label("p");
                ui.label("q");
                ui.label("p·ln(p/q)");
                ui.end_row();
                for row in &t.top {
                    ui.label(&row.label);
                    ui.label(RichText::new(format!("{:.4}", row.p)).monospace());
                    ui.label(RichText::new(format!("{:.4}", row.q)).monospace());
                    let text = RichText::new(fmt_value(row.contribution)).monospace();
                    ui.label(if row.contribution.is_infinite() { text.color(WARN_COLOR) } else { text });
                    ui.end_row();
                }
            });
        });
}

/// One bar per (already decimated) bin; infinite contributions drawn in the warning colour.
fn bars(c: &[(f64, f64, f64)]) -> Vec<egui_plot::Bar> {
    c.iter()
        .map(|&(lo, hi, v)| {
            let bar = egui_plot::Bar::new(0.5 * (lo + hi), if v.is_finite() { v } else { 0.0 })
                .width((hi - lo) * 0.9);
            if v.is_finite() {
                bar
            } else {
                bar.fill(WARN_COLOR)
            }
        })
        .collect()
}
