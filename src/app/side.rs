//! A P or Q panel: family picker, parameter widgets, the spec field, mixture components,
//! histogram details.

use std::sync::Arc;

use egui::{Color32, RichText, Ui};

use crate::distribution::family::{Constraint, Kind};
use crate::distribution::{Distribution, FamilyId, Mixture, Parametric, parse_spec};
use crate::io::{CsvOptions, LoadControl, looks_like_path};

use super::Command;
use super::state::Which;

/// A side's runtime state: what is shown, the last valid distribution, the error if any.
pub struct Side {
    /// P or Q.
    pub which: Which,
    /// The spec field's text (what the user typed, or the spec a widget wrote).
    pub text: String,
    /// The last valid distribution; stays on screen while the text is invalid.
    pub dist: Arc<Distribution>,
    /// Why the current text is not a distribution.
    pub error: Option<String>,
    /// How the CSV file (if any) is read.
    pub csv: CsvOptions,
    /// A load in progress.
    pub loading: Option<Loading>,
}

/// A file being loaded for a side.
pub struct Loading {
    /// Its id (a newer load supersedes an older one).
    pub id: u64,
    /// The file.
    pub path: std::path::PathBuf,
    /// Progress and cancel.
    pub control: LoadControl,
}

/// A change a panel asks for.
pub enum Edit {
    /// A new distribution with its text.
    Set(Arc<Distribution>, String),
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

/// The families of one kind, in the order of [`FamilyId::ALL`].
fn families(kind: Kind) -> impl Iterator<Item = FamilyId> {
    FamilyId::ALL.into_iter().filter(move |f| f.kind() == kind)
}

fn family_label(d: &Distribution) -> String {
    match d {
        Distribution::Parametric(p) => p.family().name().to_string(),
        Distribution::Mixture(_) => "mixture".into(),
        Distribution::Histogram(_) => "histogram (CSV)".into(),
        Distribution::Categories(_) => "categories (CSV)".into(),
    }
}

fn default_of(id: FamilyId) -> Option<Parametric> {
    Parametric::new(id, id.default_params()).ok()
}

impl Side {
    /// A side showing `dist`.
    pub fn new(which: Which, dist: Arc<Distribution>) -> Self {
        Side {
            which,
            text: dist.to_spec(),
            dist,
            error: None,
            csv: CsvOptions::default(),
            loading: None,
        }
    }

