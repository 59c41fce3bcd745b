//! The eframe application: state, panels, plots, metrics, and the commands they ask for.
//!
//! Panels draw state and return [`Command`]s; the app runs them after drawing. Slow work
//! (figures and curves, file loads, dialogs, PNG writing) runs in [`jobs`] on worker threads;
//! the old figures stay on screen until new ones arrive.

pub mod export;
pub mod jobs;
pub mod metrics;
pub mod plots;
pub mod side;
pub mod state;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use egui::{Key, KeyboardShortcut, Modifiers, RichText};

use crate::distribution::Distribution;
use crate::divergence::Report;
use crate::divergence::pointwise::Curves;
use crate::io::session::{Session, SideState};
use crate::io::{LoadControl, looks_like_path};

use export::save_screenshot;
use jobs::{DialogPurpose, Msg};
use side::{Edit, Loading, Side};
use state::{History, Snapshot, State, Which};

/// What the command line asked of the window.
#[derive(Clone, Debug, Default)]
pub struct LaunchOptions {
    /// P's spec or file.
    pub p: Option<String>,
    /// Q's spec or file.
    pub q: Option<String>,
    /// Save a PNG once drawn, then exit.
    pub screenshot: Option<PathBuf>,
    /// Window size.
    pub size: Option<(u32, u32)>,
    /// Screenshot the plots only.
    pub plots_only: bool,
    /// Start in bits.
    pub bits: bool,
}

impl LaunchOptions {
    /// From the parsed command line.
    pub fn from_cli(cli: &crate::cli::Cli) -> Self {
        LaunchOptions {
            p: cli.p.clone(),
            q: cli.q.clone(),
            screenshot: cli.screenshot.clone(),
            size: cli.size,
            plots_only: cli.plots_only,
            bits: cli.bits,
        }
    }
}

/// Something a panel asks the app to do after drawing.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open the file dialog for a side's CSV.
    OpenCsv(Which),
    /// Load a path into a side.
    LoadPath(Which, PathBuf),
    /// Reload a side's file with its current options.
    Reload(Which),
    /// Exchange P and Q.
    Swap,
    /// Back to the default comparison.
    Reset,
    /// Undo an edit.
    Undo,
    /// Redo an edit.
    Redo,
    /// Fit the plots' view to both distributions.
    FitView,
    /// Ask for a PNG path, then save a screenshot.
    ExportPng,
    /// Export the curves as CSV.
    ExportCurves,
    /// Export the figures as JSON.
    ExportFigures,
    /// Save the session.
    SaveSession,
    /// Open a session or PNG.
    OpenSession,
    /// Show a message.
    Toast(String),
}

struct Toast {
    text: String,
    error: bool,
    until: f64,
}

const STORAGE_KEY: &str = "kl-explorer-state";

/// The application.
pub struct KlApp {
    /// Saved settings.
    pub state: State,
    /// P's panel.
    pub p: Side,
    /// Q's panel.
    pub q: Side,
    history: History,
    /// The latest figures (in nats), or why there are none.
    pub report: Option<Result<Report, String>>,
    curves: Arc<Curves>,
    bins: Option<Arc<crate::divergence::bins::BinTable>>,
    grid_cache: metrics::GridSumCache,
    generation: u64,
    computed_generation: u64,
    dirty: bool,
    /// A file landed while the other side's was still loading: computing now would compare
    /// against a distribution about to be replaced (for two large files, seconds of work
    /// thrown away on a core the other load needs), so the figures wait for that load.
    hold_for_load: bool,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    toasts: Vec<Toast>,
    pending_drop: Option<PathBuf>,
    fit: bool,
    next_load_id: u64,
    plots_rect: Option<egui::Rect>,
    screenshot: Option<ScreenshotJob>,
    exit_code: Arc<AtomicU8>,
    pending_export: Option<(PathBuf, bool)>,
    frames_since_result: u32,
    ctx: egui::Context,
}

