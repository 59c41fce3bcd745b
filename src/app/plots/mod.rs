//! The three linked plots: densities, pointwise divergence, running integral. Plots only read
//! state.
//!
//! What is drawn is what is computed: where the pointwise divergence or the running integral is
//! `+inf` ([`Curves`]), the curve rises to a ceiling above every finite value and carries a ▲
//! marker and "∞"; it is never drawn as a finite stand-in (0, or a line to the next finite
//! sample). A zero density on the log scale breaks the line instead of sitting at 10⁻¹².
//! All three plots share one y-axis width, so that x = 0 (and the linked cursor) is at the same
//! pixel in each; the series are named in the heading above each plot, not in a legend that
//! could cover the curves.

use std::ops::RangeInclusive;
use std::sync::Arc;

use egui::{Align2, Color32, Id, RichText, Ui};
use egui_plot::{
    AxisHints, Bar, BarChart, FilledArea, GridInput, GridMark, Line, LineStyle, MarkerShape, Plot,
    PlotPoint, PlotPoints, PlotTransform, PlotUi, Points, Span, Text,
};

use crate::distribution::Distribution;
use crate::divergence::Unit;
use crate::divergence::pointwise::{Curves, InfiniteFrom};
use crate::divergence::renyi::Divergence;

use super::side::color;
use super::state::{Direction, Which};

/// KL(P||Q)'s pointwise curve (bluish green) and the reverse (reddish purple), Okabe–Ito.
pub const PQ_COLOR: Color32 = Color32::from_rgb(0, 158, 115);
/// See [`PQ_COLOR`].
pub const QP_COLOR: Color32 = Color32::from_rgb(204, 121, 167);
/// Regions where KL is infinite (vermillion).
pub const WARN_COLOR: Color32 = Color32::from_rgb(213, 94, 0);

/// Pixels between labelled ticks on the x axis (at least), and on the y axis.
const X_LABEL_PX: f64 = 40.0;
const Y_LABEL_PX: f64 = 24.0;

/// What the plots need besides the curves.
pub struct PlotInput<'a> {
    /// The curves.
    pub curves: &'a Curves,
    /// P, for hover read-outs (the P the curves were computed from).
    pub p: Arc<Distribution>,
    /// Q.
    pub q: Arc<Distribution>,
    /// Log scale for densities.
    pub log_y: bool,
    /// Which divergence to draw.
    pub direction: Direction,
    /// Re-fit the view this frame.
    pub fit: bool,
    /// The unit of the pointwise divergence and the running integral (and their read-outs).
    pub unit: Unit,
    /// The report's KL(P||Q) and KL(Q||P), in nats, when they are known: the running integral's
    /// end is labelled with them (the chosen divergence's, when it is not KL).
    pub kl: Option<[f64; 2]>,
    /// The divergence whose integrand and running value `curves` hold.
    pub divergence: Divergence,
}

/// Where each plot was drawn, for the caller and for tests.
#[derive(Clone, Copy, Debug)]
pub struct PlotsShown {
    /// The rectangle the three plots (with headings) cover.
    pub rect: egui::Rect,
    /// Each plot's screen ↔ plot transform: densities, pointwise, running integral.
    pub transforms: [PlotTransform; 3],
}

mod alpha;
mod format;
mod infinity;
#[cfg(test)]
mod tests;

pub use alpha::alpha_plot;
use format::*;
pub use format::{format_value, tick_label};
pub use infinity::staircase;
use infinity::*;

/// `plot` with an x axis (named `name`) of log₁₀ of a quantity: ticks at whole powers of ten,
/// as close as the main plots' labels, labelled with the quantity itself (`1e-4`, `1`, `10`),
/// and the pointer's x read back the same way.
pub fn log10_x_axis<'a>(plot: Plot<'a>, name: &str, quantity: &'a str) -> Plot<'a> {
    let x_axis = AxisHints::new_x()
        .label(name)
        .label_spacing(30.0..=X_LABEL_PX as f32)
        .formatter(|mark: GridMark, _: &RangeInclusive<f64>| {
            log_tick_label(mark.value, mark.step_size)
        });
    plot.custom_x_axes(vec![x_axis])
        .x_grid_spacer(|g| nice_grid(&g, X_LABEL_PX, true))
        .label_formatter(move |hover| {
            Some(match hover {
                egui_plot::HoverPosition::NearDataPoint {
                    plot_name,
                    position,
                    ..
                } => log10_hover_text(quantity, plot_name, position.x, position.y),
                egui_plot::HoverPosition::Elsewhere { position } => {
                    log10_hover_text(quantity, "", position.x, position.y)
                }
            })
        })
}

