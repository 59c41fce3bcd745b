//! The Fit lab: fit Q in a family to P in either direction, see every stationary point on the
//! KL landscape, the optimiser's path from a start the user clicks, drags or types, the
//! reverse direction's basins of attraction, and the forward and reverse optima over P.
//!
//! All the work runs on the lab's own lanes: one for the searches in both directions, the
//! landscape (coarse at once, 40 × 40, then 200 × 200, then again with the reverse basins of
//! 24 × 24 starts, so that the fine map is not held back by the basins' 576 fits); one
//! for the optimiser's path, so that dragging the start re-runs only the fit (a few
//! milliseconds), never the map.

use std::sync::Arc;

use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::{Legend, Line, MarkerShape, Plot, PlotImage, PlotPoint, PlotTransform, Points};

use super::LabInput;
use crate::app::Command;
use crate::app::command::Origin;
use crate::app::state::Which;
use crate::app::worker::Lane;
use crate::distribution::Distribution;
use crate::fit::{self, Crossing, Direction, Fit, QFamily, Search, StationaryKind};
use crate::io::Source;

mod images;
mod work;

use images::{basin_image, contour_lines, heat_image};
use work::last_stage;
pub use work::{
    BASIN_GRID, FitAnswer, FitRequest, PathAnswer, PathRequest, STAGES, compute, compute_path,
};

/// The Fit lab's state.
pub struct FitLab {
    /// Q's family.
    pub family: QFamily,
    /// The landscape's direction.
    pub direction: Direction,
    /// The optimiser's start in θ's first two coordinates, once the user sets one.
    pub start: Option<[f64; 2]>,
    lane: Lane<FitRequest, FitAnswer>,
    submitted: Option<FitRequest>,
    answer: Option<FitAnswer>,
    path_lane: Lane<PathRequest, PathAnswer>,
    path_submitted: Option<PathRequest>,
    path: Option<PathAnswer>,
    texture: Option<(TextureHandle, TextureHandle)>,
    map_transform: Option<PlotTransform>,
    drawn_passes: Vec<[f64; 2]>,
}

impl FitLab {
    /// Starts the lab and its lane.
    pub fn new(ctx: &egui::Context) -> Self {
        let (c1, c2) = (ctx.clone(), ctx.clone());
        FitLab {
            family: QFamily::Normal,
            direction: Direction::Reverse,
            start: None,
            lane: Lane::start("kl-fit", compute, move || c1.request_repaint()),
            submitted: None,
            answer: None,
            path_lane: Lane::start("kl-fit-path", compute_path, move || c2.request_repaint()),
            path_submitted: None,
            path: None,
            texture: None,
            map_transform: None,
            drawn_passes: Vec::new(),
        }
    }

    /// The fit from the start on screen, if it answers the current start and inputs.
    pub fn path(&self, input: &LabInput<'_>) -> Option<&Fit> {
        let wanted = self.wanted_path(input)?;
        self.path
            .as_ref()
            .filter(|a| a.request == wanted)
            .and_then(|a| a.fit.as_ref())
    }

    /// Where θ's first two coordinates `theta` are drawn on the landscape map, in screen
    /// points (after the map has been drawn once).
    pub fn map_screen_pos(&self, theta: [f64; 2]) -> Option<egui::Pos2> {
        self.map_transform
            .as_ref()
            .map(|t| t.position_from_point(&PlotPoint::new(theta[0], theta[1])))
    }

    /// Where the map drew, in its two coordinates, the crossings of the lowest paths between
    /// minima (three parameters): interior saddles, and passes at the edge of the family at
    /// the location and scale of the limit's saddle (last frame).
    pub fn drawn_passes(&self) -> &[[f64; 2]] {
        &self.drawn_passes
    }

    fn wanted_path(&self, input: &LabInput<'_>) -> Option<PathRequest> {
        let s = self.start?;
        let rest = match &self.answer {
            Some(a) if Arc::ptr_eq(&a.request.p, input.p) && a.request.family == self.family => {
                a.rest.clone()
            }
            _ => fit::initial_theta(input.p, self.family)
                .get(2..)
                .map(<[f64]>::to_vec)
                .unwrap_or_default(),
        };
        let mut start = s.to_vec();
        start.extend(rest);
        Some(PathRequest {
            p: input.p.clone(),
            family: self.family,
            direction: self.direction,
            start,
        })
    }

