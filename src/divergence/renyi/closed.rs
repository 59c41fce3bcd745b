//! Closed forms of D_α within exponential families: normal (and log-normal), the gamma family
//! (gamma, exponential, chi-squared; inverse gamma by x → 1/x), beta, Poisson.
//!
//! Each is ln I(α) / (α − 1) with ln I(α) = h(α) − α·h(1) − (1 − α)·h(0), h the log-partition
//! along the line between the two parameter vectors; written as the divided difference
//! (h(α) − h(1))/(α − 1) − (h(1) − h(0)), whose first part is evaluated from
//! ln Γ(a + d) − ln Γ(a) − d·ψ(a) ([`ln_gamma_excess`]) and ln(1 + x)/x, never as a difference
//! of logs divided by a small α − 1. At α = 1 each is the KL closed form. The stated error is
//! a few ulps of the sum of the terms' magnitudes. Where the parameter on the line leaves the
//! family (α > 1 only), ∫ p^α q^(1−α) diverges: ∞, with the condition that failed.

use statrs::function::gamma::{digamma, ln_gamma};

use crate::distribution::family::format_number;
use crate::distribution::{FamilyId, Parametric};
use crate::special::ln_gamma_excess;

use super::super::Figure;
use super::curves::{expm1_over, ln1p_over};

/// Ulps of the terms' magnitudes a closed form is good to.
const CLOSED_ULPS: f64 = 32.0;

/// Ulps of its terms within which a parameter on the line (σ_α², a shape or a rate) is taken
/// to be 0: it comes from α and parameters given in decimal (4/3 is not a double), so a value
/// that small is the boundary where ∫ p^α q^(1−α) stops converging, met by rounding, not a
/// huge finite figure (normal(0, 2) against normal(1, 1) at α = 4.0/3.0 gave 3e15). At the
/// boundary itself the integral diverges for every family here (a constant or exponential
/// integrand for normals, x^−1 or a non-decaying power for the gamma family and beta), as
/// the tail analysis of [`super::asymptote`] decides with the same margin.
const BOUNDARY_ULPS: f64 = 64.0;

/// A parameter on the line for the sentence of an ∞: a positive one there is 0 to within its
/// rounding.
fn zero_or_below(v: f64) -> String {
    if v > 0.0 {
        format!("{} (0 to within rounding)", format_number(v))
    } else {
        format_number(v)
    }
}

/// Rounding of `v = v1 + t·dv` computed in doubles (t = α − 1 itself rounded).
fn line_rounding(v1: f64, t: f64, dv: f64) -> f64 {
    4.0 * f64::EPSILON * (v1.abs() + (t * dv).abs())
}

/// Whether `v = v1 + t·dv` is positive by more than its rounding.
fn clearly_positive(v: f64, v1: f64, t: f64, dv: f64) -> bool {
    v > BOUNDARY_ULPS / 4.0 * line_rounding(v1, t, dv)
}

/// Shape and rate of a gamma-family member.
fn as_gamma(d: &Parametric) -> Option<(f64, f64)> {
    let p = d.params();
    match d.family() {
        FamilyId::Gamma => Some((p[0], p[1])),
        FamilyId::Exponential => Some((1.0, p[0])),
        FamilyId::ChiSquared => Some((p[0] / 2.0, 0.5)),
        _ => None,
    }
}

/// The figure from its terms; `conditioning` is the error carried from a parameter on the line
/// that is small next to its rounding (near the boundary the value is ill-conditioned in it).
fn figure(terms: &[f64], conditioning: f64, name: &str) -> Figure {
    let value: f64 = terms.iter().sum();
    let magnitude: f64 = terms.iter().map(|t| t.abs()).sum();
    let method = format!("closed form ({name})");
    if !value.is_finite() {
        return Figure {
            value: f64::INFINITY,
            error: 0.0,
            method,
            reason: Some(format!(
                "the closed form ({name}) is finite but larger than the largest double: it overflows"
            )),
        };
    }
    Figure {
        value: value.max(0.0),
        error: CLOSED_ULPS * f64::EPSILON * magnitude.max(f64::MIN_POSITIVE) + conditioning,
        method,
        reason: None,
    }
}

fn diverges(name: &str, condition: &str) -> Figure {
    Figure {
        value: f64::INFINITY,
        error: 0.0,
        method: format!("closed form ({name})"),
        reason: Some(format!(
            "p^α q^(1−α) is not integrable: {condition} (the closed form ({name}) needs it > 0)"
        )),
    }
}

/// `(ln Γ(a + t·d) − ln Γ(a)) / t`, from the excess: `d·ψ(a) + excess(a, t·d)/t`.
fn ln_gamma_slope(a: f64, d: f64, t: f64) -> [f64; 2] {
    let excess = ln_gamma_excess(a, t * d);
    [d * digamma(a), if t == 0.0 { 0.0 } else { excess / t }]
}

