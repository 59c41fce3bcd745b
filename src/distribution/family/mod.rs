//! Parametric families: their parameters, validation, and log-densities.
//!
//! One file per family (as statrs does): each defines a struct with named parameters and
//! implements [`ParametricFamily`] for it — its spec name, parameter table, support,
//! log-density or log-mass, modes, tails and the statrs distribution behind its cdf. The
//! `families!` list below is the only other place that names a family: it generates
//! [`FamilyId`], [`FamilyId::ALL`], the [`Family`] enum and the dispatch from one line per
//! family. **Adding a family** is a new file here plus one line in that list.
//!
//! Every log-density here is written out in log space with its normalising constant computed
//! once, so that tails never underflow (statrs' `ln_pdf` takes `ln(pdf)` for some families,
//! which is `-inf` far in a tail). statrs supplies the special functions, cdfs and quantiles.
//!
//! Numeric contract: `ln_pdf` returns `-inf` outside the support and `+inf` only at a singular
//! support edge (gamma or beta with shape < 1); it never returns NaN for a finite `x`.

mod parametric;
mod params;
mod table;

mod bernoulli;
mod beta;
mod binomial;
mod categorical;
mod cauchy;
mod chi_squared;
mod exponential;
mod gamma;
mod geometric;
mod gumbel;
mod inverse_gamma;
mod laplace;
mod log_normal;
mod logits;
mod normal;
mod pareto;
mod poisson;
mod student_t;
mod triangular;
mod uniform;
mod weibull;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, DiscreteCDF};

use super::tail::Tail;

pub use bernoulli::Bernoulli;
pub use beta::Beta;
pub use binomial::Binomial;
pub use categorical::Categorical;
pub use cauchy::Cauchy;
pub use chi_squared::ChiSquared;
pub use exponential::Exponential;
pub use gamma::Gamma;
pub use geometric::Geometric;
pub use gumbel::Gumbel;
pub use inverse_gamma::InverseGamma;
pub use laplace::Laplace;
pub use log_normal::LogNormal;
pub use logits::Logits;
pub use normal::Normal;
pub use parametric::Parametric;
pub use params::{Arity, Constraint, FamilyInfo, ParamError, ParamInfo, format_number, xlogy};
pub use pareto::Pareto;
pub use poisson::Poisson;
pub use student_t::StudentT;
pub use table::Table;
pub use triangular::Triangular;
pub use uniform::Uniform;
pub use weibull::Weibull;

/// Whether a family is a density on the real line or a mass function on the integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// A density on (part of) the real line.
    Continuous,
    /// A probability mass function on (part of) the integers.
    Discrete,
}

/// A point where a density is evaluated: `x = anchor + offset`, with the two parts kept so
/// that points within rounding distance of a support edge (`anchor`) keep their precision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// `anchor + offset`.
    pub x: f64,
    /// A support edge (or any point) the offset is measured from.
    pub anchor: f64,
    /// The distance from `anchor`, exact.
    pub offset: f64,
}

impl Point {
    /// `x − origin`, as `(anchor − origin) + offset`: exact to one rounding of the result when
    /// `anchor` is near `origin` (a quadrature segment's end near a location), where `x` itself
    /// may have lost the offset's low digits (at x = 1e12 an ulp is 1.2e-4: a unit-scale density
    /// evaluated at `x − location` was 7e-5 off).
    pub fn from(&self, origin: f64) -> f64 {
        if self.anchor == origin {
            self.offset
        } else {
            (self.anchor - origin) + self.offset
        }
    }
}

/// What one family's file provides.
///
/// Parameters reach [`ParametricFamily::from_params`] in the order of `INFO.params`, already
/// checked against their [`Constraint`]s and counted.
pub trait ParametricFamily: Sized {
    /// The family's spec name, kind and parameter table.
    const INFO: FamilyInfo;

    /// Builds the distribution from parameters that passed their constraints, precomputing
    /// its normalising constant.
    ///
    /// # Errors
    /// [`ParamError::Inconsistent`] when parameters are fine alone but not together
    /// (uniform's min ≥ max, ...).
    fn from_params(params: &[f64]) -> Result<Self, ParamError>;

    /// Support as a closed interval `[lo, hi]` (infinite ends allowed). Discrete families give
    /// integer bounds.
    fn support(&self) -> (f64, f64);

