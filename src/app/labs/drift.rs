//! The Drift lab: two raw tables (reference and current, CSV or Parquet), every column
//! compared on shared bins, in a sortable table; the selected column's sensitivity to the
//! number of bins and to the smoothing α; a click opens the column as P and Q.
//!
//! Files are read, binned, tested and the per-column `label,count` files written on the
//! lab's own [`Lane`]; the UI thread only draws. An answer is shown only for the request it
//! answers (files, binning, smoothing, permutations, seed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use egui_plot::{Legend, Line, Plot, PlotPoints, VLine};

use super::LabInput;
use crate::app::plots::log10_x_axis;
use crate::app::state::{View, Which};
use crate::app::tasks::Dialog;
use crate::app::worker::Lane;
use crate::app::{Command, Origin};
use crate::cancel::{Cancel, Cancelled, Progress};
use crate::cli::drift::read_pair;
use crate::drift::sensitivity::{
    COMMON_ALPHA, SensitivityPoint, alpha_curve, alpha_grid, bins_curve, rule_marks,
};
use crate::drift::{
    Binning, ColumnDrift, ColumnKind, DriftOptions, DriftReport, Side, drift_tables_reporting,
};
use crate::io::Source;
use crate::io::table::{Table, TableErrorKind, Values};

/// Everything an answer depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct DriftRequest {
    /// The reference table.
    pub reference: PathBuf,
    /// The current table.
    pub current: PathBuf,
    /// Binning of numeric columns without their own.
    pub binning: Binning,
    /// Binnings of named columns, by name.
    pub per_column: Vec<(String, Binning)>,
    /// Kinds forced for named columns, by name.
    pub kinds: Vec<(String, ColumnKind)>,
    /// Pseudo-count, if any.
    pub smoothing: Option<f64>,
    /// Permutations (0: none).
    pub permutations: usize,
    /// Seed of the test.
    pub seed: u64,
}

/// The sensitivity curves of one numeric column.
#[derive(Clone, Debug, PartialEq)]
pub struct Curves {
    /// KL and PSI against quantile:K, K = 2 … 200.
    pub bins: Vec<SensitivityPoint>,
    /// The bin counts Sturges, Doane and FD give.
    pub marks: Vec<(&'static str, usize)>,
    /// KL and PSI against α (1e-6 … 10) on the chosen bins.
    pub alpha: Vec<SensitivityPoint>,
}

/// What the lane computed.
#[derive(Clone, Debug)]
pub struct Computed {
    /// The table of columns.
    pub report: DriftReport,
    /// Per column (same order): curves for numeric columns.
    pub curves: Vec<Option<Curves>>,
    /// Per column: the `label,count` files of the reference and the current side.
    pub files: Vec<Option<(PathBuf, PathBuf)>>,
}

/// An answer and the request it answers.
#[derive(Clone, Debug)]
pub struct DriftAnswer {
    /// The request.
    pub request: DriftRequest,
    /// The columns, or why the tables could not be read.
    pub result: Result<Computed, String>,
}

/// The columns the table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// File order.
    Column,
    /// KL(reference‖current).
    KlPq,
    /// KL(current‖reference).
    KlQp,
    /// JS.
    Js,
    /// PSI.
    Psi,
    /// TV.
    Tv,
    /// Hellinger.
    Hellinger,
    /// The permutation p-value.
    PValue,
}

impl SortKey {
    fn value(self, c: &ColumnDrift) -> f64 {
        match self {
            SortKey::Column => 0.0,
            SortKey::KlPq => c.kl_pq.value,
            SortKey::KlQp => c.kl_qp.value,
            SortKey::Js => c.js.value,
            SortKey::Psi => c.psi.value,
            SortKey::Tv => c.tv.value,
            SortKey::Hellinger => c.hellinger.value,
            SortKey::PValue => c.permutation.as_ref().map_or(f64::NAN, |t| t.p_value),
        }
    }
}

/// The forms of a binning, as the per-column selector offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinsForm {
    /// `quantile:K`.
    Quantile,
    /// `fixed:K`.
    Fixed,
    /// Sturges' rule.
    Sturges,
    /// Doane's rule.
    Doane,
    /// Freedman–Diaconis.
    Fd,
    /// Explicit edges.
    Edges,
}

