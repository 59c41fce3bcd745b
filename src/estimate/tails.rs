//! Which moments of the estimators are infinite, from the tails of P and Q (as
//! [`crate::distribution::tail::diverges`] decides KL's finiteness).
//!
//! - E_P[|ln r|^m] is infinite exactly when E_P[|ln q|^m] diverges at an end P reaches
//!   (E_P[|ln p|^m] is finite for every family here): that depends on how fast −ln q grows
//!   there and how much mass P leaves, the rule of `diverges` with the power `m`.
//! - E_P[r²] = ∫ q²/p is k3's extra need. It is finite at an end when q decays there in a
//!   faster class than p (power < ln² < stretched exponential < double exponential; at a
//!   finite edge: power < ln² < exp(−c/x)), infinite when p decays in a faster class, and
//!   decided by the exponents within a class where [`Tail`] carries them. Where it does not
//!   (two log-normal tails, two exp(−c/x) edges, stretched tails with 2c_q = c_p), nothing
//!   is claimed and quadrature gives the figure.

use crate::distribution::{Distribution, Tail};

/// Whether E_P[|ln q|^m] diverges at an end with P's tail `p` and Q's tail `q`.
pub(super) fn log_moment_diverges(p: Tail, q: Tail, m: f64) -> bool {
    match q {
        Tail::Edge { .. } | Tail::Power { .. } | Tail::LogSquared | Tail::EdgeLogSquared => false,
        // |ln q| ~ c/d near the edge: E_P[d^−m] with p ~ d^s is finite iff s − m > −1.
        Tail::EdgeExpInverse => matches!(p, Tail::Edge { s } if s <= m - 1.0),
        // |ln q| ~ c|x|^k: P's (k·m)-th moment.
        Tail::Stretched { k, .. } => matches!(p, Tail::Power { alpha } if alpha <= k * m),
        // |ln q| ~ e^{r|x|}: E_P[e^{m·r|x|}].
        Tail::DoubleExp { rate } => match p {
            Tail::Power { .. } | Tail::LogSquared => true,
            Tail::Stretched { k, c } => k < 1.0 || (k == 1.0 && c <= m * rate),
            _ => false,
        },
    }
}

/// The decay class of a tail: a higher class decays faster than any member of a lower one.
fn class(t: Tail) -> u8 {
    match t {
        Tail::Edge { .. } | Tail::Power { .. } => 0,
        Tail::EdgeLogSquared | Tail::LogSquared => 1,
        Tail::EdgeExpInverse | Tail::Stretched { .. } => 2,
        Tail::DoubleExp { .. } => 3,
    }
}

/// Whether ∫ q²/p diverges at an end with P's tail `p` and Q's tail `q`: `Some(true)` or
/// `Some(false)` where the tails decide it, `None` where they do not.
pub(super) fn ratio_square_diverges(p: Tail, q: Tail) -> Option<bool> {
    let (cp, cq) = (class(p), class(q));
    if cq > cp {
        return Some(false);
    }
    if cp > cq {
        return Some(true);
    }
    match (p, q) {
        // q²/p ~ d^(2s_q − s_p): integrable iff 2s_q − s_p > −1.
        (Tail::Edge { s: sp }, Tail::Edge { s: sq }) => Some(2.0 * sq - sp <= -1.0),
        // q²/p ~ |x|^−(2α_q − α_p + 1).
        (Tail::Power { alpha: ap }, Tail::Power { alpha: aq }) => Some(2.0 * aq - ap <= 0.0),
        (Tail::Stretched { k: kp, c: cp }, Tail::Stretched { k: kq, c: cq }) => {
            if kq > kp {
                Some(false)
            } else if kq < kp {
                Some(true)
            } else if 2.0 * cq > cp {
                Some(false)
            } else if 2.0 * cq < cp {
                Some(true)
            } else {
                None
            }
        }
        (Tail::DoubleExp { rate: rp }, Tail::DoubleExp { rate: rq }) => Some(rq < rp),
        // An edge of P inside Q's support against a power edge is covered above; the rest
        // (two ln² or two exp(−c/x) tails) needs constants Tail does not carry.
        _ => None,
    }
}

