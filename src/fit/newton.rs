//! The minimiser and the stationary-point solver: Newton's method on the Hessian from
//! [`Problem::derivatives`], written out here because the problems are tiny (d ≤ 3), the
//! Hessian is at hand exactly, and a crate would add build time for forty lines.
//!
//! - [`minimise`]: Newton with the Hessian's eigenvalues replaced by their absolute values
//!   (floored), so every step goes downhill, steps capped at 1 in θ, and a backtracking line
//!   search on KL; it stops when a Newton step is below 10⁻¹⁰ in every coordinate.
//! - [`stationary`]: undamped Newton on ∇KL = 0 (finds saddles and maxima too), with the
//!   same cap, halving a step that does not shrink |∇KL|.

use super::objective::{Derivatives, Problem};

/// Eigenvalues and eigenvectors (columns, row-major) of a symmetric d × d matrix, by Jacobi
/// rotations.
pub fn symmetric_eigen(a: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m = a.to_vec();
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    for _ in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |j| *j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * d + j] * m[i * d + j])
            .sum();
        if off < 1e-300 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = m[p * d + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (m[q * d + q] - m[p * d + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (mkp, mkq) = (m[k * d + p], m[k * d + q]);
                    m[k * d + p] = c * mkp - s * mkq;
                    m[k * d + q] = s * mkp + c * mkq;
                }
                for k in 0..d {
                    let (mpk, mqk) = (m[p * d + k], m[q * d + k]);
                    m[p * d + k] = c * mpk - s * mqk;
                    m[q * d + k] = s * mpk + c * mqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| m[i * d + i]).collect(), v)
}

/// −H⁻¹g with each eigenvalue λ replaced by `map(λ)`.
fn newton_step(der: &Derivatives, map: impl Fn(f64) -> f64) -> Vec<f64> {
    let d = der.gradient.len();
    let (lambda, v) = symmetric_eigen(&der.hessian, d);
    let mut step = vec![0.0; d];
    for k in 0..d {
        let l = map(lambda[k]);
        if l == 0.0 || !l.is_finite() {
            continue;
        }
        let proj: f64 = (0..d).map(|i| v[i * d + k] * der.gradient[i]).sum();
        for i in 0..d {
            step[i] -= v[i * d + k] * proj / l;
        }
    }
    step
}

fn cap(step: &mut [f64], max: f64) {
    let n = step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    if n > max {
        for s in step {
            *s *= max / n;
        }
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Where a run of Newton's method ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The last θ.
    pub theta: Vec<f64>,
    /// Every θ visited, the start first.
    pub path: Vec<Vec<f64>>,
    /// Newton steps taken.
    pub iterations: usize,
    /// Whether the last step was below 10⁻¹⁰ in every coordinate.
    pub converged: bool,
    /// The coordinate that reached its bound (an edge of the family), if any.
    pub edge: Option<usize>,
    /// The derivatives at the last θ (`None` where KL is ∞ there).
    pub last: Option<Derivatives>,
}

/// Tolerance on the last Newton step, in θ.
pub const STEP_TOL: f64 = 1e-10;

fn clamp(problem: &Problem, theta: &mut [f64]) -> Option<usize> {
    let mut hit = None;
    for (i, t) in theta.iter_mut().enumerate() {
        let (lo, hi) = problem.family.bounds(i);
        if *t <= lo || *t >= hi {
            *t = t.clamp(lo, hi);
            hit = Some(i);
        }
    }
    hit
}

/// Minimises KL from `start`; at most `max_iter` Newton steps.
pub fn minimise(problem: &Problem, start: &[f64], max_iter: usize) -> Run {
    let mut theta = start.to_vec();
    let mut path = vec![theta.clone()];
    let mut der = problem.derivatives(&theta);
    let mut run = |theta: &mut Vec<f64>,
                   der: &mut Option<Derivatives>|
     -> (usize, bool, Option<usize>) {
        for it in 0..max_iter {
            if problem.opts.cancel.is_cancelled() {
                return (it, false, None);
            }
            let Some(cur) = der.clone() else {
                return (it, false, None);
            };
            let scale = cur.hessian.iter().fold(0.0f64, |m, h| m.max(h.abs()));
            let floor = 1e-10 * scale.max(1e-12);
            let mut step = newton_step(&cur, |l| l.abs().max(floor));
            cap(&mut step, 1.0);
            let small = step.iter().all(|s| s.abs() < STEP_TOL);
            if small {
                return (it, true, None);
            }
            // Backtrack on the vector rule's KL; near the minimum (steps below 10⁻⁴) the
            // full Newton step is taken, as its decrease is below the rule's rounding.
            let mut t = 1.0;
            let mut accepted = None;
            for _ in 0..30 {
                let mut trial: Vec<f64> = theta.iter().zip(&step).map(|(a, s)| a + t * s).collect();
                let edge = clamp(problem, &mut trial);
                let next = problem.derivatives(&trial);
                let tiny = step.iter().all(|s| (t * s).abs() < 1e-4);
                if let Some(n) = &next
                    && (tiny || n.value <= cur.value + 1e-12 * cur.value.abs())
                {
                    accepted = Some((trial, next, edge));
                    break;
                }
                t *= 0.5;
            }
            let Some((trial, next, edge)) = accepted else {
                return (it + 1, false, None);
            };
            *theta = trial;
            *der = next;
            path.push(theta.clone());
            if let Some(e) = edge {
                // Still pushing outwards at the bound: the infimum is at the edge.
                let g = der.as_ref().map_or(0.0, |d| d.gradient[e]);
                let (lo, _) = problem.family.bounds(e);
                let outward = if theta[e] <= lo { g > 0.0 } else { g < 0.0 };
                if outward {
                    return (it + 1, false, Some(e));
                }
            }
        }
        (max_iter, false, None)
    };
    let (iterations, converged, edge) = run(&mut theta, &mut der);
    Run {
        theta,
        path,
        iterations,
        converged,
        edge,
        last: der,
    }
}

/// Newton on ∇KL = 0 from `start`: converges to the nearby stationary point of any kind.
pub fn stationary(problem: &Problem, start: &[f64], max_iter: usize) -> Run {
    let mut theta = start.to_vec();
    let mut path = vec![theta.clone()];
    let mut der = problem.derivatives(&theta);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iter && !problem.opts.cancel.is_cancelled() {
        let Some(cur) = der.clone() else { break };
        let mut step = newton_step(&cur, |l| l);
        cap(&mut step, 1.0);
        iterations += 1;
        if step.iter().all(|s| s.abs() < STEP_TOL) {
            converged = true;
            break;
        }
        let g0 = norm(&cur.gradient);
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..20 {
            let mut trial: Vec<f64> = theta.iter().zip(&step).map(|(a, s)| a + t * s).collect();
            if clamp(problem, &mut trial).is_some() {
                t *= 0.5;
                continue;
            }
            let next = problem.derivatives(&trial);
            let tiny = step.iter().all(|s| (t * s).abs() < 1e-6);
            if let Some(n) = &next
                && (tiny || norm(&n.gradient) < g0)
            {
                accepted = Some((trial, next));
                break;
            }
            t *= 0.5;
        }
        let Some((trial, next)) = accepted else { break };
        theta = trial;
        der = next;
        path.push(theta.clone());
    }
    Run {
        theta,
        path,
        iterations,
        converged,
        edge: None,
        last: der,
    }
}
