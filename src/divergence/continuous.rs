//! Two continuous distributions that are not both histograms: KL, entropy and the symmetric
//! divergences by closed form where one is known, by quadrature otherwise.

use super::integrand::{symmetric_terms_rounding, weigh};
use super::nodes::Nodes;
use super::normal_pair;
use super::quad::{self, Point};
use super::segments::integrate_pair_with_rounding;
use super::walk::Partial;
use super::{
    Cell, Figure, Options, closed, hellinger_from_squared, infinite_reason, integrate_pair,
};
use super::{build_segments, kl_term, piecewise, symmetric_terms};
use crate::distribution::Distribution;

pub(super) fn kl_continuous(
    p: &Distribution,
    q: &Distribution,
    names: [&str; 2],
    opts: &Options,
    nodes: Nodes<'_>,
) -> Figure {
    if let Some(reason) = infinite_reason(p, q, names) {
        return Figure::infinite(reason);
    }
    if let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (p, q) {
        return piecewise(hp, hq, &opts.cancel, |c| [c.kl_pq()])[0].clone();
    }
    if opts.closed_forms
        && let (Distribution::Parametric(a), Distribution::Parametric(b)) = (p, q)
        && let Some(figure) = closed::kl_figure(a, b)
    {
        return figure;
    }
    // The integrand carries the rounding of both logs; its integral joins the error.
    let segs = build_segments(p, q, &p.support());
    let mut cursor = nodes.cursor();
    let mut f = |pt: Point| {
        let (lp, lq) = cursor.ln_densities(p, q, pt);
        (kl_term(lp, lq), kl_term_rounding(lp, lq))
    };
    let r = quad::integrate_with_rounding_until(
        &segs,
        &mut f,
        opts.rel_tol,
        1e-300,
        opts.max_intervals,
        &opts.cancel,
    );
    with_dropped_tails_of(Figure::from_quad(&r, opts.rel_tol), &r, p, Some(q))
}

/// A bound on the rounding error of [`kl_term`]: each log is good to a few ulps of its own
/// magnitude, so `ln p − ln q` is good to about ε·(|ln p| + |ln q| + 1), whatever the
/// difference. Near-identical P and Q make this the whole error (issue 10).
fn kl_term_rounding(lp: f64, lq: f64) -> f64 {
    if lp == f64::NEG_INFINITY || lq == f64::NEG_INFINITY {
        0.0
    } else {
        8.0 * f64::EPSILON * weigh(lp, lp.abs() + lq.abs() + 1.0)
    }
}

pub(super) fn entropy_continuous(p: &Distribution, opts: &Options) -> Figure {
    if let Distribution::Histogram(h) = p {
        // Compensated, as the walk over two histograms sums: the error does not grow with
        // the number of bins.
        let mut sum = Partial::<1>::default();
        for i in 0..h.len() {
            let (l, r, m) = h.bin(i);
            if m > 0.0 {
                sum.add(0, -m * (m / (r - l)).ln());
            }
        }
        return Figure {
            value: sum.total(0),
            error: 4.0 * f64::EPSILON * (sum.abs[0] + 2.0),
            method: format!("exact sum over {} bins", h.len()),
            reason: None,
        };
    }
    if opts.closed_forms
        && let Distribution::Parametric(a) = p
        && let Some(v) = closed::entropy(a)
    {
        return Figure::closed(v, &format!("{} entropy", a.family().name()));
    }
    let r = integrate_pair(p, p, &p.support(), opts, |lp, _| {
        if lp == f64::NEG_INFINITY {
            0.0
        } else {
            -lp.exp() * lp
        }
    });
    with_dropped_tails_of(Figure::from_quad(&r, opts.rel_tol), &r, p, None)
}

