//! A histogram against a smooth distribution (parametric or mixture), bin by bin.
//!
//! On each of the histogram's bins its density is a constant h, so every figure's integrand
//! there is a function of the smooth density q(x) alone, and q is smooth inside a bin unless
//! one of its support edges or singularities falls there. One Gauss–Kronrod rule (G7/K15)
//! per bin, its 15 nodes shared by every figure, replaces one adaptive integration per figure
//! over as many segments as there are bins. A bin on which the rule is not accurate enough
//! for some figure (a kink of |h − q| for TV, an edge of q inside the bin) is integrated
//! adaptively, figure by figure, as any other pair is. So are the regions outside the bins
//! (gaps and tails), where the histogram's density is 0.
//!
//! The integrands are the very ones the general path uses ([`kl_term`], [`symmetric_terms`]),
//! so the two paths differ only in where they put their nodes; the tests hold them together.

use super::quad::{self, Point};
use super::{Figure, Options, Partial, build_segments, kl_term, symmetric_terms, uncovered};
use crate::distribution::Distribution;
use crate::distribution::histogram::Histogram;

/// How many figures one pass gives: KL(H‖S), KL(S‖H), JS, TV, squared Hellinger.
const FIGURES: usize = 5;

/// The integrals one rule takes on a bin: the figures, and the smooth density's mass there.
const RULE: usize = FIGURES + 1;

/// Bins below which one thread does them all.
const PARALLEL_BINS: usize = 1 << 14;

/// `[KL(H‖S), KL(S‖H), JS, TV, squared Hellinger]` for the histogram `h` against the smooth
/// `s`, over the part of the line inside `range`. `finite` says which of the two KLs to
/// compute; one that is infinite is returned as 0 here, and the caller reports it with its
/// reason (except that KL(S‖H) is ∞ where S has mass in a gap of H inside `range`).
pub(super) fn histogram_vs_smooth(
    h: &Histogram,
    s: &Distribution,
    finite: [bool; 2],
    opts: &Options,
    range: (f64, f64),
) -> [Figure; FIGURES] {
    // The bins that reach into the range.
    let first = h.rights().partition_point(|r| *r <= range.0);
    let end = h.lefts().partition_point(|l| *l < range.1).max(first);
    let n = end - first;
    let parts = if n >= PARALLEL_BINS {
        let mid = first + n / 2;
        std::thread::scope(|scope| {
            let upper = scope.spawn(|| bins(h, s, finite, opts, mid..end, range));
            let lower = bins(h, s, finite, opts, first..mid, range);
            let upper = upper
                .join()
                .unwrap_or_else(|_| bins(h, s, finite, opts, mid..end, range));
            vec![lower, upper]
        })
    } else {
        vec![bins(h, s, finite, opts, first..end, range)]
    };
    let mut total = Bins::default();
    for part in parts {
        total.merge(&part);
    }
    // Outside the bins the histogram's density is 0: only the symmetric figures (and
    // KL(S‖H), which is then infinite and not asked for) have anything there.
    let within: Vec<(f64, f64)> = s
        .support()
        .into_iter()
        .map(|(a, b)| (a.max(range.0), b.min(range.1)))
        .filter(|(a, b)| a < b)
        .collect();
    let gaps = uncovered(&within, &runs(h));
    if !gaps.is_empty() {
        if finite[1] {
            // S has mass where H's density is 0.
            total.sums.add(1, f64::INFINITY);
        }
        let segments = build_segments(s, s, &gaps);
        for i in 2..FIGURES {
            let r = quad::integrate(
                &segments,
                &mut |pt: Point| {
                    let lq = s.ln_density_offset(pt.anchor, pt.offset);
                    integrand(i, f64::NEG_INFINITY, lq)
                },
                opts.rel_tol,
                1e-300,
                opts.max_intervals,
            );
            total.sums.add(i, r.value);
            total.error[i] += r.error;
            total.evals += r.evals;
            total.unconverged[i] |= !r.converged;
        }
    }
    std::array::from_fn(|i| {
        let value = total.sums.total(i);
        let error = total.error[i] + 4.0 * f64::EPSILON * (total.sums.abs[i] + 2.0);
        let mut method = format!(
            "Gauss–Kronrod (G7/K15) on each of the histogram's {n} bins, one set of nodes for every figure ({} density evaluations)",
            total.evals
        );
        if total.refined[i] > 0 {
            method.push_str(&format!(
                "; {} bin(s) integrated adaptively",
                total.refined[i]
            ));
        }
        let converged = error <= (opts.rel_tol * value.abs()).max(1e-300);
        if total.unconverged[i] || !converged {
            method.push_str(&format!(
                "; relative tolerance {:e} not reached",
                opts.rel_tol
            ));
        }
        Figure {
            value,
            error,
            method,
            reason: None,
        }
    })
}

