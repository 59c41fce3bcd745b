//! [`Parametric`]: a validated member of any family, and what is computed the same way for
//! all of them (validation, cdf and quantile through statrs, bisection where statrs stalls).

use statrs::distribution as sd;
use statrs::distribution::{ContinuousCDF, DiscreteCDF};

use super::table;
use super::{Family, FamilyId, Kind, ParamError, Point, StatrsVisitor, Tail};

/// A member of a parametric family with validated parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Parametric {
    family: Family,
    params: Vec<f64>,
    /// Set when categorical weights were rescaled to sum to 1 (their original sum).
    pub normalised_from: Option<f64>,
}

impl Parametric {
    /// Validates `params` for `id` and precomputes the normalising constant.
    ///
    /// # Errors
    /// [`ParamError`] naming the parameter and the rule it breaks, e.g.
    /// "std_dev must be > 0 (got -1)".
    pub fn new(id: FamilyId, params: Vec<f64>) -> Result<Self, ParamError> {
        let infos = id.params();
        if id.is_variadic() {
            if params.len() < 2 {
                return Err(ParamError::Arity {
                    family: id.name(),
                    expected: "at least 2 values".into(),
                    got: params.len(),
                });
            }
            for (i, v) in params.iter().enumerate() {
                infos[0].check(*v).map_err(|e| match e {
                    ParamError::OutOfRange { rule, value, .. } => ParamError::OutOfRange {
                        name: format!("{}{i}", infos[0].name),
                        rule,
                        value,
                    },
                    other => other,
                })?;
            }
        } else {
            if params.len() != infos.len() {
                let names: Vec<_> = infos.iter().map(|p| p.name).collect();
                return Err(ParamError::Arity {
                    family: id.name(),
                    expected: format!("{} ({})", infos.len(), names.join(", ")),
                    got: params.len(),
                });
            }
            for (info, v) in infos.iter().zip(&params) {
                info.check(*v)?;
            }
        }
        let family = Family::from_params(id, &params)?;
        Ok(Parametric {
            normalised_from: family.normalised_from(),
            family,
            params,
        })
    }

    /// The family.
    pub fn family(&self) -> FamilyId {
        self.family.id()
    }

    /// The family with its parameters by name, e.g. `Family::Normal(Normal { mean, std_dev, .. })`.
    pub fn named(&self) -> &Family {
        &self.family
    }

    /// The parameters as given, in positional order (categorical: before normalisation).
    pub fn params(&self) -> &[f64] {
        &self.params
    }

    /// Continuous or discrete.
    pub fn kind(&self) -> Kind {
        self.family().kind()
    }

    /// Support as a closed interval `[lo, hi]` (infinite ends allowed). Discrete families give
    /// integer bounds.
    pub fn support(&self) -> (f64, f64) {
        self.family.support()
    }

    /// Log-density (continuous) at `x`.
    pub fn ln_pdf(&self, x: f64) -> f64 {
        self.ln_pdf_offset(x, 0.0)
    }

    /// Log-density at `anchor + offset`, computed so that points within rounding distance of a
    /// support edge (`anchor`) keep their precision: beta's density near 1 uses `offset`
    /// directly for `1 − x`.
    pub fn ln_pdf_offset(&self, anchor: f64, offset: f64) -> f64 {
        let x = anchor + offset;
        if x.is_nan() {
            return f64::NEG_INFINITY;
        }
        self.family.ln_pdf(Point { x, anchor, offset })
    }

    /// Log-probability of the integer `k` (discrete families).
    pub fn ln_pmf(&self, k: i64) -> f64 {
        if k < 0 {
            return f64::NEG_INFINITY;
        }
        self.family.ln_pmf(k)
    }

