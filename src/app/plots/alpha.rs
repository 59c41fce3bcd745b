//! The small plot of D_α(P‖Q) and D_α(Q‖P) against α, KL marked at α = 1, ∞ drawn as ∞.

use super::*;
use crate::divergence::renyi::AlphaCurve;

/// Draws D_α both ways against α (from 0 to 5), in `unit`, with the chosen α as a vertical
/// line; where a curve is ∞ it runs along the ceiling with a ▲ and "∞".
pub fn alpha_plot(ui: &mut Ui, curve: &AlphaCurve, alpha_now: Option<f64>, unit: Unit) {
    let scale = unit_scale(unit);
    let pq: Vec<f64> = curve.pq.iter().map(|v| v * scale).collect();
    let qp: Vec<f64> = curve.qp.iter().map(|v| v * scale).collect();
    let top = ceiling([pq.as_slice(), qp.as_slice()]);
    heading(
        ui,
        &format!("D_α against α ({})", unit.name()),
        &[(PQ_COLOR, "D_α(P||Q)"), (QP_COLOR, "D_α(Q||P)")],
    );
    Plot::new("renyi-alpha")
        .height(150.0)
        .include_x(0.0)
        .include_x(5.0)
        .include_y(0.0)
        .include_y(top)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show(ui, |plot_ui| {
            for (ys, col, name) in [(&pq, PQ_COLOR, "D_α(P||Q)"), (&qp, QP_COLOR, "D_α(Q||P)")] {
                continuous_with_infinity(plot_ui, (&curve.alpha, ys), None, top, col, (name, ""));
                if let Some(i) = curve.alpha.iter().position(|a| *a == 1.0)
                    && ys[i].is_finite()
                {
                    plot_ui.add(
                        Points::new("KL", PlotPoints::from(vec![[1.0, ys[i]]]))
                            .radius(4.0)
                            .color(col),
                    );
                    plot_ui.add(
                        Text::new(
                            "",
                            PlotPoint::new(1.0, ys[i]),
                            RichText::new("KL").size(12.0).color(col),
                        )
                        .anchor(Align2::RIGHT_BOTTOM)
                        .allow_hover(false),
                    );
                }
            }
            if let Some(a) = alpha_now {
                plot_ui.add(
                    egui_plot::VLine::new("α", a)
                        .color(Color32::GRAY)
                        .style(LineStyle::dashed_dense()),
                );
            }
        });
}
