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
    /// end is labelled with them.
    pub kl: Option<[f64; 2]>,
}

/// Where each plot was drawn, for the caller and for tests.
#[derive(Clone, Copy, Debug)]
pub struct PlotsShown {
    /// The rectangle the three plots (with headings) cover.
    pub rect: egui::Rect,
    /// Each plot's screen ↔ plot transform: densities, pointwise, running integral.
    pub transforms: [PlotTransform; 3],
}

/// A figure for a read-out: 4 significant digits, scientific below 10⁻³ and from 10⁶, "∞" for
/// infinity, "—" for a value that is not a number.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "—".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs();
    if !(1e-3..1e6).contains(&mag) {
        return tidy_exponent(&format!("{v:.3e}"));
    }
    let decimals = (3 - mag.log10().floor() as i32).max(0) as usize;
    format!("{v:.decimals$}")
}

/// `1.500e-5` → `1.5e-5`: drops trailing zeros of the mantissa.
fn tidy_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) if m.contains('.') => {
            let m = m.trim_end_matches('0').trim_end_matches('.');
            format!("{m}e{e}")
        }
        _ => s.to_string(),
    }
}

/// The label of a tick at `value` on an axis whose labelled ticks are `step` apart: as many
/// decimals as the step needs, scientific for steps below 10⁻³ or values from 10⁵, so that the
/// label is short and tells neighbouring ticks apart at any scale.
pub fn tick_label(value: f64, step: f64) -> String {
    if !value.is_finite() || !(step > 0.0) {
        return String::new();
    }
    if value.abs() < 1e-9 * step {
        return "0".into();
    }
    let step_exp = step.log10().floor() as i32;
    if step < 1e-3 || value.abs() >= 1e5 {
        let value_exp = value.abs().log10().floor() as i32;
        let digits = (value_exp - step_exp).clamp(0, 3) as usize;
        return tidy_exponent(&format!("{value:.digits$e}"));
    }
    let decimals = (-step_exp).max(0) as usize;
    format!("{value:.decimals$}")
}

/// A tick label on the log₁₀ density axis: the density itself (`1e-4`), not its logarithm.
fn log_tick_label(value: f64, step: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let v = 10f64.powf(value);
    if step >= 1.0 && (value - value.round()).abs() < 1e-9 {
        let e = value.round() as i32;
        return match e {
            0 => "1".into(),
            1 => "10".into(),
            _ => format!("1e{e}"),
        };
    }
    tidy_exponent(&format!("{v:.1e}"))
}

/// A tick label on a discrete x axis: only at integers, and the category's name when there
/// are labels.
fn discrete_tick_label(value: f64, step: f64, labels: Option<&[String]>) -> String {
    // + 0.0 turns −0 into 0.
    let k = value.round() + 0.0;
    if (value - k).abs() > 1e-6 || step < 1.0 {
        return String::new();
    }
    match labels {
        Some(l) => usize::try_from(k as i64)
            .ok()
            .and_then(|i| l.get(i))
            .cloned()
            .unwrap_or_default(),
        None => format!("{k:.0}"),
    }
}

/// Grid marks at 1, 2, 5 × 10ᵏ, so that labelled ticks are at least `label_px` apart and never
/// much farther (egui's default steps by 10, which leaves one label, "0", on a narrow plot).
/// `integers`: no steps below 1 (discrete axes).
fn nice_grid(input: &GridInput, label_px: f64, integers: bool) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    // `base_step_size` is the data length of 8 px (egui's minimum grid spacing).
    let per_px = input.base_step_size / 8.0;
    if !(per_px > 0.0) || !per_px.is_finite() || !(hi > lo) {
        return Vec::new();
    }
    let want = per_px * label_px;
    let exp = want.log10().floor();
    let base = 10f64.powf(exp);
    let mantissa = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|m| m * base >= want * (1.0 - 1e-9))
        .unwrap_or(10.0);
    let mut label = mantissa * base;
    let mut minor = label / if mantissa == 2.0 { 4.0 } else { 5.0 };
    if integers {
        label = label.max(1.0).round();
        minor = if label <= 1.0 {
            1.0
        } else {
            minor.max(1.0).round()
        };
    }
    let major = label * 10.0;
    let mut marks = Vec::new();
    for step in [minor, label, major] {
        if (hi - lo) / step > 2000.0 {
            continue;
        }
        let mut i = (lo / step).ceil();
        while i * step <= hi {
            let value = i * step;
            match marks
                .iter_mut()
                .find(|m: &&mut GridMark| (m.value - value).abs() < 0.1 * minor)
            {
                Some(m) => m.step_size = m.step_size.max(step),
                None => marks.push(GridMark {
                    value,
                    step_size: step,
                }),
            }
            i += 1.0;
        }
    }
    marks
}

