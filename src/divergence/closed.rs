//! Closed forms for KL divergence and entropy.
//!
//! Each function assumes the caller has already checked supports (a pair whose KL is infinite
//! because of the supports never reaches here). Every formula is checked against quadrature
//! in `tests/closed_forms.rs` to 1e-9 relative, and the hard cases against 30-digit mpmath
//! references in `tests/stress.rs`.
//!
//! Numeric contract: every formula is written as a sum of terms that are each non-negative or
//! computed to a few ulps of themselves, so that a tiny KL between near-identical
//! distributions (policies in PPO differ by 1e-4 to 1e-7 per token) keeps its relative
//! accuracy: `ln(1 + u) − u`, `eᵗ − 1 − t` and `ln Γ(a + d) − ln Γ(a) − d·ψ(a)` are evaluated
//! as such ([`crate::special`]), never as differences of large logs. The stated error is a few ulps of the sum of the terms' magnitudes. A value
//! beyond the largest double is `+inf` with a reason that says it overflows (never that it
//! diverges).

use statrs::function::beta::ln_beta;
use statrs::function::gamma::{digamma, ln_gamma};

use crate::distribution::{FamilyId, Parametric};
use crate::special::{
    STIRLING_FROM, expm1_minus, ln_gamma_excess, ln_gamma_near_one, ln_gamma_plus_euler,
    ln_gamma_ratio_rest, ln_minus_digamma, log1p_minus,
};

use super::Figure;

const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// A sum of terms and the sum of their magnitudes, for the error bound.
#[derive(Default)]
struct Terms {
    value: f64,
    magnitude: f64,
}

impl Terms {
    fn of(terms: &[f64]) -> Self {
        Terms {
            value: terms.iter().sum(),
            magnitude: terms.iter().map(|t| t.abs()).sum(),
        }
    }

    fn scaled(self, k: f64) -> Self {
        Terms {
            value: self.value * k,
            magnitude: self.magnitude * k.abs(),
        }
    }
}

/// Shape and rate of a gamma-family member: gamma, exponential, chi-squared.
fn as_gamma(d: &Parametric) -> Option<(f64, f64)> {
    let p = d.params();
    match d.family() {
        FamilyId::Gamma => Some((p[0], p[1])),
        FamilyId::Exponential => Some((1.0, p[0])),
        FamilyId::ChiSquared => Some((p[0] / 2.0, 0.5)),
        _ => None,
    }
}

/// Relative step `(b − a)/a`.
fn rel(a: f64, b: f64) -> f64 {
    (b - a) / a
}

/// `ln(b/a)` for positive `a`, `b`: through `ln(1 + (b − a)/a)` near 1, directly elsewhere
/// (`1 + u` for `u` near −1 would keep few digits of a tiny ratio).
fn ln_ratio(b: f64, a: f64) -> f64 {
    if (b - a).abs() <= 0.5 * a {
        rel(a, b).ln_1p()
    } else {
        let r = b / a;
        if r.is_normal() && r.is_finite() {
            r.ln()
        } else {
            b.ln() - a.ln()
        }
    }
}

/// `φ(r) = (r − 1) − ln r` (≥ 0) for `r = new/old`, given `diff = new − old` exactly (or as
/// well as the caller knows it): [`log1p_minus`] near 1, the direct form elsewhere.
fn phi(new: f64, old: f64, diff: f64) -> f64 {
    if diff.abs() <= 0.5 * old {
        log1p_minus(diff / old)
    } else {
        diff / old - ln_ratio(new, old)
    }
}

/// `φ(b/a)` with the difference taken here.
fn phi_ratio(b: f64, a: f64) -> f64 {
    phi(b, a, b - a)
}

fn normal_kl(m1: f64, s1: f64, m2: f64, s2: f64) -> Terms {
    // −ln r + (r² − 1)/2 + d²/2 with r = 1 + u: (u − ln(1 + u)) + u²/2 + d²/2.
    let u = (s1 - s2) / s2;
    let d = (m1 - m2) / s2;
    Terms::of(&[phi_ratio(s1, s2), 0.5 * u * u, 0.5 * d * d])
}

fn gamma_kl(a1: f64, b1: f64, a2: f64, b2: f64) -> Terms {
    // (a1 − a2)ψ(a1) − ln Γ(a1) + ln Γ(a2) + a2·ln(b1/b2) + a1·(b2 − b1)/b1
    // = excess(a1, a2 − a1) + a2·(r − ln(1 + r)) − (a2 − a1)·r, with r = (b2 − b1)/b1.
    let r = rel(b1, b2);
    let d = a2 - a1;
    Terms::of(&[ln_gamma_excess(a1, d), a2 * phi_ratio(b2, b1), -d * r])
}

