//! Drawing ∞ as ∞: runs of infinite samples rise to a ceiling above every finite value, with
//! a ▲ marker and "∞"; finite stretches are drawn as separate segments, never joined across.

use super::*;

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
pub(super) fn finite_segments(x: &[f64], y: &[f64], f: impl Fn(f64) -> f64) -> Vec<Vec<[f64; 2]>> {
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
pub(super) fn infinite_runs(y: &[f64]) -> Vec<(usize, usize)> {
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
pub(super) fn ceiling<'a>(series: impl IntoIterator<Item = &'a [f64]>) -> f64 {
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

/// Shades the regions where KL is infinite; `named`: with a label at the top (once, in the
/// densities plot, where no curve reaches the top).
pub(super) fn mark_infinite(
    plot_ui: &mut PlotUi<'_>,
    c: &Curves,
    direction: Direction,
    named: bool,
) {
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
pub(super) fn infinity_marker(
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
pub(super) fn continuous_with_infinity(
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
pub(super) const FROM_HERE: &str = "from here on";

/// The sentence for a total that is ∞ although the running integral is finite where drawn.
pub(super) fn beyond_view_note(from: InfiniteFrom) -> String {
    match from {
        InfiniteFrom::Edge(x) if x == f64::INFINITY => "(diverges in the right tail)".into(),
        InfiniteFrom::Edge(x) => format!("(diverges at x = {})", format_value(x)),
        InfiniteFrom::Gap(x) => format!("(from x = {})", format_value(x)),
    }
}