/// The ends of P's support that `q` reaches, with both tails there, and a phrase for the
/// place ("as x → +∞", "near x = 0").
fn shared_ends(p: &Distribution, q: &Distribution) -> Vec<(Tail, Tail, String)> {
    let qs = q.support();
    let mut out = Vec::new();
    for &(lo, hi) in &p.support() {
        for (end, upper) in [(lo, false), (hi, true)] {
            let inside = qs.iter().any(|&(a, b)| {
                if upper {
                    b == end || (a < end && end < b)
                } else {
                    a == end || (a < end && end < b)
                }
            });
            if !inside {
                continue;
            }
            let place = if end.is_infinite() {
                format!("as x → {}∞", if upper { "+" } else { "−" })
            } else {
                format!(
                    "near x = {}",
                    crate::distribution::family::format_number(end)
                )
            };
            out.push((p.tail_at(end, upper), q.tail_at(end, upper), place));
        }
    }
    out
}

/// Why E_P[|ln r|^m] is infinite, if the tails say it is. `names` are P's and Q's names.
pub(super) fn log_moment_reason(
    p: &Distribution,
    q: &Distribution,
    m: u32,
    names: [&str; 2],
) -> Option<String> {
    if p.kind() == crate::distribution::Kind::Discrete {
        return None;
    }
    let [pn, qn] = names;
    shared_ends(p, q).into_iter().find_map(|(pt, qt, place)| {
        log_moment_diverges(pt, qt, f64::from(m)).then(|| {
            format!(
                "E_{pn}[(ln r)^{m}] diverges {place}: {pn}'s {} is too heavy for {qn}'s {}",
                pt.describe(),
                qt.describe()
            )
        })
    })
}

/// Why ∫ q²/p (= E_P[r²]) is infinite, if the tails say it is.
pub(super) fn ratio_square_reason(
    p: &Distribution,
    q: &Distribution,
    names: [&str; 2],
) -> Option<String> {
    if p.kind() == crate::distribution::Kind::Discrete {
        return None;
    }
    let [pn, qn] = names;
    let (ql, pl) = (qn.to_lowercase(), pn.to_lowercase());
    shared_ends(p, q).into_iter().find_map(|(pt, qt, place)| {
        (ratio_square_diverges(pt, qt) == Some(true)).then(|| {
            format!(
                "E_{pn}[r²] = ∫{ql}²/{pl} diverges {place}: {qn}'s {} does not fall fast enough against {pn}'s {}",
                qt.describe(),
                pt.describe()
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    #[test]
    fn gamma_against_log_normal_has_no_second_moment_of_r() {
        let p = parse_spec("gamma(2, 1)").unwrap();
        let q = parse_spec("log_normal(0.5, 0.8)").unwrap();
        assert!(ratio_square_reason(&p, &q, ["P", "Q"]).is_some());
        // The other way round it diverges at 0, where the log-normal vanishes faster than any
        // power and the gamma's square only like x².
        let reverse = ratio_square_reason(&q, &p, ["P", "Q"]).unwrap();
        assert!(reverse.contains("x = 0"), "{reverse}");
        // Two gammas with 2·rate_q > rate_p and equal shapes: finite at both ends.
        let a = parse_spec("gamma(2, 1)").unwrap();
        let b = parse_spec("gamma(2, 1.5)").unwrap();
        assert!(ratio_square_reason(&a, &b, ["P", "Q"]).is_none());
    }

    #[test]
    fn order_one_agrees_with_the_kl_rule() {
        use crate::distribution::tail::diverges;
        let tails = [
            Tail::Edge { s: -0.5 },
            Tail::Edge { s: 0.0 },
            Tail::Edge { s: 2.0 },
            Tail::EdgeExpInverse,
            Tail::Power { alpha: 1.5 },
            Tail::Stretched { k: 2.0, c: 0.5 },
            Tail::Stretched { k: 1.0, c: 1.0 },
            Tail::DoubleExp { rate: 1.0 },
            Tail::LogSquared,
        ];
        for p in tails {
            for q in tails {
                assert_eq!(
                    log_moment_diverges(p, q, 1.0),
                    diverges(p, q),
                    "{p:?} {q:?}"
                );
            }
        }
    }

    #[test]
    fn student_t_with_three_degrees_has_kl_but_no_k1_variance_against_a_normal() {
        let p = parse_spec("student_t(0, 1, 3)").unwrap();
        let q = parse_spec("normal(0, 1)").unwrap();
        assert!(log_moment_reason(&p, &q, 1, ["P", "Q"]).is_none());
        assert!(log_moment_reason(&p, &q, 2, ["P", "Q"]).is_some());
    }
}