pub(super) fn symmetric_continuous(
    p: &Distribution,
    q: &Distribution,
    opts: &Options,
    nodes: Nodes<'_>,
) -> [Figure; 3] {
    if let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (p, q) {
        let [js, tv, h2] = piecewise(hp, hq, &opts.cancel, Cell::symmetric);
        return [js, tv, hellinger_from_squared(&h2)];
    }
    if opts.closed_forms
        && let (Distribution::Parametric(a), Distribution::Parametric(b)) = (p, q)
        && let Some(pair) = normal_pair::normal_pair(a, b)
    {
        let h2 = normal_pair::hellinger_squared(pair);
        return [
            normal_pair::js(pair, opts.rel_tol, opts.max_intervals),
            normal_pair::tv(pair),
            hellinger_from_squared(&h2),
        ];
    }
    let mut domain = p.support();
    domain.extend(q.support());
    let domain = crate::distribution::merge_intervals(domain);
    let bounds = [std::f64::consts::LN_2, 1.0, 1.0];
    let figure = |i: usize| {
        // TV's integrands, ½|p − q| and min(p, q), have kinks where p and q cross.
        let kinked = i == 1;
        // TV's segments are split at the crossings: their first points are not the table's.
        let table = if kinked { Nodes::default() } else { nodes };
        let r = integrate_pair_with_rounding(p, q, &domain, opts, kinked, table, |lp, lq| {
            (
                symmetric_terms(lp, lq)[i],
                symmetric_terms_rounding(lp, lq)[i],
            )
        });
        let direct = with_dropped_tails(Figure::from_quad(&r, opts.rel_tol), &r, p, q);
        // Far from 0 the figure is better taken from the overlap of P and Q (see
        // `overlap_terms`): then neither density needs its whole mass resolved.
        if direct.value.is_finite() && direct.value <= 0.5 * bounds[i] {
            return direct;
        }
        let r = integrate_pair_with_rounding(p, q, &domain, opts, kinked, table, |lp, lq| {
            (overlap_terms(lp, lq)[i], overlap_terms_rounding(lp, lq)[i])
        });
        let overlap = with_dropped_tails(Figure::from_quad(&r, opts.rel_tol), &r, p, q);
        if overlap.value.is_finite() && overlap.value <= 0.5 * bounds[i] {
            Figure {
                value: bounds[i] - overlap.value,
                error: overlap.error + f64::EPSILON * bounds[i],
                method: format!("{}, the overlap by {}", overlap_form(i), overlap.method),
                reason: None,
            }
        } else {
            direct
        }
    };
    // Three independent integrals: on both cores (TV's, split at every crossing, is the
    // longest for a mixture of many separated components).
    let (tv, (js, h2)) = opts.join(|| figure(1), || opts.join(|| figure(0), || figure(2)));
    [js, tv, hellinger_from_squared(&h2)]
}

fn overlap_form(i: usize) -> &'static str {
    match i {
        0 => "ln 2 − ½∫(p·ln(1 + q/p) + q·ln(1 + p/q))",
        1 => "1 − ∫min(p, q)",
        _ => "1 − ∫√(p·q)",
    }
}

/// The symmetric figures as their bound minus an overlap, from log-densities:
/// JS = ln 2 − ½∫(p·ln(1 + q/p) + q·ln(1 + p/q)), TV = 1 − ∫min(p, q) and
/// H² = 1 − ∫√(p·q); this returns the three overlap integrands. They vanish wherever one
/// density does, so distributions far apart (normal(1e17, 1) against normal(0, 1)) or one
/// with mass beyond the doubles (normal(0, 1e308)) give figures at their bounds, where the
/// direct integrands ½|p − q| and the like need each density's whole mass, and a mass
/// that the quadrature under- or over-resolves puts TV at 2.1 or 0.9.
pub(super) fn overlap_terms(lp: f64, lq: f64) -> [f64; 3] {
    if lp == f64::NEG_INFINITY || lq == f64::NEG_INFINITY {
        return [0.0; 3];
    }
    // ln(1 + e^d), without overflow for large d.
    let softplus = |d: f64| {
        if d > 0.0 {
            d + (-d).exp().ln_1p()
        } else {
            d.exp().ln_1p()
        }
    };
    let d = lq - lp;
    let js = 0.5 * (lp.exp() * softplus(d) + lq.exp() * softplus(-d));
    [js, lp.min(lq).exp(), (0.5 * (lp + lq)).exp()]
}

/// Bounds on the rounding errors of [`overlap_terms`], as
/// [`super::integrand::symmetric_terms_rounding`] bounds the direct ones: `e^l` is good to
/// ε·e^l·(1 + |l|), and `softplus(d)` through `d` (good to ε·(|ln p| + |ln q|)) moves JS's
/// part by at most min(p, q) per unit of `d`.
fn overlap_terms_rounding(lp: f64, lq: f64) -> [f64; 3] {
    if lp == f64::NEG_INFINITY || lq == f64::NEG_INFINITY {
        return [0.0; 3];
    }
    let eps = 8.0 * f64::EPSILON;
    let [js, tv, h] = overlap_terms(lp, lq);
    let logs = 1.0 + lp.abs() + lq.abs();
    let l_min = lp.min(lq);
    let l_mid = 0.5 * (lp + lq);
    [
        // Each part relative to itself, and d = ln q − ln p moves them by at most min(p, q)
        // per unit.
        eps * logs * (js + tv),
        eps * tv * (1.0 + l_min.abs()),
        eps * h * (1.0 + l_mid.abs()),
    ]
}

/// The mass of P and Q beyond the quadrature's reach ([`cuts`]): beyond the tail nodes it
/// dropped ([`quad::QuadResult::dropped_beyond`]), or beyond the largest double.
fn masses_beyond(r: &quad::QuadResult, d: &Distribution) -> f64 {
    let (below, above) = cuts(r);
    mass_beyond(d, below, false) + mass_beyond(d, above, true)
}

