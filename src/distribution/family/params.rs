//! Parameter tables, their constraints and the errors of bad parameters; small numeric
//! helpers the families share.

/// What values a parameter may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Constraint {
    /// Any finite number.
    Finite,
    /// Strictly positive.
    Positive,
    /// In [0, 1].
    Probability,
    /// In (0, 1].
    ProbabilityPositive,
    /// A whole number ≥ 0.
    Count,
    /// ≥ 0 (category probabilities; normalised afterwards).
    NonNegative,
    /// A gamma-type shape: positive, at most 10^8. Beyond that statrs' incomplete gamma
    /// function (the cdf) takes seconds to minutes per call, and the distribution is a
    /// normal to within 10^−4 anyway.
    Shape,
}

/// One parameter of a family.
#[derive(Clone, Copy, Debug)]
pub struct ParamInfo {
    /// Its name, as typed in `name=value`.
    pub name: &'static str,
    /// The value a new distribution of this family starts with.
    pub default: f64,
    /// What values are valid.
    pub constraint: Constraint,
    /// The range a slider offers (typing may go beyond it).
    pub slider: (f64, f64),
}

impl ParamInfo {
    /// A parameter table entry.
    pub const fn new(
        name: &'static str,
        default: f64,
        constraint: Constraint,
        slider: (f64, f64),
    ) -> ParamInfo {
        ParamInfo {
            name,
            default,
            constraint,
            slider,
        }
    }

    /// Checks `value` against the constraint.
    ///
    /// # Errors
    /// [`ParamError::OutOfRange`] naming the parameter and the rule.
    pub fn check(&self, value: f64) -> Result<(), ParamError> {
        use Constraint::{
            Count, Finite, NonNegative, Positive, Probability, ProbabilityPositive, Shape,
        };
        let rule = match self.constraint {
            Finite => (!value.is_finite()).then_some("a finite number"),
            Positive | Shape if value > 0.0 && value < f64::MIN_POSITIVE => Some(SUBNORMAL),
            Positive => (!(value > 0.0 && value.is_finite())).then_some("> 0"),
            Shape => (!(value > 0.0 && value <= 1e8)).then_some(
                "> 0 and at most 1e8 (beyond that it is a normal to within 1e-4: use normal(mean, sd))",
            ),
            NonNegative => (!(value >= 0.0 && value.is_finite())).then_some("≥ 0"),
            Probability => (!(0.0..=1.0).contains(&value)).then_some("between 0 and 1"),
            ProbabilityPositive => (!(value > 0.0 && value <= 1.0)).then_some("in (0, 1]"),
            Count => (!(value >= 0.0 && value.fract() == 0.0 && value <= 1e9))
                .then_some("a whole number ≥ 0"),
        };
        match rule {
            Some(rule) => Err(ParamError::OutOfRange {
                name: self.name.to_string(),
                rule,
                value,
            }),
            None => Ok(()),
        }
    }
}

/// The rule a positive parameter below the normal doubles breaks: a scale or rate of 1e-320
/// has 3 significant digits, and a density of 1/scale overflows.
const SUBNORMAL: &str = "at least 2.2e-308, the smallest double with full precision (smaller ones are subnormal: a density of 1/scale would overflow)";

/// Refuses a distribution whose mass within 2.2e-308 of a support edge, `exp(ln_mass)`, is
/// more than 1e-12: the doubles there are subnormal or 0, so quadrature cannot follow it (a
/// beta shape of 1e-156 has all but 1e-153 of its mass below 2.2e-308, and KL came out
/// −∞ ± ∞). `what` names the parameter and its value.
pub(super) fn check_edge_mass(ln_mass: f64, what: &str, edge: &str) -> Result<(), ParamError> {
    if ln_mass.is_nan() || ln_mass > (1e-12f64).ln() {
        return Err(ParamError::Inconsistent(format!(
            "{what} puts {} of the mass within 2.2e-308 of {edge}, below the smallest double with full precision, where no figure can follow it; the shape must be larger (about 0.04 or more)",
            if ln_mass.is_nan() || ln_mass >= -0.01 {
                "nearly all".to_string()
            } else {
                format!("{:.0e}", ln_mass.exp())
            }
        )));
    }
    Ok(())
}

