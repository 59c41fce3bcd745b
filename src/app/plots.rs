//! The three linked plots: densities, pointwise divergence, running integral. Plots only read
//! state.

use std::sync::Arc;

use egui::{Color32, Id, Ui};
use egui_plot::{Bar, BarChart, FilledArea, Legend, Line, Plot, PlotPoints, Span};

use crate::distribution::Distribution;
use crate::divergence::pointwise::Curves;

use super::side::color;
use super::state::{Direction, Which};

/// KL(P||Q)'s pointwise curve (bluish green) and the reverse (reddish purple), Okabe–Ito.
pub const PQ_COLOR: Color32 = Color32::from_rgb(0, 158, 115);
/// See [`PQ_COLOR`].
pub const QP_COLOR: Color32 = Color32::from_rgb(204, 121, 167);
/// Regions where KL is infinite (vermillion).
pub const WARN_COLOR: Color32 = Color32::from_rgb(213, 94, 0);

/// What the plots need besides the curves.
pub struct PlotInput<'a> {
    /// The curves.
    pub curves: &'a Curves,
    /// P, for hover read-outs.
    pub p: Arc<Distribution>,
    /// Q.
    pub q: Arc<Distribution>,
    /// Log scale for densities.
    pub log_y: bool,
    /// Which divergence to draw.
    pub direction: Direction,
    /// Re-fit the view this frame.
    pub fit: bool,
}

fn hover_text(p: &Distribution, q: &Distribution, x: f64, discrete: bool) -> String {
    let (lp, lq) = if discrete {
        let k = x.round() as i64;
        (p.ln_pmf(k), q.ln_pmf(k))
    } else {
        (p.ln_density(x), q.ln_density(x))
    };
    let (pv, qv) = (lp.exp(), lq.exp());
    let ratio = if lq == f64::NEG_INFINITY && lp > f64::NEG_INFINITY {
        "∞".to_string()
    } else {
        format!("{:.4}", (lp - lq).exp())
    };
    let term = crate::divergence::kl_term(lp, lq);
    let xs = if discrete {
        format!("k = {}", x.round())
    } else {
        format!("x = {x:.4}")
    };
    format!(
        "{xs}\np = {pv:.5}\nq = {qv:.5}\np/q = {ratio}\np·ln(p/q) = {}",
        if term.is_infinite() {
            "∞".into()
        } else {
            format!("{term:.5}")
        }
    )
}

fn series(x: &[f64], y: &[f64], f: impl Fn(f64) -> f64) -> PlotPoints<'static> {
    x.iter()
        .zip(y)
        .filter(|(_, v)| v.is_finite())
        .map(|(a, b)| [*a, f(*b)])
        .collect()
}

fn log_value(v: f64) -> f64 {
    if v > 0.0 { v.log10().max(-12.0) } else { -12.0 }
}

fn base_plot<'a>(id: &str, input: &PlotInput<'a>, height: f32) -> Plot<'a> {
    let (p, q, discrete) = (input.p.clone(), input.q.clone(), input.curves.discrete);
    let mut plot = Plot::new(id.to_string())
        .height(height)
        .link_axis(Id::unique("kl-x"), [true, false])
        .link_cursor(Id::unique("kl-x"), [true, false])
        .legend(Legend::default().position(egui_plot::Corner::RightTop))
        .y_axis_min_width(48.0)
        .custom_x_axes(vec![
            egui_plot::AxisHints::new_x().label_spacing(36.0..=48.0),
        ])
        .label_formatter(move |hover| {
            let x = match hover {
                egui_plot::HoverPosition::NearDataPoint { position, .. }
                | egui_plot::HoverPosition::Elsewhere { position } => position.x,
            };
            Some(hover_text(&p, &q, x, discrete))
        });
    let (lo, hi) = input.curves.view;
    if input.fit {
        plot = plot.reset();
    }
    if hi > lo && lo.is_finite() && hi.is_finite() {
        plot = plot.default_x_bounds(lo, hi);
    }
    plot
}

fn mark_infinite(plot_ui: &mut egui_plot::PlotUi<'_>, c: &Curves, direction: Direction) {
    let mut regions: Vec<(f64, f64, &str)> = Vec::new();
    if direction != Direction::QP {
        regions.extend(
            c.infinite_pq
                .iter()
                .map(|(a, b)| (*a, *b, "Q = 0 where P > 0")),
        );
    }
    if direction != Direction::PQ {
        regions.extend(
            c.infinite_qp
                .iter()
                .map(|(a, b)| (*a, *b, "P = 0 where Q > 0")),
        );
    }
    let (vlo, vhi) = c.view;
    for (a, b, name) in regions {
        let (a, b) = (
            a.max(vlo - 1e6 * (vhi - vlo)),
            b.min(vhi + 1e6 * (vhi - vlo)),
        );
        plot_ui.add(
            Span::new(name, a..=b)
                .fill(WARN_COLOR.gamma_multiply(0.25))
                .border_color(WARN_COLOR),
        );
    }
}