    fn keep_path_lane_busy(&mut self, input: &LabInput<'_>) {
        let wanted = self.wanted_path(input);
        if let Some(a) = self.path_lane.poll()
            && Some(&a.request) == wanted.as_ref()
        {
            self.path = Some(a);
        }
        if let Some(w) = wanted
            && self.path_submitted.as_ref() != Some(&w)
            && self.path.as_ref().is_none_or(|a| a.request != w)
        {
            self.path_lane.submit(w.clone());
            self.path_submitted = Some(w);
        }
    }

    /// The answer on screen, if it answers the current inputs.
    pub fn answer(&self) -> Option<&FitAnswer> {
        self.answer.as_ref()
    }

    fn wanted(&self, input: &LabInput<'_>, stage: usize) -> FitRequest {
        let (n, basins) = STAGES[stage.min(STAGES.len() - 1)];
        FitRequest {
            p: input.p.clone(),
            family: self.family,
            direction: self.direction,
            n,
            basins,
        }
    }

    fn keep_lane_busy(&mut self, input: &LabInput<'_>) {
        if input.p.kind() != crate::distribution::Kind::Continuous {
            return;
        }
        let wanted = self.wanted(input, 0);
        if let Some(a) = self.lane.poll()
            && a.request.same_inputs(&wanted)
        {
            {
                let next = STAGES
                    .iter()
                    .position(|s| *s == (a.request.n, a.request.basins))
                    .map(|k| k + 1)
                    .filter(|k| *k <= last_stage(wanted.direction));
                self.answer = Some(a);
                self.texture = None;
                if let Some(stage) = next {
                    let req = self.wanted(input, stage);
                    self.lane.submit(req.clone());
                    self.submitted = Some(req);
                }
            }
        }
        if self
            .submitted
            .as_ref()
            .is_none_or(|s| !s.same_inputs(&wanted))
        {
            if self
                .answer
                .as_ref()
                .is_some_and(|a| !a.request.same_inputs(&wanted))
            {
                // Keep the old map for its shape, but not as an answer to these inputs.
                self.answer = self.answer.take().filter(|a| {
                    Arc::ptr_eq(&a.request.p, &wanted.p) && a.request.family == wanted.family
                });
            }
            self.lane.submit(wanted.clone());
            self.submitted = Some(wanted);
        }
    }

    /// Draws the lab.
    pub fn ui(&mut self, ui: &mut egui::Ui, input: &LabInput<'_>) -> Vec<Command> {
        let mut commands = Vec::new();
        if input.p.kind() != crate::distribution::Kind::Continuous {
            ui.label("P is discrete; the fitted families are continuous. Choose a continuous P.");
            return commands;
        }
        self.keep_lane_busy(input);
        self.keep_path_lane_busy(input);
        self.controls_ui(ui, input);
        let current = self
            .answer
            .as_ref()
            .is_some_and(|a| a.request.same_inputs(&self.wanted(input, 0)));
        let Some(answer) = self.answer.clone() else {
            ui.spinner();
            return commands;
        };
        if !current {
            ui.colored_label(
                Color32::GRAY,
                "updating… (the map below is for the previous inputs)",
            );
        }
        let path = self.path(input).cloned();
        ui.columns(2, |cols| {
            self.landscape_ui(&mut cols[0], &answer, path.as_ref());
            density_ui(&mut cols[1], input, &answer);
            commands.extend(metrics_ui(&mut cols[1], &answer));
        });
        commands
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui, input: &LabInput<'_>) {
        ui.horizontal(|ui| {
            ui.label("Q family");
            egui::ComboBox::from_id_salt("fit-family")
                .selected_text(self.family.name())
                .show_ui(ui, |ui| {
                    for f in QFamily::ALL {
                        if ui.selectable_value(&mut self.family, f, f.name()).changed() {
                            self.start = None;
                        }
                    }
                });
            ui.separator();
            ui.label("landscape of");
            ui.radio_value(&mut self.direction, Direction::Forward, "KL(P||Q) forward");
            ui.radio_value(&mut self.direction, Direction::Reverse, "KL(Q||P) reverse");
            ui.separator();
            let labels = [
                self.family.coordinate_label(0),
                self.family.coordinate_label(1),
            ];
            let bx = fit::search_box(input.p, self.family);
            let mut s = self
                .start
                .unwrap_or([0.5 * (bx[0].0 + bx[0].1), 0.5 * (bx[1].0 + bx[1].1)]);
            ui.label("start:");
            let a = ui.add(
                egui::DragValue::new(&mut s[0])
                    .speed(0.01)
                    .prefix(format!("{} ", labels[0])),
            );
            let b = ui.add(
                egui::DragValue::new(&mut s[1])
                    .speed(0.01)
                    .prefix(format!("{} ", labels[1])),
            );
            if a.changed() || b.changed() {
                self.start = Some(s);
            }
            if self.start.is_some() && ui.button("Clear path").clicked() {
                self.start = None;
            }
            if self.lane.is_running() {
                ui.add(
                    egui::ProgressBar::new(self.lane.progress())
                        .desired_width(120.0)
                        .show_percentage(),
                );
                if ui.button("Cancel").clicked() {
                    self.lane.cancel();
                }
            }
        });
    }

