//! The gamma distribution (shape and rate).

use statrs::distribution as sd;
use statrs::function::gamma::ln_gamma;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail, gamma_like,
};

/// `gamma(shape, rate)`: density `rate^shape x^(shape−1) e^(−rate·x) / Γ(shape)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Gamma {
    /// The shape, in (0, 1e8].
    pub shape: f64,
    /// The rate, > 0.
    pub rate: f64,
    ln_norm: f64,
}

impl ParametricFamily for Gamma {
    const INFO: FamilyInfo = FamilyInfo {
        name: "gamma",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("shape", 2.0, Constraint::Shape, (0.05, 20.0)),
            ParamInfo::new("rate", 1.0, Constraint::Positive, (0.05, 10.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [shape, rate] = fixed(&Self::INFO, params)?;
        // P(X < m) ≈ (rate·m)^k/Γ(k + 1) near 0.
        super::params::check_edge_mass(
            shape * (rate.ln() + f64::MIN_POSITIVE.ln()) - ln_gamma(shape + 1.0),
            &format!(
                "shape {} with rate {}",
                super::format_number(shape),
                super::format_number(rate)
            ),
            "0",
        )?;
        Ok(Gamma {
            shape,
            rate,
            ln_norm: shape * rate.ln() - ln_gamma(shape),
        })
    }

    fn support(&self) -> (f64, f64) {
        (0.0, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        gamma_like(self.ln_norm, self.shape, self.rate, at.x)
    }

    fn modes(&self) -> Vec<f64> {
        if self.shape > 1.0 {
            vec![(self.shape - 1.0) / self.rate]
        } else {
            vec![]
        }
    }

    fn tail(&self, upper: bool) -> Tail {
        if upper {
            Tail::Stretched {
                k: 1.0,
                c: self.rate,
            }
        } else {
            Tail::Edge {
                s: self.shape - 1.0,
            }
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Gamma::new(self.shape, self.rate))
    }

    /// statrs' inverse never returns for shape 1e12; it worked up to 1e9.
    fn statrs_inverse_is_safe(&self) -> bool {
        self.shape <= 1e9
    }
}