struct ScreenshotJob {
    path: PathBuf,
    plots_only: bool,
    requested: bool,
}

fn snapshot_side(s: &Side, st: &SideState) -> (String, Arc<Distribution>, SideState) {
    (s.text.clone(), s.dist.clone(), st.clone())
}

impl KlApp {
    /// A new app on `ctx`, restoring `saved` state unless the command line names P or Q.
    pub fn new(
        ctx: &egui::Context,
        saved: Option<State>,
        launch: &LaunchOptions,
        exit_code: Arc<AtomicU8>,
    ) -> Self {
        let (tx, rx) = channel();
        let mut state = saved.unwrap_or_default();
        if launch.bits {
            state.unit = crate::divergence::Unit::Bits;
        }
        if let Some(p) = &launch.p {
            state.p = SideState::from_spec(p.clone());
        }
        if let Some(q) = &launch.q {
            state.q = SideState::from_spec(q.clone());
        }
        let mut app = KlApp {
            p: Side::new(Which::P, state::default_dist(Which::P)),
            q: Side::new(Which::Q, state::default_dist(Which::Q)),
            state,
            history: History::default(),
            report: None,
            curves: Arc::new(Curves::default()),
            bins: None,
            grid_cache: metrics::GridSumCache::default(),
            generation: 0,
            computed_generation: 0,
            dirty: true,
            hold_for_load: false,
            tx,
            rx,
            toasts: Vec::new(),
            pending_drop: None,
            fit: true,
            next_load_id: 0,
            plots_rect: None,
            screenshot: launch.screenshot.clone().map(|path| ScreenshotJob {
                path,
                plots_only: launch.plots_only,
                requested: false,
            }),
            exit_code,
            pending_export: None,
            frames_since_result: 0,
            ctx: ctx.clone(),
        };
        for which in [Which::P, Which::Q] {
            let st = app.side_state(which).clone();
            app.restore_side(which, &st);
        }
        app
    }

    /// The exit code the `--screenshot` run should end with.
    pub fn exit_code(&self) -> Arc<AtomicU8> {
        self.exit_code.clone()
    }

    fn side(&mut self, which: Which) -> &mut Side {
        match which {
            Which::P => &mut self.p,
            Which::Q => &mut self.q,
        }
    }

    fn side_state(&mut self, which: Which) -> &mut SideState {
        match which {
            Which::P => &mut self.state.p,
            Which::Q => &mut self.state.q,
        }
    }

    /// Shows `st` on a side: parses a spec now, or loads a file (embedded text first).
    fn restore_side(&mut self, which: Which, st: &SideState) {
        let spec = st.spec.trim().to_string();
        if let Some(text) = &st.embedded_csv
            && looks_like_path(&spec)
        {
            match crate::io::csv::read_histogram(text.as_bytes(), &spec, &st.csv) {
                Ok(d) => {
                    let side = self.side(which);
                    side.dist = Arc::new(d);
                    side.text = spec;
                    side.csv = st.csv.clone();
                    side.error = None;
                    self.dirty = true;
                    return;
                }
                Err(e) => {
                    self.side(which).error = Some(format!("embedded histogram: {}", e.message))
                }
            }
        }
        if looks_like_path(&spec) {
            self.side(which).csv = st.csv.clone();
            self.start_load(which, PathBuf::from(&spec));
            return;
        }
        match crate::distribution::parse_spec(&spec) {
            Ok(d) => {
                let side = self.side(which);
                side.dist = Arc::new(d);
                side.text = spec;
                side.error = None;
                self.dirty = true;
            }
            Err(e) => {
                let side = self.side(which);
                side.text = spec;
                side.error = Some(e.to_string());
            }
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            p: snapshot_side(&self.p, &self.state.p),
            q: snapshot_side(&self.q, &self.state.q),
        }
    }