    /// Log-density at a point that is not NaN (continuous families; discrete ones keep this
    /// default, `-inf`).
    fn ln_pdf(&self, _at: Point) -> f64 {
        f64::NEG_INFINITY
    }

    /// Log-probability of the integer `k ≥ 0` (discrete families; continuous ones keep this
    /// default, `-inf`).
    fn ln_pmf(&self, _k: i64) -> f64 {
        f64::NEG_INFINITY
    }

    /// The point(s) of highest density, used as quadrature break points.
    fn modes(&self) -> Vec<f64>;

    /// How the density behaves at the lower (`upper == false`) or upper end of the support.
    fn tail(&self, upper: bool) -> Tail;

    /// Hands the statrs distribution behind this family (or the probability table) to `v`.
    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output;

    /// Whether statrs' iterative inverse cdf finishes for these parameters (see
    /// [`Parametric::quantile`]); families whose inverse never stalls keep this default.
    fn statrs_inverse_is_safe(&self) -> bool {
        true
    }

    /// The tail mass below (`upper` false) or above `x` from `erfc`, for families where that
    /// beats statrs' cdf (normal, log-normal); `None` elsewhere.
    fn erfc_tail(&self, _x: f64, _upper: bool) -> Option<f64> {
        None
    }

    /// The original sum of categorical probabilities when they were rescaled to 1.
    fn normalised_from(&self) -> Option<f64> {
        None
    }
}

/// Receives the distribution that supplies a family's cdf, survival function and quantile.
pub trait StatrsVisitor {
    /// What the visit computes.
    type Output;
    /// A continuous statrs distribution (its constructor's result: parameters were
    /// validated, so `Err` does not happen; a visitor must still answer it).
    fn continuous<D: ContinuousCDF<f64, f64>, E>(self, d: Result<D, E>) -> Self::Output;
    /// A discrete statrs distribution on the non-negative integers.
    fn discrete<D: DiscreteCDF<u64, f64>, E>(self, d: Result<D, E>) -> Self::Output;
    /// A finite table of normalised log-probabilities on `0..len`.
    fn table(self, ln_probs: &[f64]) -> Self::Output;
}

