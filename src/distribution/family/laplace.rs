//! The Laplace (double exponential) distribution.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `laplace(location, scale)`: density `exp(−|x − location|/scale) / (2·scale)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Laplace {
    /// The centre.
    pub location: f64,
    /// The scale, > 0.
    pub scale: f64,
    ln_norm: f64,
}

impl ParametricFamily for Laplace {
    const INFO: FamilyInfo = FamilyInfo {
        name: "laplace",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("location", 0.0, Constraint::Finite, (-10.0, 10.0)),
            ParamInfo::new("scale", 1.0, Constraint::Positive, (0.05, 10.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [location, scale] = fixed(&Self::INFO, params)?;
        Ok(Laplace {
            location,
            scale,
            ln_norm: -(2.0 * scale).ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        self.ln_norm - at.from(self.location).abs() / self.scale
    }

    fn modes(&self) -> Vec<f64> {
        vec![self.location]
    }

    fn tail(&self, _upper: bool) -> Tail {
        Tail::Stretched {
            k: 1.0,
            c: 1.0 / self.scale,
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Laplace::new(self.location, self.scale))
    }
}
