//! Gradients when P is a parametric policy P_θ (a normal in its mean and std_dev, or logits
//! in each logit) and Q the fixed reference.
//!
//! **Convention** (the one trainers use): the samples x ~ P_θ are held fixed and each
//! estimator, used as a loss, is differentiated through ln p_θ(x) only. With s = ∇θ ln p_θ(x)
//! (the score) and lr = ln q(x) − ln p_θ(x), the per-sample gradient is
//! ∇θ k = −k'(lr)·s, and its expectation under P_θ is:
//! - k1 = −lr: E\[s\] = 0. k1 gives no gradient in expectation.
//! - k2 = ½lr²: E[−lr·s] = E[s·(ln p − ln q)] = ∇θ KL(P_θ‖Q) (the score identity
//!   ∇∫p f = ∫p s f with ∫p ∇ln p = 0).
//! - k3 = r − 1 − lr: E[(1 − r)·s] = −∫q ∇ln p_θ = ∇θ KL(Q‖P_θ): the *other* direction.
//! - "k3 value, k2 gradient" (verl's `k3+`: k3 + (k2 − stop_grad(k2))): k2's gradient,
//!   ∇θ KL(P_θ‖Q).
//! - abs: E[−sign(lr)·s], which follows neither.
//!
//! These identities hold for unclamped estimators under this convention only. (Had the
//! sampling distribution been differentiated too, the expected gradient of the unbiased k1 and
//! k3 would be ∇θ KL(P_θ‖Q), that of k2 ∇θ E\[k2\].) A clamp makes k'(lr) = 0 where it is
//! active, as autograd differentiates `clamp`.

use rayon::prelude::*;

use super::monte_carlo::CHUNK;
use super::{Clamp, Estimator, slope};
use crate::cancel::{Cancel, Cancelled, Progress};
use crate::distribution::family::Family;
use crate::distribution::sample::{Sampler, chunk_rng};
use crate::distribution::{Distribution, Kind};
use crate::divergence::quad::{self, Point};
use crate::divergence::{Options, build_segments, infinite_reason};

/// The losses whose gradients are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// An estimator used as the loss.
    Estimator(Estimator),
    /// k3's value with k2's gradient (straight-through).
    K3ValueK2Gradient,
}

impl Loss {
    /// All five, in table order.
    pub const ALL: [Loss; 5] = [
        Loss::Estimator(Estimator::K1),
        Loss::Estimator(Estimator::K2),
        Loss::Estimator(Estimator::K3),
        Loss::Estimator(Estimator::Abs),
        Loss::K3ValueK2Gradient,
    ];

    /// The JSON key: `k1`, `k2`, `k3`, `abs`, `k3_k2grad`.
    pub fn key(self) -> &'static str {
        match self {
            Loss::Estimator(e) => e.key(),
            Loss::K3ValueK2Gradient => "k3_k2grad",
        }
    }

    /// k'(lr) for this loss under `clamp`.
    fn slope(self, clamp: Clamp, lr: f64) -> f64 {
        match self {
            Loss::Estimator(e) => slope(e, clamp, lr),
            Loss::K3ValueK2Gradient => slope(Estimator::K2, clamp, lr),
        }
    }
}

const L: usize = 5;

/// The most samples the gradients' Monte Carlo uses (the window and `estimate` cap N there:
/// its standard error is reported beside each figure).
pub const MAX_GRADIENT_SAMPLES: u64 = 1_000_000;

/// Per parameter, a value for each loss.
type PerLoss = Vec<[f64; L]>;

/// One parameter's gradients.
#[derive(Clone, Debug, PartialEq)]
pub struct GradientRow {
    /// The parameter's name (`mean`, `std_dev`, `l0`, …).
    pub param: String,
    /// ∂/∂θ KL(P_θ‖Q), exact.
    pub kl_pq: f64,
    /// ∂/∂θ KL(Q‖P_θ), exact.
    pub kl_qp: f64,
    /// The exact expected gradient of each loss, [`Loss::ALL`] order.
    pub exact: [f64; L],
    /// The Monte Carlo mean of each loss's per-sample gradient.
    pub mc: [f64; L],
    /// Its standard error.
    pub mc_se: [f64; L],
}