impl BinsForm {
    const ALL: [BinsForm; 6] = [
        BinsForm::Quantile,
        BinsForm::Fixed,
        BinsForm::Sturges,
        BinsForm::Doane,
        BinsForm::Fd,
        BinsForm::Edges,
    ];

    fn name(self) -> &'static str {
        match self {
            BinsForm::Quantile => "quantile",
            BinsForm::Fixed => "fixed",
            BinsForm::Sturges => "sturges",
            BinsForm::Doane => "doane",
            BinsForm::Fd => "fd",
            BinsForm::Edges => "edges",
        }
    }
}

/// One column's own binning as its controls hold it.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnBins {
    /// The form.
    pub form: BinsForm,
    /// K for quantile and fixed.
    pub k: usize,
    /// The edges' text (`0, 1.5, 3`) for explicit edges.
    pub edges: String,
}

impl ColumnBins {
    /// The binning, or why the edges are refused.
    fn binning(&self) -> Result<Binning, String> {
        let text = match self.form {
            BinsForm::Quantile => format!("quantile:{}", self.k),
            BinsForm::Fixed => format!("fixed:{}", self.k),
            BinsForm::Edges => format!("edges:{}", self.edges),
            other => other.name().to_string(),
        };
        text.parse::<Binning>().map_err(|e| format!("{e}"))
    }
}

/// The Drift lab's state.
pub struct DriftLab {
    /// Binnings chosen for named columns.
    per_column: BTreeMap<String, ColumnBins>,
    /// Kinds chosen for named columns.
    kinds: BTreeMap<String, ColumnKind>,
    /// The selected column's name, kept across answers.
    selected_name: Option<String>,
    reference_text: String,
    current_text: String,
    binning_text: String,
    smoothing_on: bool,
    smoothing: f64,
    permutations: usize,
    seed: u64,
    lane: Lane<DriftRequest, DriftAnswer>,
    submitted: Option<DriftRequest>,
    answer: Option<DriftAnswer>,
    sort: SortKey,
    descending: bool,
    selected: Option<usize>,
    input_error: Option<String>,
    /// Where the answers' `label,count` files are; removed when the lab is dropped (the lane
    /// only has the path: the folder goes with the app, not with the lane's thread).
    _files: Option<tempfile::TempDir>,
}

/// The lab's folder for the `label,count` files, removed with the lab. Each answer writes into
/// a fresh folder of its own inside it: a later request (another binning) never rewrites the
/// files an earlier answer points at, and two labs in one process (two windows, or tests run
/// side by side) never share one.
fn files_root() -> Option<tempfile::TempDir> {
    match tempfile::Builder::new()
        .prefix("kl-explorer-drift-")
        .tempdir()
    {
        Ok(d) => Some(d),
        Err(e) => {
            eprintln!("kl-explorer: no temporary folder for the drift lab's bins: {e}");
            None
        }
    }
}

/// A new folder for one answer's files inside `root`, kept until `root` is removed. After the
/// lab has removed `root` (the app closing while the lane still works) there is none.
fn answer_dir(root: Option<&Path>) -> Option<PathBuf> {
    let d = tempfile::Builder::new()
        .prefix("answer-")
        .tempdir_in(root?)
        .ok()?;
    Some(d.keep())
}

fn quote(label: &str) -> String {
    format!("\"{}\"", label.replace('"', "\"\""))
}

/// Writes one side's bins as `label,count` (counts plus α), for the Compare view.
fn write_side(path: &Path, labels: &[String], counts: &[u64], alpha: f64) -> std::io::Result<()> {
    let mut text = String::from("label,count\n");
    for (l, &c) in labels.iter().zip(counts) {
        #[allow(clippy::cast_precision_loss)]
        text.push_str(&format!("{},{}\n", quote(l), c as f64 + alpha));
    }
    std::fs::write(path, text)
}

