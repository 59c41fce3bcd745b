//! Binning numeric columns without holding them: the same bins and counts, bit for bit, as
//! [`super::drift_column`] on the values in memory, from a source read again for each pass
//! (a Parquet column, row group by row group).
//!
//! The passes over the reference (the current side is read twice: extremes, then counts):
//! 1. count, missing values, least and greatest (by `total_cmp`), the kind's detection, and
//!    (for `quantile:K` and FD) a histogram of the values' order-preserving 64-bit keys by
//!    their top 16 bits. Each wanted order statistic's rank then names its bucket.
//! 2. (quantiles) keep only the values whose bucket holds a wanted rank, at most
//!    [`StreamLimits::bucket_values`] per bucket; a bucket with more is histogrammed by its
//!    next 16 bits instead, in this pass, and kept in the next. The wanted order statistics
//!    are then selected from what was kept. Doane's skewness takes three exactly rounded
//!    sums (mean, σ, g₁), one pass each, so that no order of summation can change it.
//! 3. counts in the shared bins, both sides.
//!
//! Memory: one batch of the source (at most [`crate::io::table::STREAM_BATCH`] values, never
//! more than a row group), a 2¹⁶-entry histogram, and the kept values (at most
//! `bucket_values` × the number of wanted ranks' buckets, and never more than the column).

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::binning::{
    self, Binning, Bins, RuleInputs, closed_bins, from_order_key, order_key, order_statistics,
    quantile_bins_from, quantile_from, quantile_plan, quantile_ranks,
};
use super::sketch::{SketchLimits, drift_csv_sketched};
use super::slots::SlotBins;
use super::{
    Binned, ColumnDrift, ColumnKind, ColumnsProgress, CountPlan, DriftError, DriftOptions,
    DriftReport, FEW_VALUES, Side, binning_of, bins_text, count_plan, drift_column_reporting,
    drift_tables, drift_tables_counted, extremes, finish_column, merge_labels,
};
use crate::cancel::{Cancel, Progress};
use crate::io::table::{
    BinCounter, Column, ParquetNumbers, STREAM_BATCH, Table, TableError, TableErrorKind,
    TableFormat, Values, number_label, parquet_column_kinds, read_csv_counted, read_table,
};

/// A numeric column that can be read again, a batch at a time.
pub trait NumberSource: Sync {
    /// Its rows (present and missing), for progress.
    fn rows(&self) -> u64;

    /// Gives every present value to `sink` in row order, a batch at a time, and calls
    /// `step(rows)` after each piece read (a row group); returns the missing values.
    ///
    /// # Errors
    /// The source's read error, or [`TableErrorKind::Cancelled`].
    fn pass(
        &self,
        sink: &mut dyn FnMut(&[f64]),
        step: &mut dyn FnMut(u64),
        cancel: &Cancel,
    ) -> Result<u64, TableError>;
}

impl NumberSource for ParquetNumbers {
    fn rows(&self) -> u64 {
        ParquetNumbers::rows(self)
    }

    fn pass(
        &self,
        sink: &mut dyn FnMut(&[f64]),
        step: &mut dyn FnMut(u64),
        cancel: &Cancel,
    ) -> Result<u64, TableError> {
        self.stream(sink, step, cancel)
    }
}

/// Numbers held in memory (a CSV column) as a source, in batches of
/// [`crate::io::table::STREAM_BATCH`].
pub struct InMemory<'a> {
    /// The present values.
    pub values: &'a [f64],
    /// The missing cells.
    pub missing: u64,
}

impl NumberSource for InMemory<'_> {
    fn rows(&self) -> u64 {
        self.values.len() as u64 + self.missing
    }

    fn pass(
        &self,
        sink: &mut dyn FnMut(&[f64]),
        step: &mut dyn FnMut(u64),
        cancel: &Cancel,
    ) -> Result<u64, TableError> {
        for chunk in self.values.chunks(STREAM_BATCH) {
            if cancel.check().is_err() {
                return Err(TableError {
                    path: std::path::PathBuf::new(),
                    line: None,
                    column: None,
                    kind: TableErrorKind::Cancelled,
                });
            }
            sink(chunk);
            step(chunk.len() as u64);
        }
        step(self.missing);
        Ok(self.missing)
    }
}

