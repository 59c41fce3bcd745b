//! The Gumbel (maximum) distribution.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `gumbel(location, scale)`: density `e^(−z − e^(−z)) / scale`, `z = (x − location)/scale`.
#[derive(Clone, Debug, PartialEq)]
pub struct Gumbel {
    /// The mode.
    pub location: f64,
    /// The scale, > 0.
    pub scale: f64,
    ln_norm: f64,
}

impl ParametricFamily for Gumbel {
    const INFO: FamilyInfo = FamilyInfo {
        name: "gumbel",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("location", 0.0, Constraint::Finite, (-10.0, 10.0)),
            ParamInfo::new("scale", 1.0, Constraint::Positive, (0.05, 10.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [location, scale] = fixed(&Self::INFO, params)?;
        Ok(Gumbel {
            location,
            scale,
            ln_norm: -scale.ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        let z = at.from(self.location) / self.scale;
        self.ln_norm - z - (-z).exp()
    }

    fn modes(&self) -> Vec<f64> {
        vec![self.location]
    }

    fn tail(&self, upper: bool) -> Tail {
        if upper {
            Tail::Stretched {
                k: 1.0,
                c: 1.0 / self.scale,
            }
        } else {
            Tail::DoubleExp {
                rate: 1.0 / self.scale,
            }
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Gumbel::new(self.location, self.scale))
    }
}
