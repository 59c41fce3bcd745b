//! Empirical distributions: a histogram over numeric bins (a piecewise-constant density) and
//! counts over named categories.
//!
//! A histogram's density on a bin is `mass / width`, where `mass` is the bin's count divided by
//! the total. Bins need not touch: a gap between bins has density 0. Zero-count bins are kept
//! (they matter for KL: Q = 0 where P > 0 makes KL(P‖Q) infinite).

use std::path::Path;

mod categories;
mod error;
pub mod provenance;
#[cfg(test)]
mod tests;

pub use categories::Categories;
pub use error::HistogramError;

pub use provenance::{
    BinRule, CategoriesProvenance, DegenerateBins, Delimiter, FileFormat, FromSamples, Layout,
    LineEnding, Normalised, Provenance, SamplesBinning, Weights,
};

/// A piecewise-constant density over sorted, non-overlapping bins.
#[derive(Clone, Debug)]
pub struct Histogram {
    /// The left edges, followed by the last bin's right edge when every bin starts where the
    /// previous one ends (the usual file: n + 1 numbers stand for 2n edges).
    edges: Vec<f64>,
    /// The right edges when some bins have gaps between them; empty when `edges` has them.
    right: Vec<f64>,
    /// Probability mass per bin, summing to 1.
    mass: Vec<f64>,
    /// Cumulative mass at each bin's right edge, computed when first needed (a comparison of
    /// two histograms never needs it, and 10^7 bins make it 80 MB).
    cum: std::sync::OnceLock<Vec<f64>>,
    /// The non-empty bins merged where they touch, computed when first needed.
    support: std::sync::OnceLock<Vec<(f64, f64)>>,
    /// The total count, when the file held counts (count_i = mass_i × total).
    counts_total: Option<f64>,
    /// Where it came from: a file path, used as its spec.
    pub source: String,
    /// What the reader detected and what was changed on the way in; shown through
    /// [`Histogram::note_lines`].
    pub provenance: Provenance,
    /// Pseudo-count added per bin, if smoothing is on.
    pub smoothing: Option<f64>,
}

/// Equal bins, masses and provenance (the cached cumulative masses and support do not count).
impl PartialEq for Histogram {
    fn eq(&self, other: &Self) -> bool {
        self.edges == other.edges
            && self.right == other.right
            && self.mass == other.mass
            && self.counts_total == other.counts_total
            && self.source == other.source
            && self.provenance == other.provenance
            && self.smoothing == other.smoothing
    }
}

impl Histogram {
    /// Builds a histogram from bins `(left, right, weight)` in any order.
    ///
    /// # Errors
    /// [`HistogramError`] for reversed edges, negative weights, overlaps, or no mass.
    pub fn from_bins(
        bins: &[(f64, f64, f64)],
        weights: Weights,
        source: impl Into<String>,
    ) -> Result<Self, HistogramError> {
        let left = bins.iter().map(|b| b.0).collect();
        let right = bins.iter().map(|b| b.1).collect();
        let w = bins.iter().map(|b| b.2).collect();
        Self::from_columns(left, right, w, weights, source)
    }

    /// Builds a histogram from its columns, reusing their memory (a 10^7-bin file holds
    /// about the memory of its numbers). Touching bins keep one column of edges.
    ///
    /// # Errors
    /// As [`Histogram::from_bins`].
    pub fn from_columns(
        mut left: Vec<f64>,
        mut right: Vec<f64>,
        mut w: Vec<f64>,
        weights: Weights,
        source: impl Into<String>,
    ) -> Result<Self, HistogramError> {
        if left.is_empty() {
            return Err(HistogramError::Empty);
        }
        // One pass checks every bin and, for the usual sorted file, everything else: whether
        // each bin starts at or after the previous one's end, the gaps, and the total.
        let mut clean = true;
        let mut gaps = 0usize;
        let mut total = 0.0;
        for index in 0..left.len() {
            let (l, r, v) = (left[index], right[index], w[index]);
            check_bin(index, l, r, v, weights)?;
            total += v;
            if index > 0 {
                let previous_right = right[index - 1];
                // Unsorted bins land here too: l < previous left < previous right. So does
                // a gap of rounding size, which the join closes.
                let gap = l - previous_right;
                let width = previous_right - left[index - 1];
                clean &= gap >= 0.0 && !(gap > 0.0 && gap <= 1e-9 * width);
                gaps += usize::from(gap > 0.0);
            }
        }
        let mut provenance = Provenance::default();
        if !clean {
            gaps = Self::sort_and_join(&mut left, &mut right, &mut w, &mut provenance)?;
            total = w.iter().sum();
        }
        let right = if gaps == 0 {
            // Every bin starts where the previous one ends: the lefts and the last right
            // are all the edges.
            left.push(right[right.len() - 1]);
            Vec::new()
        } else {
            right
        };
        Self::finish(
            left,
            right,
            w,
            total,
            weights,
            source.into(),
            provenance,
            gaps,
        )
    }

