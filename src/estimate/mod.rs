//! Estimating KL(P‖Q) from samples of P: the per-sample estimators PPO and RLHF trainers use
//! (k1, k2, k3 and |ln r|), their exact moments, Monte Carlo runs, and the gradients they give
//! when P is a parametric policy P_θ and Q a fixed reference.
//!
//! For a sample x ~ P, `lr = ln r = ln q(x) − ln p(x)`, and
//! - k1 = −lr (unbiased, can be negative), k2 = ½·lr² (biased), k3 = (r − 1) − lr (unbiased,
//!   ≥ 0), abs = |lr|;
//! - the framework clamps, as they ship ([`Clamp`]): verl's `low_var_kl` clamps lr to
//!   [−20, 20], then k3 to [−10, 10] (verl's k1, k2 and abs are not clamped); OpenRLHF clamps
//!   every estimator's value to [−10, 10]; none is TRL's k3.
//!
//! Numeric contract:
//! - Exact moments ([`exact`]) are [`Figure`]s with a method and an error bound; ∞ is a value
//!   with a reason (an infinite KL, or a divergent tail integral such as ∫q²/p for k3's
//!   variance), never NaN.
//! - A Monte Carlo run ([`monte_carlo`]) is reproducible from its seed whatever the number of
//!   threads: the samples are drawn in fixed chunks, each with its own generator
//!   ([`crate::distribution::sample::chunk_rng`]), and combined in chunk order.
//! - The other direction, KL(Q‖P) from samples of Q, is the same computation with P and Q
//!   swapped.

pub mod exact;
pub mod gradient;
pub mod monte_carlo;
mod tails;

use serde::{Deserialize, Serialize};

use crate::distribution::Distribution;
use crate::divergence::{CompareError, Figure};

pub use exact::{Moments, exact_moments, pair_for_sampling};
pub use gradient::{GradientRow, Gradients, Loss, gradients, is_policy};

pub use monte_carlo::{McOptions, McResult, McSummary, RunningPoint, SampleHistogram, run};

/// One of the per-sample estimators of KL(P‖Q).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Estimator {
    /// k1 = −ln r.
    K1,
    /// k2 = ½(ln r)².
    K2,
    /// k3 = (r − 1) − ln r.
    K3,
    /// |ln r|.
    Abs,
}

impl Estimator {
    /// All four, in the order tables list them.
    pub const ALL: [Estimator; 4] = [Estimator::K1, Estimator::K2, Estimator::K3, Estimator::Abs];

    /// The JSON key and short name: `k1`, `k2`, `k3`, `abs`.
    pub fn key(self) -> &'static str {
        match self {
            Estimator::K1 => "k1",
            Estimator::K2 => "k2",
            Estimator::K3 => "k3",
            Estimator::Abs => "abs",
        }
    }

    /// The formula, for labels.
    pub fn formula(self) -> &'static str {
        match self {
            Estimator::K1 => "−ln r",
            Estimator::K2 => "½(ln r)²",
            Estimator::K3 => "(r − 1) − ln r",
            Estimator::Abs => "|ln r|",
        }
    }

    /// The position in [`Estimator::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How a training framework clamps the estimators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Clamp {
    /// No clamp (TRL's GRPO k3).
    #[default]
    None,
    /// verl `low_var_kl`: ln r clamped to [−20, 20], then k3 to [−10, 10]; k1, k2 and abs are
    /// not clamped.
    Verl,
    /// OpenRLHF: every estimator's value clamped to [−10, 10].
    OpenRlhf,
}

impl Clamp {
    /// All three.
    pub const ALL: [Clamp; 3] = [Clamp::None, Clamp::Verl, Clamp::OpenRlhf];

    /// The name on the command line: `none`, `verl`, `openrlhf`.
    pub fn name(self) -> &'static str {
        match self {
            Clamp::None => "none",
            Clamp::Verl => "verl",
            Clamp::OpenRlhf => "openrlhf",
        }
    }

    /// Parses a name given by [`Clamp::name`].
    pub fn from_name(s: &str) -> Option<Clamp> {
        Clamp::ALL
            .into_iter()
            .find(|c| c.name() == s.trim().to_lowercase())
    }

    /// Whether `k`'s value is bounded under this clamp (then every moment is finite).
    pub fn bounds(self, k: Estimator) -> bool {
        match self {
            Clamp::None => false,
            Clamp::Verl => k == Estimator::K3,
            Clamp::OpenRlhf => true,
        }
    }
}

/// The estimator `k` at one sample with log-ratio `lr = ln q − ln p`, clamped as `clamp` says.
/// `lr = −∞` (Q's density 0 where P's is not) gives `+∞` unclamped.
#[inline]
pub fn value(k: Estimator, clamp: Clamp, lr: f64) -> f64 {
    match clamp {
        Clamp::None => raw(k, lr),
        Clamp::Verl => match k {
            Estimator::K3 => raw(k, lr.clamp(-20.0, 20.0)).min(10.0),
            _ => raw(k, lr),
        },
        Clamp::OpenRlhf => raw(k, lr).clamp(-10.0, 10.0),
    }
}

#[inline]
fn raw(k: Estimator, lr: f64) -> f64 {
    match k {
        Estimator::K1 => -lr,
        Estimator::K2 => 0.5 * lr * lr,
        Estimator::K3 => k3(lr),
        Estimator::Abs => lr.abs(),
    }
}

