//! The leading behaviour of a log-density at an end of its support, from its parameters, and
//! whether p^α q^(1−α) is integrable there.
//!
//! At each critical point (±∞, or a finite support edge of a component of P or Q) and from each
//! side, a log-density is written as an expansion in u → ∞, where u = |x| at an infinite end
//! and u = 1/|x − e| at a finite point e:
//!
//! ln p = Σ cᵢ·gᵢ(u) + c₀ + o(1),  gᵢ ∈ { e^(r·u), u^k (k > 0), (ln u)², ln u },
//!
//! complete up to the o(1) remainder for every continuous family (normal: −u²/2σ² ± μu/σ²;
//! gamma: −βu + (a − 1)·ln u; student t: −(ν + 1)·ln u; ...). A mixture's expansion is that of
//! its heaviest component there (the others are o(1) of it), a histogram's a constant.
//!
//! The integrand p^α q^(1−α) has the expansion α·ln p − (α − 1)·ln q (and − 2·ln u from
//! dx = du/u² at a finite point). It is integrable exactly when the first term that grows,
//! e^(r·u), u^k or (ln u)², has a negative coefficient, or when none is left and the
//! coefficient of ln u is < −1 (∫ u^c du). Leading coefficients that cancel exactly, or to
//! within the rounding of their parameters, hand the decision to the next term; a coefficient
//! of ln u that is −1 diverges (∫ du/u). Nothing is left to chance: every case is decided, and
//! the sentence says which term decided it.

use std::cmp::Ordering;

use crate::distribution::family::format_number;
use crate::distribution::{Distribution, FamilyId, Parametric};

/// Relative size, in ulps of the terms, below which two leading coefficients are taken to
/// cancel (they come from parameters given in decimal: 4/3 is not a double).
const TIE_ULPS: f64 = 64.0;

/// A function of u that grows without bound as u → ∞, slowest last.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scale {
    /// e^(r·u), r > 0.
    Exp(f64),
    /// u^k, k > 0.
    Power(f64),
    /// (ln u)².
    LogSquared,
    /// ln u.
    Log,
}

impl Scale {
    /// Faster growth sorts first.
    fn rank(self) -> (u8, f64) {
        match self {
            Scale::Exp(r) => (3, r),
            Scale::Power(k) => (2, k),
            Scale::LogSquared => (1, 0.0),
            Scale::Log => (0, 0.0),
        }
    }

    fn cmp_growth(self, other: Scale) -> Ordering {
        let (a, b) = (self.rank(), other.rank());
        b.0.cmp(&a.0).then(b.1.total_cmp(&a.1))
    }
}

/// Where the expansion is taken: which end, and so what u is in terms of x.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Place {
    /// x → +∞ (u = x).
    PlusInfinity,
    /// x → −∞ (u = −x).
    MinusInfinity,
    /// x → e from below (u = 1/(e − x)).
    Below(f64),
    /// x → e from above (u = 1/(x − e)).
    Above(f64),
}

impl Place {
    /// Whether the end is a finite point (the integral in u carries dx = du/u²).
    pub(crate) fn is_finite(self) -> bool {
        matches!(self, Place::Below(_) | Place::Above(_))
    }

    /// The x the place is at (±∞ or e).
    pub(crate) fn x(self) -> f64 {
        match self {
            Place::PlusInfinity => f64::INFINITY,
            Place::MinusInfinity => f64::NEG_INFINITY,
            Place::Below(e) | Place::Above(e) => e,
        }
    }

    /// "as x → +∞", "as x → 2 from below".
    pub(crate) fn describe(self) -> String {
        match self {
            Place::PlusInfinity => "as x → +∞".into(),
            Place::MinusInfinity => "as x → −∞".into(),
            Place::Below(e) => format!("as x → {} from below", format_number(e)),
            Place::Above(e) => format!("as x → {} from above", format_number(e)),
        }
    }

    /// g(u) written in x, and the sign it takes there (ln u = −ln|x − e| at a finite point).
    fn scale_in_x(self, s: Scale) -> (String, f64) {
        let n = short;
        let finite = self.is_finite();
        let d = match self {
            Place::PlusInfinity => "x".to_string(),
            Place::MinusInfinity => "|x|".to_string(),
            Place::Below(0.0) | Place::Above(0.0) => "|x|".to_string(),
            Place::Below(e) | Place::Above(e) => format!("|x − {}|", format_number(e)),
        };
        let power = |k: f64| match k {
            1.0 => String::new(),
            2.0 => "²".into(),
            3.0 => "³".into(),
            _ => format!("^{}", n(k)),
        };
        let text = match s {
            Scale::Exp(r) if finite => format!("e^({}/{d})", n(r)),
            Scale::Exp(1.0) => format!("e^{d}"),
            Scale::Exp(r) => format!("e^({}·{d})", n(r)),
            Scale::Power(k) if finite => format!("1/{d}{}", power(k)),
            Scale::Power(2.0) => "x²".into(),
            Scale::Power(k) => format!("{d}{}", power(k)),
            Scale::LogSquared => format!("(ln {d})²"),
            Scale::Log => format!("ln {d}"),
        };
        let sign = if finite && s == Scale::Log { -1.0 } else { 1.0 };
        (text.replace("ln |", "ln|"), sign)
    }
}

