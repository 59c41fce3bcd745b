//! Monte Carlo: N samples of P, the four estimators at each, their means and standard errors,
//! the running mean at log-spaced N, and a histogram of the per-sample values.
//!
//! The samples are drawn in chunks of [`CHUNK`]; chunk `i` has its own generator from
//! `(seed, i)` and the chunks' sums are combined in chunk order, so a seed gives the same
//! figures whatever the number of threads (rayon computes the chunks in parallel). Sums are
//! taken about a shift (the mean of a pilot of the first samples) to keep the variance's
//! digits.

use rayon::prelude::*;

use super::{Clamp, EstimateError, Estimator, value};
use crate::cancel::{Cancel, Progress};
use crate::distribution::sample::{Sampler, chunk_rng};
use crate::distribution::{Distribution, Kind};

/// Samples per chunk (each chunk has its own generator).
pub const CHUNK: u64 = 1 << 16;

/// The largest number of samples a run accepts.
pub const MAX_SAMPLES: u64 = 1_000_000_000;

const PILOT: usize = 4096;
const E: usize = 4;

/// What to run.
#[derive(Clone, Debug, PartialEq)]
pub struct McOptions {
    /// The number of samples.
    pub n: u64,
    /// The seed.
    pub seed: u64,
    /// The framework clamp.
    pub clamp: Clamp,
    /// Bins of each per-sample histogram.
    pub bins: usize,
    /// Running-mean points per decade of N.
    pub points_per_decade: usize,
}

impl Default for McOptions {
    fn default() -> Self {
        McOptions {
            n: 100_000,
            seed: 1,
            clamp: Clamp::None,
            bins: 60,
            points_per_decade: 10,
        }
    }
}

/// One estimator's Monte Carlo figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct McSummary {
    /// The sample mean (`+inf` when a sample is infinite).
    pub mean: f64,
    /// The sample standard deviation of one value.
    pub sd: f64,
    /// The standard error of the mean, sd/√N.
    pub se: f64,
    /// Samples whose value is infinite (Q's density 0 where P's is not), unclamped only.
    pub infinite: u64,
}

/// The running mean of every estimator after the first `n` samples.
#[derive(Clone, Debug, PartialEq)]
pub struct RunningPoint {
    /// Samples so far.
    pub n: u64,
    /// The mean of each estimator, [`Estimator::ALL`] order.
    pub mean: [f64; E],
    /// Its standard error.
    pub se: [f64; E],
}

/// The histogram of one estimator's per-sample values.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleHistogram {
    /// The left edge of the first bin.
    pub lo: f64,
    /// The right edge of the last bin.
    pub hi: f64,
    /// Counts in equal bins over [lo, hi].
    pub counts: Vec<u64>,
    /// Values below `lo`.
    pub below: u64,
    /// Values above `hi` (infinite ones included).
    pub above: u64,
}

/// A finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct McResult {
    /// What was run.
    pub options: McOptions,
    /// Per estimator, [`Estimator::ALL`] order.
    pub summaries: [McSummary; E],
    /// The running means at log-spaced N (the last at N).
    pub running: Vec<RunningPoint>,
    /// Per estimator, the histogram of per-sample values.
    pub histograms: Vec<SampleHistogram>,
}

/// Log-spaced checkpoints from 10 (or n) to n.
fn checkpoints(n: u64, per_decade: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let per = per_decade.max(1) as f64;
    let mut i = 0.0;
    loop {
        let v = (10f64.powf(1.0 + i / per)).round() as u64;
        if v >= n {
            break;
        }
        if out.last() != Some(&v) {
            out.push(v);
        }
        i += 1.0;
    }
    out.push(n);
    out
}

/// Draws one sample with a positive density under P (a draw rounded onto an edge where P's
/// density is 0 has probability 0; it is drawn again) and returns ln r there.
#[inline]
fn draw_lr(
    s: &Sampler,
    rng: &mut crate::distribution::sample::SampleRng,
    p: &Distribution,
    q: &Distribution,
    discrete: bool,
) -> f64 {
    for _ in 0..64 {
        let x = s.sample(rng);
        let (lp, lq) = if discrete {
            let k = x as i64;
            (p.ln_pmf(k), q.ln_pmf(k))
        } else {
            (p.ln_density(x), q.ln_density(x))
        };
        if lp > f64::NEG_INFINITY {
            return lq - lp;
        }
    }
    0.0
}

struct ChunkOut {
    sum: [f64; E],
    sumsq: [f64; E],
    infinite: [u64; E],
    /// Sums at checkpoints inside this chunk: (global n, sum, sumsq).
    marks: Vec<(u64, [f64; E], [f64; E])>,
    counts: Vec<[u64; E]>,
    below: [u64; E],
    above: [u64; E],
}

