//! A P or Q panel: the family picker, the spec field, the parameter or mixture widgets, and
//! for a file its details, column choice, binning and load progress.
//!
//! The panel draws a side and returns [`Command`]s; it changes nothing itself but its own edit
//! buffer. What the side shows comes from its [`Source`] (in the app's state) and the
//! distribution made from it, so the text, the widgets and the figures always agree.

use std::sync::Arc;

use egui::{Color32, RichText, Ui};

use crate::distribution::family::Kind;
use crate::distribution::{Distribution, parse_spec};
use crate::io::{CsvOptions, LoadControl, Source};

use super::command::{Command, Origin};
use super::params::{default_of, families, mixture_ui, params_ui};
use super::state::Which;
use super::tasks::Dialog;

/// A side's runtime state: the distribution made from its source, the spec field's buffer, the
/// error if the buffer or a load failed, a load in flight.
pub struct Side {
    /// P or Q.
    pub which: Which,
    /// The spec field's text: the source's label, or what the user is typing.
    pub text: String,
    /// The distribution made from the side's source; stays while a new input is invalid or
    /// loading.
    pub dist: Arc<Distribution>,
    /// Why the typed text or the last file is not a distribution.
    pub error: Option<String>,
    /// The last load failed because the file's columns are ambiguous: open the chooser.
    pub ask_columns: bool,
    /// A load in progress.
    pub loading: Option<Loading>,
}

/// A file being loaded for a side.
pub struct Loading {
    /// Its id (a newer load supersedes an older one).
    pub id: u64,
    /// What is being loaded.
    pub source: Source,
    /// Progress and cancel.
    pub control: LoadControl,
    /// Who asked for it (a load at launch is not an undo step).
    pub origin: Origin,
}

/// The fixed colour of a side (Okabe–Ito: blue for P, orange for Q; safe for colour-blind
/// readers). On a dark background P takes Okabe–Ito's sky blue, which a thin line keeps
/// visible.
pub fn color(which: Which, dark: bool) -> Color32 {
    match (which, dark) {
        (Which::P, true) => Color32::from_rgb(86, 180, 233),
        (Which::P, false) => Color32::from_rgb(0, 114, 178),
        (Which::Q, _) => Color32::from_rgb(230, 159, 0),
    }
}

fn family_label(d: &Distribution) -> String {
    match d {
        Distribution::Parametric(p) => p.family().name().to_string(),
        Distribution::Mixture(_) => "mixture".into(),
        Distribution::Histogram(_) => "histogram (CSV)".into(),
        Distribution::Categories(_) => "categories (CSV)".into(),
    }
}

/// A command that puts `d` on a side, written as its spec.
fn set_dist(which: Which, d: &Distribution, origin: Origin) -> Command {
    Command::SetSource {
        which,
        source: Source::Spec(d.to_spec()),
        origin,
    }
}

impl Side {
    /// A side showing `dist`, made from `source`.
    pub fn new(which: Which, source: &Source, dist: Arc<Distribution>) -> Self {
        Side {
            which,
            text: source.label(),
            dist,
            error: None,
            ask_columns: false,
            loading: None,
        }
    }