    /// Builds a histogram from `n + 1` increasing edges and the `n` weights between them
    /// (bins that touch, as most files have), reusing both columns' memory.
    ///
    /// # Errors
    /// [`HistogramError::EdgeCount`] unless there is one edge more than weights; otherwise
    /// as [`Histogram::from_bins`] (edges out of order are [`HistogramError::BadEdges`]).
    pub fn from_edges(
        edges: Vec<f64>,
        w: Vec<f64>,
        weights: Weights,
        source: impl Into<String>,
    ) -> Result<Self, HistogramError> {
        if w.is_empty() {
            return Err(HistogramError::Empty);
        }
        if edges.len() != w.len() + 1 {
            return Err(HistogramError::EdgeCount {
                edges: edges.len(),
                bins: w.len(),
            });
        }
        // One branch-free pass for the usual, valid file: increasing edges between finite
        // ends are all finite, and weights ≥ 0 with a finite total are all finite.
        let n = w.len();
        let mut ok = edges[0].is_finite() && edges[n].is_finite();
        let mut total = 0.0;
        for ((l, r), v) in edges[..n].iter().zip(&edges[1..]).zip(&w) {
            ok &= (r - l >= f64::MIN_POSITIVE) & (*v >= 0.0);
            total += v;
        }
        if !ok || !total.is_finite() {
            // Find the first bin at fault, to say which.
            for (index, (pair, &v)) in edges.windows(2).zip(&w).enumerate() {
                check_bin(index, pair[0], pair[1], v, weights)?;
            }
        }
        Self::finish(
            edges,
            Vec::new(),
            w,
            total,
            weights,
            source.into(),
            Provenance::default(),
            0,
        )
    }