/// What the pointer reads on a [`log10_x_axis`] plot: the series' name (if any), the
/// quantity at `x` (its log₁₀) and `y`.
fn log10_hover_text(quantity: &str, name: &str, x: f64, y: f64) -> String {
    let at = format!(
        "{quantity} = {}\n{}",
        format_value(10f64.powf(x)),
        format_value(y)
    );
    if name.is_empty() {
        at
    } else {
        format!("{name}\n{at}")
    }
}

fn unit_scale(unit: Unit) -> f64 {
    match unit {
        Unit::Nats => 1.0,
        Unit::Bits => std::f64::consts::LOG2_E,
    }
}

/// The value of `series` at `x`, linearly between samples (exact at the samples).
fn interpolate(xs: &[f64], series: &[f64], x: f64) -> Option<f64> {
    let i = xs.partition_point(|v| *v < x);
    if i >= xs.len() {
        return None;
    }
    if xs[i] == x || i == 0 {
        return (xs[i] == x).then_some(series[i]);
    }
    let (x0, x1, y0, y1) = (xs[i - 1], xs[i], series[i - 1], series[i]);
    if y0.is_infinite() || y1.is_infinite() {
        return Some(if y0 == y1 { y0 } else { f64::NAN });
    }
    Some(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
}

/// What the cursor reads: x (or the category), p, q, the ratio, the pointwise divergence and
/// the running integral for the directions shown, every value to 4 significant digits.
fn hover_text(input: &PlotInput<'_>, x: f64) -> String {
    let c = input.curves;
    let scale = unit_scale(input.unit);
    let unit = input.unit.name();
    let (place, pv, qv, run) = if c.discrete {
        let k = x.round();
        let name = c
            .labels
            .as_deref()
            .and_then(|l| usize::try_from(k as i64).ok().and_then(|i| l.get(i)))
            .map_or_else(|| format!("k = {k:.0}"), |l| format!("'{l}' (k = {k:.0})"));
        let Some(i) = c.x.iter().position(|v| *v == k) else {
            return name;
        };
        (name, c.p[i], c.q[i], Some([c.run_pq[i], c.run_qp[i]]))
    } else {
        let (pv, qv) = (input.p.ln_density(x).exp(), input.q.ln_density(x).exp());
        let run = interpolate(&c.x, &c.run_pq, x)
            .zip(interpolate(&c.x, &c.run_qp, x))
            .map(|(a, b)| [a, b]);
        (format!("x = {}", format_value(x)), pv, qv, run)
    };
    let ratio = |a: f64, b: f64| {
        if a == 0.0 && b == 0.0 {
            "—".to_string()
        } else {
            format_value(a / b)
        }
    };
    let mut lines = vec![
        place,
        format!("p = {}", format_value(pv)),
        format!("q = {}", format_value(qv)),
    ];
    let term = |a: f64, b: f64| crate::divergence::kl_term(a.ln(), b.ln()) * scale;
    let (pq, qp) = (
        input.direction != Direction::QP,
        input.direction != Direction::PQ,
    );
    if pq {
        lines.push(format!("p/q = {}", ratio(pv, qv)));
        lines.push(format!("p·ln(p/q) = {} {unit}", format_value(term(pv, qv))));
    }
    if qp {
        lines.push(format!("q/p = {}", ratio(qv, pv)));
        lines.push(format!("q·ln(q/p) = {} {unit}", format_value(term(qv, pv))));
    }
    if let Some([a, b]) = run {
        let upto = if c.discrete {
            "Σ up to k"
        } else {
            "∫ up to x"
        };
        if pq {
            lines.push(format!("{upto}, P||Q = {}", format_value(a * scale)));
        }
        if qp {
            lines.push(format!("{upto}, Q||P = {}", format_value(b * scale)));
        }
    }
    lines.join("\n")
}

/// The y-axis width every plot uses: wide enough for the longest label [`tick_label`] makes.
fn y_axis_width(ui: &Ui) -> f32 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let w = ui
        .painter()
        .layout_no_wrap("-8.888e-88".into(), font, Color32::WHITE)
        .size()
        .x;
    // egui adds 4 px on each side of a y tick label.
    w + 10.0
}

