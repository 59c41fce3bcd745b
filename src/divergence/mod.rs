//! Divergences between two distributions: KL both ways and its relatives.
//!
//! Numeric contract:
//! - Every figure is in nats unless converted with [`Report::in_unit`]; each carries the method
//!   that produced it and an estimate of its absolute error.
//! - KL(P‖Q) is `+inf` — a result, not a failure — when P puts mass where Q has none, or when
//!   E_P[−ln q] diverges in a tail or at a support edge; [`Figure::reason`] says which, in a
//!   sentence. It is never NaN.
//! - Terms with p = 0 contribute 0 (0·ln 0 = 0). Nothing is smoothed here: smoothing of
//!   histograms is explicit ([`crate::distribution::Histogram::smoothed`]).
//! - Comparing a discrete distribution with a continuous one is an error
//!   ([`CompareError::KindMismatch`]); every pair of one kind is computed.

mod beyond;
mod binned;
pub mod bins;
pub mod closed;
mod continuous;
pub mod discrete;
mod grid;
mod integrand;
mod js_integrand;
mod kronrod31;
mod nodes;
mod normal_pair;
pub mod pointwise;
pub mod quad;
pub mod renyi;
mod report;
pub mod running;
mod segments;
mod shift;
pub mod smoothing;
mod support;
mod walk;

use crate::distribution::{Distribution, Histogram, Kind};

use continuous::{entropy_continuous, kl_continuous, symmetric_continuous};
pub use grid::grid_sum;
pub use integrand::{Cell, kl_term, symmetric_terms};
pub use report::{CompareError, Figure, FigureId, Report, Unit, format_value, json_number};
pub(crate) use report::{assemble, hellinger_from_squared};
pub use segments::{build_segments, integrate_pair};
pub use support::{infinite_reason, uncovered};
use walk::Partial;
pub use walk::piecewise;
use walk::walk;

/// Accuracy and method options.
#[derive(Clone, Debug)]
pub struct Options {
    /// Use closed forms where known (tests turn this off to check them against quadrature).
    pub closed_forms: bool,
    /// Relative tolerance for quadrature.
    pub rel_tol: f64,
    /// Maximum number of quadrature subintervals beyond the initial segments.
    pub max_intervals: usize,
    /// Set to stop the computation: [`compare`] then returns [`CompareError::Cancelled`].
    /// Quadrature checks it between subdivisions, the histogram walk and discrete sums
    /// every 65 536 cells or terms.
    pub cancel: crate::cancel::Cancel,
    /// Compute the independent figures on both cores. A batch that already spreads its pairs
    /// over the cores turns this off: for a pair of closed forms the joins cost more than the
    /// figures.
    pub parallel: bool,
}

impl Options {
    /// `a` and `b`, on both cores when [`Self::parallel`] is set.
    pub(crate) fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        if self.parallel {
            rayon::join(a, b)
        } else {
            (a(), b())
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            closed_forms: true,
            rel_tol: 1e-10,
            max_intervals: 4000,
            cancel: crate::cancel::Cancel::default(),
            parallel: true,
        }
    }
}

fn kind_word(k: Kind) -> &'static str {
    match k {
        Kind::Continuous => "continuous",
        Kind::Discrete => "discrete",
    }
}

fn check_kinds(p: &Distribution, q: &Distribution) -> Result<Kind, CompareError> {
    if p.kind() != q.kind() {
        return Err(CompareError::KindMismatch {
            p: p.to_spec(),
            p_kind: kind_word(p.kind()),
            q: q.to_spec(),
            q_kind: kind_word(q.kind()),
        });
    }
    Ok(p.kind())
}

/// Computes every figure for P and Q, in nats.
///
/// # Errors
/// [`CompareError`] when the pair mixes kinds or label sets cannot be aligned.
pub fn compare(p: &Distribution, q: &Distribution, opts: &Options) -> Result<Report, CompareError> {
    opts.cancel.check()?;
    // Translation-invariant figures, taken where the doubles are finest (see `shift`).
    if let Some((p, q)) = shift::to_common_origin(p, q) {
        return compare(&p, &q, opts);
    }
    let report = compare_uncancelled(p, q, opts)?;
    // Loops stop early once the flag is set; what they return then is not a result.
    opts.cancel.check()?;
    Ok(report)
}

