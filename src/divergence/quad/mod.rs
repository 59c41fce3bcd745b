//! Globally adaptive Gauss–Kronrod quadrature (G7/K15, QUADPACK's error estimate) over a list
//! of mapped segments.
//!
//! Why our own: the maintained Rust quadrature crates integrate a function of `x` on a finite
//! interval. KL needs more: infinite tails mapped to finite ones, segments anchored at a support
//! edge so that points within rounding distance of the edge keep their precision (beta's
//! density near 1 is a function of `1 − x`, which `x` alone cannot carry), power maps that
//! flatten endpoint singularities, and one error budget shared by all segments. This module is
//! that and nothing more; it is checked against closed forms and high-precision references in
//! the tests.
//!
//! Contract: the integrand receives a [`Point`] `x = anchor + offset`; it may return `+inf`
//! (reported as an infinite value) but should not return NaN (NaN is treated as 0 and counted
//! in [`QuadResult::nan_points`]).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

mod segment;

pub use segment::{Point, Segment};

/// The outcome of an integration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuadResult {
    /// The integral.
    pub value: f64,
    /// Estimated absolute error.
    pub error: f64,
    /// Integrand evaluations.
    pub evals: usize,
    /// Subintervals in the final partition.
    pub intervals: usize,
    /// Whether the requested tolerance was reached.
    pub converged: bool,
    /// Points where the integrand returned NaN (treated as 0).
    pub nan_points: usize,
    /// Where tail nodes were dropped because they or their Jacobian left the doubles (beyond
    /// about 1e302): every dropped node of a lower tail lies below `.0`, of an upper tail
    /// above `.1` (`−inf` and `+inf` when none was). The integral over what lies beyond is
    /// not in `value` nor in `error`: a caller bounds it from the distributions' tail masses
    /// there.
    pub dropped_beyond: (f64, f64),
}

/// The 15 Gauss–Kronrod nodes of one rule on a whole segment, as `u ∈ (0, 1)`.
pub fn kronrod_unit_nodes() -> [f64; 15] {
    std::array::from_fn(|i| match i {
        0..7 => 0.5 * (1.0 - XGK[i]),
        7 => 0.5,
        _ => 0.5 * (1.0 + XGK[i - 8]),
    })
}

const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

#[derive(Clone, Copy, Debug)]
struct Interval {
    segment: usize,
    lo: f64,
    hi: f64,
    value: f64,
    error: f64,
    /// The rounding floor of this interval's error: splitting cannot go below it.
    floor: f64,
}

impl PartialEq for Interval {
    fn eq(&self, other: &Self) -> bool {
        self.error.total_cmp(&other.error) == Ordering::Equal
    }
}
impl Eq for Interval {}
impl PartialOrd for Interval {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Interval {
    fn cmp(&self, other: &Self) -> Ordering {
        self.error.total_cmp(&other.error)
    }
}

struct Integrator<'f, F: FnMut(Point) -> (f64, f64)> {
    f: &'f mut F,
    segments: &'f [Segment],
    evals: usize,
    nan_points: usize,
    infinite: bool,
    dropped_beyond: (f64, f64),
}

