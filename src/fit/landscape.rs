//! KL over two coordinates of θ on a grid, and the basins of attraction of the minima.
//!
//! A normal Q has fast forms for the map:
//! - forward, KL(P‖N(μ, σ)) = −H(P) + ln σ + ½ ln 2π + (Var P + (E P − μ)²) / 2σ², with
//!   H(P), E P and Var P integrated once (a vector Gauss–Kronrod rule to 10⁻¹¹);
//! - reverse, with x = μ + σz, KL(N(μ, σ)‖P) = −½ ln 2πe − ln σ − E_z[ln p(μ + σz)]: the
//!   expectation by the trapezoid rule in x on a lattice of step h = Δμ/m aligned with the
//!   grid's means (so one row of the map shares one set of ln p values, and each node is a
//!   dot product with the same Gaussian weights), h ≤ σ/3, |z| ≤ 10. The rule converges
//!   geometrically for a smooth ln p; its error at each node is estimated by the same rule at
//!   step 2h, and m is doubled (up to 64) until every node of the row is within
//!   [`MAP_TOL`]; a node still outside it is asked of the engine. (Gauss–Hermite in z was
//!   tried first and dropped: its nodes spread with σ, and a wide Q does not resolve the bend
//!   of ln p between a mixture's modes; the lattice's step is set by the grid, not by σ.)
//!
//! Other maps ask the engine at every node. Every map is checked against the engine at 16
//! nodes; the largest difference, or the largest estimated error if larger, is its stated
//! error.

use rayon::prelude::*;

use super::QFamily;
use super::newton::minimise;
use super::objective::{Direction, N, Problem, integrate_vector};

/// Newton steps a basin's start may take.
pub const BASIN_ITER: usize = 60;
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

/// The largest estimated error of a map node from the lattice rule (relative to max(1, |KL|)).
pub const MAP_TOL: f64 = 1e-10;

enum Fast {
    NormalForward { entropy: f64, mean: f64, var: f64 },
    NormalReverse,
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
        Direction::Reverse => {
            if infinite_reason(&std_normal, p, ["Q", "P"]).is_some() {
                Fast::Infinite
            } else {
                Fast::NormalReverse
            }
        }
    }
}

/// One row of the reverse normal map: KL(N(μᵢ, σ)‖P) at `n` means μ₀ + iΔμ, and each node's
/// estimated error; nodes the rule could not bring within [`MAP_TOL`] are `None`.
fn reverse_normal_row(
    p: &Distribution,
    mu0: f64,
    dmu: f64,
    n: usize,
    sigma: f64,
) -> Vec<Option<(f64, f64)>> {
    use std::f64::consts::PI;
    let entropy = 0.5 * (2.0 * PI * std::f64::consts::E).ln() + sigma.ln();
    let mut out: Vec<Option<(f64, f64)>> = vec![None; n];
    let mut m = ((3.0 * dmu / sigma).ceil() as usize).max(1);
    if dmu == 0.0 || !(sigma > 0.0) || !sigma.is_finite() {
        return out;
    }
    while m <= 64 {
        let h = dmu / m as f64;
        let half = ((10.0 * sigma / h).ceil() as usize).next_multiple_of(2);
        if half > 2_000_000 {
            break;
        }
        let weights: Vec<f64> = (0..=half)
            .map(|k| {
                let z = k as f64 * h / sigma;
                (-0.5 * z * z).exp() * h / (sigma * (2.0 * PI).sqrt())
            })
            .collect();
        let lattice: Vec<f64> = (0..(n - 1) * m + 2 * half + 1)
            .map(|k| p.ln_density(mu0 + (k as f64 - half as f64) * h))
            .collect();
        let mut all_fine = true;
        for (i, slot) in out.iter_mut().enumerate() {
            if slot.is_some() {
                continue;
            }
            let c = i * m + half;
            let (mut fine, mut coarse) = (weights[0] * lattice[c], weights[0] * lattice[c]);
            for k in 1..=half {
                let pair = weights[k] * (lattice[c - k] + lattice[c + k]);
                fine += pair;
                if k % 2 == 0 {
                    coarse += pair;
                }
            }
            coarse *= 2.0;
            let kl = -entropy - fine;
            let err = (fine - coarse).abs();
            if kl.is_finite() && err <= MAP_TOL * kl.abs().max(1.0) {
                *slot = Some((kl, err));
            } else {
                all_fine = false;
            }
        }
        if all_fine {
            break;
        }
        m *= 2;
    }
    out
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
            Fast::Engine | Fast::NormalReverse => problem.kl(theta).value,
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Fast::NormalForward { .. } => {
                "closed form in P's entropy, mean and variance (integrated once)"
            }
            Fast::NormalReverse => {
                "x = μ + σz, trapezoid rule on a lattice aligned with the grid (error from twice \
                 the step; the engine beyond 1e-10)"
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
    let dmu = (grid.x.1 - grid.x.0) / (n - 1) as f64;
    let estimated = std::sync::Mutex::new(0.0f64);
    values
        .par_chunks_mut(n)
        .enumerate()
        .try_for_each(|(j, row)| {
            cancel.check()?;
            let lattice = match ev {
                Fast::NormalReverse if rest.is_empty() => {
                    reverse_normal_row(&problem.p, grid.x.0, dmu, n, grid.at(0, j).1.exp())
                }
                _ => Vec::new(),
            };
            let mut worst = 0.0f64;
            for (i, v) in row.iter_mut().enumerate() {
                let (x, y) = grid.at(i, j);
                *v = match lattice.get(i).copied().flatten() {
                    Some((kl, err)) => {
                        worst = worst.max(err);
                        kl
                    }
                    None => ev.kl(problem, &theta_at(rest, x, y)),
                };
            }
            if let Ok(mut e) = estimated.lock() {
                *e = e.max(worst);
            }
            let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress.set(k as f64 / n as f64);
            Ok(())
        })?;
    let mut error = estimated.into_inner().unwrap_or(f64::INFINITY);
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

/// Minimises from every node of `grid` ([`minimise`]: Newton on the analytic gradient and
/// Hessian, at most [`BASIN_ITER`] steps) and says which of `minima` (θ's first two
/// coordinates) it reaches, within 10⁻⁶.
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
    let n = grid.n;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut minimum = vec![None; n * n];
    minimum
        .par_chunks_mut(n)
        .enumerate()
        .try_for_each(|(j, row)| {
            for (i, m) in row.iter_mut().enumerate() {
                cancel.check()?;
                let (x, y) = grid.at(i, j);
                let run = minimise(problem, &theta_at(rest, x, y), BASIN_ITER);
                *m = run.converged.then_some(run.theta).and_then(|e| {
                    minima.iter().position(|(a, b)| {
                        (a - e[0]).abs() < 1e-6 * (1.0 + a.abs())
                            && (b - e[1]).abs() < 1e-6 * (1.0 + b.abs())
                    })
                });
            }
            let k = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress.set(k as f64 / n as f64);
            Ok(())
        })?;
    Ok(Basins { grid, minimum })
}
