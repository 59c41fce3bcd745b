//! The triangular distribution.

use statrs::distribution as sd;

use super::params::{check_range, fixed};
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `triangular(min, max, mode)`: density rising linearly from `min` to its peak at `mode`,
/// then falling linearly to `max`.
#[derive(Clone, Debug, PartialEq)]
pub struct Triangular {
    /// The lower end.
    pub min: f64,
    /// The upper end, > min.
    pub max: f64,
    /// The peak, in `[min, max]`.
    pub mode: f64,
    ln_norm: f64,
}

impl ParametricFamily for Triangular {
    const INFO: FamilyInfo = FamilyInfo {
        name: "triangular",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("min", 0.0, Constraint::Finite, (-10.0, 10.0)),
            ParamInfo::new("max", 1.0, Constraint::Finite, (-10.0, 10.0)),
            ParamInfo::new("mode", 0.5, Constraint::Finite, (-10.0, 10.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [min, max, mode] = fixed(&Self::INFO, params)?;
        check_range(min, max)?;
        if !(min <= mode && mode <= max) {
            return Err(ParamError::Inconsistent(format!(
                "mode must lie between min and max (got mode {mode}, range [{min}, {max}])"
            )));
        }
        Ok(Triangular {
            min,
            max,
            mode,
            ln_norm: 2f64.ln() - (max - min).ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (self.min, self.max)
    }

    /// Distances to the edges are exact when the point is anchored at one.
    fn ln_pdf(&self, at: Point) -> f64 {
        let (a, b, c) = (self.min, self.max, self.mode);
        let from_a = at.from(a);
        let to_b = -at.from(b);
        if from_a < 0.0 || to_b < 0.0 {
            f64::NEG_INFINITY
        } else if at.from(c) < 0.0 || (at.from(c) == 0.0 && c > a) {
            self.ln_norm + from_a.ln() - (c - a).ln()
        } else if c < b {
            self.ln_norm + to_b.ln() - (b - c).ln()
        } else {
            // mode == max and x == max
            self.ln_norm
        }
    }

    fn modes(&self) -> Vec<f64> {
        vec![self.mode]
    }

    /// A jump where the mode sits on the edge, a linear rise from zero otherwise.
    fn tail(&self, upper: bool) -> Tail {
        let edge = if upper { self.max } else { self.min };
        Tail::Edge {
            s: if self.mode == edge { 0.0 } else { 1.0 },
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Triangular::new(self.min, self.max, self.mode))
    }
}
