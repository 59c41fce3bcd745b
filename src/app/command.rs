//! The one command channel: everything a panel, a shortcut, a drop, a dialog's answer or the
//! command line asks the app to do is a [`Command`], run after drawing by
//! [`KlApp::run_command`]. Dialogs and file I/O never run in the middle of a layout.

use std::path::PathBuf;
use std::sync::Arc;

use crate::distribution::parse_spec;
use crate::io::session::{Session, SideState};
use crate::io::{LoadControl, Source};

use super::KlApp;
use super::side::Loading;
use super::state::{State, Which, default_dist};
use super::tasks::{Dialog, DialogOutcome, OpenedSession, Restored};

/// Where a new source came from: decides undo coalescing and whether the spec field's text is
/// rewritten.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Typed in the spec field: the field keeps the user's text; one undo step per burst.
    Typed,
    /// A parameter widget: the field shows the new spec; one undo step per drag.
    Widget,
    /// The family menu.
    Picked,
    /// A file: the field, a dialog, a drop, the recent list.
    File,
    /// The command line or the restored last session, at start: not an undo step.
    Launch,
}

/// Something the app is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Use this input for a side: a spec now, a file once loaded.
    SetSource {
        /// The side.
        which: Which,
        /// The input.
        source: Source,
        /// Who asked.
        origin: Origin,
    },
    /// Stop loading a side's file (the side keeps what it had).
    CancelLoad(Which),
    /// Show a native dialog; its answer comes back as the command it completes.
    OpenDialog(Dialog),
    /// A file was dropped outside the panels: ask which side it is for.
    AskWhichSide(PathBuf),
    /// Open a session JSON or an exported PNG.
    OpenSession(PathBuf),
    /// Save a PNG of the window (or of the plots, per the state) to this path.
    ExportPng(PathBuf),
    /// Save the curves as CSV.
    ExportCurves(PathBuf),
    /// Save the figures as JSON.
    ExportFigures(PathBuf),
    /// Save the session as JSON.
    SaveSession(PathBuf),
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
    /// Show a message.
    Toast(String),
    /// Show this view in the window's centre.
    ShowView(super::state::View),
    /// Use this file as one of the Drift lab's tables.
    DriftTable {
        /// Reference or current.
        side: crate::drift::Side,
        /// The file.
        path: PathBuf,
    },
}

impl Command {
    /// Load `path` as a side's histogram with the default options.
    pub fn load(which: Which, path: impl Into<PathBuf>) -> Command {
        Command::SetSource {
            which,
            source: Source::csv(path),
            origin: Origin::File,
        }
    }
}