fn base_plot<'a>(id: &str, input: &'a PlotInput<'a>, height: f32) -> Plot<'a> {
    let c = input.curves;
    let discrete = c.discrete;
    let labels = c.labels.as_deref();
    let x_axis = AxisHints::new_x()
        .label_spacing(30.0..=X_LABEL_PX as f32)
        .formatter(move |mark: GridMark, _: &RangeInclusive<f64>| {
            if discrete {
                discrete_tick_label(mark.value, mark.step_size, labels)
            } else {
                tick_label(mark.value, mark.step_size)
            }
        });
    let mut plot = Plot::new(id.to_string())
        .height(height)
        .link_axis(Id::unique("kl-x"), [true, false])
        .link_cursor(Id::unique("kl-x"), [true, false])
        .custom_x_axes(vec![x_axis])
        .x_grid_spacer(move |g| nice_grid(&g, X_LABEL_PX, discrete))
        .y_grid_spacer(|g| nice_grid(&g, Y_LABEL_PX, false))
        .label_formatter(move |hover| {
            let x = match hover {
                egui_plot::HoverPosition::NearDataPoint { position, .. }
                | egui_plot::HoverPosition::Elsewhere { position } => position.x,
            };
            Some(hover_text(input, x))
        });
    let (lo, hi) = c.view;
    if input.fit {
        plot = plot.reset();
    }
    if hi > lo && lo.is_finite() && hi.is_finite() {
        plot = plot.default_x_bounds(lo, hi);
    }
    plot
}

/// The y axis, `y_width` wide; `blank`: no numbers (nothing finite is drawn on it).
fn y_axis<'a>(y_width: f32, log: bool, blank: bool) -> Vec<AxisHints<'a>> {
    vec![
        AxisHints::new_y()
            .min_thickness(y_width)
            .label_spacing(18.0..=Y_LABEL_PX as f32)
            .formatter(move |mark: GridMark, _: &RangeInclusive<f64>| {
                if blank {
                    String::new()
                } else if log {
                    log_tick_label(mark.value, mark.step_size)
                } else {
                    tick_label(mark.value, mark.step_size)
                }
            }),
    ]
}

fn densities_plot(ui: &mut Ui, input: &PlotInput<'_>, h: f32, y_width: f32) -> PlotTransform {
    let c = input.curves;
    let dark = ui.visuals().dark_mode;
    let (pc, qc) = (color(Which::P, dark), color(Which::Q, dark));
    heading(
        ui,
        if input.log_y {
            "Densities (log scale)"
        } else if c.discrete {
            "Probability mass p(k), q(k)"
        } else {
            "Densities p(x), q(x)"
        },
        &[(pc, "P"), (qc, "Q")],
    );
    let log = input.log_y;
    base_plot("densities", input, h)
        .custom_y_axes(y_axis(y_width, log, false))
        .show(ui, |plot_ui| {
            mark_infinite(plot_ui, c, input.direction, true);
            // log₁₀ of 0 is −∞: no point, the line breaks there.
            let f = move |v: f64| {
                if !log {
                    v
                } else if v > 0.0 {
                    v.log10()
                } else {
                    f64::NAN
                }
            };
            if c.discrete {
                let bars = |ys: &[f64], col: Color32, offset: f64| -> Vec<Bar> {
                    c.x.iter()
                        .zip(ys)
                        .filter(|(_, y)| f(**y).is_finite())
                        .map(|(x, y)| Bar::new(x + offset, f(*y)).width(0.35).fill(col))
                        .collect()
                };
                plot_ui.add(BarChart::new("P", bars(&c.p, pc, -0.18)).color(pc));
                plot_ui.add(BarChart::new("Q", bars(&c.q, qc, 0.18)).color(qc));
            } else {
                for (ys, col, name) in [(&c.p, pc, "P"), (&c.q, qc, "Q")] {
                    for seg in finite_segments(&c.x, ys, f) {
                        plot_ui.add(Line::new(name, PlotPoints::from(seg)).color(col).width(2.0));
                    }
                }
            }
        })
        .transform
}

