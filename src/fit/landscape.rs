//! KL over two coordinates of θ on a grid, and the basins of attraction of the minima.
//!
//! A normal Q has fast exact forms for the map:
//! - forward, KL(P‖N(μ, σ)) = −H(P) + ln σ + ½ ln 2π + (Var P + (E P − μ)²) / 2σ², with
//!   H(P), E P and Var P integrated once (a vector Gauss–Kronrod rule to 10⁻¹¹);
//!
//! Other maps ask the engine at every node (80-node Gauss–Hermite for the reverse normal was
//! tried and dropped: ln p of a mixture bends sharply between its modes, and it was off by 0.2
//! for wide Q). Every map is checked against the engine at
//! 16 nodes; the largest difference is its stated error.

use rayon::prelude::*;

use super::newton::symmetric_eigen;
use super::objective::{Direction, N, Problem, integrate_vector};
use super::{QFamily, StationaryKind};
use crate::cancel::{Cancel, Cancelled, Progress};
use crate::distribution::Distribution;
use crate::divergence::{build_segments, infinite_reason};

/// A square grid over two coordinates: `n` nodes from `x.0` to `x.1` and from `y.0` to `y.1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    /// The first coordinate's range.
    pub x: (f64, f64),
    /// The second coordinate's range.
    pub y: (f64, f64),
    /// Nodes per side (≥ 2).
    pub n: usize,
}

impl Grid {
    /// The node (i, j).
    pub fn at(&self, i: usize, j: usize) -> (f64, f64) {
        let f = |r: (f64, f64), k: usize| r.0 + (r.1 - r.0) * k as f64 / (self.n - 1) as f64;
        (f(self.x, i), f(self.y, j))
    }
}

/// KL on a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Landscape {
    /// The grid.
    pub grid: Grid,
    /// KL at node (i, j) is `values[j * n + i]`; ∞ where KL is.
    pub values: Vec<f64>,
    /// How the values were computed.
    pub method: String,
    /// The largest difference from the engine at the checked nodes.
    pub error: f64,
}

enum Fast {
    NormalForward { entropy: f64, mean: f64, var: f64 },
    Infinite,
    Engine,
}

fn fast(problem: &Problem) -> Fast {
    if problem.family != QFamily::Normal {
        return Fast::Engine;
    }
    let std_normal = Distribution::Parametric(match QFamily::Normal.q(&[0.0, 0.0]) {
        Some(q) => q,
        None => return Fast::Engine,
    });
    let p = &problem.p;
    match problem.direction {
        Direction::Forward => {
            if infinite_reason(p, &std_normal, ["P", "Q"]).is_some() {
                return Fast::Infinite;
            }
            let c = p.quantile(0.5);
            let segs = build_segments(p, p, &p.support());
            let Some(m) = integrate_vector(
                &segs,
                &|x| {
                    let lp = p.ln_density(x);
                    let w = lp.exp();
                    let mut o = [0.0; N];
                    if w > 0.0 {
                        o[0] = w;
                        o[1] = w * (x - c);
                        o[2] = w * (x - c) * (x - c);
                        o[3] = -w * lp;
                    }
                    o
                },
                &[1e-11; N],
                &problem.opts.cancel,
            ) else {
                return Fast::Engine;
            };
            let mean = m[1] / m[0];
            Fast::NormalForward {
                entropy: m[3],
                mean: c + mean,
                var: m[2] / m[0] - mean * mean,
            }
        }
        Direction::Reverse => Fast::Engine,
    }
}

impl Fast {
    fn kl(&self, problem: &Problem, theta: &[f64]) -> f64 {
        use std::f64::consts::PI;
        match self {
            Fast::NormalForward { entropy, mean, var } => {
                let (mu, ls) = (theta[0], theta[1]);
                let s2 = (2.0 * ls).exp();
                -entropy + ls + 0.5 * (2.0 * PI).ln() + (var + (mean - mu).powi(2)) / (2.0 * s2)
            }
            Fast::Infinite => f64::INFINITY,
            Fast::Engine => problem.kl(theta).value,
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Fast::NormalForward { .. } => {
                "closed form in P's entropy, mean and variance (integrated once)"
            }
            Fast::Infinite => "∞ for every normal Q (the engine's reason)",
            Fast::Engine => "the engine at every node",
        }
    }
}

fn theta_at(rest: &[f64], x: f64, y: f64) -> Vec<f64> {
    let mut t = vec![x, y];
    t.extend_from_slice(rest);
    t
}