/// How much the streaming path may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLimits {
    /// The most values kept from one bucket of keys; a fuller bucket is split by 16 more
    /// bits in another pass.
    pub bucket_values: usize,
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            bucket_values: 1 << 16,
        }
    }
}

/// What the streaming of one column did: to check that it streamed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Passes over the reference.
    pub reference_passes: usize,
    /// Passes over the current side.
    pub current_passes: usize,
    /// The largest batch a source gave at once.
    pub max_batch: usize,
    /// The most values kept at once for the quantiles.
    pub max_kept: usize,
}

const BUCKET_BITS: u32 = 16;
const BUCKETS: usize = 1 << BUCKET_BITS;

/// A run of keys sharing their top `bits` bits (`prefix`), with how many values lie below
/// it and in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Interval {
    prefix: u64,
    bits: u32,
    below: u64,
    count: u64,
}

impl Interval {
    fn prefix_of(&self, k: u64) -> u64 {
        if self.bits == 0 {
            0
        } else {
            k >> (64 - self.bits)
        }
    }

    /// The sub-bucket of key `k` one level (16 bits) down.
    fn sub(&self, k: u64) -> usize {
        let shift = 64 - self.bits - BUCKET_BITS;
        #[allow(clippy::cast_possible_truncation)]
        let s = ((k >> shift) & (BUCKETS as u64 - 1)) as usize;
        s
    }

    /// The sub-interval of rank `r` (global, inside this interval) from its histogram.
    fn narrow(&self, hist: &[u64], r: u64) -> Interval {
        let mut below = self.below;
        for (s, &n) in hist.iter().enumerate() {
            if r < below + n {
                return Interval {
                    prefix: (self.prefix << BUCKET_BITS) | s as u64,
                    bits: self.bits + BUCKET_BITS,
                    below,
                    count: n,
                };
            }
            below += n;
        }
        // Unreachable for a rank below the count: the histogram holds every value.
        *self
    }
}

/// Counters shared by the passes of one column.
struct Passes<'a> {
    cancel: &'a Cancel,
    stats: StreamStats,
    done_rows: u64,
    planned_rows: u64,
    progress: &'a (dyn Fn(f64) + Sync),
}

impl Passes<'_> {
    /// One pass of `source` (the reference or not) into `f`.
    fn run(
        &mut self,
        source: &dyn NumberSource,
        side: Side,
        f: &mut dyn FnMut(&[f64]),
    ) -> Result<u64, DriftError> {
        match side {
            Side::Reference => self.stats.reference_passes += 1,
            Side::Current => self.stats.current_passes += 1,
        }
        let mut max_batch = self.stats.max_batch;
        let mut done = self.done_rows;
        let (planned, progress) = (self.planned_rows.max(1), self.progress);
        let missing = source
            .pass(
                &mut |batch| {
                    max_batch = max_batch.max(batch.len());
                    f(batch);
                },
                &mut |rows| {
                    done += rows;
                    #[allow(clippy::cast_precision_loss)]
                    progress((done as f64 / planned as f64).min(0.99));
                },
                self.cancel,
            )
            .map_err(|e| match e.kind {
                TableErrorKind::Cancelled => DriftError::Cancelled,
                _ => DriftError::Read(e),
            })?;
        self.stats.max_batch = max_batch;
        self.done_rows = done;
        Ok(missing)
    }
}

/// The kind's detection of [`super::detect_kind`], fed one value at a time.
enum Detect {
    Open(Vec<f64>),
    Decided(ColumnKind, String),
}

impl Detect {
    fn feed(&mut self, x: f64) {
        let Detect::Open(distinct) = self else {
            return;
        };
        if x.fract() != 0.0 {
            *self = Detect::Decided(ColumnKind::Numeric, "numbers".into());
        } else if !distinct.contains(&x) {
            if distinct.len() == FEW_VALUES {
                *self = Detect::Decided(
                    ColumnKind::Numeric,
                    format!("integers, more than {FEW_VALUES} distinct"),
                );
            } else {
                distinct.push(x);
            }
        }
    }