fn compare_uncancelled(
    p: &Distribution,
    q: &Distribution,
    opts: &Options,
) -> Result<Report, CompareError> {
    if check_kinds(p, q)? == Kind::Discrete {
        return discrete::compare(p, q, opts);
    }
    if let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (p, q) {
        return Ok(compare_histograms(p, q, hp, hq, &opts.cancel));
    }
    if let Some(report) = compare_histogram_with_smooth(p, q, opts) {
        return Ok(report);
    }
    // A mixture's density is the cost: its values at the first nodes of the segments that
    // KL both ways and the symmetric figures start from are evaluated once, for all of them.
    let table = [p, q]
        .iter()
        .any(|d| matches!(d, Distribution::Mixture(_)))
        .then(|| {
            let mut domain = p.support();
            domain.extend(q.support());
            let domain = crate::distribution::merge_intervals(domain);
            nodes::NodeTable::build(p, q, &build_segments(p, q, &domain))
        });
    let nodes = table
        .as_ref()
        .map_or_else(nodes::Nodes::default, nodes::NodeTable::nodes);
    // The integrals are independent: on both cores (a 10^4-component mixture spends most
    // of a second in them). Within a `--pairs` batch, rayon nests these joins in its pool.
    let ((kl_pq, kl_qp), ((entropy_p, entropy_q), symmetric)) = opts.join(
        || {
            opts.join(
                || kl_continuous(p, q, ["P", "Q"], opts, nodes),
                || kl_continuous(q, p, ["Q", "P"], opts, nodes.swapped()),
            )
        },
        || {
            opts.join(
                || {
                    opts.join(
                        || entropy_continuous(p, opts),
                        || entropy_continuous(q, opts),
                    )
                },
                || symmetric_continuous(p, q, opts, nodes),
            )
        },
    );
    Ok(assemble(kl_pq, kl_qp, entropy_p, entropy_q, symmetric))
}

/// Two histograms: every figure from one pass over the common refinement of their edges.
fn compare_histograms(
    p: &Distribution,
    q: &Distribution,
    hp: &Histogram,
    hq: &Histogram,
    cancel: &crate::cancel::Cancel,
) -> Report {
    // One walk gives every figure, the entropies included.
    let [kl_pq, kl_qp, js, tv, h2, ent_p, ent_q] = piecewise(hp, hq, cancel, |c| {
        let [js, tv, h2] = c.symmetric();
        let ent = |d: f64, l: f64| if d == 0.0 { 0.0 } else { -d * l };
        [
            c.kl_pq(),
            c.kl_qp(),
            js,
            tv,
            h2,
            ent(c.p, c.lp),
            ent(c.q, c.lq),
        ]
    });
    let explain = |f: Figure, a: &Distribution, b: &Distribution, names: [&str; 2]| {
        if f.value.is_infinite() {
            Figure::infinite(infinite_reason(a, b, names).unwrap_or_else(|| {
                format!("{} has mass where {}'s density is 0", names[0], names[1])
            }))
        } else {
            f
        }
    };
    let entropy = |mut f: Figure, h: &Histogram| {
        f.method = format!("exact sum over {} bins", h.len());
        f
    };
    assemble(
        explain(kl_pq, p, q, ["P", "Q"]),
        explain(kl_qp, q, p, ["Q", "P"]),
        entropy(ent_p, hp),
        entropy(ent_q, hq),
        [js, tv, hellinger_from_squared(&h2)],
    )
}

/// A histogram against a parametric distribution or a mixture (either way round): every
/// figure from one pass over the histogram's bins ([`binned`]); `None` for other pairs.
fn compare_histogram_with_smooth(
    p: &Distribution,
    q: &Distribution,
    opts: &Options,
) -> Option<Report> {
    let smooth =
        |d: &Distribution| matches!(d, Distribution::Parametric(_) | Distribution::Mixture(_));
    let (h, s, histogram_is_p) = match (p, q) {
        (Distribution::Histogram(h), s) if smooth(s) => (h, s, true),
        (s, Distribution::Histogram(h)) if smooth(s) => (h, s, false),
        _ => return None,
    };
    let reason_pq = infinite_reason(p, q, ["P", "Q"]);
    let reason_qp = infinite_reason(q, p, ["Q", "P"]);
    let (hs, sh) = if histogram_is_p {
        (&reason_pq, &reason_qp)
    } else {
        (&reason_qp, &reason_pq)
    };
    let everywhere = (f64::NEG_INFINITY, f64::INFINITY);
    let [kl_hs, kl_sh, js, tv, h2] =
        binned::histogram_vs_smooth(h, s, [hs.is_none(), sh.is_none()], opts, everywhere);
    let (kl_pq, kl_qp) = if histogram_is_p {
        (kl_hs, kl_sh)
    } else {
        (kl_sh, kl_hs)
    };
    let or_infinite = |f: Figure, reason: Option<String>| reason.map_or(f, Figure::infinite);
    Some(assemble(
        or_infinite(kl_pq, reason_pq),
        or_infinite(kl_qp, reason_qp),
        entropy_continuous(p, opts),
        entropy_continuous(q, opts),
        [js, tv, hellinger_from_squared(&h2)],
    ))
}

