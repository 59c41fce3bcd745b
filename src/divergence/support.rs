//! Supports and tails: where P has mass that Q lacks, which tails make KL infinite, and how
//! singular a density is at a support edge (for the quadrature's power maps).

use crate::distribution::{Distribution, Tail, tail};

fn fmt_x(v: f64) -> String {
    crate::distribution::family::format_number(v)
}

fn describe_region(lo: f64, hi: f64) -> String {
    match (lo.is_finite(), hi.is_finite()) {
        (false, false) => "the whole real line".into(),
        (false, true) => format!("x < {}", fmt_x(hi)),
        (true, false) => format!("x > {}", fmt_x(lo)),
        (true, true) => format!("[{}, {}]", fmt_x(lo), fmt_x(hi)),
    }
}

/// Parts of `a` (intervals) not covered by `b`, with positive length. Both sorted and
/// disjoint (as supports are): one pass over each, so two histograms with 10^6 separate
/// runs of non-empty bins take milliseconds, not hours.
pub fn uncovered(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    // The first interval of `b` that can still overlap the current one of `a`.
    let mut first = 0;
    for &(lo, hi) in a {
        while first < b.len() && b[first].1 <= lo {
            first += 1;
        }
        let mut cur = lo;
        for &(blo, bhi) in &b[first..] {
            if blo >= hi {
                break;
            }
            if bhi <= cur {
                continue;
            }
            if blo > cur {
                out.push((cur, blo));
            }
            cur = cur.max(bhi);
            if cur >= hi {
                break;
            }
        }
        if cur < hi {
            out.push((cur, hi));
        }
    }
    out
}

/// Why KL(P‖Q) is infinite, if it is: a support mismatch or a divergent tail.
/// `names` are how P and Q are called in the sentence (swapped for KL(Q‖P)).
pub fn infinite_reason(p: &Distribution, q: &Distribution, names: [&str; 2]) -> Option<String> {
    let [pn, qn] = names;
    let ps = p.support();
    let qs = q.support();
    let gaps = uncovered(&ps, &qs);
    if let Some(&(lo, hi)) = gaps.first() {
        let more = if gaps.len() > 1 {
            format!(" (and {} more regions)", gaps.len() - 1)
        } else {
            String::new()
        };
        return Some(format!(
            "{pn} has mass on {}{more}, where {qn}'s density is 0",
            describe_region(lo, hi)
        ));
    }
    for &(lo, hi) in &ps {
        for (end, upper) in [(lo, false), (hi, true)] {
            let touches = qs
                .iter()
                .any(|&(qlo, qhi)| if upper { qhi == end } else { qlo == end });
            if !touches {
                continue;
            }
            let (pt, qt) = (p.tail_at(end, upper), q.tail_at(end, upper));
            if tail::diverges(pt, qt) {
                let place = if end.is_infinite() {
                    format!("as x → {}∞", if upper { "+" } else { "−" })
                } else {
                    format!("near x = {}", fmt_x(end))
                };
                return Some(format!(
                    "E_{pn}[−ln {}] diverges {place}: {pn}'s {} is too heavy for {qn}'s {}",
                    qn.to_lowercase(),
                    pt.describe(),
                    qt.describe()
                ));
            }
        }
    }
    None
}

pub(super) fn edge_power(p: &Distribution, q: &Distribution, edge: f64, upper: bool) -> i32 {
    let s = [p.tail_at(edge, upper), q.tail_at(edge, upper)]
        .iter()
        .filter_map(|t| match t {
            Tail::Edge { s } => Some(*s),
            _ => None,
        })
        .fold(0.0f64, f64::min);
    if s < -1e-12 {
        ((2.0 / (1.0 + s)).ceil() as i32).clamp(2, 40)
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;
    use crate::divergence::{Options, kl_divergence};

    fn d(s: &str) -> Distribution {
        parse_spec(s).unwrap()
    }

    #[test]
    fn uncovered_matches_a_brute_force_check() {
        // Alternating runs: every second unit interval in a, shifted halves in b.
        let a: Vec<(f64, f64)> = (0..2000)
            .map(|i| (2.0 * f64::from(i), 2.0 * f64::from(i) + 1.0))
            .collect();
        let b: Vec<(f64, f64)> = (0..2000)
            .map(|i| (2.0 * f64::from(i) + 0.5, 2.0 * f64::from(i) + 1.5))
            .collect();
        let got = uncovered(&a, &b);
        let want: Vec<(f64, f64)> = a.iter().map(|&(lo, _)| (lo, lo + 0.5)).collect();
        assert_eq!(got, want);
        assert_eq!(
            uncovered(&[(0.0, 10.0)], &[(1.0, 2.0), (3.0, 4.0), (9.0, 12.0)]),
            [(0.0, 1.0), (2.0, 3.0), (4.0, 9.0)]
        );
        assert_eq!(uncovered(&[(0.0, 1.0)], &[(-1.0, 2.0)]), []);
        assert_eq!(
            uncovered(&[(0.0, 1.0), (5.0, 6.0)], &[]),
            [(0.0, 1.0), (5.0, 6.0)]
        );
    }

    #[test]
    fn cauchy_against_normal_is_infinite_with_a_reason() {
        let f = kl_divergence(&d("cauchy(0,1)"), &d("normal(0,1)"), &Options::default()).unwrap();
        assert_eq!(f.value, f64::INFINITY);
        let reason = f.reason.unwrap();
        assert!(reason.contains("diverges as x → −∞"), "{reason}");
        assert!(reason.contains("power-law tail"), "{reason}");
    }

    #[test]
    fn support_mismatch_names_the_region() {
        let f =
            kl_divergence(&d("normal(0,1)"), &d("exponential(1)"), &Options::default()).unwrap();
        assert_eq!(f.value, f64::INFINITY);
        assert_eq!(
            f.reason.as_deref(),
            Some("P has mass on x < 0, where Q's density is 0")
        );
    }
}
