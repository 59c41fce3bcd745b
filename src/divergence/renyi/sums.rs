//! M = ∫ p·(e^(tL) − 1)/t (t = α − 1, L = ln(p/q)) by quadrature, by the exact walk over two
//! histograms, or as an exact sum for discrete pairs; and D_α = ln(1 + tM)/t from it.

use super::super::pointwise::InfiniteFrom;
use super::super::quad::{self, Point, Segment};
use super::super::report::non_negative;
use super::super::walk::Partial;
use super::super::{CompareError, Figure, Options, build_segments, discrete, piecewise};
use super::closed;
use super::curves::{ln1p_over, renyi_term, renyi_term_ratio};
use super::peak::Peak;
use crate::distribution::Distribution;
use crate::distribution::tail::Tail;

/// Terms between two looks at the cancel flag.
const CANCEL_TERMS: i64 = 1 << 16;

/// The rounding of [`renyi_term`]: L is good to ε·(|ln p| + |ln q| + 1), which the term
/// carries with the weight p·e^(tL) = p^α q^(1−α); plus a few ulps of the term itself.
fn rounding(t: f64, lp: f64, lq: f64, term: f64) -> f64 {
    if lp == f64::NEG_INFINITY || lq == f64::NEG_INFINITY {
        return 4.0 * f64::EPSILON * term.abs();
    }
    let weight = (lp + t * (lp - lq)).exp() + lp.exp();
    8.0 * f64::EPSILON * ((lp.abs() + lq.abs() + 1.0) * weight + term.abs())
}

/// Component edges looked at for a singularity of the integrand inside P's support at most
/// (each costs a pass over the components).
const MAX_INTERIOR_EDGES: usize = 256;

/// The exponent s of the density's |x − e|^s at an edge approached from inside (0 for a jump
/// to a positive value or a density that vanishes faster than any power).
fn edge_exponent(d: &Distribution, edge: f64, upper: bool) -> f64 {
    match d.tail_at(edge, upper) {
        Tail::Edge { s } => s,
        _ => 0.0,
    }
}

/// The power of the map `x = e ± len·u^k` at a support or component edge e that makes the
/// integrands of M and of ∫ p^α q^(1−α) smooth in u: they behave like |x − e|^s with
/// s = min(α·s_P + (1 − α)·s_Q, s_P), and u^(k(1+s) − 1) is smooth for k ≥ 2/(1 + s). The
/// support maps take the power from P's and Q's own singularities (for KL), which leaves
/// x^(−α/2) of beta(0.5, 1)^α, or the |x − 1|^(1−α) of q^(1−α) where two triangles touch,
/// singular in u: the rule then subdivides towards the edge until a node lands on it.
fn renyi_edge_power(p: &Distribution, q: &Distribution, alpha: f64, edge: f64, upper: bool) -> i32 {
    let sp = edge_exponent(p, edge, upper);
    let sq = edge_exponent(q, edge, upper);
    let s = (alpha * sp + (1.0 - alpha) * sq).min(sp);
    if !(s < -1e-12) {
        return 1;
    }
    let k = 2.0 / (1.0 + s);
    if k.is_finite() && k > 0.0 {
        (k.ceil() as i32).clamp(2, 40)
    } else {
        40
    }
}

/// P's support, split at the edges of components of P or Q inside it where the integrand is
/// singular (Q's density going to 0 there for α > 1, a singular component of P), so that the
/// segments next to them are anchored there with a power map.
pub(super) fn renyi_domain(p: &Distribution, q: &Distribution, alpha: f64) -> Vec<(f64, f64)> {
    let support = p.support();
    let mut points = Vec::new();
    super::asymptote::edges(p, &mut points);
    super::asymptote::edges(q, &mut points);
    points.sort_by(f64::total_cmp);
    points.dedup();
    points.retain(|e| support.iter().any(|&(lo, hi)| lo < *e && *e < hi));
    if points.len() > MAX_INTERIOR_EDGES {
        return support;
    }
    points.retain(|&e| {
        renyi_edge_power(p, q, alpha, e, true) > 1 || renyi_edge_power(p, q, alpha, e, false) > 1
    });
    let mut out = Vec::new();
    for (lo, hi) in support {
        let mut from = lo;
        for &x in points.iter().filter(|x| **x > lo && **x < hi) {
            out.push((from, x));
            from = x;
        }
        out.push((from, hi));
    }
    out
}

