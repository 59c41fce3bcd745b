//! Divergences between discrete distributions: exact sums.
//!
//! Infinite supports are cut only where the remaining mass (from the survival function) is
//! below 1e-17, and the mass left out enters the error estimate. Named categories are aligned
//! by label: a label missing on one side has probability 0 there.

use crate::distribution::{Categories, Distribution, FamilyId, Parametric};

use super::{CompareError, Figure, Options, Report, assemble, closed, hellinger_from_squared};

/// Terms between two looks at the cancel flag.
const CANCEL_TERMS: i64 = 1 << 16;

/// Remaining mass below which an infinite support is cut.
pub const TAIL_MASS: f64 = 1e-17;

/// A discrete pair made comparable: categories become categorical distributions over one
/// shared list of labels.
struct Aligned {
    p: Distribution,
    q: Distribution,
    labels: Option<Vec<String>>,
}

fn categorical(probs: Vec<f64>) -> Result<Distribution, CompareError> {
    Parametric::new(FamilyId::Categorical, pad(probs))
        .map(Distribution::Parametric)
        .map_err(|e| CompareError::Labels(e.to_string()))
}

/// P's labels in their order, then Q's that P lacks: the one list two labelled files are
/// compared over (the figures and the bin table both use it).
pub fn union_labels(a: &Categories, b: &Categories) -> Vec<String> {
    let mut labels = a.labels.clone();
    let mut seen: std::collections::HashSet<&str> = a.labels.iter().map(String::as_str).collect();
    for l in &b.labels {
        if seen.insert(l.as_str()) {
            labels.push(l.clone());
        }
    }
    labels
}

fn integer_labels(c: &Categories) -> Option<Vec<usize>> {
    c.labels
        .iter()
        .map(|l| l.trim().parse::<usize>().ok())
        .collect()
}

fn align(p: &Distribution, q: &Distribution) -> Result<Aligned, CompareError> {
    match (p, q) {
        (Distribution::Categories(a), Distribution::Categories(b)) => {
            let labels = union_labels(a, b);
            let pa = a.aligned_to(&labels);
            let qa = b.aligned_to(&labels);
            Ok(Aligned {
                p: categorical(pa)?,
                q: categorical(qa)?,
                labels: Some(labels),
            })
        }
        (Distribution::Categories(c), other) | (other, Distribution::Categories(c)) => {
            let Some(ints) = integer_labels(c) else {
                return Err(CompareError::Labels(format!(
                    "{} has named categories ({}), but {} is over the integers; compare it with another labelled file",
                    c.display_name(),
                    c.labels
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    other.to_spec()
                )));
            };
            let max = ints.iter().copied().max().unwrap_or(0);
            let mut probs = vec![0.0; max + 1];
            for (k, prob) in ints.iter().zip(&c.probs) {
                probs[*k] += prob;
            }
            let converted = categorical(probs)?;
            let (p, q) = if matches!(p, Distribution::Categories(_)) {
                (converted, other.clone())
            } else {
                (other.clone(), converted)
            };
            Ok(Aligned { p, q, labels: None })
        }
        _ => Ok(Aligned {
            p: p.clone(),
            q: q.clone(),
            labels: None,
        }),
    }
}

/// The pair made comparable (categories aligned by label) and the shared labels, for the
/// Rényi sums.
pub(super) fn aligned(
    p: &Distribution,
    q: &Distribution,
) -> Result<(Distribution, Distribution, Option<Vec<String>>), CompareError> {
    let a = align(p, q)?;
    Ok((a.p, a.q, a.labels))
}

fn pad(mut v: Vec<f64>) -> Vec<f64> {
    if v.len() < 2 {
        v.push(0.0);
    }
    v
}

fn name_of(k: i64, labels: Option<&[String]>) -> String {
    match labels.and_then(|l| usize::try_from(k).ok().and_then(|i| l.get(i))) {
        Some(label) => format!("'{label}'"),
        None => format!("k = {k}"),
    }
}

