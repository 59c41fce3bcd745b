//! The objective: KL between P and Q_θ in one direction, from the engine, and its gradient
//! and Hessian in θ by differentiating under the integral.
//!
//! Under the integral, with s = ∂θ ln q and h = ∂²θ ln q:
//! - forward, f(θ) = ∫ p (ln p − ln q): ∇f = −∫ p s, ∇²f = −∫ p h;
//! - reverse, f(θ) = ∫ q (ln q − ln p) = ∫ q L: ∇f = ∫ q s L (the score has mean 0),
//!   ∇²f = ∫ q ((s sᵀ + h) L + s sᵀ).
//!
//! s and h are each family's closed forms ([`super::score`]; Laplace's kink adds a point
//! term to h); the integrals are a vector Gauss–Kronrod rule on the engine's own segments,
//! bisected until every component is good to 10⁻¹¹ of its absolute integral.

use crate::cancel::Cancel;
use crate::distribution::Distribution;
use crate::divergence::quad::{Segment, kronrod_many};
use crate::divergence::{self, Figure, Options, build_segments, infinite_reason};

use super::family::QFamily;
use super::score::{Scorer, Scores};

/// Which KL is minimised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// KL(P‖Q): mass-covering (moment matching in exponential families).
    Forward,
    /// KL(Q‖P): mode-seeking, with local optima.
    Reverse,
}

impl Direction {
    /// `forward` or `reverse`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Reverse => "reverse",
        }
    }

    /// `KL(P‖Q)` or `KL(Q‖P)`.
    pub fn formula(self) -> &'static str {
        match self {
            Direction::Forward => "KL(P‖Q)",
            Direction::Reverse => "KL(Q‖P)",
        }
    }

    /// What its minimum does: `mass-covering` or `mode-seeking`.
    pub fn character(self) -> &'static str {
        match self {
            Direction::Forward => "mass-covering",
            Direction::Reverse => "mode-seeking",
        }
    }

    /// Parses `forward` / `reverse` (also `pq`, `qp`).
    pub fn from_name(s: &str) -> Option<Direction> {
        match s.trim().to_lowercase().as_str() {
            "forward" | "pq" | "p||q" => Some(Direction::Forward),
            "reverse" | "qp" | "q||p" => Some(Direction::Reverse),
            _ => None,
        }
    }
}

/// A fitting problem: P, Q's family and the direction.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The target.
    pub p: Distribution,
    /// Q's family.
    pub family: QFamily,
    /// Which KL.
    pub direction: Direction,
    /// Engine options (cancel flag included).
    pub opts: Options,
}

/// Value, gradient and Hessian at one θ.
#[derive(Clone, Debug, PartialEq)]
pub struct Derivatives {
    /// KL by the vector rule (the reported KL comes from the engine).
    pub value: f64,
    /// ∇θ KL.
    pub gradient: Vec<f64>,
    /// ∇²θ KL, row-major d × d.
    pub hessian: Vec<f64>,
}

pub(super) const N: usize = 10;

impl Problem {
    /// A problem with default engine options.
    pub fn new(p: Distribution, family: QFamily, direction: Direction) -> Self {
        Problem {
            p,
            family,
            direction,
            opts: Options::default(),
        }
    }

    /// The dimension of θ.
    pub fn dim(&self) -> usize {
        self.family.dim()
    }

    /// KL at θ from the engine (closed forms where they exist, quadrature otherwise); ∞ with
    /// its reason where Q or P has mass the other lacks.
    pub fn kl(&self, theta: &[f64]) -> Figure {
        let Some(q) = self.family.q(theta) else {
            return infinite_figure(format!(
                "{} cannot be represented at these parameters",
                self.family.name()
            ));
        };
        let q = Distribution::Parametric(q);
        let r = match self.direction {
            Direction::Forward => divergence::kl_divergence(&self.p, &q, &self.opts),
            Direction::Reverse => divergence::kl_divergence(&q, &self.p, &self.opts),
        };
        r.unwrap_or_else(|e| infinite_figure(e.to_string()))
    }

    /// Why KL is ∞ at θ, if it is (a support mismatch or a divergent tail).
    pub fn infinite_reason(&self, theta: &[f64]) -> Option<String> {
        let q = Distribution::Parametric(self.family.q(theta)?);
        match self.direction {
            Direction::Forward => infinite_reason(&self.p, &q, ["P", "Q"]),
            Direction::Reverse => infinite_reason(&q, &self.p, ["Q", "P"]),
        }
    }