    fn textures(
        &mut self,
        ctx: &egui::Context,
        answer: &FitAnswer,
    ) -> (TextureHandle, TextureHandle) {
        if let Some(t) = &self.texture {
            return t.clone();
        }
        let map = ctx.load_texture(
            "fit-landscape",
            heat_image(&answer.landscape),
            TextureOptions::NEAREST,
        );
        let basins = ctx.load_texture(
            "fit-basins",
            answer.basins.as_ref().map_or_else(
                || ColorImage::new([1, 1], vec![Color32::TRANSPARENT]),
                basin_image,
            ),
            TextureOptions::NEAREST,
        );
        self.texture = Some((map.clone(), basins.clone()));
        (map, basins)
    }

    fn landscape_ui(&mut self, ui: &mut egui::Ui, answer: &FitAnswer, path: Option<&Fit>) {
        let l = &answer.landscape;
        let search = match answer.request.direction {
            Direction::Forward => &answer.forward,
            Direction::Reverse => &answer.reverse,
        };
        // Beyond two parameters the map is a slice at the best minimum's other coordinates.
        let slice: String = answer
            .rest
            .iter()
            .enumerate()
            .map(|(k, v)| {
                format!(
                    " at {} = {:.4} (the best minimum's)",
                    answer.request.family.coordinate_label(k + 2),
                    v
                )
            })
            .collect();
        ui.label(format!(
            "{} over {} × {}{slice} ({}×{}; {}{})",
            answer.request.direction.formula().replace('‖', "||"),
            answer.request.family.coordinate_label(0),
            answer.request.family.coordinate_label(1),
            l.grid.n,
            l.grid.n,
            l.method,
            if l.error > 0.0 {
                format!(", within {:.0e} of the engine at 16 nodes", l.error)
            } else {
                String::new()
            }
        ));
        let (map, basin_tex) = self.textures(ui.ctx(), answer);
        let g = l.grid;
        let (dx, dy) = (
            (g.x.1 - g.x.0) / (g.n - 1) as f64,
            (g.y.1 - g.y.0) / (g.n - 1) as f64,
        );
        let centre = PlotPoint::new(0.5 * (g.x.0 + g.x.1), 0.5 * (g.y.0 + g.y.1));
        let size = egui::vec2((g.x.1 - g.x.0 + dx) as f32, (g.y.1 - g.y.0 + dy) as f32);
        let contours = contour_lines(l, 9);
        let family = answer.request.family;
        let response = Plot::new("fit-landscape")
            .height(ui.available_height().clamp(240.0, 520.0))
            .x_axis_label(family.coordinate_label(0))
            .y_axis_label(family.coordinate_label(1))
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .legend(Legend::default())
            .show(ui, |pu| {
                pu.image(PlotImage::new("KL", map.id(), centre, size));
                if let Some(b) = &answer.basins {
                    let bn = b.grid.n as f64;
                    let bsize = egui::vec2(
                        ((g.x.1 - g.x.0) * bn / (bn - 1.0)) as f32,
                        ((g.y.1 - g.y.0) * bn / (bn - 1.0)) as f32,
                    );
                    pu.image(PlotImage::new("basins", basin_tex.id(), centre, bsize));
                }
                for seg in &contours {
                    pu.line(
                        Line::new("contours", seg.to_vec())
                            .color(Color32::from_white_alpha(110))
                            .width(1.0),
                    );
                }
                for (kind, shape, colour, name) in [
                    (
                        StationaryKind::Minimum,
                        MarkerShape::Circle,
                        Color32::WHITE,
                        "minima",
                    ),
                    (
                        StationaryKind::Saddle,
                        MarkerShape::Cross,
                        Color32::from_rgb(240, 228, 66),
                        "saddles",
                    ),
                    (
                        StationaryKind::Maximum,
                        MarkerShape::Up,
                        Color32::from_rgb(213, 94, 0),
                        "maxima",
                    ),
                ] {
                    let pts: Vec<[f64; 2]> = search
                        .optima
                        .iter()
                        .filter(|o| o.kind == kind)
                        .map(|o| [o.theta[0], o.theta[1]])
                        .collect();
                    if !pts.is_empty() {
                        pu.points(
                            Points::new(name, pts)
                                .shape(shape)
                                .radius(6.0)
                                .color(colour)
                                .filled(true),
                        );
                    }
                }
                // The lowest paths between minima (three parameters), projected on the map's
                // two coordinates, and where they cross; a saddle at another freedom than the
                // slice's, or the edge's limit, is drawn at its location and scale.
                for pass in &search.passes {
                    let pts: Vec<[f64; 2]> = pass.path.iter().map(|t| [t[0], t[1]]).collect();
                    pu.line(
                        Line::new("lowest path between minima", pts)
                            .color(Color32::from_rgb(240, 228, 66))
                            .style(egui_plot::LineStyle::dashed_dense())
                            .width(1.5),
                    );
                }
                let mut edge_names: Vec<String> = Vec::new();
                let mut edge_pts: Vec<Vec<[f64; 2]>> = Vec::new();
                for c in search.passes.iter().flat_map(|p| &p.crossings) {
                    let (Crossing::Edge(e), Some(at)) = (c, c.map_point()) else {
                        continue;
                    };
                    let name = format!(
                        "pass at the edge ({} → {})",
                        e.param,
                        if e.to_infinity { "∞" } else { "0" }
                    );
                    match edge_names.iter().position(|n| *n == name) {
                        Some(k) => edge_pts[k].push(at),
                        None => {
                            edge_names.push(name);
                            edge_pts.push(vec![at]);
                        }
                    }
                }
                for (name, pts) in edge_names.iter().zip(edge_pts) {
                    pu.points(
                        Points::new(screen_text(name), pts)
                            .shape(MarkerShape::Diamond)
                            .radius(7.0)
                            .color(Color32::from_rgb(240, 228, 66))
                            .filled(false),
                    );
                }
                if let Some(f) = path {
                    let pts: Vec<[f64; 2]> = f.path.iter().map(|t| [t[0], t[1]]).collect();
                    pu.line(
                        Line::new("optimiser's path", pts.clone())
                            .color(Color32::from_rgb(230, 159, 0))
                            .width(2.0),
                    );
                    pu.points(
                        Points::new("optimiser's path", pts)
                            .radius(2.5)
                            .color(Color32::from_rgb(230, 159, 0)),
                    );
                }
                if let Some(s) = self.start {
                    pu.points(
                        Points::new("start", vec![[s[0], s[1]]])
                            .shape(MarkerShape::Square)
                            .radius(5.0)
                            .color(Color32::from_rgb(230, 159, 0)),
                    );
                }
            });
        let r = &response.response;
        self.map_transform = Some(response.transform);
        self.drawn_passes = search
            .passes
            .iter()
            .flat_map(|p| &p.crossings)
            .filter_map(Crossing::map_point)
            .collect();
        for pass in &search.passes {
            ui.label(format!("Pass: {}", screen_text(&pass.sentence())));
        }
        if (r.clicked() || r.dragged())
            && let Some(pos) = r.interact_pointer_pos()
        {
            let p = response.transform.value_from_position(pos);
            self.start = Some([p.x, p.y]);
        }
        if let Some(f) = path {
            let kind = f.kind.map_or("a point where KL is ∞", |k| k.name());
            ui.label(format!(
                "from the start: {} after {} Newton steps, {} ({}), {} = {}",
                f.q.to_spec(),
                f.iterations,
                if f.converged {
                    "converged"
                } else {
                    "not converged"
                },
                kind,
                answer.request.direction.formula().replace('‖', "||"),
                crate::divergence::format_value(f.kl.value)
            ));
            if let Some(e) = &f.edge {
                ui.label(screen_text(&e.sentence()));
            }
        } else {
            ui.label("Click or drag on the map, or type a start, to run the optimiser from there.");
        }
    }
}