    fn restore(&mut self, s: Snapshot) {
        for (which, (text, dist, st)) in [(Which::P, s.p), (Which::Q, s.q)] {
            *self.side_state(which) = st;
            let side = self.side(which);
            side.text = text;
            side.dist = dist;
            side.error = None;
        }
        self.dirty = true;
    }

    /// Applies a new distribution to a side, recording the old state for undo.
    pub fn set_side(
        &mut self,
        which: Which,
        dist: Arc<Distribution>,
        text: String,
        coalesce: bool,
    ) {
        let now = self.ctx.input(|i| i.time);
        let before = self.snapshot();
        self.history.record(before, coalesce.then_some(which), now);
        let spec = if looks_like_path(&text) {
            text.clone()
        } else {
            dist.to_spec()
        };
        let st = self.side_state(which);
        if st.spec != spec {
            *st = SideState {
                spec,
                csv: st.csv.clone(),
                ..Default::default()
            };
        }
        let side = self.side(which);
        side.dist = dist;
        side.text = text;
        side.error = None;
        self.dirty = true;
    }

    fn start_load(&mut self, which: Which, path: PathBuf) {
        self.next_load_id += 1;
        let control = LoadControl::default();
        let options = self.side(which).csv.clone();
        jobs::load(
            &self.ctx,
            &self.tx,
            which,
            self.next_load_id,
            path.clone(),
            options,
            control.clone(),
        );
        self.side(which).loading = Some(Loading {
            id: self.next_load_id,
            path,
            control,
        });
    }

    fn toast(&mut self, text: impl Into<String>, error: bool) {
        let now = self.ctx.input(|i| i.time);
        self.toasts.push(Toast {
            text: text.into(),
            error,
            until: now + if error { 8.0 } else { 4.0 },
        });
    }

    /// Whether work is in flight (a computation, a load, a screenshot).
    pub fn is_busy(&self) -> bool {
        self.dirty
            || self.computed_generation != self.generation
            || self.p.loading.is_some()
            || self.q.loading.is_some()
    }

    /// The smoothed distributions used for computing.
    fn effective(&self) -> (Arc<Distribution>, Arc<Distribution>) {
        let smooth = |d: &Arc<Distribution>| match (d.as_ref(), self.state.smoothing) {
            (Distribution::Histogram(h), Some(a)) => {
                Arc::new(Distribution::Histogram(Arc::new(h.smoothed(a))))
            }
            _ => d.clone(),
        };
        let (p, q) = (smooth(&self.p.dist), smooth(&self.q.dist));
        if self.state.compare_on_p_bins
            && let Some((a, b)) = crate::divergence::bins::on_p_bins(&p, &q)
        {
            return (Arc::new(a), Arc::new(b));
        }
        (p, q)
    }

    fn process_messages(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            match msg {
                Msg::Computed {
                    generation,
                    report,
                    curves,
                    bins,
                    elapsed: _,
                } => {
                    if generation == self.generation {
                        self.report = Some(*report);
                        self.curves = curves;
                        self.bins = bins;
                        self.computed_generation = generation;
                        self.frames_since_result = 0;
                    }
                }
                Msg::Loaded {
                    which,
                    id,
                    path,
                    options,
                    result,
                } => {
                    if self.side(which).loading.as_ref().is_none_or(|l| l.id != id) {
                        continue;
                    }
                    self.side(which).loading = None;
                    match result {
                        Ok(d) => {
                            let text = path.display().to_string();
                            self.side(which).csv = options.clone();
                            self.set_side(which, Arc::new(d), text.clone(), false);
                            let other = match which {
                                Which::P => &self.q,
                                Which::Q => &self.p,
                            };
                            self.hold_for_load = other.loading.is_some();
                            let st = self.side_state(which);
                            st.csv = options;
                            st.spec = text.clone();
                            self.state.recent.retain(|r| *r != text);
                            self.state.recent.insert(0, text);
                            self.state.recent.truncate(8);
                            self.fit = true;
                        }
                        Err(e) => {
                            let msg = e.to_string();
                            if e.message.contains("pick") || e.message.contains("which columns") {
                                // Offer the column chooser for this file; the distribution stays.
                                self.side(which).text = path.display().to_string();
                            }
                            self.side(which).error = Some(msg.clone());
                            self.toast(format!("{} not loaded: {msg}", which.name()), true);
                        }
                    }
                }
                Msg::Dialog {
                    purpose,
                    path,
                    backend_available,
                    elapsed,
                } => self.dialog_closed(&purpose, path, backend_available, elapsed),
                Msg::Saved { result, exit_after } => {
                    match &result {
                        Ok(p) => self.toast(format!("Saved {}", p.display()), false),
                        Err(e) => self.toast(e.clone(), true),
                    }
                    if exit_after {
                        if let Err(e) = &result {
                            eprintln!("error: {e}");
                        }
                        self.exit_code
                            .store(u8::from(result.is_err()), Ordering::Relaxed);
                        self.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                }
            }
        }
    }

