//! The pass between two minima: where the lowest path from one to the other crosses, found
//! by the string method (E, Ren & Vanden-Eijnden 2007) and finished by Newton on ∇KL = 0.
//!
//! - The string: [`IMAGES`] points of θ, the two minima at its ends, first on the straight
//!   line between them. Each step moves every inner image by a Newton step on KL within the
//!   hyperplane normal to the string (the analytic Hessian restricted to it, its
//!   eigenvalues replaced by their absolute values, floored, steps capped at
//!   [`MAX_MOVE`]), clamps it to the family's bounds, and puts the images back at equal
//!   arc length along the polyline. It stops when no image moves more than
//!   [`STRING_TOL`] in a step, or after [`STRING_ITER`] steps: the string then lies along
//!   the valley floor (the minimum energy path) and its highest image near the pass.
//! - The pass: Newton on ∇KL = 0 ([`super::newton::stationary`]) from the highest inner
//!   image, converged when its step is below 10⁻¹⁰ in θ, the kind from the Hessian's
//!   eigenvalues. A point with one negative eigenvalue is the saddle.
//! - When the highest image sits on a bound of the family (for a student_t, freedom → ∞)
//!   and KL still decreases outwards there, the path's highest point is on the edge: no
//!   Q of the family is the pass. For the student_t's freedom the limit family is the
//!   normal, and the pass is the normal family's saddle at the image's location and scale
//!   (Newton on the normal's ∇KL = 0), said in words.

use rayon::prelude::*;

use super::QFamily;
use super::newton::{stationary, symmetric_eigen};
use super::objective::{Derivatives, Problem};
use super::search::{Stationary, StationaryKind};
use crate::cancel::Cancelled;
use crate::distribution::Parametric;
use crate::divergence::Figure;

/// Points on the string, the two ends included.
pub const IMAGES: usize = 15;
/// The most steps the string takes.
pub const STRING_ITER: usize = 60;
/// The string has settled when no image moves more than this in θ in one step.
pub const STRING_TOL: f64 = 1e-4;
/// The largest move of one image in one step, in θ.
pub const MAX_MOVE: f64 = 0.5;
/// Newton steps allowed from the highest image to the pass.
pub const PASS_ITER: usize = 60;

/// Where the lowest path between two minima crosses.
#[derive(Clone, Debug, PartialEq)]
pub enum Crossing {
    /// An interior saddle (one negative eigenvalue of the Hessian).
    Saddle(Stationary),
    /// The path's highest point runs to an edge of the family: no interior saddle.
    Edge(EdgeCrossing),
    /// The string or Newton from its top did not settle on a pass: the reason.
    Unresolved(String),
}

/// The path's highest point on an edge of the family.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeCrossing {
    /// The spec parameter at its bound.
    pub param: &'static str,
    /// Whether it grows without bound (else it shrinks to 0).
    pub to_infinity: bool,
    /// θ of the highest image with that parameter moved to its bound.
    pub theta: Vec<f64>,
    /// KL there, from the engine.
    pub kl: Figure,
    /// ∂KL/∂θᵢ of that parameter there (KL still falls towards the edge: negative towards ∞,
    /// positive towards 0).
    pub outward_slope: f64,
    /// The saddle of the limit family (a normal, for a student_t's freedom → ∞), if the
    /// edge has one and Newton found it.
    pub limit: Option<Stationary>,
}

/// The pass between two minima.
#[derive(Clone, Debug, PartialEq)]
pub struct Pass {
    /// The minima at the ends.
    pub ends: [Parametric; 2],
    /// The settled string, θ of each image.
    pub path: Vec<Vec<f64>>,
    /// String steps taken.
    pub steps: usize,
    /// Whether the string settled (no image moved more than [`STRING_TOL`]).
    pub settled: bool,
    /// Where the path crosses: one per hump of the settled string (an image higher than
    /// both its neighbours), in order from the first end.
    pub crossings: Vec<Crossing>,
}

impl Pass {
    /// The pass in words.
    pub fn sentence(&self) -> String {
        let ends = format!(
            "between {} and {}",
            self.ends[0].to_spec(),
            self.ends[1].to_spec()
        );
        if self.crossings.is_empty() {
            return format!("{ends}: no pass found (the path has no highest point inside)");
        }
        let parts: Vec<String> = self.crossings.iter().map(Crossing::sentence).collect();
        format!("{ends}, the lowest path crosses {}", parts.join("; then "))
    }

