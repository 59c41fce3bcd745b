//! A finite table of log-probabilities on `0..len`: what categorical and logits share.

/// Normalised log-probabilities on `0..len`.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    ln_probs: Vec<f64>,
}

impl Table {
    /// A table from log-probabilities that already sum to 1 in linear space.
    pub(super) fn new(ln_probs: Vec<f64>) -> Table {
        Table { ln_probs }
    }

    /// The log-probabilities.
    pub fn ln_probs(&self) -> &[f64] {
        &self.ln_probs
    }

    /// From the first to the last category with positive probability.
    pub(super) fn support(&self) -> (f64, f64) {
        let first = self.ln_probs.iter().position(|l| *l > f64::NEG_INFINITY);
        let last = self.ln_probs.iter().rposition(|l| *l > f64::NEG_INFINITY);
        (first.unwrap_or(0) as f64, last.unwrap_or(0) as f64)
    }

    /// The log-probability of category `k ≥ 0`.
    pub(super) fn ln_pmf(&self, k: i64) -> f64 {
        usize::try_from(k)
            .ok()
            .and_then(|i| self.ln_probs.get(i).copied())
            .unwrap_or(f64::NEG_INFINITY)
    }
}

/// P(X ≤ x) for a table.
pub(super) fn cdf(ln_probs: &[f64], x: f64) -> f64 {
    let k = x.floor();
    ln_probs
        .iter()
        .enumerate()
        .take_while(|(i, _)| (*i as f64) <= k)
        .map(|(_, l)| l.exp())
        .sum::<f64>()
        .min(1.0)
}

/// The smallest category whose cumulative probability reaches `prob`.
pub(super) fn quantile(ln_probs: &[f64], prob: f64) -> f64 {
    let mut acc = 0.0;
    for (i, l) in ln_probs.iter().enumerate() {
        acc += l.exp();
        if acc >= prob {
            return i as f64;
        }
    }
    (ln_probs.len().saturating_sub(1)) as f64
}