/// The quadrature segments over `domain`, with the power maps at edges raised to what the
/// Rényi integrand needs ([`renyi_edge_power`]).
fn renyi_segments(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    domain: &[(f64, f64)],
) -> Vec<Segment> {
    let mut segs = build_segments(p, q, domain);
    for s in &mut segs {
        match s {
            Segment::FromLower { edge, power, .. } => {
                *power = (*power).max(renyi_edge_power(p, q, alpha, *edge, false));
            }
            Segment::FromUpper { edge, power, .. } => {
                *power = (*power).max(renyi_edge_power(p, q, alpha, *edge, true));
            }
            _ => {}
        }
    }
    segs
}

/// Relative rounding of p^α q^(1−α) from its log, α·ln p − (α − 1)·ln q, beyond which the
/// quadrature stops: where the leading terms of ln p and ln q cancel (exponential(1) against
/// a gamma mixture at α = 2: −2x + 2x), each is good to ε·x only, and far out the difference
/// is noise that exp turns into anything from 0 to ∞.
const MAX_LOG_ROUNDING: f64 = 1e-2;

/// Where the quadrature of ∫ p^α q^(1−α) (α > 1) stops towards an infinite end because of
/// [`MAX_LOG_ROUNDING`], and the integral left beyond, from the power law the integrand
/// follows there (the tail analysis found it integrable: e^g ~ |x|^c with c < −1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct RoundingCut {
    /// No node below this is evaluated.
    pub lo: f64,
    /// No node above this is evaluated.
    pub hi: f64,
    /// ∫ p^α q^(1−α) beyond the cuts, estimated.
    pub rest: f64,
    /// A bound on its error (the whole estimate, or ∞ when the decay is not a power < −1).
    pub rest_error: f64,
}

impl RoundingCut {
    /// No cut.
    pub(super) const NONE: RoundingCut = RoundingCut {
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
        rest: 0.0,
        rest_error: 0.0,
    };

    fn excludes(&self, x: f64) -> bool {
        x < self.lo || x > self.hi
    }
}

/// The log-integrand and its rounding at x.
fn log_integrand(p: &Distribution, q: &Distribution, alpha: f64, x: f64) -> (f64, f64) {
    let (lp, lq) = (p.ln_density(x), q.ln_density(x));
    let t = alpha - 1.0;
    (
        alpha * lp - t * lq,
        8.0 * f64::EPSILON * (alpha * lp.abs() + t.abs() * lq.abs() + 1.0),
    )
}