    /// Cumulative distribution function. For discrete families, P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        if let Some(p) = self.family.erfc_tail(x, false) {
            return p;
        }
        self.family.visit_statrs(Cdf(x))
    }

    /// Survival function 1 − cdf, accurate in the upper tail.
    pub fn sf(&self, x: f64) -> f64 {
        if let Some(p) = self.family.erfc_tail(x, true) {
            return p;
        }
        self.family.visit_statrs(Sf(x))
    }

    /// The quantile by bisection on the cdf: slower than statrs (about a hundred cdf
    /// evaluations) but bounded, for the parameters where statrs' inverse does not finish.
    pub(super) fn quantile_by_bisection(&self, prob: f64) -> f64 {
        let (lo, hi) = self.support();
        let center =
            self.modes()
                .first()
                .copied()
                .unwrap_or(match (lo.is_finite(), hi.is_finite()) {
                    (true, true) => 0.5 * (lo + hi),
                    (true, false) => lo + 1.0,
                    (false, true) => hi - 1.0,
                    (false, false) => 0.0,
                });
        // A bracket [a, b] with cdf(a) ≤ prob ≤ cdf(b), widening by doubling towards an
        // infinite end (at most about 2000 doublings reach the largest double).
        let widen = |end: f64, towards: f64| {
            let mut x = center;
            let mut step = 1.0_f64.max(center.abs() * 1e-3);
            for _ in 0..2100 {
                let next = x + towards * step;
                if !next.is_finite() {
                    break;
                }
                x = next;
                let below = self.cdf(x) < prob;
                if (towards < 0.0 && !below) || (towards > 0.0 && below) {
                    step *= 2.0;
                } else {
                    return x;
                }
            }
            end
        };
        let mut a = if lo.is_finite() { lo } else { widen(lo, -1.0) };
        let mut b = if hi.is_finite() { hi } else { widen(hi, 1.0) };
        for _ in 0..2100 {
            // Geometric midpoints where the bracket spans orders of magnitude (deep tails of
            // a gamma), arithmetic ones otherwise.
            let mid = if a > 0.0 && b > 4.0 * a {
                (a * b).sqrt()
            } else if b < 0.0 && a < 4.0 * b {
                -(a * b).sqrt()
            } else {
                0.5 * (a + b)
            };
            if !(mid > a && mid < b) {
                break;
            }
            // In the upper half, the survival function keeps the digits the cdf loses near 1
            // (1 − prob is exact there).
            let below = if prob > 0.5 {
                self.sf(mid) > 1.0 - prob
            } else {
                self.cdf(mid) < prob
            };
            if below {
                a = mid;
            } else {
                b = mid;
            }
        }
        b
    }

    /// Quantile function (inverse cdf) for `prob` in (0, 1).
    ///
    /// statrs' iterative inverse never returns for some parameters found by the spec
    /// fuzzer (beta(5.5, 3.3e9), beta with a parameter of 1e7, gamma with shape 1e12,
    /// Student t with 1e8 degrees of freedom); those families say where it is safe
    /// ([`super::ParametricFamily::statrs_inverse_is_safe`]) and bisection takes over beyond.
    pub fn quantile(&self, prob: f64) -> f64 {
        let prob = prob.clamp(1e-300, 1.0 - 1e-16);
        if !self.family.statrs_inverse_is_safe() {
            return self.quantile_by_bisection(prob);
        }
        self.family.visit_statrs(Quantile(prob))
    }

    /// The point(s) of highest density, used as quadrature break points.
    pub fn modes(&self) -> Vec<f64> {
        self.family.modes()
    }

    /// How the density behaves at the lower (`upper == false`) or upper end of the support.
    pub fn tail(&self, upper: bool) -> Tail {
        self.family.tail(upper)
    }

    /// The spec text of this distribution, e.g. `normal(0, 1)`.
    pub fn to_spec(&self) -> String {
        let name = self.family().name();
        let mut s = String::with_capacity(name.len() + 2 + 12 * self.params.len());
        s.push_str(name);
        s.push('(');
        for (i, v) in self.params.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            super::params::write_number(*v, &mut s);
        }
        s.push(')');
        s
    }
}

/// P(X ≤ x) from the statrs distribution (a discrete one at ⌊x⌋).
struct Cdf(f64);

impl StatrsVisitor for Cdf {
    type Output = f64;
    fn continuous<D: ContinuousCDF<f64, f64>, E>(self, d: Result<D, E>) -> f64 {
        match d {
            Ok(d) => d.cdf(self.0),
            Err(_) => sd::Normal::standard().cdf(self.0),
        }
    }
    fn discrete<D: DiscreteCDF<u64, f64>, E>(self, d: Result<D, E>) -> f64 {
        let x = self.0;
        match d {
            Ok(_) if x < 0.0 => 0.0,
            Ok(d) => d.cdf(x.floor().min(u64::MAX as f64) as u64),
            Err(_) => table::cdf(&[], x),
        }
    }
    fn table(self, ln_probs: &[f64]) -> f64 {
        table::cdf(ln_probs, self.0)
    }
}

