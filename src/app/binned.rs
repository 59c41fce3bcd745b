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
                    for [x, y] in infinity_labels(&t.contributions) {
                        plot_ui.text(
                            egui_plot::Text::new("∞", egui_plot::PlotPoint::new(x, y), "∞")
                                .color(WARN_COLOR),
                        );
                    }
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

/// The height of the plot's ceiling: above every finite bar, so that an infinite one, drawn to
/// it in the warning colour and labelled ∞, stands out as more than any finite one.
fn ceiling(c: &[(f64, f64, f64)]) -> f64 {
    let top = c
        .iter()
        .map(|t| t.2)
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if top > 0.0 { 1.25 * top } else { 1.0 }
}

/// One bar per (already decimated) bin; an infinite contribution reaches the ceiling in the
/// warning colour (its ∞ label is drawn beside it).
fn bars(c: &[(f64, f64, f64)]) -> Vec<egui_plot::Bar> {
    let top = ceiling(c);
    c.iter()
        .map(|&(lo, hi, v)| {
            let height = if v.is_finite() { v } else { top.copysign(v) };
            let bar = egui_plot::Bar::new(0.5 * (lo + hi), height).width((hi - lo) * 0.9);
            if v.is_finite() {
                bar
            } else {
                bar.fill(WARN_COLOR)
            }
        })
        .collect()
}

/// Where the ∞ labels go: above each infinite bar.
fn infinity_labels(c: &[(f64, f64, f64)]) -> Vec<[f64; 2]> {
    let top = ceiling(c);
    c.iter()
        .filter(|t| t.2.is_infinite())
        .map(|&(lo, hi, v)| [0.5 * (lo + hi), top.copysign(v) * 0.9])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_infinite_bin_reaches_above_every_finite_one_and_is_labelled() {
        let c = [
            (0.0, 1.0, -0.02),
            (1.0, 2.0, 0.04),
            (4.0, 5.0, f64::INFINITY),
        ];
        let b = bars(&c);
        let heights: Vec<f64> = b.iter().map(|b| b.value).collect();
        assert_eq!(heights[..2], [-0.02, 0.04]);
        assert!(heights[2] > 0.04 && heights[2].is_finite(), "{heights:?}");
        assert_eq!(infinity_labels(&c), vec![[4.5, heights[2] * 0.9]]);
        assert!(infinity_labels(&c[..2]).is_empty());
    }
}