    /// The steps every constructor shares once the bins are sorted and checked: densities to
    /// masses, the total, and the notes on what was normalised and on gaps.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        edges: Vec<f64>,
        right: Vec<f64>,
        mut w: Vec<f64>,
        mut total: f64,
        weights: Weights,
        source: String,
        mut provenance: Provenance,
        gaps: usize,
    ) -> Result<Self, HistogramError> {
        if weights == Weights::Density {
            let (lefts, rights) = sides(&edges, &right, w.len());
            for ((v, l), r) in w.iter_mut().zip(lefts).zip(rights) {
                *v *= r - l;
            }
            total = w.iter().sum();
        }
        if !(total > 0.0) {
            return Err(HistogramError::AllZero);
        }
        if weights != Weights::Count && (total - 1.0).abs() > 1e-9 {
            provenance.normalised = Some(Normalised { weights, total });
        }
        provenance.gaps = gaps;
        let counts_total = (weights == Weights::Count).then_some(total);
        Ok(Self::assemble(
            edges,
            right,
            w,
            total,
            counts_total,
            source,
            provenance,
        ))
    }

    /// Sorts the bins by left edge (saying so), joins edges that differ by rounding only, and
    /// rejects real overlaps; returns the number of gaps.
    fn sort_and_join(
        left: &mut Vec<f64>,
        right: &mut Vec<f64>,
        w: &mut Vec<f64>,
        provenance: &mut Provenance,
    ) -> Result<usize, HistogramError> {
        // Input order of each sorted bin, kept only when sorting changed it.
        let mut order: Option<Vec<usize>> = None;
        if left.windows(2).any(|x| x[1] < x[0]) {
            let mut o: Vec<usize> = (0..left.len()).collect();
            o.sort_by(|a, b| left[*a].total_cmp(&left[*b]));
            provenance.sorted = true;
            *left = o.iter().map(|i| left[*i]).collect();
            *right = o.iter().map(|i| right[*i]).collect();
            *w = o.iter().map(|i| w[*i]).collect();
            order = Some(o);
        }
        let input_index = |i: usize| order.as_ref().map_or(i, |o| o[i]);
        let mut snapped = 0;
        for i in 1..left.len() {
            let overlap = right[i - 1] - left[i];
            // Edges written with rounding (0.30000000000000004 against 0.3) are one edge,
            // whichever way the rounding went: a gap of 1e-17 is not a region where the
            // density is 0 (it would make KL infinite), nor is an overlap that small real.
            if overlap != 0.0 && overlap.abs() <= 1e-9 * (right[i - 1] - left[i - 1]) {
                right[i - 1] = left[i];
                snapped += 1;
            }
            if left[i] < right[i - 1] {
                return Err(HistogramError::Overlap {
                    index: input_index(i).max(input_index(i - 1)),
                    a_left: left[i - 1],
                    a_right: right[i - 1],
                    b_left: left[i],
                    b_right: right[i],
                });
            }
        }
        provenance.joined_edges = snapped;
        Ok((1..left.len()).filter(|i| left[*i] > right[i - 1]).count())
    }

    /// Finishes a histogram from sorted, checked columns; `raw` becomes the masses in place.
    fn assemble(
        edges: Vec<f64>,
        right: Vec<f64>,
        mut raw: Vec<f64>,
        total: f64,
        counts_total: Option<f64>,
        source: String,
        provenance: Provenance,
    ) -> Self {
        if total.is_finite() {
            for m in &mut raw {
                *m /= total;
            }
        } else {
            // Counts of 1e308 sum past the doubles: scale by the largest first.
            let (shares, _) = crate::distribution::normalise(raw.iter().copied());
            raw = shares;
        }
        Histogram {
            edges,
            right,
            mass: raw,
            cum: std::sync::OnceLock::new(),
            support: std::sync::OnceLock::new(),
            counts_total,
            source,
            provenance,
            smoothing: None,
        }
    }

    /// A copy with `alpha` added to every bin's count (additive smoothing). For histograms
    /// given as probabilities, `alpha` is added to the probabilities instead.
    pub fn smoothed(&self, alpha: f64) -> Histogram {
        let scale = self.counts_total.unwrap_or(1.0);
        let raw: Vec<f64> = self.mass.iter().map(|m| m * scale + alpha).collect();
        let total = raw.iter().sum();
        let mut h = Self::assemble(
            self.edges.clone(),
            self.right.clone(),
            raw,
            total,
            self.counts_total.map(|_| total),
            self.source.clone(),
            self.provenance.clone(),
        );
        h.smoothing = Some(alpha);
        h
    }

    /// Number of bins.
    pub fn len(&self) -> usize {
        self.mass.len()
    }

    /// Whether there are no bins (never, once built).
    pub fn is_empty(&self) -> bool {
        self.mass.is_empty()
    }

    /// Bin `i` as `(left, right, mass)`.
    pub fn bin(&self, i: usize) -> (f64, f64, f64) {
        (self.lefts()[i], self.rights()[i], self.mass[i])
    }

    /// Left edges.
    pub fn lefts(&self) -> &[f64] {
        sides(&self.edges, &self.right, self.mass.len()).0
    }

    /// Right edges.
    pub fn rights(&self) -> &[f64] {
        sides(&self.edges, &self.right, self.mass.len()).1
    }

    /// Masses, summing to 1.
    pub fn masses(&self) -> &[f64] {
        &self.mass
    }

    /// ln density of bin `i` (−inf for an empty bin).
    pub fn ln_density_of_bin(&self, i: usize) -> f64 {
        let (l, r, m) = self.bin(i);
        (m / (r - l)).ln()
    }

    /// Cumulative mass at each bin's right edge.
    fn cumulative(&self) -> &[f64] {
        self.cum.get_or_init(|| {
            let mut acc = 0.0;
            self.mass
                .iter()
                .map(|m| {
                    acc += m;
                    acc
                })
                .collect()
        })
    }

    /// Every bin edge, sorted.
    pub fn edges(&self) -> Vec<f64> {
        // Lefts and rights are each sorted (bins do not overlap): merge them in one pass.
        if self.right.is_empty() {
            return self.edges.clone();
        }
        merge_sorted(&self.edges, &self.right)
    }

    /// Every bin edge strictly between `lo` and `hi`, sorted, found by bisection.
    pub fn edges_within(&self, lo: f64, hi: f64) -> Vec<f64> {
        fn inside(v: &[f64], lo: f64, hi: f64) -> &[f64] {
            let start = v.partition_point(|x| *x <= lo);
            let end = v.partition_point(|x| *x < hi);
            &v[start..end.max(start)]
        }
        merge_sorted(inside(self.lefts(), lo, hi), inside(self.rights(), lo, hi))
    }

    /// The bin containing `x` (for a shared edge, the bin to its right).
    pub fn bin_of(&self, x: f64) -> Option<usize> {
        let (left, right) = (self.lefts(), self.rights());
        // Evenly spaced bins (the usual file) are found by one division, checked; others by
        // bisection. Either way `i` counts the bins starting at or before `x`.
        let n = left.len();
        let guess = (x - left[0]) / (right[n - 1] - left[0]) * n as f64;
        let i = if guess >= 0.0 && guess < n as f64 {
            let g = guess as usize;
            if left[g] <= x && left.get(g + 1).is_none_or(|l| *l > x) {
                g + 1
            } else {
                left.partition_point(|l| *l <= x)
            }
        } else {
            left.partition_point(|l| *l <= x)
        };
        if i == 0 {
            return None;
        }
        let i = i - 1;
        (x <= right[i]).then_some(i)
    }

    /// Log-density at `x`.
    pub fn ln_density(&self, x: f64) -> f64 {
        self.bin_of(x)
            .map_or(f64::NEG_INFINITY, |i| self.ln_density_of_bin(i))
    }

    /// The support: non-empty bins, merged where they touch.
    pub fn support(&self) -> Vec<(f64, f64)> {
        self.support
            .get_or_init(|| {
                // The bins are sorted and do not overlap: one pass, no sorting, no copy of
                // the bins. Kept: a comparison asks for it several times.
                let mut out: Vec<(f64, f64)> = Vec::new();
                for ((&l, &r), &m) in self.lefts().iter().zip(self.rights()).zip(&self.mass) {
                    if m <= 0.0 {
                        continue;
                    }
                    match out.last_mut() {
                        Some(last) if l <= last.1 => last.1 = last.1.max(r),
                        _ => out.push((l, r)),
                    }
                }
                out
            })
            .clone()
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        let (left, right) = (self.lefts(), self.rights());
        let i = left.partition_point(|l| *l <= x);
        if i == 0 {
            return 0.0;
        }
        let i = i - 1;
        let cum = self.cumulative();
        let before = if i == 0 { 0.0 } else { cum[i - 1] };
        if x >= right[i] {
            cum[i]
        } else {
            before + self.mass[i] * (x - left[i]) / (right[i] - left[i])
        }
    }

    /// The quantile function.
    pub fn quantile(&self, prob: f64) -> f64 {
        let (left, right) = (self.lefts(), self.rights());
        let cum = self.cumulative();
        let i = cum.partition_point(|c| *c < prob).min(self.len() - 1);
        let before = if i == 0 { 0.0 } else { cum[i - 1] };
        let frac = if self.mass[i] > 0.0 {
            ((prob - before) / self.mass[i]).clamp(0.0, 1.0)
        } else {
            0.0
        };
        left[i] + frac * (right[i] - left[i])
    }

    /// The file name (or source) for legends.
    pub fn display_name(&self) -> String {
        display_name(&self.source)
    }

    /// What the reader detected and changed, as the sentences shown beside the histogram.
    pub fn note_lines(&self) -> Vec<String> {
        self.provenance.lines()
    }

    /// How raw samples were binned, when the histogram was made from them.
    pub fn samples_binning(&self) -> Option<SamplesBinning> {
        self.provenance.samples_binning()
    }
}

