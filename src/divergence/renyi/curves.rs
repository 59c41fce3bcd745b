//! Pointwise integrands of every [`Divergence`], their running integrals for the plots, and
//! D_α against α.
//!
//! The Rényi integrand drawn is p·((p/q)^(α−1) − 1)/(α−1) = (p^α q^(1−α) − p)/(α − 1): it is
//! KL's p·ln(p/q) at α = 1, its integral M gives D_α = ln(1 + (α−1)·M)/(α−1), and the running
//! value shown is that transform of the running integral, so the curve ends at D_α.
//! χ² draws (p − q)²/q, the symmetric divergences their own integrands. ∞ where the integrand
//! is (q = 0 < p, for α > 1 and χ²); the running value is ∞ from where the divergence becomes
//! infinite ([`InfiniteFrom`]).

use crate::cancel::Cancelled;
use crate::distribution::{Distribution, merge_intervals};

use super::super::pointwise::{Curves, InfiniteFrom};
use super::super::running::{cell_integrals, midpoints};
use super::super::{CompareError, Options, integrate_pair, kl_term, symmetric_terms};
use super::{Divergence, renyi_located};

/// `(eˣ − 1)/x`, 1 at 0, to a few ulps near 0.
pub(crate) fn expm1_over(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else if x.abs() < 1e-5 {
        1.0 + x / 2.0 + x * x / 6.0
    } else {
        x.exp_m1() / x
    }
}

/// `ln(1 + x)/x`, 1 at 0, to a few ulps near 0 (x > −1).
pub(crate) fn ln1p_over(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else if x.abs() < 1e-4 {
        1.0 - x / 2.0 + x * x / 3.0 - x * x * x / 4.0
    } else {
        x.ln_1p() / x
    }
}

/// p·(e^(tL) − 1)/t from p, ln p and L = ln(p/q), without overflow of e^(tL) or loss near
/// t = 0 (where it is p·L).
fn term_from(t: f64, p: f64, lp: f64, l: f64) -> f64 {
    let x = t * l;
    if x.abs() < 1.0 {
        p * l * expm1_over(x)
    } else {
        ((lp + x).exp() - p) / t
    }
}

/// The Rényi integrand (p^α q^(1−α) − p)/(α − 1) from log-densities, t = α − 1: 0 where
/// p = 0; where q = 0 < p, p/(1 − α) for α < 1 and ∞ for α > 1. Where p underflows but
/// p^α q^(1−α) does not (ln p < −745 with q far smaller, as in the tail of P where a peak of
/// the integrand lies for α > 1), the term is p^α q^(1−α)/t from its log: dropping it there
/// lost 6e-4 of exponential(1) against a gamma mixture at α = 2 and 3e-4 of a normal against
/// a normal mixture at α = 1.33, with errors stated at 1e-11.
pub(crate) fn renyi_term(t: f64, lp: f64, lq: f64) -> f64 {
    let p = lp.exp();
    if lp == f64::NEG_INFINITY {
        0.0
    } else if p == 0.0 && lq > f64::NEG_INFINITY {
        (lp + t * (lp - lq)).exp() / t
    } else if p == 0.0 {
        if t < 0.0 { 0.0 } else { f64::INFINITY }
    } else if lq == f64::NEG_INFINITY {
        if t < 0.0 { p / -t } else { f64::INFINITY }
    } else {
        term_from(t, p, lp, lp - lq)
    }
}

/// [`renyi_term`] from the densities and the log of their ratio (a histogram cell).
pub(crate) fn renyi_term_ratio(t: f64, p: f64, q: f64, ln_ratio: f64) -> f64 {
    if p == 0.0 {
        0.0
    } else if q == 0.0 {
        if t < 0.0 { p / -t } else { f64::INFINITY }
    } else {
        term_from(t, p, p.ln(), ln_ratio)
    }
}

fn pearson(lp: f64, lq: f64) -> f64 {
    let (p, q) = (lp.exp(), lq.exp());
    if q == 0.0 {
        if p > 0.0 { f64::INFINITY } else { 0.0 }
    } else {
        (p - q) * (p - q) / q
    }
}

