//! Every stationary point of the landscape: a multi-start search, classified by the Hessian.
//!
//! Two-parameter families: KL on a 28 × 28 grid over the search box (the landscape's own
//! evaluator); every grid node that is
//! a discrete minimum, maximum or saddle (four or more sign changes of f − f(node) around its
//! eight neighbours) starts Newton on ∇KL = 0, and every discrete minimum (and the box's
//! centre) also starts the minimiser. Three parameters: the minimiser from 8 starts on a
//! 2 × 2 × 2 lattice finds the minima, and for each pair of them the string method
//! ([`super::pass`]) finds where the lowest path between them crosses: a saddle (Newton on
//! ∇KL = 0 from the path's top, added to the optima) or an edge of the family, in words.
//! Points closer than 10⁻⁵ in θ are one. The kind is the signs of the Hessian's eigenvalues.

use rayon::prelude::*;

use super::landscape::{Grid, landscape};
use super::newton::{minimise, stationary, symmetric_eigen};
use super::objective::Problem;
use super::pass::{Crossing, Pass, pass_between};
use super::{Edge, MAX_ITER, fit_of_run, initial_theta, search_box};
use crate::cancel::{Cancelled, Progress};
use crate::distribution::Parametric;
use crate::divergence::Figure;

/// A stationary point's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StationaryKind {
    /// Every eigenvalue of the Hessian positive.
    Minimum,
    /// Eigenvalues of both signs.
    Saddle,
    /// Every eigenvalue negative.
    Maximum,
}

impl StationaryKind {
    /// `minimum`, `saddle` or `maximum`.
    pub fn name(self) -> &'static str {
        match self {
            StationaryKind::Minimum => "minimum",
            StationaryKind::Saddle => "saddle",
            StationaryKind::Maximum => "maximum",
        }
    }

    /// The kind the Hessian's eigenvalues give (a zero eigenvalue counts with neither sign:
    /// all ≥ 0 is a minimum, all ≤ 0 a maximum).
    pub fn of_hessian(h: &[f64], d: usize) -> StationaryKind {
        let (lambda, _) = symmetric_eigen(h, d);
        let scale = lambda.iter().fold(0.0f64, |m, l| m.max(l.abs()));
        let tol = 1e-9 * scale;
        if lambda.iter().all(|l| *l > -tol) {
            StationaryKind::Minimum
        } else if lambda.iter().all(|l| *l < tol) {
            StationaryKind::Maximum
        } else {
            StationaryKind::Saddle
        }
    }
}

/// One stationary point.
#[derive(Clone, Debug, PartialEq)]
pub struct Stationary {
    /// θ.
    pub theta: Vec<f64>,
    /// Q there.
    pub q: Parametric,
    /// KL there, from the engine.
    pub kl: Figure,
    /// Its kind.
    pub kind: StationaryKind,
    /// The Hessian's eigenvalues, ascending.
    pub eigenvalues: Vec<f64>,
    /// |∇KL| there.
    pub gradient_norm: f64,
}

/// Everything the search found.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// Stationary points, by KL ascending.
    pub optima: Vec<Stationary>,
    /// Beyond two coordinates: for each pair of minima, where the lowest path between them
    /// crosses (a saddle, or the edge of the family), by the string method ([`super::pass`]).
    pub passes: Vec<Pass>,
    /// Minimisations that ran to an edge of the family.
    pub edges: Vec<Edge>,
    /// Set when KL is ∞ for every Q tried: the reason.
    pub infinite: Option<String>,
}

impl Search {
    /// The minimum with the least KL, if any.
    pub fn best_minimum(&self) -> Option<&Stationary> {
        self.optima
            .iter()
            .find(|s| s.kind == StationaryKind::Minimum)
    }

    /// The minima, by KL.
    pub fn minima(&self) -> impl Iterator<Item = &Stationary> {
        self.optima
            .iter()
            .filter(|s| s.kind == StationaryKind::Minimum)
    }
}

const GRID: usize = 28;

/// Points closer than 10⁻⁵ (relative) in every coordinate of θ are one.
fn same_point(a: &[f64], b: &[f64]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (x - y).abs() < 1e-5 * (1.0 + x.abs()))
}

fn lattice(bx: &[(f64, f64)], n: usize, k: usize) -> Vec<f64> {
    let mut rest = k;
    bx.iter()
        .map(|(lo, hi)| {
            let i = rest % n;
            rest /= n;
            lo + (hi - lo) * (i as f64 + 0.5) / n as f64
        })
        .collect()
}