/// The optimum of each direction's search with the least KL.
fn best(s: &Search) -> Option<&fit::Stationary> {
    s.best_minimum()
}

fn density_ui(ui: &mut egui::Ui, input: &LabInput<'_>, answer: &FitAnswer) {
    let p = input.p;
    let (lo, hi) = (p.quantile(0.001), p.quantile(0.999));
    let mut fits: Vec<(String, Distribution, Color32)> = Vec::new();
    if let Some(f) = best(&answer.forward) {
        fits.push((
            "forward optimum (mass-covering)".into(),
            Distribution::Parametric(f.q.clone()),
            crate::app::plots::PQ_COLOR,
        ));
    }
    for (i, m) in answer.reverse.minima().take(2).enumerate() {
        let name = if i == 0 {
            "reverse optimum (mode-seeking)"
        } else {
            "another reverse minimum"
        };
        fits.push((
            name.into(),
            Distribution::Parametric(m.q.clone()),
            crate::app::plots::QP_COLOR,
        ));
    }
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (-5.0, 5.0)
    };
    let pad = 0.15 * (hi - lo);
    let xs: Vec<f64> = (0..600)
        .map(|i| lo - pad + (hi - lo + 2.0 * pad) * i as f64 / 599.0)
        .collect();
    let curve = |d: &Distribution| -> Vec<[f64; 2]> {
        xs.iter().map(|x| [*x, d.ln_density(*x).exp()]).collect()
    };
    Plot::new("fit-densities")
        .height(240.0)
        .legend(Legend::default())
        .allow_scroll(false)
        .show(ui, |pu| {
            pu.line(
                Line::new("P", curve(p))
                    .color(Color32::from_rgb(0, 114, 178))
                    .width(2.5),
            );
            for (name, d, c) in &fits {
                pu.line(Line::new(name.as_str(), curve(d)).color(*c).width(1.8));
            }
        });
}