    /// KL at the highest crossing (the limit's for an edge), if every crossing was resolved.
    pub fn kl(&self) -> Option<f64> {
        self.crossings
            .iter()
            .map(Crossing::kl)
            .try_fold(f64::NEG_INFINITY, |m, k| k.map(|k| m.max(k)))
            .filter(|k| k.is_finite())
    }
}

impl Crossing {
    /// The crossing in words.
    pub fn sentence(&self) -> String {
        match self {
            Crossing::Saddle(s) => format!(
                "the saddle {} (KL {})",
                s.q.to_spec(),
                crate::divergence::format_value(s.kl.value)
            ),
            Crossing::Edge(e) => {
                let limit = if e.to_infinity { "∞" } else { "0" };
                let at = match &e.limit {
                    Some(s) => format!(
                        ", where Q tends to {}, a saddle of the {} family (KL {})",
                        s.q.to_spec(),
                        s.q.family().name(),
                        crate::divergence::format_value(s.kl.value)
                    ),
                    None => format!(
                        " (KL {} there)",
                        crate::divergence::format_value(e.kl.value)
                    ),
                };
                format!(
                    "no interior saddle: the path's highest point is at the edge of the family, \
                     {} → {limit}{at}, and KL still decreases towards the edge there",
                    e.param
                )
            }
            Crossing::Unresolved(why) => format!("no pass found ({why})"),
        }
    }

    /// KL at the crossing (the limit's for an edge), if it was resolved.
    pub fn kl(&self) -> Option<f64> {
        match self {
            Crossing::Saddle(s) => Some(s.kl.value),
            Crossing::Edge(e) => Some(e.limit.as_ref().map_or(e.kl.value, |s| s.kl.value)),
            Crossing::Unresolved(_) => None,
        }
    }

    /// The first two coordinates of θ at the crossing (the limit's location and scale for
    /// an edge).
    pub fn map_point(&self) -> Option<[f64; 2]> {
        let t = match self {
            Crossing::Saddle(s) => &s.theta,
            Crossing::Edge(e) => e.limit.as_ref().map_or(&e.theta, |s| &s.theta),
            Crossing::Unresolved(_) => return None,
        };
        Some([*t.first()?, *t.get(1)?])
    }
}