/// Figure `i`'s integrand where the histogram's log density is `lh` and the smooth one's `lq`.
fn integrand(i: usize, lh: f64, lq: f64) -> f64 {
    match i {
        0 => kl_term(lh, lq),
        1 => kl_term(lq, lh),
        _ => symmetric_terms(lh, lq)[i - 2],
    }
}

/// Running sums over some bins.
#[derive(Default)]
struct Bins {
    sums: Partial<FIGURES>,
    error: [f64; FIGURES],
    refined: [usize; FIGURES],
    unconverged: [bool; FIGURES],
    evals: usize,
}

impl Bins {
    fn merge(&mut self, other: &Bins) {
        for i in 0..FIGURES {
            self.sums.add(i, other.sums.total(i));
            self.sums.abs[i] += other.sums.abs[i] - other.sums.total(i).abs();
            self.error[i] += other.error[i];
            self.refined[i] += other.refined[i];
            self.unconverged[i] |= other.unconverged[i];
        }
        self.evals += other.evals;
    }
}

/// The bins `which` of `h` against `s`, cut to `range`.
fn bins(
    h: &Histogram,
    s: &Distribution,
    finite: [bool; 2],
    opts: &Options,
    which: std::ops::Range<usize>,
    range: (f64, f64),
) -> Bins {
    let wanted = |i: usize| i >= 2 || finite[i];
    let mut out = Bins::default();
    let (lefts, rights, masses) = (h.lefts(), h.rights(), h.masses());
    for b in which {
        let (l, r, m) = (lefts[b], rights[b], masses[b]);
        let lh = (m / (r - l)).ln();
        let (lo, hi) = (l.max(range.0), r.min(range.1));
        if !(lo < hi) {
            continue;
        }
        // The bin's mass inside the range.
        let m = m * ((hi - lo) / (r - l));
        let rule = quad::kronrod_many::<RULE>(lo, hi, |x| {
            let lq = s.ln_density(x);
            std::array::from_fn(|i| match i {
                FIGURES => lq.exp(),
                i if wanted(i) => integrand(i, lh, lq),
                _ => 0.0,
            })
        });
        out.evals += 15;
        // The rounding level of the integrands' ingredients on this bin: nothing computed
        // from h and q here is better known than that (JS's integrand, where h ≈ q, is a
        // difference of nearly equal terms).
        let noise = 50.0 * f64::EPSILON * (m + rule[FIGURES].0.abs());
        for (i, &(value, error, abs)) in rule[..FIGURES].iter().enumerate() {
            if !wanted(i) {
                continue;
            }
            // The bin's rule must be far better than the figure needs relative to this bin's
            // own share, or at the rounding level; otherwise it is integrated adaptively.
            let enough = (1e-2 * opts.rel_tol * abs).max(noise);
            if error <= enough {
                out.sums.add(i, value);
                out.error[i] += error;
                continue;
            }
            let segments = build_segments(s, s, &[(lo, hi)]);
            let r = quad::integrate(
                &segments,
                &mut |pt: Point| integrand(i, lh, s.ln_density_offset(pt.anchor, pt.offset)),
                opts.rel_tol,
                enough,
                opts.max_intervals,
            );
            out.sums.add(i, r.value);
            out.error[i] += r.error;
            out.evals += r.evals;
            out.refined[i] += 1;
            out.unconverged[i] |= !r.converged;
        }
    }
    out
}

