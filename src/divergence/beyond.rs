//! A proven bound on KL's and the entropy's integrand beyond the last double a tail reaches.
//!
//! Beyond `X`, the last point `x·2ᵏ` that is a double, no density can be evaluated, yet a
//! power-law or log-normal tail may leave up to 1e-12 of its mass there (the families refuse
//! more). What the quadrature cannot see is bounded from each family's formula instead.
//!
//! The argument. Write `u = ln(x/X) ≥ 0` for `x` beyond `X`, and `s(x) = −d ln f/d ln|x|` for
//! the log-slope of a density `f`. Each family below gives an envelope valid for every `x`
//! beyond `X`: `s_lo ≤ s(x) ≤ s_hi + 2k·u`. Integrating the slope,
//!
//! ```text
//! −s_hi·u − k·u²  ≤  ln f(x) − ln f(X)  ≤  −s_lo·u.
//! ```
//!
//! A mixture's log-slope is its components' slopes averaged with the weights `wᵢfᵢ/f`, so the
//! mixture's envelope is the lowest `s_lo`, the highest `s_hi` and the highest `k` of its
//! components. Then, for P and Q with envelopes `(a, b, k)` and `(c, d, l)`,
//!
//! ```text
//! |ln p(x) − ln q(x)| ≤ A + B·u + C·u²,   A = |ln p(X) − ln q(X)|,
//! B = max(b − c, d − a, 0),   C = max(k, l),
//! ```
//!
//! (for the entropy `|ln p(x)| ≤ |ln p(X)| + b·u + k·u²`), and with `p(x) ≤ p(X)·e^(−a·u)` and
//! `dx = |X|·e^u du`, the moments of P's tail are at most
//! `∫ p·uʲ dx ≤ p(X)·|X|·j!/(a − 1)^(j+1)` (needs `a > 1`, which every accepted tail meets).
//! The integral beyond `X` is at most `A·S + B·M₁ + C·M₂`, `S` the mass beyond `X` from the
//! cdf.
//!
//! A Q whose tail falls exponentially or faster (normal, gamma, …) has no envelope of this
//! form (its log-slope grows like x^k). For one such family, `|ln q(x) − ln q(X)|` is at most
//! a power `c·|x|^j` plus `e·u` ([`light_growth`], from its formula), and P's tail bounds
//! `∫ p·|x|^j` by `p(X)·|X|^(j+1)/(a − j − 1)`; a mixture of light tails as Q takes the least
//! such bound over its components (q ≥ wᵢqᵢ). A Gumbel's lower tail (doubly exponential) has
//! none (KL against a heavy P is ∞ there, said before any integral): the caller would fall
//! back on an estimate from the slopes at X, which is asymptotic, not proven. Within a
//! mixture, components whose tails fall exponentially or faster are left out of the
//! envelopes: beyond 1e307 their density and mass are 0 in doubles (below 2⁻¹⁰⁷⁴), so they
//! change neither `p(X)` nor the integral there by a representable amount.

use crate::distribution::family::Family;
use crate::distribution::{Distribution, Parametric};

/// A log-slope envelope beyond a point: `s_lo ≤ −d ln f/d ln|x| ≤ s_hi + 2k·ln(x/X)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Envelope {
    pub s_lo: f64,
    pub s_hi: f64,
    pub k: f64,
}

impl Envelope {
    fn widen(self, o: Envelope) -> Envelope {
        Envelope {
            s_lo: self.s_lo.min(o.s_lo),
            s_hi: self.s_hi.max(o.s_hi),
            k: self.k.max(o.k),
        }
    }
}

