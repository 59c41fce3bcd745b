//! Binned views of a comparison: each bin's share of KL(P‖Q), the bins that contribute most,
//! and the Population Stability Index — what a person checking drift wants first.
//!
//! Bins are the common refinement of two histograms' edges, a histogram's own bins against a
//! parametric distribution (whose bin probabilities come from its cdf), or the labels of two
//! category files. A bin with q = 0 < p contributes ∞ to KL and to PSI.

use std::sync::Arc;

use crate::cancel::{Cancel, Cancelled};
use crate::distribution::{Categories, Distribution, Histogram};

/// One bin of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct BinRow {
    /// The bin, e.g. `[0.5, 1)` or a category label.
    pub label: String,
    /// P's probability in the bin.
    pub p: f64,
    /// Q's probability in the bin.
    pub q: f64,
    /// p·ln(p/q).
    pub contribution: f64,
}

/// Per-bin contributions and PSI.
#[derive(Clone, Debug, PartialEq)]
pub struct BinTable {
    /// What the bins are, in words.
    pub basis: String,
    /// `(left, right, contribution)` per bin (categories: `(i, i + 1, ·)`); with more than
    /// 2000 bins, neighbouring bins are merged for drawing.
    pub contributions: Vec<(f64, f64, f64)>,
    /// The bins with the largest |contribution|, largest first (at most 10).
    pub top: Vec<BinRow>,
    /// Population Stability Index Σ (p − q)·ln(p/q).
    pub psi: f64,
    /// Σ contributions: KL(P‖Q) on these bins.
    pub kl_on_bins: f64,
}

fn contribution(p: f64, q: f64) -> f64 {
    if p == 0.0 {
        0.0
    } else if q == 0.0 {
        f64::INFINITY
    } else {
        p * (p / q).ln()
    }
}

fn psi_term(p: f64, q: f64) -> f64 {
    if p == q {
        0.0
    } else if p == 0.0 || q == 0.0 {
        f64::INFINITY
    } else {
        (p - q) * (p / q).ln()
    }
}

fn fmt(v: f64) -> String {
    crate::distribution::family::format_number((v * 1e6).round() / 1e6)
}

/// A bin as `(left, right, p, q)`.
type Bin = (f64, f64, f64, f64);

/// The table from `count` bins `(lo, hi, p, q)` given one at a time, in order: sums, the
/// chart's bars (neighbouring bins merged into at most 2000, their contributions added; an
/// infinite one stays infinite) and the ten largest contributions, without keeping the bins
/// (10^7 of them would be hundreds of megabytes).
fn table(
    basis: String,
    count: usize,
    bins: impl IntoIterator<Item = Bin>,
    label: impl Fn(usize, f64, f64) -> String,
    cancel: &Cancel,
) -> Result<BinTable, Cancelled> {
    const BARS: usize = 2000;
    const TOP: usize = 10;
    let chunk = count.div_ceil(BARS).max(1);
    let mut psi = 0.0;
    let mut kl = 0.0;
    let mut contributions: Vec<(f64, f64, f64)> = Vec::with_capacity(count.min(BARS) + 1);
    // The largest |contribution| so far, largest first: (|c|, index, bin, c).
    let mut top: Vec<(f64, usize, Bin, f64)> = Vec::with_capacity(TOP + 1);
    for (i, bin) in bins.into_iter().enumerate() {
        if i.is_multiple_of(CANCEL_CHUNK) {
            cancel.check()?;
        }
        let (lo, hi, p, q) = bin;
        let c = contribution(p, q);
        kl += c;
        psi += psi_term(p, q);
        if i % chunk == 0 {
            contributions.push((lo, hi, c));
        } else if let Some(bar) = contributions.last_mut() {
            bar.1 = hi;
            bar.2 += c;
        }
        let size = c.abs();
        if (p > 0.0 || q > 0.0) && (top.len() < TOP || size > top[top.len() - 1].0) {
            // Ties keep the earlier bin first, as a stable sort would.
            let at = top.partition_point(|t| t.0 >= size);
            top.insert(at, (size, i, bin, c));
            top.truncate(TOP);
        }
    }
    let top = top
        .into_iter()
        .map(|(_, i, (lo, hi, p, q), contribution)| BinRow {
            label: label(i, lo, hi),
            p,
            q,
            contribution,
        })
        .collect();
    Ok(BinTable {
        basis,
        contributions,
        top,
        psi,
        kl_on_bins: kl,
    })
}

/// Bins between two looks at the cancel flag.
const CANCEL_CHUNK: usize = 1 << 16;