    fn finish(self) -> (ColumnKind, String) {
        match self {
            Detect::Open(d) => (
                ColumnKind::Categorical,
                format!("{} distinct integers", d.len()),
            ),
            Detect::Decided(k, why) => (k, why),
        }
    }
}

/// What the first pass learns of a side.
struct Summary {
    n: usize,
    missing: u64,
    range: (f64, f64),
    histogram: Vec<u64>,
}

fn first_pass(
    passes: &mut Passes<'_>,
    source: &dyn NumberSource,
    side: Side,
    detect: &mut Option<Detect>,
    with_histogram: bool,
) -> Result<Summary, DriftError> {
    let mut n = 0usize;
    let mut range = (f64::INFINITY, f64::NEG_INFINITY);
    let mut histogram = if with_histogram {
        vec![0u64; BUCKETS]
    } else {
        Vec::new()
    };
    let missing = passes.run(source, side, &mut |batch| {
        n += batch.len();
        range = extremes(batch, range);
        if let Some(d) = detect.as_mut() {
            for &x in batch {
                d.feed(x);
                if matches!(d, Detect::Decided(..)) {
                    break;
                }
            }
        }
        if with_histogram {
            for &x in batch {
                histogram[(order_key(x) >> (64 - BUCKET_BITS)) as usize] += 1;
            }
        }
    })?;
    Ok(Summary {
        n,
        missing,
        range,
        histogram,
    })
}

/// The order statistics of the reference at `ranks` (0-based), from its first pass's
/// histogram and as many more passes as the limits need.
fn select_streamed(
    passes: &mut Passes<'_>,
    source: &dyn NumberSource,
    histogram: &[u64],
    ranks: &[usize],
    limits: &StreamLimits,
) -> Result<Vec<f64>, DriftError> {
    let root = Interval {
        prefix: 0,
        bits: 0,
        below: 0,
        count: histogram.iter().sum(),
    };
    let mut wanted: Vec<u64> = ranks.iter().map(|&r| r as u64).collect();
    wanted.sort_unstable();
    wanted.dedup();
    // Each wanted rank's interval; those of one pass all have the same `bits`.
    let mut at: Vec<Interval> = wanted.iter().map(|&r| root.narrow(histogram, r)).collect();
    let mut found: HashMap<u64, f64> = HashMap::new();
    let limit = limits.bucket_values.max(1) as u64;
    loop {
        // Ranks whose interval is one key are known; the rest are kept or split.
        let mut open: Vec<Interval> = Vec::new();
        for (&r, iv) in wanted.iter().zip(&at) {
            if found.contains_key(&r) {
                continue;
            }
            if iv.bits == 64 {
                found.insert(r, from_order_key(iv.prefix));
            } else if !open.contains(iv) {
                open.push(*iv);
            }
        }
        if open.is_empty() {
            break;
        }
        let split: Vec<bool> = open.iter().map(|iv| iv.count > limit).collect();
        let slot: HashMap<u64, usize> = open
            .iter()
            .enumerate()
            .map(|(i, iv)| (iv.prefix, i))
            .collect();
        let mut kept: Vec<Vec<f64>> = vec![Vec::new(); open.len()];
        let mut hists: Vec<Vec<u64>> = split
            .iter()
            .map(|&s| if s { vec![0u64; BUCKETS] } else { Vec::new() })
            .collect();
        let probe = open[0];
        passes.run(source, Side::Reference, &mut |batch| {
            for &x in batch {
                let k = order_key(x);
                if let Some(&i) = slot.get(&probe.prefix_of(k)) {
                    if split[i] {
                        hists[i][open[i].sub(k)] += 1;
                    } else {
                        kept[i].push(x);
                    }
                }
            }
        })?;
        let held: usize = kept.iter().map(Vec::len).sum();
        passes.stats.max_kept = passes.stats.max_kept.max(held);
        for (i, iv) in open.iter().enumerate() {
            let mine: Vec<(usize, u64)> = wanted
                .iter()
                .enumerate()
                .filter(|(w, _)| at[*w] == *iv)
                .map(|(w, &r)| (w, r))
                .collect();
            if split[i] {
                for (w, r) in mine {
                    at[w] = iv.narrow(&hists[i], r);
                }
            } else {
                let local: Vec<usize> = mine
                    .iter()
                    .map(|&(_, r)| usize::try_from(r - iv.below).unwrap_or(0))
                    .collect();
                let values = order_statistics(&mut kept[i], &local);
                for ((_, r), v) in mine.into_iter().zip(values) {
                    found.insert(r, v);
                }
            }
        }
    }
    Ok(ranks
        .iter()
        .map(|&r| found.get(&(r as u64)).copied().unwrap_or(f64::NAN))
        .collect())
}