fn pointwise_plot(ui: &mut Ui, input: &PlotInput<'_>, h: f32, y_width: f32) -> PlotTransform {
    let c = input.curves;
    let scale = unit_scale(input.unit);
    let unit = input.unit.name();
    let series = shown(input);
    let keys: Vec<(Color32, &str)> = series.iter().map(|s| (s.color, s.term.as_str())).collect();
    heading(
        ui,
        &match (input.divergence, input.direction) {
            (Divergence::Kl, Direction::PQ) => {
                format!("Pointwise divergence ({unit}), ∫ = KL(P||Q)")
            }
            (Divergence::Kl, Direction::QP) => {
                format!("Pointwise divergence ({unit}), ∫ = KL(Q||P)")
            }
            (Divergence::Kl, Direction::Both) => format!("Pointwise divergence ({unit})"),
            (d, _) => format!("Pointwise integrand of {}", ui_label(&d.name())),
        },
        &keys,
    );
    let scaled: Vec<Vec<f64>> = series
        .iter()
        .map(|s| s.d.iter().map(|v| v * scale).collect())
        .collect();
    let top = ceiling(scaled.iter().map(Vec::as_slice));
    base_plot("pointwise", input, h)
        .custom_y_axes(y_axis(y_width, false, false))
        .show(ui, |plot_ui| {
            mark_infinite(plot_ui, c, input.direction, false);
            for (s, ys) in series.iter().zip(&scaled) {
                let (col, name) = (s.color, s.term.as_str());
                if c.discrete {
                    let bars: Vec<Bar> =
                        c.x.iter()
                            .zip(ys)
                            .filter(|(_, y)| y.is_finite())
                            .map(|(x, y)| {
                                let fill = if *y < 0.0 {
                                    Color32::GRAY.gamma_multiply(0.7)
                                } else {
                                    col.gamma_multiply(0.7)
                                };
                                Bar::new(*x, *y).width(0.6).fill(fill)
                            })
                            .collect();
                    plot_ui.add(BarChart::new(name, bars).color(col));
                    for (x, _) in c.x.iter().zip(ys).filter(|(_, y)| **y == f64::INFINITY) {
                        infinity_marker(plot_ui, *x, Some(0.0), top, col, "");
                    }
                } else {
                    let part = |keep: fn(f64) -> f64| -> Vec<f64> {
                        ys.iter()
                            .map(|y| if y.is_finite() { keep(*y) } else { 0.0 })
                            .collect()
                    };
                    let (pos, neg) = (part(|y| y.max(0.0)), part(|y| y.min(0.0)));
                    let zero = vec![0.0; c.x.len()];
                    plot_ui.add(
                        FilledArea::new(format!("{name} > 0"), &c.x, &zero, &pos)
                            .fill_color(col.gamma_multiply(0.35)),
                    );
                    plot_ui.add(
                        FilledArea::new(format!("{name} < 0"), &c.x, &neg, &zero)
                            .fill_color(Color32::GRAY.gamma_multiply(0.35)),
                    );
                    continuous_with_infinity(
                        plot_ui,
                        (&c.x, ys),
                        Some(s.regions),
                        top,
                        col,
                        (name, ""),
                    );
                }
            }
        })
        .transform
}