fn metrics_ui(ui: &mut egui::Ui, answer: &FitAnswer) -> Vec<Command> {
    let mut commands = Vec::new();
    for (dir, search) in [
        (Direction::Forward, &answer.forward),
        (Direction::Reverse, &answer.reverse),
    ] {
        ui.separator();
        ui.strong(format!(
            "{} ({}): minimise {}",
            dir.name(),
            dir.character(),
            dir.formula().replace('‖', "||")
        ));
        if let Some(r) = &search.infinite {
            ui.label(format!(
                "∞ for every {} Q: {r}",
                answer.request.family.name()
            ));
            continue;
        }
        for e in &search.edges {
            ui.label(screen_text(&e.sentence()));
        }
        egui::Grid::new(("fit-optima", dir.name()))
            .striped(true)
            .show(ui, |ui| {
                for o in &search.optima {
                    ui.label(o.kind.name());
                    ui.label(o.q.to_spec_short());
                    ui.label(format!(
                        "{} = {}",
                        dir.formula().replace('‖', "||"),
                        crate::divergence::format_value(o.kl.value)
                    ))
                    .on_hover_text(format!(
                        "{} (± {:.1e}); |∇| = {:.1e}; Hessian eigenvalues {:?}",
                        o.kl.method, o.kl.error, o.gradient_norm, o.eigenvalues
                    ));
                    if o.kind == StationaryKind::Minimum && ui.small_button("Use as Q").clicked() {
                        commands.push(Command::SetSource {
                            which: Which::Q,
                            source: Source::Spec(o.q.to_spec()),
                            origin: Origin::Widget,
                        });
                    }
                    ui.end_row();
                }
            });
    }
    commands
}

/// Library text for the screen (egui's default fonts have no '→', '‖' or '∇').
fn screen_text(s: &str) -> String {
    crate::app::metrics::ui_str(s).replace('∇', "grad ")
}

/// Short display of a Q: parameters to 7 significant digits.
trait ShortSpec {
    fn to_spec_short(&self) -> String;
}

impl ShortSpec for crate::distribution::Parametric {
    fn to_spec_short(&self) -> String {
        let params: Vec<String> = self
            .params()
            .iter()
            .map(|v| {
                let v = if v.abs() < 1e-12 { 0.0 } else { *v };
                crate::divergence::format_value(v)
            })
            .collect();
        format!("{}({})", self.family().name(), params.join(", "))
    }
}

impl FitLab {
    /// Whether work is in flight, or the answer on screen is not for the current inputs.
    pub fn is_busy(&self, input: &LabInput<'_>) -> bool {
        let path_wanted = self.wanted_path(input);
        self.lane.is_running()
            || self.path_lane.is_running()
            || path_wanted.is_some_and(|w| self.path.as_ref().is_none_or(|a| a.request != w))
            || !self.answer.as_ref().is_some_and(|a| {
                a.request.same_inputs(&self.wanted(input, 0))
                    && (a.request.n, a.request.basins) == STAGES[last_stage(self.direction)]
            })
    }
}