/// Where the quadrature's reach ends on each side: where it dropped tail nodes, else at the
/// largest double. Beyond ±1.8e308 no node can be, even when none was dropped: pareto(1, 0.04)
/// leaves 4.7e-13 of its mass there, which the rule misses (KL against pareto(1, 0.05) was
/// 4.6e-12 off with a stated 2.7e-13 and no word of it).
fn cuts(r: &quad::QuadResult) -> (f64, f64) {
    let (below, above) = r.dropped_beyond;
    (below.max(-f64::MAX), above.min(f64::MAX))
}

/// The mass of `d` above `x` (`upper`) or below it, where `|x|` is beyond about 1e302: from
/// the cdf for power-law and log-normal tails, 0 for tails that fall exponentially or faster
/// (e^(−c·|x|^k) is 0 in doubles that far out for any shape the families accept; statrs'
/// incomplete gamma function panics there, so it is not asked).
fn mass_beyond(d: &Distribution, x: f64, upper: bool) -> f64 {
    use crate::distribution::Tail;
    let of = |c: &crate::distribution::Parametric| {
        let (lo, hi) = c.support();
        if (upper && x >= hi) || (!upper && x <= lo) {
            return 0.0;
        }
        if let crate::distribution::family::Family::InverseGamma(g) = c.named() {
            // P(X > x) = P(Y < rate/x), Y ~ gamma(shape, 1): (rate/x)^shape/Γ(shape + 1) to
            // first order (statrs' incomplete gamma function panics at rate/x this small).
            let ln_mass =
                g.shape * (g.rate / x).ln() - statrs::function::gamma::ln_gamma(g.shape + 1.0);
            return if upper {
                ln_mass.exp().clamp(0.0, 1.0)
            } else {
                0.0
            };
        }
        match c.tail(upper) {
            Tail::Power { .. } | Tail::LogSquared => {
                if upper {
                    c.sf(x)
                } else {
                    c.cdf(x)
                }
            }
            _ => 0.0,
        }
        .clamp(0.0, 1.0)
    };
    match d {
        Distribution::Parametric(c) => of(c),
        Distribution::Mixture(m) => m
            .components()
            .iter()
            .zip(m.weights())
            .map(|(c, w)| w * of(c))
            .sum(),
        Distribution::Histogram(_) | Distribution::Categories(_) => 0.0,
    }
}

/// A symmetric figure's error with the integral beyond the dropped tail nodes counted: every
/// symmetric integrand, direct or overlap, is at most ½(p + q), so that part is at most half
/// the masses of P and Q there.
fn with_dropped_tails(
    mut f: Figure,
    r: &quad::QuadResult,
    p: &Distribution,
    q: &Distribution,
) -> Figure {
    let beyond = 0.5 * (masses_beyond(r, p) + masses_beyond(r, q));
    if beyond > 0.0 {
        f.error += beyond;
        f.method.push_str(&format!(
            "; {beyond:.1e} of the mass lies beyond the doubles' reach, counted in the error"
        ));
    }
    f
}

/// KL's or an entropy's error with the integral beyond the dropped tail nodes counted
/// ([`dropped_tail_bound`]): a bound on ∫|p·ln(p/q)| (`q` given) or ∫|p·ln p| over what lies
/// beyond them.
fn with_dropped_tails_of(
    mut f: Figure,
    r: &quad::QuadResult,
    p: &Distribution,
    q: Option<&Distribution>,
) -> Figure {
    let (below, above) = cuts(r);
    let mut bound = 0.0;
    for (x, upper) in [(below, false), (above, true)] {
        if mass_beyond(p, x, upper) > 0.0 {
            bound += dropped_tail_bound(p, q, x, upper);
        }
    }
    if bound > 0.0 {
        if bound.is_finite() {
            f.error += bound;
        } else {
            f.error = f64::INFINITY;
        }
        f.method.push_str(&format!(
            "; the tail beyond the doubles' reach is counted in the error ({bound:.1e})"
        ));
    }
    f
}

