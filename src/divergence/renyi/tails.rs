//! When D_α(P‖Q) is ∞ for α > 1 without a closed form: P's mass where Q has none, or a tail or
//! support edge where p^α q^(1−α) is not integrable.

use crate::distribution::family::format_number;
use crate::distribution::{Distribution, Tail};

use super::super::uncovered;

/// The total length two supports share.
pub(super) fn overlap(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    let mut total = 0.0;
    for &(alo, ahi) in a {
        for &(blo, bhi) in b {
            let (lo, hi) = (alo.max(blo), ahi.min(bhi));
            if hi > lo {
                total += if (hi - lo).is_finite() {
                    hi - lo
                } else {
                    f64::INFINITY
                };
            }
        }
    }
    total
}

fn region(lo: f64, hi: f64) -> String {
    match (lo.is_finite(), hi.is_finite()) {
        (false, false) => "the whole real line".into(),
        (false, true) => format!("x < {}", format_number(hi)),
        (true, false) => format!("x > {}", format_number(lo)),
        (true, true) => format!("[{}, {}]", format_number(lo), format_number(hi)),
    }
}

/// Where P has mass and Q has none: the sentence and where that region starts.
pub(super) fn gap_reason(
    ps: &[(f64, f64)],
    qs: &[(f64, f64)],
    [pn, qn]: [&str; 2],
) -> Option<(String, f64)> {
    let gaps = uncovered(ps, qs);
    let &(lo, hi) = gaps.first()?;
    Some((
        format!(
            "{pn} has mass on {}, where {qn}'s density is 0: q^(1−α) is infinite there for α > 1",
            region(lo, hi)
        ),
        lo,
    ))
}

/// Whether p^α q^(1−α) (α > 1) is integrable at an end that both reach, from the two
/// tails there: `Some(true)` when it diverges, `Some(false)` when it converges, `None` when
/// the tails alone do not decide (equal light tails: their constants decide).
pub fn diverges(alpha: f64, p: Tail, q: Tail) -> Option<bool> {
    use Tail as T;
    let t = alpha - 1.0;
    Some(match (p, q) {
        // |x − e|^(α·s_p − t·s_q) near an edge: integrable when the power is > −1.
        (T::Edge { s: sp }, T::Edge { s: sq }) => alpha * sp - t * sq <= -1.0,
        // q vanishes faster than any power at the edge, so q^(1−α) blows up faster.
        (T::Edge { .. }, T::EdgeLogSquared | T::EdgeExpInverse) => true,
        (T::EdgeLogSquared | T::EdgeExpInverse, T::Edge { .. }) => false,
        (T::EdgeExpInverse, T::EdgeLogSquared) => false,
        (T::EdgeLogSquared, T::EdgeExpInverse) => true,
        // |x|^(−α(a_p + 1) + t(a_q + 1)): integrable when α·a_p − t·a_q > 0.
        (T::Power { alpha: ap }, T::Power { alpha: aq }) => alpha * ap - t * aq <= 0.0,
        // A power law against a lighter tail: q^(1−α) grows faster than p^α decays.
        (T::Power { .. }, T::Stretched { .. } | T::LogSquared | T::DoubleExp { .. }) => true,
        (T::LogSquared, T::Stretched { .. } | T::DoubleExp { .. }) => true,
        (T::Stretched { k: kp, .. }, T::Stretched { k: kq, .. }) if kp != kq => kq > kp,
        (T::Stretched { .. }, T::DoubleExp { .. }) => true,
        (T::DoubleExp { rate: rp }, T::DoubleExp { rate: rq }) if rp != rq => rq > rp,
        // P's tail is lighter than Q's: p^α q^(1−α) = p·(p/q)^t decays with p.
        (T::Stretched { .. } | T::DoubleExp { .. }, T::Power { .. } | T::LogSquared) => false,
        (T::DoubleExp { .. }, T::Stretched { .. }) => false,
        (T::LogSquared, T::Power { .. }) => false,
        _ => return None,
    })
}

/// The first end of P's support where p^α q^(1−α) is not integrable (α > 1), with the
/// sentence. P's support is inside Q's (the caller checked).
pub(super) fn diverging_end(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    [pn, qn]: [&str; 2],
) -> Option<(String, f64)> {
    for (lo, hi) in p.support() {
        for (end, upper) in [(lo, false), (hi, true)] {
            let (pt, qt) = (p.tail_at(end, upper), q.tail_at(end, upper));
            if diverges(alpha, pt, qt) == Some(true) {
                let place = if end.is_infinite() {
                    format!("as x → {}∞", if upper { "+" } else { "−" })
                } else {
                    format!("near x = {}", format_number(end))
                };
                return Some((
                    format!(
                        "p^α q^(1−α) is not integrable {place} for α = {}: {pn}'s {} is too heavy for {qn}'s {}",
                        format_number(alpha),
                        pt.describe(),
                        qt.describe()
                    ),
                    end,
                ));
            }
        }
    }
    None
}
