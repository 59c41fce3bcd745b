//! Additive smoothing, applied explicitly: a pseudo-count α per bin of a histogram,
//! p_i = (c_i + α) / (N + kα). Other distributions are unchanged. Nothing is smoothed unless
//! asked; the figures then say so.

use std::sync::Arc;

use crate::distribution::Distribution;

/// `d` with `alpha` added to each bin when it is a histogram and `alpha` is given.
pub fn smoothed(d: &Arc<Distribution>, alpha: Option<f64>) -> Arc<Distribution> {
    match (d.as_ref(), alpha) {
        (Distribution::Histogram(h), Some(a)) => {
            Arc::new(Distribution::Histogram(Arc::new(h.smoothed(a))))
        }
        _ => d.clone(),
    }
}
