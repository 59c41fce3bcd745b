//! Exact moments E_P\[k\] and Var_P\[k\] of each estimator, clamped or not: closed forms for two
//! normals (unclamped k1, k2, k3), exact sums for discrete distributions, logits and pairs of
//! histograms (over the common refinement of their edges), adaptive quadrature otherwise
//! (the segments and break points the KL integrals use). The variance is computed about the
//! mean found first (two passes), so it loses no digits to cancellation.

use super::tails::{log_moment_reason, ratio_square_reason};
use super::{Clamp, EstimateError, Estimator, value};
use crate::distribution::family::Family;
use crate::distribution::{Distribution, FamilyId, Kind, Parametric};
use crate::divergence::quad::Point;
use crate::divergence::{CompareError, Figure, Options, build_segments, infinite_reason, quad};

/// The exact mean and variance of one estimator under P.
#[derive(Clone, Debug, PartialEq)]
pub struct Moments {
    /// Which estimator.
    pub estimator: Estimator,
    /// Under which clamp.
    pub clamp: Clamp,
    /// E_P\[k\].
    pub mean: Figure,
    /// Var_P\[k\] (may be ∞ with its reason).
    pub variance: Figure,
}

impl Moments {
    /// The standard deviation of one sample, √Var.
    pub fn sd(&self) -> f64 {
        self.variance.value.max(0.0).sqrt()
    }
}

fn infinite(reason: String) -> Figure {
    Figure {
        value: f64::INFINITY,
        error: 0.0,
        method: "support and tail analysis".into(),
        reason: Some(reason),
    }
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Continuous => "continuous",
        Kind::Discrete => "discrete",
    }
}

/// E_P\[k\] and Var_P\[k\] of the four estimators of KL(P‖Q) under `clamp`, in [`Estimator::ALL`]
/// order.
///
/// # Errors
/// [`EstimateError`] when P and Q are of different kinds, or labelled categories meet an
/// integer family; [`CompareError::Cancelled`] when `opts.cancel` is set.
pub fn exact_moments(
    p: &Distribution,
    q: &Distribution,
    clamp: Clamp,
    opts: &Options,
) -> Result<Vec<Moments>, EstimateError> {
    let (p, q) = pair_for_sampling(p, q)?;
    let (p, q) = (&p, &q);
    let out = Estimator::ALL
        .into_iter()
        .map(|k| {
            if p.kind() == Kind::Discrete {
                discrete(p, q, k, clamp, opts)
            } else {
                continuous(p, q, k, clamp, opts)
            }
        })
        .collect();
    opts.cancel.check()?;
    Ok(out)
}

/// The pair as the estimators see it: of one kind, labelled categories on both sides turned
/// into categorical tables over the union of their labels (so that an index means the same
/// label under P and Q).
///
/// # Errors
/// [`CompareError::KindMismatch`], or [`EstimateError::Labels`] for labels against integers.
pub fn pair_for_sampling(
    p: &Distribution,
    q: &Distribution,
) -> Result<(Distribution, Distribution), EstimateError> {
    if p.kind() != q.kind() {
        return Err(CompareError::KindMismatch {
            p: p.to_spec(),
            p_kind: kind_word(p.kind()),
            q: q.to_spec(),
            q_kind: kind_word(q.kind()),
        }
        .into());
    }
    aligned(p, q)
}

fn aligned(
    p: &Distribution,
    q: &Distribution,
) -> Result<(Distribution, Distribution), EstimateError> {
    match (p, q) {
        (Distribution::Categories(a), Distribution::Categories(b)) => {
            let labels = crate::divergence::discrete::union_labels(a, b);
            let table = |probs: Vec<f64>| {
                let mut probs = probs;
                if probs.len() < 2 {
                    probs.push(0.0);
                }
                Parametric::new(FamilyId::Categorical, probs)
                    .map(Distribution::Parametric)
                    .map_err(|e| EstimateError::Compare(CompareError::Labels(e.to_string())))
            };
            Ok((table(a.aligned_to(&labels))?, table(b.aligned_to(&labels))?))
        }
        (Distribution::Categories(c), _) | (_, Distribution::Categories(c)) => {
            Err(EstimateError::Labels(c.display_name()))
        }
        _ => Ok((p.clone(), q.clone())),
    }
}

/// Which tail moments an estimator's mean and variance need: `(m for the mean, m for the
/// variance, whether the variance needs ∫q²/p)`.
fn needs(k: Estimator) -> (u32, u32, bool) {
    match k {
        Estimator::K1 | Estimator::Abs => (1, 2, false),
        Estimator::K2 => (2, 4, false),
        Estimator::K3 => (1, 2, true),
    }
}