/// Distinct numbers (−0 as 0) with their counts, in order of first appearance, as labels.
fn label_counts(
    passes: &mut Passes<'_>,
    source: &dyn NumberSource,
    side: Side,
) -> Result<Vec<(String, u64)>, DriftError> {
    let mut order: Vec<f64> = Vec::new();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    passes.run(source, side, &mut |batch| {
        for &x in batch {
            let n = seen.entry((x + 0.0).to_bits()).or_insert(0);
            if *n == 0 {
                order.push(x + 0.0);
            }
            *n += 1;
        }
    })?;
    Ok(order
        .into_iter()
        .map(|x| {
            let n = seen.get(&x.to_bits()).copied().unwrap_or(0);
            (number_label(x), n)
        })
        .collect())
}

fn count_pass(
    passes: &mut Passes<'_>,
    source: &dyn NumberSource,
    side: Side,
    bins: &Bins,
) -> Result<Vec<u64>, DriftError> {
    let mut counts = vec![0u64; bins.len()];
    passes.run(source, side, &mut |batch| {
        for &x in batch {
            counts[bins.bin_of(x)] += 1;
        }
    })?;
    Ok(counts)
}

/// The reference passes a binning takes (for progress).
fn planned_reference_passes(binning: &Binning) -> u64 {
    match binning {
        Binning::Quantile(_) | Binning::Fd => 3,
        Binning::Doane => 5,
        _ => 2,
    }
}