/// Generates [`FamilyId`], [`Family`] and their dispatch from the list of families.
macro_rules! families {
    ($($(#[$doc:meta])* $id:ident($ty:ident)),* $(,)?) => {
        /// Every family the spec language knows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum FamilyId {
            $($(#[$doc])* $id,)*
        }

        impl FamilyId {
            /// All families, continuous first, in the order the family picker shows them.
            pub const ALL: [FamilyId; [$(stringify!($id)),*].len()] = [$(FamilyId::$id),*];

            /// The family's name, kind and parameter table.
            pub fn info(self) -> &'static FamilyInfo {
                match self {
                    $(FamilyId::$id => &<$ty as ParametricFamily>::INFO,)*
                }
            }
        }

        /// A validated member of one family, with its parameters by name.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Family {
            $($(#[$doc])* $id($ty),)*
        }

        impl Family {
            /// Builds a member of `id` from parameters that passed their constraints.
            fn from_params(id: FamilyId, params: &[f64]) -> Result<Family, ParamError> {
                match id {
                    $(FamilyId::$id => $ty::from_params(params).map(Family::$id),)*
                }
            }

            /// Which family.
            pub fn id(&self) -> FamilyId {
                match self {
                    $(Family::$id(_) => FamilyId::$id,)*
                }
            }

            fn support(&self) -> (f64, f64) {
                match self {
                    $(Family::$id(f) => f.support(),)*
                }
            }

            fn ln_pdf(&self, at: Point) -> f64 {
                match self {
                    $(Family::$id(f) => f.ln_pdf(at),)*
                }
            }

            fn ln_pmf(&self, k: i64) -> f64 {
                match self {
                    $(Family::$id(f) => f.ln_pmf(k),)*
                }
            }

            fn modes(&self) -> Vec<f64> {
                match self {
                    $(Family::$id(f) => f.modes(),)*
                }
            }

            fn tail(&self, upper: bool) -> Tail {
                match self {
                    $(Family::$id(f) => f.tail(upper),)*
                }
            }

            fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
                match self {
                    $(Family::$id(f) => f.visit_statrs(v),)*
                }
            }

            fn statrs_inverse_is_safe(&self) -> bool {
                match self {
                    $(Family::$id(f) => f.statrs_inverse_is_safe(),)*
                }
            }

            fn erfc_tail(&self, x: f64, upper: bool) -> Option<f64> {
                match self {
                    $(Family::$id(f) => f.erfc_tail(x, upper),)*
                }
            }

            fn normalised_from(&self) -> Option<f64> {
                match self {
                    $(Family::$id(f) => f.normalised_from(),)*
                }
            }
        }
    };
}

families! {
    /// `normal(mean, std_dev)`.
    Normal(Normal),
    /// `laplace(location, scale)`.
    Laplace(Laplace),
    /// `cauchy(location, scale)`.
    Cauchy(Cauchy),
    /// `student_t(location, scale, freedom)`.
    StudentT(StudentT),
    /// `uniform(min, max)`.
    Uniform(Uniform),
    /// `exponential(rate)`.
    Exponential(Exponential),
    /// `gamma(shape, rate)`.
    Gamma(Gamma),
    /// `beta(shape_a, shape_b)`.
    Beta(Beta),
    /// `log_normal(location, scale)`.
    LogNormal(LogNormal),
    /// `weibull(shape, scale)`.
    Weibull(Weibull),
    /// `chi_squared(freedom)`.
    ChiSquared(ChiSquared),
    /// `pareto(scale, shape)`.
    Pareto(Pareto),
    /// `triangular(min, max, mode)`.
    Triangular(Triangular),
    /// `gumbel(location, scale)`.
    Gumbel(Gumbel),
    /// `inverse_gamma(shape, rate)`.
    InverseGamma(InverseGamma),
    /// `poisson(lambda)`.
    Poisson(Poisson),
    /// `binomial(p, n)`.
    Binomial(Binomial),
    /// `geometric(p)`: trials up to and including the first success.
    Geometric(Geometric),
    /// `bernoulli(p)`.
    Bernoulli(Bernoulli),
    /// `categorical(p0, p1, ...)`: probabilities, normalised.
    Categorical(Categorical),
    /// `logits(l0, l1, ...)`: a softmax of the logits.
    Logits(Logits),
}

impl FamilyId {
    /// The name used in specs, e.g. `student_t`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Looks a family up by its spec name (already lower-cased, `-` or no separator allowed).
    pub fn from_name(name: &str) -> Option<FamilyId> {
        // Compared character by character without the separators, allocating nothing: a
        // `--pairs` batch looks a name up twice a line.
        let key = || name.chars().filter(|c| *c != '_' && *c != '-');
        FamilyId::ALL
            .into_iter()
            .find(|f| f.name().chars().filter(|c| *c != '_').eq(key()))
    }

    /// Continuous or discrete.
    pub fn kind(self) -> Kind {
        self.info().kind
    }

    /// Whether the family takes any number of parameters (categorical, logits).
    pub fn is_variadic(self) -> bool {
        matches!(self.info().arity, Arity::Variadic { .. })
    }

    /// The parameters in positional order. Variadic families list the template of one
    /// entry, repeated.
    pub fn params(self) -> &'static [ParamInfo] {
        self.info().params
    }

    /// Default parameter values (variadic families get three or four entries).
    pub fn default_params(self) -> Vec<f64> {
        match self.info().arity {
            Arity::Variadic { defaults } => defaults.to_vec(),
            Arity::Fixed => self.params().iter().map(|p| p.default).collect(),
        }
    }
}

/// `a + b·ln x − rate·x` for `x ≥ 0`: the log-density of the gamma family's shape.
fn gamma_like(ln_norm: f64, shape: f64, rate: f64, x: f64) -> f64 {
    if x < 0.0 {
        return f64::NEG_INFINITY;
    }
    ln_norm + xlogy(shape - 1.0, x) - rate * x
}

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// The standard normal mass below (`upper` false) or above `z`, from `erfc`.
fn erfc_half(z: f64, upper: bool) -> f64 {
    let t = z * std::f64::consts::FRAC_1_SQRT_2;
    0.5 * libm::erfc(if upper { t } else { -t })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_listed_once_and_found_by_its_name() {
        for (i, id) in FamilyId::ALL.into_iter().enumerate() {
            assert_eq!(FamilyId::from_name(id.name()), Some(id));
            assert!(!FamilyId::ALL[..i].contains(&id), "{id:?} twice");
        }
        assert_eq!(FamilyId::ALL.len(), 21);
    }
}
