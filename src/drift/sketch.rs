//! `quantile:K` bins of a large CSV reference in one read without holding its columns: the
//! same bins and counts, bit for bit, as [`super::binning::quantile_bins_counted`] on the
//! column in memory.
//!
//! 1. A sample of the file's rows ([`sample_csv`]: a few pieces spread over it) estimates where
//!    each edge's two order statistics lie, and a generous range of the total order is drawn
//!    around each estimate (five standard errors of the sample quantile, and more).
//! 2. The full read counts each column's values in the ranges and in the gaps between them,
//!    and keeps only the values inside the ranges ([`QuantileSketch`] as a
//!    [`BinCounter`]): a table lookup a value, on the top 20 bits of its order key.
//! 3. The counts give each wanted rank's cell. When every one lies in a range, the order
//!    statistics are selected among that range's values, and each edge's count splits only the
//!    range it lies in: exact. When any lies in a gap (the sample misjudged the file: rows in
//!    an order, say), the caller reads the reference whole, as before.
//!
//! The column's kind is read from the file's first rows, which are the sample's first piece,
//! exactly as the full column's detection reads them (it stops as soon as it knows).

use std::path::Path;

use rayon::prelude::*;

use super::binning::{
    Binning, Bins, Layout, counts_between, order_key, order_statistics, quantile_bins_from,
    quantile_plan,
};
use super::{ColumnKind, CountPlan, DriftOptions, DriftReport, binning_of, numeric_reason};
use crate::cancel::{Cancel, Progress};
use crate::io::table::{
    BinCounter, Kept, SampleShape, TableError, Values, read_csv_counted, sample_csv,
};

mod table;
use table::{Cell, CounterTable};

/// The bits of an order key that name its slot in [`QuantileSketch`]'s table.
const SLOT_BITS: u32 = 20;
const SLOTS: usize = 1 << SLOT_BITS;
/// The slot of +0.0; −0.0's is the one below (the order keys put −0 just below +0).
const ZERO_SLOT: usize = 1 << (SLOT_BITS - 1);
/// Values [`QuantileSketch::gather`] looks at before appending the wanted ones.
const GATHER: usize = 512;
/// Kept values a task of [`QuantileSketch::gather`] looks at.
const GATHER_TASK: usize = 1 << 15;

/// When the reference is read through a sketch, and how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SketchLimits {
    /// Smaller files are read whole (a sketch saves nothing worth its sample).
    pub min_bytes: u64,
    /// Files of fewer rows (as the sample estimates) are read whole: the sample would be a
    /// large part of them.
    pub min_rows: u64,
    /// The sample the ranges are estimated from.
    pub sample: SampleShape,
    /// Half a range's width, in standard errors of the sample quantile.
    pub margin: f64,
    /// The most values the ranges may be expected to keep, as a fraction of the column.
    pub max_kept: f64,
}

impl Default for SketchLimits {
    fn default() -> Self {
        SketchLimits {
            min_bytes: 16 << 20,
            min_rows: 1 << 17,
            sample: SampleShape {
                pieces: 32,
                piece_bytes: 64 << 10,
            },
            margin: 5.0,
            max_kept: 0.5,
        }
    }
}

/// A value's slot: a run of the total order.
fn slot(x: f64) -> usize {
    // The shift leaves SLOT_BITS bits, so the index is in bounds by construction.
    (order_key(x) >> (64 - SLOT_BITS)) as usize
}

/// The cells a reference column's values are counted in while it is read: gaps (even cells)
/// and ranges around the estimated order statistics (odd cells, whose values are also kept).
/// Each cell is a run of slots, and −0 and +0 always share one. A gap has one counter; a range
/// has one counter a slot (or one in all when it spans more than [`FINE_SLOTS`]), so that the
/// counts alone name the slot holding each wanted rank and only that slot's values need be
/// looked at. Counters follow the total order.
pub struct QuantileSketch {
    k: usize,
    counter_of: CounterTable,
    /// Per counter, its cell.
    cell_of_counter: Vec<u8>,
    /// The share of the sample that fell in the ranges (so is kept).
    kept_share: f64,
}

