//! The Bernoulli distribution.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, StatrsVisitor,
    Tail,
};

/// `bernoulli(p)`: 1 with probability `p`, 0 otherwise.
#[derive(Clone, Debug, PartialEq)]
pub struct Bernoulli {
    /// The probability of 1, in [0, 1].
    pub p: f64,
}

impl ParametricFamily for Bernoulli {
    const INFO: FamilyInfo = FamilyInfo {
        name: "bernoulli",
        kind: Kind::Discrete,
        params: &[ParamInfo::new(
            "p",
            0.5,
            Constraint::Probability,
            (0.0, 1.0),
        )],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [p] = fixed(&Self::INFO, params)?;
        Ok(Bernoulli { p })
    }

    fn support(&self) -> (f64, f64) {
        (
            if self.p == 1.0 { 1.0 } else { 0.0 },
            if self.p == 0.0 { 0.0 } else { 1.0 },
        )
    }

    fn ln_pmf(&self, k: i64) -> f64 {
        match k {
            0 => (1.0 - self.p).ln(),
            1 => self.p.ln(),
            _ => f64::NEG_INFINITY,
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
        v.discrete(sd::Bernoulli::new(self.p))
    }
}