fn bernoulli_kl(p: f64, q: f64) -> Terms {
    // p·ln(p/q) + (1 − p)·ln((1 − p)/(1 − q)) with δ = q − p: the ±δ of the two first-order
    // parts cancel exactly, leaving p·φ(δ/p) + (1 − p)·φ(−δ/(1 − p)), φ(x) = x − ln(1 + x).
    // At p = 0 (p = 1) the first (second) part is its limit, δ (−δ).
    let delta = q - p;
    let a = if p == 0.0 {
        delta
    } else {
        p * phi(q, p, delta)
    };
    let b = if p == 1.0 {
        -delta
    } else {
        (1.0 - p) * phi(1.0 - q, 1.0 - p, -delta)
    };
    Terms::of(&[a, b])
}

/// `e^T − 1 − T` plus the rest: the shape of the Weibull and Gumbel forms.
fn exp_form(t: f64, rest: f64) -> Terms {
    Terms::of(&[expm1_minus(t), rest])
}

fn terms_kl(p: &Parametric, q: &Parametric) -> Option<(Terms, &'static str)> {
    use FamilyId as F;
    let a = p.params();
    let b = q.params();
    let v = match (p.family(), q.family()) {
        (F::Normal, F::Normal) => (normal_kl(a[0], a[1], b[0], b[1]), "normal–normal"),
        (F::LogNormal, F::LogNormal) => {
            (normal_kl(a[0], a[1], b[0], b[1]), "log-normal–log-normal")
        }
        (F::Laplace, F::Laplace) => {
            // ln(b2/b1) + d/b2 + (b1/b2)·e^(−d/b1) − 1 with r = b1/b2 = 1 + u, y = d/b1:
            // φ(r) + r·(e^(−y) − 1 + y), φ(r) = (r − 1) − ln r.
            let y = (a[0] - b[0]).abs() / a[1];
            (
                Terms::of(&[phi_ratio(a[1], b[1]), a[1] / b[1] * expm1_minus(-y)]),
                "laplace–laplace",
            )
        }
        (F::Cauchy, F::Cauchy) => {
            // ln(((s1 + s2)² + d²)/(4·s1·s2)) = ln(1 + ((s1 − s2)² + d²)/(4·s1·s2)).
            let d = a[0] - b[0];
            let ds = a[1] - b[1];
            (
                Terms::of(&[((ds * ds + d * d) / (4.0 * a[1] * b[1])).ln_1p()]),
                "cauchy–cauchy",
            )
        }
        (F::Beta, F::Beta) => {
            // ln B(x2, y2) − ln B(x1, y1) + (x1 − x2)ψ(x1) + (y1 − y2)ψ(y1)
            // + (x2 − x1 + y2 − y1)ψ(x1 + y1): three excesses.
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            (
                Terms::of(&[
                    ln_gamma_excess(a[0], dx),
                    ln_gamma_excess(a[1], dy),
                    -ln_gamma_excess(a[0] + a[1], dx + dy),
                ]),
                "beta–beta",
            )
        }
        (F::Uniform, F::Uniform) => {
            let (w1, w2) = (a[1] - a[0], b[1] - b[0]);
            (Terms::of(&[ln_ratio(w2, w1)]), "uniform–uniform")
        }
        (F::Uniform, F::Normal) => {
            let (lo, hi, m, s) = (a[0], a[1], b[0], b[1]);
            let second = ((hi - m).powi(3) - (lo - m).powi(3)) / (3.0 * (hi - lo));
            (
                Terms::of(&[
                    -(hi - lo).ln(),
                    0.5 * LN_2PI,
                    s.ln(),
                    second / (2.0 * s * s),
                ]),
                "uniform–normal",
            )
        }
        (F::InverseGamma, F::InverseGamma) => (
            gamma_kl(a[0], a[1], b[0], b[1]),
            "inverse-gamma–inverse-gamma",
        ),
        (F::Weibull, F::Weibull) => {
            // With ρ = k2/k1 and T = k2·ln(l1/l2) + ln Γ(1 + ρ):
            // KL = (e^T − 1 − T) + ln Γ(ρ) + γ·(ρ − 1).
            let (k1, l1, k2, l2) = (a[0], a[1], b[0], b[1]);
            let e = rel(k1, k2);
            let t = k2 * ln_ratio(l1, l2) + ln_gamma_near_one(e) + ln_ratio(k2, k1);
            (exp_form(t, ln_gamma_plus_euler(e)), "weibull–weibull")
        }
        (F::Gumbel, F::Gumbel) => {
            // With r = s1/s2 and T = (m2 − m1)/s2 + ln Γ(1 + r):
            // KL = (e^T − 1 − T) + ln Γ(r) + γ·(r − 1).
            let (m1, s1, m2, s2) = (a[0], a[1], b[0], b[1]);
            let e = rel(s2, s1);
            let t = (m2 - m1) / s2 + ln_gamma_near_one(e) + ln_ratio(s1, s2);
            (exp_form(t, ln_gamma_plus_euler(e)), "gumbel–gumbel")
        }
        (F::Normal, F::Gumbel) => {
            // E_P[−ln q] = ln β + (m − μ)/β + E e^(−(x − μ)/β), and
            // E e^(−(x − μ)/β) = exp(−(m − μ)/β + σ²/(2β²)) for x ~ N(m, σ²).
            let (m, s, mu, beta) = (a[0], a[1], b[0], b[1]);
            let z = (m - mu) / beta;
            let w = s / beta;
            (
                Terms::of(&[
                    -0.5 * (LN_2PI + 1.0),
                    (beta / s).ln(),
                    z,
                    (-z + 0.5 * w * w).exp(),
                ]),
                "normal–gumbel",
            )
        }
        (F::Gumbel, F::Normal) => {
            // −H(P) + ln(σ√(2π)) + E_P[(x − m)²]/(2σ²), with E_P[x] = μ + βγ and
            // Var_P = π²β²/6.
            let (mu, beta, m, s) = (a[0], a[1], b[0], b[1]);
            let shift = ((mu - m) + beta * EULER_GAMMA) / s;
            let w = beta / s;
            (
                Terms::of(&[
                    -(EULER_GAMMA + 1.0),
                    (s / beta).ln(),
                    0.5 * LN_2PI,
                    0.5 * shift * shift,
                    std::f64::consts::PI * std::f64::consts::PI / 12.0 * w * w,
                ]),
                "gumbel–normal",
            )
        }
        (F::Pareto, F::Pareto) => {
            // ln(α1/α2) + α2·ln(x1/x2) + (α2 − α1)/α1 = φ(α2/α1) + α2·ln(x1/x2).
            (
                Terms::of(&[phi_ratio(b[1], a[1]), b[1] * ln_ratio(a[0], b[0])]),
                "pareto–pareto",
            )
        }
        (F::Poisson, F::Poisson) => {
            // λ1·ln(λ1/λ2) + λ2 − λ1 = λ1·(u − ln(1 + u)), u = (λ2 − λ1)/λ1.
            (
                Terms::of(&[a[0] * phi_ratio(b[0], a[0])]),
                "poisson–poisson",
            )
        }
        (F::Binomial, F::Binomial) if a[1] == b[1] => {
            (bernoulli_kl(a[0], b[0]).scaled(a[1]), "binomial–binomial")
        }
        (F::Bernoulli, F::Bernoulli) => (bernoulli_kl(a[0], b[0]), "bernoulli–bernoulli"),
        (F::Geometric, F::Geometric) => {
            // ln(p/q) + (1 − p)/p·ln((1 − p)/(1 − q)) = KL(Bernoulli(p)‖Bernoulli(q)) / p.
            (
                bernoulli_kl(a[0], b[0]).scaled(1.0 / a[0]),
                "geometric–geometric",
            )
        }
        _ => match (as_gamma(p), as_gamma(q)) {
            (Some((a1, b1)), Some((a2, b2))) => (gamma_kl(a1, b1, a2, b2), "gamma-family"),
            _ => return None,
        },
    };
    Some(v)
}

