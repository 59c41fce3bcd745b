//! The families Q is fitted in, and their unconstrained parametrisation: locations as they
//! are, scales, shapes and freedoms by their logarithms, so that every θ ∈ ℝᵈ is a valid Q.

use crate::distribution::{Distribution, FamilyId, Parametric};

/// A family for Q.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QFamily {
    /// `normal(mean, std_dev)`: θ = (mean, ln std_dev).
    Normal,
    /// `laplace(location, scale)`: θ = (location, ln scale).
    Laplace,
    /// `student_t(location, scale, freedom)` with the freedom fixed: θ = (location, ln scale).
    StudentTFixed(f64),
    /// `student_t(location, scale, freedom)`, freedom fitted too: θ = (location, ln scale, ln freedom).
    StudentT,
    /// `gamma(shape, rate)`: θ = (ln shape, ln rate).
    Gamma,
    /// `log_normal(location, scale)`: θ = (location, ln scale).
    LogNormal,
    /// `weibull(shape, scale)`: θ = (ln shape, ln scale).
    Weibull,
    /// `beta(shape_a, shape_b)`: θ = (ln shape_a, ln shape_b).
    Beta,
}

/// How one coordinate of θ maps to a spec parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coordinate {
    /// The parameter itself (a location).
    Plain,
    /// Its logarithm (a scale, shape or freedom).
    Log,
}

impl QFamily {
    /// Every family, freedom 3 standing for the fixed-freedom student_t.
    pub const ALL: [QFamily; 8] = [
        QFamily::Normal,
        QFamily::Laplace,
        QFamily::StudentTFixed(3.0),
        QFamily::StudentT,
        QFamily::Gamma,
        QFamily::LogNormal,
        QFamily::Weibull,
        QFamily::Beta,
    ];

    /// Parses a name: `normal`, `laplace`, `student_t` (freedom free), `student_t(ν)` or
    /// `student_t:ν` (fixed), `gamma`, `log_normal`, `weibull`, `beta`.
    pub fn from_name(name: &str) -> Option<QFamily> {
        let key: String = name
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let fixed = |rest: &str| {
            let rest = rest
                .trim_start_matches([':', '(', '='])
                .trim_end_matches(')');
            rest.parse::<f64>()
                .ok()
                .filter(|v| *v > 0.0 && v.is_finite())
                .map(QFamily::StudentTFixed)
        };
        for prefix in ["student_t", "studentt", "student-t", "t"] {
            if let Some(rest) = key.strip_prefix(prefix)
                && !rest.is_empty()
                && rest.starts_with([':', '(', '='])
            {
                return fixed(rest);
            }
        }
        match key.replace(['_', '-'], "").as_str() {
            "normal" => Some(QFamily::Normal),
            "laplace" => Some(QFamily::Laplace),
            "studentt" => Some(QFamily::StudentT),
            "gamma" => Some(QFamily::Gamma),
            "lognormal" => Some(QFamily::LogNormal),
            "weibull" => Some(QFamily::Weibull),
            "beta" => Some(QFamily::Beta),
            _ => None,
        }
    }

    /// The name as the CLI and JSON give it (`student_t(3)` for a fixed freedom).
    pub fn name(self) -> String {
        match self {
            QFamily::StudentTFixed(nu) => {
                format!(
                    "student_t({})",
                    crate::distribution::family::format_number(nu)
                )
            }
            other => other.id().name().to_string(),
        }
    }

    /// The spec family.
    pub fn id(self) -> FamilyId {
        match self {
            QFamily::Normal => FamilyId::Normal,
            QFamily::Laplace => FamilyId::Laplace,
            QFamily::StudentTFixed(_) | QFamily::StudentT => FamilyId::StudentT,
            QFamily::Gamma => FamilyId::Gamma,
            QFamily::LogNormal => FamilyId::LogNormal,
            QFamily::Weibull => FamilyId::Weibull,
            QFamily::Beta => FamilyId::Beta,
        }
    }

    /// The coordinates of θ, in the spec's parameter order.
    pub fn coordinates(self) -> &'static [Coordinate] {
        use Coordinate::{Log, Plain};
        match self {
            QFamily::Normal | QFamily::Laplace | QFamily::StudentTFixed(_) | QFamily::LogNormal => {
                &[Plain, Log]
            }
            QFamily::StudentT => &[Plain, Log, Log],
            QFamily::Gamma | QFamily::Weibull | QFamily::Beta => &[Log, Log],
        }
    }

    /// The number of fitted parameters.
    pub fn dim(self) -> usize {
        self.coordinates().len()
    }

    /// The names of the fitted parameters (spec names).
    pub fn param_names(self) -> Vec<&'static str> {
        self.id()
            .params()
            .iter()
            .take(self.dim())
            .map(|p| p.name)
            .collect()
    }

    /// The axis label of coordinate `i` of θ: `mean` or `ln std_dev`.
    pub fn coordinate_label(self, i: usize) -> String {
        let names = self.param_names();
        let name = names.get(i).copied().unwrap_or("?");
        match self.coordinates().get(i) {
            Some(Coordinate::Log) => format!("ln {name}"),
            _ => name.to_string(),
        }
    }

    /// The spec parameters for θ (all of them, the fixed freedom included).
    pub fn params_from_theta(self, theta: &[f64]) -> Vec<f64> {
        let mut v: Vec<f64> = self
            .coordinates()
            .iter()
            .zip(theta)
            .map(|(c, t)| match c {
                Coordinate::Plain => *t,
                Coordinate::Log => t.exp(),
            })
            .collect();
        if let QFamily::StudentTFixed(nu) = self {
            v.push(nu);
        }
        v
    }

    /// θ for spec parameters (the fixed freedom, if given, is dropped).
    pub fn theta_from_params(self, params: &[f64]) -> Vec<f64> {
        self.coordinates()
            .iter()
            .zip(params)
            .map(|(c, v)| match c {
                Coordinate::Plain => *v,
                Coordinate::Log => v.ln(),
            })
            .collect()
    }

    /// Q at θ; `None` when θ is outside what the family can represent (an overflowing scale).
    pub fn q(self, theta: &[f64]) -> Option<Parametric> {
        Parametric::new(self.id(), self.params_from_theta(theta)).ok()
    }

    /// θ of a spec, if it is a member of this family (a fixed freedom must match).
    pub fn theta_of(self, d: &Distribution) -> Option<Vec<f64>> {
        let Distribution::Parametric(p) = d else {
            return None;
        };
        if p.family() != self.id() {
            return None;
        }
        if let QFamily::StudentTFixed(nu) = self
            && p.params().get(2).copied() != Some(nu)
        {
            return None;
        }
        Some(self.theta_from_params(p.params()))
    }

    /// Bounds on θ beyond which Q is treated as having reached an edge of the family (a
    /// scale → 0 or ∞, a freedom → ∞): e^±30 for scales and shapes, freedom in [0.05, 10⁴].
    pub fn bounds(self, i: usize) -> (f64, f64) {
        match (self, self.coordinates().get(i)) {
            (QFamily::StudentT, _) if i == 2 => (0.05f64.ln(), 1e4f64.ln()),
            (_, Some(Coordinate::Log)) => (-30.0, 30.0),
            _ => (-1e12, 1e12),
        }
    }
}
