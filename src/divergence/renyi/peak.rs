//! Where the log-integrand g = α·ln p + (1 − α)·ln q of ∫ p^α q^(1−α) peaks, and the split
//! points quadrature needs around it.
//!
//! For very unequal pairs at large α the peak of p^α q^(1−α) lies far from every break point
//! of P and Q (log_normal(8, 1) against log_normal(0, 1) at α = 5: at x = e^40, while P's
//! mass is near e^8; gamma(50, 2) against gamma(1.5, 20) at α = 1.1: near x = 269, P's mass
//! near 25). Quadrature's tail maps then cross the peak in a few wide steps and can report a
//! converged value that misses most of the integral. The peak is found by evaluating g at
//! the break points, on a uniform grid of each finite interval and along geometric sweeps out
//! to each end, and refined by golden section; the points where g has fallen by ½, 4.5, 12.5, 24.5 and
//! 40.5 on either side (1, 3, 5, 7 and 9 standard deviations of a Gaussian peak) become split
//! points, so the peak sits inside segments scaled to it and the tail maps (scaled to P and
//! Q) carry less than e^−40 of it.

use crate::distribution::Distribution;

/// Candidate break points taken from a crowded mixture at most.
const MAX_BREAKS: usize = 256;

/// How far below the best value a sweep must fall (and keep falling) before it stops: e^−80
/// of the peak is below every tolerance.
const SWEEP_DROP: f64 = 80.0;

/// How far g has fallen at the split points on each side of the peak: 1, 3, 5, 7 and 9
/// standard deviations of a Gaussian peak. Beyond the last, less than e^−40 of the peak's
/// mass is left to the tail maps, whose length scale is P's or Q's, not the peak's.
const DROPS: [f64; 5] = [0.5, 4.5, 12.5, 24.5, 40.5];

/// The peak of g and where to split the domain around it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Peak {
    /// The largest finite g found (−∞ if none).
    pub ln_max: f64,
    /// Points strictly inside the domain to split quadrature at, sorted.
    pub splits: Vec<f64>,
}

