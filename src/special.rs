//! Special functions written for accuracy where the textbook forms cancel: differences of
//! log-gammas of large arguments, `x − ln(1 + x)` and `eᵗ − 1 − t` for tiny arguments.
//!
//! Numeric contract: each function returns its value to a few ulps of itself (not of its
//! inputs), including where the value is tiny against the numbers it is a difference of —
//! ln Γ(5e14) is 1.7e16, whose ulp is 2, yet ln Γ(a + ½) − ln Γ(a) − ½·ln a at a = 5e14 is
//! −2.5e-16 and comes out with 15 digits. NaN in, NaN out; no panics.

use statrs::function::gamma::{digamma, ln_gamma};

const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// `x − ln(1 + x)` (≥ 0) for `x > −1`, to a few ulps of itself even where it is tiny.
pub fn log1p_minus(x: f64) -> f64 {
    if x.abs() < 0.01 {
        // x²/2 − x³/3 + x⁴/4 − …: ten terms leave less than x¹²/12 ≤ 1e-20·x².
        let mut term = x * x;
        let mut sum = 0.0;
        for k in 2..12 {
            let t = term / f64::from(k);
            sum += if k % 2 == 0 { t } else { -t };
            term *= x;
        }
        sum
    } else {
        x - x.ln_1p()
    }
}

/// `eᵗ − 1 − t` (≥ 0), to a few ulps of itself even where it is tiny; `+inf` past the
/// doubles.
pub fn expm1_minus(t: f64) -> f64 {
    if t.abs() < 0.01 {
        // t²/2 + t³/6 + …
        let mut term = t * t / 2.0;
        let mut sum = 0.0;
        for k in 3..14 {
            sum += term;
            term *= t / f64::from(k);
        }
        sum
    } else {
        t.exp_m1() - t
    }
}

/// Coefficients B₂ₖ / (2k(2k − 1)) of Stirling's series for ln Γ.
const STIRLING: [f64; 8] = [
    1.0 / 12.0,
    -1.0 / 360.0,
    1.0 / 1260.0,
    -1.0 / 1680.0,
    1.0 / 1188.0,
    -691.0 / 360_360.0,
    1.0 / 156.0,
    -3617.0 / 122_400.0,
];

/// Where Stirling's series (8 terms) is good to an ulp.
pub const STIRLING_FROM: f64 = 10.0;

/// `ln a − ψ(a) − 1/(2a)` for `a ≥ 10`: Σ B₂ₖ/(2k·a²ᵏ).
fn digamma_tail(a: f64) -> f64 {
    let z2 = 1.0 / (a * a);
    let c = [
        1.0 / 12.0,
        -1.0 / 120.0,
        1.0 / 252.0,
        -1.0 / 240.0,
        1.0 / 132.0,
        -691.0 / 32_760.0,
        1.0 / 12.0,
    ];
    let mut sum = 0.0;
    for k in c.iter().rev() {
        sum = sum * z2 + k;
    }
    sum * z2
}

/// `ln a − ψ(a)` (> 0 for a > 0), without the cancellation of two large numbers.
pub fn ln_minus_digamma(a: f64) -> f64 {
    if a >= STIRLING_FROM {
        0.5 / a + digamma_tail(a)
    } else {
        a.ln() - digamma(a)
    }
}

/// `ln Γ(a + d) − ln Γ(a) − d·ψ(a)` (≥ 0 by convexity) for `a > 0`, `a + d > 0`: the part of a
/// difference of log-gammas that a first-order step does not explain. Computed so that it
/// keeps its relative accuracy when `d` is tiny against `a` (≈ d²·ψ′(a)/2), with no ln Γ of a
/// large argument.
pub fn ln_gamma_excess(a: f64, d: f64) -> f64 {
    if d == 0.0 {
        return 0.0;
    }
    let low = a.min(a + d);
    if low < STIRLING_FROM {
        // Shift up: ψ(a) = ψ(a + n) − Σ 1/(a + j) and ln Γ(a + d) − ln Γ(a) loses
        // Σ ln(1 + d/(a + j)); each step adds (d/(a + j)) − ln(1 + d/(a + j)) ≥ 0.
        let n = (STIRLING_FROM - low).ceil();
        if a.max(a + d) >= 4_503_599_627_370_496.0 {
            // One argument small and the other beyond 2^52: a shift by whole numbers is not
            // exact on the large one (beyond 2^53 it does not move it, and recursing would
            // never end). No digits to keep here. (Below 2^52 the shift always raises the
            // smaller argument by about n, so the recursion ends.)
            return statrs::function::gamma::ln_gamma(a + d)
                - statrs::function::gamma::ln_gamma(a)
                - d * statrs::function::gamma::digamma(a);
        }
        let mut sum = 0.0;
        let mut j = 0.0;
        while j < n {
            sum += log1p_minus(d / (a + j));
            j += 1.0;
        }
        return ln_gamma_excess(a + n, d) + sum;
    }
    // Stirling: ln Γ(z) = (z − ½)ln z − z + ½ln 2π + S(z). With x = d/a,
    // (a + d − ½)·ln(a + d) − (a − ½)·ln a − d = d·ln a + (a + d − ½)·ln(1 + x) − d, and
    // −d·ψ(a) = −d·ln a + d·(ln a − ψ(a)). What is left:
    // −(a + d − ½)·(x − ln(1 + x)) + x·(d − ½) + d·(ln a − ψ(a)) + S(a + d) − S(a),
    // where x·(d − ½) + d/(2a) = d²/a, and the rest of d·(ln a − ψ(a)) is O(d/a²).
    let x = d / a;
    let rest_of_l = digamma_tail(a);
    -(a + d - 0.5) * log1p_minus(x) + d * x + (d * rest_of_l + stirling_step(a, x))
}