/// The cuts for `domain` (α > 1): doubling out from the last finite point towards each
/// infinite end until the log-integrand's rounding reaches [`MAX_LOG_ROUNDING`]; the rest
/// beyond is e^g(X)·|X|/(−c − 1), c the power the integrand falls with between X/4 and X,
/// stated with an error as large as itself.
pub(super) fn rounding_cut(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    domain: &[(f64, f64)],
) -> RoundingCut {
    let mut cut = RoundingCut::NONE;
    let (Some(first), Some(last)) = (domain.first(), domain.last()) else {
        return cut;
    };
    if !(alpha > 1.0) {
        return cut;
    }
    let scale = p.scale().max(q.scale());
    for upper in [false, true] {
        let (end, start) = if upper {
            (last.1, last.0)
        } else {
            (first.0, first.1)
        };
        if end.is_finite() {
            continue;
        }
        let start = if start.is_finite() { start } else { 0.0 };
        let dir = if upper { 1.0 } else { -1.0 };
        // x_k = start ± scale·2^k: the rounding grows with |x| far out (|ln p| does), so the
        // first k where it reaches the limit is found by bisection over k, in about 11
        // evaluations; none when it stays below even at the last finite x_k (a power-law
        // tail, whose logs stay below a few thousand).
        let at = |k: i32| start + dir * scale * 2f64.powi(k);
        let mut top = 0;
        while top < 2100 && at(top + 1).is_finite() {
            top += 1;
        }
        let too_rough = |k: i32| log_integrand(p, q, alpha, at(k)).1 >= MAX_LOG_ROUNDING;
        let found = if too_rough(top) {
            let (mut lo, mut hi) = (0, top);
            if too_rough(0) {
                hi = 0;
            }
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                if too_rough(mid) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            Some(hi)
        } else {
            None
        };
        let h = found.map_or(0.0, |k| scale * 2f64.powi(k));
        let found = found.map(at);
        let Some(x) = found else { continue };
        let (g, _) = log_integrand(p, q, alpha, x);
        let (g4, _) = log_integrand(p, q, alpha, start + dir * h / 4.0);
        let ln_x = x.abs().ln();
        let c = (g - g4) / (x.abs().ln() - (h / 4.0 + start * dir).abs().ln());
        let ln_rest = g + ln_x;
        let (rest, error) = if ln_rest < -745.0 {
            (0.0, 0.0)
        } else if c < -1.05 {
            let r = ln_rest.exp() / (-c - 1.0);
            (r, r)
        } else {
            (0.0, f64::INFINITY)
        };
        cut.rest += rest;
        cut.rest_error += error;
        if upper {
            cut.hi = x;
        } else {
            cut.lo = x;
        }
    }
    cut
}

/// The domain split at the peak's points.
fn split_domain(domain: &[(f64, f64)], peak: &Peak) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for &(lo, hi) in domain {
        let mut from = lo;
        for &x in peak.splits.iter().filter(|x| **x > lo && **x < hi) {
            out.push((from, x));
            from = x;
        }
        out.push((from, hi));
    }
    out
}

/// M for two continuous distributions (not both parametric with a closed form), split
/// around the peak of p^α q^(1−α).
pub(super) fn renyi_m_continuous(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    domain: &[(f64, f64)],
    peak: &Peak,
    opts: &Options,
) -> Figure {
    let t = alpha - 1.0;
    if let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (p, q) {
        return piecewise(hp, hq, &opts.cancel, |c| {
            [renyi_term_ratio(t, c.p, c.q, c.ln_ratio)]
        })[0]
            .clone();
    }
    let segs = renyi_segments(p, q, alpha, &split_domain(domain, peak));
    let cut = rounding_cut(p, q, alpha, domain);
    let mut f = |pt: Point| {
        if cut.excludes(pt.x()) {
            return (0.0, 0.0);
        }
        let lp = p.ln_density_offset(pt.anchor, pt.offset);
        let lq = q.ln_density_offset(pt.anchor, pt.offset);
        let term = renyi_term(t, lp, lq);
        (term, rounding(t, lp, lq, term))
    };
    let r = quad::integrate_with_rounding_until(
        &segs,
        &mut f,
        opts.rel_tol,
        1e-300,
        opts.max_intervals,
        &opts.cancel,
    );
    let mut m = Figure::from_quad(&r, opts.rel_tol);
    if cut.rest_error > 0.0 && m.value.is_finite() {
        m.value += cut.rest / t;
        m.error += cut.rest_error / t;
        m.method.push_str(&format!(
            "; stopped where the log-integrand's rounding reaches {MAX_LOG_ROUNDING} (beyond {}), the rest from its power-law decay",
            crate::distribution::family::format_number(if cut.hi.is_finite() { cut.hi } else { cut.lo })
        ));
    }
    if m.value == f64::INFINITY {
        m.reason = Some("p^α q^(1−α) is infinite where Q's density underflows to 0".into());
    }
    m
}

