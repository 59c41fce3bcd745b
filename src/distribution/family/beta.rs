//! The beta distribution.

use statrs::distribution as sd;
use statrs::function::beta::ln_beta;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail, xlogy,
};

/// `beta(shape_a, shape_b)`: density `x^(a−1) (1 − x)^(b−1) / B(a, b)` on `[0, 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Beta {
    /// The exponent at 0 (plus one), > 0.
    pub shape_a: f64,
    /// The exponent at 1 (plus one), > 0.
    pub shape_b: f64,
    ln_norm: f64,
}

impl ParametricFamily for Beta {
    const INFO: FamilyInfo = FamilyInfo {
        name: "beta",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("shape_a", 2.0, Constraint::Positive, (0.05, 20.0)),
            ParamInfo::new("shape_b", 2.0, Constraint::Positive, (0.05, 20.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [shape_a, shape_b] = fixed(&Self::INFO, params)?;
        // P(X < m) ≈ m^a/(a·B(a, b)) near 0, and likewise near 1 with b.
        let ln_norm = -ln_beta(shape_a, shape_b);
        let ln_min = f64::MIN_POSITIVE.ln();
        for (shape, edge) in [(shape_a, "0"), (shape_b, "1")] {
            super::params::check_edge_mass(
                shape * ln_min - shape.ln() + ln_norm,
                &format!(
                    "shape_{} {}",
                    if edge == "0" { "a" } else { "b" },
                    super::format_number(shape)
                ),
                edge,
            )?;
        }
        Ok(Beta {
            shape_a,
            shape_b,
            ln_norm: -ln_beta(shape_a, shape_b),
        })
    }

    fn support(&self) -> (f64, f64) {
        (0.0, 1.0)
    }

    /// Near 1, `1 − x` is taken from the offset when the point is anchored at 1 (and `x`
    /// itself when anchored at 0), so that it keeps its digits.
    fn ln_pdf(&self, at: Point) -> f64 {
        let Point { x, anchor, offset } = at;
        let one_minus = if anchor == 1.0 { -offset } else { 1.0 - x };
        let xx = if anchor == 0.0 { offset } else { x };
        if !(0.0..=1.0).contains(&xx) || !(0.0..=1.0).contains(&one_minus) {
            return f64::NEG_INFINITY;
        }
        self.ln_norm + xlogy(self.shape_a - 1.0, xx) + xlogy(self.shape_b - 1.0, one_minus)
    }

    fn modes(&self) -> Vec<f64> {
        let (a, b) = (self.shape_a, self.shape_b);
        if a > 1.0 && b > 1.0 {
            vec![(a - 1.0) / (a + b - 2.0)]
        } else {
            vec![]
        }
    }

    fn tail(&self, upper: bool) -> Tail {
        Tail::Edge {
            s: if upper { self.shape_b } else { self.shape_a } - 1.0,
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::Beta::new(self.shape_a, self.shape_b))
    }

    /// statrs' inverse never returns for beta(5.5, 3.3e9) or a parameter of 1e7; it worked
    /// up to 1e6.
    fn statrs_inverse_is_safe(&self) -> bool {
        self.shape_a <= 1e6 && self.shape_b <= 1e6
    }
}