/// A bound on ∫ p·|ln p − ln q| (or ∫ p·|ln p| without `q`) over the tail beyond `x`
/// (`upper`) or below it, `|x|` beyond about 1e302, where the quadrature dropped its nodes.
///
/// The argument. Every family whose tail reaches that far (power-law and log-normal tails:
/// [`mass_beyond`] is 0 for the others) is unimodal with its mode well inside, and a
/// mixture of densities that decrease beyond `x` decreases too; so p and q are monotone
/// beyond `x`. Cut the tail at `xₖ = x·2ᵏ` while that is a double. On a piece [xₖ, xₖ₊₁],
/// ln p lies between its values at the two ends and so does ln q, hence
/// |ln p − ln q| ≤ max(|ln p(xₖ₊₁) − ln q(xₖ)|, |ln p(xₖ) − ln q(xₖ₊₁)|) there (for the
/// entropy, |ln p| ≤ max(|ln p(xₖ)|, |ln p(xₖ₊₁)|)), and the piece's integral is at most its
/// mass P([xₖ, xₖ₊₁]) (from the cdf, exact) times that. Evaluating the log-densities at the
/// piece ends checks the monotonicity the argument needs: a rise gives an infinite bound.
///
/// Beyond the last double `x_K` (the families refuse parameters that leave more than 1e-12
/// of the mass there) the densities cannot be evaluated: there the bound comes from each
/// family's formula, as an envelope of its log-slope ([`super::beyond`], proven), for heavy
/// tails on both sides and for a light-tailed Q (a family, or a mixture of them) against a
/// heavy P. Only where none of those applies (a Gumbel's lower tail, which against a heavy P
/// is ∞ before any integral) would it be an estimate ([`asymptotic_beyond`]).
fn dropped_tail_bound(p: &Distribution, q: Option<&Distribution>, x: f64, upper: bool) -> f64 {
    let logs = |t: f64| (p.ln_density(t), q.map_or(0.0, |q| q.ln_density(t)));
    // The bound on |ln p − ln q| (or |ln p|) over a piece whose ends have these logs.
    let corner = |(lp0, lq0): (f64, f64), (lp1, lq1): (f64, f64)| {
        if q.is_some() {
            (lp1 - lq0).abs().max((lp0 - lq1).abs())
        } else {
            lp0.abs().max(lp1.abs())
        }
    };
    let mut bound = 0.0;
    let mut a = x;
    let mut la = logs(a);
    let mut sa = mass_beyond(p, a, upper);
    let mut slopes = (f64::NAN, f64::NAN);
    loop {
        let b = 2.0 * a;
        if !b.is_finite() {
            break;
        }
        let lb = logs(b);
        // Monotone tails: neither log-density may rise away from the bulk.
        if !(lb.0 <= la.0 && lb.1 <= la.1) || lb.0.is_nan() {
            return f64::INFINITY;
        }
        let sb = mass_beyond(p, b, upper);
        let piece = (sa - sb).max(0.0) + 4.0 * f64::EPSILON * sa;
        if piece > 0.0 {
            bound += piece * corner(la, lb);
        }
        slopes = (
            (la.0 - lb.0) / std::f64::consts::LN_2,
            (la.1 - lb.1) / std::f64::consts::LN_2,
        );
        (a, la, sa) = (b, lb, sb);
    }
    // Beyond the last double, the families' log-slope envelopes ([`super::beyond`]); where
    // one is missing, the estimate from the slopes at `a`.
    match super::beyond::bound_beyond(p, q, a, upper, la, sa) {
        Some(beyond) => bound + beyond,
        None => bound + asymptotic_beyond(p, q, a, la, sa, slopes),
    }
}

/// The part beyond the last double `a` when no envelope covers it (a Q whose tail falls
/// exponentially against a heavy P): from the log-slopes σ = −d ln p/d ln x over the last
/// piece (or over [a/2, a]), |ln p − ln q| grows from its value at `a` by at most
/// |σ_p − σ_q| per unit of ln(x/a), and ln(x/a) averages 1/(σ_p − 1) over P's tail there
/// (a power law x^−σ); both doubled. Asymptotic, not proven.
fn asymptotic_beyond(
    p: &Distribution,
    q: Option<&Distribution>,
    a: f64,
    la: (f64, f64),
    sa: f64,
    mut slopes: (f64, f64),
) -> f64 {
    if !(sa > 0.0) {
        return 0.0;
    }
    if slopes.0.is_nan() {
        // No piece fitted in the doubles: the slopes over [a/2, a], where the tails are
        // monotone too.
        let h = 0.5 * a;
        let lh = (p.ln_density(h), q.map_or(0.0, |q| q.ln_density(h)));
        if !(la.0 <= lh.0 && la.1 <= lh.1) {
            return f64::INFINITY;
        }
        slopes = (
            (lh.0 - la.0) / std::f64::consts::LN_2,
            (lh.1 - la.1) / std::f64::consts::LN_2,
        );
    }
    let (sp, sq) = slopes;
    let mean_log = 1.0 / (sp - 1.0);
    let growth = if q.is_some() { (sp - sq).abs() } else { sp };
    let rest = if q.is_some() {
        (la.0 - la.1).abs()
    } else {
        la.0.abs()
    };
    let beyond = sa * 2.0 * (rest + growth * mean_log);
    if !(beyond >= 0.0) || !(sp > 1.0) {
        return f64::INFINITY;
    }
    beyond
}
