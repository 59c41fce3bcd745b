//! The menu bar, the keyboard shortcuts, and dropped files: each turns what the user did into
//! [`Command`]s.

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

use super::command::{Command, Origin};
use super::state::{Direction, State, Which};
use super::tasks::Dialog;
use crate::io::Source;

/// Whether undo and redo have anything to do (the buttons are disabled otherwise).
#[derive(Clone, Copy, Debug)]
pub struct HistoryState {
    /// Something to undo.
    pub can_undo: bool,
    /// Something to redo.
    pub can_redo: bool,
}

/// The menu bar. The view toggles (log y, direction, plots-only export) change `state`; the
/// rest are commands.
#[must_use]
pub fn toolbar_ui(ui: &mut Ui, state: &mut State, history: HistoryState) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file_menu_ui(ui, state, &mut commands));
        ui.separator();
        if ui.button("Swap P and Q").clicked() {
            commands.push(Command::Swap);
        }
        if ui
            .add_enabled(history.can_undo, egui::Button::new("Undo"))
            .clicked()
        {
            commands.push(Command::Undo);
        }
        if ui
            .add_enabled(history.can_redo, egui::Button::new("Redo"))
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
        ui.checkbox(&mut state.log_y, "log y");
        ui.label("divergence:");
        ui.selectable_value(&mut state.direction, Direction::PQ, "P||Q");
        ui.selectable_value(&mut state.direction, Direction::QP, "Q||P");
        ui.selectable_value(&mut state.direction, Direction::Both, "both");
    });
    commands
}

fn file_menu_ui(ui: &mut Ui, state: &mut State, commands: &mut Vec<Command>) {
    if ui.button("Load CSV as P…  (Ctrl+O)").clicked() {
        commands.push(Command::OpenDialog(Dialog::OpenCsv(Which::P)));
    }
    if ui.button("Load CSV as Q…  (Ctrl+Shift+O)").clicked() {
        commands.push(Command::OpenDialog(Dialog::OpenCsv(Which::Q)));
    }
    if !state.recent.is_empty() {
        ui.menu_button("Recent files", |ui| {
            for r in &state.recent {
                ui.horizontal(|ui| {
                    ui.label(r);
                    for which in [Which::P, Which::Q] {
                        if ui.small_button(which.name()).clicked() {
                            commands.push(Command::SetSource {
                                which,
                                source: Source::csv(r),
                                origin: Origin::File,
                            });
                        }
                    }
                });
            }
        });
    }
    ui.separator();
    if ui.button("Open session or PNG…").clicked() {
        commands.push(Command::OpenDialog(Dialog::OpenSession));
    }
    if ui.button("Save session…").clicked() {
        commands.push(Command::OpenDialog(Dialog::SaveSession));
    }
    ui.separator();
    if ui.button("Export PNG…  (Ctrl+S)").clicked() {
        commands.push(Command::OpenDialog(Dialog::ExportPng));
    }
    ui.checkbox(&mut state.export_plots_only, "PNG: plots only");
    if ui.button("Export curves as CSV…").clicked() {
        commands.push(Command::OpenDialog(Dialog::ExportCurves));
    }
    if ui.button("Export figures as JSON…").clicked() {
        commands.push(Command::OpenDialog(Dialog::ExportFigures));
    }
}

/// The keyboard shortcuts pressed this frame. Text fields handle their own Ctrl+Z.
#[must_use]
pub fn shortcuts(ctx: &egui::Context) -> Vec<Command> {
    let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
    // Longer chords first: Ctrl+Shift+O must not be taken as Ctrl+O.
    let table = [
        (
            KeyboardShortcut::new(cmd_shift, Key::O),
            Command::OpenDialog(Dialog::OpenCsv(Which::Q)),
        ),
        (
            KeyboardShortcut::new(Modifiers::COMMAND, Key::O),
            Command::OpenDialog(Dialog::OpenCsv(Which::P)),
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
            Command::OpenDialog(Dialog::ExportPng),
        ),
    ];
    let typing = ctx.memory(|m| m.focused().is_some());
    let mut commands = Vec::new();
    for (shortcut, command) in table {
        if typing && matches!(command, Command::Undo | Command::Redo) {
            continue;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
            commands.push(command);
        }
    }
    commands
}

/// Files dropped this frame: a session or PNG opens; a CSV dropped on a panel loads there;
/// one dropped elsewhere asks which side.
#[must_use]
pub fn drops(ctx: &egui::Context, p_rect: egui::Rect, q_rect: egui::Rect) -> Vec<Command> {
    let dropped: Vec<PathBuf> = ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .collect()
    });
    let pos = ctx.input(|i| i.pointer.latest_pos());
    dropped
        .into_iter()
        .map(|path| {
            let is_session = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("png") || e.eq_ignore_ascii_case("json"));
            if is_session {
                return Command::OpenSession(path);
            }
            match pos {
                Some(p) if p_rect.contains(p) => Command::load(Which::P, path),
                Some(p) if q_rect.contains(p) => Command::load(Which::Q, path),
                _ => Command::AskWhichSide(path),
            }
        })
        .collect()
}

/// The "Load … as P or Q?" question for a file dropped outside the panels. Returns the
/// answer's command, and whether the question is answered (either way).
#[must_use]
pub fn drop_question_ui(ctx: &egui::Context, path: &std::path::Path) -> (Option<Command>, bool) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut answer = None;
    let mut done = false;
    let modal = egui::Modal::new(egui::Id::unique("drop-question")).show(ctx, |ui| {
        ui.heading(format!("Load {name} as…"));
        ui.horizontal(|ui| {
            for which in [Which::P, Which::Q] {
                if ui.button(which.name()).clicked() {
                    answer = Some(Command::load(which, path));
                    done = true;
                }
            }
            if ui.button("Cancel").clicked() {
                done = true;
            }
        });
    });
    (answer, done || modal.should_close())
}