/// KL(A‖B) over `x < to` only: where a running integral of A's pointwise divergence starts
/// when its plot begins at `to`. Exact for two histograms (the walk), bin by bin for a
/// histogram and a smooth distribution, by quadrature otherwise; `NaN` where it is infinite.
pub(crate) fn kl_below(a: &Distribution, b: &Distribution, to: f64, opts: &Options) -> f64 {
    let smooth =
        |d: &Distribution| matches!(d, Distribution::Parametric(_) | Distribution::Mixture(_));
    let below = (f64::NEG_INFINITY, to);
    let value = match (a, b) {
        (Distribution::Histogram(ha), Distribution::Histogram(hb)) => {
            let from = ha.lefts()[0].min(hb.lefts()[0]);
            if from >= to {
                0.0
            } else {
                walk(ha, hb, from, to, &opts.cancel, &|c: &Cell| [c.kl_pq()]).total(0)
            }
        }
        (Distribution::Histogram(h), s) if smooth(s) => {
            binned::histogram_vs_smooth(h, s, [true, false], opts, below)[0].value
        }
        (s, Distribution::Histogram(h)) if smooth(s) => {
            binned::histogram_vs_smooth(h, s, [false, true], opts, below)[1].value
        }
        _ => {
            let left: Vec<(f64, f64)> = a
                .support()
                .into_iter()
                .filter(|(lo, _)| *lo < to)
                .map(|(lo, hi)| (lo, hi.min(to)))
                .collect();
            if left.is_empty() {
                0.0
            } else {
                integrate_pair(a, b, &left, opts, kl_term).value
            }
        }
    };
    if value.is_finite() { value } else { f64::NAN }
}