/// Starts for the search: `(θ, also minimise from it)`.
fn starts(problem: &Problem, bx: &[(f64, f64)]) -> Result<Vec<(Vec<f64>, bool)>, Cancelled> {
    let d = bx.len();
    let mut out = vec![(initial_theta(&problem.p, problem.family), true)];
    if d != 2 {
        out.extend((0..2usize.pow(d as u32)).map(|k| (lattice(bx, 2, k), true)));
        return Ok(out);
    }
    let at = |i: usize, j: usize| -> Vec<f64> {
        vec![
            bx[0].0 + (bx[0].1 - bx[0].0) * i as f64 / (GRID - 1) as f64,
            bx[1].0 + (bx[1].1 - bx[1].0) * j as f64 / (GRID - 1) as f64,
        ]
    };
    let grid = Grid {
        x: bx[0],
        y: bx[1],
        n: GRID,
    };
    let values = landscape(problem, &[], grid, &problem.opts.cancel, &Progress::new())?.values;
    let ring = [
        (1, 0),
        (1, 1),
        (0, 1),
        (-1, 1),
        (-1, 0),
        (-1, -1),
        (0, -1),
        (1, -1),
    ];
    for j in 1..GRID - 1 {
        for i in 1..GRID - 1 {
            let c = values[j * GRID + i];
            if !c.is_finite() {
                continue;
            }
            let diffs: Vec<f64> = ring
                .iter()
                .map(|(di, dj)| {
                    let (ii, jj) = ((i as i64 + di) as usize, (j as i64 + dj) as usize);
                    values[jj * GRID + ii] - c
                })
                .collect();
            if diffs.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let changes = (0..8)
                .filter(|k| (diffs[*k] > 0.0) != (diffs[(k + 1) % 8] > 0.0))
                .count();
            let minimum = diffs.iter().all(|v| *v > 0.0);
            if minimum || diffs.iter().all(|v| *v < 0.0) || changes >= 4 {
                out.push((at(i, j), minimum));
            }
        }
    }
    Ok(out)
}

/// Finds every stationary point in the search box, and the edges minimisation runs reach.
///
/// # Errors
/// [`Cancelled`] when the problem's cancel flag is set.
pub fn search(problem: &Problem) -> Result<Search, Cancelled> {
    let bx = search_box(&problem.p, problem.family);
    let centre: Vec<f64> = bx.iter().map(|(a, b)| 0.5 * (a + b)).collect();
    let mut starts = starts(problem, &bx)?;
    starts.push((centre, true));
    let infinite = problem
        .infinite_reason(&initial_theta(&problem.p, problem.family))
        .filter(|_| {
            starts
                .iter()
                .all(|(t, _)| problem.infinite_reason(t).is_some())
        });
    if let Some(reason) = infinite {
        return Ok(Search {
            optima: Vec::new(),
            passes: Vec::new(),
            edges: Vec::new(),
            infinite: Some(reason),
        });
    }
    let d = problem.dim();
    let runs: Vec<_> = starts
        .par_iter()
        .flat_map_iter(|(t, also_minimise)| {
            // Beyond two coordinates only minima are sought: Newton on ∇KL = 0 from a sparse
            // lattice in three dimensions rarely converges and costs minutes.
            let mut v = if d == 2 {
                vec![stationary(problem, t, 60)]
            } else {
                Vec::new()
            };
            if *also_minimise {
                v.push(minimise(problem, t, MAX_ITER));
            }
            v
        })
        .collect();
    problem.opts.cancel.check()?;
    let mut optima: Vec<Stationary> = Vec::new();
    let mut edges: Vec<Edge> = Vec::new();
    for run in runs {
        if let Some(e) = run.edge {
            if edges
                .iter()
                .all(|x| x.param != problem.family.param_names()[e])
                && let Some(f) = fit_of_run(problem, run)
                && let Some(edge) = f.edge
            {
                edges.push(edge);
            }
            continue;
        }
        let Some(der) = run.last.as_ref() else {
            continue;
        };
        if !run.converged || optima.iter().any(|o| same_point(&o.theta, &run.theta)) {
            continue;
        }
        let (mut eigenvalues, _) = symmetric_eigen(&der.hessian, d);
        eigenvalues.sort_by(f64::total_cmp);
        let Some(q) = problem.family.q(&run.theta) else {
            continue;
        };
        optima.push(Stationary {
            kind: StationaryKind::of_hessian(&der.hessian, d),
            kl: problem.kl(&run.theta),
            gradient_norm: der.gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
            theta: run.theta,
            q,
            eigenvalues,
        });
    }
    // Beyond two coordinates the lattice's starts find minima only: the saddles are where
    // the lowest path between each pair of minima crosses.
    let mut passes = Vec::new();
    if d > 2 {
        let minima: Vec<Vec<f64>> = optima
            .iter()
            .filter(|o| o.kind == StationaryKind::Minimum)
            .map(|o| o.theta.clone())
            .collect();
        for i in 0..minima.len() {
            for j in i + 1..minima.len() {
                let Some(pass) = pass_between(problem, &minima[i], &minima[j])? else {
                    continue;
                };
                for c in &pass.crossings {
                    if let Crossing::Saddle(s) = c
                        && !optima.iter().any(|o| same_point(&o.theta, &s.theta))
                    {
                        optima.push(s.clone());
                    }
                }
                passes.push(pass);
            }
        }
    }
    optima.sort_by(|a, b| a.kl.value.total_cmp(&b.kl.value));
    Ok(Search {
        optima,
        passes,
        edges,
        infinite: None,
    })
}