impl<F: FnMut(Point) -> (f64, f64)> Integrator<'_, F> {
    /// The integrand times the Jacobian at `u`, and its rounding error likewise.
    fn eval(&mut self, segment: usize, u: f64) -> (f64, f64) {
        self.evals += 1;
        let (point, jac) = self.segments[segment].map(u);
        if jac == 0.0 || !jac.is_finite() || !point.x().is_finite() {
            // The map has squeezed this node onto the edge, or a tail map has taken it past
            // the doubles (beyond 1e302 or so): its weight is 0, and for a tail the caller
            // is told from where on, to bound the mass it leaves out.
            let x = point.x().clamp(-f64::MAX, f64::MAX);
            match self.segments[segment] {
                Segment::ToInfinity { .. } => {
                    self.dropped_beyond.1 = self.dropped_beyond.1.min(x);
                }
                Segment::FromNegInfinity { .. } => {
                    self.dropped_beyond.0 = self.dropped_beyond.0.max(x);
                }
                _ => {}
            }
            return (0.0, 0.0);
        }
        let (v, rounding) = (self.f)(point);
        if v.is_nan() {
            self.nan_points += 1;
            return (0.0, 0.0);
        }
        if v == f64::INFINITY {
            self.infinite = true;
            return (0.0, 0.0);
        }
        let out = v * jac;
        let r = (rounding * jac).abs();
        if out.is_nan() {
            (0.0, 0.0)
        } else {
            (out, if r.is_finite() { r } else { 0.0 })
        }
    }

    fn kronrod(&mut self, segment: usize, lo: f64, hi: f64) -> Interval {
        let center = 0.5 * (lo + hi);
        let half = 0.5 * (hi - lo);
        let (fc, rc) = self.eval(segment, center);
        // ∫ of the integrand's own rounding error, by the Kronrod weights.
        let mut rounding = rc * WGK[7];
        let mut resk = fc * WGK[7];
        let mut resg = fc * WG[3];
        let mut resabs = resk.abs();
        let mut fv1 = [0.0; 7];
        let mut fv2 = [0.0; 7];
        for j in 0..7 {
            let dx = half * XGK[j];
            let (f1, r1) = self.eval(segment, center - dx);
            let (f2, r2) = self.eval(segment, center + dx);
            rounding += WGK[j] * (r1 + r2);
            fv1[j] = f1;
            fv2[j] = f2;
            resk += WGK[j] * (f1 + f2);
            resabs += WGK[j] * (f1.abs() + f2.abs());
            if j % 2 == 1 {
                resg += WG[j / 2] * (f1 + f2);
            }
        }
        let mean = resk * 0.5;
        let mut resasc = WGK[7] * (fc - mean).abs();
        for j in 0..7 {
            resasc += WGK[j] * ((fv1[j] - mean).abs() + (fv2[j] - mean).abs());
        }
        let (value, error, floor) = estimate(resk, resg, resabs, resasc, half);
        // The integrand's rounding is a floor too: no splitting reduces it.
        let rounding = rounding * half.abs();
        Interval {
            segment,
            lo,
            hi,
            value,
            error: error.max(floor + rounding),
            floor: floor + rounding,
        }
    }
}

/// QUADPACK's value, error estimate and rounding floor from one Gauss–Kronrod rule's sums on
/// an interval of half-width `half` (G7/K15 here; G15/K31 in `normal_pair`'s JS rule).
pub(super) fn estimate(
    resk: f64,
    resg: f64,
    resabs: f64,
    resasc: f64,
    half: f64,
) -> (f64, f64, f64) {
    let value = resk * half;
    let resabs = resabs * half.abs();
    let resasc = resasc * half.abs();
    let mut error = ((resk - resg) * half).abs();
    if resasc != 0.0 && error != 0.0 {
        // y^1.5 as y·√y: `powf` was a tenth of the fixed JS rule's time.
        let y = 200.0 * error / resasc;
        error = resasc * (y * y.sqrt()).min(1.0);
    }
    let floor = 50.0 * f64::EPSILON * resabs;
    (value, error.max(floor), floor)
}

/// The 15 nodes of the G7/K15 rule on `[lo, hi]`, in the order [`kronrod_sums`] takes their
/// values: the pairs center ∓ half·x_j for j = 0..7, then the center.
pub fn kronrod_nodes(lo: f64, hi: f64) -> [f64; 15] {
    let center = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo);
    let mut nodes = [center; 15];
    for j in 0..7 {
        let dx = half * XGK[j];
        nodes[2 * j] = center - dx;
        nodes[2 * j + 1] = center + dx;
    }
    nodes
}

/// One G7/K15 rule on `[lo, hi]` for `N` integrands at once (the same 15 nodes serve all):
/// each integral's value, error estimate and the absolute integral (`∫|f|`). No mapping and
/// no adaptivity: for intervals on which every integrand is smooth; a caller that finds an
/// error too large integrates that interval adaptively instead. A NaN or infinite value
/// makes that integral's error NaN or infinite, which no tolerance accepts.
pub fn kronrod_many<const N: usize>(
    lo: f64,
    hi: f64,
    mut f: impl FnMut(f64) -> [f64; N],
) -> [(f64, f64, f64); N] {
    let x = kronrod_nodes(lo, hi);
    let mut nodes = [[0.0; N]; 15];
    nodes[14] = f(x[14]);
    for k in 0..14 {
        nodes[k] = f(x[k]);
    }
    kronrod_sums(lo, hi, &nodes)
}

