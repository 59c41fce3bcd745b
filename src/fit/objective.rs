//! The objective: KL between P and Q_θ in one direction, from the engine, and its gradient
//! and Hessian in θ by differentiating under the integral.
//!
//! Under the integral, with s = ∂θ ln q and h = ∂²θ ln q:
//! - forward, f(θ) = ∫ p (ln p − ln q): ∇f = −∫ p s, ∇²f = −∫ p h;
//! - reverse, f(θ) = ∫ q (ln q − ln p) = ∫ q L: ∇f = ∫ q s L (the score has mean 0),
//!   ∇²f = ∫ q ((s sᵀ + h) L + s sᵀ).
//!
//! s and h are central differences of ln q in θ at each node (the log density is analytic in
//! θ, so a fourth-order difference with step 10⁻³ is good to about 10⁻¹² relative, and the
//! Hessian's to 10⁻⁷); the integrals are a vector Gauss–Kronrod rule on the engine's own
//! segments, bisected until every component is good to 10⁻¹¹ of its absolute integral.

use crate::cancel::Cancel;
use crate::distribution::{Distribution, Parametric};
use crate::divergence::quad::{Segment, kronrod_many};
use crate::divergence::{self, Figure, Options, build_segments, infinite_reason};

use super::family::QFamily;

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
const STEP: f64 = 1e-3;

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
        let stencil = Stencil::new(self.family, theta)?;
        let q = Distribution::Parametric(stencil.center.clone());
        let (a, b) = match self.direction {
            Direction::Forward => (&self.p, &q),
            Direction::Reverse => (&q, &self.p),
        };
        let segs = build_segments(a, b, &a.support());
        let forward = self.direction == Direction::Forward;
        let p = &self.p;
        let integrand = |x: f64| -> [f64; N] {
            let mut out = [0.0; N];
            let lp = p.ln_density(x);
            let (s, h, lq) = stencil.scores(x);
            if forward {
                let w = lp.exp();
                if w == 0.0 {
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
        // TODO(speed): the Hessian's integrand carries the 10⁻⁷ of its differences, so 10⁻¹¹
        // subdivides noise (a fit takes seconds); loosening it alone stopped a gamma(3, 2)
        // fit converging to 10⁻¹⁰, so it stays until the cause is found.
        let tols = [1e-11; N];
        let sums = integrate_vector(&segs, &integrand, &tols, &self.opts.cancel)?;
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

/// Q at θ and at the points of a difference stencil around it.
struct Stencil {
    center: Parametric,
    dim: usize,
    /// ±h, ±2h along each axis: index 4i + {0: +h, 1: −h, 2: +2h, 3: −2h}.
    axis: Vec<Parametric>,
    /// (+,+), (+,−), (−,+), (−,−) for each pair i < j.
    cross: Vec<Parametric>,
}

impl Stencil {
    fn new(family: QFamily, theta: &[f64]) -> Option<Stencil> {
        let d = theta.len();
        let at = |shift: &[(usize, f64)]| {
            let mut t = theta.to_vec();
            for &(i, s) in shift {
                t[i] += s;
            }
            family.q(&t)
        };
        let mut axis = Vec::with_capacity(4 * d);
        for i in 0..d {
            for s in [STEP, -STEP, 2.0 * STEP, -2.0 * STEP] {
                axis.push(at(&[(i, s)])?);
            }
        }
        let mut cross = Vec::new();
        for i in 0..d {
            for j in i + 1..d {
                for (si, sj) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
                    cross.push(at(&[(i, si * STEP), (j, sj * STEP)])?);
                }
            }
        }
        Some(Stencil {
            center: family.q(theta)?,
            dim: d,
            axis,
            cross,
        })
    }

    /// The score s, the Hessian h of ln q (3 × 3, row-major) and ln q at x.
    fn scores(&self, x: f64) -> ([f64; 3], [f64; 9], f64) {
        let lq = self.center.ln_pdf(x);
        let mut s = [0.0; 3];
        let mut h = [0.0; 9];
        if lq == f64::NEG_INFINITY {
            return (s, h, lq);
        }
        for i in 0..self.dim {
            let v: Vec<f64> = self.axis[4 * i..4 * i + 4]
                .iter()
                .map(|q| q.ln_pdf(x))
                .collect();
            s[i] = (8.0 * (v[0] - v[1]) - (v[2] - v[3])) / (12.0 * STEP);
            // Fourth order too: (−f(2h) + 16f(h) − 30f + 16f(−h) − f(−2h)) / 12h².
            h[i * 3 + i] =
                (-(v[2] + v[3]) + 16.0 * (v[0] + v[1]) - 30.0 * lq) / (12.0 * STEP * STEP);
        }
        let mut k = 0;
        for i in 0..self.dim {
            for j in i + 1..self.dim {
                let v: Vec<f64> = self.cross[4 * k..4 * k + 4]
                    .iter()
                    .map(|q| q.ln_pdf(x))
                    .collect();
                let hij = (v[0] - v[1] - v[2] + v[3]) / (4.0 * STEP * STEP);
                h[i * 3 + j] = hij;
                h[j * 3 + i] = hij;
                k += 1;
            }
        }
        (s, h, lq)
    }
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