/// The histogram's bins merged into runs where they touch.
fn runs(h: &Histogram) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (&l, &r) in h.lefts().iter().zip(h.rights()) {
        match out.last_mut() {
            Some(last) if last.1 >= l => last.1 = last.1.max(r),
            _ => out.push((l, r)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Options, compare, kl_continuous, symmetric_continuous};
    use crate::distribution::histogram::{Histogram, Weights};
    use crate::distribution::{Distribution, parse_spec};
    use std::sync::Arc;

    fn hist(bins: &[(f64, f64, f64)]) -> Distribution {
        Distribution::Histogram(Arc::new(
            Histogram::from_bins(bins, Weights::Count, "h").unwrap(),
        ))
    }

    /// `n` even bins on [lo, hi] with counts shaped by `f` at the bin centres.
    fn shaped(n: usize, lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> Distribution {
        let w = (hi - lo) / n as f64;
        let bins: Vec<_> = (0..n)
            .map(|i| {
                let (a, b) = (lo + w * i as f64, lo + w * (i + 1) as f64);
                (a, b, f(0.5 * (a + b)))
            })
            .collect();
        hist(&bins)
    }

    /// The bin-by-bin path against the general one (one adaptive integration per figure over
    /// every bin edge): the same integrands, other nodes, so they must agree to about the
    /// tolerance.
    #[test]
    fn agrees_with_one_adaptive_integration_per_figure() {
        let opts = Options::default();
        let bell = |x: f64| (1000.0 * (-x * x / 2.0).exp()).round() + 1.0;
        let gapped = hist(&[
            (-3.0, -1.0, 5.0),
            (-1.0, 0.0, 0.0),
            (0.5, 1.0, 7.0),
            (2.0, 4.0, 1.0),
        ]);
        let cases: Vec<(Distribution, &str)> = vec![
            (shaped(300, -5.0, 5.0, bell), "normal(1,2)"),
            (
                shaped(300, -5.0, 5.0, bell),
                "0.3*normal(-2,1)+0.7*normal(2,0.5)",
            ),
            (gapped.clone(), "cauchy(0,1)"),
            (gapped, "student_t(0,1,3)"),
            // Q's singular edge at 0 is the first bin's edge.
            (shaped(50, 0.0, 3.0, |x| 1.0 + x), "gamma(0.5,1)"),
            // Q's support edge inside a bin: KL(P‖Q) is infinite, the rest is not.
            (shaped(30, -1.05, 2.0, |_| 1.0), "exponential(1)"),
            // Q inside P's bins: KL(Q‖P) is finite and taken bin by bin too.
            (shaped(40, 0.0, 1.0, |x| 1.0 + x), "beta(2,3)"),
            // A few wide bins against a narrow Q: most bins need the adaptive rule.
            (shaped(7, -3.0, 4.0, |_| 1.0), "normal(0.3,0.05)"),
        ];
        for (h, spec) in cases {
            let s = parse_spec(spec).unwrap();
            for (p, q) in [(&h, &s), (&s, &h)] {
                let fast = compare(p, q, &opts).unwrap();
                let kl_pq = kl_continuous(p, q, ["P", "Q"], &opts, Default::default());
                let kl_qp = kl_continuous(q, p, ["Q", "P"], &opts, Default::default());
                let [js, tv, hellinger] = symmetric_continuous(p, q, &opts, Default::default());
                for (name, got, want) in [
                    ("KL(P‖Q)", &fast.kl_pq, &kl_pq),
                    ("KL(Q‖P)", &fast.kl_qp, &kl_qp),
                    ("JS", &fast.js, &js),
                    ("TV", &fast.tv, &tv),
                    ("Hellinger", &fast.hellinger, &hellinger),
                ] {
                    let ok = if want.value.is_infinite() {
                        got.value == want.value
                    } else {
                        (got.value - want.value).abs() <= 1e-9 * want.value.abs().max(1e-3)
                    };
                    assert!(
                        ok,
                        "{} ‖ {}: {name} {} against {} ({})",
                        p.to_spec(),
                        q.to_spec(),
                        got.value,
                        want.value,
                        got.method
                    );
                    assert!(
                        !got.method.contains("not reached"),
                        "{name}: {}",
                        got.method
                    );
                }
            }
        }
    }

    #[test]
    fn histogram_against_a_normal_matches_the_closed_form() {
        // ∫ ln q over [a, b] for N(μ, σ²) is closed: −(b − a)·ln(σ√(2π)) − ((b−μ)³ − (a−μ)³)/(6σ²),
        // so KL(P‖Q) = Σ m·ln h − h·∫ ln q exactly.
        let (mu, sigma) = (1.0, 2.0);
        let n = 2000;
        let h = shaped(n, -4.0, 6.0, |x| 1.0 + (x - 0.5).abs().sqrt());
        let Distribution::Histogram(hist) = &h else {
            unreachable!()
        };
        let mut want = 0.0;
        for i in 0..n {
            let (a, b, m) = hist.bin(i);
            let dens = m / (b - a);
            let int_ln_q = -(b - a) * (sigma * (2.0 * std::f64::consts::PI).sqrt()).ln()
                - ((b - mu).powi(3) - (a - mu).powi(3)) / (6.0 * sigma * sigma);
            want += m * dens.ln() - dens * int_ln_q;
        }
        let q = parse_spec("normal(1,2)").unwrap();
        let got = compare(&h, &q, &Options::default()).unwrap().kl_pq;
        assert!(
            (got.value - want).abs() < 1e-13 * want,
            "{} against {want}",
            got.value
        );
        assert!(got.method.contains("each of the histogram's 2000 bins"));
    }

    #[test]
    fn total_variation_of_one_bin_against_a_normal_is_closed() {
        // P uniform on [−1, 1] (density ½, above φ everywhere): TV = 1 − (Φ(1) − Φ(−1)),
        // whether P is one bin or a thousand equal ones.
        // erfc(1/√2) by mpmath at 30 digits (statrs' erfc is 3e-11 off here).
        let want = 0.317_310_507_862_914_1;
        let q = parse_spec("normal(0,1)").unwrap();
        for n in [1, 1000] {
            let p = shaped(n, -1.0, 1.0, |_| 1.0);
            let tv = compare(&p, &q, &Options::default()).unwrap().tv;
            assert!(
                (tv.value - want).abs() < 1e-12,
                "{n} bins: {} against {want}",
                tv.value
            );
        }
    }
}
