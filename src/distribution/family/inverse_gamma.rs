//! The inverse gamma distribution.

use statrs::distribution as sd;
use statrs::function::gamma::ln_gamma;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `inverse_gamma(shape, rate)`: `1/X` is gamma(shape, rate); density
/// `rate^shape x^(−shape−1) e^(−rate/x) / Γ(shape)`.
#[derive(Clone, Debug, PartialEq)]
pub struct InverseGamma {
    /// The shape, in (0, 1e8].
    pub shape: f64,
    /// The rate (the scale of `X`), > 0.
    pub rate: f64,
    ln_norm: f64,
}

impl ParametricFamily for InverseGamma {
    const INFO: FamilyInfo = FamilyInfo {
        name: "inverse_gamma",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("shape", 3.0, Constraint::Shape, (0.1, 20.0)),
            ParamInfo::new("rate", 2.0, Constraint::Positive, (0.05, 10.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [shape, rate] = fixed(&Self::INFO, params)?;
        // P(X > t) = P(gamma(shape, rate) < 1/t) ≈ (rate/t)^shape / Γ(shape + 1) for t far
        // beyond the bulk: the mass beyond the largest double, where no figure can follow it
        // (a shape of 1e-142 puts nearly all of it there: KL 0 ± ∞ against a Cauchy).
        let ln_z = (rate.ln() - f64::MAX.ln()).min(0.0);
        let ln_tail = shape * ln_z - ln_gamma(shape + 1.0);
        if let Some(e) = super::params::mass_beyond_doubles(shape, ("rate", rate), ln_tail, -ln_z) {
            return Err(e);
        }
        Ok(InverseGamma {
            shape,
            rate,
            ln_norm: shape * rate.ln() - ln_gamma(shape),
        })
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        let x = at.x;
        if x <= 0.0 {
            f64::NEG_INFINITY
        } else {
            self.ln_norm - (self.shape + 1.0) * x.ln() - self.rate / x
        }
    }

    fn modes(&self) -> Vec<f64> {
        vec![self.rate / (self.shape + 1.0)]
    }

    fn tail(&self, upper: bool) -> Tail {
        if upper {
            Tail::Power { alpha: self.shape }
        } else {
            Tail::EdgeExpInverse
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::InverseGamma::new(self.shape, self.rate))
    }

    /// As for the gamma: safe up to shape 1e9.
    fn statrs_inverse_is_safe(&self) -> bool {
        self.shape <= 1e9
    }
}
