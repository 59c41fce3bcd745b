//! The chi-squared distribution.

use statrs::distribution as sd;
use statrs::function::gamma::ln_gamma;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail, gamma_like,
};

/// `chi_squared(freedom)`: a gamma with shape `freedom/2` and rate `1/2`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChiSquared {
    /// The degrees of freedom, in (0, 1e8].
    pub freedom: f64,
    ln_norm: f64,
}

impl ParametricFamily for ChiSquared {
    const INFO: FamilyInfo = FamilyInfo {
        name: "chi_squared",
        kind: Kind::Continuous,
        params: &[ParamInfo::new(
            "freedom",
            3.0,
            Constraint::Shape,
            (0.1, 50.0),
        )],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [freedom] = fixed(&Self::INFO, params)?;
        Ok(ChiSquared {
            freedom,
            ln_norm: -(freedom / 2.0) * 2f64.ln() - ln_gamma(freedom / 2.0),
        })
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        gamma_like(self.ln_norm, self.freedom / 2.0, 0.5, at.x)
    }

    fn modes(&self) -> Vec<f64> {
        if self.freedom > 2.0 {
            vec![self.freedom - 2.0]
        } else {
            vec![]
        }
    }

    fn tail(&self, upper: bool) -> Tail {
        if upper {
            Tail::Stretched { k: 1.0, c: 0.5 }
        } else {
            Tail::Edge {
                s: self.freedom / 2.0 - 1.0,
            }
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::ChiSquared::new(self.freedom))
    }

    /// As for the gamma: safe up to 1e9.
    fn statrs_inverse_is_safe(&self) -> bool {
        self.freedom <= 1e9
    }
}