/// Every parameter's gradients.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    /// One row per parameter of P.
    pub rows: Vec<GradientRow>,
    /// How the exact figures were computed.
    pub method: String,
    /// Why the figures are undefined, when they are (an infinite KL); the values are then NaN.
    pub reason: Option<String>,
    /// The samples of the Monte Carlo figures.
    pub n: u64,
}

/// P's parametrisation, if it is one the gradients support.
enum Policy {
    Normal { mean: f64, sd: f64 },
    Logits { probs: Vec<f64> },
}

impl Policy {
    fn of(p: &Distribution) -> Option<Policy> {
        let Distribution::Parametric(pp) = p else {
            return None;
        };
        match pp.named() {
            Family::Normal(n) => Some(Policy::Normal {
                mean: n.mean,
                sd: n.std_dev,
            }),
            Family::Logits(l) => Some(Policy::Logits {
                probs: l.table.ln_probs().iter().map(|v| v.exp()).collect(),
            }),
            _ => None,
        }
    }

    fn names(&self) -> Vec<String> {
        match self {
            Policy::Normal { .. } => vec!["mean".into(), "std_dev".into()],
            Policy::Logits { probs } => (0..probs.len()).map(|i| format!("l{i}")).collect(),
        }
    }

    /// The score ∇θ ln p_θ(x) into `out`.
    #[inline]
    fn score(&self, x: f64, out: &mut [f64]) {
        match self {
            Policy::Normal { mean, sd } => {
                let z = (x - mean) / sd;
                out[0] = z / sd;
                out[1] = (z * z - 1.0) / sd;
            }
            Policy::Logits { probs } => {
                let i = x as usize;
                for (j, (o, p)) in out.iter_mut().zip(probs).enumerate() {
                    *o = f64::from(u8::from(i == j)) - p;
                }
            }
        }
    }
}

/// p·k'(ln r) at a point, without forming 0·∞ where p underflows and r overflows: k3's
/// slope r − 1 is written p·(r − 1) = q − p.
fn weighted_slope(loss: Loss, clamp: Clamp, lp: f64, lq: f64) -> f64 {
    let lr = lq - lp;
    let k = loss.slope(clamp, lr);
    if k == 0.0 {
        return 0.0;
    }
    if loss == Loss::Estimator(Estimator::K3) {
        return lq.exp() - lp.exp();
    }
    lp.exp() * k
}

/// Whether P is a policy whose gradients are computed (a normal or logits).
pub fn is_policy(p: &Distribution) -> bool {
    Policy::of(p).is_some()
}