    /// Draws the panel. Returns an edit to apply and commands to run after drawing.
    pub fn ui(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) -> Option<Edit> {
        let which = self.which;
        let mut edit = None;
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(which.name())
                    .strong()
                    .size(20.0)
                    .color(color(which, ui.visuals().dark_mode)),
            );
            let picked = self.family_picker(ui, commands);
            if picked.is_some() {
                edit = picked;
            }
        });
        ui.add_space(4.0);
        if let Some(e) = self.spec_field(ui, commands) {
            edit = Some(e);
        }
        ui.add_space(6.0);
        let dist = self.dist.clone();
        let widget_edit = match dist.as_ref() {
            Distribution::Parametric(p) => {
                params_ui(ui, p, ("param", which)).map(Distribution::Parametric)
            }
            Distribution::Mixture(m) => mixture_ui(ui, m, which),
            Distribution::Histogram(h) => {
                histogram_ui(ui, h.len(), &h.display_name(), &dist.notes(), h.smoothing);
                self.samples_bins_ui(ui, &dist.notes(), commands);
                None
            }
            Distribution::Categories(c) => {
                histogram_ui(ui, c.labels.len(), &c.display_name(), &dist.notes(), None);
                None
            }
        };
        if let Some(d) = widget_edit {
            let text = d.to_spec();
            edit = Some(Edit::Set(Arc::new(d), text));
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
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
                commands.push(Command::OpenCsv(which));
            }
        });
        if looks_like_path(&self.text) {
            self.columns_ui(ui, commands);
        }
        if let Some(loading) = &self.loading {
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(loading.control.fraction())
                        .desired_width(160.0)
                        .show_percentage(),
                );
                if ui.button("Cancel").clicked() {
                    loading.control.cancel.cancel();
                }
            });
            ui.label(
                RichText::new(format!(
                    "loading {}",
                    loading
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                ))
                .weak(),
            );
        }
        edit
    }

    fn family_picker(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) -> Option<Edit> {
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
                    commands.push(Command::OpenCsv(self.which));
                }
            });
        chosen.map(|d| {
            commands.push(Command::FitView);
            let text = d.to_spec();
            Edit::Set(Arc::new(d), text)
        })
    }

    fn spec_field(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) -> Option<Edit> {
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
        let mut edit = None;
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if looks_like_path(&self.text) {
            if entered {
                commands.push(Command::LoadPath(self.which, self.text.trim().into()));
            }
        } else if response.changed() || entered {
            match parse_spec(&self.text) {
                Ok(d) => {
                    self.error = None;
                    if d.to_spec() != self.dist.to_spec() {
                        edit = Some(Edit::Set(Arc::new(d), self.text.clone()));
                    }
                }
                Err(e) => self.error = Some(e.to_string()),
            }
        }
        if let Some(err) = &self.error {
            ui.label(RichText::new(err).color(ui.visuals().error_fg_color));
        }
        edit
    }

    /// Which CSV columns hold the bins: detected by default, or chosen (1-based, comma
    /// separated: left,right,count or center,count or label,count or one column of samples).
    fn columns_ui(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        let asked = self
            .error
            .as_deref()
            .is_some_and(|e| e.contains("pick") || e.contains("which columns"));
        egui::CollapsingHeader::new("CSV columns")
            .id_salt(("columns", self.which))
            .open(asked.then_some(true))
            .show(ui, |ui| {
                let mut text = self
                    .csv
                    .columns
                    .as_ref()
                    .map(|c| {
                        c.iter()
                            .map(|i| (i + 1).to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default();
                let label = ui.label("columns to use (e.g. 2,3,4):");
                ui.add(
                    egui::TextEdit::singleline(&mut text)
                        .hint_text("detect")
                        .desired_width(120.0),
                )
                .labelled_by(label.id);
                let parsed: Option<Vec<usize>> = text
                    .split(',')
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| {
                        t.trim()
                            .parse::<usize>()
                            .ok()
                            .filter(|v| *v >= 1)
                            .map(|v| v - 1)
                    })
                    .collect();
                match parsed {
                    Some(c) if c.is_empty() => self.csv.columns = None,
                    Some(c) => self.csv.columns = Some(c),
                    None => {
                        ui.label(
                            RichText::new("use column numbers from 1, separated by commas")
                                .color(ui.visuals().error_fg_color),
                        );
                    }
                }
                if ui.button("Reload with these columns").clicked() {
                    commands.push(Command::LoadPath(self.which, self.text.trim().into()));
                }
            });
    }

    fn samples_bins_ui(&mut self, ui: &mut Ui, notes: &[String], commands: &mut Vec<Command>) {
        let Some(note) = notes.iter().find(|n| n.contains(" samples in ")) else {
            return;
        };
        let current = note
            .split(" samples in ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(30);
        let mut bins = self.csv.bins.unwrap_or(current);
        let r = ui.add(
            egui::Slider::new(&mut bins, 2..=2000)
                .logarithmic(true)
                .text("bins"),
        );
        if r.drag_stopped() || (r.changed() && !r.dragged()) {
            self.csv.bins = Some(bins);
            commands.push(Command::Reload(self.which));
        }
    }
}

fn slider_range(
    info: &crate::distribution::family::ParamInfo,
    v: f64,
) -> std::ops::RangeInclusive<f64> {
    let (lo, hi) = info.slider;
    lo.min(v)..=hi.max(v)
}

/// Sliders for a parametric distribution's parameters. Returns the new distribution when a
/// valid change was made; an invalid combination is shown and not applied.
pub fn params_ui(
    ui: &mut Ui,
    p: &Parametric,
    salt: impl std::hash::Hash + std::fmt::Debug + Copy,
) -> Option<Parametric> {
    let id = p.family();
    let mut values = p.params().to_vec();
    let mut changed = false;
    let infos = id.params();
    let mut remove = None;
    ui.push_id(salt, |ui| {
        for i in 0..values.len() {
            let info = if id.is_variadic() {
                &infos[0]
            } else {
                &infos[i]
            };
            let name = if id.is_variadic() {
                format!("{}{i}", info.name)
            } else {
                info.name.to_string()
            };
            ui.horizontal(|ui| {
                let r = match info.constraint {
                    Constraint::Count => {
                        let mut n = values[i] as u64;
                        let top = (info.slider.1 as u64).max(n);
                        let r = ui.add(egui::Slider::new(&mut n, 0..=top).text(&name));
                        values[i] = n as f64;
                        r
                    }
                    _ => {
                        let range = slider_range(info, values[i]);
                        ui.add(
                            egui::Slider::new(&mut values[i], range)
                                .text(&name)
                                .clamping(egui::SliderClamping::Never)
                                .smart_aim(true),
                        )
                    }
                };
                changed |= r.changed();
                if id.is_variadic()
                    && values.len() > 2
                    && ui.small_button("−").on_hover_text("remove").clicked()
                {
                    remove = Some(i);
                }
            });
        }
        if id.is_variadic() && ui.small_button("+ add category").clicked() {
            values.push(info_default(id));
            changed = true;
        }
    });
    if let Some(i) = remove {
        values.remove(i);
        changed = true;
    }
    if !changed {
        return None;
    }
    match Parametric::new(id, values) {
        Ok(p) => Some(p),
        Err(e) => {
            ui.label(RichText::new(e.to_string()).color(ui.visuals().error_fg_color));
            None
        }
    }
}

fn info_default(id: FamilyId) -> f64 {
    match id {
        FamilyId::Categorical => 0.1,
        _ => 0.0,
    }
}

fn mixture_ui(ui: &mut Ui, m: &Mixture, which: Which) -> Option<Distribution> {
    let mut parts: Vec<(f64, Parametric)> = m
        .weights()
        .iter()
        .copied()
        .zip(m.components().iter().cloned())
        .collect();
    let mut changed = false;
    let mut remove = None;
    let kind = parts[0].1.kind();
    for (i, (w, c)) in parts.iter_mut().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!("component {}", i + 1));
                let mut fam = c.family();
                egui::ComboBox::new(("mixfam", which, i), "family")
                    .selected_text(fam.name())
                    .show_ui(ui, |ui| {
                        for f in families(kind) {
                            ui.selectable_value(&mut fam, f, f.name());
                        }
                    });
                if fam != c.family()
                    && let Some(d) = default_of(fam)
                {
                    *c = d;
                    changed = true;
                }
                if ui.small_button("remove").clicked() {
                    remove = Some(i);
                }
            });
            changed |= ui
                .add(
                    egui::Slider::new(w, 0.001..=1.0)
                        .text("weight")
                        .logarithmic(true),
                )
                .changed();
            if let Some(new) = params_ui(ui, c, ("mix", which, i)) {
                *c = new;
                changed = true;
            }
        });
    }
    if ui.button("+ Add component").clicked() {
        let extra = if kind == Kind::Discrete {
            default_of(FamilyId::Poisson)
        } else {
            default_of(FamilyId::Normal)
        };
        if let Some(e) = extra {
            parts.push((0.5, e));
            changed = true;
        }
    }
    if let Some(i) = remove
        && parts.len() > 1
    {
        parts.remove(i);
        changed = true;
    }
    if !changed {
        return None;
    }
    if parts.len() == 1 {
        return parts.pop().map(|(_, c)| Distribution::Parametric(c));
    }
    Mixture::new(parts).ok().map(Distribution::Mixture)
}

fn histogram_ui(ui: &mut Ui, bins: usize, name: &str, notes: &[String], smoothing: Option<f64>) {
    ui.label(RichText::new(name).strong());
    ui.label(format!("{bins} bins"));
    for n in notes {
        ui.label(RichText::new(format!("• {n}")).small().weak());
    }
    if let Some(a) = smoothing {
        ui.label(RichText::new(format!("smoothing: α = {a} per bin")).small());
    }
}