    fn dialog_closed(
        &mut self,
        purpose: &DialogPurpose,
        path: Option<PathBuf>,
        backend_available: bool,
        elapsed: Duration,
    ) {
        let Some(path) = path else {
            if !backend_available || elapsed < Duration::from_millis(150) {
                self.toast(
                    "No file dialog is available on this desktop (no XDG portal and no zenity). Drop the file on the window instead, or pass it on the command line: kl-explorer --p train.csv --q prod.csv",
                    true,
                );
            }
            // Otherwise the user cancelled: nothing to say.
            return;
        };
        match purpose {
            DialogPurpose::OpenCsv(which) => self.start_load(*which, path),
            DialogPurpose::OpenSession => self.open_session_file(&path),
            DialogPurpose::ExportPng => {
                let plots_only = self.state.export_plots_only;
                self.pending_export = Some((path, plots_only));
            }
            DialogPurpose::ExportCurves => {
                let result = crate::io::export_curves(&path, &self.curves)
                    .map(|()| path.clone())
                    .map_err(|e| e.to_string());
                self.saved_toast(result);
            }
            DialogPurpose::ExportFigures => {
                let result = match &self.report {
                    Some(Ok(r)) => {
                        let v = crate::cli::report_json(
                            &r.in_unit(self.state.unit),
                            &self.p.dist.to_spec(),
                            &self.q.dist.to_spec(),
                        );
                        std::fs::write(&path, format!("{v:#}\n"))
                            .map(|()| path.clone())
                            .map_err(|e| {
                                format!("could not write the figures ({e}): {}", path.display())
                            })
                    }
                    _ => Err("there are no figures to export yet".into()),
                };
                self.saved_toast(result);
            }
            DialogPurpose::SaveSession => {
                let text = self.session().to_json();
                let result = std::fs::write(&path, text)
                    .map(|()| path.clone())
                    .map_err(|e| format!("could not save the session ({e}): {}", path.display()));
                self.saved_toast(result);
            }
        }
    }

    fn saved_toast(&mut self, result: Result<PathBuf, String>) {
        match result {
            Ok(p) => self.toast(format!("Saved {}", p.display()), false),
            Err(e) => self.toast(e, true),
        }
    }

    /// The current comparison as a session document.
    pub fn session(&self) -> Session {
        Session {
            p: self.state.p.clone().with_file_contents(),
            q: self.state.q.clone().with_file_contents(),
            unit: self.state.unit,
            smoothing: self.state.smoothing,
            figures: match &self.report {
                Some(Ok(r)) => Some(crate::cli::report_json(
                    &r.in_unit(self.state.unit),
                    &self.p.dist.to_spec(),
                    &self.q.dist.to_spec(),
                )),
                _ => None,
            },
            ..Session::default()
        }
    }

