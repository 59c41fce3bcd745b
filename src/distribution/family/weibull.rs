//! The Weibull distribution.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail, xlogy,
};

/// `weibull(shape, scale)`: density `(k/λ)(x/λ)^(k−1) e^(−(x/λ)^k)` for `x ≥ 0`.
#[derive(Clone, Debug, PartialEq)]
pub struct Weibull {
    /// The shape k > 0.
    pub shape: f64,
    /// The scale λ > 0.
    pub scale: f64,
    ln_norm: f64,
}

impl ParametricFamily for Weibull {
    const INFO: FamilyInfo = FamilyInfo {
        name: "weibull",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("shape", 1.5, Constraint::Positive, (0.1, 10.0)),
            ParamInfo::new("scale", 1.0, Constraint::Positive, (0.05, 10.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [shape, scale] = fixed(&Self::INFO, params)?;
        // P(X < m) ≈ (m/scale)^k near 0.
        super::params::check_edge_mass(
            shape * (f64::MIN_POSITIVE.ln() - scale.ln()),
            &format!(
                "shape {} with scale {}",
                super::format_number(shape),
                super::format_number(scale)
            ),
            "0",
        )?;
        Ok(Weibull {
            shape,
            scale,
            ln_norm: shape.ln() - scale.ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        let (k, lam) = (self.shape, self.scale);
        if at.x < 0.0 {
            return f64::NEG_INFINITY;
        }
        let r = at.x / lam;
        self.ln_norm + xlogy(k - 1.0, r) - r.powf(k)
    }

    fn modes(&self) -> Vec<f64> {
        let (a, b) = (self.shape, self.scale);
        if a > 1.0 {
            vec![b * ((a - 1.0) / a).powf(1.0 / a)]
        } else {
            vec![]
        }
    }

    fn tail(&self, upper: bool) -> Tail {
        if upper {
            Tail::Stretched {
                k: self.shape,
                c: self.scale.powf(-self.shape),
            }
        } else {
            Tail::Edge {
                s: self.shape - 1.0,
            }
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Weibull::new(self.shape, self.scale))
    }
}
