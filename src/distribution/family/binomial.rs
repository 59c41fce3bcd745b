//! The binomial distribution.

use statrs::distribution as sd;
use statrs::function::gamma::ln_gamma;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, ParamError, ParamInfo, ParametricFamily, StatrsVisitor,
    Tail, xlogy,
};

/// `binomial(p, n)`: successes in `n` trials of probability `p`.
#[derive(Clone, Debug, PartialEq)]
pub struct Binomial {
    /// The success probability, in [0, 1].
    pub p: f64,
    /// The number of trials, a whole number ≥ 0.
    pub n: f64,
    /// `ln n!`.
    ln_norm: f64,
}

impl ParametricFamily for Binomial {
    const INFO: FamilyInfo = FamilyInfo {
        name: "binomial",
        kind: Kind::Discrete,
        params: &[
            ParamInfo::new("p", 0.5, Constraint::Probability, (0.0, 1.0)),
            ParamInfo::new("n", 10.0, Constraint::Count, (1.0, 100.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [p, n] = fixed(&Self::INFO, params)?;
        Ok(Binomial {
            p,
            n,
            ln_norm: ln_gamma(n + 1.0),
        })
    }

    fn support(&self) -> (f64, f64) {
        if self.p == 0.0 {
            (0.0, 0.0)
        } else if self.p == 1.0 {
            (self.n, self.n)
        } else {
            (0.0, self.n)
        }
    }

    fn ln_pmf(&self, k: i64) -> f64 {
        let (kf, pr, n) = (k as f64, self.p, self.n);
        if kf > n {
            return f64::NEG_INFINITY;
        }
        self.ln_norm - ln_gamma(kf + 1.0) - ln_gamma(n - kf + 1.0)
            + xlogy(kf, pr)
            + xlogy(n - kf, 1.0 - pr)
    }

    fn modes(&self) -> Vec<f64> {
        vec![]
    }

    /// No divergence at the ends of a discrete support.
    fn tail(&self, _upper: bool) -> Tail {
        Tail::Edge { s: 0.0 }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.discrete(sd::Binomial::new(self.p, self.n as u64))
    }
}