/// A stationary point from derivatives at θ: its kind and eigenvalues from the Hessian, KL
/// from the engine.
pub fn stationary_at(problem: &Problem, theta: &[f64], der: &Derivatives) -> Option<Stationary> {
    let d = problem.dim();
    let (mut eigenvalues, _) = symmetric_eigen(&der.hessian, d);
    eigenvalues.sort_by(f64::total_cmp);
    Some(Stationary {
        kind: StationaryKind::of_hessian(&der.hessian, d),
        kl: problem.kl(theta),
        gradient_norm: der.gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
        theta: theta.to_vec(),
        q: problem.family.q(theta)?,
        eigenvalues,
    })
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The Newton step on KL within the hyperplane normal to `tangent`, on the face of the
/// coordinates `held` (at a bound, KL falling outwards): −(P H̃ P)⁺ P g, P the projection on
/// that subspace, H̃ the Hessian with its eigenvalues' absolute values, floored; capped at
/// [`MAX_MOVE`].
fn normal_step(der: &Derivatives, tangent: &[f64], held: &[bool]) -> Vec<f64> {
    let d = tangent.len();
    let unit = |k: usize| -> Vec<f64> {
        let mut v = vec![0.0; d];
        v[k] = 1.0;
        v
    };
    let orthogonalise = |v: &mut Vec<f64>, against: &[Vec<f64>]| {
        for b in against {
            let c = dot(v, b);
            for (vi, bi) in v.iter_mut().zip(b) {
                *vi -= c * bi;
            }
        }
        let n = dot(v, v).sqrt();
        if n > 1e-6 {
            for x in v.iter_mut() {
                *x /= n;
            }
            true
        } else {
            false
        }
    };
    // The held coordinates' directions, then the tangent within the face, then a basis of
    // what is left: Gram–Schmidt on the unit vectors.
    let mut fixed: Vec<Vec<f64>> = (0..d).filter(|i| held[*i]).map(unit).collect();
    let mut t = tangent.to_vec();
    if orthogonalise(&mut t, &fixed) {
        fixed.push(t);
    }
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for k in 0..d {
        let mut v = unit(k);
        let against: Vec<Vec<f64>> = fixed.iter().chain(&basis).cloned().collect();
        if orthogonalise(&mut v, &against) {
            basis.push(v);
        }
    }
    let m = basis.len();
    let hv = |v: &[f64]| -> Vec<f64> {
        (0..d)
            .map(|i| (0..d).map(|j| der.hessian[i * d + j] * v[j]).sum())
            .collect()
    };
    let mut h = vec![0.0; m * m];
    for a in 0..m {
        let ha = hv(&basis[a]);
        for b in 0..m {
            h[a * m + b] = dot(&ha, &basis[b]);
        }
    }
    let g: Vec<f64> = basis.iter().map(|b| dot(b, &der.gradient)).collect();
    let (lambda, v) = symmetric_eigen(&h, m);
    let scale = lambda.iter().fold(0.0f64, |a, l| a.max(l.abs()));
    let floor = 1e-8 * scale.max(1e-12);
    let mut coef = vec![0.0; m];
    for k in 0..m {
        let l = lambda[k].abs().max(floor);
        let proj: f64 = (0..m).map(|i| v[i * m + k] * g[i]).sum();
        for i in 0..m {
            coef[i] -= v[i * m + k] * proj / l;
        }
    }
    let mut step = vec![0.0; d];
    for (c, b) in coef.iter().zip(&basis) {
        for (s, bi) in step.iter_mut().zip(b) {
            *s += c * bi;
        }
    }
    let n = dot(&step, &step).sqrt();
    if n > MAX_MOVE {
        for s in &mut step {
            *s *= MAX_MOVE / n;
        }
    }
    step
}

fn clamp(family: QFamily, theta: &mut [f64]) {
    for (i, t) in theta.iter_mut().enumerate() {
        let (lo, hi) = family.bounds(i);
        *t = t.clamp(lo, hi);
    }
}

/// Whether coordinate `i` of θ is a student_t's ln freedom, which the string takes as
/// 1/freedom.
fn inverted(family: QFamily, i: usize) -> bool {
    family == QFamily::StudentT && i == 2
}

/// The string's coordinates ξ: θ, except a student_t's ln freedom τ, which is ω = e^(−τ) =
/// 1/freedom there. KL approaches its limit as freedom → ∞ like c/freedom, so in τ the
/// approach is flat and long (it would take most of the string's length), in ω it is a
/// plain slope up to a face at ω = 0.
fn to_xi(family: QFamily, theta: &[f64]) -> Vec<f64> {
    theta
        .iter()
        .enumerate()
        .map(|(i, t)| if inverted(family, i) { (-t).exp() } else { *t })
        .collect()
}

fn to_theta(family: QFamily, xi: &[f64]) -> Vec<f64> {
    xi.iter()
        .enumerate()
        .map(|(i, x)| if inverted(family, i) { -x.ln() } else { *x })
        .collect()
}

/// The gradient and Hessian in ξ from those in θ (the map is coordinate-wise: θᵢ = −ln ξᵢ
/// for the inverted coordinate, so dθᵢ/dξᵢ = −1/ξᵢ and d²θᵢ/dξᵢ² = 1/ξᵢ²).
fn derivatives_in_xi(family: QFamily, theta: &[f64], der: &Derivatives) -> Derivatives {
    let d = theta.len();
    let (j1, j2): (Vec<f64>, Vec<f64>) = (0..d)
        .map(|i| {
            if inverted(family, i) {
                let nu = theta[i].exp();
                (-nu, nu * nu)
            } else {
                (1.0, 0.0)
            }
        })
        .unzip();
    let gradient: Vec<f64> = (0..d).map(|i| der.gradient[i] * j1[i]).collect();
    let mut hessian = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            hessian[i * d + j] = der.hessian[i * d + j] * j1[i] * j1[j];
        }
        hessian[i * d + i] += der.gradient[i] * j2[i];
    }
    Derivatives {
        value: der.value,
        gradient,
        hessian,
    }
}

/// ξ's bounds: the family's bounds on θ, mapped.
fn xi_bounds(family: QFamily, i: usize) -> (f64, f64) {
    let (lo, hi) = family.bounds(i);
    if inverted(family, i) {
        ((-hi).exp(), (-lo).exp())
    } else {
        (lo, hi)
    }
}

/// Whether ξᵢ is at (within 10⁻⁶ of the span to) its bound and KL falls outwards there.
fn held(family: QFamily, xi: &[f64], gradient_xi: &[f64]) -> Vec<bool> {
    (0..xi.len())
        .map(|i| {
            let (lo, hi) = xi_bounds(family, i);
            let near = 1e-6 * (hi - lo).min(1.0) + if inverted(family, i) { lo } else { 0.0 };
            let g = gradient_xi[i];
            (xi[i] >= hi - near && g < 0.0) || (xi[i] <= lo + near && g > 0.0)
        })
        .collect()
}