/// How many parameters a family takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arity {
    /// Exactly one per entry of [`FamilyInfo::params`].
    Fixed,
    /// Two or more, each following the single template in [`FamilyInfo::params`].
    Variadic {
        /// The values a new distribution of this family starts with.
        defaults: &'static [f64],
    },
}

/// What the spec language and the side panel know about a family.
#[derive(Clone, Copy, Debug)]
pub struct FamilyInfo {
    /// The name used in specs, e.g. `student_t`.
    pub name: &'static str,
    /// Continuous or discrete.
    pub kind: super::Kind,
    /// The parameters in positional order (variadic: the template of one entry).
    pub params: &'static [ParamInfo],
    /// Fixed or variadic.
    pub arity: Arity,
}

/// Why a set of parameters is not a distribution.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// A single parameter is out of range.
    #[error("{name} must be {rule} (got {})", format_number(*.value))]
    OutOfRange {
        /// The parameter's name.
        name: String,
        /// The rule, e.g. "> 0".
        rule: &'static str,
        /// What was given.
        value: f64,
    },
    /// Parameters that are fine alone but not together.
    #[error("{0}")]
    Inconsistent(String),
    /// Wrong number of parameters.
    #[error("{family} takes {expected} (got {got})")]
    Arity {
        /// The family.
        family: &'static str,
        /// What it takes, in words.
        expected: String,
        /// How many were given.
        got: usize,
    },
}

/// The parameters of a fixed-arity family as an array, for destructuring by name.
///
/// # Errors
/// [`ParamError::Arity`] when the count is wrong (callers have counted already).
pub(super) fn fixed<const N: usize>(
    info: &FamilyInfo,
    params: &[f64],
) -> Result<[f64; N], ParamError> {
    params.try_into().map_err(|_| ParamError::Arity {
        family: info.name,
        expected: N.to_string(),
        got: params.len(),
    })
}

/// `uniform` and `triangular` need `min < max`, with a width `max − min` that is a double
/// (uniform(−1e308, 1e308) is 2e308 wide: its density would be 0) and whose inverse is one
/// (uniform(0, 5e-324) would have a density of 2e323).
pub(super) fn check_range(min: f64, max: f64) -> Result<(), ParamError> {
    if !(min < max) {
        return Err(ParamError::Inconsistent(format!(
            "min must be < max (got min {}, max {})",
            format_number(min),
            format_number(max)
        )));
    }
    let width = max - min;
    if !width.is_finite() {
        return Err(ParamError::Inconsistent(format!(
            "max − min must be at most 1.8e308, the largest double (got min {}, max {})",
            format_number(min),
            format_number(max)
        )));
    }
    if width < f64::MIN_POSITIVE {
        return Err(ParamError::Inconsistent(format!(
            "max − min must be at least 2.2e-308, the smallest double with full precision (got min {}, max {}: {width:e}); a narrower density would overflow",
            format_number(min),
            format_number(max)
        )));
    }
    Ok(())
}

/// `a · ln(b)` with the convention `0 · ln 0 = 0`.
pub fn xlogy(a: f64, b: f64) -> f64 {
    if a == 0.0 { 0.0 } else { a * b.ln() }
}

/// Formats a parameter compactly: `1`, `0.5`, `1e-8`, `1e308`, never `1.0000000000000002`
/// nor three hundred digits; it reads back as the same double.
pub fn format_number(v: f64) -> String {
    let mut out = String::new();
    write_number(v, &mut out);
    out
}

/// [`format_number`] appended to `out` (a spec is written into one string).
pub fn write_number(v: f64, out: &mut String) {
    use std::fmt::Write;
    if v == v.trunc() && v.abs() < 1e15 {
        let _ = write!(out, "{}", v as i64);
        return;
    }
    // Both forms below carry the same n shortest significant digits. From 0.01 up to 2³²
    // (not whole) the plain form is those digits, a point and at most "0.0" before them:
    // at most n + 3 characters, and the scientific one is n digits, a point when n > 1, an
    // "e" and an exponent of at least one digit, with a sign when it is negative (|v| < 1):
    // never shorter, and equal only where the plain form is kept anyway. So one formatting.
    if (0.01..4_294_967_296.0).contains(&v.abs()) {
        let _ = write!(out, "{v}");
        return;
    }
    out.push_str(&format_number_long(v));
}