/// The pointwise integrand of `divergence` in the P‖Q direction from ln p and ln q (swap
/// them for Q‖P).
pub fn integrand(divergence: Divergence, lp: f64, lq: f64) -> f64 {
    match divergence {
        Divergence::Kl => kl_term(lp, lq),
        Divergence::Renyi(a) => renyi_term(a - 1.0, lp, lq),
        Divergence::Chi2 => pearson(lp, lq),
        Divergence::NeymanChi2 => pearson(lq, lp),
        Divergence::Js => symmetric_terms(lp, lq)[0],
        Divergence::Tv => symmetric_terms(lp, lq)[1],
        Divergence::SquaredHellinger => symmetric_terms(lp, lq)[2],
    }
}

/// The divergence up to x from the integral of [`integrand`] up to x: ln(1 + tM)/t for
/// Rényi, the integral itself otherwise. ∞ where 1 + tM ≤ 0.
pub fn running_value(divergence: Divergence, integral: f64) -> f64 {
    match divergence {
        Divergence::Renyi(a) if a != 1.0 => {
            let y = (a - 1.0) * integral;
            if 1.0 + y > 0.0 {
                integral * ln1p_over(y)
            } else {
                f64::INFINITY
            }
        }
        _ => integral,
    }
}

/// Where each direction's running value becomes ∞: `base` holds KL's.
fn infinite_from(
    p: &Distribution,
    q: &Distribution,
    divergence: Divergence,
    base: &Curves,
    opts: &Options,
) -> Result<[Option<InfiniteFrom>; 2], CompareError> {
    let renyi_at = |alpha: f64| -> Result<[Option<InfiniteFrom>; 2], CompareError> {
        Ok([
            renyi_located(p, q, alpha, ["P", "Q"], opts)?.1,
            renyi_located(q, p, alpha, ["Q", "P"], opts)?.1,
        ])
    };
    Ok(match divergence {
        Divergence::Kl => [base.infinite_from_pq, base.infinite_from_qp],
        Divergence::Renyi(1.0) => [base.infinite_from_pq, base.infinite_from_qp],
        Divergence::Renyi(a) => renyi_at(a)?,
        Divergence::Chi2 => renyi_at(2.0)?,
        Divergence::NeymanChi2 => {
            let [a, b] = renyi_at(2.0)?;
            [b, a]
        }
        Divergence::SquaredHellinger | Divergence::Tv | Divergence::Js => [None, None],
    })
}

/// Terms summed left of the view at most for discrete pairs.
const MAX_TERMS_BELOW: i64 = 1_000_000;

