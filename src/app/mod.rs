//! The eframe application.
//!
//! The path of the data: a side's input arrives (spec field, widgets, a file, a drop, a session)
//! as a [`command::Command`] carrying a [`Source`]; the app turns it into a distribution (a spec
//! at once, a file on a [`tasks`] thread) and records it for undo. Each frame it builds the
//! [`worker::Request`] that the current inputs ask for; when that differs from the last one
//! sent, the one compute [`worker`] gets it (newest wins, the running one is cancelled). The
//! panels draw the latest [`worker::Derived`] answer and return commands; the app runs them
//! after drawing.
//!
//! One concern per file: [`side`] (a P or Q panel) and [`params`] (its widgets), [`metrics`],
//! [`how`], [`binned`], [`plots`], [`toolbar`] (menu, shortcuts, drops), [`toasts`],
//! [`state`] (what is saved, undo), [`command`] (what panels ask for), [`tasks`] (file and
//! dialog threads), [`worker`] (figures), [`export`] (PNG pixels), [`launch`] (the command
//! line's window).

pub mod binned;
pub mod command;
pub mod export;
pub mod family;
pub mod how;
pub mod labs;
pub mod launch;
pub mod metrics;
pub mod params;
pub mod plots;
pub mod side;
pub mod state;
pub mod tasks;
pub mod toasts;
pub mod toolbar;
pub mod worker;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU8;

use crate::distribution::Distribution;
use crate::divergence::Report;
use crate::divergence::renyi::Divergence;
use crate::io::{CsvErrorKind, LoadErrorKind, Source};

pub use command::{Command, Origin};
pub use launch::{LaunchOptions, run};

use side::Side;
use state::{History, SideSnapshot, Snapshot, State, Which};
use tasks::{Msg, Tasks};
use toasts::Toasts;
use worker::{Derived, Request, Worker};

/// Where eframe keeps [`State`] between runs.
pub const STORAGE_KEY: &str = "kl-explorer-state";

/// The application.
pub struct KlApp {
    /// Saved settings and both sides' inputs.
    pub state: State,
    /// P's panel.
    pub p: Side,
    /// Q's panel.
    pub q: Side,
    history: History,
    worker: Worker,
    /// The labs' state and lanes.
    pub labs: labs::Labs,
    /// The last request sent to the worker.
    submitted: Option<Request>,
    /// The latest answer (it may answer an older request while a newer one computes).
    derived: Option<Derived>,
    /// A file landed while the other side's was still loading: computing now would compare
    /// against a distribution about to be replaced, so the figures wait for that load.
    hold_for_load: bool,
    tasks: Tasks,
    toasts: Toasts,
    pending_drop: Option<PathBuf>,
    /// Session files being read.
    opening: usize,
    /// A PNG to save once this frame is drawn: path, plots only.
    pending_png: Option<(PathBuf, bool)>,
    /// Figures stored in an opened session, compared with the recomputed ones.
    stored_figures: Option<serde_json::Value>,
    fit: bool,
    next_load_id: u64,
    plots_rect: Option<egui::Rect>,
    screenshot: Option<launch::ScreenshotJob>,
    exit_code: Arc<AtomicU8>,
    frames_since_result: u32,
    ctx: egui::Context,
}

impl KlApp {
    /// The app's inputs and settings are `state`; the command line's own requests (a file to
    /// open, a screenshot to take) come with `launch`.
    pub fn new(
        ctx: &egui::Context,
        saved: Option<State>,
        launch: &LaunchOptions,
        exit_code: Arc<AtomicU8>,
    ) -> Self {
        let state = launch.initial_state(saved);
        let p = Side::new(Which::P, &state.p, state::default_dist(Which::P));
        let q = Side::new(Which::Q, &state.q, state::default_dist(Which::Q));
        let repaint = ctx.clone();
        let mut app = KlApp {
            p,
            q,
            history: History::default(),
            worker: Worker::spawn(move || repaint.request_repaint()),
            labs: labs::Labs::new(ctx),
            submitted: None,
            derived: None,
            hold_for_load: false,
            tasks: Tasks::new(ctx),
            toasts: Toasts::default(),
            pending_drop: None,
            opening: 0,
            pending_png: None,
            stored_figures: None,
            fit: true,
            next_load_id: 0,
            plots_rect: None,
            screenshot: launch.screenshot_job(),
            exit_code,
            frames_since_result: 0,
            ctx: ctx.clone(),
            state,
        };
        for which in [Which::P, Which::Q] {
            let source = app.state.source(which).clone();
            let default = state::default_dist(which);
            // The state names the default until the side's own input is applied, so that a
            // failed input leaves the default and says why.
            *app.state.source_mut(which) = Source::Spec(default.to_spec());
            app.run_command(Command::SetSource {
                which,
                source,
                origin: Origin::Launch,
            });
        }
        if let Some((reference, current)) = &launch.drift {
            app.labs
                .drift
                .set_table(crate::drift::Side::Reference, reference);
            app.labs
                .drift
                .set_table(crate::drift::Side::Current, current);
            app.labs.drift.compare();
        }
        if let Some(path) = &launch.open {
            app.run_command(Command::OpenSession(path.clone()));
        }
        app
    }