/// One bin's checks: finite edges in order, a finite weight ≥ 0.
#[inline]
fn check_bin(index: usize, l: f64, r: f64, v: f64, weights: Weights) -> Result<(), HistogramError> {
    if !(r > l) || !l.is_finite() || !r.is_finite() {
        return Err(HistogramError::BadEdges {
            index,
            left: l,
            right: r,
        });
    }
    if r - l < f64::MIN_POSITIVE {
        return Err(HistogramError::TooNarrow {
            index,
            left: l,
            right: r,
        });
    }
    if !(v >= 0.0 && v.is_finite()) {
        return Err(HistogramError::BadWeight {
            index,
            what: weights.word(),
            value: v,
        });
    }
    Ok(())
}

/// The left and right edges of `n` bins stored as `edges` and `right` (see [`Histogram`]).
fn sides<'a>(edges: &'a [f64], right: &'a [f64], n: usize) -> (&'a [f64], &'a [f64]) {
    if right.is_empty() {
        (&edges[..n], &edges[1..=n])
    } else {
        (&edges[..n], &right[..n])
    }
}

/// Merges two sorted slices into one sorted list without duplicates, in linear time.
pub fn merge_sorted(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if out.last() != Some(&next) {
            out.push(next);
        }
    }
    out
}

pub(crate) fn display_name(source: &str) -> String {
    Path::new(source)
        .file_name()
        .map_or_else(|| source.to_string(), |n| n.to_string_lossy().into_owned())
}