/// The most slots a range counts one by one.
const FINE_SLOTS: usize = 128;

/// Counters for the ranges of [`QuantileSketch`] are kept by every part of a read: at most
/// this many.
const MAX_COUNTERS: usize = 4096;

impl QuantileSketch {
    /// The cells for `quantile:k` from a sample of the column (reordered here); `None` when
    /// the sample is too small to tell, or the ranges would keep more than `max_kept` of it.
    pub fn from_sample(k: usize, sample: &mut [f64], margin: f64, max_kept: f64) -> Option<Self> {
        const MIN_SAMPLE: usize = 1000;
        let s = sample.len();
        if k < 2 || s < MIN_SAMPLE || !margin.is_finite() || margin < 0.0 {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        let (sf, last) = (s as f64, (s - 1) as f64);
        // Each edge's range, as sample positions (None: to the end of the order).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let bounds: Vec<(Option<usize>, Option<usize>)> = (1..k)
            .map(|i| {
                #[allow(clippy::cast_precision_loss)]
                let q = i as f64 / k as f64;
                let d = margin * (q * (1.0 - q) / sf).sqrt() + 4.0 / sf;
                let lo = (q - d > 0.0).then_some((last * (q - d)) as usize);
                let hi = (q + d < 1.0).then(|| ((last * (q + d)) as usize + 1).min(s - 1));
                (lo, hi)
            })
            .collect();
        let positions: Vec<usize> = bounds.iter().flat_map(|&(a, b)| [a, b]).flatten().collect();
        let found = order_statistics(sample, &positions);
        let value_at = |p: usize| found[positions.iter().position(|&x| x == p).unwrap_or(0)];
        let mut ranges: Vec<(usize, usize)> = bounds
            .iter()
            .map(|&(lo, hi)| {
                let lo = lo.map_or(0, |p| slot(value_at(p)));
                let hi = hi.map_or(SLOTS - 1, |p| slot(value_at(p)));
                // −0 and +0 are never split: a range neither starts at +0 nor ends at −0.
                let lo = if lo == ZERO_SLOT { lo - 1 } else { lo };
                let hi = if hi == ZERO_SLOT - 1 { hi + 1 } else { hi };
                (lo, hi)
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        if 2 * merged.len() + 1 > usize::from(u8::MAX) {
            return None;
        }
        // Per cell: its slots, its first counter, and whether it has a counter a slot.
        let mut cells: Vec<Cell> = Vec::with_capacity(2 * merged.len() + 1);
        let mut cell_of_counter = Vec::new();
        let mut from = 0;
        let mut add_cell = |lo: usize, hi_excl: usize, range: bool| {
            let c = u8::try_from(cells.len()).ok()?;
            let fine = range && hi_excl - lo <= FINE_SLOTS;
            cells.push(Cell {
                start: lo,
                end: hi_excl,
                first: cell_of_counter.len(),
                fine,
            });
            let n = if fine { hi_excl - lo } else { 1 };
            cell_of_counter.extend(std::iter::repeat_n(c, n));
            Some(())
        };
        for &(lo, hi) in &merged {
            add_cell(from, lo, false)?;
            add_cell(lo, hi + 1, true)?;
            from = hi + 1;
        }
        add_cell(from, SLOTS, false)?;
        if cell_of_counter.len() > MAX_COUNTERS {
            return None;
        }
        let counter_of = CounterTable::new(&cells)?;
        let mut sketch = QuantileSketch {
            k,
            counter_of,
            cell_of_counter,
            kept_share: 0.0,
        };
        let inside = sample.iter().filter(|&&x| sketch.kept(x)).count();
        #[allow(clippy::cast_precision_loss)]
        let inside = inside as f64;
        sketch.kept_share = inside / sf;
        (inside <= max_kept * sf).then_some(sketch)
    }

    /// The counter of `x`, and 1 when its cell is a range (its value kept).
    #[inline]
    fn counter(&self, x: f64) -> (usize, usize) {
        let s = slot(x);
        let e = self.counter_of.get(s);
        (e >> 1, e & 1)
    }

    fn kept(&self, x: f64) -> bool {
        self.counter(x).1 == 1
    }

    fn is_range(&self, counter: usize) -> bool {
        self.cell_of_counter[counter] & 1 == 1
    }

    /// The kept values of each counter in `wanted` (by counter; others left empty); `None`
    /// when a wanted counter's values are not all there.
    fn gather(
        &self,
        counts: &[u64],
        kept: &Kept,
        wanted: &[bool],
        into: &mut [Vec<f64>],
    ) -> Option<()> {
        for (i, v) in into.iter_mut().enumerate() {
            if wanted[i] {
                v.reserve_exact(usize::try_from(counts[i]).ok()?);
            }
        }
        // As in `add_keeping`, without a branch a value: each is written with its counter into
        // a scratch array, and the count of gathered ones moves on only for a wanted counter's
        // (a value is wanted or not in no pattern a branch could predict).
        // The kept values are looked at on every core, a run of them a task (the columns alone
        // are too few to keep both busy), and the wanted ones then put in their counters'
        // vectors. The scratch arrays are one task's, not one run's: zeroing them for every
        // run cost more than a tenth of the gathering (measured when a run was a piece).
        type Found = (Vec<(usize, f64)>, Box<[f64; GATHER]>, Box<[usize; GATHER]>);
        let found: Vec<Found> = kept
            .par_chunks(GATHER_TASK)
            .fold(
                || (Vec::new(), Box::new([0.0; GATHER]), Box::new([0; GATHER])),
                |(mut found, mut xs, mut at), piece| {
                    for chunk in piece.chunks(GATHER) {
                        let mut n = 0;
                        for &x in chunk {
                            let (i, _) = self.counter(x);
                            xs[n] = x;
                            at[n] = i;
                            n += usize::from(wanted[i]);
                        }
                        found.extend(at[..n].iter().copied().zip(xs[..n].iter().copied()));
                    }
                    (found, xs, at)
                },
            )
            .collect();
        for &(i, x) in found.iter().flat_map(|(f, _, _)| f) {
            into[i].push(x);
        }
        (0..counts.len())
            .all(|i| !wanted[i] || into[i].len() as u64 == counts[i])
            .then_some(())
    }

    /// The bins and the column's counts in them, from its counts per counter and the values
    /// its ranges kept; `None` when a wanted order statistic or an edge lies in a gap that
    /// holds values (the caller then reads the column whole).
    pub fn finish(&self, counts: &[u64], kept: &Kept) -> Option<(Bins, Vec<u64>)> {
        let n = usize::try_from(counts.iter().sum::<u64>()).ok()?;
        if n == 0 || counts.len() != self.cell_of_counter.len() {
            return None;
        }
        let below: Vec<u64> = counts
            .iter()
            .scan(0u64, |sum, &m| {
                let b = *sum;
                *sum += m;
                Some(b)
            })
            .collect();
        let plan = quantile_plan(self.k, n);
        let ranks: Vec<u64> = plan
            .iter()
            .flat_map(|&(i, j, _)| [i as u64, j as u64])
            .collect();
        // Each rank's counter, which must be a range's.
        let mut at: Vec<(usize, usize)> = Vec::with_capacity(ranks.len());
        let mut wanted = vec![false; counts.len()];
        for &r in &ranks {
            let i = below.partition_point(|&b| b <= r) - 1;
            if !self.is_range(i) {
                return None;
            }
            wanted[i] = true;
            at.push((i, usize::try_from(r - below[i]).ok()?));
        }
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); counts.len()];
        self.gather(counts, kept, &wanted, &mut values)?;
        let mut stats = vec![0.0; ranks.len()];
        for (i, v) in values.iter_mut().enumerate() {
            if !wanted[i] {
                continue;
            }
            let local: Vec<usize> = at.iter().filter(|a| a.0 == i).map(|a| a.1).collect();
            let mut got = order_statistics(v, &local).into_iter();
            for (s, _) in stats.iter_mut().zip(&at).filter(|(_, a)| a.0 == i) {
                *s = got.next()?;
            }
        }
        let bins = quantile_bins_from(self.k, &plan, &stats);
        let per_bin = self.counts_in(&bins, counts, kept, &mut values, &mut wanted)?;
        Some((bins, per_bin))
    }

    /// A column's counts in `bins` (open, on increasing edges) from its counts per counter and
    /// the values its ranges kept; `values` holds the kept values of the counters marked in
    /// `gathered`, and gains those of each edge's counter. `None` when an edge lies in a gap
    /// that holds values.
    pub fn counts_in(
        &self,
        bins: &Bins,
        counts: &[u64],
        kept: &Kept,
        values: &mut Vec<Vec<f64>>,
        gathered: &mut Vec<bool>,
    ) -> Option<Vec<u64>> {
        let Layout::Open(edges) = &bins.layout else {
            return None;
        };
        if !edges.windows(2).all(|w| w[0] < w[1]) || counts.len() != self.cell_of_counter.len() {
            return None;
        }
        values.resize(counts.len(), Vec::new());
        gathered.resize(counts.len(), false);
        // The values ≥ each edge: those of the counters above its own (every one above it: an
        // edge that is not ±0 orders as IEEE does), those of its own that are ≥ it, and for
        // +0, the −0s below it (a −0 is ≥ +0; −0 and +0 share a cell, so their counters are
        // both a gap's or both a range's).
        let minus = self.counter(-0.0).0;
        let units = |e: f64| {
            let own = self.counter(e).0;
            let extra = (e == 0.0 && e.is_sign_positive() && minus != own).then_some(minus);
            (own, extra)
        };
        let mut more = vec![false; counts.len()];
        for &e in edges {
            let (own, extra) = units(e);
            for u in std::iter::once(own).chain(extra) {
                if counts[u] > 0 && !gathered[u] {
                    if !self.is_range(u) {
                        return None;
                    }
                    more[u] = true;
                }
            }
        }
        if more.contains(&true) {
            self.gather(counts, kept, &more, values)?;
            for (g, m) in gathered.iter_mut().zip(&more) {
                *g |= *m;
            }
        }
        let mut above = counts.to_vec();
        let mut sum = 0;
        for a in above.iter_mut().rev() {
            let own = *a;
            *a = sum;
            sum += own;
        }
        let total = sum;
        let at_or_above: Vec<u64> = edges
            .iter()
            .map(|&e| {
                let (own, extra) = units(e);
                let mine = std::iter::once(own)
                    .chain(extra)
                    .map(|u| values[u].iter().filter(|&&x| e <= x).count() as u64)
                    .sum::<u64>();
                above[own] + mine
            })
            .collect();
        Some(counts_between(total, &at_or_above))
    }
}

impl BinCounter for QuantileSketch {
    fn bins(&self) -> usize {
        self.cell_of_counter.len()
    }