    /// The exit code the `--screenshot` run should end with.
    pub fn exit_code(&self) -> Arc<AtomicU8> {
        self.exit_code.clone()
    }

    /// The latest figures (in nats), or why there are none.
    pub fn report(&self) -> Option<&Result<Report, String>> {
        self.derived.as_ref().map(|d| &d.report)
    }

    /// The latest answer of the worker.
    pub fn derived(&self) -> Option<&Derived> {
        self.derived.as_ref()
    }

    /// How many requests the worker computed to the end (not counting cancelled ones).
    pub fn computations_finished(&self) -> u64 {
        self.worker.finished()
    }

    /// The messages on screen.
    pub fn toast_texts(&self) -> Vec<String> {
        self.toasts.texts().map(str::to_string).collect()
    }

    /// A side's panel.
    pub fn side(&self, which: Which) -> &Side {
        match which {
            Which::P => &self.p,
            Which::Q => &self.q,
        }
    }

    fn side_mut(&mut self, which: Which) -> &mut Side {
        match which {
            Which::P => &mut self.p,
            Which::Q => &mut self.q,
        }
    }

    /// The request the current inputs ask for.
    fn wanted(&self) -> Request {
        Request {
            p: self.p.dist.clone(),
            q: self.q.dist.clone(),
            smoothing: self.state.smoothing,
            on_p_bins: self.state.compare_on_p_bins,
            grid: self.state.grid,
            divergence: self.state.divergence,
        }
    }

    /// Whether work is in flight: a load, or inputs whose answer is not on screen yet.
    pub fn is_busy(&self) -> bool {
        let wanted = self.wanted();
        let answered = self
            .derived
            .as_ref()
            .is_some_and(|d| d.request.same_as(&wanted));
        let lab_busy = self.labs.is_busy(self.state.view, &self.lab_input());
        !answered
            || lab_busy
            || self.p.loading.is_some()
            || self.q.loading.is_some()
            || self.opening > 0
    }