/// Infinite mean or variance from supports and tails, for an unbounded estimator.
fn infinite_moments(
    p: &Distribution,
    q: &Distribution,
    k: Estimator,
) -> (Option<String>, Option<String>) {
    let names = ["P", "Q"];
    let (m_mean, m_var, ratio) = needs(k);
    if let Some(r) = infinite_reason(p, q, names) {
        return (Some(r.clone()), Some(format!("the mean is infinite: {r}")));
    }
    if let Some(r) = log_moment_reason(p, q, m_mean, names) {
        return (Some(r.clone()), Some(format!("the mean is infinite: {r}")));
    }
    let var = log_moment_reason(p, q, m_var, names)
        .or_else(|| ratio.then(|| ratio_square_reason(p, q, names)).flatten());
    (None, var)
}

fn continuous(
    p: &Distribution,
    q: &Distribution,
    k: Estimator,
    clamp: Clamp,
    opts: &Options,
) -> Moments {
    let (mean_inf, var_inf) = if clamp.bounds(k) {
        (None, None)
    } else {
        infinite_moments(p, q, k)
    };
    if let Some(r) = mean_inf {
        return Moments {
            estimator: k,
            clamp,
            mean: infinite(r),
            variance: infinite(var_inf.unwrap_or_default()),
        };
    }
    if clamp == Clamp::None
        && opts.closed_forms
        && let Some(m) = normal_closed(p, q, k)
    {
        return Moments {
            estimator: k,
            clamp,
            mean: m.0,
            variance: var_inf.map_or(m.1, infinite),
        };
    }
    if let (Distribution::Histogram(_), Distribution::Histogram(_)) = (p, q) {
        return histogram_pair(p, q, k, clamp, var_inf);
    }
    let segs = build_segments(p, q, &p.support());
    let integrate = |g: &dyn Fn(f64, f64) -> f64| {
        let mut f = |pt: Point| {
            let lp = p.ln_density_offset(pt.anchor, pt.offset);
            if lp == f64::NEG_INFINITY {
                return 0.0;
            }
            g(lp, q.ln_density_offset(pt.anchor, pt.offset))
        };
        let r = quad::integrate_until(
            &segs,
            &mut f,
            opts.rel_tol,
            1e-300,
            opts.max_intervals,
            &opts.cancel,
        );
        quad_figure(&r, opts.rel_tol)
    };
    let mean = integrate(&|lp, lq| weighted(k, clamp, lp, lq, 0.0, 1));
    let m = mean.value;
    let variance = match var_inf {
        Some(r) => infinite(r),
        None => integrate(&|lp, lq| weighted(k, clamp, lp, lq, m, 2)),
    };
    Moments {
        estimator: k,
        clamp,
        mean,
        variance,
    }
}

/// p·(k − m)^power at a point with log-densities `lp`, `lq`, without forming 0·∞ where p
/// underflows and r = q/p overflows (Q's tail heavier than P's): unclamped k3 there is
/// written with q itself, p·k3 = q − p − p·ln r and p·(k3 − m)² = (q²/p)·(1 − (1 + ln r + m)/r)².
pub(super) fn weighted(k: Estimator, clamp: Clamp, lp: f64, lq: f64, m: f64, power: i32) -> f64 {
    let lr = lq - lp;
    if k == Estimator::K3 && !clamp.bounds(k) && lr > 30.0 {
        return if power == 1 {
            lq.exp() - lp.exp() * (1.0 + lr + m)
        } else {
            let c = (1.0 + lr + m) * (-lr).exp();
            (2.0 * lq - lp).exp() * (1.0 - c) * (1.0 - c)
        };
    }
    let v = (value(k, clamp, lr) - m).powi(power);
    if v == 0.0 { 0.0 } else { lp.exp() * v }
}

fn quad_figure(r: &quad::QuadResult, rel_tol: f64) -> Figure {
    Figure::from_quad(r, rel_tol)
}