/// Compares column `name` of two numeric sources: the same [`ColumnDrift`] as
/// [`super::drift_column`] on the same values held in memory, with what the streaming did.
///
/// # Errors
/// [`DriftError`] when a side has no values, a read fails, or on cancel.
pub fn drift_column_streamed(
    name: &str,
    reference: &dyn NumberSource,
    current: &dyn NumberSource,
    options: &DriftOptions,
    limits: &StreamLimits,
    cancel: &Cancel,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<(ColumnDrift, StreamStats), DriftError> {
    let binning = binning_of(options, name);
    let forced = options.kinds.get(name).copied();
    let planned = reference.rows() * planned_reference_passes(&binning) + current.rows() * 2;
    let mut passes = Passes {
        cancel,
        stats: StreamStats::default(),
        done_rows: 0,
        planned_rows: planned,
        progress,
    };
    let needs_ranks = matches!(binning, Binning::Quantile(_) | Binning::Fd)
        && forced != Some(ColumnKind::Categorical);
    let mut detect = forced.is_none().then(|| Detect::Open(Vec::new()));
    let r = first_pass(
        &mut passes,
        reference,
        Side::Reference,
        &mut detect,
        needs_ranks,
    )?;
    let c = first_pass(&mut passes, current, Side::Current, &mut detect, false)?;
    for (s, side) in [(&r, Side::Reference), (&c, Side::Current)] {
        if s.n == 0 {
            return Err(DriftError::NoValues {
                column: name.to_string(),
                side,
                missing: s.missing,
            });
        }
    }
    let (kind, kind_reason) = match (forced, detect) {
        (Some(k), _) => (k, "chosen".to_string()),
        (None, Some(d)) => d.finish(),
        (None, None) => (ColumnKind::Numeric, "numbers".to_string()),
    };
    let binned = match kind {
        ColumnKind::Categorical => {
            let a = label_counts(&mut passes, reference, Side::Reference)?;
            let b = label_counts(&mut passes, current, Side::Current)?;
            let (labels, a, b) = merge_labels(a, b);
            Binned {
                kind,
                kind_reason,
                binning: None,
                bins: "labels".into(),
                labels,
                intervals: Vec::new(),
                reference: a,
                current: b,
                missing_reference: r.missing,
                missing_current: c.missing,
            }
        }
        ColumnKind::Numeric => {
            // The first pass histogrammed the reference when the binning needs ranks.
            let histogram = r.histogram;
            let bins = match &binning {
                Binning::Quantile(k) => {
                    let plan = quantile_plan(*k, r.n);
                    let ranks: Vec<usize> = plan.iter().flat_map(|&(i, j, _)| [i, j]).collect();
                    let stats =
                        select_streamed(&mut passes, reference, &histogram, &ranks, limits)?;
                    quantile_bins_from(*k, &plan, &stats)
                }
                other => {
                    let iqr = if *other == Binning::Fd {
                        let (i1, j1, g1) = quantile_ranks(r.n, 0.25);
                        let (i3, j3, g3) = quantile_ranks(r.n, 0.75);
                        let s = select_streamed(
                            &mut passes,
                            reference,
                            &histogram,
                            &[i1, j1, i3, j3],
                            limits,
                        )?;
                        quantile_from(s[2], s[3], g3) - quantile_from(s[0], s[1], g1)
                    } else {
                        0.0
                    };
                    let skewness = if *other == Binning::Doane {
                        let mut failed = None;
                        let g = binning::skewness(r.n, |f| {
                            if failed.is_some() {
                                return;
                            }
                            let out = passes.run(reference, Side::Reference, &mut |batch| {
                                batch.iter().for_each(|&x| f(x));
                            });
                            if let Err(e) = out {
                                failed = Some(e);
                            }
                        });
                        if let Some(e) = failed {
                            return Err(e);
                        }
                        g
                    } else {
                        None
                    };
                    let inputs = RuleInputs {
                        n: r.n,
                        min: r.range.0,
                        max: r.range.1,
                        iqr,
                        skewness,
                    };
                    let pooled = extremes(&[c.range.0, c.range.1], r.range);
                    closed_bins(other, &inputs, pooled)
                }
            };
            let a = count_pass(&mut passes, reference, Side::Reference, &bins)?;
            let b = count_pass(&mut passes, current, Side::Current, &bins)?;
            Binned {
                kind,
                kind_reason,
                binning: Some(binning.clone()),
                bins: bins_text(&binning, &bins),
                labels: bins.labels(),
                intervals: bins.intervals(),
                reference: a,
                current: b,
                missing_reference: r.missing,
                missing_current: c.missing,
            }
        }
    };
    let stats = passes.stats;
    let out = finish_column(name.to_string(), binned, options, cancel, &|f| {
        progress(0.99 + 0.01 * f);
    })?;
    progress(1.0);
    Ok((out, stats))
}

/// One side's columns: the ones held in memory and the numeric Parquet ones streamed.
struct SideTable {
    path: std::path::PathBuf,
    names: Vec<String>,
    memory: Table,
    streamed: Vec<String>,
}

impl SideTable {
    fn read(path: &Path, select: Option<&[String]>, cancel: &Cancel) -> Result<Self, TableError> {
        match TableFormat::of(path)? {
            TableFormat::Csv => {
                let memory = read_table(path, select, cancel)?;
                Ok(SideTable {
                    path: path.to_path_buf(),
                    names: memory.columns.iter().map(|c| c.name.clone()).collect(),
                    memory,
                    streamed: Vec::new(),
                })
            }
            TableFormat::Parquet => {
                let kinds = parquet_column_kinds(path, select)?;
                let labels: Vec<String> = kinds
                    .iter()
                    .filter(|(_, numeric)| !numeric)
                    .map(|(n, _)| n.clone())
                    .collect();
                let memory = if labels.is_empty() {
                    Table {
                        path: path.to_path_buf(),
                        rows: 0,
                        columns: Vec::new(),
                    }
                } else {
                    read_table(path, Some(&labels), cancel)?
                };
                Ok(SideTable {
                    path: path.to_path_buf(),
                    names: kinds.iter().map(|(n, _)| n.clone()).collect(),
                    memory,
                    streamed: kinds
                        .into_iter()
                        .filter(|(_, numeric)| *numeric)
                        .map(|(n, _)| n)
                        .collect(),
                })
            }
        }
    }

    /// Column `name` held in memory (reading a streamed one whole).
    fn whole(&self, name: &str, cancel: &Cancel) -> Result<Column, DriftError> {
        if let Some(c) = self.memory.column(name) {
            return Ok(c.clone());
        }
        let t = read_table(&self.path, Some(&[name.to_string()]), cancel).map_err(read_error)?;
        t.columns.into_iter().next().ok_or(DriftError::Cancelled)
    }
}

fn read_error(e: TableError) -> DriftError {
    match e.kind {
        TableErrorKind::Cancelled => DriftError::Cancelled,
        _ => DriftError::Read(e),
    }
}

/// One column of two sides, streamed where it can be.
fn drift_one(
    name: &str,
    reference: &SideTable,
    current: &SideTable,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<ColumnDrift, DriftError> {
    let streamed = |s: &SideTable| s.streamed.iter().any(|n| n == name);
    let labels_in_memory = |s: &SideTable| {
        s.memory
            .column(name)
            .is_some_and(|c| matches!(c.values, Values::Labels { .. }))
    };
    let (rs, cs) = (streamed(reference), streamed(current));
    if !(rs || cs) || labels_in_memory(reference) || labels_in_memory(current) {
        let (r, c) = (reference.whole(name, cancel)?, current.whole(name, cancel)?);
        return drift_column_reporting(&r, &c, options, cancel, progress);
    }
    fn open<'s>(s: &'s SideTable, name: &str) -> Result<Box<dyn NumberSource + 's>, DriftError> {
        let streamed = s.streamed.iter().any(|n| n == name);
        if streamed {
            Ok(Box::new(
                ParquetNumbers::open(&s.path, name).map_err(read_error)?,
            ))
        } else {
            let Some(col) = s.memory.column(name) else {
                return Err(DriftError::Cancelled);
            };
            let Values::Numbers(values) = &col.values else {
                return Err(DriftError::Cancelled);
            };
            Ok(Box::new(InMemory {
                values,
                missing: col.missing,
            }))
        }
    }
    let (r, c) = (open(reference, name)?, open(current, name)?);
    let limits = StreamLimits::default();
    drift_column_streamed(name, &*r, &*c, options, &limits, cancel, progress).map(|(d, _)| d)
}

