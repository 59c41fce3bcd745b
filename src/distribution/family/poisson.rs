//! The Poisson distribution.

use statrs::distribution as sd;
use statrs::function::gamma::ln_gamma;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, StatrsVisitor,
    Tail,
};

/// `poisson(lambda)`: `P(k) = λ^k e^(−λ) / k!` for `k = 0, 1, ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Poisson {
    /// The mean λ > 0.
    pub lambda: f64,
}

impl ParametricFamily for Poisson {
    const INFO: FamilyInfo = FamilyInfo {
        name: "poisson",
        kind: Kind::Discrete,
        params: &[ParamInfo::new(
            "lambda",
            3.0,
            Constraint::Positive,
            (0.05, 50.0),
        )],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [lambda] = fixed(&Self::INFO, params)?;
        Ok(Poisson { lambda })
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    fn ln_pmf(&self, k: i64) -> f64 {
        let kf = k as f64;
        let lam = self.lambda;
        kf * lam.ln() - lam - ln_gamma(kf + 1.0)
    }

    fn modes(&self) -> Vec<f64> {
        vec![]
    }

    /// No divergence at the ends of a discrete support.
    fn tail(&self, _upper: bool) -> Tail {
        Tail::Edge { s: 0.0 }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.discrete(sd::Poisson::new(self.lambda))
    }
}