/// Draws the three plots in the available space; returns the rectangle they cover.
pub fn plots_ui(ui: &mut Ui, input: &PlotInput<'_>) -> egui::Rect {
    let c = input.curves;
    let top = ui.cursor().min;
    let total = ui.available_height() - 3.0 * ui.spacing().item_spacing.y - 60.0;
    let h = [0.42, 0.33, 0.25].map(|f| (total * f).max(80.0));
    let dark = ui.visuals().dark_mode;
    let (pc, qc) = (color(Which::P, dark), color(Which::Q, dark));

    ui.label(if input.log_y {
        "Densities (log₁₀ scale)"
    } else if c.discrete {
        "Probability mass p(k), q(k)"
    } else {
        "Densities p(x), q(x)"
    });
    base_plot("densities", input, h[0]).show(ui, |plot_ui| {
        mark_infinite(plot_ui, c, input.direction);
        let f = |v: f64| if input.log_y { log_value(v) } else { v };
        if c.discrete {
            let bars = |ys: &[f64], col: Color32, offset: f64| -> Vec<Bar> {
                c.x.iter()
                    .zip(ys)
                    .map(|(x, y)| Bar::new(x + offset, f(*y)).width(0.35).fill(col))
                    .collect()
            };
            plot_ui.add(BarChart::new("P", bars(&c.p, pc, -0.18)).color(pc));
            plot_ui.add(BarChart::new("Q", bars(&c.q, qc, 0.18)).color(qc));
        } else {
            plot_ui.add(Line::new("P", series(&c.x, &c.p, f)).color(pc).width(2.0));
            plot_ui.add(Line::new("Q", series(&c.x, &c.q, f)).color(qc).width(2.0));
        }
    });

    ui.label(match input.direction {
        Direction::PQ => "Pointwise divergence p·ln(p/q)  (integrates to KL(P||Q))",
        Direction::QP => "Pointwise divergence q·ln(q/p)  (integrates to KL(Q||P))",
        Direction::Both => "Pointwise divergence, both directions",
    });
    base_plot("pointwise", input, h[1]).show(ui, |plot_ui| {
        mark_infinite(plot_ui, c, input.direction);
        let show = |d: Direction| input.direction == d || input.direction == Direction::Both;
        for (dir, ys, col, name) in [
            (Direction::PQ, &c.d_pq, PQ_COLOR, "p·ln(p/q)"),
            (Direction::QP, &c.d_qp, QP_COLOR, "q·ln(q/p)"),
        ] {
            if !show(dir) {
                continue;
            }
            if c.discrete {
                let bars: Vec<Bar> =
                    c.x.iter()
                        .zip(ys.iter())
                        .filter(|(_, y)| y.is_finite())
                        .map(|(x, y)| Bar::new(*x, *y).width(0.6).fill(col.gamma_multiply(0.7)))
                        .collect();
                plot_ui.add(BarChart::new(name, bars).color(col));
            } else {
                let xs: Vec<f64> = c.x.clone();
                let pos: Vec<f64> = ys
                    .iter()
                    .map(|y| if y.is_finite() { y.max(0.0) } else { 0.0 })
                    .collect();
                let neg: Vec<f64> = ys
                    .iter()
                    .map(|y| if y.is_finite() { y.min(0.0) } else { 0.0 })
                    .collect();
                let zero = vec![0.0; xs.len()];
                plot_ui.add(
                    FilledArea::new(format!("{name} > 0"), &xs, &zero, &pos)
                        .fill_color(col.gamma_multiply(0.35)),
                );
                plot_ui.add(
                    FilledArea::new(format!("{name} < 0"), &xs, &neg, &zero)
                        .fill_color(Color32::GRAY.gamma_multiply(0.35)),
                );
                plot_ui.add(
                    Line::new(name, series(&c.x, ys, |v| v))
                        .color(col)
                        .width(2.0),
                );
            }
        }
    });

    ui.label("Running integral from −∞ (ends at KL)");
    base_plot("running", input, h[2]).show(ui, |plot_ui| {
        mark_infinite(plot_ui, c, input.direction);
        let show = |d: Direction| input.direction == d || input.direction == Direction::Both;
        if show(Direction::PQ) {
            plot_ui.add(
                Line::new("∫ p·ln(p/q)", series(&c.x, &c.run_pq, |v| v))
                    .color(PQ_COLOR)
                    .width(2.0),
            );
        }
        if show(Direction::QP) {
            plot_ui.add(
                Line::new("∫ q·ln(q/p)", series(&c.x, &c.run_qp, |v| v))
                    .color(QP_COLOR)
                    .width(2.0),
            );
        }
    });
    egui::Rect::from_min_max(top, ui.min_rect().max)
}