/// An image at ξ moved by `step`, clamped to the family's bounds (a freedom by at most a
/// factor e down in one move), the step halved while KL is ∞ at the end.
fn moved(problem: &Problem, xi: &[f64], step: &[f64]) -> Vec<f64> {
    let family = problem.family;
    let mut t = 1.0;
    for _ in 0..12 {
        let trial: Vec<f64> = (0..xi.len())
            .map(|i| {
                let (lo, hi) = xi_bounds(family, i);
                let x = xi[i] + t * step[i];
                let hi = if inverted(family, i) {
                    hi.min(xi[i] * std::f64::consts::E)
                } else {
                    hi
                };
                x.clamp(lo, hi)
            })
            .collect();
        let mut theta = to_theta(family, &trial);
        clamp(family, &mut theta);
        if problem.infinite_reason(&theta).is_none() {
            return trial;
        }
        t *= 0.5;
    }
    xi.to_vec()
}

/// The images put back at equal arc length along the polyline through them.
fn redistribute(phi: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = phi.len();
    let mut s = vec![0.0; n];
    for k in 1..n {
        let step: f64 = phi[k]
            .iter()
            .zip(&phi[k - 1])
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        s[k] = s[k - 1] + step;
    }
    let total = s[n - 1];
    if !(total > 0.0) {
        return phi.to_vec();
    }
    let mut out = Vec::with_capacity(n);
    let mut seg = 0;
    for k in 0..n {
        let target = total * k as f64 / (n - 1) as f64;
        while seg + 2 < n && s[seg + 1] < target {
            seg += 1;
        }
        let len = s[seg + 1] - s[seg];
        let t = if len > 0.0 {
            ((target - s[seg]) / len).clamp(0.0, 1.0)
        } else {
            0.0
        };
        out.push(
            phi[seg]
                .iter()
                .zip(&phi[seg + 1])
                .map(|(a, b)| a + t * (b - a))
                .collect(),
        );
    }
    out
}

/// The limit family at an edge, if it has one: a student_t whose freedom → ∞ is a normal
/// with its location and scale.
fn limit_family(family: QFamily, param: usize, to_infinity: bool) -> Option<QFamily> {
    (family == QFamily::StudentT && param == 2 && to_infinity).then_some(QFamily::Normal)
}

/// The pass between the minima `a` and `b` (θ); `None` when an end is not a valid Q.
///
/// # Errors
/// [`Cancelled`] when the problem's cancel flag is set.
pub fn pass_between(problem: &Problem, a: &[f64], b: &[f64]) -> Result<Option<Pass>, Cancelled> {
    let family = problem.family;
    let (Some(qa), Some(qb)) = (family.q(a), family.q(b)) else {
        return Ok(None);
    };
    let ends = [qa, qb];
    let n = IMAGES;
    let (xa, xb) = (to_xi(family, a), to_xi(family, b));
    // The string, in ξ.
    let mut phi: Vec<Vec<f64>> = (0..n)
        .map(|k| {
            let t = k as f64 / (n - 1) as f64;
            xa.iter().zip(&xb).map(|(x, y)| x + t * (y - x)).collect()
        })
        .collect();
    let mut settled = false;
    let mut steps = 0;
    while steps < STRING_ITER {
        problem.opts.cancel.check()?;
        let ders: Vec<Option<Derivatives>> = phi[1..n - 1]
            .par_iter()
            .map(|x| {
                let theta = to_theta(family, x);
                problem
                    .derivatives(&theta)
                    .map(|d| derivatives_in_xi(family, &theta, &d))
            })
            .collect();
        steps += 1;
        let mut next = phi.clone();
        for k in 1..n - 1 {
            let Some(der) = &ders[k - 1] else { continue };
            let mut tangent: Vec<f64> = phi[k + 1]
                .iter()
                .zip(&phi[k - 1])
                .map(|(x, y)| x - y)
                .collect();
            let len = dot(&tangent, &tangent).sqrt();
            if !(len > 0.0) {
                continue;
            }
            for t in &mut tangent {
                *t /= len;
            }
            let held = held(family, &phi[k], &der.gradient);
            next[k] = moved(problem, &phi[k], &normal_step(der, &tangent, &held));
        }
        let next = redistribute(&next);
        let most = next
            .iter()
            .zip(&phi)
            .flat_map(|(x, y)| x.iter().zip(y).map(|(a, b)| (a - b).abs()))
            .fold(0.0f64, f64::max);
        phi = next;
        if most < STRING_TOL {
            settled = true;
            break;
        }
    }
    let phi: Vec<Vec<f64>> = phi.iter().map(|x| to_theta(family, x)).collect();
    problem.opts.cancel.check()?;
    // The values at the settled string's images.
    let values: Vec<f64> = phi[1..n - 1]
        .par_iter()
        .map(|t| problem.derivatives(t).map_or(f64::INFINITY, |d| d.value))
        .collect();
    // Every hump: an inner image higher than both neighbours (the ends are minima).
    let at = |k: usize| {
        if k == 0 || k == n - 1 {
            f64::NEG_INFINITY
        } else {
            values[k - 1]
        }
    };
    let mut crossings = Vec::new();
    for (k, image) in phi.iter().enumerate().take(n - 1).skip(1) {
        if !at(k).is_finite() {
            crossings.push(Crossing::Unresolved(
                "KL is ∞ or cannot be integrated along the path".into(),
            ));
            break;
        }
        if at(k) > at(k - 1) && at(k) >= at(k + 1) {
            crossings.push(crossing_from(problem, image));
        }
    }
    Ok(Some(Pass {
        ends,
        path: phi,
        steps,
        settled,
        crossings,
    }))
}

