//! When D_α(P‖Q) is ∞ for α > 1 without a closed form: P's mass where Q has none, or a tail or
//! support edge where p^α q^(1−α) is not integrable (decided from the parameters by
//! [`super::asymptote`]).

use crate::distribution::Distribution;
use crate::distribution::family::format_number;

use super::super::uncovered;
use super::asymptote::{self, Place, Verdict};

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

/// Whether ∫ p^α q^(1−α) (α > 1) converges at every end and edge, from the expansions of
/// [`super::asymptote`].
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Integrability {
    /// It converges everywhere; `ties` names leading terms that cancelled on the way.
    Converges {
        /// Where leading terms cancelled and the next term decided, in words.
        ties: Vec<String>,
    },
    /// It diverges: the sentence, and the smallest x where it does.
    Diverges {
        /// Why, in words.
        reason: String,
        /// Where the running integral becomes ∞ (sweeping from −∞).
        from: f64,
    },
    /// No place diverges, but a tail could not be described.
    NotDecided(String),
}

/// The places where p^α q^(1−α) can fail to be integrable: ±∞ where P reaches them, and both
/// sides of every finite edge of a component of P or Q inside P's support.
fn places(p: &Distribution, q: &Distribution) -> Vec<Place> {
    let ps = p.support();
    let (Some(first), Some(last)) = (ps.first(), ps.last()) else {
        return Vec::new();
    };
    let mut points = Vec::new();
    asymptote::edges(p, &mut points);
    asymptote::edges(q, &mut points);
    for &(lo, hi) in &ps {
        points.extend([lo, hi].into_iter().filter(|v| v.is_finite()));
    }
    points.retain(|e| first.0 <= *e && *e <= last.1);
    points.sort_by(f64::total_cmp);
    points.dedup();
    let mut out = Vec::new();
    if first.0 == f64::NEG_INFINITY {
        out.push(Place::MinusInfinity);
    }
    for e in points {
        out.push(Place::Below(e));
        out.push(Place::Above(e));
    }
    if last.1 == f64::INFINITY {
        out.push(Place::PlusInfinity);
    }
    out
}

/// Decides whether ∫ p^α q^(1−α) (α > 1) converges, place by place, from P's and Q's
/// parameters. P's support is inside Q's (the caller checked the gaps).
pub(super) fn integrability(
    p: &Distribution,
    q: &Distribution,
    alpha: f64,
    names: [&str; 2],
) -> Integrability {
    let [pn, qn] = names;
    let mut ties = Vec::new();
    let mut unknown = None;
    for place in places(p, q) {
        let (ep, eq) = match (
            asymptote::expansion(p, place),
            asymptote::expansion(q, place),
        ) {
            (Ok(Some(ep)), Ok(Some(eq))) => (ep, eq),
            (Ok(None), _) => continue,
            (Ok(Some(_)), Ok(None)) => {
                return Integrability::Diverges {
                    reason: format!(
                        "{pn} has mass {}, where {qn}'s density is 0: q^(1−α) is infinite there for α > 1",
                        place.describe()
                    ),
                    from: place.x(),
                };
            }
            (Err(e), _) | (_, Err(e)) => {
                unknown.get_or_insert(format!("{} {}", e.0, place.describe()));
                continue;
            }
        };
        match asymptote::decide(alpha, &ep, &eq, place, names) {
            Verdict::Diverges(reason) => {
                return Integrability::Diverges {
                    reason,
                    from: place.x(),
                };
            }
            Verdict::Converges { tie: Some(t) } => {
                ties.push(format!("the {t} cancel {}", place.describe()));
            }
            Verdict::Converges { tie: None } => {}
        }
    }
    match unknown {
        Some(why) => Integrability::NotDecided(why),
        None => Integrability::Converges { ties },
    }
}
