//! The geometric distribution on 1, 2, 3, ...

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, StatrsVisitor,
    Tail, xlogy,
};

/// `geometric(p)`: the number of trials up to and including the first success,
/// `P(k) = p (1 − p)^(k−1)` for `k ≥ 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometric {
    /// The success probability, in (0, 1].
    pub p: f64,
}

impl ParametricFamily for Geometric {
    const INFO: FamilyInfo = FamilyInfo {
        name: "geometric",
        kind: Kind::Discrete,
        params: &[ParamInfo::new(
            "p",
            0.3,
            Constraint::ProbabilityPositive,
            (0.01, 1.0),
        )],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [p] = fixed(&Self::INFO, params)?;
        Ok(Geometric { p })
    }

    fn support(&self) -> (f64, f64) {
        if self.p == 1.0 {
            (1.0, 1.0)
        } else {
            (1.0, f64::INFINITY)
        }
    }

    fn ln_pmf(&self, k: i64) -> f64 {
        if k < 1 {
            f64::NEG_INFINITY
        } else {
            self.p.ln() + xlogy(k as f64 - 1.0, 1.0 - self.p)
        }
    }

    fn modes(&self) -> Vec<f64> {
        vec![]
    }

    /// No divergence at the ends of a discrete support.
    fn tail(&self, _upper: bool) -> Tail {
        Tail::Edge { s: 0.0 }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.discrete(sd::Geometric::new(self.p))
    }
}
