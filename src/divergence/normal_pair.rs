//! The symmetric divergences between two normals (or two log-normals: every one of them is
//! unchanged by the map x → ln x): total variation and Hellinger in closed form, JS by
//! quadrature split where it bends, without the general path's quantile break points.
//!
//! Numeric contract: TV is a difference of normal masses between the two points where the
//! densities cross, each mass from `erfc` on the side that keeps its digits; its error is a
//! few ulps of the masses (absolute, ≤ 1e-15). Squared Hellinger is `−expm1(ln BC)` with the
//! Bhattacharyya coefficient's log written without cancellation, good to a few ulps of
//! itself. JS is the adaptive G7/K15 rule of [`super::quad`], QUADPACK's error estimate, on
//! segments split at both means, at ±1, ±3 and ±8 standard deviations of each, and where the
//! densities cross.

use super::Figure;
use super::quad::{self, Point, Segment};
use crate::distribution::{FamilyId, Parametric};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// How far apart (in the smaller standard deviation) and how unequal two normals may be for
/// the closed forms here: beyond it the crossings and masses lose their digits (normal(0, 1e308)
/// against normal(0, 1) gave TV 0), and the general path's overlap forms take over.
const CONDITIONED: f64 = 1e8;

/// `(mean, std_dev)` of both when they are two normals or two log-normals (of ln x), and
/// their scales and locations are within [`CONDITIONED`] of each other.
pub(super) fn normal_pair(p: &Parametric, q: &Parametric) -> Option<[(f64, f64); 2]> {
    match (p.family(), q.family()) {
        (FamilyId::Normal, FamilyId::Normal) | (FamilyId::LogNormal, FamilyId::LogNormal) => {
            let (a, b) = (p.params(), q.params());
            let (lo, hi) = (a[1].min(b[1]), a[1].max(b[1]));
            let far = (a[0] - b[0]).abs().max(a[0].abs()).max(b[0].abs());
            (hi <= CONDITIONED * lo && far <= CONDITIONED * lo)
                .then(|| [(a[0], a[1]), (b[0], b[1])])
        }
        _ => None,
    }
}

/// The standard normal mass between `a < b`, from the tail that keeps its digits.
fn mass_between(a: f64, b: f64) -> f64 {
    let lower = |z: f64| 0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2);
    let upper = |z: f64| 0.5 * libm::erfc(z * std::f64::consts::FRAC_1_SQRT_2);
    if a >= 0.0 {
        upper(a) - upper(b)
    } else if b <= 0.0 {
        lower(b) - lower(a)
    } else {
        1.0 - lower(a) - upper(b)
    }
}

/// Where the two densities cross, in x, sorted (none, one or two points).
fn crossings([(m1, s1), (m2, s2)]: [(f64, f64); 2]) -> Vec<f64> {
    // In P's standard units z = (x − m1)/s1, with r = s2/s1 and d = (m2 − m1)/s1:
    // (r² − 1)z² + 2dz − d² − 2r²·ln r = 0.
    let r = s2 / s1;
    let d = (m2 - m1) / s1;
    let a = (s2 - s1) / s1 * (r + 1.0);
    let ln_r = ((s2 - s1) / s1).ln_1p();
    let c = -d * d - 2.0 * r * r * ln_r;
    let mut z = Vec::new();
    if a == 0.0 {
        if d != 0.0 {
            z.push(d / 2.0);
        }
    } else {
        let disc = r * (d * d + 2.0 * (r * r - 1.0) * ln_r).max(0.0).sqrt();
        // The stable pair of roots: q/a and c/q.
        let qv = -(d + if d >= 0.0 { disc } else { -disc });
        if qv != 0.0 {
            z.push(qv / a);
            z.push(c / qv);
        } else {
            z.push(0.0);
        }
    }
    let mut x: Vec<f64> = z
        .into_iter()
        .filter(|v| v.is_finite())
        .map(|v| m1 + s1 * v)
        .collect();
    x.sort_by(f64::total_cmp);
    x
}

/// Total variation ½∫|p − q| between two normals.
pub(super) fn tv(pair: [(f64, f64); 2]) -> Figure {
    let [(m1, s1), (m2, s2)] = pair;
    if m1 == m2 && s1 == s2 {
        return Figure::closed(0.0, "normal–normal total variation");
    }
    let x = crossings(pair);
    // p − q changes sign at each crossing: TV is |P(A) − Q(A)| for A between consecutive
    // crossings where p > q, i.e. the mass difference on one side of the crossings.
    let z = |x: f64, (m, s): (f64, f64)| (x - m) / s;
    let diff = match x.as_slice() {
        [c] => {
            mass_between(f64::NEG_INFINITY, z(*c, pair[0]))
                - mass_between(f64::NEG_INFINITY, z(*c, pair[1]))
        }
        [a, b] => {
            mass_between(z(*a, pair[0]), z(*b, pair[0]))
                - mass_between(z(*a, pair[1]), z(*b, pair[1]))
        }
        _ => 0.0,
    };
    let value = diff.abs().min(1.0);
    Figure {
        value,
        // Each mass is good to a few ulps of itself (≤ 1): an absolute bound.
        error: 8.0 * f64::EPSILON,
        method: "closed form (normal–normal total variation, between the crossings)".into(),
        reason: None,
    }
}