/// (r − 1) − ln r without cancellation near r = 1: `expm1(lr) − lr`, or its series for
/// |lr| < 1e-3 (where both terms are nearly equal).
#[inline]
fn k3(lr: f64) -> f64 {
    if lr == f64::NEG_INFINITY {
        return f64::INFINITY;
    }
    if lr.abs() < 1e-3 {
        let l2 = lr * lr;
        l2 * (0.5 + lr * (1.0 / 6.0 + lr * (1.0 / 24.0 + lr / 120.0)))
    } else {
        lr.exp_m1() - lr
    }
}

/// d k / d lr at `lr`: 0 where a clamp is active (as autograd differentiates `clamp`).
#[inline]
pub fn slope(k: Estimator, clamp: Clamp, lr: f64) -> f64 {
    let active = match clamp {
        Clamp::None => false,
        Clamp::Verl => k == Estimator::K3 && (lr.abs() > 20.0 || raw(k, lr) > 10.0),
        Clamp::OpenRlhf => raw(k, lr).abs() > 10.0,
    };
    if active {
        return 0.0;
    }
    match k {
        Estimator::K1 => -1.0,
        Estimator::K2 => lr,
        Estimator::K3 => lr.exp_m1(),
        Estimator::Abs => {
            if lr > 0.0 {
                1.0
            } else if lr < 0.0 {
                -1.0
            } else {
                0.0
            }
        }
    }
}

/// Why an estimate cannot be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EstimateError {
    /// The pair cannot be compared at all (kinds, labels), or the work was cancelled.
    #[error(transparent)]
    Compare(#[from] CompareError),
    /// Named categories against an integer family: a sample of one cannot be scored by the
    /// other.
    #[error(
        "{0} has named categories; estimating from samples needs both sides labelled, or both over the integers"
    )]
    Labels(String),
    /// A Monte Carlo run needs at least two samples.
    #[error("the number of samples must be at least 2 (got {0})")]
    TooFewSamples(u64),
}

impl From<crate::cancel::Cancelled> for EstimateError {
    fn from(_: crate::cancel::Cancelled) -> Self {
        EstimateError::Compare(CompareError::Cancelled)
    }
}

/// The exact KL figures an estimate is judged against, both ways.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    /// KL(P‖Q): what the estimators estimate.
    pub kl_pq: Figure,
    /// KL(Q‖P).
    pub kl_qp: Figure,
}

/// KL both ways by the engine.
///
/// # Errors
/// As [`crate::divergence::kl_divergence`].
pub fn truth(
    p: &Distribution,
    q: &Distribution,
    opts: &crate::divergence::Options,
) -> Result<Truth, CompareError> {
    Ok(Truth {
        kl_pq: crate::divergence::kl_divergence(p, q, opts)?,
        kl_qp: crate::divergence::kl_divergence(q, p, opts)?,
    })
}

/// `(value − kl) / kl`: a bias relative to KL, or `None` where it is undefined (KL 0, or
/// both infinite).
pub fn relative_bias(value: f64, kl: f64) -> Option<f64> {
    if kl == 0.0 || (value.is_infinite() && kl.is_infinite()) {
        return None;
    }
    if kl.is_infinite() {
        return Some(-1.0);
    }
    Some((value - kl) / kl)
}

/// `sd / kl`, or `None` where it is undefined (KL 0 or both infinite).
pub fn relative_sd(sd: f64, kl: f64) -> Option<f64> {
    if kl == 0.0 || (sd.is_infinite() && kl.is_infinite()) {
        return None;
    }
    Some(sd / kl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k3_is_nonnegative_and_matches_its_definition() {
        for lr in [-30.0f64, -2.0, -1e-4, 0.0, 1e-4, 0.5, 3.0] {
            let direct = lr.exp() - 1.0 - lr;
            let v = value(Estimator::K3, Clamp::None, lr);
            assert!(v >= 0.0);
            // The direct formula loses digits to cancellation near 0: allow its rounding.
            assert!(
                (v - direct).abs() <= 1e-12 * direct + 4e-16 * (1.0 + lr.abs()),
                "{lr}"
            );
        }
    }

    #[test]
    fn clamps_bound_the_values_they_ship_with() {
        // verl: k3 of ln r = 30 uses ln r = 20, then caps k3 at 10; k1 is untouched.
        assert_eq!(value(Estimator::K3, Clamp::Verl, 30.0), 10.0);
        assert_eq!(value(Estimator::K1, Clamp::Verl, 30.0), -30.0);
        assert_eq!(value(Estimator::K3, Clamp::Verl, f64::NEG_INFINITY), 10.0);
        // OpenRLHF: every value in [−10, 10].
        assert_eq!(value(Estimator::K1, Clamp::OpenRlhf, 30.0), -10.0);
        assert_eq!(value(Estimator::K2, Clamp::OpenRlhf, 5.0), 10.0);
        assert_eq!(value(Estimator::Abs, Clamp::OpenRlhf, -4.0), 4.0);
        assert_eq!(slope(Estimator::K2, Clamp::OpenRlhf, 5.0), 0.0);
        assert_eq!(slope(Estimator::K2, Clamp::OpenRlhf, 4.0), 4.0);
    }
}