/// P(X > x) from the statrs distribution.
struct Sf(f64);

impl StatrsVisitor for Sf {
    type Output = f64;
    fn continuous<D: ContinuousCDF<f64, f64>, E>(self, d: Result<D, E>) -> f64 {
        match d {
            Ok(d) => d.sf(self.0),
            Err(_) => sd::Normal::standard().sf(self.0),
        }
    }
    fn discrete<D: DiscreteCDF<u64, f64>, E>(self, d: Result<D, E>) -> f64 {
        let x = self.0;
        match d {
            Ok(_) if x < 0.0 => 1.0,
            Ok(d) => d.sf(x.floor().min(u64::MAX as f64) as u64),
            Err(_) => (1.0 - table::cdf(&[], x)).max(0.0),
        }
    }
    fn table(self, ln_probs: &[f64]) -> f64 {
        (1.0 - table::cdf(ln_probs, self.0)).max(0.0)
    }
}

/// The statrs inverse cdf at a probability.
struct Quantile(f64);

impl StatrsVisitor for Quantile {
    type Output = f64;
    fn continuous<D: ContinuousCDF<f64, f64>, E>(self, d: Result<D, E>) -> f64 {
        match d {
            Ok(d) => d.inverse_cdf(self.0),
            Err(_) => sd::Normal::standard().inverse_cdf(self.0),
        }
    }
    fn discrete<D: DiscreteCDF<u64, f64>, E>(self, d: Result<D, E>) -> f64 {
        match d {
            Ok(d) => d.inverse_cdf(self.0) as f64,
            Err(_) => table::quantile(&[], self.0),
        }
    }
    fn table(self, ln_probs: &[f64]) -> f64 {
        table::quantile(ln_probs, self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn normal_and_log_normal_tails_match_scipy_to_a_few_ulps() {
        // scipy.stats norm(1, 2) and lognorm(0.7, scale=e^0.5): (x, cdf, sf).
        let normal = Parametric::new(FamilyId::Normal, vec![1.0, 2.0]).unwrap();
        let log_normal = Parametric::new(FamilyId::LogNormal, vec![0.5, 0.7]).unwrap();
        for (d, x, cdf, sf) in [
            (
                &normal,
                -8.0,
                3.397_673_124_730_053_5e-6,
                0.999_996_602_326_875_3,
            ),
            (
                &normal,
                -3.0,
                0.022_750_131_948_179_195,
                0.977_249_868_051_820_8,
            ),
            (
                &normal,
                -1.0,
                0.158_655_253_931_457_07,
                0.841_344_746_068_542_9,
            ),
            (
                &normal,
                0.5,
                0.401_293_674_317_076_3,
                0.598_706_325_682_923_7,
            ),
            (&normal, 1.0, 0.5, 0.5),
            (
                &normal,
                3.0,
                0.841_344_746_068_542_9,
                0.158_655_253_931_457_07,
            ),
            (
                &normal,
                8.0,
                0.999_767_370_920_964_5,
                2.326_290_790_355_250_2e-4,
            ),
            (
                &log_normal,
                0.1,
                3.118_064_175_160_506e-5,
                0.999_968_819_358_248_4,
            ),
            (
                &log_normal,
                1.0,
                0.237_525_262_026_976_5,
                0.762_474_737_973_023_5,
            ),
            (
                &log_normal,
                2.5,
                0.723_978_338_582_363_2,
                0.276_021_661_417_636_84,
            ),
            (
                &log_normal,
                40.0,
                0.999_997_387_467_277_5,
                2.612_532_722_531_681e-6,
            ),
        ] {
            for (name, got, want) in [("cdf", d.cdf(x), cdf), ("sf", d.sf(x), sf)] {
                assert!(
                    (got - want).abs() <= 1e-14 * want,
                    "{}({x}) {name}: {got} against {want}",
                    d.family().name()
                );
            }
        }
        assert_eq!((log_normal.cdf(0.0), log_normal.sf(-1.0)), (0.0, 1.0));
    }

    #[test]
    fn bisection_quantiles_agree_with_statrs_where_it_works() {
        for (id, params) in [
            (FamilyId::Beta, vec![2.0, 3.0]),
            (FamilyId::Beta, vec![0.5, 0.5]),
            (FamilyId::Gamma, vec![3.0, 2.0]),
            (FamilyId::Gamma, vec![1e6, 1.0]),
            (FamilyId::StudentT, vec![1.0, 2.0, 3.0]),
            (FamilyId::InverseGamma, vec![3.0, 2.0]),
        ] {
            let d = Parametric::new(id, params.clone()).unwrap();
            for prob in [1e-4, 0.1, 0.5, 0.9, 0.9999] {
                let (ours, theirs) = (d.quantile_by_bisection(prob), d.quantile(prob));
                // Both invert statrs' cdf, whose own error (about 2e-8 for Student t near
                // its centre) bounds the agreement; break points need far less.
                let tol = 1e-6 * theirs.abs().max(d.quantile(0.75) - d.quantile(0.25));
                assert!(
                    (ours - theirs).abs() <= tol,
                    "{id:?}{params:?} at {prob}: {ours} against {theirs}"
                );
            }
        }
        // Where statrs' inverse drifts (6.5e-8 relative here), bisection is the better one:
        // scipy.stats.beta(5.5, 1e6).ppf(1e-4) = 5.726460943196449e-07.
        let d = Parametric::new(FamilyId::Beta, vec![5.5, 1e6]).unwrap();
        let x = d.quantile_by_bisection(1e-4);
        assert!((x / 5.726_460_943_196_449e-7 - 1.0).abs() < 1e-8, "{x}");
        // And in the lower tail of a gamma with shape < 1, where statrs' inverse stops near
        // 1e-9: scipy.stats.gamma(0.3, scale=0.5).ppf gives these.
        let d = Parametric::new(FamilyId::Gamma, vec![0.3, 2.0]).unwrap();
        for (prob, want) in [
            (1e-12, 3.486_349_548_204_666e-41),
            (1e-4, 1.618_220_113_301_822_6e-14),
        ] {
            let x = d.quantile_by_bisection(prob);
            assert!((x / want - 1.0).abs() < 1e-9, "{prob}: {x}");
        }
        // Upper tails through the survival function (statrs' gamma inverse is 2e-6 off
        // here): scipy.stats isf(2^-40).
        let tail = 1.0 - 2f64.powi(-40);
        for (id, params, want) in [
            (FamilyId::Gamma, vec![3.0, 2.0], 17.076_483_500_459_66),
            (FamilyId::Beta, vec![2.0, 3.0], 0.999_938_963_912_384_8),
        ] {
            let x = Parametric::new(id, params)
                .unwrap()
                .quantile_by_bisection(tail);
            assert!((x / want - 1.0).abs() < 1e-10, "{id:?}: {x}");
        }
    }

    #[test]
    fn parameters_that_stalled_statrs_give_quantiles() {
        // Found by the spec fuzzer: statrs' inverse never returned for these.
        for (id, params) in [
            (FamilyId::Beta, vec![5.5, 3_333_333_309.5]),
            (FamilyId::Beta, vec![1e7, 5.0]),
            (FamilyId::StudentT, vec![0.0, 1.0, 1e12]),
        ] {
            let d = Parametric::new(id, params.clone()).unwrap();
            let (lo, mid, hi) = (d.quantile(0.01), d.quantile(0.5), d.quantile(0.99));
            assert!(lo < mid && mid < hi, "{id:?}{params:?}: {lo} {mid} {hi}");
            // statrs' regularized beta itself is good to about 1e-7 at b = 3e9 (scipy's
            // 99% point is 3.70874556e-9, ours 3.70875025e-9): break points need no more.
            for (x, prob) in [(lo, 0.01), (mid, 0.5), (hi, 0.99)] {
                assert!(
                    (d.cdf(x) - prob).abs() < 1e-6,
                    "{id:?}{params:?}: cdf({x}) = {}",
                    d.cdf(x)
                );
            }
        }
        // Shapes the incomplete gamma function cannot handle are refused with a sentence.
        let e = Parametric::new(FamilyId::Gamma, vec![1e12, 1.0]).unwrap_err();
        assert!(e.to_string().contains("use normal(mean, sd)"), "{e}");
    }
}