/// [`kronrod_many`] from the integrands' values at [`kronrod_nodes`]`(lo, hi)`, for a caller
/// that has some of them already (tabulated, or shared with another integral).
pub fn kronrod_sums<const N: usize>(
    lo: f64,
    hi: f64,
    nodes: &[[f64; N]; 15],
) -> [(f64, f64, f64); N] {
    let half = 0.5 * (hi - lo);
    let fc = nodes[14];
    std::array::from_fn(|i| {
        let mut resk = fc[i] * WGK[7];
        let mut resg = fc[i] * WG[3];
        let mut resabs = resk.abs();
        for j in 0..7 {
            let (f1, f2) = (nodes[2 * j][i], nodes[2 * j + 1][i]);
            resk += WGK[j] * (f1 + f2);
            resabs += WGK[j] * (f1.abs() + f2.abs());
            if j % 2 == 1 {
                resg += WG[j / 2] * (f1 + f2);
            }
        }
        let mean = resk * 0.5;
        let mut resasc = WGK[7] * (fc[i] - mean).abs();
        for j in 0..7 {
            resasc +=
                WGK[j] * ((nodes[2 * j][i] - mean).abs() + (nodes[2 * j + 1][i] - mean).abs());
        }
        let (value, error, _) = estimate(resk, resg, resabs, resasc, half);
        let error = if value.is_finite() { error } else { f64::NAN };
        (value, error, resabs * half.abs())
    })
}

/// Integrates `f` over the union of `segments` until the estimated error is below
/// `max(abs_tol, rel_tol·|value|)` or `max_intervals` subintervals are in use beyond the
/// segments given (a histogram's bins can be more segments than that budget; each may still
/// need splitting where the integrand has a kink).
pub fn integrate<F: FnMut(Point) -> f64>(
    segments: &[Segment],
    f: &mut F,
    rel_tol: f64,
    abs_tol: f64,
    max_intervals: usize,
) -> QuadResult {
    let never = crate::cancel::Cancel::default();
    integrate_until(segments, f, rel_tol, abs_tol, max_intervals, &never)
}

/// [`integrate`], stopping between subdivisions once `cancel` is set (the result is then
/// meaningless: the caller checks the flag).
pub fn integrate_until<F: FnMut(Point) -> f64>(
    segments: &[Segment],
    f: &mut F,
    rel_tol: f64,
    abs_tol: f64,
    max_intervals: usize,
    cancel: &crate::cancel::Cancel,
) -> QuadResult {
    integrate_with_rounding_until(
        segments,
        &mut |p| (f(p), 0.0),
        rel_tol,
        abs_tol,
        max_intervals,
        cancel,
    )
}

/// As [`integrate`], for an integrand that also returns a bound on its own rounding error at
/// each point (`(value, rounding)`): for KL, `p·(ln p − ln q)` carries the rounding of both
/// logs, ε·p·(|ln p| + |ln q|), which no subdivision removes and which dwarfs a tiny KL
/// between near-identical distributions (student_t(0, 1, 1e6) against normal(0, 1): KL
/// 1.75e-12, each log good to 1e-16). Its integral joins the error estimate, so the stated
/// error holds; where it exceeds the tolerance the result is not converged.
pub fn integrate_with_rounding<F: FnMut(Point) -> (f64, f64)>(
    segments: &[Segment],
    f: &mut F,
    rel_tol: f64,
    abs_tol: f64,
    max_intervals: usize,
) -> QuadResult {
    let never = crate::cancel::Cancel::default();
    integrate_with_rounding_until(segments, f, rel_tol, abs_tol, max_intervals, &never)
}

/// [`integrate_with_rounding`], stopping between subdivisions once `cancel` is set.
pub fn integrate_with_rounding_until<F: FnMut(Point) -> (f64, f64)>(
    segments: &[Segment],
    f: &mut F,
    rel_tol: f64,
    abs_tol: f64,
    max_intervals: usize,
    cancel: &crate::cancel::Cancel,
) -> QuadResult {
    integrate_split_until(segments, &[], f, rel_tol, abs_tol, max_intervals, cancel)
}

