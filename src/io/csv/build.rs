//! From the columns read to a distribution: histograms from edges, centres or raw samples,
//! categories from labels, with what the reader found recorded as provenance.

use super::columns::Columns;
use super::error::{CsvError, CsvErrorKind};
use super::rows::LineMap;
use super::{CsvOptions, MAX_SAMPLE_BINS};
use crate::distribution::histogram::{
    BinRule, DegenerateBins, FileFormat, FromSamples, HistogramError, Layout, Provenance,
    SamplesBinning, Weights,
};
use crate::distribution::{Categories, Distribution, Histogram};

pub(super) fn map_hist_error(e: HistogramError, line_of: &LineMap) -> CsvError {
    let line = e.index().and_then(|i| line_of.line(i));
    CsvError::new(line, None, CsvErrorKind::Histogram(e))
}

pub(super) fn build(
    layout: Layout,
    columns: Columns,
    labels: Vec<String>,
    line_of: &LineMap,
    source: &str,
    format: FileFormat,
    options: &CsvOptions,
) -> Result<Distribution, CsvError> {
    // What the reader found, beside what the histogram itself noticed.
    let finish = |built: Result<Histogram, HistogramError>, read: Provenance| {
        built
            .map(|mut h| {
                h.provenance = Provenance {
                    file: Some(format.clone()),
                    ..read
                }
                .with_built(&h.provenance);
                Distribution::Histogram(std::sync::Arc::new(h))
            })
            .map_err(|e| map_hist_error(e, line_of))
    };
    let hist = |bins: Vec<(f64, f64, f64)>, w: Weights, read: Provenance| {
        finish(Histogram::from_bins(&bins, w, source), read)
    };
    let (implied_right, last_right) = (columns.implied_right, columns.last_right);
    let mut values = columns.slots;
    match layout {
        Layout::Edges(w) => {
            let weight = values.pop().unwrap_or_default();
            let right = values.pop().unwrap_or_default();
            let mut left = values.pop().unwrap_or_default();
            let built = if implied_right {
                left.push(last_right);
                Histogram::from_edges(left, weight, w, source)
            } else {
                Histogram::from_columns(left, right, weight, w, source)
            };
            finish(built, Provenance::default())
        }
        Layout::Centers(w) => {
            let n = values[0].len();
            if n < 2 {
                return Err(CsvError::new(
                    line_of.line(0),
                    None,
                    CsvErrorKind::OneCentre,
                ));
            }
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|a, b| values[0][*a].total_cmp(&values[0][*b]));
            let c: Vec<f64> = order.iter().map(|i| values[0][*i]).collect();
            if let Some(i) = (1..n).find(|i| c[*i] == c[i - 1]) {
                return Err(CsvError::new(
                    line_of.line(order[i]),
                    None,
                    CsvErrorKind::RepeatedCentre { centre: c[i] },
                ));
            }
            let mut bins = Vec::with_capacity(n);
            for i in 0..n {
                let left = if i == 0 {
                    c[0] - (c[1] - c[0]) / 2.0
                } else {
                    (c[i - 1] + c[i]) / 2.0
                };
                let right = if i + 1 == n {
                    c[n - 1] + (c[n - 1] - c[n - 2]) / 2.0
                } else {
                    (c[i] + c[i + 1]) / 2.0
                };
                bins.push((left, right, values[1][order[i]]));
            }
            let read = Provenance {
                edges_from_centres: true,
                ..Provenance::default()
            };
            hist(bins, w, read)
        }
        Layout::Labels => Categories::new(
            labels.into_iter().zip(values.swap_remove(1)).collect(),
            source,
            Vec::new(),
        )
        .map(|mut c| {
            c.provenance.file = Some(format);
            Distribution::Categories(std::sync::Arc::new(c))
        })
        .map_err(|e| map_hist_error(e, line_of)),
        Layout::Samples => {
            let mut s = std::mem::take(&mut values[0]);
            s.sort_by(f64::total_cmp);
            let n = s.len();
            let (lo, hi) = (s[0], s[n - 1]);
            if lo == hi {
                let read = Provenance {
                    samples: Some(FromSamples::AllEqual {
                        samples: n,
                        value: lo,
                    }),
                    ..Provenance::default()
                };
                return hist(vec![(lo - 0.5, lo + 0.5, n as f64)], Weights::Count, read);
            }
            let (edges, read) = bin_samples(&s, options)?;
            hist(edges, Weights::Count, read)
        }
    }
}

/// One bin: left edge, right edge, count.
type Bin = (f64, f64, f64);

/// Equal-width bins over sorted samples (at least two distinct values): the bins and what
/// was done, with a warning when an outlier left most samples in one bin.
fn bin_samples(s: &[f64], options: &CsvOptions) -> Result<(Vec<Bin>, Provenance), CsvError> {
    let n = s.len();
    let (lo, hi) = (s[0], s[n - 1]);
    if !(hi - lo).is_finite() {
        return Err(CsvError::whole(CsvErrorKind::SamplesRangeOverflow {
            low: lo,
            high: hi,
        }));
    }
    let (bins, rule) = match options.bins {
        Some(b) if b > MAX_SAMPLE_BINS => {
            return Err(CsvError::whole(CsvErrorKind::TooManyBins {
                bins: b,
                limit: MAX_SAMPLE_BINS,
            }));
        }
        Some(b) => (b.max(1), BinRule::Chosen),
        None => (freedman_diaconis(s), BinRule::FreedmanDiaconis),
    };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    for x in s {
        let i = (((x - lo) / width) as usize).min(bins - 1);
        counts[i] += 1.0;
    }
    let (q1, q3) = quartiles(s);
    let fullest = counts.iter().copied().fold(0.0, f64::max);
    let fullest_share = fullest / n as f64;
    // Many bins, yet the middle half of the samples and more than half of all of them in
    // one: an outlier stretched the range and the bins say nothing about the shape.
    let degenerate =
        (bins >= 10 && fullest_share >= 0.5 && width > q3 - q1).then_some(DegenerateBins {
            fullest_share,
            low: lo,
            high: hi,
            iqr: q3 - q1,
        });
    let edges = counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let l = lo + width * i as f64;
            let r = if i + 1 == bins {
                hi
            } else {
                lo + width * (i + 1) as f64
            };
            (l, r, c)
        })
        .collect();
    let read = Provenance {
        samples: Some(FromSamples::Binned(SamplesBinning {
            samples: n,
            bins,
            rule,
        })),
        degenerate,
        ..Provenance::default()
    };
    Ok((edges, read))
}

/// The first and third quartiles of sorted samples (linear interpolation).
fn quartiles(sorted: &[f64]) -> (f64, f64) {
    let n = sorted.len();
    let q = |p: f64| {
        let pos = p * (n - 1) as f64;
        let i = pos.floor() as usize;
        let f = pos - i as f64;
        sorted[i] + f * (sorted[(i + 1).min(n - 1)] - sorted[i])
    };
    (q(0.25), q(0.75))
}

/// The Freedman–Diaconis bin count for sorted samples: width 2·IQR·n^(−1/3), between 1 and
/// 10 000 bins (√n bins when the IQR is 0).
pub fn freedman_diaconis(sorted: &[f64]) -> usize {
    let n = sorted.len();
    let (q1, q3) = quartiles(sorted);
    let iqr = q3 - q1;
    let range = sorted[n - 1] - sorted[0];
    let b = if iqr > 0.0 {
        (range / (2.0 * iqr * (n as f64).powf(-1.0 / 3.0))).ceil()
    } else {
        (n as f64).sqrt().ceil()
    };
    (b as usize).clamp(1, 10_000)
}