/// g at x: −∞ where p = 0 (or q = 0 for α < 1), +∞ where q = 0 < p for α > 1.
fn g_at(p: &Distribution, q: &Distribution, alpha: f64, x: f64) -> f64 {
    let lp = p.ln_density(x);
    if lp == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    let lq = q.ln_density(x);
    if lq == f64::NEG_INFINITY {
        return if alpha < 1.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let g = alpha * lp + (1.0 - alpha) * lq;
    // Where the leading terms of ln p and ln q cancel far out, g is their rounding: no peak.
    let rounding = 8.0 * f64::EPSILON * (alpha * lp.abs() + (1.0 - alpha).abs() * lq.abs());
    if rounding >= 1e-2 {
        f64::NEG_INFINITY
    } else {
        g
    }
}

fn breaks(d: &Distribution, lo: f64, hi: f64, out: &mut Vec<f64>) {
    if matches!(d, Distribution::Parametric(_) | Distribution::Mixture(_)) {
        let all = d.breakpoints_within(lo, hi);
        let step = all.len().div_ceil(MAX_BREAKS).max(1);
        out.extend(all.into_iter().step_by(step));
    }
}

/// Whether a sweep has gone far enough: g well below the best and falling for 8 steps.
fn sweep_done(values: &[f64], best: f64) -> bool {
    let n = values.len();
    n >= 9
        && values[n - 1] < best - SWEEP_DROP
        && values[n - 9..].windows(2).all(|w| !(w[1] > w[0]))
}

/// Finds the peak of g over `domain` (sorted disjoint intervals) and the split points around
/// it.
pub(super) fn find(p: &Distribution, q: &Distribution, alpha: f64, domain: &[(f64, f64)]) -> Peak {
    let g = |x: f64| g_at(p, q, alpha, x);
    let scale = p.scale().max(q.scale()).max(f64::MIN_POSITIVE);
    let mut best = (f64::NEG_INFINITY, f64::NAN, (f64::NAN, f64::NAN));
    for &(lo, hi) in domain {
        let mut xs = Vec::new();
        breaks(p, lo, hi, &mut xs);
        breaks(q, lo, hi, &mut xs);
        if lo.is_finite() && hi.is_finite() {
            xs.extend((1..16).map(|i| lo + (hi - lo) * f64::from(i) / 16.0));
        }
        if xs.is_empty() {
            xs.push(if lo.is_finite() {
                lo + scale
            } else if hi.is_finite() {
                hi - scale
            } else {
                0.0
            });
        }
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let mut pts: Vec<(f64, f64)> = xs.iter().map(|&x| (x, g(x))).collect();
        let inner_best = pts.iter().map(|v| v.1).fold(f64::NEG_INFINITY, f64::max);
        // Out to each end: doubling steps to an infinite one, halving distances to a finite one.
        for upper in [false, true] {
            let (start, end) = if upper {
                (xs[xs.len() - 1], hi)
            } else {
                (xs[0], lo)
            };
            let mut sweep: Vec<(f64, f64)> = Vec::new();
            let mut values = Vec::new();
            let mut top = inner_best;
            for k in 0..1100 {
                let x = if end.is_infinite() {
                    let step = scale * 2f64.powi(k);
                    if upper { start + step } else { start - step }
                } else {
                    let d = (start - end) * 0.5f64.powi(k + 1);
                    end + d
                };
                if !x.is_finite() || x == end || (end.is_finite() && (x - end).abs() == 0.0) {
                    break;
                }
                let v = g(x);
                if v == f64::INFINITY {
                    break;
                }
                sweep.push((x, v));
                values.push(v);
                top = top.max(v);
                if sweep_done(&values, top) {
                    break;
                }
            }
            pts.extend(sweep);
        }
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let Some((i, &(x, v))) = pts
            .iter()
            .enumerate()
            .filter(|(_, (_, v))| v.is_finite())
            .max_by(|a, b| a.1.1.total_cmp(&b.1.1))
        else {
            continue;
        };
        if v > best.0 {
            // The neighbours bracket it; at the outermost point the peak is at the end itself.
            let left = if i > 0 { pts[i - 1].0 } else { f64::NAN };
            let right = pts.get(i + 1).map_or(f64::NAN, |p| p.0);
            best = (v, x, (left, right));
        }
    }
    let (ln_max, x0, (a, b)) = best;
    if !ln_max.is_finite() {
        return Peak {
            ln_max,
            splits: Vec::new(),
        };
    }
    if !(a.is_finite() && b.is_finite()) {
        return Peak {
            ln_max,
            splits: Vec::new(),
        };
    }
    let (x_star, g_star) = golden_max(&g, a, b, (x0, ln_max));
    let Some(&(lo, hi)) = domain
        .iter()
        .find(|(lo, hi)| *lo <= x_star && x_star <= *hi)
    else {
        return Peak {
            ln_max,
            splits: Vec::new(),
        };
    };
    let mut splits = vec![x_star];
    for (toward, end) in [(a, lo), (b, hi)] {
        for drop in DROPS {
            if let Some(x) = fall_to(&g, x_star, toward, end, g_star - drop) {
                splits.push(x);
            }
        }
    }
    splits.retain(|x| {
        domain.iter().any(|&(lo, hi)| {
            *x > lo && *x < hi && (x - lo).abs() > 1e-9 * scale && (hi - x).abs() > 1e-9 * scale
        })
    });
    splits.sort_by(f64::total_cmp);
    splits.dedup_by(|x, y| (*x - *y).abs() <= 1e-9 * scale.max(x.abs()));
    Peak {
        ln_max: ln_max.max(g_star),
        splits,
    }
}

/// Golden-section search for the maximum of `g` on `[a, b]`, keeping the best point seen
/// (starting with `seen`).
fn golden_max(g: &impl Fn(f64) -> f64, mut a: f64, mut b: f64, seen: (f64, f64)) -> (f64, f64) {
    let r = 0.5 * (5f64.sqrt() - 1.0);
    let mut best = seen;
    let mut c = b - r * (b - a);
    let mut d = a + r * (b - a);
    let (mut gc, mut gd) = (g(c), g(d));
    for _ in 0..100 {
        if !(b - a > 4.0 * f64::EPSILON * a.abs().max(b.abs())) {
            break;
        }
        if gc >= gd || gd.is_nan() {
            b = d;
            d = c;
            gd = gc;
            c = b - r * (b - a);
            gc = g(c);
        } else {
            a = c;
            c = d;
            gc = gd;
            d = a + r * (b - a);
            gd = g(d);
        }
        for (x, v) in [(c, gc), (d, gd)] {
            if v.is_finite() && v > best.1 {
                best = (x, v);
            }
        }
    }
    best
}

/// The point beyond `from` towards `toward` (first looked at `toward`, then at doubling
/// distances, never past `end`) where g falls to `level`, by bisection; `None` when g is
/// still above it at `end`.
fn fall_to(g: &impl Fn(f64) -> f64, from: f64, toward: f64, end: f64, level: f64) -> Option<f64> {
    let dir = if toward > from { 1.0 } else { -1.0 };
    let mut h = (toward - from).abs();
    let mut outside = toward;
    for _ in 0..2100 {
        if !(g(outside) >= level) {
            break;
        }
        if outside == end || !h.is_finite() {
            return None;
        }
        h *= 2.0;
        let next = from + dir * h;
        outside = if (next - end) * dir >= 0.0 { end } else { next };
        if !outside.is_finite() {
            return None;
        }
    }
    if g(outside) >= level {
        return None;
    }
    let mut inside = from;
    for _ in 0..80 {
        let mid = 0.5 * (inside + outside);
        if mid == inside || mid == outside {
            break;
        }
        if g(mid) >= level {
            inside = mid;
        } else {
            outside = mid;
        }
    }
    Some(0.5 * (inside + outside))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    #[test]
    fn the_peak_of_two_far_log_normals_is_found_far_out() {
        let (p, q) = (
            parse_spec("log_normal(8,1)").unwrap(),
            parse_spec("log_normal(0,1)").unwrap(),
        );
        // In y = ln x: g = −α(y − 8)²/2 + (α − 1)y²/2 − y + const, maximal at y = 8α − 1.
        let peak = find(&p, &q, 5.0, &[(0.0, f64::INFINITY)]);
        let x = peak.splits.iter().copied().fold(0.0, f64::max);
        assert!(x > 39f64.exp(), "{peak:?}");
        let inner = peak
            .splits
            .iter()
            .find(|x| (x.ln() - 39.0).abs() < 1e-6)
            .copied();
        assert!(inner.is_some(), "{peak:?}");
    }

    #[test]
    fn the_peak_of_two_gammas_is_at_the_mode_of_their_geometric_mix() {
        let (p, q) = (
            parse_spec("gamma(50,2)").unwrap(),
            parse_spec("gamma(1.5,20)").unwrap(),
        );
        // g = (α·49 + (1 − α)·0.5)·ln x − (2α + 20(1 − α))·x: maximal at 53.85/0.2.
        let peak = find(&p, &q, 1.1, &[(0.0, f64::INFINITY)]);
        let want = (1.1 * 49.0 - 0.1 * 0.5) / (2.0 * 1.1 - 20.0 * 0.1);
        assert!(
            peak.splits.iter().any(|x| (x - want).abs() < 1e-6 * want),
            "{peak:?}"
        );
    }
}
