//! The continuous uniform distribution.

use statrs::distribution as sd;

use super::params::{check_range, fixed};
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `uniform(min, max)`: density `1/(max − min)` on `[min, max]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Uniform {
    /// The lower end.
    pub min: f64,
    /// The upper end, > min.
    pub max: f64,
    ln_norm: f64,
}

impl ParametricFamily for Uniform {
    const INFO: FamilyInfo = FamilyInfo {
        name: "uniform",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("min", 0.0, Constraint::Finite, (-10.0, 10.0)),
            ParamInfo::new("max", 1.0, Constraint::Finite, (-10.0, 10.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [min, max] = fixed(&Self::INFO, params)?;
        check_range(min, max)?;
        Ok(Uniform {
            min,
            max,
            ln_norm: -(max - min).ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        if at.from(self.min) >= 0.0 && at.from(self.max) <= 0.0 {
            self.ln_norm
        } else {
            f64::NEG_INFINITY
        }
    }

    fn modes(&self) -> Vec<f64> {
        vec![]
    }

    fn tail(&self, _upper: bool) -> Tail {
        Tail::Edge { s: 0.0 }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Uniform::new(self.min, self.max))
    }
}
