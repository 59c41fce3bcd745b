//! Two continuous distributions that are not both histograms: KL, entropy and the symmetric
//! divergences by closed form where one is known, by quadrature otherwise.

use super::normal_pair;
use super::quad::{self, Point};
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
    let mut f = |pt: Point| {
        let lp = p.ln_density_offset(pt.anchor, pt.offset);
        let lq = q.ln_density_offset(pt.anchor, pt.offset);
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
    Figure::from_quad(&r, opts.rel_tol)
}

/// A bound on the rounding error of [`kl_term`]: each log is good to a few ulps of its own
/// magnitude, so `ln p − ln q` is good to about ε·(|ln p| + |ln q| + 1), whatever the
/// difference. Near-identical P and Q make this the whole error (issue 10).
fn kl_term_rounding(lp: f64, lq: f64) -> f64 {
    let p = lp.exp();
    if p == 0.0 || lq == f64::NEG_INFINITY {
        0.0
    } else {
        8.0 * f64::EPSILON * p * (lp.abs() + lq.abs() + 1.0)
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
    Figure::from_quad(&r, opts.rel_tol)
}

pub(super) fn symmetric_continuous(
    p: &Distribution,
    q: &Distribution,
    opts: &Options,
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
    let figs: Vec<Figure> = (0..3)
        .map(|i| {
            let r = integrate_pair(p, q, &domain, opts, |lp, lq| symmetric_terms(lp, lq)[i]);
            Figure::from_quad(&r, opts.rel_tol)
        })
        .collect();
    let [js, tv, h2] = <[Figure; 3]>::try_from(figs).unwrap_or_else(|_| {
        let nan = Figure::infinite(String::new());
        [nan.clone(), nan.clone(), nan]
    });
    [js, tv, hellinger_from_squared(&h2)]
}