/// `base` (KL's curves) redrawn for `divergence`: the same x and densities, its integrand
/// both ways and the running value, which ends at the divergence.
///
/// # Errors
/// [`CompareError::Cancelled`] when `opts.cancel` is set; the other errors of
/// [`super::divergence_pair`].
pub fn family_curves(
    p: &Distribution,
    q: &Distribution,
    base: &Curves,
    divergence: Divergence,
    opts: &Options,
) -> Result<Curves, CompareError> {
    if divergence == Divergence::Kl || base.x.is_empty() {
        return Ok(base.clone());
    }
    let mut c = base.clone();
    let [from_pq, from_qp] = infinite_from(p, q, divergence, base, opts)?;
    c.infinite_from_pq = from_pq;
    c.infinite_from_qp = from_qp;
    let lower = |v: f64| if v > 0.0 { v.ln() } else { f64::NEG_INFINITY };
    c.d_pq =
        c.p.iter()
            .zip(&c.q)
            .map(|(a, b)| integrand(divergence, lower(*a), lower(*b)))
            .collect();
    c.d_qp =
        c.p.iter()
            .zip(&c.q)
            .map(|(a, b)| integrand(divergence, lower(*b), lower(*a)))
            .collect();
    let finite_where_q_is_zero = match divergence {
        Divergence::Renyi(a) => a < 1.0,
        Divergence::SquaredHellinger | Divergence::Tv | Divergence::Js => true,
        _ => false,
    };
    if finite_where_q_is_zero {
        c.infinite_pq.clear();
        c.infinite_qp.clear();
    } else if divergence == Divergence::NeymanChi2 {
        std::mem::swap(&mut c.infinite_pq, &mut c.infinite_qp);
    }
    let x0 = c.x[0];
    let below = |a: &Distribution, b: &Distribution| -> Result<f64, CompareError> {
        opts.cancel.check()?;
        if c.discrete {
            let first = a.support()[0].0.min(b.support()[0].0);
            let start = (x0 as i64).saturating_sub(MAX_TERMS_BELOW);
            let start = if first.is_finite() {
                (first as i64).max(start)
            } else {
                start
            };
            let mut sum = 0.0;
            for k in start..(x0 as i64) {
                sum += integrand(divergence, a.ln_pmf(k), b.ln_pmf(k));
            }
            return Ok(sum);
        }
        let mut domain = a.support();
        domain.extend(b.support());
        let domain: Vec<(f64, f64)> = merge_intervals(domain)
            .into_iter()
            .filter(|(lo, _)| *lo < x0)
            .map(|(lo, hi)| (lo, hi.min(x0)))
            .filter(|(lo, hi)| hi > lo)
            .collect();
        if domain.is_empty() {
            return Ok(0.0);
        }
        let quick = Options {
            rel_tol: 1e-8,
            max_intervals: 400,
            ..opts.clone()
        };
        Ok(integrate_pair(a, b, &domain, &quick, |lp, lq| {
            integrand(divergence, lp, lq)
        })
        .value)
    };
    let starts = [below(p, q)?, below(q, p)?];
    let (mid_p, mid_q) = if c.discrete {
        (Vec::new(), Vec::new())
    } else {
        midpoints(p, q, &c.x, &opts.cancel)?
    };
    let g = move |lp: f64, lq: f64| integrand(divergence, lp, lq);
    for (a, b, run, d, from, start, mid) in [
        (
            p,
            q,
            &mut c.run_pq,
            &c.d_pq,
            from_pq,
            starts[0],
            (&mid_p, &mid_q),
        ),
        (
            q,
            p,
            &mut c.run_qp,
            &c.d_qp,
            from_qp,
            starts[1],
            (&mid_q, &mid_p),
        ),
    ] {
        let covers = |x: f64| from.is_some_and(|f| f.covers(x));
        let x = &c.x;
        let cells = if c.discrete {
            Vec::new()
        } else {
            cell_integrals(
                a,
                b,
                (x, d),
                (mid.0, mid.1),
                g,
                |i| covers(x[i + 1]),
                &opts.cancel,
            )?
        };
        run.clear();
        let mut acc = if covers(x[0]) || start.is_nan() {
            f64::INFINITY
        } else {
            start
        };
        for i in 0..x.len() {
            if c.discrete {
                if i > 0 || start.is_finite() {
                    acc += d[i];
                }
            } else if i > 0 {
                acc += cells[i - 1];
            }
            run.push(if covers(x[i]) {
                f64::INFINITY
            } else {
                running_value(divergence, acc)
            });
        }
    }
    opts.cancel.check()?;
    Ok(c)
}

/// D_α(P‖Q) and D_α(Q‖P) at each α of [`alpha_grid`] (nats; `+inf` where infinite).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlphaCurve {
    /// The orders.
    pub alpha: Vec<f64>,
    /// D_α(P‖Q).
    pub pq: Vec<f64>,
    /// D_α(Q‖P).
    pub qp: Vec<f64>,
}

/// The orders the α curve is computed at: 0.02, 0.05, then 0.1 to 5 by 0.1 (1 included, where
/// it is KL).
pub fn alpha_grid() -> Vec<f64> {
    let mut v = vec![0.02, 0.05];
    v.extend((1..=50).map(|i| f64::from(i) / 10.0));
    v
}

/// D_α both ways on [`alpha_grid`].
///
/// # Errors
/// [`CompareError`] as [`super::renyi`] (cancelled included).
pub fn alpha_curve(
    p: &Distribution,
    q: &Distribution,
    opts: &Options,
) -> Result<AlphaCurve, Cancelled> {
    let mut out = AlphaCurve::default();
    let quick = Options {
        rel_tol: 1e-8,
        ..opts.clone()
    };
    for alpha in alpha_grid() {
        let at = |a: &Distribution, b: &Distribution, names| match renyi_located(
            a, b, alpha, names, &quick,
        ) {
            Ok((f, _)) => Ok(f.value),
            Err(CompareError::Cancelled) => Err(Cancelled),
            Err(_) => Ok(f64::NAN),
        };
        let pq = at(p, q, ["P", "Q"])?;
        let qp = at(q, p, ["Q", "P"])?;
        out.alpha.push(alpha);
        out.pq.push(pq);
        out.qp.push(qp);
    }
    Ok(out)
}