    fn add(&self, values: &[f64], counts: &mut [u64]) {
        for &x in values {
            counts[self.counter(x).0] += 1;
        }
    }

    fn add_keeping(&self, values: &[f64], counts: &mut [u64], kept: &mut Vec<f64>) {
        // Gathered without a branch a value: each is written after the kept ones, and their
        // count moves on only for a range. (Into the vector itself, zeroing only as many as
        // the call hands over: a reader hands over a few hundred values a call, and zeroing a
        // fixed stack array of 512 each time cost more than the counting.)
        let start = kept.len();
        kept.resize(start + values.len(), 0.0);
        let tail = &mut kept[start..];
        let mut n = 0;
        for &x in values {
            let (i, keep) = self.counter(x);
            counts[i] += 1;
            tail[n] = x;
            n += keep;
        }
        kept.truncate(start + n);
    }

    fn kept_share(&self) -> f64 {
        self.kept_share
    }
}

/// A column read through a sketch: its name, its kind's reason and its sketch.
struct Sketched {
    name: String,
    kind_reason: String,
    sketch: QuantileSketch,
}

/// [`super::stream::drift_files`] on two CSV files whose reference is large: its `quantile:K`
/// numeric columns are read through a [`QuantileSketch`] (the rest as before), then the
/// current side is counted into the bins. `None` when that cannot be done (a small file, no
/// such column, a sample the file belies, a file read line by line); the caller then reads
/// the reference whole: the same report either way.
///
/// # Errors
/// [`TableError`] for a table that cannot be read, or on cancel.
pub fn drift_csv_sketched(
    reference: &Path,
    current: &Path,
    select: Option<&[String]>,
    options: &DriftOptions,
    limits: &SketchLimits,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<Option<DriftReport>, TableError> {
    let size = std::fs::metadata(reference).map_or(0, |m| m.len());
    if size < limits.min_bytes {
        return Ok(None);
    }
    let Some(pieces) = sample_csv(reference, select, limits.sample, cancel)? else {
        return Ok(None);
    };
    let Some(first) = pieces.first() else {
        return Ok(None);
    };
    let sampled_rows: u64 = pieces.iter().map(|t| t.rows).sum();
    let sampled_bytes =
        size.min((limits.sample.pieces as u64).saturating_mul(limits.sample.piece_bytes as u64));
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let rows = (size as f64 * sampled_rows as f64 / sampled_bytes.max(1) as f64) as u64;
    if rows < limits.min_rows {
        return Ok(None);
    }
    let sketched: Vec<Sketched> = first
        .columns
        .par_iter()
        .filter_map(|col| {
            // A name the file has twice is compared column by column, as before.
            if first.columns.iter().filter(|c| c.name == col.name).count() != 1 {
                return None;
            }
            let Binning::Quantile(k) = binning_of(options, &col.name) else {
                return None;
            };
            let Values::Numbers(start) = &col.values else {
                return None;
            };
            let kind_reason = match options.kinds.get(&col.name) {
                Some(ColumnKind::Numeric) => "chosen".to_string(),
                Some(ColumnKind::Categorical) => return None,
                // Decided within the file's first rows, so by the whole column's too.
                None => numeric_reason(start).ok()?,
            };
            let mut sample: Vec<f64> = pieces
                .iter()
                .filter_map(|t| match &t.column(&col.name)?.values {
                    Values::Numbers(v) => Some(v.as_slice()),
                    Values::Labels { .. } => None,
                })
                .flatten()
                .copied()
                .collect();
            let sketch =
                QuantileSketch::from_sample(k, &mut sample, limits.margin, limits.max_kept)?;
            Some(Sketched {
                name: col.name.clone(),
                kind_reason,
                sketch,
            })
        })
        .collect();
    drop(pieces);
    if sketched.is_empty() {
        return Ok(None);
    }
    let counters: Vec<(String, &dyn BinCounter)> = sketched
        .iter()
        .map(|s| (s.name.clone(), &s.sketch as &dyn BinCounter))
        .collect();
    let Some(mut read) = read_csv_counted(reference, select, &counters, cancel)? else {
        return Ok(None);
    };
    let unique = |name: &str| read.table.columns.iter().filter(|c| c.name == name).count() == 1;
    let plans: Vec<Option<Option<CountPlan>>> = read
        .table
        .columns
        .par_iter()
        .zip(&read.counts)
        .zip(&read.kept)
        .map(
            |((c, counts), kept)| match (sketched.iter().find(|s| s.name == c.name), counts) {
                (Some(s), Some(counts)) => {
                    let (bins, reference) = s.sketch.finish(counts, kept)?;
                    Some(Some(CountPlan {
                        kind_reason: s.kind_reason.clone(),
                        binning: bins.binning.clone(),
                        bins,
                        reference,
                    }))
                }
                _ => Some(
                    unique(&c.name)
                        .then(|| super::count_plan(c, options))
                        .flatten(),
                ),
            },
        )
        .collect();
    let Some(plans) = plans.into_iter().collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    // The kept values and the sketches have given the bins: freed before the current side is
    // read, so that they and its buffers are never long held at once. The kept values (some
    // tens of megabytes) are handed to the pool to free, usually by the other thread while
    // this one reads the current file's first block: returning their pages took this thread
    // a few milliseconds with the other core idle.
    drop(counters);
    drop(sketched);
    let kept = std::mem::take(&mut read.kept);
    rayon::spawn(move || drop(kept));
    super::stream::compare_counted(
        &read.table,
        &plans,
        current,
        select,
        options,
        cancel,
        progress,
    )
}

#[cfg(test)]
mod tests;