    /// Opens a session JSON or an exported PNG and restores its comparison.
    pub fn open_session_file(&mut self, path: &Path) {
        let is_png = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        let session = if is_png {
            crate::io::png::read_png_session(path)
                .map(|(s, _, _)| s)
                .map_err(|e| e.to_string())
        } else {
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the session ({e}): {}", path.display()))
                .and_then(|t| {
                    Session::from_json(&t).map_err(|e| format!("{e}: {}", path.display()))
                })
        };
        match session {
            Ok(s) => {
                let before = self.snapshot();
                self.history.record(before, None, 0.0);
                self.state = State::from_session(&s, &self.state);
                for which in [Which::P, Which::Q] {
                    let st = self.side_state(which).clone();
                    self.restore_side(which, &st);
                }
                self.fit = true;
                self.toast(format!("Opened {}", path.display()), false);
            }
            Err(e) => self.toast(e, true),
        }
    }

    fn default_export_name(&self, ext: &str) -> String {
        let clean = |s: String| -> String {
            let mut out: String = s
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            while out.contains("--") {
                out = out.replace("--", "-");
            }
            out.trim_matches('-').chars().take(60).collect()
        };
        format!(
            "kl_{}_vs_{}.{ext}",
            clean(self.p.dist.short_name()),
            clean(self.q.dist.short_name())
        )
    }

