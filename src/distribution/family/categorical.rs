//! The categorical distribution: probabilities given one by one.

use super::table::Table;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, StatrsVisitor,
    Tail,
};

/// `categorical(p0, p1, ...)`: `P(k) ∝ p_k`; probabilities that do not sum to 1 are
/// rescaled, and [`Categorical::normalised_from`](ParametricFamily::normalised_from) keeps
/// their sum.
#[derive(Clone, Debug, PartialEq)]
pub struct Categorical {
    /// The normalised probabilities, in log space.
    pub table: Table,
    normalised_from: Option<f64>,
}

impl ParametricFamily for Categorical {
    const INFO: FamilyInfo = FamilyInfo {
        name: "categorical",
        kind: Kind::Discrete,
        params: &[ParamInfo::new(
            "p",
            0.25,
            Constraint::NonNegative,
            (0.0, 1.0),
        )],
        arity: Arity::Variadic {
            defaults: &[0.1, 0.2, 0.3, 0.4],
        },
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let (shares, total) = crate::distribution::normalise(params.iter().copied());
        if total <= 0.0 {
            return Err(ParamError::Inconsistent(
                "categorical probabilities must not all be 0".into(),
            ));
        }
        let normalised_from = ((total - 1.0).abs() > 1e-12).then_some(total);
        Ok(Categorical {
            table: Table::new(shares.iter().map(|p| p.ln()).collect()),
            normalised_from,
        })
    }

    fn support(&self) -> (f64, f64) {
        self.table.support()
    }

    fn ln_pmf(&self, k: i64) -> f64 {
        self.table.ln_pmf(k)
    }

    fn modes(&self) -> Vec<f64> {
        vec![]
    }

    /// No divergence at the ends of a discrete support.
    fn tail(&self, _upper: bool) -> Tail {
        Tail::Edge { s: 0.0 }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.table(self.table.ln_probs())
    }

    fn normalised_from(&self) -> Option<f64> {
        self.normalised_from
    }
}
