//! The Fit lab's work, off the UI thread: the requests (every input an answer depends on),
//! the answers, and the functions its two lanes run.

use std::sync::Arc;

use crate::cancel::{Cancel, Cancelled, Progress};
use crate::distribution::Distribution;
use crate::fit::{self, Basins, Direction, Fit, Grid, Landscape, Problem, QFamily, Search};

/// The stages of an answer, `(nodes per side, with the basins)`: a coarse map at once, then
/// the fine one, then the fine one with the reverse basins (576 fits, the slowest part).
pub const STAGES: [(usize, bool); 3] = [(40, false), (200, false), (200, true)];
/// Starts per side of the basin map.
pub const BASIN_GRID: usize = 24;

/// The last stage for a direction: the basins only for the reverse one.
pub(super) fn last_stage(direction: Direction) -> usize {
    match direction {
        Direction::Forward => 1,
        Direction::Reverse => STAGES.len() - 1,
    }
}

/// What one answer depends on.
#[derive(Clone, Debug)]
pub struct FitRequest {
    /// The target.
    pub p: Arc<Distribution>,
    /// Q's family.
    pub family: QFamily,
    /// The landscape's direction (both directions are searched).
    pub direction: Direction,
    /// Landscape nodes per side.
    pub n: usize,
    /// Whether the reverse basins are computed too.
    pub basins: bool,
}

impl FitRequest {
    pub(super) fn same_inputs(&self, other: &FitRequest) -> bool {
        Arc::ptr_eq(&self.p, &other.p)
            && self.family == other.family
            && self.direction == other.direction
    }
}

/// The optimiser's run from a start: what it depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct PathRequest {
    /// The target.
    pub p: Arc<Distribution>,
    /// Q's family.
    pub family: QFamily,
    /// The direction minimised.
    pub direction: Direction,
    /// The start, every coordinate of θ.
    pub start: Vec<f64>,
}

/// The answer to a [`PathRequest`].
#[derive(Clone, Debug)]
pub struct PathAnswer {
    /// What it answers.
    pub request: PathRequest,
    /// The fit from the start (`None` where Q cannot be built there).
    pub fit: Option<Fit>,
}

/// Runs the optimiser (on the path lane's thread).
///
/// # Errors
/// [`Cancelled`] when a newer start or the user cancels.
pub fn compute_path(
    req: &PathRequest,
    cancel: &Cancel,
    _progress: &Progress,
) -> Result<PathAnswer, Cancelled> {
    let mut problem = Problem::new(req.p.as_ref().clone(), req.family, req.direction);
    problem.opts.cancel = cancel.clone();
    let fit = fit::fit_from(&problem, &req.start);
    cancel.check()?;
    Ok(PathAnswer {
        request: req.clone(),
        fit,
    })
}

/// The answer to a [`FitRequest`].
#[derive(Clone, Debug)]
pub struct FitAnswer {
    /// What it answers.
    pub request: FitRequest,
    /// Every stationary point of KL(P‖Q).
    pub forward: Search,
    /// Every stationary point of KL(Q‖P).
    pub reverse: Search,
    /// KL over θ's first two coordinates in the request's direction.
    pub landscape: Landscape,
    /// Which reverse minimum each start reaches (reverse direction, fine level only).
    pub basins: Option<Basins>,
    /// θ's coordinates beyond the map's two, where the map is drawn (the best minimum's).
    pub rest: Vec<f64>,
}

pub(super) fn problem(req: &FitRequest, direction: Direction, cancel: &Cancel) -> Problem {
    let mut p = Problem::new(req.p.as_ref().clone(), req.family, direction);
    p.opts.cancel = cancel.clone();
    p
}

/// Computes an answer (on the lane's thread).
///
/// # Errors
/// [`Cancelled`] when a newer request or the user cancels.
pub fn compute(
    req: &FitRequest,
    cancel: &Cancel,
    progress: &Progress,
) -> Result<FitAnswer, Cancelled> {
    let fwd = problem(req, Direction::Forward, cancel);
    let rev = problem(req, Direction::Reverse, cancel);
    let forward = fit::search(&fwd)?;
    progress.set(0.15);
    let reverse = fit::search(&rev)?;
    progress.set(0.3);
    let chosen = if req.direction == Direction::Forward {
        &fwd
    } else {
        &rev
    };
    let search = if req.direction == Direction::Forward {
        &forward
    } else {
        &reverse
    };
    let bx = fit::search_box(&req.p, req.family);
    let rest: Vec<f64> = search
        .best_minimum()
        .map(|b| b.theta[2..].to_vec())
        .unwrap_or_else(|| fit::initial_theta(&req.p, req.family)[2..].to_vec());
    let grid = Grid {
        x: bx[0],
        y: bx[1],
        n: req.n,
    };
    let landscape = fit::landscape(chosen, &rest, grid, cancel, &Progress::new())?;
    progress.set(0.7);
    let basins = if req.direction == Direction::Reverse && req.basins {
        let minima: Vec<(f64, f64)> = reverse.minima().map(|m| (m.theta[0], m.theta[1])).collect();
        let grid = Grid {
            n: BASIN_GRID,
            ..grid
        };
        Some(fit::basins(
            &rev,
            &rest,
            &minima,
            grid,
            cancel,
            &Progress::new(),
        )?)
    } else {
        None
    };
    cancel.check()?;
    Ok(FitAnswer {
        request: req.clone(),
        forward,
        reverse,
        landscape,
        basins,
        rest,
    })
}