/// One family's envelope beyond `x` (above it when `upper`): `None` when the family's tail
/// falls exponentially or faster (nothing of it is left beyond `x` in doubles) or when its
/// support ends before `x`; `Some` with `s_lo = 0` when no useful envelope holds (the bound
/// is then infinite, not wrong).
fn component(c: &Parametric, x: f64, upper: bool) -> Option<Envelope> {
    let (lo, hi) = c.support();
    if (upper && x >= hi) || (!upper && x <= lo) {
        return None;
    }
    let fixed = |s: f64| Envelope {
        s_lo: s,
        s_hi: s,
        k: 0.0,
    };
    // student_t and Cauchy: with z = (x − μ)/γ and m = μ/γ, s = (ν+1)·z(z+m)/(ν+z²), so
    // s/(ν+1) − 1 = (m·z − ν)/(z² + ν), at most |m|/z + ν/z² in size, which falls with z.
    // |m|/z = |μ|/|x − μ| (γ cancels, so a tiny scale does not overflow m).
    let t_like = |location: f64, scale: f64, nu: f64| {
        let d = if upper { x - location } else { location - x };
        if !(d > 0.0) {
            return fixed(0.0);
        }
        let r = scale / d;
        let eps = location.abs() / d + nu * r * r;
        Envelope {
            s_lo: ((nu + 1.0) * (1.0 - eps)).max(0.0),
            s_hi: (nu + 1.0) * (1.0 + eps),
            k: 0.0,
        }
    };
    match c.named() {
        Family::StudentT(t) => Some(t_like(t.location, t.scale, t.freedom)),
        Family::Cauchy(t) => Some(t_like(t.location, t.scale, 1.0)),
        // The remaining heavy tails are on (0, ∞): only the upper one reaches that far.
        _ if !upper => None,
        // p ∝ x^−(α+1).
        Family::Pareto(p) => Some(fixed(p.shape + 1.0)),
        // p ∝ x^−(α+1)·e^(−β/x): s = α + 1 − β/x, between α + 1 − β/X and α + 1.
        Family::InverseGamma(g) => Some(Envelope {
            s_lo: g.shape + 1.0 - g.rate / x,
            s_hi: g.shape + 1.0,
            k: 0.0,
        }),
        // ln p = −ln x − (ln x − μ)²/2σ² + c: s = 1 + (ln x − μ)/σ², which grows by 1/σ² per
        // unit of u.
        Family::LogNormal(l) => Some(Envelope {
            s_lo: 1.0 + (x.ln() - l.location) / (l.scale * l.scale),
            s_hi: 1.0 + (x.ln() - l.location) / (l.scale * l.scale),
            k: 0.5 / (l.scale * l.scale),
        }),
        _ => None,
    }
}

/// The envelope of a distribution beyond `x`; `None` when nothing of it reaches beyond.
pub(crate) fn envelope(d: &Distribution, x: f64, upper: bool) -> Option<Envelope> {
    match d {
        Distribution::Parametric(c) => component(c, x, upper),
        Distribution::Mixture(m) => m
            .components()
            .iter()
            .zip(m.weights())
            .filter(|(_, w)| **w > 0.0)
            .filter_map(|(c, _)| component(c, x, upper))
            .reduce(Envelope::widen),
        Distribution::Histogram(_) | Distribution::Categories(_) => None,
    }
}

/// How fast a light tail's log-density can move beyond `x` (above it when `upper`): for
/// every `y` beyond, `|ln q(y) − ln q(x)| ≤ e^g·|y|^j + e·ln(y/x) + f`, as `(g, j, e, f)`.
/// `None` for a family not listed (a Gumbel's lower tail falls doubly exponentially: no power
/// of `y` bounds it).
///
/// - normal(μ, σ): `((y − μ)² − (x − μ)²)/2σ² ≤ (y − x)(y + x + 2|μ|)/2σ² ≤ (2 + 2|μ|/|x|)·y²/2σ²`;
/// - exponential(λ), laplace(μ, b): `λ·|y − x| ≤ λ·|y|`, `|y − x|/b`;
/// - gamma(k, β): `β(y − x) − (k − 1)·ln(y/x)`; chi_squared(ν) is gamma(ν/2, ½);
/// - weibull(k, λ): `(y/λ)^k − (x/λ)^k − (k − 1)·ln(y/x)`;
/// - gumbel(μ, β) above: `(y − x)/β − (e^−z(x) − e^−z(y))`, the second term in `[0, e^−z(x)]`.
fn light_growth(c: &Parametric, x: f64, upper: bool) -> Option<(f64, f64, f64, f64)> {
    match c.named() {
        Family::Normal(n) => Some((
            (1.0 + n.mean.abs() / x.abs()).ln() - 2.0 * n.std_dev.ln(),
            2.0,
            0.0,
            0.0,
        )),
        Family::Laplace(l) => Some((-l.scale.ln(), 1.0, 0.0, 0.0)),
        Family::Exponential(e) if upper => Some((e.rate.ln(), 1.0, 0.0, 0.0)),
        Family::Gamma(g) if upper => Some((g.rate.ln(), 1.0, (g.shape - 1.0).abs(), 0.0)),
        Family::ChiSquared(k) if upper => {
            Some(((0.5f64).ln(), 1.0, (0.5 * k.freedom - 1.0).abs(), 0.0))
        }
        Family::Weibull(w) if upper => {
            Some((-w.shape * w.scale.ln(), w.shape, (w.shape - 1.0).abs(), 0.0))
        }
        Family::Gumbel(g) if upper => {
            let z = (x - g.location) / g.scale;
            Some((-g.scale.ln(), 1.0, 0.0, (-z).exp()))
        }
        _ => None,
    }
}