/// A number for a sentence: 4 significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format_number(v);
    }
    let digits = 3 - v.abs().log10().floor() as i32;
    let f = 10f64.powi(digits.clamp(-300, 300));
    format_number((v * f).round() / f)
}

/// ln density = Σ coefficient·scale(u) + constant + o(1), terms sorted fastest first, none 0.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Expansion {
    terms: Vec<(Scale, f64)>,
}

impl Expansion {
    /// From terms in any order; zero coefficients dropped.
    pub(crate) fn new(mut terms: Vec<(Scale, f64)>) -> Expansion {
        terms.retain(|(_, c)| *c != 0.0);
        terms.sort_by(|a, b| a.0.cmp_growth(b.0));
        Expansion { terms }
    }

    /// A density that tends to a positive constant.
    pub(crate) fn constant() -> Expansion {
        Expansion::default()
    }

    fn coefficient(&self, s: Scale) -> f64 {
        self.terms
            .iter()
            .find(|(t, _)| t.cmp_growth(s) == Ordering::Equal)
            .map_or(0.0, |(_, c)| *c)
    }

    /// Which of two densities is larger far enough out: the first term where they differ.
    fn cmp_heaviness(&self, other: &Expansion) -> Ordering {
        for s in union(&self.terms, &other.terms) {
            let (a, b) = (self.coefficient(s), other.coefficient(s));
            match a.total_cmp(&b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        Ordering::Equal
    }

    /// The expansion written in x at `place`, e.g. "−0.125·x² + 3·x" ("a constant" if none).
    pub(crate) fn describe(&self, place: Place) -> String {
        describe_terms(self.terms.iter().copied(), place)
    }
}

fn describe_terms(terms: impl Iterator<Item = (Scale, f64)>, place: Place) -> String {
    let mut out = String::new();
    for (s, c) in terms {
        let (g, sign) = place.scale_in_x(s);
        let c = sign * c;
        let body = if c.abs() == 1.0 {
            g
        } else {
            format!("{}·{g}", short(c.abs()))
        };
        if out.is_empty() {
            out = if c < 0.0 { format!("−{body}") } else { body };
        } else {
            out.push_str(if c < 0.0 { " − " } else { " + " });
            out.push_str(&body);
        }
    }
    if out.is_empty() {
        "a constant".into()
    } else {
        out
    }
}

/// The scales of two term lists, fastest first, each once.
fn union(a: &[(Scale, f64)], b: &[(Scale, f64)]) -> Vec<Scale> {
    let mut all: Vec<Scale> = a.iter().chain(b).map(|(s, _)| *s).collect();
    all.sort_by(|x, y| x.cmp_growth(*y));
    all.dedup_by(|x, y| x.cmp_growth(*y) == Ordering::Equal);
    all
}

/// The expansion of one family member's log-density at the lower (`upper` false) or upper
/// end of its own support, from its parameters. `None` for a discrete family.
pub(crate) fn family_expansion(d: &Parametric, upper: bool) -> Option<Expansion> {
    use FamilyId as F;
    use Scale::{Exp, Log, LogSquared, Power};
    let p = d.params();
    // x = σ·u at an infinite end.
    let sign = if upper { 1.0 } else { -1.0 };
    let e = Expansion::new;
    Some(match d.family() {
        F::Normal => {
            let (m, s) = (p[0], p[1]);
            e(vec![
                (Power(2.0), -0.5 / (s * s)),
                (Power(1.0), sign * m / (s * s)),
            ])
        }
        F::Laplace => e(vec![(Power(1.0), -1.0 / p[1])]),
        F::Cauchy => e(vec![(Log, -2.0)]),
        F::StudentT => e(vec![(Log, -(p[2] + 1.0))]),
        F::Uniform | F::Exponential | F::Pareto if !upper => Expansion::constant(),
        F::Uniform => Expansion::constant(),
        F::Exponential => e(vec![(Power(1.0), -p[0])]),
        F::Pareto => e(vec![(Log, -(p[1] + 1.0))]),
        F::Gamma | F::ChiSquared => {
            let (a, b) = if d.family() == F::Gamma {
                (p[0], p[1])
            } else {
                (p[0] / 2.0, 0.5)
            };
            if upper {
                e(vec![(Power(1.0), -b), (Log, a - 1.0)])
            } else {
                e(vec![(Log, -(a - 1.0))])
            }
        }
        F::Beta => e(vec![(Log, -(if upper { p[1] } else { p[0] } - 1.0))]),
        F::LogNormal => {
            let (m, s) = (p[0], p[1]);
            let lin = m / (s * s) - 1.0;
            e(vec![
                (LogSquared, -0.5 / (s * s)),
                (Log, if upper { lin } else { -lin }),
            ])
        }
        F::Weibull => {
            let (k, lam) = (p[0], p[1]);
            if upper {
                e(vec![(Power(k), -lam.powf(-k)), (Log, k - 1.0)])
            } else {
                e(vec![(Log, -(k - 1.0))])
            }
        }
        F::InverseGamma => {
            let (a, b) = (p[0], p[1]);
            if upper {
                e(vec![(Log, -(a + 1.0))])
            } else {
                e(vec![(Power(1.0), -b), (Log, a + 1.0)])
            }
        }
        F::Triangular => {
            let (lo, hi, mode) = (p[0], p[1], p[2]);
            let edge = if upper { hi } else { lo };
            if mode == edge {
                Expansion::constant()
            } else {
                e(vec![(Log, -1.0)])
            }
        }
        F::Gumbel => {
            let (m, s) = (p[0], p[1]);
            if upper {
                e(vec![(Power(1.0), -1.0 / s)])
            } else {
                e(vec![(Exp(1.0 / s), -(m / s).exp()), (Power(1.0), 1.0 / s)])
            }
        }
        F::Poisson | F::Binomial | F::Geometric | F::Bernoulli | F::Categorical | F::Logits => {
            return None;
        }
    })
}

/// Why an expansion could not be given.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Unknown(pub(crate) String);

/// A parametric member's expansion at `place`, `Ok(None)` when it has no mass on that side.
fn member_expansion(c: &Parametric, place: Place) -> Result<Option<Expansion>, Unknown> {
    let (lo, hi) = c.support();
    let own = |upper: bool| {
        family_expansion(c, upper)
            .filter(|e| e.terms.iter().all(|(_, v)| v.is_finite()))
            .map(Some)
            .ok_or_else(|| {
                Unknown(format!(
                    "the tail of {} is not known in closed form",
                    c.family().name()
                ))
            })
    };
    match place {
        Place::PlusInfinity if hi == f64::INFINITY => own(true),
        Place::MinusInfinity if lo == f64::NEG_INFINITY => own(false),
        Place::PlusInfinity | Place::MinusInfinity => Ok(None),
        Place::Below(e) if e == hi => own(true),
        Place::Above(e) if e == lo => own(false),
        Place::Below(e) | Place::Above(e) if lo < e && e < hi => Ok(Some(Expansion::constant())),
        Place::Below(_) | Place::Above(_) => Ok(None),
    }
}

/// Whether intervals give mass on the side of `place`.
fn has_mass(support: &[(f64, f64)], place: Place) -> bool {
    support.iter().any(|&(lo, hi)| match place {
        Place::PlusInfinity => hi == f64::INFINITY,
        Place::MinusInfinity => lo == f64::NEG_INFINITY,
        Place::Below(e) => lo < e && e <= hi,
        Place::Above(e) => lo <= e && e < hi,
    })
}

/// A distribution's expansion at `place`: its own, its heaviest component's, or a constant for
/// a histogram; `Ok(None)` where it has no mass on that side.
pub(crate) fn expansion(d: &Distribution, place: Place) -> Result<Option<Expansion>, Unknown> {
    match d {
        Distribution::Parametric(c) => member_expansion(c, place),
        Distribution::Mixture(m) => {
            let mut best: Option<Expansion> = None;
            for c in m.components() {
                if let Some(e) = member_expansion(c, place)? {
                    best = Some(match best {
                        Some(b) if b.cmp_heaviness(&e) != Ordering::Less => b,
                        _ => e,
                    });
                }
            }
            Ok(best)
        }
        Distribution::Histogram(_) | Distribution::Categories(_) => {
            Ok(has_mass(&d.support(), place).then(Expansion::constant))
        }
    }
}

/// The finite points where a component of `d` starts or ends.
pub(crate) fn edges(d: &Distribution, out: &mut Vec<f64>) {
    let mut add = |c: &Parametric| {
        let (lo, hi) = c.support();
        out.extend([lo, hi].into_iter().filter(|v| v.is_finite()));
    };
    match d {
        Distribution::Parametric(c) => add(c),
        Distribution::Mixture(m) => m.components().iter().for_each(add),
        Distribution::Histogram(_) | Distribution::Categories(_) => {}
    }
}

/// Whether ∫ p^α q^(1−α) converges at one place, and which term said so.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Integrable there; `tie` names leading terms that cancelled, if any.
    Converges {
        /// The cancelled leading terms, in words.
        tie: Option<String>,
    },
    /// Not integrable there, with the sentence.
    Diverges(String),
}

/// Decides the integrability of p^α q^(1−α) (α > 1) at `place` from the two expansions.
pub(crate) fn decide(
    alpha: f64,
    p: &Expansion,
    q: &Expansion,
    place: Place,
    [pn, qn]: [&str; 2],
) -> Verdict {
    let t = alpha - 1.0;
    let mut ties: Vec<String> = Vec::new();
    // The exponent α·ln p − t·ln q, term by term, with the size of what was subtracted.
    let combined: Vec<(Scale, f64, f64)> = union(&p.terms, &q.terms)
        .into_iter()
        .map(|s| {
            let (a, b) = (alpha * p.coefficient(s), t * q.coefficient(s));
            (s, a - b, a.abs() + b.abs())
        })
        .collect();
    let shown: Vec<(Scale, f64)> = combined
        .iter()
        .filter(|(_, c, m)| c.abs() > TIE_ULPS * f64::EPSILON * m)
        .map(|(s, c, _)| (*s, *c))
        .collect();
    let sentence = |what: String, ties: &[String]| {
        let mut s = format!(
            "p^α q^(1−α) is not integrable {} for α = {}: ln {} ≈ {} and ln {} ≈ {}, so α·ln {} + (1 − α)·ln {} ≈ {}{}",
            place.describe(),
            format_number(alpha),
            pn.to_lowercase(),
            p.describe(place),
            qn.to_lowercase(),
            q.describe(place),
            pn.to_lowercase(),
            qn.to_lowercase(),
            describe_terms(shown.iter().copied(), place),
            what
        );
        if !ties.is_empty() {
            s.push_str(&format!(
                " (the leading {} cancel, so the next term decides)",
                ties.join(" and ")
            ));
        }
        s
    };
    for &(s, c, m) in &combined {
        if s == Scale::Log {
            break;
        }
        if c.abs() <= TIE_ULPS * f64::EPSILON * m {
            ties.push(format!("{} terms", place.scale_in_x(s).0));
            continue;
        }
        if c > 0.0 {
            return Verdict::Diverges(sentence(", which grows without bound".into(), &ties));
        }
        return converges(&ties);
    }
    // Only ln u is left: the integrand is u^c (times du/u² at a finite point).
    let (mut c, mut m) = combined
        .iter()
        .find(|(s, ..)| *s == Scale::Log)
        .map_or((0.0, 0.0), |(_, c, m)| (*c, *m));
    let finite = place.is_finite();
    if finite {
        c -= 2.0;
        m += 2.0;
    }
    let at_border = (c + 1.0).abs() <= TIE_ULPS * f64::EPSILON * (m + 1.0);
    if c < -1.0 && !at_border {
        return converges(&ties);
    }
    let power = if finite {
        // u^(c + 2) in x is |x − e|^−(c + 2).
        let d = match place.x() {
            0.0 => "|x|".to_string(),
            e => format!("|x − {}|", format_number(e)),
        };
        format!(
            ": p^α q^(1−α) ~ {d}^{}, and a power ≤ −1 is not integrable there",
            short(-(c + 2.0)).replace('-', "−")
        )
    } else if c == 0.0 {
        ": p^α q^(1−α) tends to a positive constant, which is not integrable out to infinity"
            .to_string()
    } else {
        format!(
            ": p^α q^(1−α) ~ |x|^{}, and a power ≥ −1 is not integrable there",
            short(c).replace('-', "−")
        )
    };
    let border = if at_border && c != 0.0 {
        " (exactly at the border, to within rounding: ∫ dx/|x| diverges)"
    } else {
        ""
    };
    Verdict::Diverges(sentence(format!("{power}{border}"), &ties))
}

fn converges(ties: &[String]) -> Verdict {
    Verdict::Converges {
        tie: (!ties.is_empty()).then(|| ties.join(" and ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    fn d(s: &str) -> Distribution {
        parse_spec(s).unwrap()
    }

    fn at(s: &str, place: Place) -> Expansion {
        expansion(&d(s), place).unwrap().unwrap()
    }

    #[test]
    fn every_continuous_family_has_an_expansion_at_each_end() {
        for id in FamilyId::ALL {
            if id.kind() != crate::distribution::Kind::Continuous {
                continue;
            }
            let defaults = id.info().params.iter().map(|p| p.default).collect();
            let c = Parametric::new(id, defaults).unwrap();
            assert!(family_expansion(&c, false).is_some(), "{}", id.name());
            assert!(family_expansion(&c, true).is_some(), "{}", id.name());
        }
    }

    #[test]
    fn a_normal_has_its_location_in_the_linear_term() {
        let e = at("normal(3, 2)", Place::PlusInfinity);
        assert_eq!(e.coefficient(Scale::Power(2.0)), -0.125);
        assert_eq!(e.coefficient(Scale::Power(1.0)), 0.75);
        let e = at("normal(3, 2)", Place::MinusInfinity);
        assert_eq!(e.coefficient(Scale::Power(1.0)), -0.75);
    }

    #[test]
    fn a_mixture_takes_its_heaviest_component_on_each_side() {
        let m = "0.5*normal(0,1) + 0.5*normal(3,1)";
        assert_eq!(
            at(m, Place::PlusInfinity),
            at("normal(3,1)", Place::PlusInfinity)
        );
        assert_eq!(
            at(m, Place::MinusInfinity),
            at("normal(0,1)", Place::MinusInfinity)
        );
        // A power law beats any normal; at 0 a gamma component is under the normal's constant.
        let m = "0.9*normal(0,1) + 0.1*student_t(0,1,4)";
        assert_eq!(at(m, Place::PlusInfinity).terms, vec![(Scale::Log, -5.0)]);
        let m = "0.5*normal(0,1) + 0.5*gamma(3,1)";
        assert_eq!(at(m, Place::Above(0.0)), Expansion::constant());
        assert!(
            expansion(&d("gamma(3,1)"), Place::Below(0.0))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn the_decision_is_the_sign_of_the_first_surviving_term() {
        let names = ["P", "Q"];
        let p = at("normal(0,2)", Place::PlusInfinity);
        let q = at("normal(3,1)", Place::PlusInfinity);
        // −α/8 + (α − 1)/2: < 0 below 4/3.
        assert!(matches!(
            decide(1.3, &p, &q, Place::PlusInfinity, names),
            Verdict::Converges { tie: None }
        ));
        assert!(matches!(
            decide(1.4, &p, &q, Place::PlusInfinity, names),
            Verdict::Diverges(_)
        ));
        // At 4/3 the x² terms cancel and −(α − 1)·3·x decides at +∞ ...
        let Verdict::Converges { tie: Some(_) } =
            decide(4.0 / 3.0, &p, &q, Place::PlusInfinity, names)
        else {
            panic!()
        };
        // ... while at −∞ (normal(0, 1) against normal(0, 2)) nothing is left: a constant.
        let q0 = at("normal(0,1)", Place::MinusInfinity);
        let p0 = at("normal(0,2)", Place::MinusInfinity);
        let Verdict::Diverges(why) = decide(4.0 / 3.0, &p0, &q0, Place::MinusInfinity, names)
        else {
            panic!()
        };
        assert!(why.contains("cancel"), "{why}");
    }

    #[test]
    fn edges_need_a_power_above_minus_one() {
        let names = ["P", "Q"];
        // beta(0.5, 1) against uniform(0, 1): p^α ~ x^(−α/2), integrable for α < 2.
        let p = at("beta(0.5,1)", Place::Above(0.0));
        let q = at("uniform(0,1)", Place::Above(0.0));
        assert!(matches!(
            decide(1.9, &p, &q, Place::Above(0.0), names),
            Verdict::Converges { .. }
        ));
        let Verdict::Diverges(why) = decide(2.0, &p, &q, Place::Above(0.0), names) else {
            panic!()
        };
        assert!(why.contains("border"), "{why}");
        // Cauchy against student t(3): |x|^(−2α + 4(α − 1)) = |x|^(2α − 4), integrable for α < 1.5.
        let p = at("cauchy(0,1)", Place::PlusInfinity);
        let q = at("student_t(0,1,3)", Place::PlusInfinity);
        assert!(matches!(
            decide(1.4, &p, &q, Place::PlusInfinity, names),
            Verdict::Converges { .. }
        ));
        assert!(matches!(
            decide(1.5, &p, &q, Place::PlusInfinity, names),
            Verdict::Diverges(_)
        ));
    }
}
