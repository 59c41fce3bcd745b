//! Student's t distribution with location and scale.

use statrs::distribution as sd;

use super::params::fixed;
use super::{
    Arity, Constraint, FamilyInfo, Kind, LN_2PI, ParamError, ParamInfo, ParametricFamily, Point,
    StatrsVisitor, Tail,
};

/// `student_t(location, scale, freedom)`: density
/// `Γ((ν+1)/2) / (Γ(ν/2) √(νπ) scale) · (1 + z²/ν)^−(ν+1)/2`.
#[derive(Clone, Debug, PartialEq)]
pub struct StudentT {
    /// The centre.
    pub location: f64,
    /// The scale, > 0.
    pub scale: f64,
    /// The degrees of freedom ν > 0.
    pub freedom: f64,
    ln_norm: f64,
}

impl ParametricFamily for StudentT {
    const INFO: FamilyInfo = FamilyInfo {
        name: "student_t",
        kind: Kind::Continuous,
        params: &[
            ParamInfo::new("location", 0.0, Constraint::Finite, (-10.0, 10.0)),
            ParamInfo::new("scale", 1.0, Constraint::Positive, (0.05, 10.0)),
            ParamInfo::new("freedom", 3.0, Constraint::Positive, (0.1, 100.0)),
        ],
        arity: Arity::Fixed,
    };

    fn from_params(params: &[f64]) -> Result<Self, ParamError> {
        let [location, scale, nu] = fixed(&Self::INFO, params)?;
        // The mass beyond the largest double, from the power-law tail
        // P(|T| > t) ≈ 2·K·ν^((ν+1)/2)·t^(−ν)/ν (K the density's constant at scale 1): with a
        // small freedom most of the distribution lies there (ν = 1e-52: all but 1e-49), and
        // no figure can be computed over the doubles.
        let unit_ln_norm = crate::special::ln_gamma_ratio_rest(nu / 2.0, 0.5) - 0.5 * LN_2PI;
        // ln t from the logs: (1.8e308 − |location|)/scale overflows for a scale below 1, and
        // ln ∞ let freedom 3e-158 at scale 1.4e-137 through (nearly all of its mass lies
        // beyond), whose KL against another t came out −2.1e-7.
        let ln_t = (f64::MAX - location.abs()).ln() - scale.ln();
        let ln_tail =
            std::f64::consts::LN_2 + unit_ln_norm + 0.5 * (nu - 1.0) * nu.ln() - nu * ln_t;
        if ln_tail > (1e-12f64).ln() {
            return Err(ParamError::Inconsistent(format!(
                "freedom {} with scale {} puts {} of the mass beyond 1.8e308, the largest double, where no figure can follow it; freedom must be larger (or scale smaller) until that is below 1e-12",
                super::format_number(nu),
                super::format_number(scale),
                if ln_tail >= 0.0 {
                    "nearly all".to_string()
                } else {
                    format!("{:.0e}", ln_tail.exp())
                },
            )));
        }
        Ok(StudentT {
            location,
            scale,
            freedom: nu,
            // Γ((ν+1)/2)/(Γ(ν/2)·√(νπ)) with a = ν/2 is
            // exp(ln Γ(a + ½) − ln Γ(a) − ½·ln a)/√(2π): the difference of log-gammas as
            // such, not of two numbers near 1.7e16 whose ulp is 2 (ν = 1e15 gave KL 3.16
            // against a normal, true 1.75e-30).
            ln_norm: crate::special::ln_gamma_ratio_rest(nu / 2.0, 0.5) - 0.5 * LN_2PI - scale.ln(),
        })
    }

    fn support(&self) -> (f64, f64) {
        (f64::NEG_INFINITY, f64::INFINITY)
    }

    fn ln_pdf(&self, at: Point) -> f64 {
        let nu = self.freedom;
        let d = at.from(self.location).abs();
        let z = d / self.scale;
        // As Cauchy's: ln z from the logs, so a tiny scale does not overflow z at a finite d.
        let l = if z > 1e150 {
            2.0 * (d.ln() - self.scale.ln()) - nu.ln()
        } else {
            (z * z / nu).ln_1p()
        };
        self.ln_norm - 0.5 * (nu + 1.0) * l
    }

    fn modes(&self) -> Vec<f64> {
        vec![self.location]
    }

    fn tail(&self, _upper: bool) -> Tail {
        Tail::Power {
            alpha: self.freedom,
        }
    }

    fn visit_statrs<V: StatrsVisitor>(&self, v: V) -> V::Output {
        v.continuous(sd::StudentsT::new(self.location, self.scale, self.freedom))
    }

    /// statrs' inverse never returns for 1e8 degrees of freedom; it worked up to 1e6.
    fn statrs_inverse_is_safe(&self) -> bool {
        self.freedom <= 1e6
    }
}