fn running_plot(ui: &mut Ui, input: &PlotInput<'_>, h: f32, y_width: f32) -> PlotTransform {
    let c = input.curves;
    let scale = unit_scale(input.unit);
    let unit = input.unit.name();
    let series = shown(input);
    let keys: Vec<(Color32, &str)> = series.iter().map(|s| (s.color, s.total.as_str())).collect();
    let ends_at = match input.divergence {
        Divergence::Kl => "KL".to_string(),
        d => ui_label(&d.name()),
    };
    heading(
        ui,
        &if c.discrete {
            format!("Running sum ({unit}), ends at {ends_at}")
        } else {
            format!("Running integral from −∞ ({unit}), ends at {ends_at}")
        },
        &keys,
    );
    let scaled: Vec<Vec<f64>> = series
        .iter()
        .map(|s| s.run.iter().map(|v| v * scale).collect())
        .collect();
    let top = ceiling(scaled.iter().map(Vec::as_slice));
    let nothing_finite = scaled.iter().flatten().all(|v| !v.is_finite());
    base_plot("running", input, h)
        .custom_y_axes(y_axis(y_width, false, nothing_finite))
        .include_y(0.0)
        .show(ui, |plot_ui| {
            mark_infinite(plot_ui, c, input.direction, false);
            for (s, ys) in series.iter().zip(&scaled) {
                let (col, name) = (s.color, s.total.as_str());
                if c.discrete {
                    let before = match (ys.first(), s.d.first()) {
                        (Some(r), Some(d)) => r - d * scale,
                        _ => f64::NAN,
                    };
                    for seg in staircase(&c.x, ys, before) {
                        // No band aggregation: it fills the steps' vertical pairs as an area.
                        plot_ui.add(
                            Line::new(name, PlotPoints::from(seg))
                                .color(col)
                                .width(2.0)
                                .allow_band(false),
                        );
                    }
                    if let Some((start, end)) = infinite_runs(ys).first().copied() {
                        let end_x = c.x[end - 1] + 0.5;
                        plot_ui.add(
                            Line::new(
                                name,
                                PlotPoints::from(vec![[c.x[start], top], [end_x, top]]),
                            )
                            .color(col)
                            .width(2.0)
                            .style(LineStyle::dashed_loose()),
                        );
                        let from = start.checked_sub(1).map(|i| ys[i]).or(Some(before));
                        infinity_marker(plot_ui, c.x[start], from, top, col, FROM_HERE);
                    }
                } else {
                    continuous_with_infinity(
                        plot_ui,
                        (&c.x, ys),
                        None,
                        top,
                        col,
                        (name, FROM_HERE),
                    );
                }
                // The end: ∞ beyond the view, or the report's figure.
                let (Some(x_end), Some(y_end)) = (c.x.last(), ys.last()) else {
                    continue;
                };
                let total = input.kl.map(|k| k[s.index] * scale);
                if y_end.is_finite() {
                    if let Some(from) = s.from {
                        let note =
                            format!("at the end: {} = ∞ {}", s.figure, beyond_view_note(from));
                        infinity_marker(plot_ui, *x_end, Some(*y_end), top, col, &note);
                    } else if let Some(t) = total.filter(|t| t.is_finite()) {
                        plot_ui.add(
                            Text::new(
                                "",
                                PlotPoint::new(*x_end, *y_end),
                                RichText::new(format!("{} = {}", s.figure, format_value(t)))
                                    .size(14.0)
                                    .color(col),
                            )
                            .anchor(Align2::RIGHT_BOTTOM)
                            .allow_hover(false),
                        );
                    }
                } else if ys.iter().all(|v| *v == f64::INFINITY) {
                    let why = match s.from {
                        Some(InfiniteFrom::Edge(x)) if x == f64::NEG_INFINITY => {
                            "from the start: E[−ln q] diverges in the left tail"
                        }
                        _ => "from the start: infinite left of the view",
                    };
                    plot_ui.add(
                        Text::new(
                            "",
                            PlotPoint::new(0.5 * (c.view.0 + c.view.1), 0.5 * top),
                            RichText::new(format!("{} = ∞ {why}", s.figure))
                                .size(14.0)
                                .color(col),
                        )
                        .anchor(Align2::CENTER_CENTER)
                        .allow_hover(false),
                    );
                }
            }
        })
        .transform
}

/// One direction's series as drawn.
struct Shown<'a> {
    index: usize,
    color: Color32,
    term: String,
    total: String,
    /// The figure the running value ends at, e.g. "KL" or "renyi:0.5".
    figure: String,
    d: &'a [f64],
    run: &'a [f64],
    from: Option<InfiniteFrom>,
    regions: &'a [(f64, f64)],
}