    /// Draws the panel for a side made from `source`, with `smoothing` applied to its bins.
    #[must_use]
    pub fn ui(&mut self, ui: &mut Ui, source: &Source, smoothing: Option<f64>) -> Vec<Command> {
        let which = self.which;
        let mut commands = Vec::new();
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(which.name())
                    .strong()
                    .size(20.0)
                    .color(color(which, ui.visuals().dark_mode)),
            );
            self.family_picker(ui, &mut commands);
        });
        ui.add_space(4.0);
        self.spec_field(ui, &mut commands);
        ui.add_space(6.0);
        let dist = self.dist.clone();
        match dist.as_ref() {
            Distribution::Parametric(p) => {
                if let Some(d) = params_ui(ui, p, ("param", which)) {
                    commands.push(set_dist(
                        which,
                        &Distribution::Parametric(d),
                        Origin::Widget,
                    ));
                }
            }
            Distribution::Mixture(m) => {
                if let Some(d) = mixture_ui(ui, m, which) {
                    commands.push(set_dist(which, &d, Origin::Widget));
                }
            }
            Distribution::Histogram(h) => {
                ui.label(RichText::new(h.display_name()).strong());
                ui.label(format!("{} bins", h.len()));
                notes_ui(ui, &dist);
                if let Some(a) = smoothing {
                    ui.label(format!(
                        "additive smoothing: α = {} per bin",
                        crate::distribution::family::format_number(a)
                    ));
                }
                self.samples_bins_ui(ui, source, &mut commands);
            }
            Distribution::Categories(c) => {
                ui.label(RichText::new(c.display_name()).strong());
                ui.label(format!(
                    "{} categories: {}",
                    c.labels.len(),
                    c.labels.join(", ")
                ));
                notes_ui(ui, &dist);
            }
        }
        ui.add_space(6.0);
        let shortcut = if which == Which::P {
            "Ctrl+O"
        } else {
            "Ctrl+Shift+O"
        };
        if ui
            .button("Load CSV…")
            .on_hover_text(format!(
                "Open a CSV histogram as {} ({shortcut}); you can also drop a file here",
                which.name()
            ))
            .clicked()
        {
            commands.push(Command::OpenDialog(Dialog::OpenCsv(which)));
        }
        let typed = Source::from_text(&self.text);
        let file = match (&typed, source) {
            (Source::Csv { .. }, _) => Some(typed.clone()),
            (_, Source::Csv { .. }) => Some(source.clone()),
            _ => None,
        };
        if let Some(file) = file {
            self.columns_ui(ui, &file, &mut commands);
        }
        self.loading_ui(ui, &mut commands);
        commands
    }

    fn loading_ui(&self, ui: &mut Ui, commands: &mut Vec<Command>) {
        let Some(loading) = &self.loading else {
            return;
        };
        ui.horizontal(|ui| {
            ui.add(
                egui::ProgressBar::new(loading.control.fraction())
                    .desired_width(160.0)
                    .show_percentage(),
            );
            if ui.button("Cancel").clicked() {
                commands.push(Command::CancelLoad(self.which));
            }
        });
        let name = loading
            .source
            .path()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        ui.label(RichText::new(format!("loading {name}")).weak());
    }

    fn family_picker(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        let mut chosen: Option<Distribution> = None;
        let current = family_label(&self.dist);
        egui::ComboBox::new(("family", self.which), "family")
            .selected_text(current.clone())
            .width(170.0)
            .show_ui(ui, |ui| {
                ui.label(RichText::new("Continuous").weak().small());
                for f in families(Kind::Continuous) {
                    if ui.selectable_label(current == f.name(), f.name()).clicked() {
                        chosen = default_of(f).map(Distribution::Parametric);
                    }
                }
                ui.separator();
                ui.label(RichText::new("Discrete").weak().small());
                for f in families(Kind::Discrete) {
                    if ui.selectable_label(current == f.name(), f.name()).clicked() {
                        chosen = default_of(f).map(Distribution::Parametric);
                    }
                }
                ui.separator();
                ui.label(RichText::new("Mixture").weak().small());
                if ui
                    .selectable_label(current == "mixture", "mixture")
                    .clicked()
                {
                    chosen = match self.dist.as_ref() {
                        Distribution::Mixture(_) => None,
                        Distribution::Parametric(p) if p.kind() == Kind::Discrete => {
                            parse_spec("0.5*poisson(2) + 0.5*poisson(8)").ok()
                        }
                        _ => parse_spec("0.3*normal(-2, 1) + 0.7*normal(2, 0.5)").ok(),
                    };
                }
                ui.separator();
                ui.label(RichText::new("Histogram").weak().small());
                if ui.selectable_label(false, "histogram (CSV)…").clicked() {
                    commands.push(Command::OpenDialog(Dialog::OpenCsv(self.which)));
                }
            });
        if let Some(d) = chosen {
            commands.push(set_dist(self.which, &d, Origin::Picked));
        }
    }

    fn spec_field(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        let response = ui.add(
            egui::TextEdit::singleline(&mut self.text)
                .id_salt(("spec", self.which))
                .hint_text("normal(0, 1) or a CSV path")
                .desired_width(f32::INFINITY)
                .font(egui::TextStyle::Monospace),
        );
        let response = response.on_hover_text(
            "A spec such as gamma(2, 0.5), 0.3*normal(-2,1) + 0.7*normal(2,0.5), or the path of a CSV file (press Enter to load it)",
        );
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        match Source::from_text(&self.text) {
            // A path is loaded on Enter, not on every keystroke.
            source @ Source::Csv { .. } => {
                if entered {
                    commands.push(Command::SetSource {
                        which: self.which,
                        source,
                        origin: Origin::File,
                    });
                }
            }
            Source::Spec(spec) => {
                if response.changed() || entered {
                    match parse_spec(&spec) {
                        Ok(d) => {
                            self.error = None;
                            if d.to_spec() != self.dist.to_spec() {
                                commands.push(Command::SetSource {
                                    which: self.which,
                                    source: Source::Spec(spec),
                                    origin: Origin::Typed,
                                });
                            }
                        }
                        Err(e) => self.error = Some(e.to_string()),
                    }
                }
            }
        }
        if let Some(err) = &self.error {
            ui.label(RichText::new(err).color(ui.visuals().error_fg_color));
        }
    }

    /// Which CSV columns hold the bins: detected by default, or chosen (1-based, comma
    /// separated: left,right,count or center,count or label,count or one column of samples).
    fn columns_ui(&mut self, ui: &mut Ui, file: &Source, commands: &mut Vec<Command>) {
        let Source::Csv { options, .. } = file else {
            return;
        };
        let mut options = options.clone();
        egui::CollapsingHeader::new("CSV columns")
            .id_salt(("columns", self.which))
            .open(self.ask_columns.then_some(true))
            .show(ui, |ui| {
                let id = ui.make_persistent_id(("columns-text", self.which));
                let mut text: String = ui.data_mut(|d| d.get_temp(id)).unwrap_or_else(|| {
                    options
                        .columns
                        .as_ref()
                        .map(|c| {
                            c.iter()
                                .map(|i| (i + 1).to_string())
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default()
                });
                let label = ui.label("columns to use (e.g. 2,3,4):");
                ui.add(
                    egui::TextEdit::singleline(&mut text)
                        .hint_text("detect")
                        .desired_width(120.0),
                )
                .labelled_by(label.id);
                let parsed = parse_columns(&text);
                ui.data_mut(|d| d.insert_temp(id, text));
                match parsed {
                    Some(c) => options.columns = (!c.is_empty()).then_some(c),
                    None => {
                        ui.label(
                            RichText::new("use column numbers from 1, separated by commas")
                                .color(ui.visuals().error_fg_color),
                        );
                    }
                }
                if ui.button("Reload with these columns").clicked() {
                    self.ask_columns = false;
                    commands.push(Command::SetSource {
                        which: self.which,
                        source: file.with_options(options),
                        origin: Origin::File,
                    });
                }
            });
    }

    /// The bin count of a raw-samples file, when the side is one.
    fn samples_bins_ui(&mut self, ui: &mut Ui, source: &Source, commands: &mut Vec<Command>) {
        let Distribution::Histogram(h) = self.dist.as_ref() else {
            return;
        };
        let Some(binning) = h.samples_binning() else {
            return;
        };
        let Source::Csv { options, .. } = source else {
            return;
        };
        let mut bins = binning.bins;
        let r = ui.add(
            egui::Slider::new(&mut bins, 2..=2000)
                .logarithmic(true)
                .text("bins"),
        );
        if r.drag_stopped() || (r.changed() && !r.dragged()) {
            commands.push(Command::SetSource {
                which: self.which,
                source: source.with_options(CsvOptions {
                    bins: Some(bins),
                    ..options.clone()
                }),
                origin: Origin::File,
            });
        }
    }
}

/// `2,3,4` → 0-based columns; `None` when a part is not a number from 1.
fn parse_columns(text: &str) -> Option<Vec<usize>> {
    text.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim()
                .parse::<usize>()
                .ok()
                .filter(|v| *v >= 1)
                .map(|v| v - 1)
        })
        .collect()
}

/// How the input was read, one line per note.
fn notes_ui(ui: &mut Ui, dist: &Distribution) {
    for n in dist.notes() {
        ui.label(RichText::new(format!("• {n}")).weak());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_one_based_in_the_field() {
        assert_eq!(parse_columns("2, 3,4"), Some(vec![1, 2, 3]));
        assert_eq!(parse_columns(""), Some(vec![]));
        assert_eq!(parse_columns("0,1"), None);
        assert_eq!(parse_columns("a"), None);
    }
}