/// How many cells the walk gives, checking `cancel` between chunks.
fn count_cells(cells: impl Iterator<Item = Bin>, cancel: &Cancel) -> Result<usize, Cancelled> {
    let mut n = 0usize;
    for _ in cells {
        if n.is_multiple_of(CANCEL_CHUNK) {
            cancel.check()?;
        }
        n += 1;
    }
    Ok(n)
}

fn interval(lo: f64, hi: f64) -> String {
    format!("[{}, {})", fmt(lo), fmt(hi))
}

/// The binned view of P against Q, when at least one side is binned data.
pub fn bin_table(
    p: &Distribution,
    q: &Distribution,
    cancel: &Cancel,
) -> Result<Option<BinTable>, Cancelled> {
    Ok(match (p, q) {
        (Distribution::Histogram(a), Distribution::Histogram(b)) => Some(table(
            "the common refinement of both histograms' bins".into(),
            // One walk to count the cells (for the chart's bars), one to tabulate them.
            count_cells(refinement(a, b), cancel)?,
            refinement(a, b),
            |_, lo, hi| interval(lo, hi),
            cancel,
        )?),
        (Distribution::Histogram(h), other)
            if other.kind() == crate::distribution::Kind::Continuous =>
        {
            Some(table(
                "P's bins (Q's bin probabilities from its cdf)".into(),
                h.len(),
                on_bins(h, other, true),
                |_, lo, hi| interval(lo, hi),
                cancel,
            )?)
        }
        (other, Distribution::Histogram(h))
            if other.kind() == crate::distribution::Kind::Continuous =>
        {
            Some(table(
                "Q's bins (P's bin probabilities from its cdf)".into(),
                h.len(),
                on_bins(h, other, false),
                |_, lo, hi| interval(lo, hi),
                cancel,
            )?)
        }
        (Distribution::Categories(a), Distribution::Categories(b)) => {
            let labels = super::discrete::union_labels(a, b);
            let (pa, qa) = (a.aligned_to(&labels), b.aligned_to(&labels));
            Some(table(
                "the categories of both files".into(),
                labels.len(),
                (0..labels.len()).map(|i| (i as f64, i as f64 + 1.0, pa[i], qa[i])),
                |i, _, _| labels[i].clone(),
                cancel,
            )?)
        }
        _ => None,
    })
}

/// `(left, right, p, q)` over the histogram's bins; the other side's probabilities from its
/// cdf left of its median and from its survival function right of it, so a bin far in the
/// upper tail keeps its tiny probability instead of losing it to 1 − 1 (once per edge:
/// touching bins share theirs). `hist_is_p` says which side the histogram is.
fn on_bins<'a>(
    h: &'a Histogram,
    other: &'a Distribution,
    hist_is_p: bool,
) -> impl Iterator<Item = Bin> + 'a {
    // (cdf, sf) at an edge; the sf only where the cdf is past one half.
    let at = |x: f64| {
        let c = other.cdf(x);
        (c, if c > 0.5 { other.sf(x) } else { 1.0 - c })
    };
    let mut last: Option<(f64, (f64, f64))> = None;
    (0..h.len()).map(move |i| {
        let (l, r, m) = h.bin(i);
        let left = match last {
            Some((x, v)) if x == l => v,
            _ => at(l),
        };
        let right = at(r);
        last = Some((r, right));
        let o = if left.0 > 0.5 {
            left.1 - right.1
        } else {
            right.0 - left.0
        }
        .max(0.0);
        if hist_is_p {
            (l, r, m, o)
        } else {
            (l, r, o, m)
        }
    })
}

/// The cells of the common refinement of two histograms' bins where either has mass, as
/// `(left, right, p's mass, q's mass)`, in order: both bin lists walked side by side.
fn refinement<'a>(a: &'a Histogram, b: &'a Histogram) -> impl Iterator<Item = Bin> + 'a {
    let side = |h: &'a Histogram| (h.lefts(), h.rights(), h.masses());
    let (pa, pb) = (side(a), side(b));
    let (mut i, mut j) = (0, 0);
    let mut x = a.lefts()[0].min(b.lefts()[0]);
    // The density of `h` on a cell starting at `x`, with `k` the first bin ending after `x`.
    let density = |(l, r, m): (&[f64], &[f64], &[f64]), k: usize, x: f64| match l.get(k) {
        Some(&left) if left <= x => m[k] / (r[k] - left),
        _ => 0.0,
    };
    let next_edge = |(l, r, _): (&[f64], &[f64], &[f64]), k: usize, x: f64| match l.get(k) {
        Some(&left) if left > x => left,
        Some(_) => r[k],
        None => f64::INFINITY,
    };
    std::iter::from_fn(move || {
        loop {
            while i < pa.1.len() && pa.1[i] <= x {
                i += 1;
            }
            while j < pb.1.len() && pb.1[j] <= x {
                j += 1;
            }
            let y = next_edge(pa, i, x).min(next_edge(pb, j, x));
            if y == f64::INFINITY {
                return None;
            }
            let (dp, dq) = (density(pa, i, x), density(pb, j, x));
            let cell = (x, y, dp * (y - x), dq * (y - x));
            x = y;
            if dp > 0.0 || dq > 0.0 {
                return Some(cell);
            }
        }
    })
}