impl KlApp {
    /// Runs a command as if a panel had asked for it.
    pub fn run_command(&mut self, cmd: Command) {
        match cmd {
            Command::SetSource {
                which,
                source,
                origin,
            } => self.set_source(which, source, origin),
            Command::CancelLoad(which) => {
                if let Some(l) = self.side_mut(which).loading.take() {
                    l.control.cancel.cancel();
                }
            }
            Command::OpenDialog(purpose) => {
                let name = self.default_export_name(purpose);
                self.tasks.dialog(purpose, name);
            }
            Command::AskWhichSide(path) => self.pending_drop = Some(path),
            Command::DriftTable { side, path } => self.labs.drift.set_table(side, &path),
            Command::ShowView(view) => self.state.view = view,
            Command::OpenSession(path) => {
                self.opening += 1;
                self.tasks.open_session(path);
            }
            Command::ExportPng(path) => {
                self.pending_png = Some((path, self.state.export_plots_only));
            }
            Command::ExportCurves(path) => self.export_curves(path),
            Command::ExportFigures(path) => self.export_figures(path),
            Command::SaveSession(path) => {
                let session = self.session();
                self.tasks.save(path, "session", move |path| {
                    let text = Session {
                        p: session.p.with_file_contents(),
                        q: session.q.with_file_contents(),
                        ..session
                    }
                    .to_json();
                    std::fs::write(path, text)
                });
            }
            Command::Swap => {
                self.record(None);
                std::mem::swap(&mut self.state.p, &mut self.state.q);
                std::mem::swap(&mut self.p.dist, &mut self.q.dist);
                for which in [Which::P, Which::Q] {
                    self.show_source(which);
                }
            }
            Command::Reset => {
                self.record(None);
                let recent = std::mem::take(&mut self.state.recent);
                self.state = State {
                    recent,
                    ..State::default()
                };
                for which in [Which::P, Which::Q] {
                    self.side_mut(which).dist = default_dist(which);
                    self.side_mut(which).loading = None;
                    self.show_source(which);
                }
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
            Command::Toast(t) => self.toasts.info(t),
        }
    }

    /// Applies a new input to a side: a spec is parsed now (an invalid one is shown and not
    /// applied); a file is loaded in the background and applied when it arrives.
    fn set_source(&mut self, which: Which, source: Source, origin: Origin) {
        match &source {
            Source::Spec(spec) => match parse_spec(spec) {
                Ok(d) => self.commit(which, source, Arc::new(d), origin),
                Err(e) => {
                    let side = self.side_mut(which);
                    if origin != Origin::Typed {
                        side.text = source.label();
                    }
                    side.error = Some(e.to_string());
                }
            },
            Source::Csv { .. } => self.start_load(which, source, origin),
        }
    }

    fn start_load(&mut self, which: Which, source: Source, origin: Origin) {
        self.next_load_id += 1;
        let id = self.next_load_id;
        let control = LoadControl::default();
        if let Some(old) = self.side_mut(which).loading.take() {
            old.control.cancel.cancel();
        }
        self.tasks.load(which, id, source.clone(), control.clone());
        self.side_mut(which).loading = Some(Loading {
            id,
            source,
            control,
            origin,
        });
    }

    /// Restores an opened session: both sides in one undo step, with its unit and smoothing;
    /// a side that could not be restored keeps what it had and says why.
    pub(super) fn apply_session(&mut self, path: &std::path::Path, opened: OpenedSession) {
        self.record(None);
        self.state.apply_session_settings(&opened.session);
        let mut problems = Vec::new();
        for (which, side) in [Which::P, Which::Q].into_iter().zip(opened.sides) {
            if let Some(note) = side.note {
                problems.push(format!("{}: {note}", which.name()));
            }
            match side.dist {
                Restored::Ready(d) => {
                    *self.state.source_mut(which) = side.source;
                    self.side_mut(which).dist = d;
                    self.side_mut(which).loading = None;
                    self.show_source(which);
                }
                Restored::Load => self.start_load(which, side.source, Origin::Launch),
                Restored::Failed(e) => {
                    self.side_mut(which).error = Some(e.clone());
                    problems.push(format!("{} not restored: {e}", which.name()));
                }
            }
        }
        self.stored_figures = opened.session.figures.clone();
        self.fit = true;
        if problems.is_empty() {
            self.toasts.info(format!("Opened {}", path.display()));
        } else {
            self.toasts
                .error(format!("Opened {}. {}", path.display(), problems.join(" ")));
        }
    }

    /// A dialog's answer, as the command it completes. With no dialog at all, a save goes to
    /// the default name in the current folder, and an open says what else works.
    pub(super) fn dialog_answered(&mut self, purpose: Dialog, outcome: DialogOutcome) {
        let path = match outcome {
            DialogOutcome::Chosen(path) => path,
            DialogOutcome::Cancelled => return,
            DialogOutcome::Unavailable if purpose.saves() => {
                let name = self.default_export_name(purpose);
                match std::env::current_dir() {
                    Ok(dir) => {
                        let path = dir.join(name);
                        self.toasts.info(format!(
                            "No file dialog is available on this desktop (no XDG portal and no zenity), so it is saved in the current folder as {}",
                            path.display()
                        ));
                        path
                    }
                    Err(e) => {
                        self.toasts.error(format!(
                            "No file dialog is available on this desktop, and the current folder cannot be read ({e}); nothing was saved"
                        ));
                        return;
                    }
                }
            }
            DialogOutcome::Unavailable => {
                self.toasts.error(
                    "No file dialog is available on this desktop (no XDG portal and no zenity). Drop the file on the window instead, or pass it on the command line: kl-explorer --p train.csv --q prod.csv",
                );
                return;
            }
        };
        let cmd = match purpose {
            Dialog::OpenCsv(which) => Command::load(which, path),
            Dialog::OpenSession => Command::OpenSession(path),
            Dialog::ExportPng => Command::ExportPng(path),
            Dialog::ExportCurves => Command::ExportCurves(path),
            Dialog::ExportFigures => Command::ExportFigures(path),
            Dialog::SaveSession => Command::SaveSession(path),
            Dialog::OpenTable(side) => Command::DriftTable { side, path },
        };
        self.run_command(cmd);
    }

    fn export_curves(&mut self, path: PathBuf) {
        let Some(d) = &self.derived else {
            self.toasts.error("there are no curves to export yet");
            return;
        };
        let curves = d.curves.clone();
        self.tasks.save(path, "curves", move |path| {
            crate::io::export_curves(path, &curves)
        });
    }

    fn export_figures(&mut self, path: PathBuf) {
        let Some(Ok(r)) = self.report() else {
            self.toasts.error("there are no figures to export yet");
            return;
        };
        let text = format!("{:#}\n", self.figures_json(r));
        self.tasks
            .save(path, "figures", move |path| std::fs::write(path, text));
    }

    /// The current comparison as a session document (file contents are added by the task that
    /// writes it).
    pub fn session(&self) -> Session {
        Session {
            p: SideState::from_source(&self.state.p),
            q: SideState::from_source(&self.state.q),
            unit: self.state.unit,
            smoothing: self.state.smoothing,
            figures: match self.report() {
                Some(Ok(r)) => Some(self.figures_json(r)),
                _ => None,
            },
            ..Session::default()
        }
    }

    /// The name a save dialog proposes, built from P and Q.
    pub(super) fn default_export_name(&self, purpose: Dialog) -> String {
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
        let (prefix, ext) = match purpose {
            Dialog::ExportPng => ("kl", "png"),
            Dialog::ExportCurves => ("kl", "csv"),
            Dialog::ExportFigures => ("kl", "json"),
            Dialog::SaveSession => ("session", "json"),
            Dialog::OpenCsv(_) | Dialog::OpenSession | Dialog::OpenTable(_) => {
                return String::new();
            }
        };
        format!(
            "{prefix}_{}_vs_{}.{ext}",
            clean(self.p.dist.short_name()),
            clean(self.q.dist.short_name())
        )
    }
}
