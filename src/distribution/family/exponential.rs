//! The exponential distribution.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `exponential(rate)`: density `rate·exp(−rate·x)` for `x ≥ 0`.
#[derive(Clone, Debug, PartialEq)]
pub struct Exponential {
    /// The rate, > 0 (the mean is 1/rate).
    pub rate: f64,
    ln_norm: f64,
}

impl ParametricFamily for Exponential {
    const INFO: FamilyInfo = FamilyInfo {
        name: "exponential",
        kind: Kind::Continuous,
        params: &[ParamInfo::new(
            "rate",
            1.0,
            Constraint::Positive,
            (0.05, 10.0),
        )],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [rate] = fixed(&Self::INFO, params)?;
        Ok(Exponential {
            rate,
            ln_norm: rate.ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        if at.x < 0.0 {
            f64::NEG_INFINITY
        } else {
            self.ln_norm - self.rate * at.x
        }
    }

    fn modes(&self) -> Vec<f64> {
        vec![]
    }

    fn tail(&self, upper: bool) -> Tail {
        if upper {
            Tail::Stretched {
                k: 1.0,
                c: self.rate,
            }
        } else {
            Tail::Edge { s: 0.0 }
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Exp::new(self.rate))
    }
}
