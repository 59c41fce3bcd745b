//! The Cauchy distribution.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `cauchy(location, scale)`: density `1 / (π·scale·(1 + z²))`, `z = (x − location)/scale`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cauchy {
    /// The median.
    pub location: f64,
    /// The half width at half maximum, > 0.
    pub scale: f64,
    ln_norm: f64,
}

impl ParametricFamily for Cauchy {
    const INFO: FamilyInfo = FamilyInfo {
        name: "cauchy",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("location", 0.0, Constraint::Finite, (-10.0, 10.0)),
            ParamInfo::new("scale", 1.0, Constraint::Positive, (0.05, 10.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [location, scale] = fixed(&Self::INFO, params)?;
        // P(|X − location| > t) ≈ 2·scale/(π·t): the mass beyond the largest double.
        let tail = 2.0 * (scale / (f64::MAX - location.abs())) / std::f64::consts::PI;
        if !(tail <= 1e-12) {
            return Err(ParamError::Inconsistent(format!(
                "scale {} puts {:.0e} of the mass beyond 1.8e308, the largest double, where no figure can follow it; scale must be at most about {:.0e} (at location {})",
                super::format_number(scale),
                tail.min(1.0),
                1e-12 * std::f64::consts::PI / 2.0 * (f64::MAX - location.abs()),
                super::format_number(location)
            )));
        }
        Ok(Cauchy {
            location,
            scale,
            ln_norm: -(std::f64::consts::PI * scale).ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        let d = at.from(self.location).abs();
        let z = d / self.scale;
        // ln z from the logs where z is large: d / scale overflows to ∞ for a tiny scale
        // (3.7e-68) at a finite d, which made q's density 0 there and the tail bound ∞.
        self.ln_norm
            - if z > 1e150 {
                2.0 * (d.ln() - self.scale.ln())
            } else {
                (z * z).ln_1p()
            }
    }

    fn modes(&self) -> Vec<f64> {
        vec![self.location]
    }

    fn tail(&self, _upper: bool) -> Tail {
        Tail::Power { alpha: 1.0 }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Cauchy::new(self.location, self.scale))
    }
}