/// KL(P‖Q) alone, in nats.
///
/// # Errors
/// As [`compare`].
pub fn kl_divergence(
    p: &Distribution,
    q: &Distribution,
    opts: &Options,
) -> Result<Figure, CompareError> {
    if check_kinds(p, q)? == Kind::Discrete {
        return discrete::kl(p, q, opts).map(report::non_negative);
    }
    if let Some((p, q)) = shift::to_common_origin(p, q) {
        return kl_divergence(&p, &q, opts);
    }
    Ok(report::non_negative(kl_continuous(
        p,
        q,
        ["P", "Q"],
        opts,
        nodes::Nodes::default(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    fn d(s: &str) -> Distribution {
        parse_spec(s).unwrap()
    }

    #[test]
    fn default_pair_matches_the_closed_form() {
        let r = compare(&d("normal(0,1)"), &d("normal(1,2)"), &Options::default()).unwrap();
        let exact = 2f64.ln() + (1.0 + 1.0) / 8.0 - 0.5;
        assert!((r.kl_pq.value - exact).abs() < 1e-15);
        assert!((r.kl_pq.value - 0.443_147_180_559_945_3).abs() < 1e-15);
    }

    #[test]
    fn kl_below_a_point_agrees_with_quadrature_of_that_part() {
        use crate::distribution::histogram::Weights;
        let hist = |bins: &[(f64, f64, f64)]| {
            Distribution::Histogram(std::sync::Arc::new(
                Histogram::from_bins(bins, Weights::Count, "h").unwrap(),
            ))
        };
        let even = |n: u32, lo: f64, hi: f64, f: &dyn Fn(f64) -> f64| {
            let w = (hi - lo) / f64::from(n);
            let edge = |i: u32| lo + w * f64::from(i);
            let bins: Vec<_> = (0..n)
                .map(|i| (edge(i), edge(i + 1), f(edge(i) + w / 2.0)))
                .collect();
            hist(&bins)
        };
        let a = even(400, -4.0, 4.0, &|x| (-x * x / 2.0).exp());
        let b = even(90, -4.5, 4.5, &|x| (-(x - 0.3) * (x - 0.3) / 2.5).exp());
        let c = even(50, 0.0, 1.0, &|x| 1.0 + x);
        let opts = Options::default();
        for (p, q, cut) in [
            (&a, &b, -1.234),
            (&a, &d("normal(0.2,1.1)"), -0.7),
            (&d("beta(2,3)"), &c, 0.37),
            (&a, &b, 10.0),
        ] {
            let got = kl_below(p, q, cut, &opts);
            let left: Vec<(f64, f64)> = p
                .support()
                .into_iter()
                .filter(|(lo, _)| *lo < cut)
                .map(|(lo, hi)| (lo, hi.min(cut)))
                .collect();
            let want = integrate_pair(p, q, &left, &opts, kl_term).value;
            assert!(
                (got - want).abs() < 1e-9 * want.abs().max(1e-3),
                "{} ‖ {} below {cut}: {got} against {want}",
                p.to_spec(),
                q.to_spec()
            );
        }
        // Past every bin it is the whole KL.
        let whole = compare(&a, &b, &opts).unwrap().kl_pq.value;
        assert!((kl_below(&a, &b, 10.0, &opts) - whole).abs() < 1e-14);
    }

    #[test]
    fn a_pair_with_itself_shows_no_negative_zeros() {
        // JS came out as −1.8e-23 by quadrature and showed as "-0.0000000000".
        let p = d("beta(1e7, 5)");
        let r = compare(&p, &p, &Options::default()).unwrap();
        for f in [&r.kl_pq, &r.kl_qp, &r.js, &r.tv] {
            assert!(f.value >= 0.0 && f.value < 1e-12, "{f:?}");
        }
    }

    #[test]
    fn discrete_against_continuous_is_a_clear_error() {
        let e = compare(&d("poisson(3)"), &d("normal(3,1)"), &Options::default()).unwrap_err();
        assert!(e.to_string().contains("discrete"));
    }

    #[test]
    fn a_cancelled_flag_stops_two_million_bin_histograms_and_a_fresh_one_does_not() {
        use crate::distribution::histogram::Weights;
        let n = 1_000_000u32;
        let edge = |i: u32| f64::from(i) * 1e-3;
        let hist = |f: &dyn Fn(u32) -> f64| {
            let bins: Vec<_> = (0..n).map(|i| (edge(i), edge(i + 1), f(i))).collect();
            Distribution::Histogram(std::sync::Arc::new(
                Histogram::from_bins(&bins, Weights::Count, "h").unwrap(),
            ))
        };
        let p = hist(&|_| 1.0);
        let q = hist(&|i| if i % 2 == 0 { 1.0 } else { 3.0 });
        let cancelled = Options::default();
        cancelled.cancel.cancel();
        assert_eq!(compare(&p, &q, &cancelled), Err(CompareError::Cancelled));
        assert_eq!(
            bins::bin_table(&p, &q, &cancelled.cancel),
            Err(crate::cancel::Cancelled)
        );
        // The walk itself stops at its first look at the flag, long before the millionth cell.
        let (Distribution::Histogram(hp), Distribution::Histogram(hq)) = (&p, &q) else {
            unreachable!()
        };
        let partial = walk(hp, hq, 0.0, 1000.0, &cancelled.cancel, &|c: &Cell| {
            [c.kl_pq()]
        });
        assert!(partial.cells < 1 << 16, "{} cells", partial.cells);
        let r = compare(&p, &q, &Options::default()).unwrap();
        let kl_pq = 0.5 * (4.0f64 / 3.0).ln();
        assert!((r.kl_pq.value - kl_pq).abs() < 4e-15, "{}", r.kl_pq.value);
        let table = bins::bin_table(&p, &q, &crate::cancel::Cancel::default()).unwrap();
        assert!(table.is_some_and(|t| (t.kl_on_bins - kl_pq).abs() < 1e-9));
    }

    #[test]
    fn a_cancelled_flag_gives_cancelled_for_smooth_and_discrete_pairs() {
        let cancelled = Options::default();
        cancelled.cancel.cancel();
        for (p, q) in [
            ("0.3*normal(-2,1) + 0.7*gumbel(2,0.5)", "student_t(0,2,3)"),
            ("poisson(1e6)", "poisson(1000001)"),
        ] {
            assert_eq!(
                compare(&d(p), &d(q), &cancelled),
                Err(CompareError::Cancelled),
                "{p} against {q}"
            );
            assert!(compare(&d(p), &d(q), &Options::default()).is_ok());
        }
    }
}
