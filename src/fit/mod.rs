//! Fitting Q to P: minimise KL(P‖Q) (forward, mass-covering) or KL(Q‖P) (reverse,
//! mode-seeking) over a parametric family, find every stationary point, and map the
//! landscape between them.
//!
//! Numeric contract:
//! - θ is unconstrained ([`QFamily`]: locations as they are, scales, shapes and freedoms by
//!   their logs); every θ is a valid Q.
//! - KL comes from the engine ([`crate::divergence::kl_divergence`]: closed forms where they
//!   exist, adaptive quadrature otherwise) with its method and error; the gradient and
//!   Hessian are integrals of differences of ln q ([`objective`]).
//! - A fit stops when a Newton step is below 10⁻¹⁰ in every coordinate of θ.
//! - A minimum that is not attained (a scale → 0 or ∞, a freedom → ∞) is an [`Edge`],
//!   said in words, never a number standing for the limit.
//! - KL may be ∞ for every Q in the family (P has mass where no Q does, or a heavier tail):
//!   then there is no optimum and the reason is given.

pub mod family;
pub mod landscape;
pub mod newton;
pub mod objective;
pub mod pass;
pub mod score;
pub mod search;

pub use family::{Coordinate, QFamily};
pub use landscape::{Basins, Grid, Landscape, basins, landscape};
pub use newton::{Run, minimise, stationary, symmetric_eigen};
pub use objective::{Derivatives, Direction, Problem};
pub use pass::{Crossing, EdgeCrossing, Pass, pass_between};
pub use search::{Search, Stationary, StationaryKind, search};

use crate::distribution::{Distribution, Parametric};
use crate::divergence::Figure;

/// Where a minimisation ran off the family: which parameter, and which way.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The spec parameter's name.
    pub param: &'static str,
    /// Whether it grows without bound (else it shrinks to 0).
    pub to_infinity: bool,
    /// KL at the last point, approaching the infimum.
    pub kl: Figure,
    /// Q at the last point.
    pub q: Parametric,
}

impl Edge {
    /// The edge in words.
    pub fn sentence(&self) -> String {
        let limit = if self.to_infinity { "∞" } else { "0" };
        let what = match (self.q.family(), self.param, self.to_infinity) {
            (crate::distribution::FamilyId::StudentT, "freedom", true) => {
                " (Q tends to a normal)".to_string()
            }
            _ => String::new(),
        };
        format!(
            "the optimum is at the edge of the family: {} → {limit}{what}; KL decreases towards {} \
             there and no Q in the family attains it",
            self.param,
            crate::divergence::format_value(self.kl.value)
        )
    }
}

/// The result of one minimisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// θ at the end.
    pub theta: Vec<f64>,
    /// Q at the end.
    pub q: Parametric,
    /// KL at the end, from the engine.
    pub kl: Figure,
    /// Whether the last Newton step was below 10⁻¹⁰ in θ.
    pub converged: bool,
    /// Newton steps taken.
    pub iterations: usize,
    /// Every θ visited.
    pub path: Vec<Vec<f64>>,
    /// What the Hessian says the end point is (`None` if KL is ∞ there).
    pub kind: Option<StationaryKind>,
    /// Set when the minimisation ran to an edge of the family.
    pub edge: Option<Edge>,
}

impl Fit {
    /// The spec parameters (in the spec's order; a fixed freedom included).
    pub fn params(&self) -> &[f64] {
        self.q.params()
    }
}

/// Maximum Newton steps of one fit.
pub const MAX_ITER: usize = 200;

/// Minimises from `start` (θ).
pub fn fit_from(problem: &Problem, start: &[f64]) -> Option<Fit> {
    let run = minimise(problem, start, MAX_ITER);
    fit_of_run(problem, run)
}

/// Turns a run into a [`Fit`]: KL from the engine, the kind from the Hessian, the edge named.
pub fn fit_of_run(problem: &Problem, run: Run) -> Option<Fit> {
    let q = problem.family.q(&run.theta)?;
    let kl = problem.kl(&run.theta);
    let kind = run
        .last
        .as_ref()
        .map(|d| StationaryKind::of_hessian(&d.hessian, problem.dim()));
    let names = problem.family.param_names();
    let edge = run.edge.map(|i| Edge {
        param: names.get(i).copied().unwrap_or("?"),
        to_infinity: run.theta[i] >= problem.family.bounds(i).1,
        kl: kl.clone(),
        q: q.clone(),
    });
    Some(Fit {
        theta: run.theta,
        q,
        kl,
        converged: run.converged,
        iterations: run.iterations,
        path: run.path,
        kind,
        edge,
    })
}

/// A starting θ from P's median and spread (half its 1 %–99 % range): a normal with that
/// median and the matching std_dev, and the like for each family.
pub fn initial_theta(p: &Distribution, family: QFamily) -> Vec<f64> {
    let (lo, med, hi) = (p.quantile(0.01), p.quantile(0.5), p.quantile(0.99));
    let spread = if hi > lo { (hi - lo) / 4.652_695 } else { 1.0 };
    let (mean, sd) = (med, spread);
    let params: Vec<f64> = match family {
        QFamily::Normal | QFamily::StudentTFixed(_) => vec![mean, sd],
        QFamily::Laplace => vec![mean, sd / std::f64::consts::SQRT_2],
        QFamily::StudentT => vec![mean, sd, 5.0],
        QFamily::LogNormal if lo > 0.0 => {
            vec![med.ln(), ((hi.ln() - lo.ln()) / 4.652_695).max(1e-6)]
        }
        QFamily::LogNormal => vec![0.0, 1.0],
        QFamily::Gamma if mean > 0.0 => vec![(mean / sd).powi(2), mean / (sd * sd)],
        QFamily::Weibull if mean > 0.0 => vec![1.5, mean],
        QFamily::Beta if mean > 0.0 && mean < 1.0 => {
            let common = mean * (1.0 - mean) / (sd * sd) - 1.0;
            if common > 0.0 {
                vec![mean * common, (1.0 - mean) * common]
            } else {
                vec![1.0, 1.0]
            }
        }
        QFamily::Gamma | QFamily::Weibull | QFamily::Beta => vec![1.0, 1.0],
    };
    let params: Vec<f64> = params
        .into_iter()
        .map(|v| if v.is_finite() { v } else { 1.0 })
        .collect();
    family.theta_from_params(&params)
}

/// The box the search and the landscape cover, per coordinate of θ: locations ± 3 initial
/// scales, log-scales from −3 to +1.5 around the start, log-shapes ± 2.5.
pub fn search_box(p: &Distribution, family: QFamily) -> Vec<(f64, f64)> {
    let t0 = initial_theta(p, family);
    let coords = family.coordinates();
    (0..t0.len())
        .map(|i| match coords[i] {
            Coordinate::Plain => {
                let scale = t0.get(i + 1).map_or(1.0, |s| s.exp());
                (t0[i] - 3.0 * scale, t0[i] + 3.0 * scale)
            }
            Coordinate::Log if i == 1 && coords[0] == Coordinate::Plain => {
                (t0[i] - 3.0, t0[i] + 1.5)
            }
            Coordinate::Log => (t0[i] - 2.5, t0[i] + 2.5),
        })
        .collect()
}