/// D_α(P‖Q) by a closed form, or `None` when none is known for the pair.
pub(super) fn renyi(p: &Parametric, q: &Parametric, alpha: f64) -> Option<Figure> {
    use FamilyId as F;
    let (a, b) = (p.params(), q.params());
    let t = alpha - 1.0;
    let f = match (p.family(), q.family()) {
        (F::Normal, F::Normal) | (F::LogNormal, F::LogNormal) => {
            let name = if p.family() == F::Normal {
                "normal–normal"
            } else {
                "log-normal–log-normal"
            };
            let (m1, s1, m2, s2) = (a[0], a[1], b[0], b[1]);
            // σ_α² = α·σ_Q² + (1 − α)·σ_P² = σ_Q²·(1 − t·r), r = (σ_P² − σ_Q²)/σ_Q².
            let r = (s1 - s2) * (s1 + s2) / (s2 * s2);
            let w = 1.0 - t * r;
            let var = s2 * s2 * w;
            if !clearly_positive(w, 1.0, t, r) {
                return Some(diverges(
                    name,
                    &format!(
                        "α·σ_Q² + (1 − α)·σ_P² = {}",
                        zero_or_below(alpha * s2 * s2 + (1.0 - alpha) * s1 * s1)
                    ),
                ));
            }
            let d = m1 - m2;
            let shift = alpha * d * d / (2.0 * var);
            // ∂D/∂w: the log term is −ln(w)/(2t), the shift ∝ 1/w.
            let conditioning =
                (0.5 / t.abs().max(f64::MIN_POSITIVE) + shift) * (line_rounding(1.0, t, r) / w);
            let conditioning = if t == 0.0 { 0.0 } else { conditioning };
            figure(
                &[(s2 / s1).ln(), 0.5 * r * ln1p_over(-t * r), shift],
                conditioning,
                name,
            )
        }
        (F::Beta, F::Beta) => {
            let (x1, y1, x2, y2) = (a[0], a[1], b[0], b[1]);
            let (dx, dy) = (x1 - x2, y1 - y2);
            let (xa, ya) = (x1 + t * dx, y1 + t * dy);
            if !(clearly_positive(xa, x1, t, dx) && clearly_positive(ya, y1, t, dy)) {
                return Some(diverges(
                    "beta–beta",
                    &format!(
                        "the shapes on the line are a = {}, b = {}",
                        zero_or_below(xa),
                        zero_or_below(ya)
                    ),
                ));
            }
            let [a1, a2] = ln_gamma_slope(x1, dx, t);
            let [b1, b2] = ln_gamma_slope(y1, dy, t);
            let [c1, c2] = ln_gamma_slope(x1 + y1, dx + dy, t);
            let ln_b = |x: f64, y: f64| ln_gamma(x) + ln_gamma(y) - ln_gamma(x + y);
            // ∂D/∂a_α = (ψ(a_α) − ψ(a_α + b_α))/t, and the same for b_α.
            let dig = digamma(xa + ya);
            let conditioning = if t == 0.0 {
                0.0
            } else {
                ((digamma(xa) - dig).abs() * line_rounding(x1, t, dx)
                    + (digamma(ya) - dig).abs() * line_rounding(y1, t, dy))
                    / t.abs()
            };
            figure(
                &[a1, a2, b1, b2, -c1, -c2, -ln_b(x1, y1), ln_b(x2, y2)],
                conditioning,
                "beta–beta",
            )
        }
        (F::Poisson, F::Poisson) => {
            let (l1, l2) = (a[0], b[0]);
            let r = (l1 / l2).ln();
            figure(
                &[l1 * r * expm1_over(t * r), -(l1 - l2)],
                0.0,
                "poisson–poisson",
            )
        }
        (F::InverseGamma, F::InverseGamma) => {
            gamma_renyi(a[0], a[1], b[0], b[1], t, "inverse-gamma–inverse-gamma")
        }
        _ => {
            let ((a1, b1), (a2, b2)) = (as_gamma(p)?, as_gamma(q)?);
            gamma_renyi(a1, b1, a2, b2, t, "gamma-family")
        }
    };
    Some(f)
}

/// Shape `a`, rate `b`: h(s) = ln Γ(a(s)) − a(s)·ln b(s) along the line.
fn gamma_renyi(a1: f64, b1: f64, a2: f64, b2: f64, t: f64, name: &str) -> Figure {
    let (da, db) = (a1 - a2, b1 - b2);
    let (aa, ba) = (a1 + t * da, b1 + t * db);
    if !(clearly_positive(aa, a1, t, da) && clearly_positive(ba, b1, t, db)) {
        return diverges(
            name,
            &format!(
                "the shape and rate on the line are {}, {}",
                zero_or_below(aa),
                zero_or_below(ba)
            ),
        );
    }
    let [g1, g2] = ln_gamma_slope(a1, da, t);
    // D holds (ln Γ(a_α) − a_α·ln b_α)/t: ∂D/∂a_α = (ψ(a_α) − ln b_α)/t, ∂D/∂b_α = −a_α/(t·b_α).
    let conditioning = if t == 0.0 {
        0.0
    } else {
        ((digamma(aa) - ba.ln()).abs() * line_rounding(a1, t, da)
            + (aa / ba).abs() * line_rounding(b1, t, db))
            / t.abs()
    };
    figure(
        &[
            g1,
            g2,
            -da * ba.ln(),
            -a1 * (db / b1) * ln1p_over(t * db / b1),
            -(ln_gamma(a1) - ln_gamma(a2)),
            a1 * b1.ln(),
            -a2 * b2.ln(),
        ],
        conditioning,
        name,
    )
}
