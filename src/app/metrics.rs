//! The metrics panel: KL both ways and its relatives, the unit toggle, the smoothing control,
//! and "How is it computed?".

use egui::{RichText, Ui};

use crate::distribution::Distribution;
use crate::divergence::{Figure, Report, Unit, grid_sum};

use super::Command;
use super::plots::{PQ_COLOR, WARN_COLOR};
use super::state::State;

/// The naive grid sum of "How is it computed?", recomputed only when P, Q (the app's
/// computation generation) or the grid change — with 10^5 points or a 10^6-bin histogram it
/// is far too slow to redo every frame.
#[derive(Default)]
pub struct GridSumCache {
    key: Option<(u64, u64, u64, usize)>,
    value: (f64, f64),
}

impl GridSumCache {
    fn get(
        &mut self,
        generation: u64,
        p: &Distribution,
        q: &Distribution,
        (a, b, n): (f64, f64, usize),
    ) -> (f64, f64) {
        let key = (generation, a.to_bits(), b.to_bits(), n);
        if self.key != Some(key) {
            self.value = grid_sum(p, q, a, b, n);
            self.key = Some(key);
        }
        self.value
    }
}

/// Formats a figure's value for display: 4 significant decimals, ∞ for infinity.
pub fn fmt_value(v: f64) -> String {
    if v.is_infinite() {
        "∞".into()
    } else if v.is_nan() {
        "undefined".into()
    } else if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e5) {
        format!("{v:.4e}")
    } else {
        format!("{v:.4}")
    }
}

/// Library text for the screen: egui's default fonts have no '‖' or '→'.
pub fn ui_str(s: &str) -> String {
    s.replace('‖', "||").replace('→', "->")
}

fn hover(f: &Figure) -> String {
    let mut s = format!("{}\nestimated error ± {:.1e}", ui_str(&f.method), f.error);
    if let Some(r) = &f.reason {
        s.push_str(&format!("\n∞ because {r}"));
    }
    s
}

/// The rows of the metrics table, for drawing and for copying.
pub fn rows(r: &Report) -> Vec<(&'static str, &Figure)> {
    vec![
        ("KL(P||Q)", &r.kl_pq),
        ("KL(Q||P)", &r.kl_qp),
        ("JS", &r.js),
        ("Jeffreys", &r.jeffreys),
        ("H(P)", &r.entropy_p),
        ("H(Q)", &r.entropy_q),
        ("H(P,Q)", &r.cross_entropy_pq),
        ("H(Q,P)", &r.cross_entropy_qp),
        ("TV", &r.tv),
        ("Hellinger", &r.hellinger),
    ]
}

/// The table as tab-separated text, for the clipboard.
pub fn table_text(r: &Report, p: &str, q: &str) -> String {
    let mut s = format!(
        "P\t{p}\nQ\t{q}\nfigure\tvalue ({})\terror\tmethod\n",
        r.unit.name()
    );
    for (name, f) in rows(r) {
        s.push_str(&format!(
            "{name}\t{}\t{:.2e}\t{}\n",
            fmt_value(f.value),
            f.error,
            f.method
        ));
    }
    s
}

/// Draws the metrics panel.
#[allow(clippy::too_many_arguments)] // the panel reads most of the app's state
pub fn metrics_ui(
    ui: &mut Ui,
    grid_cache: &mut GridSumCache,
    generation: u64,
    report: Option<&Result<Report, String>>,
    busy: bool,
    state: &mut State,
    p: &Distribution,
    q: &Distribution,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading("Divergence");
        if busy {
            ui.spinner();
        }
    });
    ui.horizontal(|ui| {
        ui.selectable_value(&mut state.unit, Unit::Nats, "nats");
        ui.selectable_value(&mut state.unit, Unit::Bits, "bits");
    });
    match report {
        None => {
            ui.label("computing…");
        }
        Some(Err(e)) => {
            ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
        }
        Some(Ok(nats)) => {
            let r = nats.in_unit(state.unit);
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
            if let Some(reason) = &r.kl_pq.reason {
                ui.label(RichText::new(format!("∞ because {}.", ui_str(reason))).color(WARN_COLOR));
            }
            let binned =
                matches!(p, Distribution::Histogram(_)) || matches!(q, Distribution::Histogram(_));
            if binned {
                ui.label(
                    RichText::new(match state.smoothing {
                        Some(a) => {
                            format!("all figures with additive smoothing α = {a:.3} per bin")
                        }
                        None => "no smoothing".to_string(),
                    })
                    .small(),
                );
            }
            ui.add_space(6.0);
            egui::Grid::new("metrics")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (name, f) in rows(&r).into_iter().skip(1) {
                        ui.label(name);
                        let unitless = name == "TV" || name == "Hellinger";
                        let text = if unitless {
                            fmt_value(f.value)
                        } else {
                            format!("{} {unit}", fmt_value(f.value))
                        };
                        ui.label(RichText::new(text).monospace())
                            .on_hover_text(hover(f));
                        ui.end_row();
                    }
                });
            if let Some(reason) = &r.kl_qp.reason {
                ui.label(
                    RichText::new(format!("KL(Q||P) is ∞ because {}.", ui_str(reason)))
                        .color(WARN_COLOR),
                );
            }
            ui.add_space(4.0);
            if ui
                .button("Copy table")
                .on_hover_text("Copy the figures as tab-separated text")
                .clicked()
            {
                ui.ctx()
                    .copy_text(table_text(&r, &p.to_spec(), &q.to_spec()));
                commands.push(Command::Toast("Figures copied to the clipboard".into()));
            }
        }
    }
    let notes: Vec<String> = p
        .notes()
        .into_iter()
        .map(|n| format!("P: {n}"))
        .chain(q.notes().into_iter().map(|n| format!("Q: {n}")))
        .filter(|n| n.contains("normalised"))
        .collect();
    for n in notes {
        ui.label(RichText::new(n).small().color(WARN_COLOR));
    }
    let histograms =
        matches!(p, Distribution::Histogram(_)) || matches!(q, Distribution::Histogram(_));
    if histograms {
        ui.separator();
        smoothing_ui(ui, state);
    }
    ui.separator();
    how_ui(ui, state, p, q, report, |p, q, g| {
        grid_cache.get(generation, p, q, g)
    });
}