/// [`integrate_with_rounding_until`] with each segment first split at the given points
/// `(segment, u)`: where the integrand has a kink that the rule should not straddle (the
/// crossings of p and q for ½|p − q|, where G7/K15 on an interval across the kink
/// underestimates its own error). `splits` need not be sorted; points outside (0, 1) are
/// ignored.
pub fn integrate_split_until<F: FnMut(Point) -> (f64, f64)>(
    segments: &[Segment],
    splits: &[(usize, f64)],
    f: &mut F,
    rel_tol: f64,
    abs_tol: f64,
    max_intervals: usize,
    cancel: &crate::cancel::Cancel,
) -> QuadResult {
    let mut it = Integrator {
        f,
        segments,
        evals: 0,
        nan_points: 0,
        infinite: false,
        dropped_beyond: (f64::NEG_INFINITY, f64::INFINITY),
    };
    let mut heap = BinaryHeap::new();
    let mut done: Vec<Interval> = Vec::new();
    let mut cuts: Vec<(usize, f64)> = splits
        .iter()
        .copied()
        .filter(|&(s, u)| s < segments.len() && u > 0.0 && u < 1.0)
        .collect();
    cuts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut next = 0;
    for (s, segment) in segments.iter().enumerate() {
        let end = segment.reach();
        if end < 1.0 {
            let x = segment.map(end).0.x();
            match segment {
                Segment::ToInfinity { .. } => it.dropped_beyond.1 = it.dropped_beyond.1.min(x),
                _ => it.dropped_beyond.0 = it.dropped_beyond.0.max(x),
            }
        }
        let mut lo = 0.0;
        while next < cuts.len() && cuts[next].0 == s {
            let u = cuts[next].1;
            next += 1;
            if u > lo && u < end {
                heap.push(it.kronrod(s, lo, u));
                lo = u;
            }
        }
        if end > lo {
            heap.push(it.kronrod(s, lo, end));
        }
    }
    let initial = heap.len();
    let total = |heap: &BinaryHeap<Interval>, done: &[Interval]| -> (f64, f64) {
        let mut v = 0.0;
        let mut e = 0.0;
        for i in heap.iter().chain(done) {
            v += i.value;
            e += i.error;
        }
        (v, e)
    };
    let (mut value, mut error) = total(&heap, &done);
    let mut since_resum = 0;
    while let Some(worst) = heap.peek().copied() {
        if it.infinite {
            break;
        }
        if error <= abs_tol.max(rel_tol * value.abs())
            || heap.len() + done.len() >= max_intervals + initial
        {
            break;
        }
        heap.pop();
        let mid = 0.5 * (worst.lo + worst.hi);
        // An interval at its rounding floor, or too narrow to split, is final.
        if worst.error <= worst.floor * 1.000_001 || mid <= worst.lo || mid >= worst.hi {
            done.push(worst);
            continue;
        }
        let left = it.kronrod(worst.segment, worst.lo, mid);
        let right = it.kronrod(worst.segment, mid, worst.hi);
        value += left.value + right.value - worst.value;
        error += left.error + right.error - worst.error;
        heap.push(left);
        heap.push(right);
        since_resum += 1;
        if since_resum >= 64 {
            if cancel.is_cancelled() {
                break;
            }
            (value, error) = total(&heap, &done);
            since_resum = 0;
        }
    }
    let (value, error) = total(&heap, &done);
    let converged = !it.infinite && error <= abs_tol.max(rel_tol * value.abs());
    QuadResult {
        value: if it.infinite { f64::INFINITY } else { value },
        error: if it.infinite { f64::INFINITY } else { error },
        evals: it.evals,
        intervals: heap.len() + done.len(),
        converged,
        nan_points: it.nan_points,
        dropped_beyond: it.dropped_beyond,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refines_even_when_it_starts_with_more_segments_than_the_interval_budget() {
        // 5000 segments (a histogram's bins, say) and a budget of 100 more intervals: the
        // one segment holding the kink of |x − c| must still be split until converged.
        let c = 0.123_456_7;
        let segs: Vec<Segment> = (0..5000)
            .map(|i| Segment::Linear {
                a: f64::from(i) / 5000.0,
                b: f64::from(i + 1) / 5000.0,
            })
            .collect();
        let r = integrate(&segs, &mut |p: Point| (p.x() - c).abs(), 1e-13, 0.0, 100);
        let exact = (c * c + (1.0 - c) * (1.0 - c)) / 2.0;
        assert!(r.converged, "{r:?}");
        assert!(r.intervals > 5000, "{r:?}");
        assert!((r.value - exact).abs() < 1e-13 * exact, "{r:?}");
    }

    #[test]
    fn a_tail_reaches_to_the_last_point_whose_node_and_jacobian_are_doubles() {
        for (a, scale) in [
            (0.0, 1.0),
            (3.3e296, 3.3e296),
            (-5.0, 1e-300),
            (1e308, 1e300),
        ] {
            for seg in [
                Segment::ToInfinity { a, scale },
                Segment::FromNegInfinity { b: -a, scale },
            ] {
                let u = seg.reach();
                let fits = |u: f64| {
                    let (pt, jac) = seg.map(u);
                    pt.x().is_finite() && jac.is_finite() && jac != 0.0
                };
                assert!(u > 0.0 && u < 1.0 && fits(u), "{seg:?}: {u}");
                // Short of the end by less than a thousandth of what is left in u.
                assert!(!fits(u + 1e-3 * (1.0 - u)), "{seg:?}: {u}");
            }
        }
        assert_eq!(Segment::Linear { a: 0.0, b: 1.0 }.reach(), 1.0);
    }

    #[test]
    fn polynomial_on_a_line_is_exact() {
        let r = integrate(
            &[Segment::Linear { a: 0.0, b: 2.0 }],
            &mut |p: Point| p.x().powi(3),
            1e-12,
            0.0,
            100,
        );
        assert!((r.value - 4.0).abs() < 1e-13, "{r:?}");
        assert!(r.converged);
    }

    #[test]
    fn gaussian_over_the_real_line() {
        let segs = [
            Segment::FromNegInfinity { b: 0.0, scale: 1.0 },
            Segment::ToInfinity { a: 0.0, scale: 1.0 },
        ];
        let r = integrate(
            &segs,
            &mut |p: Point| (-0.5 * p.x() * p.x()).exp(),
            1e-12,
            0.0,
            500,
        );
        let exact = (2.0 * std::f64::consts::PI).sqrt();
        assert!((r.value - exact).abs() < 1e-12 * exact, "{r:?}");
    }

    #[test]
    fn inverse_square_root_singularity_with_power_map() {
        let segs = [Segment::FromLower {
            edge: 0.0,
            len: 1.0,
            power: 4,
        }];
        let r = integrate(&segs, &mut |p: Point| p.offset.powf(-0.5), 1e-12, 0.0, 500);
        assert!((r.value - 2.0).abs() < 1e-11, "{r:?}");
    }

    #[test]
    fn an_integrand_below_its_own_rounding_is_not_converged_and_its_error_covers_that() {
        // x² on [0, 1] with a stated rounding of 1e-6 at every point: exact to the rule,
        // but no more accurate than the rounding allows.
        let segs = [Segment::Linear { a: 0.0, b: 1.0 }];
        let r =
            integrate_with_rounding(&segs, &mut |p: Point| (p.x() * p.x(), 1e-6), 1e-10, 0.0, 50);
        assert!(!r.converged, "{r:?}");
        assert!(r.error >= 1e-6 * (1.0 - 1e-12), "{r:?}");
        assert!((r.value - 1.0 / 3.0).abs() < 1e-14, "{r:?}");
        // Without it the same integral converges with a tiny error.
        let plain = integrate(&segs, &mut |p: Point| p.x() * p.x(), 1e-10, 0.0, 50);
        assert!(plain.converged && plain.error < 1e-14, "{plain:?}");
    }

    #[test]
    fn a_power_law_tail_with_index_below_one_is_integrated_to_its_tolerance() {
        // ∫_0^∞ (1 + x)^−1.2 dx = 5: a tail like student_t's with freedom 0.2. The linear
        // tail map left a singularity at u = 1 here.
        let segs = [Segment::ToInfinity { a: 0.0, scale: 1.0 }];
        let r = integrate(
            &segs,
            &mut |p: Point| (1.0 + p.x()).powf(-1.2),
            1e-10,
            0.0,
            2000,
        );
        assert!(r.converged, "{r:?}");
        assert!((r.value - 5.0).abs() <= r.error.max(1e-9), "{r:?}");
        assert!((r.value - 5.0).abs() < 5e-9, "{r:?}");
    }

    #[test]
    fn infinite_integrand_is_reported() {
        let r = integrate(
            &[Segment::Linear { a: 0.0, b: 1.0 }],
            &mut |_| f64::INFINITY,
            1e-10,
            0.0,
            10,
        );
        assert_eq!(r.value, f64::INFINITY);
        assert!(!r.converged);
    }
}