/// The integer range to sum over: where `dists` have all but [`TAIL_MASS`] of their mass, and
/// the mass left outside.
pub(super) fn range(dists: &[&Distribution]) -> (i64, i64, f64) {
    let mut lo = i64::MAX;
    let mut hi = i64::MIN;
    let mut left_out = 0.0;
    for d in dists {
        let (slo, shi) = d.support()[0];
        let mut a = slo as i64;
        if slo.is_finite() && d.cdf(slo) < TAIL_MASS {
            // Skip a negligible lower tail of a large-mean distribution.
            a = a.max(d.quantile(TAIL_MASS) as i64 - 1);
        }
        let b = if shi.is_finite() {
            shi as i64
        } else {
            let mut b = (d.quantile(0.5).max(slo) as i64).max(1);
            let mut prev = 1.0;
            loop {
                let s = d.sf(b as f64);
                // A survival function stuck at its rounding floor (a mixture with a table
                // component: 1 − cdf is 1e-16, not 0, past its last category) would double
                // the range to 2^61 terms; a light tail halves at least at each doubling.
                let stalled = s <= 1e-12 && s >= 0.5 * prev;
                if s < TAIL_MASS || stalled || b >= i64::MAX / 4 {
                    break;
                }
                prev = s;
                b = b.saturating_mul(2);
            }
            // Narrow down to the first point past the cut.
            let (mut x, mut y) = (b / 2, b);
            while y - x > 1 {
                let m = x + (y - x) / 2;
                if d.sf(m as f64) >= TAIL_MASS {
                    x = m
                } else {
                    y = m
                }
            }
            left_out += d.sf(y as f64);
            y
        };
        left_out += if a > slo as i64 {
            d.cdf((a - 1) as f64)
        } else {
            0.0
        };
        lo = lo.min(a);
        hi = hi.max(b);
    }
    (lo.max(0), hi, left_out)
}

fn kl_aligned(a: &Aligned, names: [&str; 2], opts: &Options) -> Figure {
    let (p, q) = (&a.p, &a.q);
    let [pn, qn] = names;
    let labels = a.labels.as_deref();
    let (plo, phi) = p.support()[0];
    let (qlo, qhi) = q.support()[0];
    if labels.is_none() && plo < qlo {
        return Figure::infinite(format!(
            "{pn} has mass at {}, where {qn} is 0 ({qn}'s support starts at {})",
            name_of(plo as i64, labels),
            name_of(qlo as i64, labels)
        ));
    }
    if labels.is_none() && phi > qhi {
        return Figure::infinite(format!(
            "{pn} has mass at {}, where {qn} is 0",
            name_of(qhi as i64 + 1, labels)
        ));
    }
    if opts.closed_forms
        && let (Distribution::Parametric(x), Distribution::Parametric(y)) = (p, q)
        && let Some(figure) = closed::kl_figure(x, y)
    {
        return figure;
    }
    let (lo, hi, left_out) = range(&[p]);
    let mut sum = 0.0;
    let mut abs = 0.0;
    let mut last_ratio: f64 = 0.0;
    for k in lo..=hi {
        if k.wrapping_sub(lo) % CANCEL_TERMS == 0 && opts.cancel.is_cancelled() {
            break;
        }
        let lp = p.ln_pmf(k);
        if lp == f64::NEG_INFINITY {
            continue;
        }
        let lq = q.ln_pmf(k);
        if lq == f64::NEG_INFINITY {
            return Figure::infinite(format!(
                "{pn} has mass at {} ({} = {:.4}), where {qn} is 0",
                name_of(k, labels),
                pn.to_lowercase(),
                lp.exp()
            ));
        }
        let t = lp.exp() * (lp - lq);
        sum += t;
        abs += t.abs();
        last_ratio = (lp - lq).abs();
    }
    let terms = (hi - lo + 1).max(0);
    Figure {
        value: sum,
        error: 4.0 * f64::EPSILON * terms as f64 * abs + left_out * last_ratio.max(1.0),
        method: format!("exact sum over {terms} terms"),
        reason: None,
    }
}