/// [`format_number`] where the scientific form may be the shorter.
fn format_number_long(v: f64) -> String {
    // Below 2³² an ulp is under 1e-6, so the shortest digits that read back as v (`{v}`) are
    // the 6-decimal form trimmed when that form reads back as v, and have more than 6
    // decimals when it does not: `{v}` alone is the plain form (one formatting instead of
    // three and a parse; a test checks it against the long way).
    let plain = if v.abs() < 4_294_967_296.0 {
        format!("{v}")
    } else {
        plain_number(v)
    };
    let scientific = format!("{v:e}");
    if scientific.len() < plain.len() {
        scientific
    } else {
        plain
    }
}

/// The plain form of [`format_number`]: 6 decimals with trailing zeros trimmed when that reads
/// back as `v`, the shortest digits that do otherwise.
fn plain_number(v: f64) -> String {
    let short = format!("{v:.6}");
    let trimmed = short.trim_end_matches('0').trim_end_matches('.');
    if trimmed.parse::<f64>().ok() == Some(v) {
        trimmed.to_string()
    } else {
        format!("{v}")
    }
}

/// The refusal of a power-law tail that puts more than 1e-12 of the mass beyond 1.8e308, the
/// largest double, where no figure can follow it (pareto, inverse_gamma). `ln_tail` is the
/// log of that mass; `ln_room` is how far, in ln x units per unit of shape, the tail has to
/// fall before it leaves the doubles; `other` names the parameter that sets it.
pub(crate) fn mass_beyond_doubles(
    shape: f64,
    other: (&str, f64),
    ln_tail: f64,
    ln_room: f64,
) -> Option<ParamError> {
    let limit = (1e-12f64).ln();
    (ln_tail > limit).then(|| {
        ParamError::Inconsistent(format!(
            "shape {} with {} {} puts {} of the mass beyond 1.8e308, the largest double, where no figure can follow it; shape must be at least {} at this {}",
            format_number(shape),
            other.0,
            format_number(other.1),
            if ln_tail >= -0.01 {
                "nearly all".to_string()
            } else {
                format!("{:.0e}", ln_tail.exp())
            },
            format_number((-limit / ln_room * 1e3).ceil() / 1e3),
            other.0,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The short cut below 2³² gives what the 6-decimal-then-shortest rule gives, on numbers
    /// written with 1 to 17 significant digits, on sums of a few powers of two, and on random
    /// doubles of every magnitude up to 2³², both signs.
    #[test]
    fn format_number_below_two_to_the_32_matches_the_six_decimal_rule() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut checked = 0;
        for i in 0..300_000u64 {
            let r = next();
            let v = match i % 3 {
                0 => {
                    // A decimal with `digits` significant digits at a random magnitude.
                    let digits = 1 + (r % 17) as i32;
                    let exp = (r >> 8) % 20;
                    let mantissa = (r >> 16) % 10u64.pow(digits as u32);
                    mantissa as f64 * 10f64.powi(exp as i32 - 12)
                }
                1 => {
                    // k / 2^m: few binary digits, near the 2³² edge too.
                    let m = (r % 40) as i32;
                    ((r >> 8) % (1 << 40)) as f64 / 2f64.powi(m)
                }
                _ => f64::from_bits(r) % 4_294_967_296.0,
            };
            let v = if r & (1 << 63) != 0 { -v } else { v };
            if !v.is_finite() || v.abs() >= 4_294_967_296.0 || v == v.trunc() {
                continue;
            }
            let long_way = {
                let plain = plain_number(v);
                let scientific = format!("{v:e}");
                if scientific.len() < plain.len() {
                    scientific
                } else {
                    plain
                }
            };
            assert_eq!(format_number(v), long_way, "{v:e}");
            checked += 1;
        }
        assert!(checked > 150_000, "{checked}");
    }
}