    /// What the labs read of the comparison.
    fn lab_input(&self) -> labs::LabInput<'_> {
        labs::LabInput {
            p: &self.p.dist,
            q: &self.q.dist,
            p_source: &self.state.p,
            q_source: &self.state.q,
            unit: self.state.unit,
        }
    }

    /// Whether there is an edit to undo.
    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    fn snapshot(&self) -> Snapshot {
        let side = |which: Which| SideSnapshot {
            source: self.state.source(which).clone(),
            dist: self.side(which).dist.clone(),
        };
        Snapshot {
            p: side(Which::P),
            q: side(Which::Q),
        }
    }

    fn record(&mut self, coalesce: Option<Which>) {
        let now = self.ctx.input(|i| i.time);
        let before = self.snapshot();
        self.history.record(before, coalesce, now);
    }

    fn restore(&mut self, s: Snapshot) {
        for (which, side) in [(Which::P, s.p), (Which::Q, s.q)] {
            *self.state.source_mut(which) = side.source;
            self.side_mut(which).dist = side.dist;
            self.show_source(which);
        }
    }

    /// Shows a side's source in its spec field and clears its error.
    fn show_source(&mut self, which: Which) {
        let label = self.state.source(which).label();
        let side = self.side_mut(which);
        side.text = label;
        side.error = None;
        side.ask_columns = false;
    }

    /// Makes `dist`, read from `source`, a side's distribution, as one undo step.
    fn commit(&mut self, which: Which, source: Source, dist: Arc<Distribution>, origin: Origin) {
        let coalesce = matches!(origin, Origin::Typed | Origin::Widget).then_some(which);
        if origin != Origin::Launch {
            self.record(coalesce);
        }
        *self.state.source_mut(which) = source;
        self.side_mut(which).dist = dist;
        if origin == Origin::Typed {
            self.side_mut(which).error = None;
        } else {
            self.show_source(which);
        }
    }

    fn process_messages(&mut self) {
        for msg in self.tasks.poll() {
            match msg {
                Msg::Loaded {
                    which,
                    id,
                    source,
                    result,
                } => self.loaded(which, id, source, result),
                Msg::Dialog { purpose, outcome } => self.dialog_answered(purpose, outcome),
                Msg::SessionRead { path, result } => {
                    self.opening = self.opening.saturating_sub(1);
                    match result {
                        Ok(opened) => self.apply_session(&path, *opened),
                        Err(e) => {
                            self.refuse_screenshot(&e);
                            self.toasts.error(e);
                        }
                    }
                }
                Msg::Saved { result, exit_after } => {
                    match &result {
                        Ok(p) => self.toasts.info(format!("Saved {}", p.display())),
                        Err(e) => self.toasts.error(e.clone()),
                    }
                    if exit_after {
                        launch::finish(&self.ctx, &self.exit_code, &result);
                    }
                }
            }
        }
        if let Some(d) = self.worker.poll() {
            let new_pair = self
                .derived
                .as_ref()
                .is_none_or(|old| !old.request.same_pair(&d.request));
            if new_pair {
                self.fit = true;
            }
            self.derived = Some(d);
            self.frames_since_result = 0;
            self.check_stored_figures();
        }
    }

    fn loaded(
        &mut self,
        which: Which,
        id: u64,
        source: Source,
        result: Result<Distribution, crate::io::LoadError>,
    ) {
        let Some(loading) = self.side(which).loading.as_ref().filter(|l| l.id == id) else {
            return; // superseded or cancelled
        };
        let origin = loading.origin;
        self.side_mut(which).loading = None;
        match result {
            Ok(d) => {
                let text = source.label();
                self.commit(which, source, Arc::new(d), origin);
                self.hold_for_load = self.side(which.other()).loading.is_some();
                self.state.recent.retain(|r| *r != text);
                self.state.recent.insert(0, text);
                self.state.recent.truncate(8);
            }
            Err(e) => {
                if matches!(e.kind, LoadErrorKind::Cancelled) {
                    return;
                }
                let msg = e.to_string();
                let side = self.side_mut(which);
                side.ask_columns = matches!(
                    e.kind,
                    LoadErrorKind::Csv(CsvErrorKind::AmbiguousColumns { .. })
                );
                // The field keeps naming the file so its columns can be chosen.
                side.text = source.label();
                side.error = Some(msg.clone());
                self.toasts
                    .error(format!("{} not loaded: {msg}", which.name()));
            }
        }
    }

    /// After a session is opened, its stored figures are compared with the recomputed ones:
    /// what is shown is always computed, and a difference is said.
    fn check_stored_figures(&mut self) {
        if self.is_busy() {
            return;
        }
        let Some(stored) = self.stored_figures.take() else {
            return;
        };
        let Some(Ok(r)) = self.report() else {
            return;
        };
        let now = self.figures_json(r);
        let differs: Vec<&str> = ["kl_pq", "kl_qp"]
            .into_iter()
            .filter(|k| {
                let (a, b) = (&stored[*k], &now[*k]);
                match (a.as_f64(), b.as_f64()) {
                    (Some(x), Some(y)) => (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1e-300),
                    _ => a != b,
                }
            })
            .collect();
        if !differs.is_empty() {
            self.toasts.info(format!(
                "The session's stored figures differ from the recomputed ones ({}); the window shows the recomputed ones.",
                differs.join(", ")
            ));
        }
    }

    /// The figures as JSON, in the unit shown (the keys of `compute --json`).
    fn figures_json(&self, r: &Report) -> serde_json::Value {
        r.in_unit(self.state.unit)
            .to_json(&self.p.dist.to_spec(), &self.q.dist.to_spec())
    }

    /// Sends the worker the request the inputs ask for, if it is new.
    fn schedule(&mut self) {
        let loading = self.p.loading.is_some() || self.q.loading.is_some();
        if self.hold_for_load && loading {
            return;
        }
        self.hold_for_load = false;
        let wanted = self.wanted();
        if self.submitted.as_ref().is_some_and(|s| s.same_as(&wanted)) {
            return;
        }
        self.worker.submit(wanted.clone());
        self.submitted = Some(wanted);
    }

    /// Draws one frame and runs what it asked for. Public for tests.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.ctx = ctx.clone();
        self.process_messages();
        let mut commands = toolbar::shortcuts(&ctx);
        let history = toolbar::HistoryState {
            can_undo: self.history.can_undo(),
            can_redo: self.history.can_redo(),
        };
        egui::Panel::top("toolbar").show(ui, |ui| {
            commands.extend(toolbar::toolbar_ui(ui, &mut self.state, history));
        });
        let smoothing = self.state.smoothing;
        let (p_rect, q_rect) = egui::Panel::left("sides")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .show(ui, |ui| {
                        let mut rect = |side: &mut Side, source: &Source, ui: &mut egui::Ui| {
                            ui.scope(|ui| commands.extend(side.ui(ui, source, smoothing)))
                                .response
                                .rect
                        };
                        let pr = rect(&mut self.p, &self.state.p, ui);
                        ui.separator();
                        let qr = rect(&mut self.q, &self.state.q, ui);
                        (pr, qr)
                    })
                    .inner
            })
            .inner;
        let updating = self.is_busy();
        egui::Panel::right("metrics")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    let d = self.derived.as_ref();
                    commands.extend(metrics::metrics_ui(ui, d, updating, &mut self.state));
                    ui.separator();
                    family::family_ui(ui, d, &mut self.state);
                    binned::bins_ui(ui, d, &mut self.state);
                    ui.separator();
                    how::how_ui(ui, d, &mut self.state);
                });
            });
        // Fit only once the curves for the current P and Q are here.
        let fit_now = self.fit && !self.is_busy();
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                for view in state::View::ALL {
                    ui.selectable_value(&mut self.state.view, view, view.label());
                }
            });
            ui.separator();
            if self.state.view != state::View::Compare {
                let input = labs::LabInput {
                    p: &self.p.dist,
                    q: &self.q.dist,
                    p_source: &self.state.p,
                    q_source: &self.state.q,
                    unit: self.state.unit,
                };
                commands.extend(self.labs.ui(self.state.view, ui, &input));
                self.plots_rect = Some(ui.min_rect());
            } else if let Some(d) = &self.derived {
                let family = d
                    .family
                    .as_ref()
                    .filter(|f| self.state.divergence != Divergence::Kl && f.pair.is_ok());
                let input = plots::PlotInput {
                    curves: family.map_or(&d.curves, |f| &f.curves),
                    p: d.p.clone(),
                    q: d.q.clone(),
                    log_y: self.state.log_y,
                    direction: self.state.direction,
                    fit: fit_now,
                    unit: self.state.unit,
                    kl: match family.map(|f| &f.pair) {
                        Some(Ok(pair)) => Some([pair.pq.value, pair.qp.value]),
                        _ => d
                            .report
                            .as_ref()
                            .ok()
                            .map(|r| [r.kl_pq.value, r.kl_qp.value]),
                    },
                    divergence: family.map_or(Divergence::Kl, |_| d.request.divergence),
                };
                self.plots_rect = Some(plots::plots_ui(ui, &input));
            }
        });
        if fit_now {
            self.fit = false;
        }
        commands.extend(toolbar::drops(&ctx, p_rect, q_rect));
        if let Some(path) = self.pending_drop.clone() {
            let (answer, done) = toolbar::drop_question_ui(&ctx, &path);
            commands.extend(answer);
            if done {
                self.pending_drop = None;
            }
        }
        for c in commands {
            self.run_command(c);
        }
        self.schedule();
        self.toasts.ui(&ctx);
        self.frames_since_result = self.frames_since_result.saturating_add(1);
        self.screenshot_step(&ctx);
    }
}

impl eframe::App for KlApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
        if self.is_busy() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.screenshot.is_none() {
            eframe::set_value(storage, STORAGE_KEY, &self.state);
        }
    }
}