/// The running sum of a discrete series as steps: flat between integers, rising at each k,
/// starting half a step left of the first k at `before`. Split where the sum is not finite.
pub fn staircase(x: &[f64], run: &[f64], before: f64) -> Vec<Vec<[f64; 2]>> {
    let mut out = Vec::new();
    let mut cur: Vec<[f64; 2]> = Vec::new();
    let mut level = before;
    if let Some(x0) = x.first()
        && level.is_finite()
    {
        cur.push([x0 - 0.5, level]);
    }
    for (k, s) in x.iter().zip(run) {
        if s.is_finite() {
            if level.is_finite() {
                cur.push([*k, level]);
            }
            cur.push([*k, *s]);
        } else if !cur.is_empty() {
            if level.is_finite() {
                cur.push([*k, level]);
            }
            out.push(std::mem::take(&mut cur));
        }
        level = *s;
    }
    if let (Some(last), true) = (x.last(), level.is_finite()) {
        cur.push([last + 0.5, level]);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Maximal runs of finite values, mapped by `f` (which may return NaN to break a run).
fn finite_segments(x: &[f64], y: &[f64], f: impl Fn(f64) -> f64) -> Vec<Vec<[f64; 2]>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (a, b) in x.iter().zip(y) {
        let v = f(*b);
        if v.is_finite() {
            cur.push([*a, v]);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Index ranges `[start, end)` where `y` is +∞.
fn infinite_runs(y: &[f64]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, v) in y.iter().enumerate() {
        match (*v == f64::INFINITY, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, y.len()));
    }
    out
}

/// A height above every finite value of `series`, where +∞ is drawn.
fn ceiling<'a>(series: impl IntoIterator<Item = &'a [f64]>) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for s in series {
        for v in s.iter().filter(|v| v.is_finite()) {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    let span = (hi - lo).max(hi.abs());
    if span > 0.0 { hi + 0.2 * span } else { 1.0 }
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

/// Shades the regions where KL is infinite; `named`: with a label at the top (once, in the
/// densities plot, where no curve reaches the top).
fn mark_infinite(plot_ui: &mut PlotUi<'_>, c: &Curves, direction: Direction, named: bool) {
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
            Span::new(if named { name } else { "" }, a..=b)
                .fill(WARN_COLOR.gamma_multiply(0.25))
                .border_color(WARN_COLOR),
        );
    }
}

/// A curve going to +∞ at `x`: a rise from `from_y` to the ceiling, a ▲ marker and "∞".
fn infinity_marker(
    plot_ui: &mut PlotUi<'_>,
    x: f64,
    from_y: Option<f64>,
    top: f64,
    col: Color32,
    note: &str,
) {
    if let Some(y) = from_y.filter(|y| y.is_finite()) {
        plot_ui.add(
            Line::new("", PlotPoints::from(vec![[x, y], [x, top]]))
                .color(col)
                .width(2.0)
                .allow_band(false)
                .allow_hover(false),
        );
    }
    plot_ui.add(
        Points::new("", PlotPoints::from(vec![[x, top]]))
            .shape(MarkerShape::Up)
            .filled(true)
            .radius(6.0)
            .color(col)
            .allow_hover(false),
    );
    let text = if note.is_empty() {
        "∞".to_string()
    } else {
        format!("∞ {note}")
    };
    // Beside the marker (8 px) and below the ceiling, where neither hides it: on the right,
    // or on the left near the right edge of the view.
    let per_px = plot_ui.transform().dvalue_dpos()[0].abs();
    let per_px = if per_px.is_finite() { per_px } else { 0.0 };
    let room = plot_ui.plot_bounds().max()[0] - x;
    // About 9 px per character of the label.
    let width_px = 16.0 + 9.0 * text.chars().count() as f64;
    let (at, anchor) = if room > width_px * per_px {
        (x + 8.0 * per_px, Align2::LEFT_TOP)
    } else {
        (x - 8.0 * per_px, Align2::RIGHT_TOP)
    };
    plot_ui.add(
        Text::new(
            "",
            PlotPoint::new(at, top),
            RichText::new(text).strong().size(18.0).color(col),
        )
        .anchor(anchor)
        .allow_hover(false),
    );
}

/// Draws a continuous series with its +∞ runs at the ceiling (dashed), each start marked.
/// With `regions`, only runs that meet one of them: a lone +∞ sample where q = 0 at a shared
/// support edge (an integrable singularity) breaks the line but is not a band of ∞.
fn continuous_with_infinity(
    plot_ui: &mut PlotUi<'_>,
    (x, y): (&[f64], &[f64]),
    regions: Option<&[(f64, f64)]>,
    top: f64,
    col: Color32,
    (name, note): (&str, &str),
) {
    for seg in finite_segments(x, y, |v| v) {
        plot_ui.add(Line::new(name, PlotPoints::from(seg)).color(col).width(2.0));
    }
    for (s, e) in infinite_runs(y) {
        let end = x[e - 1];
        if let Some(r) = regions
            && !r.iter().any(|(a, b)| *a <= end && *b >= x[s])
        {
            continue;
        }
        plot_ui.add(
            Line::new(name, PlotPoints::from(vec![[x[s], top], [end, top]]))
                .color(col)
                .width(2.0)
                .style(LineStyle::dashed_loose()),
        );
        let before = s.checked_sub(1).map(|i| y[i]);
        infinity_marker(plot_ui, x[s], before, top, col, note);
        if let Some(after) = y.get(e).filter(|v| v.is_finite()) {
            plot_ui.add(
                Line::new(name, PlotPoints::from(vec![[end, top], [x[e], *after]]))
                    .color(col)
                    .width(2.0),
            );
        }
    }
}

/// Beside the ∞ marker of a running integral.
const FROM_HERE: &str = "from here on";

/// The sentence for a total that is ∞ although the running integral is finite where drawn.
fn beyond_view_note(from: InfiniteFrom) -> String {
    match from {
        InfiniteFrom::Edge(x) if x == f64::INFINITY => "(diverges in the right tail)".into(),
        InfiniteFrom::Edge(x) => format!("(diverges at x = {})", format_value(x)),
        InfiniteFrom::Gap(x) => format!("(from x = {})", format_value(x)),
    }
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
    let keys: Vec<(Color32, &str)> = series.iter().map(|s| (s.color, s.term)).collect();
    heading(
        ui,
        &match input.direction {
            Direction::PQ => format!("Pointwise divergence ({unit}), ∫ = KL(P||Q)"),
            Direction::QP => format!("Pointwise divergence ({unit}), ∫ = KL(Q||P)"),
            Direction::Both => format!("Pointwise divergence ({unit})"),
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
                let (col, name) = (s.color, s.term);
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
    let keys: Vec<(Color32, &str)> = series.iter().map(|s| (s.color, s.total)).collect();
    heading(
        ui,
        &if c.discrete {
            format!("Running sum ({unit}), ends at KL")
        } else {
            format!("Running integral from −∞ ({unit}), ends at KL")
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
                let (col, name) = (s.color, s.total);
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
                        let note = format!("at the end: KL = ∞ {}", beyond_view_note(from));
                        infinity_marker(plot_ui, *x_end, Some(*y_end), top, col, &note);
                    } else if let Some(t) = total.filter(|t| t.is_finite()) {
                        plot_ui.add(
                            Text::new(
                                "",
                                PlotPoint::new(*x_end, *y_end),
                                RichText::new(format!("KL = {}", format_value(t)))
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
                            RichText::new(format!("KL = ∞ {why}")).size(14.0).color(col),
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
    term: &'static str,
    total: &'static str,
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
            term: "p·ln(p/q)",
            total: if c.discrete {
                "Σ p·ln(p/q)"
            } else {
                "∫ p·ln(p/q)"
            },
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
            term: "q·ln(q/p)",
            total: if c.discrete {
                "Σ q·ln(q/p)"
            } else {
                "∫ q·ln(q/p)"
            },
            d: &c.d_qp,
            run: &c.run_qp,
            from: c.infinite_from_qp,
            regions: &c.infinite_qp,
        });
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cancel::Cancel;
    use crate::distribution::parse_spec;
    use egui_kittest::Harness;

    /// What a test window draws, and what it saw.
    struct Window {
        curves: Curves,
        p: Arc<Distribution>,
        q: Arc<Distribution>,
        fit: bool,
        shown: Option<PlotsShown>,
    }

    impl Window {
        fn new(p: &str, q: &str) -> Self {
            let mut w = Window {
                curves: Curves::default(),
                p: Arc::new(parse_spec(p).unwrap()),
                q: Arc::new(parse_spec(q).unwrap()),
                fit: false,
                shown: None,
            };
            w.set(p, q);
            w
        }

        fn set(&mut self, p: &str, q: &str) {
            self.p = Arc::new(parse_spec(p).unwrap());
            self.q = Arc::new(parse_spec(q).unwrap());
            self.curves =
                crate::divergence::pointwise::curves(&self.p, &self.q, 2000, &Cancel::new())
                    .unwrap();
        }
    }

    fn harness(w: Window, size: [f32; 2]) -> Harness<'static, Window> {
        let mut h = Harness::builder().with_size(size).build_ui_state(
            |ui, w: &mut Window| {
                let input = PlotInput {
                    curves: &w.curves,
                    p: w.p.clone(),
                    q: w.q.clone(),
                    log_y: false,
                    direction: Direction::PQ,
                    fit: w.fit,
                    unit: Unit::Nats,
                    kl: None,
                };
                w.shown = Some(show_plots(ui, &input));
            },
            w,
        );
        h.run_steps(3);
        h
    }

    fn x_range(t: &PlotTransform) -> (f64, f64) {
        (t.bounds().min()[0], t.bounds().max()[0])
    }

    #[test]
    fn x_zero_is_at_the_same_pixel_in_all_three_plots_whatever_the_y_labels() {
        // Densities of a few 1e-4 (long labels) above a pointwise divergence of a few 1e-8 and
        // a running integral near 1e-6: labels of different widths on each axis.
        let w = Window::new("normal(0, 1000)", "normal(1, 1000.5)");
        let h = harness(w, [1024.0, 700.0]);
        let shown = h.state().shown.unwrap();
        let zero: Vec<f32> = shown
            .transforms
            .iter()
            .map(|t| t.position_from_point_x(0.0))
            .collect();
        let left: Vec<f32> = shown.transforms.iter().map(|t| t.frame().left()).collect();
        for i in 1..3 {
            assert!((zero[i] - zero[0]).abs() < 0.5, "x = 0 at {zero:?}");
            assert!(
                (left[i] - left[0]).abs() < 0.5,
                "plot frames start at {left:?}"
            );
        }
    }

    #[test]
    fn fit_refits_all_three_plots_after_a_pan() {
        let w = Window::new("normal(0,1)", "normal(1,2)");
        let mut h = harness(w, [1024.0, 700.0]);
        let before = h.state().shown.unwrap();
        let view = h.state().curves.view;
        for t in &before.transforms {
            let (lo, hi) = x_range(t);
            assert!(
                (lo - view.0).abs() < 1e-9 && (hi - view.1).abs() < 1e-9,
                "{lo}..{hi}"
            );
        }
        // Drag the densities plot to the left by 200 px: all three pan (linked x).
        let frame = *before.transforms[0].frame();
        let start = frame.center();
        h.hover_at(start);
        h.run_steps(1);
        h.drag_at(start);
        h.run_steps(1);
        for i in 1..=10 {
            h.hover_at(start - egui::vec2(20.0 * i as f32, 0.0));
            h.run_steps(1);
        }
        h.drop_at(start - egui::vec2(200.0, 0.0));
        h.run_steps(2);
        let panned = h.state().shown.unwrap();
        for t in &panned.transforms {
            let (lo, _) = x_range(t);
            assert!(lo > view.0 + 0.5, "not panned: {lo} vs {}", view.0);
        }
        // P's mean goes to 8: without a fit the view stays where it was panned to...
        h.state_mut().set("normal(8,1)", "normal(9,2)");
        h.run_steps(2);
        let stale = h.state().shown.unwrap();
        assert_eq!(
            x_range(&stale.transforms[0]),
            x_range(&panned.transforms[0])
        );
        // ...and `fit` brings all three plots onto the new view, y included.
        h.state_mut().fit = true;
        h.run_steps(1);
        h.state_mut().fit = false;
        h.run_steps(2);
        let view = h.state().curves.view;
        let shown = h.state().shown.unwrap();
        for t in &shown.transforms {
            let (lo, hi) = x_range(t);
            assert!(
                (lo - view.0).abs() < 1e-9 && (hi - view.1).abs() < 1e-9,
                "{lo}..{hi} vs {view:?}"
            );
        }
        let peak = h.state().curves.p.iter().cloned().fold(0.0, f64::max);
        let dens = shown.transforms[0].bounds();
        assert!(
            dens.max()[1] >= peak && dens.max()[1] < 1.5 * peak,
            "{dens:?}"
        );
    }

    #[test]
    fn hover_read_outs_show_small_values_and_category_names() {
        let w = Window::new("normal(0,1)", "normal(1,2)");
        let input = PlotInput {
            curves: &w.curves,
            p: w.p.clone(),
            q: w.q.clone(),
            log_y: false,
            direction: Direction::PQ,
            fit: false,
            unit: Unit::Nats,
            kl: None,
        };
        // At x = 5 p is 1.487e-6: fixed decimals would print 0.00000.
        let text = hover_text(&input, 5.0);
        assert!(text.contains("p = 1.487e-6"), "{text}");
        let mut c = Curves {
            discrete: true,
            x: vec![0.0, 1.0],
            p: vec![0.25, 0.75],
            q: vec![0.5, 0.5],
            d_pq: vec![0.25 * 0.5f64.ln(), 0.75 * 1.5f64.ln()],
            d_qp: vec![0.5 * 2f64.ln(), 0.5 * (2.0f64 / 3.0).ln()],
            labels: Some(vec!["up".into(), "down".into()]),
            ..Default::default()
        };
        c.run_pq = vec![c.d_pq[0], c.d_pq[0] + c.d_pq[1]];
        c.run_qp = vec![c.d_qp[0], c.d_qp[0] + c.d_qp[1]];
        let input = PlotInput {
            curves: &c,
            ..input
        };
        let text = hover_text(&input, 1.1);
        assert!(text.starts_with("'down' (k = 1)"), "{text}");
        assert!(text.contains("p = 0.7500"), "{text}");
    }

    #[test]
    fn read_outs_keep_four_significant_digits_at_any_scale() {
        assert_eq!(format_value(1.234e-5), "1.234e-5");
        assert_eq!(format_value(0.000_012), "1.2e-5");
        assert_eq!(format_value(0.012_344), "0.01234");
        assert_eq!(format_value(0.5), "0.5000");
        assert_eq!(format_value(3.25), "3.250");
        assert_eq!(format_value(123_456.0), "123456");
        assert_eq!(format_value(2.5e7), "2.5e7");
        assert_eq!(format_value(-7.5e-4), "-7.5e-4");
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(f64::INFINITY), "∞");
        assert_eq!(format_value(f64::NEG_INFINITY), "−∞");
        assert_eq!(format_value(f64::NAN), "—");
    }

    #[test]
    fn tick_labels_tell_neighbours_apart_at_any_scale() {
        // Probabilities of a few 1e-5: not "0.00000" three times.
        let ticks: Vec<String> = [1e-5, 2e-5, 3e-5]
            .iter()
            .map(|v| tick_label(*v, 1e-5))
            .collect();
        assert_eq!(ticks, ["1e-5", "2e-5", "3e-5"]);
        assert_eq!(tick_label(2.5e-5, 5e-6), "2.5e-5");
        assert_eq!(tick_label(0.04, 0.02), "0.04");
        assert_eq!(tick_label(0.15, 0.05), "0.15");
        assert_eq!(tick_label(-2.0, 1.0), "-2");
        assert_eq!(tick_label(2.5, 0.5), "2.5");
        assert_eq!(tick_label(0.0, 0.001), "0");
        assert_eq!(tick_label(3e7, 1e7), "3e7");
        // Never longer than the y axis is wide.
        for v in [-8.888e-88, -1.235e-15, -0.0025, -99_999.0, 123_456.0] {
            assert!(tick_label(v, v.abs() / 1000.0).chars().count() <= 10, "{v}");
        }
    }

    #[test]
    fn category_ticks_are_the_labels_and_only_at_integers() {
        let labels: Vec<String> = ["left", "right", "up", "down"].map(String::from).to_vec();
        assert_eq!(discrete_tick_label(2.0, 1.0, Some(&labels)), "up");
        assert_eq!(discrete_tick_label(1.5, 0.5, Some(&labels)), "");
        assert_eq!(discrete_tick_label(7.0, 1.0, Some(&labels)), "");
        assert_eq!(discrete_tick_label(3.0, 1.0, None), "3");
        assert_eq!(discrete_tick_label(-0.0, 1.0, None), "0");
    }

    #[test]
    fn grid_labels_stay_readable_on_a_narrow_plot() {
        // 13 units over 330 px (the 1024-px window): egui's powers of ten label only 0.
        let input = GridInput {
            bounds: (-5.0, 8.0),
            base_step_size: 13.0 / 330.0 * 8.0,
        };
        let marks = nice_grid(&input, X_LABEL_PX, false);
        let px_per_unit = 330.0 / 13.0;
        let labelled: Vec<f64> = marks
            .iter()
            .filter(|m| m.step_size * px_per_unit > 40.0)
            .map(|m| m.value)
            .collect();
        assert!(labelled.len() >= 4, "{labelled:?}");
        assert!(
            labelled.contains(&-4.0) && labelled.contains(&6.0),
            "{labelled:?}"
        );
        // Integers only on a discrete axis, and every integer when there is room.
        let input = GridInput {
            bounds: (-0.7, 3.7),
            base_step_size: 4.4 / 400.0 * 8.0,
        };
        let marks = nice_grid(&input, X_LABEL_PX, true);
        assert!(marks.iter().all(|m| m.value.fract() == 0.0), "{marks:?}");
        let ks: Vec<f64> = marks.iter().map(|m| m.value).collect();
        assert_eq!(ks, [0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn a_running_sum_is_drawn_as_steps_at_the_integers() {
        let x = [0.0, 1.0, 2.0];
        let run = [0.1, 0.3, 0.2];
        let steps = staircase(&x, &run, 0.0);
        assert_eq!(
            steps,
            vec![vec![
                [-0.5, 0.0],
                [0.0, 0.0],
                [0.0, 0.1],
                [1.0, 0.1],
                [1.0, 0.3],
                [2.0, 0.3],
                [2.0, 0.2],
                [2.5, 0.2],
            ]]
        );
        // Where the sum becomes infinite the steps stop; nothing finite stands in for ∞.
        let steps = staircase(&x, &[0.1, f64::INFINITY, f64::INFINITY], 0.0);
        assert_eq!(
            steps,
            vec![vec![[-0.5, 0.0], [0.0, 0.0], [0.0, 0.1], [1.0, 0.1]]]
        );
    }

    #[test]
    fn a_line_breaks_where_values_are_not_finite() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [1.0, f64::INFINITY, f64::INFINITY, 2.0];
        assert_eq!(
            finite_segments(&x, &y, |v| v),
            vec![vec![[0.0, 1.0]], vec![[3.0, 2.0]]]
        );
        assert_eq!(infinite_runs(&y), vec![(1, 3)]);
        // ∞ is drawn above every finite value.
        assert!(ceiling([y.as_slice()]) > 2.0);
    }
}
