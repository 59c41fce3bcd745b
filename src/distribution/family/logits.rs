//! Categories given by logits (a softmax).

use super::table::Table;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, StatrsVisitor,
    Tail,
};

/// `logits(l0, l1, ...)`: `P(k) = e^(l_k) / Σ e^(l_j)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Logits {
    /// The normalised probabilities, in log space.
    pub table: Table,
}

impl ParametricFamily for Logits {
    const INFO: FamilyInfo = FamilyInfo {
        name: "logits",
        kind: Kind::Discrete,
        params: &[ParamInfo::new("l", 0.0, Constraint::Finite, (-10.0, 10.0))],
        arity: Arity::Variadic {
            defaults: &[1.0, 0.0, -1.0],
        },
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let lse = log_sum_exp(params);
        Ok(Logits {
            table: Table::new(params.iter().map(|l| l - lse).collect()),
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
}

/// `ln Σ e^(v_i)`, without overflow.
fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY || max.is_infinite() {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}