fn entropy_of(p: &Distribution, opts: &Options) -> Figure {
    if opts.closed_forms
        && let Distribution::Parametric(x) = p
        && let Some(v) = closed::entropy(x)
    {
        return Figure::closed(v, &format!("{} entropy", x.family().name()));
    }
    let (lo, hi, left_out) = range(&[p]);
    let mut sum = 0.0;
    for k in lo..=hi {
        if k.wrapping_sub(lo) % CANCEL_TERMS == 0 && opts.cancel.is_cancelled() {
            break;
        }
        let lp = p.ln_pmf(k);
        if lp > f64::NEG_INFINITY {
            sum -= lp.exp() * lp;
        }
    }
    let terms = (hi - lo + 1).max(0);
    Figure {
        value: sum,
        error: 4.0 * f64::EPSILON * terms as f64 * sum.abs() + left_out * 50.0,
        method: format!("exact sum over {terms} terms"),
        reason: None,
    }
}

/// KL(P‖Q) for discrete P and Q.
///
/// # Errors
/// [`CompareError::Labels`] when named categories meet an integer family.
pub fn kl(p: &Distribution, q: &Distribution, opts: &Options) -> Result<Figure, CompareError> {
    let a = align(p, q)?;
    Ok(kl_aligned(&a, ["P", "Q"], opts))
}

/// Every figure for discrete P and Q.
///
/// # Errors
/// As [`kl`].
pub fn compare(p: &Distribution, q: &Distribution, opts: &Options) -> Result<Report, CompareError> {
    let a = align(p, q)?;
    let swapped = Aligned {
        p: a.q.clone(),
        q: a.p.clone(),
        labels: a.labels.clone(),
    };
    let kl_pq = kl_aligned(&a, ["P", "Q"], opts);
    let kl_qp = kl_aligned(&swapped, ["Q", "P"], opts);
    let entropy_p = entropy_of(&a.p, opts);
    let entropy_q = entropy_of(&a.q, opts);
    let (lo, hi, left_out) = range(&[&a.p, &a.q]);
    let mut sums = [0.0f64; 3];
    for k in lo..=hi {
        if k.wrapping_sub(lo) % CANCEL_TERMS == 0 && opts.cancel.is_cancelled() {
            break;
        }
        let t = super::symmetric_terms(a.p.ln_pmf(k), a.q.ln_pmf(k));
        for i in 0..3 {
            sums[i] += t[i];
        }
    }
    let terms = (hi - lo + 1).max(0);
    let fig = |v: f64| Figure {
        value: v,
        error: 4.0 * f64::EPSILON * terms as f64 * v.abs().max(1e-300) + left_out,
        method: format!("exact sum over {terms} terms"),
        reason: None,
    };
    let h2 = fig(sums[2]);
    Ok(assemble(
        kl_pq,
        kl_qp,
        entropy_p,
        entropy_q,
        [fig(sums[0]), fig(sums[1]), hellinger_from_squared(&h2)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    #[test]
    fn a_mixture_with_a_table_component_has_a_finite_range() {
        // Its survival function stalls at 1e-16 past the last category; the range used to
        // double to 2^61 terms and never finish.
        let m = parse_spec(
            "1.143*categorical(0.784, 0.549, 0.887, 0.595, 0.019) + 1.264*poisson(6.559)",
        )
        .unwrap();
        let (lo, hi, left_out) = range(&[&m]);
        assert_eq!(lo, 0);
        assert!(hi < 1000, "{hi}");
        assert!(left_out < 1e-12, "{left_out}");
        let q = parse_spec("logits(0.285, -1.95, -3.179)").unwrap();
        let r = crate::divergence::compare(&m, &q, &Options::default()).unwrap();
        assert_eq!(
            r.kl_pq.value,
            f64::INFINITY,
            "P has mass past Q's last category"
        );
        assert!(r.kl_qp.value.is_finite() && r.kl_qp.value > 0.0);
    }
}