/// KL over the grid (θ's first two coordinates; the rest fixed at `rest`), rows in parallel.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set.
pub fn landscape(
    problem: &Problem,
    rest: &[f64],
    grid: Grid,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<Landscape, Cancelled> {
    let ev = fast(problem);
    let n = grid.n;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut values = vec![0.0; n * n];
    values
        .par_chunks_mut(n)
        .enumerate()
        .try_for_each(|(j, row)| {
            cancel.check()?;
            for (i, v) in row.iter_mut().enumerate() {
                let (x, y) = grid.at(i, j);
                *v = ev.kl(problem, &theta_at(rest, x, y));
            }
            let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress.set(k as f64 / n as f64);
            Ok(())
        })?;
    let mut error = 0.0f64;
    if !matches!(ev, Fast::Engine) {
        for k in 0..16 {
            let (i, j) = ((k % 4) * (n - 1) / 3, (k / 4) * (n - 1) / 3);
            let (x, y) = grid.at(i, j);
            let want = problem.kl(&theta_at(rest, x, y)).value;
            let got = values[j * n + i];
            if want.is_finite() || got.is_finite() {
                error = error.max((want - got).abs());
            }
        }
    }
    cancel.check()?;
    Ok(Landscape {
        grid,
        values,
        method: ev.method().to_string(),
        error,
    })
}

/// Which minimum each start on a grid converges to.
#[derive(Clone, Debug, PartialEq)]
pub struct Basins {
    /// The grid of starts.
    pub grid: Grid,
    /// For the start at (i, j), `minimum[j * n + i]` is the index into the minima given, or
    /// `None` when it went elsewhere (an edge, a point not in the list, no convergence).
    pub minimum: Vec<Option<usize>>,
}

/// Descends from every node of `grid` on the landscape's own evaluator (Newton on central
/// differences with step 10⁻⁴, the Hessian's eigenvalues made positive, backtracking) and
/// says which of `minima` (θ's first two coordinates) it reaches, within 10⁻³.
///
/// # Errors
/// [`Cancelled`] when `cancel` is set.
pub fn basins(
    problem: &Problem,
    rest: &[f64],
    minima: &[(f64, f64)],
    grid: Grid,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<Basins, Cancelled> {
    let ev = fast(problem);
    let n = grid.n;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut minimum = vec![None; n * n];
    minimum
        .par_chunks_mut(n)
        .enumerate()
        .try_for_each(|(j, row)| {
            cancel.check()?;
            for (i, m) in row.iter_mut().enumerate() {
                let (x, y) = grid.at(i, j);
                let end = descend(
                    &|t: [f64; 2]| ev.kl(problem, &theta_at(rest, t[0], t[1])),
                    [x, y],
                );
                *m = end.and_then(|e| {
                    minima.iter().position(|(a, b)| {
                        (a - e[0]).abs() < 1e-3 * (1.0 + a.abs())
                            && (b - e[1]).abs() < 1e-3 * (1.0 + b.abs())
                    })
                });
            }
            let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress.set(k as f64 / n as f64);
            Ok(())
        })?;
    Ok(Basins { grid, minimum })
}

fn descend(f: &dyn Fn([f64; 2]) -> f64, start: [f64; 2]) -> Option<[f64; 2]> {
    let h = 1e-4;
    let mut t = start;
    let mut v = f(t);
    for _ in 0..100 {
        if !v.is_finite() {
            return None;
        }
        let e = |a: f64, b: f64| f([t[0] + a, t[1] + b]);
        let (fp0, fm0, f0p, f0m) = (e(h, 0.0), e(-h, 0.0), e(0.0, h), e(0.0, -h));
        let g = [(fp0 - fm0) / (2.0 * h), (f0p - f0m) / (2.0 * h)];
        let hxx = (fp0 - 2.0 * v + fm0) / (h * h);
        let hyy = (f0p - 2.0 * v + f0m) / (h * h);
        let hxy = (e(h, h) - e(h, -h) - e(-h, h) + e(-h, -h)) / (4.0 * h * h);
        let (lambda, vecs) = symmetric_eigen(&[hxx, hxy, hxy, hyy], 2);
        let floor = 1e-8 * lambda[0].abs().max(lambda[1].abs()).max(1e-12);
        let mut step = [0.0; 2];
        for k in 0..2 {
            let l = lambda[k].abs().max(floor);
            let proj = vecs[k] * g[0] + vecs[2 + k] * g[1];
            step[0] -= vecs[k] * proj / l;
            step[1] -= vecs[2 + k] * proj / l;
        }
        let len = step[0].abs().max(step[1].abs());
        if len > 1.0 {
            step = [step[0] / len, step[1] / len];
        }
        if len < 1e-6 {
            let kind = StationaryKind::of_hessian(&[hxx, hxy, hxy, hyy], 2);
            return (kind == StationaryKind::Minimum).then_some(t);
        }
        let mut s = 1.0;
        loop {
            let trial = [t[0] + s * step[0], t[1] + s * step[1]];
            let tv = f(trial);
            if tv <= v || s < 1e-6 {
                t = trial;
                v = tv;
                break;
            }
            s *= 0.5;
        }
    }
    None
}