/// Two histograms: ln r is constant on each cell of the common refinement of their edges, so
/// the moments are exact sums over the cells.
fn histogram_pair(
    p: &Distribution,
    q: &Distribution,
    k: Estimator,
    clamp: Clamp,
    var_inf: Option<String>,
) -> Moments {
    let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (p, q) else {
        return Moments {
            estimator: k,
            clamp,
            mean: infinite("not a pair of histograms".into()),
            variance: infinite("not a pair of histograms".into()),
        };
    };
    let edges = crate::distribution::histogram::merge_sorted(&hp.edges(), &hq.edges());
    let cells: Vec<(f64, f64)> = edges
        .windows(2)
        .filter_map(|w| {
            let mid = 0.5 * (w[0] + w[1]);
            let lp = hp.ln_density(mid);
            (lp > f64::NEG_INFINITY).then(|| ((w[1] - w[0]) * lp.exp(), hq.ln_density(mid) - lp))
        })
        .collect();
    let sum = |g: &dyn Fn(f64) -> f64| {
        let (mut s, mut abs) = (0.0, 0.0);
        for (mass, lr) in &cells {
            let t = mass * g(*lr);
            s += t;
            abs += t.abs();
        }
        Figure {
            value: s,
            error: 4.0 * f64::EPSILON * cells.len() as f64 * abs,
            method: format!(
                "exact sum over {} cells of both histograms' edges",
                cells.len()
            ),
            reason: None,
        }
    };
    let mean = sum(&|lr| value(k, clamp, lr));
    let m = mean.value;
    let variance = match var_inf {
        Some(r) => infinite(r),
        None => sum(&|lr| (value(k, clamp, lr) - m).powi(2)),
    };
    Moments {
        estimator: k,
        clamp,
        mean,
        variance,
    }
}

/// Unclamped k1, k2, k3 for two normals. With x = μ_p + σ_p·z, ln r = α + βz + γz², whose
/// cumulants are κ1 = α + γ, κ2 = β² + 2γ², κ3 = 6β²γ + 8γ³, κ4 = 48β²γ² + 48γ⁴; and
/// E_P[r²] = e^{2α}(1 − 4γ)^{−½}·exp(2β²/(1 − 4γ)) when 1 − 4γ > 0 (else ∞).
fn normal_closed(p: &Distribution, q: &Distribution, k: Estimator) -> Option<(Figure, Figure)> {
    let (Distribution::Parametric(a), Distribution::Parametric(b)) = (p, q) else {
        return None;
    };
    let (Family::Normal(np), Family::Normal(nq)) = (a.named(), b.named()) else {
        return None;
    };
    let (mp, sp, mq, sq) = (np.mean, np.std_dev, nq.mean, nq.std_dev);
    let d = mp - mq;
    let alpha = (sp / sq).ln() - d * d / (2.0 * sq * sq);
    let beta = -sp * d / (sq * sq);
    // ½(1 − σp²/σq²), written to keep its digits when σp ≈ σq.
    let gamma = 0.5 * (sq - sp) * (sq + sp) / (sq * sq);
    let k1 = alpha + gamma;
    let k2 = beta * beta + 2.0 * gamma * gamma;
    let k3 = 6.0 * beta * beta * gamma + 8.0 * gamma.powi(3);
    let k4 = 48.0 * beta * beta * gamma * gamma + 48.0 * gamma.powi(4);
    let m1 = k1;
    let m2 = k2 + k1 * k1;
    let m4 = k4 + 4.0 * k3 * k1 + 3.0 * k2 * k2 + 6.0 * k2 * k1 * k1 + k1.powi(4);
    let kl_pq = -m1;
    let eps = 16.0 * f64::EPSILON;
    let fig = |v: f64, scale: f64, what: &str| Figure {
        value: v,
        error: eps * scale.max(v.abs()),
        method: format!("closed form (two normals: {what})"),
        reason: None,
    };
    Some(match k {
        Estimator::K1 => (
            fig(kl_pq, alpha.abs() + gamma.abs(), "E = −κ1"),
            fig(k2, k2, "Var = κ2 of ln r"),
        ),
        Estimator::K2 => (
            fig(0.5 * m2, m2, "E = ½E[(ln r)²]"),
            fig(
                0.25 * (m4 - m2 * m2),
                m4,
                "Var = ¼(E[(ln r)⁴] − E[(ln r)²]²)",
            ),
        ),
        Estimator::K3 => {
            // E_P[r] = 1, so E[k3] = KL(P‖Q).
            let mean = fig(kl_pq, alpha.abs() + gamma.abs(), "E = KL(P‖Q)");
            let c: f64 = 1.0 - 4.0 * gamma;
            if !(c > 0.0) {
                return Some((
                    mean,
                    infinite(format!(
                        "E_P[r²] = ∫q²/p diverges: Q's variance {} is at least twice P's {}",
                        crate::distribution::family::format_number(sq * sq),
                        crate::distribution::family::format_number(sp * sp)
                    )),
                ));
            }
            // E[k3²] = E[r²] − 1 + E[(ln r)²] − 2·KL(Q‖P) − 2·KL(P‖Q), with E_P[r·ln r] =
            // KL(Q‖P) from the closed form for two normals.
            let ln_r2 = 2.0 * alpha - 0.5 * c.ln() + 2.0 * beta * beta / c;
            let r2_minus_1 = ln_r2.exp_m1();
            // KL(Q‖P) = ln(σp/σq) + (σq² + d²)/(2σp²) − ½.
            let kl_qp = (sp / sq).ln() + (sq * sq + d * d) / (2.0 * sp * sp) - 0.5;
            let second = r2_minus_1 + m2 - 2.0 * kl_qp - 2.0 * kl_pq;
            let var = second - kl_pq * kl_pq;
            let scale = r2_minus_1.abs() + m2 + 2.0 * kl_qp.abs() + 2.0 * kl_pq.abs() + 1.0;
            (
                mean,
                Figure {
                    value: var.max(0.0),
                    error: eps * scale,
                    method: "closed form (two normals: E[r²] − 1 + E[(ln r)²] − 2KL(Q‖P) − 2KL(P‖Q) − KL²)".into(),
                    reason: None,
                },
            )
        }
        Estimator::Abs => return None,
    })
}