/// KL(P‖Q) in nats and the name of the formula, if one is known for the pair. `+inf` when
/// the value is finite but beyond the doubles ([`kl_figure`] says so).
pub fn kl(p: &Parametric, q: &Parametric) -> Option<(f64, &'static str)> {
    terms_kl(p, q).map(|(t, name)| (t.value.max(0.0), name))
}

/// Ulps of the terms' magnitudes a closed form is good to.
const CLOSED_ULPS: f64 = 16.0;

/// KL(P‖Q) by a closed form, as a figure: its error a few ulps of the sum of the formula's
/// terms, and `+inf` with a reason that says it overflows when the finite value is beyond the
/// largest double. `None` when no formula is known for the pair.
pub fn kl_figure(p: &Parametric, q: &Parametric) -> Option<Figure> {
    let (t, name) = terms_kl(p, q)?;
    let method = format!("closed form ({name})");
    if !t.value.is_finite() {
        return Some(Figure {
            value: f64::INFINITY,
            error: 0.0,
            method,
            reason: Some(format!(
                "the closed form ({name}) is finite but larger than the largest double \
                 (1.8e308): it overflows"
            )),
        });
    }
    // Each term is good to a few ulps of itself; a rounding-level negative sum is 0.
    let error = CLOSED_ULPS * f64::EPSILON * t.magnitude;
    Some(Figure {
        value: t.value.max(0.0),
        error,
        method,
        reason: None,
    })
}