/// "Compare on P's bins": P's histogram and Q's bin probabilities on P's bins, as two
/// category distributions to be compared exactly as discrete ones. `None` unless P is a
/// histogram and Q continuous.
pub fn on_p_bins(p: &Distribution, q: &Distribution) -> Option<(Distribution, Distribution)> {
    let Distribution::Histogram(h) = p else {
        return None;
    };
    if q.kind() != crate::distribution::Kind::Continuous || matches!(q, Distribution::Histogram(_))
    {
        return None;
    }
    let bins: Vec<_> = on_bins(h, q, true).collect();
    let labels: Vec<String> = bins.iter().map(|(l, r, _, _)| interval(*l, *r)).collect();
    let inside: f64 = bins.iter().map(|b| b.3).sum();
    let mut note = vec!["compared on P's bins: Q's bin probabilities from its cdf".to_string()];
    if (1.0 - inside).abs() > 1e-12 {
        note.push(format!(
            "Q has {:.4}% of its mass outside P's bins; Q's bin probabilities were normalised to 1",
            100.0 * (1.0 - inside)
        ));
    }
    let pc = Categories::new(
        labels
            .iter()
            .cloned()
            .zip(bins.iter().map(|b| b.2))
            .collect(),
        h.source.clone(),
        note.clone(),
    )
    .ok()?;
    let qc = Categories::new(
        labels.into_iter().zip(bins.iter().map(|b| b.3)).collect(),
        format!("{} on P's bins", q.to_spec()),
        note,
    )
    .ok()?;
    Some((
        Distribution::Categories(Arc::new(pc)),
        Distribution::Categories(Arc::new(qc)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::histogram::Weights;

    fn hist(bins: &[(f64, f64, f64)]) -> Distribution {
        Distribution::Histogram(Arc::new(
            Histogram::from_bins(bins, Weights::Count, "t").unwrap(),
        ))
    }

    #[test]
    fn top_bins_past_the_chart_budget_keep_their_own_contribution() {
        // 10 000 bins: the chart merges them to 2000 bars, the table must not index those.
        // Found by a 10^5-bin file against normal(1, 2), which panicked the compute thread.
        let n = 10_000u32;
        let edge = |i: u32| f64::from(i);
        let p = hist(
            &(0..n)
                .map(|i| (edge(i), edge(i + 1), 1.0))
                .collect::<Vec<_>>(),
        );
        let q = hist(
            &(0..n)
                .map(|i| (edge(i), edge(i + 1), if i == 9_000 { 50.0 } else { 1.0 }))
                .collect::<Vec<_>>(),
        );
        let t = bin_table(&p, &q, &Cancel::default()).unwrap().unwrap();
        assert!(t.contributions.len() <= 2000);
        let first = &t.top[0];
        assert_eq!(first.label, interval(9000.0, 9001.0));
        let (pp, qq) = (1.0 / f64::from(n), 50.0 / f64::from(n + 49));
        assert!(
            (first.contribution - pp * (pp / qq).ln()).abs() < 1e-15,
            "{first:?}"
        );
    }

    #[test]
    fn the_walked_refinement_matches_merged_edges_and_cdfs() {
        // Different binnings, a gap in each, an empty bin, a bin of P inside one of Q: the
        // cells the walk gives must be those of the sorted union of edges (cells where both
        // are empty left out), with masses from the cdfs.
        let p = hist(&[
            (0.0, 1.0, 2.0),
            (1.0, 1.5, 0.0),
            (1.5, 3.0, 4.0),
            (4.0, 4.5, 1.0),
            (6.0, 7.0, 3.0),
        ]);
        let q = hist(&[(-1.0, 0.5, 1.0), (0.5, 2.5, 5.0), (3.5, 6.5, 2.0)]);
        let (Distribution::Histogram(a), Distribution::Histogram(b)) = (&p, &q) else {
            unreachable!()
        };
        let mut edges = a.edges();
        edges.extend(b.edges());
        edges.sort_by(f64::total_cmp);
        edges.dedup();
        let want: Vec<(f64, f64, f64, f64)> = edges
            .windows(2)
            .map(|w| {
                let mass = |h: &Histogram| h.cdf(w[1]) - h.cdf(w[0]);
                (w[0], w[1], mass(a), mass(b))
            })
            .filter(|c| c.2 > 0.0 || c.3 > 0.0)
            .collect();
        let got: Vec<_> = refinement(a, b).collect();
        assert_eq!(got.len(), want.len(), "{got:?}\n{want:?}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.0, g.1), (w.0, w.1));
            assert!(
                (g.2 - w.2).abs() < 1e-15 && (g.3 - w.3).abs() < 1e-15,
                "{g:?} {w:?}"
            );
        }
        // And the table: KL and PSI on these cells, the largest contribution first.
        let t = bin_table(&p, &q, &Cancel::default()).unwrap().unwrap();
        let kl: f64 = want.iter().map(|c| contribution(c.2, c.3)).sum();
        assert_eq!(t.kl_on_bins, kl);
        let mut sizes: Vec<f64> = want.iter().map(|c| contribution(c.2, c.3).abs()).collect();
        sizes.sort_by(|x, y| y.total_cmp(x));
        assert_eq!(t.top[0].contribution.abs(), sizes[0]);
        assert_eq!(t.contributions.len(), want.len());
    }

    #[test]
    fn psi_and_contributions_by_hand() {
        let p = hist(&[(0.0, 1.0, 1.0), (1.0, 2.0, 3.0)]);
        let q = hist(&[(0.0, 1.0, 1.0), (1.0, 2.0, 1.0)]);
        let t = bin_table(&p, &q, &Cancel::default()).unwrap().unwrap();
        let c0 = 0.25 * (0.25f64 / 0.5).ln();
        let c1 = 0.75 * (0.75f64 / 0.5).ln();
        assert!((t.kl_on_bins - (c0 + c1)).abs() < 1e-15);
        let psi = (0.25 - 0.5) * (0.5f64).ln() + (0.75 - 0.5) * 1.5f64.ln();
        assert!((t.psi - psi).abs() < 1e-15);
        assert_eq!(t.top[0].label, "[1, 2)");
    }

    #[test]
    fn a_bin_far_in_the_upper_tail_keeps_its_probability() {
        // Q = normal(0, 1) on [8.5, 8.500006): q ≈ φ(8.5)·6e-6 ≈ 3.2e-22, which a difference
        // of cdfs (both 1 in double precision) turns into 0 and the contribution into ∞.
        let p = hist(&[(-1.0, 0.0, 5.0), (0.0, 1.0, 5.0), (8.5, 8.500006, 1.0)]);
        let q = crate::distribution::parse_spec("normal(0, 1)").unwrap();
        let t = bin_table(&p, &q, &Cancel::default()).unwrap().unwrap();
        let tail = t.top.iter().find(|r| r.label.starts_with("[8.5")).unwrap();
        // ∫ φ over the bin, by the midpoint rule (the density changes by 5e-5 over it).
        let mid = 8.500003f64;
        let want = (-0.5 * mid * mid).exp() / (2.0 * std::f64::consts::PI).sqrt() * 6e-6;
        assert!((tail.q / want - 1.0).abs() < 1e-6, "{} vs {want}", tail.q);
        assert!(t.kl_on_bins.is_finite() && t.psi.is_finite());
        // And the lower tail, mirrored, by the cdf.
        let p = hist(&[(-8.500006, -8.5, 1.0), (0.0, 1.0, 5.0)]);
        let t = bin_table(&p, &q, &Cancel::default()).unwrap().unwrap();
        let tail = t.top.iter().find(|r| r.label.starts_with("[-8.5")).unwrap();
        assert!((tail.q / want - 1.0).abs() < 1e-6, "{} vs {want}", tail.q);
    }

    #[test]
    fn on_p_bins_gives_two_category_distributions() {
        let p = hist(&[(-1.0, 0.0, 1.0), (0.0, 1.0, 1.0)]);
        let q = crate::distribution::parse_spec("normal(0, 1)").unwrap();
        let (a, b) = on_p_bins(&p, &q).unwrap();
        let r = crate::divergence::compare(&a, &b, &Default::default()).unwrap();
        // Q's mass on [-1, 1] is 0.6827, split evenly; renormalised to ½ each: KL = 0.
        assert!(r.kl_pq.value.abs() < 1e-12, "{:?}", r.kl_pq);
    }
}