    /// Runs a command as if a panel had asked for it.
    pub fn run_command(&mut self, cmd: Command) {
        match cmd {
            Command::OpenCsv(which) => jobs::dialog(
                &self.ctx,
                &self.tx,
                DialogPurpose::OpenCsv(which),
                String::new(),
            ),
            Command::LoadPath(which, path) => self.start_load(which, path),
            Command::Reload(which) => {
                let path = PathBuf::from(self.side_state(which).spec.trim());
                self.start_load(which, path);
            }
            Command::Swap => {
                let before = self.snapshot();
                self.history.record(before, None, 0.0);
                std::mem::swap(&mut self.state.p, &mut self.state.q);
                std::mem::swap(&mut self.p.text, &mut self.q.text);
                std::mem::swap(&mut self.p.dist, &mut self.q.dist);
                std::mem::swap(&mut self.p.csv, &mut self.q.csv);
                self.p.error = None;
                self.q.error = None;
                self.dirty = true;
            }
            Command::Reset => {
                let before = self.snapshot();
                self.history.record(before, None, 0.0);
                let recent = std::mem::take(&mut self.state.recent);
                self.state = State {
                    recent,
                    ..State::default()
                };
                self.p = Side::new(Which::P, state::default_dist(Which::P));
                self.q = Side::new(Which::Q, state::default_dist(Which::Q));
                self.dirty = true;
                self.fit = true;
            }
            Command::Undo => {
                if let Some(s) = self.history.undo(self.snapshot()) {
                    self.restore(s);
                }
            }
            Command::Redo => {
                if let Some(s) = self.history.redo(self.snapshot()) {
                    self.restore(s);
                }
            }
            Command::FitView => self.fit = true,
            Command::ExportPng => {
                let name = self.default_export_name("png");
                jobs::dialog(&self.ctx, &self.tx, DialogPurpose::ExportPng, name);
            }
            Command::ExportCurves => {
                let name = self.default_export_name("csv");
                jobs::dialog(&self.ctx, &self.tx, DialogPurpose::ExportCurves, name);
            }
            Command::ExportFigures => {
                let name = self.default_export_name("json");
                jobs::dialog(&self.ctx, &self.tx, DialogPurpose::ExportFigures, name);
            }
            Command::SaveSession => {
                let name = self
                    .default_export_name("json")
                    .replacen("kl_", "session_", 1);
                jobs::dialog(&self.ctx, &self.tx, DialogPurpose::SaveSession, name);
            }
            Command::OpenSession => jobs::dialog(
                &self.ctx,
                &self.tx,
                DialogPurpose::OpenSession,
                String::new(),
            ),
            Command::Toast(t) => self.toast(t, false),
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        let table = [
            (
                KeyboardShortcut::new(cmd_shift, Key::O),
                Command::OpenCsv(Which::Q),
            ),
            (
                KeyboardShortcut::new(Modifiers::COMMAND, Key::O),
                Command::OpenCsv(Which::P),
            ),
            (KeyboardShortcut::new(cmd_shift, Key::Z), Command::Redo),
            (
                KeyboardShortcut::new(Modifiers::COMMAND, Key::Y),
                Command::Redo,
            ),
            (
                KeyboardShortcut::new(Modifiers::COMMAND, Key::Z),
                Command::Undo,
            ),
            (
                KeyboardShortcut::new(Modifiers::COMMAND, Key::S),
                Command::ExportPng,
            ),
        ];
        // Text fields handle their own Ctrl+Z.
        let typing = ctx.memory(|m| m.focused().is_some());
        for (shortcut, command) in table {
            if typing && matches!(command, Command::Undo | Command::Redo) {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                commands.push(command);
            }
        }
    }

    fn handle_drops(&mut self, ctx: &egui::Context, p_rect: egui::Rect, q_rect: egui::Rect) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        let pos = ctx.input(|i| i.pointer.latest_pos());
        for path in dropped {
            let is_session = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("png") || e.eq_ignore_ascii_case("json"));
            if is_session {
                self.open_session_file(&path);
                continue;
            }
            match pos {
                Some(p) if p_rect.contains(p) => self.start_load(Which::P, path),
                Some(p) if q_rect.contains(p) => self.start_load(Which::Q, path),
                _ => self.pending_drop = Some(path),
            }
        }
    }

    fn drop_question(&mut self, ctx: &egui::Context) {
        let Some(path) = self.pending_drop.clone() else {
            return;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut choice = None;
        let modal = egui::Modal::new(egui::Id::unique("drop-question")).show(ctx, |ui| {
            ui.heading(format!("Load {name} as…"));
            ui.horizontal(|ui| {
                if ui.button("P").clicked() {
                    choice = Some(Some(Which::P));
                }
                if ui.button("Q").clicked() {
                    choice = Some(Some(Which::Q));
                }
                if ui.button("Cancel").clicked() {
                    choice = Some(None);
                }
            });
        });
        if modal.should_close() {
            choice = Some(None);
        }
        if let Some(c) = choice {
            self.pending_drop = None;
            if let Some(which) = c {
                self.start_load(which, path);
            }
        }
    }

    fn toasts_ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        self.toasts.retain(|t| t.until > now);
        if self.toasts.is_empty() {
            return;
        }
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -16.0])
            .show(ctx, |ui| {
                for t in &self.toasts {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.set_max_width(420.0);
                        let color = if t.error {
                            ui.visuals().error_fg_color
                        } else {
                            ui.visuals().text_color()
                        };
                        ui.label(RichText::new(&t.text).color(color));
                    });
                }
            });
        ctx.request_repaint_after(Duration::from_millis(250));
    }

    fn toolbar(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Load CSV as P…  (Ctrl+O)").clicked() {
                    commands.push(Command::OpenCsv(Which::P));
                }
                if ui.button("Load CSV as Q…  (Ctrl+Shift+O)").clicked() {
                    commands.push(Command::OpenCsv(Which::Q));
                }
                if !self.state.recent.is_empty() {
                    ui.menu_button("Recent files", |ui| {
                        for r in self.state.recent.clone() {
                            ui.horizontal(|ui| {
                                ui.label(&r);
                                if ui.small_button("P").clicked() {
                                    commands.push(Command::LoadPath(Which::P, r.clone().into()));
                                }
                                if ui.small_button("Q").clicked() {
                                    commands.push(Command::LoadPath(Which::Q, r.clone().into()));
                                }
                            });
                        }
                    });
                }
                ui.separator();
                if ui.button("Open session or PNG…").clicked() {
                    commands.push(Command::OpenSession);
                }
                if ui.button("Save session…").clicked() {
                    commands.push(Command::SaveSession);
                }
                ui.separator();
                if ui.button("Export PNG…  (Ctrl+S)").clicked() {
                    commands.push(Command::ExportPng);
                }
                ui.checkbox(&mut self.state.export_plots_only, "PNG: plots only");
                if ui.button("Export curves as CSV…").clicked() {
                    commands.push(Command::ExportCurves);
                }
                if ui.button("Export figures as JSON…").clicked() {
                    commands.push(Command::ExportFigures);
                }
            });
            ui.separator();
            if ui.button("Swap P and Q").clicked() {
                commands.push(Command::Swap);
            }
            if ui
                .add_enabled(self.history.can_undo(), egui::Button::new("Undo"))
                .clicked()
            {
                commands.push(Command::Undo);
            }
            if ui
                .add_enabled(self.history.can_redo(), egui::Button::new("Redo"))
                .clicked()
            {
                commands.push(Command::Redo);
            }
            if ui
                .button("Reset")
                .on_hover_text("Back to P = normal(0, 1), Q = normal(1, 2)")
                .clicked()
            {
                commands.push(Command::Reset);
            }
            ui.separator();
            if ui.button("Fit view").clicked() {
                commands.push(Command::FitView);
            }
            ui.checkbox(&mut self.state.log_y, "log y");
            ui.label("divergence:");
            ui.selectable_value(&mut self.state.direction, state::Direction::PQ, "P||Q");
            ui.selectable_value(&mut self.state.direction, state::Direction::QP, "Q||P");
            ui.selectable_value(&mut self.state.direction, state::Direction::Both, "both");
        });
    }

    /// Draws one frame and runs what it asked for. Public for tests.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.ctx = ctx.clone();
        self.process_messages();
        let mut commands = Vec::new();
        self.shortcuts(&ctx, &mut commands);

        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui, &mut commands));
        let mut edits: Vec<(Which, Edit)> = Vec::new();
        let side_rects = egui::Panel::left("sides")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .show(ui, |ui| {
                        let pr = ui
                            .scope(|ui| {
                                if let Some(e) = self.p.ui(ui, &mut commands) {
                                    edits.push((Which::P, e));
                                }
                            })
                            .response
                            .rect;
                        ui.separator();
                        let qr = ui
                            .scope(|ui| {
                                if let Some(e) = self.q.ui(ui, &mut commands) {
                                    edits.push((Which::Q, e));
                                }
                            })
                            .response
                            .rect;
                        (pr, qr)
                    })
                    .inner
            })
            .inner;
        let busy = self.is_busy();
        let (pd, qd) = (self.p.dist.clone(), self.q.dist.clone());
        egui::Panel::right("metrics")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    metrics::metrics_ui(
                        ui,
                        &mut self.grid_cache,
                        self.generation,
                        self.report.as_ref(),
                        busy,
                        &mut self.state,
                        &pd,
                        &qd,
                        &mut commands,
                    );
                    metrics::bins_ui(ui, self.bins.as_deref(), &mut self.state, &pd, &qd);
                });
            });
        let old_settings = (self.state.smoothing, self.state.compare_on_p_bins);
        // Fit only once the curves for the current P and Q are here.
        let fit_now = self.fit && !self.is_busy() && !self.curves.x.is_empty();
        egui::CentralPanel::default().show(ui, |ui| {
            let input = plots::PlotInput {
                curves: &self.curves,
                p: pd.clone(),
                q: qd.clone(),
                log_y: self.state.log_y,
                direction: self.state.direction,
                fit: fit_now,
                unit: self.state.unit,
                kl: match &self.report {
                    Some(Ok(r)) => Some([r.kl_pq.value, r.kl_qp.value]),
                    _ => None,
                },
            };
            self.plots_rect = Some(plots::plots_ui(ui, &input));
        });
        if fit_now {
            self.fit = false;
        }
        if (self.state.smoothing, self.state.compare_on_p_bins) != old_settings {
            self.dirty = true;
        }

        for (which, Edit::Set(d, text)) in edits {
            self.set_side(which, d, text, true);
        }
        self.handle_drops(&ctx, side_rects.0, side_rects.1);
        self.drop_question(&ctx);
        for c in commands {
            self.run_command(c);
        }
        let loading = self.p.loading.is_some() || self.q.loading.is_some();
        if self.dirty && !(self.hold_for_load && loading) {
            self.dirty = false;
            self.hold_for_load = false;
            self.generation += 1;
            let (p, q) = self.effective();
            jobs::compute(&ctx, &self.tx, self.generation, p, q);
        }
        self.toasts_ui(&ctx);
        self.frames_since_result = self.frames_since_result.saturating_add(1);
        self.screenshot_step(&ctx);
    }

    fn screenshot_step(&mut self, ctx: &egui::Context) {
        if let Some((path, plots_only)) = self.pending_export.take() {
            self.request_png(ctx, path, plots_only, false);
        }
        let ready = !self.is_busy() && self.report.is_some() && self.frames_since_result >= 3;
        let Some(job) = &mut self.screenshot else {
            return;
        };
        if job.requested {
            return;
        }
        if !ready {
            ctx.request_repaint();
            return;
        }
        job.requested = true;
        let (path, plots_only) = (job.path.clone(), job.plots_only);
        self.request_png(ctx, path, plots_only, true);
    }

    fn request_png(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        plots_only: bool,
        exit_after: bool,
    ) {
        let session = self.session();
        let crop = if plots_only { self.plots_rect } else { None };
        let (tx, ctx2) = (self.tx.clone(), ctx.clone());
        let ppp = ctx.pixels_per_point();
        ctx.request_screenshot(move |image| {
            let result = save_screenshot(
                &path,
                &image,
                crop.map(|r| [r.min.x * ppp, r.min.y * ppp, r.max.x * ppp, r.max.y * ppp]),
                &session,
            )
            .map(|()| path.clone())
            .map_err(|e| e.to_string());
            jobs::send(&tx, &ctx2, Msg::Saved { result, exit_after });
        });
        ctx.request_repaint();
    }
}

