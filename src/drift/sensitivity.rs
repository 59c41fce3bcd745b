//! How much of a score is the binning or the smoothing: KL(reference‖current) and PSI
//! against the number of quantile bins, and against the pseudo-count α.
//!
//! Both sides are sorted once; the counts for K bins are then differences of
//! `partition_point`s at the K − 1 edges (a value equal to an edge goes right, as in
//! [`super::binning`]), so the whole curve costs O(K² log n) after the sort.

use super::binning::{Binning, quantile_sorted, rule_bins};
use super::figures::{kl_nats, probabilities, psi};
use crate::cancel::{Cancel, Cancelled};

/// One point of a sensitivity curve.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SensitivityPoint {
    /// Bins, or α.
    pub x: f64,
    /// KL(reference‖current) in nats (may be ∞).
    pub kl: f64,
    /// PSI (may be ∞).
    pub psi: f64,
}

/// The α values of the smoothing curve: 1e-6 to 10, 8 per decade.
pub fn alpha_grid() -> Vec<f64> {
    (0..=56)
        .map(|i| 10f64.powf(-6.0 + f64::from(i) / 8.0))
        .collect()
}

/// The "replace 0 by 0.0001" choice, marked on the smoothing curve.
pub const COMMON_ALPHA: f64 = 1e-4;

/// Counts of sorted `values` in the open bins with inner `edges`.
fn counts_sorted(values: &[f64], edges: &[f64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(edges.len() + 1);
    let mut before = 0usize;
    for &e in edges {
        let at = values.partition_point(|&v| v < e);
        out.push((at - before) as u64);
        before = at;
    }
    out.push((values.len() - before) as u64);
    out
}

/// KL and PSI on `quantile:K` bins for each K in `ks`, with pseudo-count `alpha`.
/// `reference` and `current` sorted ascending, not empty.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set.
pub fn bins_curve(
    reference: &[f64],
    current: &[f64],
    ks: std::ops::RangeInclusive<usize>,
    alpha: f64,
    cancel: &Cancel,
) -> Result<Vec<SensitivityPoint>, Cancelled> {
    let mut out = Vec::new();
    for k in ks {
        cancel.check()?;
        #[allow(clippy::cast_precision_loss)]
        let mut edges: Vec<f64> = (1..k)
            .map(|i| quantile_sorted(reference, i as f64 / k as f64))
            .collect();
        edges.dedup();
        let p = probabilities(&counts_sorted(reference, &edges), alpha);
        let q = probabilities(&counts_sorted(current, &edges), alpha);
        #[allow(clippy::cast_precision_loss)]
        out.push(SensitivityPoint {
            x: k as f64,
            kl: kl_nats(&p, &q),
            psi: psi(&p, &q),
        });
    }
    Ok(out)
}

/// KL and PSI on fixed counts for each α in `alphas`.
pub fn alpha_curve(reference: &[u64], current: &[u64], alphas: &[f64]) -> Vec<SensitivityPoint> {
    alphas
        .iter()
        .map(|&a| {
            let (p, q) = (probabilities(reference, a), probabilities(current, a));
            SensitivityPoint {
                x: a,
                kl: kl_nats(&p, &q),
                psi: psi(&p, &q),
            }
        })
        .collect()
}

/// The bin counts the rules give on the sorted reference, to mark on the bins curve:
/// `(name, K)` for Sturges, Doane and Freedman–Diaconis.
pub fn rule_marks(reference: &[f64]) -> Vec<(&'static str, usize)> {
    [
        ("sturges", Binning::Sturges),
        ("doane", Binning::Doane),
        ("fd", Binning::Fd),
    ]
    .into_iter()
    .map(|(name, rule)| (name, rule_bins(&rule, reference)))
    .collect()
}