/// D_α = (g* + ln J)/(α − 1) with J = ∫ exp(α·ln p + (1 − α)·ln q − g*), g* the peak of the
/// log-integrand: for when ∫ p^α q^(1−α) is far from 1, where 1 + (α − 1)·M cancels (α < 1:
/// the integral is e^(−(1−α)·D), below rounding of 1 once D is large) or M overflows (α > 1).
/// `None` when J is not a positive finite number.
pub(super) fn renyi_from_peak(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    domain: &[(f64, f64)],
    peak: &Peak,
    opts: &Options,
) -> Option<Figure> {
    let t = alpha - 1.0;
    let shift = peak.ln_max;
    if !shift.is_finite() {
        return None;
    }
    let segs = renyi_segments(p, q, alpha, &split_domain(domain, peak));
    let cut = rounding_cut(p, q, alpha, domain);
    let mut f = |pt: Point| {
        if cut.excludes(pt.x()) {
            return (0.0, 0.0);
        }
        let lp = p.ln_density_offset(pt.anchor, pt.offset);
        if lp == f64::NEG_INFINITY {
            return (0.0, 0.0);
        }
        let lq = q.ln_density_offset(pt.anchor, pt.offset);
        if lq == f64::NEG_INFINITY {
            return if t < 0.0 {
                (0.0, 0.0)
            } else {
                (f64::INFINITY, 0.0)
            };
        }
        let v = (alpha * lp - t * lq - shift).exp();
        let rounding =
            8.0 * f64::EPSILON * (alpha * lp.abs() + t.abs() * lq.abs() + shift.abs() + 1.0);
        (v, rounding * v)
    };
    let r = quad::integrate_with_rounding_until(
        &segs,
        &mut f,
        opts.rel_tol,
        0.0,
        opts.max_intervals,
        &opts.cancel,
    );
    let mut j = Figure::from_quad(&r, opts.rel_tol);
    j.value += cut.rest * (-shift).exp();
    j.error += cut.rest_error * (-shift).exp();
    if !(j.value > 0.0 && j.value.is_finite() && j.error.is_finite()) {
        return None;
    }
    let ln_i = shift + j.value.ln();
    let value = ln_i / t;
    // ln J is good to δJ/J (while that is small; beyond, ln J could be anything below).
    let rel = j.error / j.value;
    let ln_err = if rel < 0.5 {
        -(-rel).ln_1p()
    } else {
        f64::INFINITY
    };
    let error = (ln_err + 8.0 * f64::EPSILON * (shift.abs() + j.value.ln().abs())) / t.abs()
        + 4.0 * f64::EPSILON * value.abs();
    Some(non_negative(Figure {
        value,
        error,
        method: format!(
            "ln(∫ p^α q^(1−α))/(α−1), the integral scaled by its peak e^{} and taken by {}",
            crate::distribution::family::format_number((shift * 1e3).round() / 1e3),
            j.method
        ),
        reason: None,
    }))
}

/// D_α = M·ln(1 + tM)/(tM) from M, with M's error carried through (dD/dM = 1/(1 + tM)).
pub(super) fn d_from_m(m: Figure, t: f64, [pn, qn]: [&str; 2]) -> (Figure, Option<InfiniteFrom>) {
    if m.value == f64::INFINITY {
        let reason = m
            .reason
            .clone()
            .unwrap_or_else(|| format!("∫ p^α q^(1−α) diverges ({pn} against {qn})"));
        return (
            Figure {
                reason: Some(reason),
                error: 0.0,
                ..m
            },
            Some(InfiniteFrom::Edge(f64::INFINITY)),
        );
    }
    let y = t * m.value;
    let integral = 1.0 + y;
    if !(integral > 0.0) {
        return (
            Figure::infinite(format!(
                "∫ p^α q^(1−α) is 0 to within rounding: {pn} and {qn} barely overlap"
            )),
            Some(InfiniteFrom::Edge(f64::INFINITY)),
        );
    }
    let value = m.value * ln1p_over(y);
    let error = m.error / integral + 4.0 * f64::EPSILON * value.abs();
    let method = format!(
        "ln(1 + (α−1)·M)/(α−1), M = ∫ p·((p/q)^(α−1) − 1)/(α−1) by {}",
        m.method
    );
    (
        non_negative(Figure {
            value,
            error,
            method,
            reason: None,
        }),
        None,
    )
}