/// The crossing from the string's highest image `top`: Newton on ∇KL = 0 from it; failing
/// a saddle there, the edge the top leans on, if any.
fn crossing_from(problem: &Problem, top: &[f64]) -> Crossing {
    let run = stationary(problem, top, PASS_ITER);
    let why = match (&run.last, run.converged) {
        (Some(der), true) => match stationary_at(problem, &run.theta, der) {
            Some(s) if s.kind == StationaryKind::Saddle => return Crossing::Saddle(s),
            Some(s) => format!(
                "Newton from the path's top reached a {}, not a saddle",
                s.kind.name()
            ),
            None => "Q cannot be built at the path's top".to_string(),
        },
        _ => format!(
            "Newton on ∇KL = 0 from the path's top did not converge in {} steps",
            run.iterations
        ),
    };
    edge_crossing(problem, top).map_or(Crossing::Unresolved(why), Crossing::Edge)
}

/// The edge the path's top leans on: a coordinate along which KL falls outwards at the top,
/// still falls at the bound with the others unchanged, and is lower there. Of several, the
/// one with the lowest KL at its bound.
fn edge_crossing(problem: &Problem, top: &[f64]) -> Option<EdgeCrossing> {
    let family = problem.family;
    let names = family.param_names();
    let der = problem.derivatives(top)?;
    let mut best: Option<(f64, EdgeCrossing)> = None;
    for (i, g) in der.gradient.iter().enumerate() {
        // Only scales, shapes and freedoms have edges (a location running away is not one).
        if *g == 0.0 || family.coordinates().get(i) != Some(&super::Coordinate::Log) {
            continue;
        }
        let to_infinity = *g < 0.0;
        let (lo, hi) = family.bounds(i);
        let mut at = top.to_vec();
        at[i] = if to_infinity { hi } else { lo };
        let Some(there) = problem.derivatives(&at) else {
            continue;
        };
        let still = if to_infinity {
            there.gradient[i] < 0.0
        } else {
            there.gradient[i] > 0.0
        };
        if !still
            || !(there.value <= der.value)
            || best.as_ref().is_some_and(|b| b.0 <= there.value)
        {
            continue;
        }
        let limit = limit_family(family, i, to_infinity).and_then(|lf| {
            let mut lp = Problem::new(problem.p.clone(), lf, problem.direction);
            lp.opts = problem.opts.clone();
            let rest: Vec<f64> = at
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, v)| *v)
                .collect();
            let run = stationary(&lp, &rest, PASS_ITER);
            let d = run.last.clone().filter(|_| run.converged)?;
            stationary_at(&lp, &run.theta, &d).filter(|s| s.kind == StationaryKind::Saddle)
        });
        best = Some((
            there.value,
            EdgeCrossing {
                param: names.get(i).copied().unwrap_or("?"),
                to_infinity,
                kl: problem.kl(&at),
                theta: at,
                outward_slope: there.gradient[i],
                limit,
            },
        ));
    }
    best.map(|b| b.1)
}
