//! The drift workbench's core: every column of two tables (reference and current) binned on
//! shared bins, its figures, and a permutation test.
//!
//! Numeric contract:
//! - Missing cells are counted per side ([`ColumnDrift::missing_reference`]) and left out of
//!   the bins; they are never 0.
//! - A bin empty on one side only makes KL one way (or both), PSI and (never) JS infinite;
//!   the figure's `reason` names the bin. A categorical label seen on one side only is named
//!   in [`ColumnDrift::one_sided`].
//! - Smoothing is explicit: α (if given) is added to every bin's count on both sides; with
//!   none, the figures are those of the raw counts.
//! - All figures are in nats; P is the reference, Q the current table.

pub mod binning;
pub mod figures;
pub mod permutation;
pub mod sensitivity;
pub mod sketch;
pub mod slots;
pub mod stream;

pub use sketch::SketchLimits;

use std::collections::HashMap;

use rayon::prelude::*;

pub use binning::{Binning, BinningError, Bins, make_bins};
pub use permutation::{PermutationTest, permutation_test};
pub use stream::{StreamLimits, StreamStats, drift_column_streamed, drift_files, drift_files_with};

use crate::cancel::{Cancel, Cancelled, Progress};
use crate::divergence::{CompareError, Figure, Options};
use crate::io::table::{Column, Table, Values, number_label};

/// Integer columns with at most this many distinct values (both sides together) are read as
/// categorical.
pub const FEW_VALUES: usize = 20;

/// Whether a column is compared by bins of numbers or by labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Numbers, binned.
    Numeric,
    /// Labels (strings, or few-valued integers), compared label by label.
    Categorical,
}

impl ColumnKind {
    /// "numeric" or "categorical".
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
        }
    }
}

/// What the user chose.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DriftOptions {
    /// The binning of every numeric column not in `per_column`.
    pub binning: Binning,
    /// Binnings for named columns.
    pub per_column: HashMap<String, Binning>,
    /// Kinds forced for named columns (else detected).
    pub kinds: HashMap<String, ColumnKind>,
    /// Pseudo-count added to every bin of both sides; `None`: raw counts.
    pub smoothing: Option<f64>,
    /// Permutations of the test; 0: no test.
    pub permutations: usize,
    /// The test's seed.
    pub seed: u64,
}

/// Which table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The reference table (P).
    Reference,
    /// The current table (Q).
    Current,
}

impl Side {
    /// "reference" or "current".
    pub fn name(self) -> &'static str {
        match self {
            Side::Reference => "reference",
            Side::Current => "current",
        }
    }
}

/// A label (or bin) with values on one side only.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OneSided {
    /// The label.
    pub label: String,
    /// The side that has it.
    pub side: Side,
    /// How many values it has there.
    pub count: u64,
}

/// Why a column cannot be compared.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DriftError {
    /// Every cell of a side is missing.
    #[error("column '{column}' has no values in the {} table (all {missing} cells missing)", side.name())]
    NoValues {
        /// The column.
        column: String,
        /// The side.
        side: Side,
        /// Its missing cells.
        missing: u64,
    },
    /// Numeric was asked for a column of labels.
    #[error("column '{column}' cannot be numeric: '{label}' is not a number")]
    NotNumeric {
        /// The column.
        column: String,
        /// A label that is not a number.
        label: String,
    },
    /// A streamed column could not be read.
    #[error("{0}")]
    Read(crate::io::table::TableError),
    /// The comparison was cancelled.
    #[error("cancelled")]
    Cancelled,
}

impl From<Cancelled> for DriftError {
    fn from(_: Cancelled) -> Self {
        DriftError::Cancelled
    }
}

impl From<CompareError> for DriftError {
    fn from(_: CompareError) -> Self {
        // Two category distributions are always comparable: only cancellation remains.
        DriftError::Cancelled
    }
}