fn curves_of(
    c: &ColumnDrift,
    reference: &Table,
    current: &Table,
    alpha: f64,
    cancel: &Cancel,
) -> Result<Option<Curves>, Cancelled> {
    let (Some(r), Some(q)) = (reference.column(&c.column), current.column(&c.column)) else {
        return Ok(None);
    };
    let (Values::Numbers(a), Values::Numbers(b)) = (&r.values, &q.values) else {
        return Ok(None);
    };
    if c.binning.is_none() {
        return Ok(None);
    }
    let (mut a, mut b) = (a.clone(), b.clone());
    a.sort_unstable_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    Ok(Some(Curves {
        bins: bins_curve(&a, &b, 2..=200, alpha, cancel)?,
        marks: rule_marks(&a),
        alpha: alpha_curve(&c.counts_reference, &c.counts_current, &alpha_grid()),
    }))
}

/// The lane's work: read both tables, compare, test, curves, files.
///
/// # Errors
/// [`Cancelled`] when a newer request or the user's Cancel stops it.
pub fn compute(
    r: &DriftRequest,
    root: Option<&Path>,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<DriftAnswer, Cancelled> {
    let answer = |result| DriftAnswer {
        request: r.clone(),
        result,
    };
    let (reference, current) = match read_pair(&r.reference, &r.current, None, cancel) {
        Ok(pair) => pair,
        Err(e) if e.kind == TableErrorKind::Cancelled => return Err(Cancelled),
        Err(e) => return Ok(answer(Err(e.to_string()))),
    };
    let options = DriftOptions {
        binning: r.binning.clone(),
        per_column: r.per_column.iter().cloned().collect(),
        kinds: r.kinds.iter().cloned().collect(),
        smoothing: r.smoothing,
        permutations: r.permutations,
        seed: r.seed,
    };
    // Reading ~5 %, the columns (each by its permutation chunks) to 60 %, the curves the rest.
    progress.set(0.05);
    let report = drift_tables_reporting(&reference, &current, &options, cancel, &|f| {
        progress.set(0.05 + 0.55 * f);
    })?;
    let alpha = r.smoothing.unwrap_or(0.0);
    let mut curves = Vec::with_capacity(report.columns.len());
    let mut files = Vec::with_capacity(report.columns.len());
    let dir = answer_dir(root);
    for (i, c) in report.columns.iter().enumerate() {
        curves.push(curves_of(c, &reference, &current, alpha, cancel)?);
        #[allow(clippy::cast_precision_loss)]
        progress.set(0.6 + 0.4 * (i + 1) as f64 / report.columns.len() as f64);
        files.push(dir.as_ref().and_then(|dir| {
            let paths = (
                dir.join(format!("{i}-reference.csv")),
                dir.join(format!("{i}-current.csv")),
            );
            let written = write_side(&paths.0, &c.labels, &c.counts_reference, alpha).is_ok()
                && write_side(&paths.1, &c.labels, &c.counts_current, alpha).is_ok();
            written.then_some(paths)
        }));
    }
    Ok(answer(Ok(Computed {
        report,
        curves,
        files,
    })))
}

fn test_text(t: &crate::drift::PermutationTest) -> String {
    format!(
        "Permutation test ({} permutations, seed {}): JS {} against the null's 95th / 99th percentiles {} / {}; under no drift PSI > 0.1 in {:.1}% and PSI > 0.25 in {:.1}% of permutations (the rules' false-alarm rates at these sizes)",
        t.permutations,
        t.seed,
        fmt(t.observed_js),
        fmt(t.null_js_95),
        fmt(t.null_js_99),
        100.0 * t.psi_alarm_rate_010,
        100.0 * t.psi_alarm_rate_025
    )
}

/// A figure of the table: four significant digits (a drift of 9·10⁻⁶ is not shown as
/// 0.0000), "∞" for infinity, "–" for none.
fn fmt(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        crate::app::plots::format_value(v)
    }
}