/// `S(a·(1 + x)) − S(a)` for Stirling's tail `S`, term by term as
/// `c·a^−m·((1 + x)^−m − 1)`: to a few ulps of itself for tiny `x` (two values of S differ
/// in their last digits there).
fn stirling_step(a: f64, x: f64) -> f64 {
    let l = x.ln_1p();
    let a2 = 1.0 / (a * a);
    let mut power = 1.0 / a;
    let mut sum = 0.0;
    for (k, c) in STIRLING.iter().enumerate() {
        let m = (2 * k + 1) as f64;
        sum += c * power * (-m * l).exp_m1();
        power *= a2;
    }
    sum
}

/// `ln Γ(a + d) − ln Γ(a) − d·ln a` for `a > 0`, `a + d > 0`: small when `d` is small against
/// `a`, with no ln Γ of a large argument (ln Γ(5e14) is 1.7e16, whose ulp is 2).
pub fn ln_gamma_ratio_rest(a: f64, d: f64) -> f64 {
    ln_gamma_excess(a, d) - d * ln_minus_digamma(a)
}

/// `ln Γ(1 + e)`, to a few ulps of itself near `e = 0` (where it is ≈ −γ·e).
pub fn ln_gamma_near_one(e: f64) -> f64 {
    ln_gamma_excess(1.0, e) - e * EULER_GAMMA
}

/// `ln Γ(ρ) + γ·(ρ − 1)` from `e = ρ − 1`: 0 at ρ = 1, without cancellation near it.
pub fn ln_gamma_plus_euler(e: f64) -> f64 {
    if e.abs() < 0.5 {
        ln_gamma_excess(1.0, e)
    } else {
        ln_gamma(1.0 + e) + EULER_GAMMA * e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_gamma_differences_match_direct_evaluation_where_that_is_accurate() {
        for (a, d) in [
            (0.3, 0.4),
            (2.0, 1.5),
            (7.5, -3.0),
            (12.0, 30.0),
            (50.0, 0.25),
        ] {
            let direct = ln_gamma(a + d) - ln_gamma(a) - d * digamma(a);
            let got = ln_gamma_excess(a, d);
            // The direct form loses ~1e-13 to ln Γ(50) ≈ 144.6 (mpmath: excess(50, 0.25) =
            // 6.302316302589082e-4, which the series gives to 1e-16).
            assert!(
                (got - direct).abs() < 1e-12 * direct.abs().max(1.0),
                "a = {a}, d = {d}: {got} against {direct}"
            );
        }
    }

    #[test]
    fn log_gamma_excess_keeps_its_relative_accuracy_for_tiny_steps() {
        // excess(a, d) = d²ψ′(a)/2 + d³ψ″(a)/6 + …, about 5e-13 here.
        let (a, d) = (1e6, 1e-3);
        // mpmath: 5.000002498334165208997824e-13
        let want = 5.000_002_498_334_165e-13;
        let got = ln_gamma_excess(a, d);
        assert!((got - want).abs() < 1e-14 * want, "{got} against {want}");
        // ln Γ(a + 1) − ln Γ(a) = ln a exactly: excess = ln a − ψ(a) ≈ 1/(2a).
        let got = ln_gamma_excess(1e6, 1.0);
        let want = ln_minus_digamma(1e6);
        assert!((got - want).abs() < 1e-13 * want, "{got} against {want}");
    }

    #[test]
    fn the_small_differences_have_their_series_values() {
        assert_eq!(log1p_minus(0.0), 0.0);
        let x = 1e-6;
        let series = x * x / 2.0 - x * x * x / 3.0 + x * x * x * x / 4.0;
        assert!(
            (log1p_minus(x) - series).abs() < 1e-27,
            "{}",
            log1p_minus(x)
        );
        let t = -1e-5;
        let series = t * t / 2.0 + t * t * t / 6.0 + t * t * t * t / 24.0;
        assert!(
            (expm1_minus(t) - series).abs() < 1e-25,
            "{}",
            expm1_minus(t)
        );
        assert!((log1p_minus(0.5) - (0.5 - 1.5f64.ln())).abs() < 1e-16);
    }
}
