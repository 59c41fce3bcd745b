//! Closed forms for KL divergence and entropy.
//!
//! Each function assumes the caller has already checked supports (a pair whose KL is infinite
//! because of the supports never reaches here). Every formula is checked against quadrature
//! in `tests/closed_forms.rs` to 1e-9 relative.

use statrs::function::beta::ln_beta;
use statrs::function::gamma::{digamma, ln_gamma};

use crate::distribution::family::xlogy;
use crate::distribution::{FamilyId, Parametric};

const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
const LN_2PI: f64 = 1.837_877_066_409_345_5;

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

fn normal_kl(m1: f64, s1: f64, m2: f64, s2: f64) -> f64 {
    let r = s1 / s2;
    let d = (m1 - m2) / s2;
    -r.ln() + 0.5 * (r * r + d * d - 1.0)
}

fn gamma_kl(a1: f64, b1: f64, a2: f64, b2: f64) -> f64 {
    (a1 - a2) * digamma(a1) - ln_gamma(a1)
        + ln_gamma(a2)
        + a2 * (b1.ln() - b2.ln())
        + a1 * (b2 - b1) / b1
}

fn bernoulli_kl(p: f64, q: f64) -> f64 {
    let a = if p == 0.0 { 0.0 } else { p * (p / q).ln() };
    let b = if p == 1.0 {
        0.0
    } else {
        (1.0 - p) * ((1.0 - p) / (1.0 - q)).ln()
    };
    a + b
}

/// KL(P‖Q) in nats and the name of the formula, if one is known for the pair.
pub fn kl(p: &Parametric, q: &Parametric) -> Option<(f64, &'static str)> {
    use FamilyId as F;
    let a = p.params();
    let b = q.params();
    let v = match (p.family(), q.family()) {
        (F::Normal, F::Normal) => (normal_kl(a[0], a[1], b[0], b[1]), "normal–normal"),
        (F::LogNormal, F::LogNormal) => {
            (normal_kl(a[0], a[1], b[0], b[1]), "log-normal–log-normal")
        }
        (F::Laplace, F::Laplace) => {
            let d = (a[0] - b[0]).abs();
            (
                (b[1] / a[1]).ln() + d / b[1] + a[1] / b[1] * (-d / a[1]).exp() - 1.0,
                "laplace–laplace",
            )
        }
        (F::Cauchy, F::Cauchy) => {
            let d = a[0] - b[0];
            let s = a[1] + b[1];
            (
                ((s * s + d * d) / (4.0 * a[1] * b[1])).ln(),
                "cauchy–cauchy",
            )
        }
        (F::Beta, F::Beta) => (
            ln_beta(b[0], b[1]) - ln_beta(a[0], a[1])
                + (a[0] - b[0]) * digamma(a[0])
                + (a[1] - b[1]) * digamma(a[1])
                + (b[0] - a[0] + b[1] - a[1]) * digamma(a[0] + a[1]),
            "beta–beta",
        ),
        (F::Uniform, F::Uniform) => (((b[1] - b[0]) / (a[1] - a[0])).ln(), "uniform–uniform"),
        (F::Uniform, F::Normal) => {
            let (lo, hi, m, s) = (a[0], a[1], b[0], b[1]);
            let second = ((hi - m).powi(3) - (lo - m).powi(3)) / (3.0 * (hi - lo));
            (
                -(hi - lo).ln() + 0.5 * LN_2PI + s.ln() + second / (2.0 * s * s),
                "uniform–normal",
            )
        }
        (F::InverseGamma, F::InverseGamma) => (
            gamma_kl(a[0], a[1], b[0], b[1]),
            "inverse-gamma–inverse-gamma",
        ),
        (F::Weibull, F::Weibull) => {
            let (k1, l1, k2, l2) = (a[0], a[1], b[0], b[1]);
            (
                k1.ln() - k1 * l1.ln() - k2.ln()
                    + k2 * l2.ln()
                    + (k1 - k2) * (l1.ln() - EULER_GAMMA / k1)
                    + (k2 * (l1 / l2).ln() + ln_gamma(k2 / k1 + 1.0)).exp()
                    - 1.0,
                "weibull–weibull",
            )
        }
        (F::Gumbel, F::Gumbel) => {
            let (m1, s1, m2, s2) = (a[0], a[1], b[0], b[1]);
            let r = s1 / s2;
            (
                (s2 / s1).ln()
                    + EULER_GAMMA * (r - 1.0)
                    + (m1 - m2) / s2
                    + ((m2 - m1) / s2 + ln_gamma(1.0 + r)).exp()
                    - 1.0,
                "gumbel–gumbel",
            )
        }
        (F::Pareto, F::Pareto) => (
            (a[1] / b[1]).ln() + b[1] * (a[0] / b[0]).ln() + (b[1] - a[1]) / a[1],
            "pareto–pareto",
        ),
        (F::Poisson, F::Poisson) => (a[0] * (a[0] / b[0]).ln() + b[0] - a[0], "poisson–poisson"),
        (F::Binomial, F::Binomial) if a[1] == b[1] => {
            (a[1] * bernoulli_kl(a[0], b[0]), "binomial–binomial")
        }
        (F::Bernoulli, F::Bernoulli) => (bernoulli_kl(a[0], b[0]), "bernoulli–bernoulli"),
        (F::Geometric, F::Geometric) => (
            (a[0] / b[0]).ln() + xlogy((1.0 - a[0]) / a[0], (1.0 - a[0]) / (1.0 - b[0])),
            "geometric–geometric",
        ),
        _ => match (as_gamma(p), as_gamma(q)) {
            (Some((a1, b1)), Some((a2, b2))) => (gamma_kl(a1, b1, a2, b2), "gamma-family"),
            _ => return None,
        },
    };
    Some(v)
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
        FamilyId::Weibull => EULER_GAMMA * (1.0 - 1.0 / a[0]) + (a[1] / a[0]).ln() + 1.0,
        FamilyId::Pareto => (a[0] / a[1]).ln() + 1.0 / a[1] + 1.0,
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
        FamilyId::StudentT => {
            let nu = a[2];
            (nu + 1.0) / 2.0 * (digamma((nu + 1.0) / 2.0) - digamma(nu / 2.0))
                + 0.5 * nu.ln()
                + ln_beta(nu / 2.0, 0.5)
                + a[1].ln()
        }
        FamilyId::Bernoulli => -(xlogy(a[0], a[0]) + xlogy(1.0 - a[0], 1.0 - a[0])),
        _ => {
            let (s, r) = as_gamma(p)?;
            s - r.ln() + ln_gamma(s) + (1.0 - s) * digamma(s)
        }
    };
    Some(v)
}
