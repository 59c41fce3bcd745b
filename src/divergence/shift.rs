//! A pair of location families moved to a common origin before it is compared.
//!
//! KL, JS, TV, Hellinger and the entropies do not change when both distributions are
//! shifted by the same amount. Far from 0 the quadrature's points are not where it thinks:
//! at 1e15 a double is a multiple of 1/8, so break points, crossings and nodes computed as
//! absolute coordinates are rounded to eighths (normal(1e15, 2.5) against
//! laplace(1e15 + 1/8, 1.9): TV 2e-9 off the pair at 0, with 9e-13 stated). Measured from P's
//! location instead, the same pair is computed as if it were at 0, whenever Q's location
//! minus P's is exact (checked with a two-sum): then the moved pair is the given pair, with
//! no rounding at all. When it is not exact the locations are further apart than their
//! doubles can say (relative to the scales, beyond 2^53), and the pair is left as it is.
//!
//! Only families whose support is the whole line are moved: their reasons for an infinite KL
//! name no coordinate ("as x → −∞"), so the report reads the same for the moved pair. A
//! bounded support (uniform, triangular) would name its ends in a support-mismatch sentence.

use crate::distribution::family::Family;
use crate::distribution::{Distribution, Parametric};

/// The location of a whole-line location family, and its index among the parameters.
fn location(c: &Parametric) -> Option<f64> {
    match c.named() {
        Family::Normal(f) => Some(f.mean),
        Family::Laplace(f) => Some(f.location),
        Family::Cauchy(f) => Some(f.location),
        Family::StudentT(f) => Some(f.location),
        Family::Gumbel(f) => Some(f.location),
        _ => None,
    }
}

/// `a − b` when it is exact in doubles (Knuth's two-sum leaves no remainder).
fn exact_difference(a: f64, b: f64) -> Option<f64> {
    let s = a - b;
    let b_virtual = s - a;
    let a_virtual = s - b_virtual;
    let remainder = (a - a_virtual) + (-b - b_virtual);
    (s.is_finite() && remainder == 0.0).then_some(s)
}

/// `c` with its location replaced (always index 0 for the families [`location`] knows).
fn moved(c: &Parametric, to: f64) -> Option<Distribution> {
    let mut params = c.params().to_vec();
    *params.first_mut()? = to;
    Parametric::new(c.family(), params)
        .ok()
        .map(Distribution::Parametric)
}

/// P and Q measured from P's location, when both are whole-line location families, P's
/// location is not 0 already, and Q's location minus P's is exact; `None` otherwise (compare
/// the pair as given).
pub(super) fn to_common_origin(
    p: &Distribution,
    q: &Distribution,
) -> Option<(Distribution, Distribution)> {
    let (Distribution::Parametric(a), Distribution::Parametric(b)) = (p, q) else {
        return None;
    };
    let (origin, lq) = (location(a)?, location(b)?);
    if origin == 0.0 {
        return None;
    }
    let lq = exact_difference(lq, origin)?;
    Some((moved(a, 0.0)?, moved(b, lq)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    #[test]
    fn a_difference_is_taken_only_when_it_is_exact() {
        assert_eq!(exact_difference(1e15 + 0.125, 1e15), Some(0.125));
        assert_eq!(exact_difference(3.0, 1e15), Some(-999_999_999_999_997.0));
        assert_eq!(exact_difference(0.3, 1e15), None);
        assert_eq!(exact_difference(-1e12, 1e12), Some(-2e12));
        assert_eq!(exact_difference(f64::MAX, -f64::MAX), None);
    }

    #[test]
    fn a_pair_far_out_is_moved_to_p_s_location_and_other_pairs_are_not() {
        let d = |s: &str| parse_spec(s).unwrap();
        let (p, q) = to_common_origin(
            &d("normal(1e15, 2.5)"),
            &d("student_t(1000000000000000.125, 1.5, 3)"),
        )
        .unwrap();
        assert_eq!(p, d("normal(0, 2.5)"));
        assert_eq!(q, d("student_t(0.125, 1.5, 3)"));
        for (p, q) in [
            ("normal(0, 1)", "cauchy(1e15, 1)"),
            ("normal(1e15, 1)", "gamma(2, 1)"),
            ("uniform(1e15, 1000000000000001)", "normal(1e15, 1)"),
            ("normal(1e15, 1)", "normal(0.1, 1)"),
        ] {
            assert!(to_common_origin(&d(p), &d(q)).is_none(), "{p} ‖ {q}");
        }
    }
}
