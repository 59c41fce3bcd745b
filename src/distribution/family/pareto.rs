//! The Pareto distribution.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `pareto(scale, shape)`: density `α·xₘ^α / x^(α+1)` for `x ≥ xₘ`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pareto {
    /// The lower end xₘ > 0.
    pub scale: f64,
    /// The tail index α > 0.
    pub shape: f64,
    ln_norm: f64,
}

impl ParametricFamily for Pareto {
    const INFO: FamilyInfo = FamilyInfo {
        name: "pareto",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("scale", 1.0, Constraint::Positive, (0.05, 10.0)),
            ParamInfo::new("shape", 3.0, Constraint::Positive, (0.1, 20.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [scale, shape] = fixed(&Self::INFO, params)?;
        // The mass lies within about scale/shape of the edge: beyond 1e13, narrower than
        // double precision resolves next to the edge's own value (pareto(1, 1e300) against
        // pareto(1, 2e300) gave KL 0 by quadrature).
        if shape > 1e13 {
            return Err(ParamError::Inconsistent(format!(
                "shape {} puts the mass within scale/shape = {} of scale {}, narrower than double precision resolves there; shape must be at most 1e13",
                super::format_number(shape),
                super::format_number(scale / shape),
                super::format_number(scale),
            )));
        }
        // P(X > t) = (xₘ/t)^α: the mass beyond the largest double, where no figure can
        // follow it (a shape of 1e-80 puts all of it there).
        let ln_room = f64::MAX.ln() - scale.ln();
        let ln_tail = -shape * ln_room;
        if let Some(e) =
            super::params::mass_beyond_doubles(shape, ("scale", scale), ln_tail, ln_room)
        {
            return Err(e);
        }
        Ok(Pareto {
            scale,
            shape,
            ln_norm: shape.ln() - scale.ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (self.scale, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        // ln x as ln xₘ + ln(1 + (x − xₘ)/xₘ): a shape of 1e300 puts the mass within
        // xₘ·1e-300 of xₘ, which only the offset from the edge can tell apart.
        let d = at.from(self.scale);
        if d < 0.0 {
            f64::NEG_INFINITY
        } else {
            // α·xₘ^α / x^(α+1) = (α/xₘ)·(1 + d/xₘ)^−(α+1), with no α·ln xₘ to cancel.
            self.ln_norm - (self.shape + 1.0) * (d / self.scale).ln_1p()
        }
    }

    fn modes(&self) -> Vec<f64> {
        vec![]
    }

    fn tail(&self, upper: bool) -> Tail {
        if upper {
            Tail::Power { alpha: self.shape }
        } else {
            Tail::Edge { s: 0.0 }
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Pareto::new(self.scale, self.shape))
    }
}
