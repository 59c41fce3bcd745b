//! The figures of one column from its bin counts.
//!
//! KL both ways, JS, TV and Hellinger come from the engine ([`crate::divergence::compare`]
//! on two category distributions over the bins), so they match the Compare view's figures
//! for the same counts; PSI is summed here with the same convention: a bin with mass on one
//! side only makes it ∞, with the bin named in the reason. The fast sums ([`js_nats`],
//! [`kl_nats`], [`psi`]) serve the permutation test and the sensitivity curves, where the
//! engine's figures would be thousands of times too many.

use std::sync::Arc;

use crate::distribution::{Categories, Distribution};
use crate::divergence::{CompareError, Figure, Options, compare};

/// Probabilities from counts plus a pseudo-count `alpha` per bin.
pub fn probabilities(counts: &[u64], alpha: f64) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss)]
    let total: f64 = counts.iter().map(|&c| c as f64 + alpha).sum();
    #[allow(clippy::cast_precision_loss)]
    counts.iter().map(|&c| (c as f64 + alpha) / total).collect()
}

/// JS divergence in nats between two probability vectors (0·ln 0 = 0).
pub fn js_nats(p: &[f64], q: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        let m = 0.5 * (a + b);
        if a > 0.0 {
            s += a * (a / m).ln();
        }
        if b > 0.0 {
            s += b * (b / m).ln();
        }
    }
    (0.5 * s).max(0.0)
}

/// KL(p‖q) in nats; ∞ when q is 0 where p is not.
pub fn kl_nats(p: &[f64], q: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        if a > 0.0 {
            if b == 0.0 {
                return f64::INFINITY;
            }
            s += a * (a / b).ln();
        }
    }
    s.max(0.0)
}

/// PSI Σ (q − p)·ln(q/p); ∞ when one side is 0 in a bin where the other is not.
pub fn psi(p: &[f64], q: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        if a == b {
            continue;
        }
        if a == 0.0 || b == 0.0 {
            return f64::INFINITY;
        }
        s += (b - a) * (b / a).ln();
    }
    s
}

/// The engine's figures for one column.
pub struct ColumnFigures {
    /// KL(reference‖current).
    pub kl_pq: Figure,
    /// KL(current‖reference).
    pub kl_qp: Figure,
    /// Jensen–Shannon divergence.
    pub js: Figure,
    /// Population Stability Index.
    pub psi: Figure,
    /// Total variation.
    pub tv: Figure,
    /// Hellinger distance.
    pub hellinger: Figure,
}

fn categories(labels: &[String], counts: &[u64], alpha: f64, source: &str) -> Distribution {
    #[allow(clippy::cast_precision_loss)]
    let pairs: Vec<(String, f64)> = labels
        .iter()
        .cloned()
        .zip(counts.iter().map(|&c| c as f64 + alpha))
        .collect();
    match Categories::new(pairs, source, Vec::new()) {
        Ok(c) => Distribution::Categories(Arc::new(c)),
        // Unreachable for counts with a positive total (checked by the caller): fall back to
        // one label so the comparison still reports.
        Err(_) => Distribution::Categories(Arc::new(Categories {
            labels: labels.to_vec(),
            probs: probabilities(counts, alpha),
            counts: Vec::new(),
            source: source.to_string(),
            provenance: Default::default(),
            notes: Vec::new(),
        })),
    }
}

/// The figures from counts on shared bins (reference = P, current = Q), with `alpha` added
/// to every bin of both sides. Each side must have a positive total.
///
/// # Errors
/// [`CompareError::Cancelled`] when `options.cancel` is set.
pub fn column_figures(
    labels: &[String],
    reference: &[u64],
    current: &[u64],
    alpha: f64,
    options: &Options,
) -> Result<ColumnFigures, CompareError> {
    let p = categories(labels, reference, alpha, "reference");
    let q = categories(labels, current, alpha, "current");
    let report = compare(&p, &q, options)?;
    let (pp, qq) = (
        probabilities(reference, alpha),
        probabilities(current, alpha),
    );
    Ok(ColumnFigures {
        kl_pq: report.kl_pq,
        kl_qp: report.kl_qp,
        js: report.js,
        psi: psi_figure(labels, &pp, &qq),
        tv: report.tv,
        hellinger: report.hellinger,
    })
}

fn psi_figure(labels: &[String], p: &[f64], q: &[f64]) -> Figure {
    let value = psi(p, q);
    #[allow(clippy::cast_precision_loss)]
    let n = p.len() as f64;
    let reason = (value == f64::INFINITY).then(|| {
        let at = p
            .iter()
            .zip(q)
            .position(|(&a, &b)| (a == 0.0) != (b == 0.0))
            .unwrap_or(0);
        let side = if p[at] == 0.0 {
            "the current table has values there and the reference none"
        } else {
            "the reference has values there and the current table none"
        };
        format!(
            "bin '{}': {side} (ln 0 in Σ (q − p)·ln(q/p))",
            labels.get(at).map_or("?", String::as_str)
        )
    });
    let abs: f64 = p
        .iter()
        .zip(q)
        .filter(|(a, b)| **a > 0.0 && **b > 0.0)
        .map(|(&a, &b)| ((b - a) * (b / a).ln()).abs())
        .sum();
    Figure {
        value,
        error: if value.is_finite() {
            4.0 * n * f64::EPSILON * abs.max(f64::MIN_POSITIVE)
        } else {
            0.0
        },
        method: format!("exact sum over {} bins", p.len()),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_sums_agree_with_the_engine() {
        let labels: Vec<String> = (0..4).map(|i| i.to_string()).collect();
        let (a, b) = ([10u64, 20, 30, 40], [25u64, 25, 25, 25]);
        let f = column_figures(&labels, &a, &b, 0.0, &Options::default()).unwrap();
        let (p, q) = (probabilities(&a, 0.0), probabilities(&b, 0.0));
        assert!((f.js.value - js_nats(&p, &q)).abs() < 1e-14);
        assert!((f.kl_pq.value - kl_nats(&p, &q)).abs() < 1e-14);
        assert!((f.kl_qp.value - kl_nats(&q, &p)).abs() < 1e-14);
        // PSI = KL(p‖q) + KL(q‖p).
        assert!((f.psi.value - (kl_nats(&p, &q) + kl_nats(&q, &p))).abs() < 1e-14);
    }
}