/// Squared Hellinger distance ½∫(√p − √q)² = 1 − BC between two normals, with
/// ln BC = −½·ln(1 + (σ₁ − σ₂)²/(2σ₁σ₂)) − (μ₁ − μ₂)²/(4(σ₁² + σ₂²)).
pub(super) fn hellinger_squared(pair: [(f64, f64); 2]) -> Figure {
    let [(m1, s1), (m2, s2)] = pair;
    let ds = s1 - s2;
    let dm = m1 - m2;
    let ln_bc = -0.5 * (ds * ds / (2.0 * s1 * s2)).ln_1p() - dm * dm / (4.0 * (s1 * s1 + s2 * s2));
    let value = (-ln_bc.exp_m1()).clamp(0.0, 1.0);
    Figure {
        value,
        error: 8.0 * f64::EPSILON * value + f64::MIN_POSITIVE,
        method: "closed form (normal–normal Bhattacharyya coefficient)".into(),
        reason: None,
    }
}

/// Jensen–Shannon divergence between two normals by adaptive quadrature.
pub(super) fn js(pair: [(f64, f64); 2], rel_tol: f64, max_intervals: usize) -> Figure {
    let [(m1, s1), (m2, s2)] = pair;
    let mut pts = crossings(pair);
    for (m, s) in pair {
        for k in [0.0, 1.0, -1.0, 3.0, -3.0, 8.0, -8.0] {
            pts.push(m + k * s);
        }
    }
    pts.retain(|v| v.is_finite());
    pts.sort_by(f64::total_cmp);
    let scale = s1.min(s2);
    pts.dedup_by(|b, a| *b - *a <= 1e-9 * scale);
    let mut segs = vec![Segment::FromNegInfinity { b: pts[0], scale }];
    segs.extend(pts.windows(2).map(|w| Segment::Linear { a: w[0], b: w[1] }));
    segs.push(Segment::ToInfinity {
        a: pts[pts.len() - 1],
        scale,
    });
    let (n1, n2) = (-s1.ln() - 0.5 * LN_2PI, -s2.ln() - 0.5 * LN_2PI);
    let mut f = |pt: Point| {
        let x = pt.x();
        let (z1, z2) = ((x - m1) / s1, (x - m2) / s2);
        let (lp, lq) = (n1 - 0.5 * z1 * z1, n2 - 0.5 * z2 * z2);
        super::symmetric_terms(lp, lq)[0]
    };
    let r = quad::integrate(&segs, &mut f, rel_tol, 1e-300, max_intervals);
    let mut figure = Figure::from_quad(&r, rel_tol);
    figure.method = format!("{} (split where the normals cross)", figure.method);
    figure
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::distribution::{Distribution, parse_spec};
    use crate::divergence::{Options, compare};

    fn normal(spec: &str) -> Distribution {
        parse_spec(spec).unwrap()
    }

    /// The general quadrature path (closed forms off) against the closed forms and the split
    /// JS, on pairs near and far, narrow and wide.
    #[test]
    fn closed_forms_and_split_js_agree_with_general_quadrature() {
        let general = Options {
            closed_forms: false,
            ..Options::default()
        };
        for (p, q) in [
            ("normal(0, 1)", "normal(1, 2)"),
            ("normal(0, 1)", "normal(0, 1.001)"),
            ("normal(-3, 0.2)", "normal(4, 5)"),
            ("normal(0, 1)", "normal(12, 1)"),
            ("normal(5, 3)", "normal(5.0001, 3)"),
            ("normal(0, 1)", "normal(0, 100)"),
        ] {
            let (pd, qd) = (normal(p), normal(q));
            let fast = compare(&pd, &qd, &Options::default()).unwrap();
            let slow = compare(&pd, &qd, &general).unwrap();
            for (name, a, b) in [
                ("JS", &fast.js, &slow.js),
                ("TV", &fast.tv, &slow.tv),
                ("Hellinger", &fast.hellinger, &slow.hellinger),
            ] {
                let tol = a.error + b.error + 1e-12 * b.value;
                assert!(
                    (a.value - b.value).abs() <= tol,
                    "{p} ‖ {q} {name}: {} ± {:.1e} against {} ± {:.1e} ({})",
                    a.value,
                    a.error,
                    b.value,
                    b.error,
                    a.method
                );
            }
        }
    }

    #[test]
    fn tv_and_hellinger_match_independent_formulas_and_mpmath() {
        // H² = 1 − BC with BC = √(2σ₁σ₂/(σ₁² + σ₂²))·exp(−Δμ²/(4(σ₁² + σ₂²))).
        let pair = [(0.0, 1.0), (1.0, 2.0)];
        let h2 = hellinger_squared(pair).value;
        let bc = (2.0f64 * 2.0 / 5.0).sqrt() * (-1.0f64 / 20.0).exp();
        assert!((h2 - (1.0 - bc)).abs() < 1e-15, "{h2}");
        // Equal widths: TV = erf(|Δμ|/(2√2σ)).
        let t = tv([(0.0, 1.0), (1.5, 1.0)]).value;
        assert!((t - libm::erf(1.5 / (2.0 * std::f64::consts::SQRT_2))).abs() < 1e-15);
        // Log-normals, as the normals of ln x: mpmath (30 digits) finds the crossings and
        // takes ncdf differences: 0.271273413897758770263. (The general quadrature path,
        // closed forms off, gives 0.27127330786 ± 2.3e-11 here: the kink of |p − q| fools
        // its error estimate.)
        let f = compare(
            &normal("log_normal(0.5, 0.7)"),
            &normal("log_normal(0, 1)"),
            &Options::default(),
        )
        .unwrap();
        let want = 0.271_273_413_897_758_8;
        assert!(
            (f.tv.value - want).abs() <= f.tv.error.max(1e-16),
            "{:?}",
            f.tv
        );
    }
}