/// [`drift_files`] on two CSV files. A large reference's `quantile:K` columns are read
/// through a sketch ([`super::sketch`]); otherwise, or when that gives up, the reference is
/// read whole. Then each numeric column whose bins the reference settles ([`count_plan`]) is
/// counted into them as the current file is read, and only the current's other columns are
/// kept. When that reading gives up (a counted column holds text, or the file needs the
/// sequential reader), the current table is read whole and compared as before: the same
/// report either way.
fn drift_csv_files(
    reference: &Path,
    current: &Path,
    select: Option<&[String]>,
    options: &DriftOptions,
    limits: &SketchLimits,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<DriftReport, TableError> {
    if let Some(report) = drift_csv_sketched(
        reference, current, select, options, limits, cancel, progress,
    )? {
        return Ok(report);
    }
    let r = read_table(reference, select, cancel)?;
    // A name the reference has twice is compared as before (each column on its own bins).
    let unique = |name: &str| r.columns.iter().filter(|c| c.name == name).count() == 1;
    let plans: Vec<Option<CountPlan>> = r
        .columns
        .par_iter()
        .map(|c| unique(&c.name).then(|| count_plan(c, options)).flatten())
        .collect();
    if let Some(report) = compare_counted(&r, &plans, current, select, options, cancel, progress)? {
        return Ok(report);
    }
    let c = read_table(current, select, cancel)?;
    drift_tables(&r, &c, options, cancel, progress).map_err(|_| cancelled(reference))
}

/// The error of a cancelled comparison.
fn cancelled(path: &Path) -> TableError {
    TableError {
        path: path.to_path_buf(),
        line: None,
        column: None,
        kind: TableErrorKind::Cancelled,
    }
}

/// The current CSV file read with each column that has a plan (by the reference column's
/// index) counted into its bins, and compared with `reference` (whose planned columns need
/// hold no values). `None` when no column has a plan or the current file cannot be read in
/// one pass.
pub(super) fn compare_counted(
    reference: &Table,
    plans: &[Option<CountPlan>],
    current: &Path,
    select: Option<&[String]>,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<Option<DriftReport>, TableError> {
    // Open bins are counted through the table of their slots (the same counts in fewer
    // operations), any other through the bins themselves.
    let slots: Vec<Option<SlotBins<'_>>> = plans
        .par_iter()
        .map(|p| SlotBins::new(&p.as_ref()?.bins))
        .collect();
    let counters: Vec<(String, &dyn BinCounter)> = reference
        .columns
        .iter()
        .zip(plans)
        .zip(&slots)
        .filter_map(|((c, p), s)| {
            let counter: &dyn BinCounter = match s {
                Some(s) => s,
                None => &p.as_ref()?.bins,
            };
            Some((c.name.clone(), counter))
        })
        .collect();
    if counters.is_empty() {
        return Ok(None);
    }
    let Some(c) = read_csv_counted(current, select, &counters, cancel)? else {
        return Ok(None);
    };
    let total = |f: f64| progress.set(f);
    drift_tables_counted(reference, plans, &c, options, cancel, &total)
        .map(Some)
        .map_err(|_| cancelled(&reference.path))
}

/// Compares every column of the tables at `reference` and `current` (those in `select`, or
/// all): the same report as [`drift_tables`] on both tables read whole, but numeric Parquet
/// columns are streamed row group by row group and never held (CSV is read into memory).
///
/// # Errors
/// [`TableError`] for a table that cannot be read (kind [`TableErrorKind::Cancelled`] when
/// cancelled).
pub fn drift_files(
    reference: &Path,
    current: &Path,
    select: Option<&[String]>,
    options: &DriftOptions,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<DriftReport, TableError> {
    drift_files_with(
        reference,
        current,
        select,
        options,
        &SketchLimits::default(),
        cancel,
        progress,
    )
}

/// [`drift_files`] with a large CSV reference read through a sketch within `limits`
/// ([`super::sketch`]): the same report whatever the limits.
///
/// # Errors
/// As [`drift_files`].
pub fn drift_files_with(
    reference: &Path,
    current: &Path,
    select: Option<&[String]>,
    options: &DriftOptions,
    limits: &SketchLimits,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<DriftReport, TableError> {
    if TableFormat::of(reference)? == TableFormat::Csv
        && TableFormat::of(current)? == TableFormat::Csv
    {
        return drift_csv_files(
            reference, current, select, options, limits, cancel, progress,
        );
    }
    let (r, c) = rayon::join(
        || SideTable::read(reference, select, cancel),
        || SideTable::read(current, select, cancel),
    );
    let (r, c) = (r?, c?);
    let cancelled = || TableError {
        path: reference.to_path_buf(),
        line: None,
        column: None,
        kind: TableErrorKind::Cancelled,
    };
    if r.streamed.is_empty() && c.streamed.is_empty() {
        return drift_tables(&r.memory, &c.memory, options, cancel, progress)
            .map_err(|_| cancelled());
    }
    let mut report = DriftReport {
        columns: Vec::new(),
        refused: Vec::new(),
        only_reference: Vec::new(),
        only_current: c
            .names
            .iter()
            .filter(|n| !r.names.contains(n))
            .cloned()
            .collect(),
    };
    let total = |f: f64| progress.set(f);
    let parts = ColumnsProgress::new(&total, r.names.len());
    let results: Vec<Option<Result<ColumnDrift, DriftError>>> = r
        .names
        .par_iter()
        .enumerate()
        .map(|(i, name)| {
            if !c.names.contains(name) {
                return None;
            }
            let out = drift_one(name, &r, &c, options, cancel, &|f| parts.set(i, f));
            parts.set(i, 1.0);
            Some(out)
        })
        .collect();
    for (name, out) in r.names.iter().zip(results) {
        match out {
            None => report.only_reference.push(name.clone()),
            Some(Ok(d)) => report.columns.push(d),
            Some(Err(DriftError::Cancelled)) => return Err(cancelled()),
            Some(Err(DriftError::Read(e))) => return Err(e),
            Some(Err(e)) => report.refused.push((name.clone(), e)),
        }
    }
    Ok(report)
}
