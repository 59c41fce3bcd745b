//! "How is it computed?": the exact figure beside the naive grid sum of the note this project
//! grew from, in the unit and direction the window shows, with Δx itself.

use egui::{RichText, Ui};

use crate::distribution::Kind;
use crate::divergence::{Figure, Unit};

use super::metrics::{fmt_value, ui_str};
use super::plots::{PQ_COLOR, QP_COLOR, WARN_COLOR};
use super::state::{MAX_GRID_POINTS, State};
use super::worker::{Derived, GridSums};

/// One direction's lines: its name, the integrand as written, the exact figure, its grid sums.
struct Row<'a> {
    name: &'static str,
    integrand: &'static str,
    exact: &'a Figure,
    sums: (f64, f64),
    color: egui::Color32,
}

fn rows<'a>(
    state: &State,
    report: &'a crate::divergence::Report,
    grid: Option<GridSums>,
) -> Vec<Row<'a>> {
    let g = grid.unwrap_or(GridSums {
        dx: f64::NAN,
        pq: (f64::NAN, f64::NAN),
        qp: (f64::NAN, f64::NAN),
    });
    let mut out = Vec::new();
    if state.direction.shows_pq() {
        out.push(Row {
            name: "KL(P||Q)",
            integrand: "p ln(p/q)",
            exact: &report.kl_pq,
            sums: g.pq,
            color: PQ_COLOR,
        });
    }
    if state.direction.shows_qp() {
        out.push(Row {
            name: "KL(Q||P)",
            integrand: "q ln(q/p)",
            exact: &report.kl_qp,
            sums: g.qp,
            color: QP_COLOR,
        });
    }
    out
}

/// Draws the section for the latest answer. The grid controls change `state`; the sums shown
/// are those computed for the grid of the answer's request.
pub fn how_ui(ui: &mut Ui, derived: Option<&Derived>, state: &mut State) {
    egui::CollapsingHeader::new("How is it computed?")
        .default_open(true)
        .show(ui, |ui| {
            let Some(d) = derived else {
                return;
            };
            let Ok(nats) = &d.report else {
                return;
            };
            let report = nats.in_unit(state.unit);
            let unit = state.unit.name();
            let factor = match state.unit {
                Unit::Nats => 1.0,
                Unit::Bits => 1.0 / std::f64::consts::LN_2,
            };
            let discrete = d.p.kind() == Kind::Discrete;
            for row in rows(state, &report, d.grid) {
                ui.label(
                    RichText::new(format!(
                        "{} exact: {} {unit}",
                        row.name,
                        fmt_value(row.exact.value)
                    ))
                    .strong(),
                );
                ui.label(ui_str(&row.exact.method));
            }
            if discrete {
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
            ui.add(
                egui::Slider::new(n, 10..=MAX_GRID_POINTS)
                    .logarithmic(true)
                    .text("points"),
            );
            if !(*b > *a) {
                *b = *a + 1.0;
            }
            let dx = d.grid.map_or(f64::NAN, |g| g.dx);
            ui.label(format!("Δx = (b − a)/(n − 1) = {}", fmt_value(dx)));
            egui::Grid::new("grid-sum").num_columns(2).show(ui, |ui| {
                for row in rows(state, &report, d.grid) {
                    let (sum, sum_dx) = row.sums;
                    ui.label(format!("Σ kl_div at the points, no Δx ({})", row.name));
                    ui.label(
                        RichText::new(format!("{} {unit}", fmt_value(sum * factor)))
                            .monospace()
                            .color(WARN_COLOR),
                    );
                    ui.end_row();
                    ui.label(format!("Σ kl_div · Δx  (≈ {} = ∫ {} dx)", row.name, row.integrand));
                    ui.label(
                        RichText::new(format!("{} {unit}", fmt_value(sum_dx * factor)))
                            .monospace(),
                    );
                    ui.end_row();
                    ui.label(format!("{} exact", row.name));
                    ui.label(
                        RichText::new(format!("{} {unit}", fmt_value(row.exact.value)))
                            .monospace()
                            .color(row.color),
                    );
                    ui.end_row();
                }
            });
            ui.label(
                "KL is an integral, ∫ p ln(p/q) dx. Summing the integrand at grid points without multiplying by the spacing Δx gives a number that grows with the number of points. scipy's kl_div(p, q) is p ln(p/q) − p + q per point: the extra terms integrate to 0 only when both densities are whole, so its sum is not KL either. Multiplied by Δx, the sum approaches the exact value as the grid gets finer and wider.",
            );
        });
}