/// The pilot: the first samples of chunk 0's stream, for the shift and histogram ranges.
fn pilot(
    s: &Sampler,
    p: &Distribution,
    q: &Distribution,
    opts: &McOptions,
) -> ([f64; E], [(f64, f64); E]) {
    let discrete = p.kind() == Kind::Discrete;
    let mut rng = chunk_rng(opts.seed, 0);
    let m = PILOT.min(opts.n as usize).max(2);
    let mut vals: [Vec<f64>; E] = Default::default();
    for _ in 0..m {
        let lr = draw_lr(s, &mut rng, p, q, discrete);
        for k in Estimator::ALL {
            vals[k.index()].push(value(k, opts.clamp, lr));
        }
    }
    let mut shift = [0.0; E];
    let mut range = [(0.0, 1.0); E];
    for (i, v) in vals.iter_mut().enumerate() {
        v.retain(|x| x.is_finite());
        if v.is_empty() {
            continue;
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        shift[i] = mean;
        v.sort_by(f64::total_cmp);
        let at = |f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
        let (mut lo, mut hi) = (at(0.002), at(0.998));
        if !(hi > lo) {
            let w = lo.abs().max(1e-12);
            lo -= w;
            hi += w;
        }
        let pad = 0.05 * (hi - lo);
        range[i] = (lo - pad, hi + pad);
    }
    (shift, range)
}

/// Runs N samples of P and scores them against Q.
///
/// # Errors
/// [`EstimateError::TooFewSamples`] for N < 2; the pair's kind or label mismatch; cancelled
/// when `cancel` is set.
pub fn run(
    p: &Distribution,
    q: &Distribution,
    opts: &McOptions,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<McResult, EstimateError> {
    if opts.n < 2 {
        return Err(EstimateError::TooFewSamples(opts.n));
    }
    let n = opts.n.min(MAX_SAMPLES);
    let (p, q) = super::exact::pair_for_sampling(p, q)?;
    let (p, q) = (&p, &q);
    let sampler = Sampler::new(p);
    let (shift, range) = pilot(&sampler, p, q, opts);
    let bins = opts.bins.max(1);
    let marks = checkpoints(n, opts.points_per_decade);
    let chunks = n.div_ceil(CHUNK);
    let done = std::sync::atomic::AtomicU64::new(0);
    let discrete = p.kind() == Kind::Discrete;
    let clamp = opts.clamp;
    let outs: Vec<Option<ChunkOut>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            if cancel.is_cancelled() {
                return None;
            }
            let start = c * CHUNK;
            let len = CHUNK.min(n - start);
            let mut rng = chunk_rng(opts.seed, c);
            let mut out = ChunkOut {
                sum: [0.0; E],
                sumsq: [0.0; E],
                infinite: [0; E],
                marks: Vec::new(),
                counts: vec![[0; E]; bins],
                below: [0; E],
                above: [0; E],
            };
            let first_mark = marks.partition_point(|m| *m <= start);
            let mut next_mark = marks.get(first_mark).copied();
            let mut mark_i = first_mark;
            let per_width: [f64; E] =
                std::array::from_fn(|i| bins as f64 / (range[i].1 - range[i].0));
            for j in 0..len {
                let lr = draw_lr(&sampler, &mut rng, p, q, discrete);
                for k in Estimator::ALL {
                    let i = k.index();
                    let v = value(k, clamp, lr);
                    if v.is_finite() {
                        let d = v - shift[i];
                        out.sum[i] += d;
                        out.sumsq[i] += d * d;
                    } else {
                        out.infinite[i] += 1;
                    }
                    let b = (v - range[i].0) * per_width[i];
                    if b < 0.0 {
                        out.below[i] += 1;
                    } else if b < bins as f64 {
                        out.counts[b as usize][i] += 1;
                    } else {
                        out.above[i] += 1;
                    }
                }
                if next_mark == Some(start + j + 1) {
                    out.marks.push((start + j + 1, out.sum, out.sumsq));
                    mark_i += 1;
                    next_mark = marks.get(mark_i).copied();
                }
            }
            let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress.set(finished as f64 / chunks as f64);
            Some(out)
        })
        .collect();
    cancel.check()?;
    let mut sum = [0.0f64; E];
    let mut sumsq = [0.0f64; E];
    let mut infinite = [0u64; E];
    let mut running = Vec::with_capacity(marks.len());
    let mut counts = vec![[0u64; E]; bins];
    let mut below = [0u64; E];
    let mut above = [0u64; E];
    let stats = |m: u64, s: f64, ss: f64, inf: u64, shift: f64| -> (f64, f64) {
        if inf > 0 {
            return (f64::INFINITY, f64::INFINITY);
        }
        let nf = m as f64;
        let mean_d = s / nf;
        let var = ((ss - s * mean_d) / (nf - 1.0).max(1.0)).max(0.0);
        (shift + mean_d, var.sqrt())
    };
    for out in outs.into_iter().flatten() {
        for (mark_n, s, ss) in &out.marks {
            let mut point = RunningPoint {
                n: *mark_n,
                mean: [0.0; E],
                se: [0.0; E],
            };
            for i in 0..E {
                let (m, sd) = stats(
                    *mark_n,
                    sum[i] + s[i],
                    sumsq[i] + ss[i],
                    infinite[i],
                    shift[i],
                );
                point.mean[i] = m;
                point.se[i] = sd / (*mark_n as f64).sqrt();
            }
            running.push(point);
        }
        for i in 0..E {
            sum[i] += out.sum[i];
            sumsq[i] += out.sumsq[i];
            infinite[i] += out.infinite[i];
            below[i] += out.below[i];
            above[i] += out.above[i];
        }
        for (total, c) in counts.iter_mut().zip(&out.counts) {
            for i in 0..E {
                total[i] += c[i];
            }
        }
    }
    let summaries = std::array::from_fn(|i| {
        let (mean, sd) = stats(n, sum[i], sumsq[i], infinite[i], shift[i]);
        McSummary {
            mean,
            sd,
            se: sd / (n as f64).sqrt(),
            infinite: infinite[i],
        }
    });
    let histograms = (0..E)
        .map(|i| SampleHistogram {
            lo: range[i].0,
            hi: range[i].1,
            counts: counts.iter().map(|c| c[i]).collect(),
            below: below[i],
            above: above[i],
        })
        .collect();
    Ok(McResult {
        options: McOptions { n, ..opts.clone() },
        summaries,
        running,
        histograms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_are_log_spaced_and_end_at_n() {
        let c = checkpoints(1000, 10);
        assert_eq!(c.first(), Some(&10));
        assert_eq!(c.last(), Some(&1000));
        assert!(c.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(c.len(), 21);
    }
}