/// Differential entropy (or Shannon entropy, for discrete families with a formula) in nats.
pub fn entropy(p: &Parametric) -> Option<f64> {
    let a = p.params();
    let v = match p.family() {
        FamilyId::Normal => 0.5 * (LN_2PI + 1.0) + a[1].ln(),
        FamilyId::LogNormal => a[0] + 0.5 * (LN_2PI + 1.0) + a[1].ln(),
        FamilyId::Uniform => (a[1] - a[0]).ln(),
        FamilyId::Laplace => 1.0 + (2.0 * a[1]).ln(),
        FamilyId::Cauchy => (4.0 * std::f64::consts::PI * a[1]).ln(),
        FamilyId::Gumbel => a[1].ln() + EULER_GAMMA + 1.0,
        // ln λ − ln k, not ln(λ/k): the ratio of a scale of 1e229 and a shape of 1e-94
        // overflows while its log is 756.
        FamilyId::Weibull => EULER_GAMMA * (1.0 - 1.0 / a[0]) + (a[1].ln() - a[0].ln()) + 1.0,
        FamilyId::Pareto => (a[0].ln() - a[1].ln()) + 1.0 / a[1] + 1.0,
        FamilyId::Triangular => 0.5 + ((a[1] - a[0]) / 2.0).ln(),
        FamilyId::Beta => {
            let (x, y) = (a[0], a[1]);
            ln_beta(x, y) - (x - 1.0) * digamma(x) - (y - 1.0) * digamma(y)
                + (x + y - 2.0) * digamma(x + y)
        }
        FamilyId::InverseGamma => {
            let (s, r) = (a[0], a[1]);
            s + r.ln() + ln_gamma(s) - (1.0 + s) * digamma(s)
        }
        FamilyId::StudentT => student_t_entropy(a[1], a[2]),
        FamilyId::Bernoulli => {
            let xlnx = |v: f64| if v == 0.0 { 0.0 } else { v * v.ln() };
            -(xlnx(a[0]) + xlnx(1.0 - a[0]))
        }
        _ => {
            let (s, r) = as_gamma(p)?;
            s - r.ln() + ln_gamma(s) + (1.0 - s) * digamma(s)
        }
    };
    Some(v)
}

/// H(t(ν, scale)) = (ν+1)/2·(ψ((ν+1)/2) − ψ(ν/2)) + ½ln ν + ln B(ν/2, ½) + ln scale, written
/// for large ν without differences of huge digammas or log-gammas: with a = ν/2,
/// ψ(a + ½) − ψ(a) = ln(1 + 1/(2a)) + (ln a − ψ(a)) − (ln(a + ½) − ψ(a + ½)), and
/// ½ln ν + ln B(a, ½) = ½ln 2π − (ln Γ(a + ½) − ln Γ(a) − ½ln a).
fn student_t_entropy(scale: f64, nu: f64) -> f64 {
    let a = nu / 2.0;
    if a < STIRLING_FROM {
        return (nu + 1.0) / 2.0 * (digamma((nu + 1.0) / 2.0) - digamma(a))
            + 0.5 * nu.ln()
            + ln_beta(a, 0.5)
            + scale.ln();
    }
    let dpsi = (0.5 / a).ln_1p() + (ln_minus_digamma(a) - ln_minus_digamma(a + 0.5));
    (a + 0.5) * dpsi - ln_gamma_ratio_rest(a, 0.5) + 0.5 * LN_2PI + scale.ln()
}