/// The gradients of KL both ways and the expected gradient of each loss, exact and from `n`
/// samples seeded `seed`; `None` when P is not a supported policy or Q is of another kind.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set.
pub fn gradients(
    p: &Distribution,
    q: &Distribution,
    clamp: Clamp,
    n: u64,
    seed: u64,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<Option<Gradients>, Cancelled> {
    let Some(policy) = Policy::of(p) else {
        return Ok(None);
    };
    if p.kind() != q.kind() {
        return Ok(None);
    }
    let names = policy.names();
    let dim = names.len();
    let reason = infinite_reason(p, q, ["P", "Q"]).or_else(|| infinite_reason(q, p, ["Q", "P"]));
    let opts = Options {
        cancel: cancel.clone(),
        ..Options::default()
    };
    let (exact, kl_pq, kl_qp, method) = match &policy {
        Policy::Normal { .. } => normal_exact(p, q, &policy, clamp, &opts),
        Policy::Logits { probs } => logits_exact(probs, q, &policy, clamp),
    };
    cancel.check()?;
    let (mc, mc_se) = monte_carlo(p, q, &policy, dim, clamp, n.max(2), seed, cancel, progress)?;
    let nan_if = |v: f64| if reason.is_some() { f64::NAN } else { v };
    let rows = (0..dim)
        .map(|j| GradientRow {
            param: names[j].clone(),
            kl_pq: nan_if(kl_pq[j]),
            kl_qp: nan_if(kl_qp[j]),
            exact: std::array::from_fn(|l| nan_if(exact[j][l])),
            mc: std::array::from_fn(|l| nan_if(mc[j][l])),
            mc_se: std::array::from_fn(|l| nan_if(mc_se[j][l])),
        })
        .collect();
    Ok(Some(Gradients {
        rows,
        method,
        reason,
        n: n.max(2),
    }))
}

type Exact = (Vec<[f64; L]>, Vec<f64>, Vec<f64>, String);

fn normal_exact(
    p: &Distribution,
    q: &Distribution,
    policy: &Policy,
    clamp: Clamp,
    opts: &Options,
) -> Exact {
    let segs = build_segments(p, q, &p.support());
    // Integrands receive x and both log-densities and return the whole integrand.
    let integrate_p = |g: &dyn Fn(f64, f64, f64) -> f64| {
        let mut f = |pt: Point| {
            let x = pt.x();
            let lp = p.ln_density(x);
            if lp == f64::NEG_INFINITY {
                return 0.0;
            }
            g(x, lp, q.ln_density(x))
        };
        quad::integrate_until(&segs, &mut f, 1e-11, 1e-300, 4000, &opts.cancel).value
    };
    let exact: Vec<[f64; L]> = (0..2)
        .map(|j| {
            std::array::from_fn(|l| {
                let loss = Loss::ALL[l];
                integrate_p(&|x, lp, lq| {
                    let mut s = [0.0; 2];
                    policy.score(x, &mut s);
                    -weighted_slope(loss, clamp, lp, lq) * s[j]
                })
            })
        })
        .collect();
    let Policy::Normal { mean, sd } = *policy else {
        return (exact, vec![0.0; 2], vec![0.0; 2], String::new());
    };
    if let Distribution::Parametric(qq) = q
        && let Family::Normal(nq) = qq.named()
    {
        let (mq, sq) = (nq.mean, nq.std_dev);
        // KL(P‖Q) = ln(σq/σ) + (σ² + (μ − μq)²)/(2σq²) − ½; KL(Q‖P) = ln(σ/σq) + (σq² + (μq − μ)²)/(2σ²) − ½.
        let kl_pq = vec![(mean - mq) / (sq * sq), -1.0 / sd + sd / (sq * sq)];
        let kl_qp = vec![
            (mean - mq) / (sd * sd),
            1.0 / sd - (sq * sq + (mq - mean).powi(2)) / sd.powi(3),
        ];
        return (
            exact,
            kl_pq,
            kl_qp,
            "expected gradients by quadrature over P; ∇KL in closed form (two normals)".into(),
        );
    }
    // ∇KL(P‖Q) = E_P[s·(ln p − ln q)]; ∇KL(Q‖P) = −E_Q[s].
    let kl_pq = (0..2)
        .map(|j| {
            integrate_p(&|x, lp, lq| {
                let mut s = [0.0; 2];
                policy.score(x, &mut s);
                -(lq - lp) * lp.exp() * s[j]
            })
        })
        .collect();
    let segs_q = build_segments(q, p, &q.support());
    let kl_qp = (0..2)
        .map(|j| {
            let mut f = |pt: Point| {
                let x = pt.x();
                let lq = q.ln_density(x);
                if lq == f64::NEG_INFINITY {
                    return 0.0;
                }
                let mut s = [0.0; 2];
                policy.score(x, &mut s);
                -lq.exp() * s[j]
            };
            quad::integrate_until(&segs_q, &mut f, 1e-11, 1e-300, 4000, &opts.cancel).value
        })
        .collect();
    (
        exact,
        kl_pq,
        kl_qp,
        "expected gradients and ∇KL(P‖Q) by quadrature over P; ∇KL(Q‖P) = −E_Q[score] by quadrature over Q".into(),
    )
}

fn logits_exact(probs: &[f64], q: &Distribution, policy: &Policy, clamp: Clamp) -> Exact {
    let dim = probs.len();
    let lq: Vec<f64> = (0..dim).map(|i| q.ln_pmf(i as i64)).collect();
    let qs: Vec<f64> = lq.iter().map(|l| l.exp()).collect();
    let mut exact = vec![[0.0; L]; dim];
    let mut s = vec![0.0; dim];
    for (i, &pi) in probs.iter().enumerate() {
        if pi == 0.0 {
            continue;
        }
        let lr = lq[i] - pi.ln();
        policy.score(i as f64, &mut s);
        for (j, row) in exact.iter_mut().enumerate() {
            for (l, loss) in Loss::ALL.into_iter().enumerate() {
                row[l] += pi * -loss.slope(clamp, lr) * s[j];
            }
        }
    }
    let kl: f64 = probs
        .iter()
        .zip(&lq)
        .filter(|(p, _)| **p > 0.0)
        .map(|(p, l)| p * (p.ln() - l))
        .sum();
    // ∂/∂l_j KL(P‖Q) = p_j(ln p_j − ln q_j − KL); ∂/∂l_j KL(Q‖P) = p_j·Σq − q_j.
    let q_total: f64 = qs.iter().sum();
    let kl_pq = (0..dim)
        .map(|j| {
            if probs[j] == 0.0 {
                0.0
            } else {
                probs[j] * (probs[j].ln() - lq[j] - kl)
            }
        })
        .collect();
    let kl_qp = (0..dim).map(|j| probs[j] * q_total - qs[j]).collect();
    (
        exact,
        kl_pq,
        kl_qp,
        "exact sums over the categories; ∇KL from the softmax's closed forms".into(),
    )
}

#[allow(clippy::too_many_arguments)]
fn monte_carlo(
    p: &Distribution,
    q: &Distribution,
    policy: &Policy,
    dim: usize,
    clamp: Clamp,
    n: u64,
    seed: u64,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<(PerLoss, PerLoss), Cancelled> {
    let sampler = Sampler::new(p);
    let discrete = p.kind() == Kind::Discrete;
    let chunks = n.div_ceil(CHUNK);
    let done = std::sync::atomic::AtomicU64::new(0);
    let outs: Vec<Option<(PerLoss, PerLoss)>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            if cancel.is_cancelled() {
                return None;
            }
            let len = CHUNK.min(n - c * CHUNK);
            let mut rng = chunk_rng(seed, c);
            let mut sum = vec![[0.0; L]; dim];
            let mut sumsq = vec![[0.0; L]; dim];
            let mut s = vec![0.0; dim];
            for _ in 0..len {
                let x = sampler.sample(&mut rng);
                let (lp, lq) = if discrete {
                    (p.ln_pmf(x as i64), q.ln_pmf(x as i64))
                } else {
                    (p.ln_density(x), q.ln_density(x))
                };
                let lr = lq - lp;
                policy.score(x, &mut s);
                for l in 0..L {
                    let k = -Loss::ALL[l].slope(clamp, lr);
                    for j in 0..dim {
                        let g = k * s[j];
                        sum[j][l] += g;
                        sumsq[j][l] += g * g;
                    }
                }
            }
            let finished = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress.set(finished as f64 / chunks as f64);
            Some((sum, sumsq))
        })
        .collect();
    cancel.check()?;
    let mut sum = vec![[0.0; L]; dim];
    let mut sumsq = vec![[0.0; L]; dim];
    for (s, ss) in outs.into_iter().flatten() {
        for j in 0..dim {
            for l in 0..L {
                sum[j][l] += s[j][l];
                sumsq[j][l] += ss[j][l];
            }
        }
    }
    let nf = n as f64;
    let mean: Vec<[f64; L]> = sum
        .iter()
        .map(|r| std::array::from_fn(|l| r[l] / nf))
        .collect();
    let se = sumsq
        .iter()
        .zip(&mean)
        .map(|(ss, m)| {
            std::array::from_fn(|l| {
                let var = ((ss[l] / nf - m[l] * m[l]) * nf / (nf - 1.0)).max(0.0);
                (var / nf).sqrt()
            })
        })
        .collect();
    Ok((mean, se))
}