/// D_α for two discrete distributions: a closed form (Poisson) or the exact sum of
/// p·((p/q)^t − 1)/t, continued past P's range while its terms matter (α > 1).
pub(super) fn renyi_discrete(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    names: [&str; 2],
    opts: &Options,
) -> Result<(Figure, Option<InfiniteFrom>), CompareError> {
    let [pn, qn] = names;
    let t = alpha - 1.0;
    let (p, q, labels) = discrete::aligned(p, q)?;
    if opts.closed_forms
        && let (Distribution::Parametric(a), Distribution::Parametric(b)) = (&p, &q)
        && let Some(f) = closed::renyi(a, b, alpha)
    {
        let from = (f.value == f64::INFINITY).then_some(InfiniteFrom::Edge(f64::NEG_INFINITY));
        return Ok((f, from));
    }
    let name = |k: i64| match labels
        .as_deref()
        .and_then(|l| usize::try_from(k).ok().and_then(|i| l.get(i)))
    {
        Some(label) => format!("'{label}'"),
        None => format!("k = {k}"),
    };
    let (lo, hi, left_out) = discrete::range(&[&p, &q]);
    let mut sum = Partial::<1>::default();
    let mut overlap = false;
    let mut k = lo;
    let upper_end = p.support()[0].1.min(q.support()[0].1);
    // Past the range both masses are below 1e-17; for α > 1 the terms p·(p/q)^t can still
    // grow there (a light-tailed Q under a heavier P), so the sum goes on while they matter.
    let limit = if t > 0.0 {
        hi.saturating_add(1 << 20)
    } else {
        hi
    };
    let mut last: f64;
    while k <= limit {
        if (k - lo) % CANCEL_TERMS == 0 {
            opts.cancel.check()?;
        }
        let (lp, lq) = (p.ln_pmf(k), q.ln_pmf(k));
        if lp > f64::NEG_INFINITY {
            if lq == f64::NEG_INFINITY {
                if t > 0.0 {
                    let reason = format!(
                        "{pn} has mass at {} ({} = {:.4}), where {qn} is 0: q^(1−α) is infinite there for α > 1",
                        name(k),
                        pn.to_lowercase(),
                        lp.exp()
                    );
                    return Ok((
                        Figure::infinite(reason),
                        Some(InfiniteFrom::Gap(k as f64 - 0.5)),
                    ));
                }
            } else {
                overlap = true;
            }
            let term = renyi_term(t, lp, lq);
            sum.add(0, term);
            last = term.abs();
        } else {
            last = 0.0;
        }
        if k > hi && (last <= 1e-17 * (1.0 + sum.total(0).abs()) || k as f64 >= upper_end) {
            break;
        }
        k += 1;
    }
    if k > limit && t > 0.0 {
        return Ok((
            Figure::infinite(format!(
                "Σ p^α q^(1−α) diverges: its terms do not decay as k grows ({pn}'s tail is too heavy for {qn}'s at α = {})",
                crate::distribution::family::format_number(alpha)
            )),
            Some(InfiniteFrom::Edge(f64::INFINITY)),
        ));
    }
    if !overlap {
        return Ok((
            Figure::infinite(format!(
                "{pn} and {qn} have no support in common: Σ p^α q^(1−α) = 0"
            )),
            Some(InfiniteFrom::Edge(f64::NEG_INFINITY)),
        ));
    }
    let terms = k - lo + 1;
    // Mass left out below 1e-17 adds at most left_out·max(1, 1/|t|) to M (α < 1), and the
    // continued sum covers α > 1.
    let m = Figure {
        value: sum.total(0),
        error: 4.0 * f64::EPSILON * (sum.abs[0] + 2.0) + left_out * (1.0f64).max(1.0 / t.abs()),
        method: format!("exact sum over {terms} terms"),
        reason: None,
    };
    Ok(d_from_m(m, t, names))
}