/// The bound on `∫ p·|ln p − ln q|` (or `∫ p·|ln p|` without `q`) beyond `x`, given the
/// log-densities at `x` (`lp`, `lq`; `lq` unused without `q`) and P's mass beyond `x` (see the
/// module's argument). `None` when P or Q has no envelope there (a Q whose tail falls
/// exponentially, against a heavy P); `∞` when an envelope does not decay fast enough.
pub(crate) fn bound_beyond(
    p: &Distribution,
    q: Option<&Distribution>,
    x: f64,
    upper: bool,
    (lp, lq): (f64, f64),
    mass: f64,
) -> Option<f64> {
    if !(mass > 0.0) {
        return Some(0.0);
    }
    let ep = envelope(p, x, upper)?;
    if !(ep.s_lo > 1.0) || !lp.is_finite() {
        return Some(f64::INFINITY);
    }
    // p(X)·|X|, from the logs (p(X) alone may be below the smallest double).
    let ln_scale = lp + x.abs().ln();
    let scale = ln_scale.exp();
    let g = ep.s_lo - 1.0;
    let m1 = scale / (g * g);
    let m2 = 2.0 * scale / (g * g * g);
    let finish = |a: f64, b: f64, c: f64, power: f64| {
        let bound = a * mass + b * m1 + c * m2 + power;
        // The log-densities at X and the mass carry rounding: a relative margin far above it.
        let bound = bound * (1.0 + 1e-9);
        if bound >= 0.0 { bound } else { f64::INFINITY }
    };
    // A Q whose tail falls exponentially or faster: |ln q(x) − ln q(X)| ≤ e^g·|x|^j + e·u + f
    // beyond X ([`light_growth`]), and ∫ p·|x|^j ≤ p(X)·|X|^(j+1)/(a − j − 1) (needs
    // a > j + 1: E_P|x|^j must be finite there).
    let light = |(g, j, e, f): (f64, f64, f64, f64)| {
        if !(ep.s_lo > j + 1.0) {
            return f64::INFINITY;
        }
        let ln_moment = ln_scale + j * x.abs().ln() + g - (ep.s_lo - j - 1.0).ln();
        finish((lp - lq).abs() + f, ep.s_hi + e, ep.k, ln_moment.exp())
    };
    Some(match q {
        Some(q) if envelope(q, x, upper).is_none() => match q {
            Distribution::Parametric(n) => light(light_growth(n, x, upper)?),
            // A mixture of light tails: q decreases beyond X (each component does, past its
            // modes), and q ≥ wᵢqᵢ, so 0 ≤ ln q(X) − ln q(x) ≤ ln(q(X)/(wᵢqᵢ(X))) +
            // (ln qᵢ(X) − ln qᵢ(x)) for every component i: the least of their bounds.
            Distribution::Mixture(m) => {
                let mut best: Option<f64> = None;
                for (c, &w) in m.components().iter().zip(m.weights()) {
                    let beyond_modes = c
                        .modes()
                        .iter()
                        .all(|&mode| if upper { mode < x } else { mode > x });
                    let lqi = c.ln_pdf(x);
                    if !(w > 0.0) || !beyond_modes || !lqi.is_finite() {
                        continue;
                    }
                    let Some((g, j, e, f)) = light_growth(c, x, upper) else {
                        continue;
                    };
                    let extra = (lq - w.ln() - lqi).max(0.0) * (1.0 + 1e-12) + 1e-12;
                    let b = light((g, j, e, f + extra));
                    best = Some(best.map_or(b, |o| o.min(b)));
                }
                best?
            }
            Distribution::Histogram(_) | Distribution::Categories(_) => return None,
        },
        Some(q) => {
            let eq = envelope(q, x, upper)?;
            finish(
                (lp - lq).abs(),
                (ep.s_hi - eq.s_lo).max(eq.s_hi - ep.s_lo).max(0.0),
                ep.k.max(eq.k),
                0.0,
            )
        }
        None => finish(lp.abs(), ep.s_hi, ep.k, 0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    fn d(s: &str) -> Distribution {
        parse_spec(s).unwrap()
    }

    /// X = 2^1023, the largest power of two, as in the reference script.
    fn last_double() -> f64 {
        2f64.powi(1023)
    }

    /// Asserts that the KL bound beyond X for P ‖ Q lies between the mpmath tail integral and
    /// 4× it; returns the log-densities at X.
    fn assert_kl_bound(p: &Distribution, q: &Distribution, mass: f64, kl_tail: f64) -> (f64, f64) {
        let x = last_double();
        let logs = (p.ln_density(x), q.ln_density(x));
        let b = bound_beyond(p, Some(q), x, true, logs, mass).unwrap();
        assert!(
            b >= kl_tail && b <= 4.0 * kl_tail,
            "{} ‖ {}: bound {b:e} against {kl_tail:e}",
            p.to_spec(),
            q.to_spec()
        );
        logs
    }

    #[test]
    fn a_pareto_pair_is_bounded_by_its_exact_tail_integral() {
        // p = α x^−(α+1) and q = β x^−(β+1) on (1, ∞): ln p − ln q = ln(α/β) + (β − α) ln x,
        // positive and rising beyond X for α = 0.04, β = 0.05, so the tail integral is
        // S·(ln(α/β) + (β − α)(ln X + 1/α)), S = X^−α. The envelope is exact for power laws.
        let x = last_double();
        let (p, q) = (d("pareto(1, 0.04)"), d("pareto(1, 0.05)"));
        let (alpha, beta) = (0.04f64, 0.05f64);
        let s = (-alpha * x.ln()).exp();
        let exact = s * ((alpha / beta).ln() + (beta - alpha) * (x.ln() + 1.0 / alpha));
        let logs = (p.ln_density(x), q.ln_density(x));
        let b = bound_beyond(&p, Some(&q), x, true, logs, s).unwrap();
        assert!(
            b >= exact && b <= exact * (1.0 + 1e-8),
            "{b:e} against {exact:e}"
        );
        // And the entropy: −ln p = −ln α + (α + 1) ln x, so ∫ p·|ln p| = S·(−ln α + (α+1)(ln X + 1/α)).
        let exact = s * (-alpha.ln() + (alpha + 1.0) * (x.ln() + 1.0 / alpha));
        let b = bound_beyond(&p, None, x, true, logs, s).unwrap();
        assert!(
            b >= exact && b <= exact * (1.0 + 1e-8),
            "{b:e} against {exact:e}"
        );
    }

    #[test]
    fn heavy_tails_are_bounded_above_their_mpmath_tail_integrals() {
        // tests/reference/beyond_doubles.py: ∫ from X = 2^1023 to ∞ of p·|ln p − ln q| (and
        // p·|ln p|), by mpmath at 40 digits in u = ln(x/X), and P's mass beyond X.
        for &(p, q, mass, kl_tail, entropy_tail) in REFERENCE {
            let (x, p, q) = (last_double(), d(p), d(q));
            let logs = assert_kl_bound(&p, &q, mass, kl_tail);
            let b = bound_beyond(&p, None, x, true, logs, mass).unwrap();
            assert!(
                b >= entropy_tail && b <= 4.0 * entropy_tail,
                "{}: bound {b:e} against {entropy_tail:e}",
                p.to_spec()
            );
        }
    }

    #[test]
    fn a_pareto_against_a_normal_is_bounded_by_its_second_moment_beyond_the_doubles() {
        // The property test's pair (KL ± ∞ there): beyond X, ∫ p·|ln p − ln q| is dominated by
        // ∫ p·x²/2σ² = p(X)·X³/((α − 2)·2σ²), which the bound must hold, within a factor 3
        // (its 2 + 2|μ|/X is 2 here, less the −X²/2σ² it leaves out).
        let x = last_double();
        let (xm, alpha, sigma) = (
            6.082448927978163e290f64,
            2.090561923950342f64,
            2.8403662138722215e279f64,
        );
        let p = d(&format!("pareto({xm:e}, {alpha})"));
        let q = d(&format!("normal(0, {sigma:e})"));
        let logs = (p.ln_density(x), q.ln_density(x));
        let mass = (alpha * (xm / x).ln()).exp();
        let b = bound_beyond(&p, Some(&q), x, true, logs, mass).unwrap();
        // ∫_X^∞ p·x²/2σ² = α·xm^α·X^(2−α)/((α − 2)·2σ²), from logs.
        let second = (alpha.ln() + alpha * xm.ln() + (2.0 - alpha) * x.ln()
            - (alpha - 2.0).ln()
            - std::f64::consts::LN_2
            - 2.0 * sigma.ln())
        .exp();
        assert!(b >= second && b <= 3.0 * second, "{b:e} against {second:e}");
    }

    #[test]
    fn a_light_q_against_a_heavy_p_is_bounded_above_its_mpmath_tail_integral() {
        // tests/reference/beyond_doubles.py's second table: every light family a power of x
        // bounds (normal, exponential, laplace, gamma, weibull, gumbel above, chi_squared),
        // a mixture as P among them, and two mixtures of light tails as Q.
        for &(p, q, mass, kl_tail) in LIGHT {
            assert_kl_bound(&d(p), &d(q), mass, kl_tail);
        }
    }

    #[test]
    fn a_slow_p_against_a_light_q_has_an_infinite_bound() {
        let x = last_double();
        // A heavy P whose third moment beyond X is infinite against a weibull of shape 3: ∞.
        let (p, q) = (d("pareto(1e290, 1.5)"), d("weibull(3, 1e200)"));
        let logs = (p.ln_density(x), q.ln_density(x));
        assert_eq!(
            bound_beyond(&p, Some(&q), x, true, logs, 1e-18),
            Some(f64::INFINITY)
        );
        // A Cauchy whose location lies beyond X: its slope there is no use (s_lo = 0).
        let p = d("cauchy(1.7e308, 1)");
        let logs = (p.ln_density(x), 0.0);
        assert_eq!(
            bound_beyond(&p, None, x, true, logs, 1e-18),
            Some(f64::INFINITY)
        );
    }

    /// (P, Q, P's mass beyond X, ∫ p·|ln p − ln q|) for a light Q, from
    /// tests/reference/beyond_doubles.py.
    #[allow(clippy::excessive_precision)] // mpmath's 17 digits, as printed
    const LIGHT: &[(&str, &str, f64, f64)] = &[
        (
            "pareto(6.082448927978163e290, 2.090561923950342)",
            "normal(0, 2.8403662138722215e279)",
            1.2760660716082992e-36,
            1.4749694127725922e+22,
        ),
        (
            "pareto(1e290, 3)",
            "exponential(1e-300)",
            1.3770309354903544e-54,
            1.8566054265446977e-46,
        ),
        (
            "student_t(0, 1e290, 3)",
            "laplace(0, 1e295)",
            1.5183938892510682e-54,
            2.0472026028290082e-41,
        ),
        (
            "log_normal(0, 20)",
            "gamma(2, 1e-300)",
            1.2372645777667339e-275,
            2.5427801657254759e-267,
        ),
        (
            "inverse_gamma(3, 1e290)",
            "weibull(1.5, 1e200)",
            2.2950515591505907e-55,
            3.9115636257429966e+107,
        ),
        (
            "pareto(1e295, 2.5)",
            "gumbel(0, 1e290)",
            4.1284410659872724e-33,
            6.1847251350071502e-15,
        ),
        (
            "pareto(1e290, 3)",
            "0.5*gamma(2, 1e-300) + 0.5*normal(0, 1e300)",
            1.3770309354903544e-54,
            1.8566051793094697e-46,
        ),
        (
            "student_t(0, 1e290, 4)",
            "0.3*laplace(0, 1e295) + 0.7*normal(1e300, 1e305)",
            4.5959861929453243e-72,
            3.7124350146685977e-66,
        ),
        (
            "0.5*pareto(1e290, 4) + 0.5*inverse_gamma(4, 1e290)",
            "chi_squared(3)",
            7.9791426960856324e-73,
            4.7813531244486545e+235,
        ),
    ];

    /// (P, Q, P's mass beyond X, ∫ p·|ln p − ln q|, ∫ p·|ln p|), from
    /// tests/reference/beyond_doubles.py.
    #[allow(clippy::excessive_precision)] // mpmath's 17 digits, as printed
    const REFERENCE: &[(&str, &str, f64, f64, f64)] = &[
        (
            "cauchy(0, 1e290)",
            "student_t(0, 1e290, 1.5)",
            3.5413150332597763e-19,
            7.2933501340763266e-18,
            2.668643587691134e-16,
        ),
        (
            "student_t(1e300, 1e295, 3)",
            "cauchy(0, 1e295)",
            1.5183939399290688e-39,
            8.8035684310293036e-38,
            1.2127514683450838e-36,
        ),
        (
            "inverse_gamma(0.05, 1)",
            "pareto(1, 0.06)",
            4.1112876437831832e-16,
            2.9335793568797649e-15,
            3.1595776852378686e-13,
        ),
        (
            "log_normal(0, 90)",
            "log_normal(1, 89)",
            1.6530580929631975e-15,
            1.0275772706195657e-15,
            1.2523775186634286e-12,
        ),
        (
            "0.5*cauchy(0, 1e290) + 0.5*pareto(1, 0.05)",
            "student_t(0, 1e291, 2)",
            2.002948686605861e-16,
            1.5602846975766512e-14,
            1.5406969704456995e-13,
        ),
    ];
}