fn shown<'a>(input: &PlotInput<'a>) -> Vec<Shown<'a>> {
    let c = input.curves;
    let mut out = Vec::new();
    if input.direction != Direction::QP {
        out.push(Shown {
            index: 0,
            color: PQ_COLOR,
            term: term_name(input.divergence, true),
            total: total_name(input.divergence, true, c.discrete),
            figure: figure_name(input.divergence),
            d: &c.d_pq,
            run: &c.run_pq,
            from: c.infinite_from_pq,
            regions: &c.infinite_pq,
        });
    }
    if input.direction != Direction::PQ {
        out.push(Shown {
            index: 1,
            color: QP_COLOR,
            term: term_name(input.divergence, false),
            total: total_name(input.divergence, false, c.discrete),
            figure: figure_name(input.divergence),
            d: &c.d_qp,
            run: &c.run_qp,
            from: c.infinite_from_qp,
            regions: &c.infinite_qp,
        });
    }
    out
}

/// Text for egui's default fonts (no '‖').
fn ui_label(s: &str) -> String {
    s.replace('‖', "||")
}

/// The integrand's name in one direction (`pq` false: Q‖P, with p and q swapped).
fn term_name(divergence: Divergence, pq: bool) -> String {
    let (a, b) = if pq { ("p", "q") } else { ("q", "p") };
    match divergence {
        Divergence::Kl => format!("{a}·ln({a}/{b})"),
        Divergence::Renyi(x) => {
            let al = crate::distribution::family::format_number(x);
            format!("({a}^{al}·{b}^(1−{al}) − {a})/({al} − 1)")
        }
        Divergence::Chi2 => format!("({a} − {b})²/{b}"),
        Divergence::NeymanChi2 => format!("({a} − {b})²/{a}"),
        Divergence::SquaredHellinger => "½(√p − √q)²".into(),
        Divergence::Tv => "½|p − q|".into(),
        Divergence::Js => "JS integrand".into(),
    }
}

/// The running value's name.
fn total_name(divergence: Divergence, pq: bool, discrete: bool) -> String {
    let sum = if discrete { "Σ" } else { "∫" };
    match divergence {
        Divergence::Renyi(_) => format!(
            "{} up to x",
            ui_label(&divergence.label(pq).replace("D_", "D"))
        ),
        d => format!("{sum} {}", term_name(d, pq)),
    }
}

/// The figure the running value ends at.
fn figure_name(divergence: Divergence) -> String {
    match divergence {
        Divergence::Kl => "KL".into(),
        d => ui_label(&d.label(true).replace("(P‖Q)", "")),
    }
}

/// A plot's title and its colour key (instead of a legend inside the plot).
fn heading(ui: &mut Ui, title: &str, keys: &[(Color32, &str)]) {
    // Wrapped: a heading wider than the panel would widen the plots below it past the panel.
    ui.horizontal_wrapped(|ui| {
        ui.label(title);
        for (col, name) in keys {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 4.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 1.0, *col);
            ui.label(RichText::new(*name).color(*col));
        }
    });
}

/// Draws the three plots and says where.
pub fn show_plots(ui: &mut Ui, input: &PlotInput<'_>) -> PlotsShown {
    let top = ui.cursor().min;
    let total = ui.available_height() - 3.0 * ui.spacing().item_spacing.y - 70.0;
    let h = [0.42, 0.33, 0.25].map(|f| (total * f).max(80.0));
    let y_width = y_axis_width(ui);
    let transforms = [
        densities_plot(ui, input, h[0], y_width),
        pointwise_plot(ui, input, h[1], y_width),
        running_plot(ui, input, h[2], y_width),
    ];
    PlotsShown {
        rect: egui::Rect::from_min_max(top, ui.min_rect().max),
        transforms,
    }
}

/// Draws the three plots in the available space; returns the rectangle they cover.
pub fn plots_ui(ui: &mut Ui, input: &PlotInput<'_>) -> egui::Rect {
    show_plots(ui, input).rect
}