/// One column's comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDrift {
    /// The column.
    pub column: String,
    /// Numeric or categorical.
    pub kind: ColumnKind,
    /// Why this kind, in words ("chosen", "7 distinct integers", "'abc' at line 7 …").
    pub kind_reason: String,
    /// The binning (numeric columns), or `None` for labels.
    pub binning: Option<Binning>,
    /// What the bins are, in words (`quantile:10`, `labels`), with merged edges said.
    pub bins: String,
    /// Each bin's label.
    pub labels: Vec<String>,
    /// Each bin's `(left, right)` (numeric columns).
    pub intervals: Vec<(f64, f64)>,
    /// Reference counts per bin.
    pub counts_reference: Vec<u64>,
    /// Current counts per bin.
    pub counts_current: Vec<u64>,
    /// Labels or bins with values on one side only.
    pub one_sided: Vec<OneSided>,
    /// The pseudo-count used.
    pub smoothing: Option<f64>,
    /// KL(reference‖current).
    pub kl_pq: Figure,
    /// KL(current‖reference).
    pub kl_qp: Figure,
    /// Jensen–Shannon divergence.
    pub js: Figure,
    /// Σ (q − p)·ln(q/p).
    pub psi: Figure,
    /// Total variation.
    pub tv: Figure,
    /// Hellinger √(1 − Σ√(pq)).
    pub hellinger: Figure,
    /// Missing cells in the reference.
    pub missing_reference: u64,
    /// Missing cells in the current table.
    pub missing_current: u64,
    /// The permutation test, when asked for.
    pub permutation: Option<PermutationTest>,
}

/// How many labels with values on one side only [`ColumnDrift::one_sided_lines`] names for
/// each side before it counts the rest.
pub const ONE_SIDED_NAMED: usize = 10;

impl ColumnDrift {
    /// The labels (or bins) with values on one side only, one sentence each, in the order of
    /// [`ColumnDrift::one_sided`]: at most `named` for each side, then, for a side with more,
    /// one sentence with how many more there are and their values. A column of thousands of
    /// distinct labels so gives a few lines, not one per label.
    pub fn one_sided_lines(&self, named: usize) -> Vec<String> {
        fn counted(n: u64, noun: &str) -> String {
            if n == 1 {
                format!("1 {noun}")
            } else {
                format!("{n} {noun}s")
            }
        }
        let mut lines = Vec::new();
        // Per side: labels named so far, and the labels and values left out.
        let mut shown = [0usize; 2];
        let mut left = [(0usize, 0u64); 2];
        for o in &self.one_sided {
            let side = usize::from(o.side == Side::Current);
            if shown[side] < named {
                shown[side] += 1;
                lines.push(format!(
                    "'{}' only in the {} table ({})",
                    o.label,
                    o.side.name(),
                    counted(o.count, "value")
                ));
            } else {
                left[side].0 += 1;
                left[side].1 += o.count;
            }
        }
        for (side, (labels, values)) in [Side::Reference, Side::Current].into_iter().zip(left) {
            if labels > 0 {
                lines.push(format!(
                    "… and {labels} more {} only in the {} table ({})",
                    if labels == 1 { "label" } else { "labels" },
                    side.name(),
                    counted(values, "value")
                ));
            }
        }
        lines
    }
}

/// The columns of two tables compared.
#[derive(Clone, Debug, PartialEq)]
pub struct DriftReport {
    /// One entry per column present in both, in the reference's order.
    pub columns: Vec<ColumnDrift>,
    /// Columns that could not be compared, with why.
    pub refused: Vec<(String, DriftError)>,
    /// Columns in the reference only.
    pub only_reference: Vec<String>,
    /// Columns in the current table only.
    pub only_current: Vec<String>,
}

/// The kind of a column from both sides' values: labels if either side has text; integers
/// with at most [`FEW_VALUES`] distinct values categorical; else numeric.
pub fn detect_kind(reference: &Values, current: &Values) -> (ColumnKind, String) {
    match (reference, current) {
        (Values::Numbers(a), Values::Numbers(b)) => match numeric_reason(a.iter().chain(b)) {
            Ok(why) => (ColumnKind::Numeric, why),
            Err(distinct) => (
                ColumnKind::Categorical,
                format!("{distinct} distinct integers"),
            ),
        },
        _ => (ColumnKind::Categorical, "text".into()),
    }
}