impl DriftLab {
    /// Starts the lab and its lane.
    pub fn new(ctx: &egui::Context) -> Self {
        let ctx = ctx.clone();
        let root = files_root();
        let lane_root = root.as_ref().map(|d| d.path().to_path_buf());
        DriftLab {
            _files: root,
            per_column: BTreeMap::new(),
            kinds: BTreeMap::new(),
            selected_name: None,
            reference_text: String::new(),
            current_text: String::new(),
            binning_text: "quantile:10".into(),
            smoothing_on: false,
            smoothing: 1e-4,
            permutations: 1000,
            seed: 0,
            lane: Lane::start(
                "drift",
                move |r: &DriftRequest, c: &Cancel, p: &Progress| {
                    compute(r, lane_root.as_deref(), c, p)
                },
                move || ctx.request_repaint(),
            ),
            submitted: None,
            answer: None,
            sort: SortKey::Column,
            descending: true,
            selected: None,
            input_error: None,
        }
    }

    /// Uses `path` as the reference or the current table (a dialog's answer).
    pub fn set_table(&mut self, side: Side, path: &Path) {
        let text = path.display().to_string();
        match side {
            Side::Reference => self.reference_text = text,
            Side::Current => self.current_text = text,
        }
    }

    /// The request the controls describe, or why there is none.
    fn request(&self) -> Result<DriftRequest, String> {
        if self.reference_text.trim().is_empty() || self.current_text.trim().is_empty() {
            return Err("choose both tables".into());
        }
        let binning: Binning = self.binning_text.parse().map_err(|e| format!("{e}"))?;
        let per_column = self
            .per_column
            .iter()
            .map(|(name, b)| {
                Ok((
                    name.clone(),
                    b.binning().map_err(|e| format!("{name}: {e}"))?,
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(DriftRequest {
            reference: PathBuf::from(self.reference_text.trim()),
            current: PathBuf::from(self.current_text.trim()),
            binning,
            per_column,
            kinds: self.kinds.iter().map(|(n, k)| (n.clone(), *k)).collect(),
            smoothing: self.smoothing_on.then_some(self.smoothing),
            permutations: self.permutations,
            seed: self.seed,
        })
    }

    /// Asks the lane for the controls' request.
    pub fn compare(&mut self) {
        match self.request() {
            Ok(r) => {
                self.input_error = None;
                self.lane.submit(r.clone());
                self.submitted = Some(r);
            }
            Err(e) => self.input_error = Some(e),
        }
    }

    /// The answer for the last request, once it has arrived.
    pub fn current(&self) -> Option<&Computed> {
        let a = self.answer.as_ref()?;
        (Some(&a.request) == self.submitted.as_ref())
            .then_some(a.result.as_ref().ok())
            .flatten()
    }

    /// The rows' order as shown (indices into the report's columns).
    pub fn order(&self) -> Vec<usize> {
        let Some(c) = self.current() else {
            return Vec::new();
        };
        let mut idx: Vec<usize> = (0..c.report.columns.len()).collect();
        if self.sort != SortKey::Column {
            let cols = &c.report.columns;
            idx.sort_by(|&a, &b| {
                let (x, y) = (self.sort.value(&cols[a]), self.sort.value(&cols[b]));
                let o = x.total_cmp(&y);
                if self.descending { o.reverse() } else { o }
            });
        }
        idx
    }

    /// The selected column (index into the report), if any.
    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// The selected column's kind and binning controls; a change compares again.
    fn column_controls_ui(&mut self, ui: &mut egui::Ui) {
        let Some(name) = self.selected_name.clone() else {
            return;
        };
        let mut changed = false;
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("Kind of '{name}':"));
            let mut kind = self.kinds.get(&name).copied();
            for (value, text) in [
                (None, "detected"),
                (Some(ColumnKind::Numeric), "numeric"),
                (Some(ColumnKind::Categorical), "categorical"),
            ] {
                changed |= ui.selectable_value(&mut kind, value, text).changed();
            }
            match kind {
                Some(k) => self.kinds.insert(name.clone(), k),
                None => self.kinds.remove(&name),
            };
            ui.separator();
            ui.label(format!("Bins of '{name}':"));
            let mut own = self.per_column.get(&name).cloned();
            let mut form = own.as_ref().map(|b| b.form);
            changed |= ui
                .selectable_value(&mut form, None, "as all columns")
                .changed();
            for f in BinsForm::ALL {
                changed |= ui.selectable_value(&mut form, Some(f), f.name()).changed();
            }
            own = form.map(|f| {
                let mut b = own.unwrap_or(ColumnBins {
                    form: f,
                    k: 10,
                    edges: String::new(),
                });
                b.form = f;
                b
            });
            if let Some(b) = own.as_mut() {
                match b.form {
                    BinsForm::Quantile | BinsForm::Fixed => {
                        let l = ui.label("K");
                        let min = if b.form == BinsForm::Quantile { 2 } else { 1 };
                        changed |= ui
                            .add(egui::DragValue::new(&mut b.k).range(min..=1000))
                            .labelled_by(l.id)
                            .changed();
                    }
                    BinsForm::Edges => {
                        let l = ui.label("edges");
                        let r = ui
                            .add(
                                egui::TextEdit::singleline(&mut b.edges)
                                    .hint_text("0, 1.5, 3")
                                    .desired_width(160.0),
                            )
                            .labelled_by(l.id);
                        changed |= r.lost_focus() && !b.edges.trim().is_empty();
                    }
                    _ => {}
                }
            }
            match own {
                Some(b) => self.per_column.insert(name.clone(), b),
                None => self.per_column.remove(&name),
            };
        });
        if changed {
            self.compare();
        }
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        egui::Grid::new("drift-files")
            .num_columns(3)
            .show(ui, |ui| {
                for (side, name) in [(Side::Reference, "Reference"), (Side::Current, "Current")] {
                    ui.label(name);
                    let text = match side {
                        Side::Reference => &mut self.reference_text,
                        Side::Current => &mut self.current_text,
                    };
                    ui.add_sized(
                        [480.0, 20.0],
                        egui::TextEdit::singleline(text).hint_text("a CSV or Parquet file"),
                    );
                    if ui.button("Choose…").clicked() {
                        commands.push(Command::OpenDialog(Dialog::OpenTable(side)));
                    }
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            ui.label("Bins (all columns)");
            ui.add(egui::TextEdit::singleline(&mut self.binning_text).desired_width(110.0))
                .on_hover_text("quantile:K, fixed:K, sturges, doane, fd or edges:a,b,c");
            let on = ui.checkbox(&mut self.smoothing_on, "Smoothing α");
            ui.add_enabled(
                self.smoothing_on,
                egui::DragValue::new(&mut self.smoothing)
                    .range(1e-9..=1e3)
                    .speed(1e-4),
            )
            .labelled_by(on.id);
            let l = ui.label("Permutations");
            ui.add(egui::DragValue::new(&mut self.permutations).range(0..=100_000))
                .labelled_by(l.id);
            let l = ui.label("Seed");
            ui.add(egui::DragValue::new(&mut self.seed))
                .labelled_by(l.id);
            if ui.button("Compare").clicked() {
                self.compare();
            }
            if self.lane.is_running() {
                ui.add(egui::ProgressBar::new(self.lane.progress()).desired_width(120.0));
                if ui.button("Cancel").clicked() {
                    self.lane.cancel();
                    self.submitted = None;
                }
            }
        });
        if let Some(e) = &self.input_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if let Some(a) = &self.answer
            && Some(&a.request) == self.submitted.as_ref()
            && let Err(e) = &a.result
        {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }

    fn header(&mut self, ui: &mut egui::Ui, key: SortKey, text: &str) {
        let arrow = if self.sort == key {
            if self.descending { " v" } else { " ^" }
        } else {
            ""
        };
        if ui.button(format!("{text}{arrow}")).clicked() {
            if self.sort == key {
                self.descending = !self.descending;
            } else {
                self.sort = key;
                self.descending = key != SortKey::PValue;
            }
        }
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let order = self.order();
        let Some(computed) = self.current().cloned() else {
            return;
        };
        let cols = &computed.report.columns;
        egui::ScrollArea::both()
            .id_salt("drift-table")
            .max_height(260.0)
            .show(ui, |ui| {
                egui::Grid::new("drift-grid")
                    .striped(true)
                    .num_columns(11)
                    .show(ui, |ui| {
                        self.header(ui, SortKey::Column, "column");
                        ui.label("kind");
                        ui.label("bins");
                        self.header(ui, SortKey::KlPq, "KL(r||c)");
                        self.header(ui, SortKey::KlQp, "KL(c||r)");
                        self.header(ui, SortKey::Js, "JS");
                        self.header(ui, SortKey::Psi, "PSI");
                        self.header(ui, SortKey::Tv, "TV");
                        self.header(ui, SortKey::Hellinger, "Hellinger");
                        ui.label("missing r / c");
                        self.header(ui, SortKey::PValue, "p");
                        ui.end_row();
                        for &i in &order {
                            let c = &cols[i];
                            let picked = self.selected == Some(i);
                            if ui.selectable_label(picked, &c.column).clicked() {
                                self.selected = Some(i);
                                self.selected_name = Some(c.column.clone());
                                if let Some(Some((r, q))) = computed.files.get(i) {
                                    for (which, path) in [(Which::P, r), (Which::Q, q)] {
                                        commands.push(Command::SetSource {
                                            which,
                                            source: Source::csv(path.clone()),
                                            origin: Origin::File,
                                        });
                                    }
                                }
                            }
                            ui.label(c.kind.name()).on_hover_text(&c.kind_reason);
                            ui.label(&c.bins);
                            for f in [&c.kl_pq, &c.kl_qp, &c.js, &c.psi, &c.tv, &c.hellinger] {
                                let r = ui.label(fmt(f.value));
                                if let Some(reason) = &f.reason {
                                    r.on_hover_text(reason);
                                }
                            }
                            ui.label(format!("{} / {}", c.missing_reference, c.missing_current));
                            match &c.permutation {
                                Some(t) => {
                                    ui.label(fmt(t.p_value)).on_hover_text(test_text(t));
                                }
                                None => {
                                    ui.label("–");
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
        self.column_controls_ui(ui);
        if let Some(i) = self.selected
            && let Some(c) = cols.get(i)
        {
            ui.horizontal_wrapped(|ui| {
                ui.strong(&c.column);
                ui.label(format!(
                    "({}, {}): click its name to open it as P (reference) and Q (current)",
                    c.kind_reason, c.bins
                ));
                if ui.button("Show in Compare").clicked() {
                    commands.push(Command::ShowView(View::Compare));
                }
                for line in c.one_sided_lines(crate::drift::ONE_SIDED_NAMED) {
                    ui.label(format!("· {line}"));
                }
            });
            if let Some(t) = &c.permutation {
                ui.label(test_text(t));
            }
            if let Some(Some(curves)) = computed.curves.get(i) {
                sensitivity_ui(ui, c, curves);
            }
        }
        for (name, e) in &computed.report.refused {
            ui.label(format!("{name}: not compared: {e}"));
        }
    }

    /// Draws the lab.
    pub fn ui(&mut self, ui: &mut egui::Ui, _input: &LabInput<'_>) -> Vec<Command> {
        if let Some(a) = self.lane.poll() {
            // The selected column stays selected; else the first column's curves show
            // until the user picks another.
            if let Ok(c) = &a.result {
                let cols = &c.report.columns;
                let kept = self
                    .selected_name
                    .as_ref()
                    .and_then(|n| cols.iter().position(|d| &d.column == n));
                self.selected = kept.or((!cols.is_empty()).then_some(0));
                if kept.is_none()
                    && !self
                        .selected_name
                        .as_ref()
                        .is_some_and(|n| c.report.refused.iter().any(|(r, _)| r == n))
                {
                    self.selected_name = cols.first().map(|d| d.column.clone());
                }
            }
            self.answer = Some(a);
        }
        let mut commands = Vec::new();
        self.controls_ui(ui, &mut commands);
        ui.separator();
        self.table_ui(ui, &mut commands);
        commands
    }

    /// Whether work is in flight, or the last request has no answer yet.
    pub fn is_busy(&self, _input: &LabInput<'_>) -> bool {
        self.lane.is_running()
            || self
                .submitted
                .as_ref()
                .is_some_and(|r| self.answer.as_ref().is_none_or(|a| &a.request != r))
    }
}

fn finite_points(
    points: &[SensitivityPoint],
    x: impl Fn(f64) -> f64,
    y: impl Fn(&SensitivityPoint) -> f64,
) -> PlotPoints<'static> {
    points
        .iter()
        .filter(|p| y(p).is_finite())
        .map(|p| [x(p.x), y(p)])
        .collect::<Vec<_>>()
        .into()
}

fn sensitivity_ui(ui: &mut egui::Ui, c: &ColumnDrift, curves: &Curves) {
    let height = (ui.available_height() - 30.0).max(160.0);
    let width = (ui.available_width() / 2.0 - 24.0).max(200.0);
    let infinite = |pts: &[SensitivityPoint]| pts.iter().filter(|p| !p.psi.is_finite()).count();
    ui.horizontal(|ui| {
        // A rule that asks for more bins than the curve reaches is named, not drawn: its line
        // would stretch the axis and squeeze the curve into a corner.
        let last_k = curves.bins.last().map_or(0.0, |p| p.x);
        let chosen = match &c.binning {
            Some(Binning::Quantile(k)) => Some(("chosen", *k)),
            _ => None,
        };
        #[allow(clippy::cast_precision_loss)]
        let (drawn, beyond): (Vec<_>, Vec<_>) = curves
            .marks
            .iter()
            .copied()
            .chain(chosen)
            .partition(|(_, k)| *k as f64 <= last_k);
        ui.vertical(|ui| {
            // Headings wrap within their plot's width, so the two plots keep their places.
            ui.set_max_width(width);
            let beyond: String = beyond
                .iter()
                .map(|(name, k)| format!("; {name}: {k}, beyond the curve's {last_k} bins"))
                .collect();
            ui.label(format!(
                "KL(r||c) and PSI against quantile:K bins (∞ at {} of {} K left out{beyond})",
                infinite(&curves.bins),
                curves.bins.len()
            ));
            Plot::new("drift-bins")
                .width(width)
                .height(height)
                .legend(Legend::default())
                .x_axis_label("bins K")
                .show(ui, |plot| {
                    plot.line(Line::new(
                        "KL(r||c)",
                        finite_points(&curves.bins, |x| x, |p| p.kl),
                    ));
                    plot.line(Line::new(
                        "PSI",
                        finite_points(&curves.bins, |x| x, |p| p.psi),
                    ));
                    for (name, k) in &drawn {
                        #[allow(clippy::cast_precision_loss)]
                        plot.vline(VLine::new(format!("{name}: {k}"), *k as f64));
                    }
                });
        });
        ui.vertical(|ui| {
            ui.set_max_width(width);
            ui.label(format!(
                "KL(r||c) and PSI against α on {} (log axis; 0.0001 marked)",
                c.bins
            ));
            let plot = Plot::new("drift-alpha")
                .width(width)
                .height(height)
                .legend(Legend::default());
            log10_x_axis(plot, "α (pseudo-count, log scale)", "α").show(ui, |plot| {
                plot.line(Line::new(
                    "KL(r||c)",
                    finite_points(&curves.alpha, f64::log10, |p| p.kl),
                ));
                plot.line(Line::new(
                    "PSI",
                    finite_points(&curves.alpha, f64::log10, |p| p.psi),
                ));
                plot.vline(VLine::new("α = 0.0001", COMMON_ALPHA.log10()));
            });
        });
    });
}

#[cfg(test)]
mod tests {
    use super::fmt;

    #[test]
    fn tiny_figures_keep_their_digits_and_none_is_a_dash() {
        // The c0 column of the benchmark drifts by 8.97e-6 nats: four decimals showed 0.0000.
        assert_eq!(fmt(8.970_104e-6), "8.97e-6");
        assert_eq!(fmt(0.004_040_69), "0.004041");
        assert_eq!(fmt(1.0 / 1001.0), "9.99e-4");
        assert_eq!(fmt(f64::INFINITY), "∞");
        assert_eq!(fmt(f64::NAN), "–");
    }
}
