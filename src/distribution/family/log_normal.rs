//! The log-normal distribution.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Constraint, FamilyInfo, Kind, LN_2PI, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `log_normal(location, scale)`: `ln X` is normal with mean `location` and standard
/// deviation `scale`.
#[derive(Clone, Debug, PartialEq)]
pub struct LogNormal {
    /// The mean of `ln X`.
    pub location: f64,
    /// The standard deviation of `ln X`, > 0.
    pub scale: f64,
    ln_norm: f64,
}

impl ParametricFamily for LogNormal {
    const INFO: FamilyInfo = FamilyInfo {
        name: "log_normal",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("location", 0.0, Constraint::Finite, (-3.0, 3.0)),
            ParamInfo::new("scale", 0.5, Constraint::Positive, (0.05, 3.0)),
        ],
        arity: super::Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [location, scale] = fixed(&Self::INFO, params)?;
        // ln X is normal(location, scale): the mass of X beyond the largest double
        // (ln X > 709.78) or below the smallest normal one (ln X < −708.40), where the
        // doubles cannot follow it (log_normal(0, 1e253) has half its mass on each side).
        let mass = |z: f64, upper: bool| super::erfc_half(z, upper);
        let above = mass((f64::MAX.ln() - location) / scale, true);
        let below = mass((f64::MIN_POSITIVE.ln() - location) / scale, false);
        for (m, place) in [
            (above, "beyond 1.8e308, the largest double"),
            (
                below,
                "within 2.2e-308 of 0, below the smallest double with full precision",
            ),
        ] {
            if !(m <= 1e-12) {
                return Err(ParamError::Inconsistent(format!(
                    "location {} with scale {} puts {} of the mass {place}, where no figure can follow it; ln X must stay within [−708, 709]: location ± 7·scale inside that range",
                    super::format_number(location),
                    super::format_number(scale),
                    if m >= 0.5 {
                        "nearly all".to_string()
                    } else {
                        format!("{m:.0e}")
                    },
                )));
            }
        }
        Ok(LogNormal {
            location,
            scale,
            ln_norm: -scale.ln() - 0.5 * LN_2PI,
        })
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        let x = at.x;
        if x <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let lx = x.ln();
        let z = (lx - self.location) / self.scale;
        self.ln_norm - lx - 0.5 * z * z
    }

    fn modes(&self) -> Vec<f64> {
        vec![(self.location - self.scale * self.scale).exp()]
    }

    fn tail(&self, upper: bool) -> Tail {
        if upper {
            Tail::LogSquared
        } else {
            Tail::EdgeLogSquared
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::LogNormal::new(self.location, self.scale))
    }

    /// As for the normal: erfc, good to a few ulps.
    fn erfc_tail(&self, x: f64, upper: bool) -> Option<f64> {
        if x <= 0.0 {
            return Some(if upper { 1.0 } else { 0.0 });
        }
        Some(super::erfc_half(
            (x.ln() - self.location) / self.scale,
            upper,
        ))
    }
}