/// Why numbers (in the order given) make a numeric column, as soon as one is not an integer
/// or more than [`FEW_VALUES`] distinct integers are seen: what follows cannot change it.
/// `Err(distinct)` when all are integers, `distinct` of them.
fn numeric_reason<'a>(values: impl IntoIterator<Item = &'a f64>) -> Result<String, usize> {
    let mut distinct: Vec<f64> = Vec::new();
    for &x in values {
        if x.fract() != 0.0 {
            return Ok("numbers".into());
        }
        if !distinct.contains(&x) {
            if distinct.len() == FEW_VALUES {
                return Ok(format!("integers, more than {FEW_VALUES} distinct"));
            }
            distinct.push(x);
        }
    }
    Err(distinct.len())
}

/// `values` as label codes over `labels` (shared), adding labels as first seen.
fn codes_into(
    values: &Values,
    labels: &mut Vec<String>,
    index: &mut HashMap<String, usize>,
) -> Vec<u64> {
    let mut counts = vec![0u64; labels.len()];
    let mut bump = |label: &str, n: u64, labels: &mut Vec<String>, counts: &mut Vec<u64>| {
        let at = match index.get(label) {
            Some(&i) => i,
            None => {
                index.insert(label.to_string(), labels.len());
                labels.push(label.to_string());
                counts.push(0);
                labels.len() - 1
            }
        };
        counts[at] += n;
    };
    match values {
        Values::Numbers(v) => {
            // Distinct values in order of first appearance, with their counts.
            let mut order: Vec<f64> = Vec::new();
            let mut seen: HashMap<u64, u64> = HashMap::new();
            for &x in v {
                // -0 and 0 are one label.
                let key = (x + 0.0).to_bits();
                let n = seen.entry(key).or_insert(0);
                if *n == 0 {
                    order.push(x + 0.0);
                }
                *n += 1;
            }
            for x in order {
                let n = seen.get(&(x.to_bits())).copied().unwrap_or(0);
                bump(&number_label(x), n, labels, &mut counts);
            }
        }
        Values::Labels { codes, labels: own } => {
            let mut per = vec![0u64; own.len()];
            for &c in codes {
                per[c as usize] += 1;
            }
            for (l, n) in own.iter().zip(per) {
                if n > 0 {
                    bump(l, n, labels, &mut counts);
                }
            }
        }
    }
    counts
}

/// A column's bins and both sides' counts, before the figures.
pub(crate) struct Binned {
    pub(crate) kind: ColumnKind,
    pub(crate) kind_reason: String,
    pub(crate) binning: Option<Binning>,
    pub(crate) bins: String,
    pub(crate) labels: Vec<String>,
    pub(crate) intervals: Vec<(f64, f64)>,
    pub(crate) reference: Vec<u64>,
    pub(crate) current: Vec<u64>,
    pub(crate) missing_reference: u64,
    pub(crate) missing_current: u64,
}

/// The binning of column `name`: its own, else the one for all.
pub(crate) fn binning_of(options: &DriftOptions, name: &str) -> Binning {
    options
        .per_column
        .get(name)
        .cloned()
        .unwrap_or_else(|| options.binning.clone())
}

/// The words for a numeric column's bins: the binning, and merged edges if any.
pub(crate) fn bins_text(binning: &Binning, bins: &Bins) -> String {
    let mut text = binning.to_string();
    if bins.merged_edges > 0 {
        text.push_str(&format!(
            " ({} repeated quantile edges merged: ties in the reference)",
            bins.merged_edges
        ));
    }
    text
}

/// The least and greatest of `values` by `total_cmp` (−0 below 0), as sorting puts them.
pub(crate) fn extremes(values: &[f64], from: (f64, f64)) -> (f64, f64) {
    values.iter().fold(from, |(lo, hi), &x| {
        (
            if x.total_cmp(&lo).is_lt() { x } else { lo },
            if x.total_cmp(&hi).is_gt() { x } else { hi },
        )
    })
}