/// Terms between two looks at the cancel flag.
const CANCEL_TERMS: i64 = 1 << 14;

/// P's mass left out beyond the cut of an infinite support.
const TAIL_MASS: f64 = 1e-17;

/// An exact sum over P's integer support of `p_k·g(ln r_k)`; an infinite support is cut
/// where P's remaining mass is below [`TAIL_MASS`] and the terms have stopped mattering.
/// Returns `Err(reason)` when a term is infinite or the terms stop decaying.
fn discrete_sum(
    p: &Distribution,
    q: &Distribution,
    g: &dyn Fn(f64, f64) -> f64,
    opts: &Options,
) -> Result<Figure, String> {
    let (lo, hi) = p.support()[0];
    let lo = lo.max(-9.0e15) as i64;
    let finite_hi = hi.is_finite();
    let hi = if finite_hi { hi as i64 } else { i64::MAX };
    let (mut sum, mut abs) = (0.0f64, 0.0f64);
    let mut terms = 0i64;
    let mut exhausted_at: Option<(i64, f64)> = None;
    let mut last = 0.0f64;
    let mut k = lo;
    while k <= hi {
        if (k - lo) % CANCEL_TERMS == 0 && opts.cancel.is_cancelled() {
            break;
        }
        let lp = p.ln_pmf(k);
        let t = if lp == f64::NEG_INFINITY {
            0.0
        } else {
            g(lp, q.ln_pmf(k))
        };
        if t.is_infinite() {
            return Err(format!(
                "P has mass at k = {k} (p = {:.4}), where Q is 0",
                lp.exp()
            ));
        }
        sum += t;
        abs += t.abs();
        terms += 1;
        last = t.abs();
        if !finite_hi && (k - lo) % 64 == 63 {
            match exhausted_at {
                None => {
                    if p.sf(k as f64) < TAIL_MASS {
                        exhausted_at = Some((k, t.abs()));
                    }
                }
                Some((k0, t0)) => {
                    if t.abs() <= 1e-18 * sum.abs().max(1e-300) {
                        break;
                    }
                    if k - k0 > 1000 && t.abs() >= t0 && t.abs() > 0.0 {
                        return Err(format!(
                            "the terms stop decaying past k = {k0}: the sum diverges"
                        ));
                    }
                    if k - k0 > 10_000_000 {
                        break;
                    }
                }
            }
        }
        if k == i64::MAX {
            break;
        }
        k += 1;
    }
    Ok(Figure {
        value: sum,
        error: 4.0 * f64::EPSILON * terms as f64 * abs + if finite_hi { 0.0 } else { last * 64.0 },
        method: format!("exact sum over {terms} terms"),
        reason: None,
    })
}

fn discrete(
    p: &Distribution,
    q: &Distribution,
    k: Estimator,
    clamp: Clamp,
    opts: &Options,
) -> Moments {
    let term = |lp: f64, lq: f64| lp.exp() * value(k, clamp, lq - lp);
    let mean = match discrete_sum(p, q, &term, opts) {
        Ok(f) => f,
        Err(r) => {
            return Moments {
                estimator: k,
                clamp,
                variance: infinite(format!("the mean is infinite: {r}")),
                mean: infinite(r),
            };
        }
    };
    let m = mean.value;
    let central = |lp: f64, lq: f64| lp.exp() * (value(k, clamp, lq - lp) - m).powi(2);
    let mut variance = discrete_sum(p, q, &central, opts).unwrap_or_else(infinite);
    if k == Estimator::K3 && !clamp.bounds(k) && variance.value.is_finite() {
        // k3's variance needs Σ q²/p: check that it converges where P's tail is cut.
        let ratio = |lp: f64, lq: f64| (2.0 * lq - lp).exp();
        if let Err(r) = discrete_sum(p, q, &ratio, opts) {
            variance = infinite(format!("E_P[r²] = Σq²/p diverges: {r}"));
        }
    }
    Moments {
        estimator: k,
        clamp,
        mean,
        variance,
    }
}