impl eframe::App for KlApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
        if self.is_busy() {
            ui.ctx().request_repaint_after(Duration::from_millis(50));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.screenshot.is_none() {
            eframe::set_value(storage, STORAGE_KEY, &self.state);
        }
    }
}

/// Opens the window (or, with `--screenshot`, renders once and saves a PNG).
///
/// # Errors
/// When no window can be opened (no display) or the renderer fails.
pub fn run(launch: LaunchOptions) -> anyhow::Result<ExitCode> {
    let headless =
        std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if headless {
        anyhow::bail!(
            "no display: kl-explorer needs a graphical session (set DISPLAY or WAYLAND_DISPLAY; for scripts, run it under xvfb-run)"
        );
    }
    let (w, h) = launch.size.unwrap_or((1400, 900));
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("kl-explorer")
        .with_inner_size([w as f32, h as f32])
        .with_min_inner_size([800.0, 560.0])
        .with_drag_and_drop(true);
    if launch.screenshot.is_some() {
        viewport = viewport.with_resizable(false);
    }
    let options = eframe::NativeOptions {
        viewport,
        persist_window: launch.screenshot.is_none(),
        ..Default::default()
    };
    // The --screenshot run fails unless the PNG is written.
    let exit = Arc::new(AtomicU8::new(u8::from(launch.screenshot.is_some())));
    let exit_for_app = exit.clone();
    let screenshot_mode = launch.screenshot.is_some();
    eframe::run_native(
        "kl-explorer",
        options,
        Box::new(move |cc| {
            let saved: Option<State> = if screenshot_mode {
                None
            } else {
                cc.storage.and_then(|s| eframe::get_value(s, STORAGE_KEY))
            };
            Ok(Box::new(KlApp::new(
                &cc.egui_ctx,
                saved,
                &launch,
                exit_for_app,
            )))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))?;
    Ok(ExitCode::from(exit.load(Ordering::Relaxed)))
}