fn smoothing_ui(ui: &mut Ui, state: &mut State) {
    let mut on = state.smoothing.is_some();
    if ui
        .checkbox(&mut on, "Additive smoothing")
        .on_hover_text("Adds a pseudo-count α to every bin: p_i = (c_i + α) / (N + kα). Off by default: a zero bin in Q under P's mass makes KL(P||Q) infinite, and that is the honest answer.")
        .changed()
    {
        state.smoothing = on.then_some(0.5);
    }
    if let Some(a) = &mut state.smoothing {
        ui.add(
            egui::Slider::new(a, 1e-6..=10.0)
                .logarithmic(true)
                .text("α per bin"),
        );
        ui.label(
            RichText::new("p_i = (c_i + α) / (N + k·α)")
                .small()
                .monospace(),
        );
    } else {
        ui.label(
            RichText::new("no smoothing: figures are exact for the data")
                .small()
                .weak(),
        );
    }
}

fn how_ui(
    ui: &mut Ui,
    state: &mut State,
    p: &Distribution,
    q: &Distribution,
    report: Option<&Result<Report, String>>,
    mut grid: impl FnMut(&Distribution, &Distribution, (f64, f64, usize)) -> (f64, f64),
) {
    egui::CollapsingHeader::new("How is it computed?")
        .default_open(true)
        .show(ui, |ui| {
            let exact = match report {
                Some(Ok(r)) => r.kl_pq.clone(),
                _ => return,
            };
            ui.label(RichText::new(format!("KL(P||Q) exact: {} nats", fmt_value(exact.value))).strong());
            ui.label(RichText::new(&exact.method).small().weak());
            if p.kind() == crate::distribution::Kind::Discrete {
                ui.label("For discrete distributions KL is an exact sum over the support.");
                return;
            }
            ui.add_space(4.0);
            ui.label("A naive grid sum, as in the note this tool grew from:");
            let (a, b, n) = &mut state.grid;
            ui.horizontal(|ui| {
                let from = ui.label("from");
                ui.add(egui::DragValue::new(a).speed(0.1)).labelled_by(from.id);
                let to = ui.label("to");
                ui.add(egui::DragValue::new(b).speed(0.1)).labelled_by(to.id);
            });
            ui.add(egui::Slider::new(n, 10..=100_000).logarithmic(true).text("points"));
            if *b <= *a {
                *b = *a + 1.0;
            }
            let (sum, sum_dx) = grid(p, q, (*a, *b, *n));
            egui::Grid::new("grid-sum").num_columns(2).show(ui, |ui| {
                ui.label("Σ kl_div(p_i, q_i)");
                ui.label(RichText::new(fmt_value(sum)).monospace().color(WARN_COLOR));
                ui.end_row();
                ui.label("Σ … × Δx");
                ui.label(RichText::new(fmt_value(sum_dx)).monospace());
                ui.end_row();
                ui.label("exact");
                ui.label(RichText::new(fmt_value(exact.value)).monospace().color(PQ_COLOR));
                ui.end_row();
            });
            ui.label(
                RichText::new(
                    "KL is an integral, ∫ p ln(p/q) dx. Summing the integrand at grid points without multiplying by the spacing Δx gives a number that grows with the number of points. scipy's kl_div(p, q) is p ln(p/q) − p + q per point: the extra terms integrate to 0 only when both densities are whole, so its sum is not KL either. Multiplied by Δx, the sum approaches the exact value as the grid gets finer and wider.",
                )
                .small(),
            );
        });
}

/// The binned view: "compare on P's bins", PSI, the bins that contribute most, and a bar chart
/// of every bin's share of KL(P||Q).
pub fn bins_ui(
    ui: &mut Ui,
    bins: Option<&crate::divergence::bins::BinTable>,
    state: &mut State,
    p: &Distribution,
    q: &Distribution,
) {
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
            ui.label(RichText::new(format!("on {}", t.basis)).small().weak());
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