    /// Value, gradient and Hessian at θ; `None` where KL is ∞ or Q cannot be built.
    pub fn derivatives(&self, theta: &[f64]) -> Option<Derivatives> {
        let d = self.dim();
        if d > 3 || self.infinite_reason(theta).is_some() {
            return None;
        }
        let scorer = Scorer::new(self.family, theta)?;
        let q = Distribution::Parametric(scorer.q.clone());
        let (a, b) = match self.direction {
            Direction::Forward => (&self.p, &q),
            Direction::Reverse => (&q, &self.p),
        };
        let segs = build_segments(a, b, &a.support());
        let forward = self.direction == Direction::Forward;
        let p = &self.p;
        let integrand = |x: f64| -> [f64; N] {
            let mut out = [0.0; N];
            if !x.is_finite() {
                // Both densities vanish at ±∞ (a tail map's last nodes can reach it).
                return out;
            }
            let lp = p.ln_density(x);
            let Scores { lq, s, h } = scorer.at(x);
            if forward {
                let w = lp.exp();
                if !(w > 0.0) {
                    return out;
                }
                out[0] = w * (lp - lq);
                for i in 0..d {
                    out[1 + i] = -w * s[i];
                }
                for (k, (i, j)) in pairs(d).enumerate() {
                    out[1 + d + k] = -w * h[i * 3 + j];
                }
            } else {
                let w = lq.exp();
                if w == 0.0 {
                    return out;
                }
                let l = lq - lp;
                out[0] = w * l;
                for i in 0..d {
                    out[1 + i] = w * s[i] * l;
                }
                for (k, (i, j)) in pairs(d).enumerate() {
                    let ss = s[i] * s[j];
                    out[1 + d + k] = w * ((ss + h[i * 3 + j]) * l + ss);
                }
            }
            out
        };
        let tols = [1e-11; N];
        let mut sums = integrate_vector(&segs, &integrand, &tols, &self.opts.cancel)?;
        if let Some((x0, c)) = scorer.delta() {
            // h's point term: −∫p h gains −p(x₀)c; ∫q h L gains q(x₀)L(x₀)c.
            let (lp, lq) = (p.ln_density(x0), scorer.q.ln_pdf(x0));
            let weight = if forward {
                -lp.exp()
            } else if lq.exp() > 0.0 {
                lq.exp() * (lq - lp)
            } else {
                0.0
            };
            for (k, (i, j)) in pairs(d).enumerate() {
                sums[1 + d + k] += weight * c[i * 3 + j];
            }
        }
        let mut hessian = vec![0.0; d * d];
        for (k, (i, j)) in pairs(d).enumerate() {
            hessian[i * d + j] = sums[1 + d + k];
            hessian[j * d + i] = sums[1 + d + k];
        }
        Some(Derivatives {
            value: sums[0],
            gradient: sums[1..=d].to_vec(),
            hessian,
        })
    }
}

/// The pairs (i, j), i ≤ j, in a fixed order.
fn pairs(d: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..d).flat_map(move |i| (i..d).map(move |j| (i, j)))
}

/// ∫ f over the segments for a vector integrand, bisecting each piece of `u ∈ [0, 1]` until
/// every component's error estimate is below its tolerance times the piece's absolute
/// integral (or 10⁻¹⁶); `None` when cancelled or a component is not finite.
pub(super) fn integrate_vector(
    segs: &[Segment],
    f: &dyn Fn(f64) -> [f64; N],
    tols: &[f64; N],
    cancel: &Cancel,
) -> Option<[f64; N]> {
    let mut total = [0.0; N];
    let mut budget = 20_000usize;
    for seg in segs {
        let mut stack = vec![(0.0f64, 1.0f64, 0u32)];
        while let Some((lo, hi, depth)) = stack.pop() {
            if cancel.is_cancelled() {
                return None;
            }
            let r = kronrod_many::<N>(lo, hi, |u| {
                let (pt, jac) = seg.map(u);
                let v = f(pt.x());
                std::array::from_fn(|i| {
                    if jac == 0.0 || v[i] == 0.0 {
                        0.0
                    } else {
                        v[i] * jac
                    }
                })
            });
            let fine = r
                .iter()
                .zip(tols)
                .all(|((_, err, abs), tol)| err.is_finite() && *err <= tol * abs + 1e-16);
            budget = budget.saturating_sub(1);
            if fine || depth >= 40 || budget == 0 {
                for (t, (v, _, _)) in total.iter_mut().zip(r) {
                    *t += v;
                }
            } else {
                let mid = 0.5 * (lo + hi);
                stack.push((lo, mid, depth + 1));
                stack.push((mid, hi, depth + 1));
            }
        }
    }
    total.iter().all(|v| v.is_finite()).then_some(total)
}

/// KL = ∞ with its reason.
pub fn infinite_figure(reason: String) -> Figure {
    Figure {
        value: f64::INFINITY,
        error: 0.0,
        method: "support and tail analysis".into(),
        reason: Some(reason),
    }
}