/// Labels (shared, reference's first) and both sides' counts from each side's distinct
/// labels with counts, in order of first appearance.
pub(crate) fn merge_labels(
    reference: Vec<(String, u64)>,
    current: Vec<(String, u64)>,
) -> (Vec<String>, Vec<u64>, Vec<u64>) {
    let mut labels = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut a = Vec::new();
    for (l, n) in reference {
        index.insert(l.clone(), labels.len());
        labels.push(l);
        a.push(n);
    }
    let mut b = vec![0u64; labels.len()];
    for (l, n) in current {
        match index.get(&l) {
            Some(&i) => b[i] += n,
            None => {
                index.insert(l.clone(), labels.len());
                labels.push(l);
                b.push(n);
                a.push(0);
            }
        }
    }
    (labels, a, b)
}

/// The figures, one-sided labels and permutation test of a binned column.
pub(crate) fn finish_column(
    name: String,
    binned: Binned,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<ColumnDrift, DriftError> {
    cancel.check()?;
    let Binned {
        kind,
        kind_reason,
        binning,
        bins,
        labels,
        intervals,
        reference: a,
        current: b,
        missing_reference,
        missing_current,
    } = binned;
    let alpha = options.smoothing.unwrap_or(0.0);
    let one_sided = a
        .iter()
        .zip(&b)
        .zip(&labels)
        .filter_map(|((&x, &y), l)| match (x, y) {
            (0, 0) => None,
            (0, n) => Some(OneSided {
                label: l.clone(),
                side: Side::Current,
                count: n,
            }),
            (n, 0) => Some(OneSided {
                label: l.clone(),
                side: Side::Reference,
                count: n,
            }),
            _ => None,
        })
        .collect();
    let engine = Options {
        cancel: cancel.clone(),
        ..Options::default()
    };
    let f = figures::column_figures(&labels, &a, &b, alpha, &engine)?;
    let permutation = if options.permutations > 0 {
        Some(permutation::permutation_test_reporting(
            &a,
            &b,
            alpha,
            options.permutations,
            options.seed,
            cancel,
            progress,
        )?)
    } else {
        None
    };
    Ok(ColumnDrift {
        column: name,
        kind,
        kind_reason,
        binning,
        bins,
        labels,
        intervals,
        counts_reference: a,
        counts_current: b,
        one_sided,
        smoothing: options.smoothing,
        kl_pq: f.kl_pq,
        kl_qp: f.kl_qp,
        js: f.js,
        psi: f.psi,
        tv: f.tv,
        hellinger: f.hellinger,
        missing_reference,
        missing_current,
        permutation,
    })
}

/// What the reference alone settles of a numeric column whose current side need only be
/// counted: why it is numeric, its binning and bins, and the reference's counts.
pub(crate) struct CountPlan {
    pub(crate) kind_reason: String,
    pub(crate) binning: Binning,
    pub(crate) bins: Bins,
    pub(crate) reference: Vec<u64>,
}

/// The plan of a column whose current side need only be counted into bins, when the reference
/// settles everything else: numbers in the reference; the kind numeric, chosen or detected
/// from the reference alone ([`detect_kind`] reads the reference first and stops as soon as
/// it knows, so the current side cannot change it); bins from the reference alone (every
/// binning but `fixed:K`, whose range is the pooled one). `None` otherwise: then the column
/// is compared on both sides' values.
pub(crate) fn count_plan(reference: &Column, options: &DriftOptions) -> Option<CountPlan> {
    let Values::Numbers(r) = &reference.values else {
        return None;
    };
    if r.is_empty() || reference.first_label.is_some() {
        return None;
    }
    let kind_reason = match options.kinds.get(&reference.name) {
        Some(ColumnKind::Numeric) => "chosen".to_string(),
        Some(ColumnKind::Categorical) => return None,
        None => numeric_reason(r).ok()?,
    };
    let binning = binning_of(options, &reference.name);
    let bins = match binning {
        Binning::Quantile(k) => {
            let (bins, reference) = binning::quantile_bins_counted(k, r);
            return Some(CountPlan {
                kind_reason,
                binning,
                bins,
                reference,
            });
        }
        Binning::Fixed(_) => return None,
        _ => {
            // The rules and explicit edges read the reference only (the range passed is
            // not used by them).
            let range = extremes(r, (f64::INFINITY, f64::NEG_INFINITY));
            let mut sorted = r.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            make_bins(&binning, &sorted, range)
        }
    };
    let reference = bins.count(r);
    Some(CountPlan {
        kind_reason,
        binning,
        bins,
        reference,
    })
}

/// Compares a column whose current side was counted into `plan`'s bins as it was read
/// (`current` has its name and missing cells): the same [`ColumnDrift`] as [`drift_column`]
/// on the current's values.
pub(crate) fn drift_column_counted(
    reference: &Column,
    plan: &CountPlan,
    current: &Column,
    counts: &[u64],
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<ColumnDrift, DriftError> {
    if counts.iter().all(|&n| n == 0) {
        return Err(DriftError::NoValues {
            column: reference.name.clone(),
            side: Side::Current,
            missing: current.missing,
        });
    }
    let binned = Binned {
        kind: ColumnKind::Numeric,
        kind_reason: plan.kind_reason.clone(),
        binning: Some(plan.binning.clone()),
        bins: bins_text(&plan.binning, &plan.bins),
        labels: plan.bins.labels(),
        intervals: plan.bins.intervals(),
        reference: plan.reference.clone(),
        current: counts.to_vec(),
        missing_reference: reference.missing,
        missing_current: current.missing,
    };
    finish_column(reference.name.clone(), binned, options, cancel, progress)
}

/// Compares one column present in both tables.
///
/// # Errors
/// [`DriftError`] when a side has no values, numeric is forced on labels, or on cancel.
pub fn drift_column(
    reference: &Column,
    current: &Column,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<ColumnDrift, DriftError> {
    drift_column_reporting(reference, current, options, cancel, &|f| progress.set(f))
}

/// [`drift_column`], telling `progress` the fraction done.
pub(crate) fn drift_column_reporting(
    reference: &Column,
    current: &Column,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<ColumnDrift, DriftError> {
    let name = reference.name.clone();
    for (col, side) in [(reference, Side::Reference), (current, Side::Current)] {
        if col.values.is_empty() {
            return Err(DriftError::NoValues {
                column: name,
                side,
                missing: col.missing,
            });
        }
    }
    let (kind, kind_reason) = match options.kinds.get(&name) {
        Some(k) => (*k, "chosen".to_string()),
        None => {
            let (k, mut why) = detect_kind(&reference.values, &current.values);
            if let Some((line, label)) = reference
                .first_label
                .as_ref()
                .or(current.first_label.as_ref())
            {
                why = format!("'{label}' at line {line} is not a number");
            }
            (k, why)
        }
    };
    let (binning, bins_words, labels, intervals, a, b) = match kind {
        ColumnKind::Categorical => {
            let mut labels = Vec::new();
            let mut index = HashMap::new();
            let mut a = codes_into(&reference.values, &mut labels, &mut index);
            let b = codes_into(&current.values, &mut labels, &mut index);
            a.resize(labels.len(), 0);
            (None, "labels".to_string(), labels, Vec::new(), a, b)
        }
        ColumnKind::Numeric => {
            fn numbers<'a>(col: &'a Column, name: &str) -> Result<&'a [f64], DriftError> {
                match &col.values {
                    Values::Numbers(v) => Ok(v),
                    Values::Labels { labels, .. } => Err(DriftError::NotNumeric {
                        column: name.to_string(),
                        label: col
                            .first_label
                            .as_ref()
                            .map(|(_, l)| l.clone())
                            .or_else(|| labels.first().cloned())
                            .unwrap_or_default(),
                    }),
                }
            }
            let r = numbers(reference, &name)?;
            let c = numbers(current, &name)?;
            let binning = binning_of(options, &name);
            let (bins, a) = match binning {
                // The quantile edges need only a few order statistics: selected among the
                // values of a few buckets, the column neither copied nor reordered; the
                // reference's counts come from those buckets too.
                Binning::Quantile(k) => binning::quantile_bins_counted(k, r),
                _ => {
                    // The rules read the sorted reference: a copy; the current side is
                    // only counted.
                    let start = (f64::INFINITY, f64::NEG_INFINITY);
                    let ((rlo, rhi), (clo, chi)) = (extremes(r, start), extremes(c, start));
                    let pooled = extremes(&[clo, chi], (rlo, rhi));
                    let mut sorted = r.to_vec();
                    sorted.sort_unstable_by(f64::total_cmp);
                    let bins = make_bins(&binning, &sorted, pooled);
                    let a = bins.count(r);
                    (bins, a)
                }
            };
            let text = bins_text(&binning, &bins);
            let b = bins.count(c);
            (Some(binning), text, bins.labels(), bins.intervals(), a, b)
        }
    };
    let binned = Binned {
        kind,
        kind_reason,
        binning,
        bins: bins_words,
        labels,
        intervals,
        reference: a,
        current: b,
        missing_reference: reference.missing,
        missing_current: current.missing,
    };
    finish_column(name, binned, options, cancel, progress)
}

/// The fractions done of several columns at once, their mean told to `total`.
pub(crate) struct ColumnsProgress<'a> {
    total: &'a (dyn Fn(f64) + Sync),
    parts: Vec<std::sync::atomic::AtomicU32>,
}

impl<'a> ColumnsProgress<'a> {
    pub(crate) fn new(total: &'a (dyn Fn(f64) + Sync), columns: usize) -> Self {
        ColumnsProgress {
            total,
            parts: (0..columns.max(1))
                .map(|_| std::sync::atomic::AtomicU32::new(0))
                .collect(),
        }
    }

    /// Records column `i`'s fraction and the mean of all on the total.
    pub(crate) fn set(&self, i: usize, fraction: f64) {
        use std::sync::atomic::Ordering::Relaxed;
        #[allow(clippy::cast_possible_truncation)]
        let f = (fraction.clamp(0.0, 1.0) as f32).to_bits();
        if let Some(p) = self.parts.get(i) {
            p.store(f, Relaxed);
        }
        let sum: f64 = self
            .parts
            .iter()
            .map(|p| f64::from(f32::from_bits(p.load(Relaxed))))
            .sum();
        #[allow(clippy::cast_precision_loss)]
        (self.total)(sum / self.parts.len() as f64);
    }
}

/// Compares every column present in both tables, in the reference's order.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set; a column that cannot be compared is listed in
/// [`DriftReport::refused`] instead.
pub fn drift_tables(
    reference: &Table,
    current: &Table,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<DriftReport, Cancelled> {
    drift_tables_reporting(reference, current, options, cancel, &|f| progress.set(f))
}

/// [`drift_tables`], telling `progress` the fraction done (the mean over the columns, each
/// column's own fraction from its permutation test's chunks).
///
/// # Errors
/// As [`drift_tables`].
pub fn drift_tables_reporting(
    reference: &Table,
    current: &Table,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<DriftReport, Cancelled> {
    assemble_report(reference, current, progress, &|_, r, c, progress| {
        drift_column_reporting(r, c, options, cancel, progress)
    })
}

/// One column's comparison for [`assemble_report`]: the reference column's index, both
/// columns, and where to tell the column's fraction done.
type CompareColumn<'a> = dyn Fn(usize, &Column, &Column, &(dyn Fn(f64) + Sync)) -> Result<ColumnDrift, DriftError>
    + Sync
    + 'a;

/// The report of every column present in both tables, each compared by `compare`, in the
/// reference's order.
fn assemble_report(
    reference: &Table,
    current: &Table,
    progress: &(dyn Fn(f64) + Sync),
    compare: &CompareColumn<'_>,
) -> Result<DriftReport, Cancelled> {
    let mut report = DriftReport {
        columns: Vec::new(),
        refused: Vec::new(),
        only_reference: Vec::new(),
        only_current: current
            .columns
            .iter()
            .filter(|c| reference.column(&c.name).is_none())
            .map(|c| c.name.clone())
            .collect(),
    };
    let parts = ColumnsProgress::new(progress, reference.columns.len());
    // Columns are independent: compared on every core, reported in the reference's order.
    let results: Vec<Option<Result<ColumnDrift, DriftError>>> = reference
        .columns
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let c = current.column(&r.name)?;
            let out = compare(i, r, c, &|f| parts.set(i, f));
            parts.set(i, 1.0);
            Some(out)
        })
        .collect();
    for (r, out) in reference.columns.iter().zip(results) {
        match out {
            None => report.only_reference.push(r.name.clone()),
            Some(Ok(d)) => report.columns.push(d),
            Some(Err(DriftError::Cancelled)) => return Err(Cancelled),
            Some(Err(e)) => report.refused.push((r.name.clone(), e)),
        }
    }
    Ok(report)
}

/// [`drift_tables_reporting`] with the current table's columns that have a plan (by the
/// reference column's index) counted into its bins as they were read: the same report as
/// on the current's values.
pub(crate) fn drift_tables_counted(
    reference: &Table,
    plans: &[Option<CountPlan>],
    current: &crate::io::table::CountedTable,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<DriftReport, Cancelled> {
    let counts_of = |name: &str| {
        let at = current.table.columns.iter().position(|c| c.name == name)?;
        current.counts.get(at)?.as_deref()
    };
    assemble_report(
        reference,
        &current.table,
        progress,
        &|i, r, c, progress| match (plans.get(i).and_then(Option::as_ref), counts_of(&r.name)) {
            (Some(plan), Some(counts)) => {
                drift_column_counted(r, plan, c, counts, options, cancel, progress)
            }
            _ => drift_column_reporting(r, c, options, cancel, progress),
        },
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A column of labels, each `(label, times)` repeated.
    fn labels(counts: &[(&str, usize)]) -> Column {
        let mut codes = Vec::new();
        for (i, &(_, n)) in counts.iter().enumerate() {
            codes.extend(std::iter::repeat_n(u32::try_from(i).unwrap(), n));
        }
        Column {
            name: "c".into(),
            values: Values::Labels {
                codes,
                labels: counts.iter().map(|&(l, _)| l.to_string()).collect(),
            },
            missing: 0,
            first_label: None,
        }
    }

    fn compared(r: &[(&str, usize)], c: &[(&str, usize)]) -> ColumnDrift {
        drift_column(
            &labels(r),
            &labels(c),
            &DriftOptions::default(),
            &Cancel::default(),
            &Progress::new(),
        )
        .unwrap()
    }

    #[test]
    fn one_sided_lines_name_every_label_up_to_the_bound() {
        let d = compared(&[("a", 2), ("b", 1), ("r", 4)], &[("a", 1), ("z", 3)]);
        assert_eq!(
            d.one_sided_lines(1),
            [
                "'b' only in the reference table (1 value)",
                "'z' only in the current table (3 values)",
                "… and 1 more label only in the reference table (4 values)",
            ]
        );
        // Exactly the bound: every label named, nothing counted.
        assert_eq!(
            d.one_sided_lines(2),
            [
                "'b' only in the reference table (1 value)",
                "'r' only in the reference table (4 values)",
                "'z' only in the current table (3 values)",
            ]
        );
    }

    #[test]
    fn thousands_of_one_sided_labels_give_a_bounded_list_and_the_rest_counted() {
        let names: Vec<String> = (0..5000).map(|i| format!("l{i}")).collect();
        let current: Vec<(&str, usize)> = names
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), 1 + i % 3))
            .collect();
        let d = compared(&[("a", 5), ("l0", 1)], &current);
        assert_eq!(d.one_sided.len(), 5000);
        let lines = d.one_sided_lines(ONE_SIDED_NAMED);
        assert_eq!(lines.len(), ONE_SIDED_NAMED + 2);
        assert_eq!(lines[0], "'a' only in the reference table (5 values)");
        // l0 is on both sides; l1.. are the current's only.
        assert_eq!(lines[1], "'l1' only in the current table (2 values)");
        let left: usize = (ONE_SIDED_NAMED + 1..5000).map(|i| 1 + i % 3).sum();
        assert_eq!(
            lines[ONE_SIDED_NAMED + 1],
            format!(
                "… and {} more labels only in the current table ({left} values)",
                4999 - ONE_SIDED_NAMED
            )
        );
    }
}
