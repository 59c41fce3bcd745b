//! Two histograms walked side by side over the common refinement of their bin edges, with
//! compensated sums: every figure of a pair of histograms exactly, in one pass.

use super::{Cell, Figure};
use crate::cancel::Cancel;
use crate::distribution::Histogram;

/// Cells (or terms) between two looks at the cancel flag.
pub(super) const CANCEL_CHUNK: usize = 1 << 16;

/// Cells below which one thread walks them all.
const PARALLEL_CELLS: usize = 1 << 16;

/// Exact integrals of `g(cell)` for two piecewise-constant densities, over the common
/// refinement of their bin edges (cells where both are 0 are skipped). Walks both bin lists
/// side by side without materialising the refinement; large pairs are split between two
/// threads at one of P's edges.
pub fn piecewise<const N: usize>(
    p: &Histogram,
    q: &Histogram,
    cancel: &Cancel,
    g: impl Fn(&Cell) -> [f64; N] + Sync,
) -> [Figure; N] {
    let lo = p.lefts()[0].min(q.lefts()[0]);
    let hi = p.rights()[p.len() - 1].max(q.rights()[q.len() - 1]);
    let parts = if p.len() + q.len() >= PARALLEL_CELLS {
        let split = p.lefts()[p.len() / 2];
        std::thread::scope(|s| {
            let upper = s.spawn(|| walk(p, q, split, hi, cancel, &g));
            let lower = walk(p, q, lo, split, cancel, &g);
            // A panic in the walk is a bug; walk the upper half here rather than lose it.
            let upper = upper
                .join()
                .unwrap_or_else(|_| walk(p, q, split, hi, cancel, &g));
            vec![lower, upper]
        })
    } else {
        vec![walk(p, q, lo, hi, cancel, &g)]
    };
    let mut total = Partial::<N>::default();
    for part in parts {
        total.cells += part.cells;
        for i in 0..N {
            total.add(i, part.total(i));
            total.abs[i] += part.abs[i] - part.total(i).abs();
        }
    }
    let cells = total.cells;
    // Each term is good to a few ulps of itself plus a few ulps of its cell's mass (the log
    // of a ratio near 1); the compensated sum adds no error that grows with the cell count.
    std::array::from_fn(|i| Figure {
        value: total.total(i),
        error: 4.0 * f64::EPSILON * (total.abs[i] + 2.0),
        method: format!(
            "exact sum over the common refinement of both histograms' bins ({cells} cells)"
        ),
        reason: None,
    })
}

/// Running sums of a walk. The sums are compensated (two-sum): 10^7 terms added one by one
/// lose about 10^−11 of KL, more than the terms themselves carry.
pub(super) struct Partial<const N: usize> {
    pub(super) sums: [f64; N],
    /// The low-order parts the sums lost.
    pub(super) carry: [f64; N],
    pub(super) abs: [f64; N],
    pub(super) cells: usize,
}

impl<const N: usize> Default for Partial<N> {
    fn default() -> Self {
        Partial {
            sums: [0.0; N],
            carry: [0.0; N],
            abs: [0.0; N],
            cells: 0,
        }
    }
}

impl<const N: usize> Partial<N> {
    pub(super) fn add(&mut self, i: usize, term: f64) {
        // Knuth's two-sum: the exact rounding error of `sum + term`, whichever operand is
        // larger, without a branch (an infinite term makes the sum infinite and the carry
        // NaN, which `total` ignores).
        let a = self.sums[i];
        let sum = a + term;
        let b_virtual = sum - a;
        self.carry[i] += (a - (sum - b_virtual)) + (term - b_virtual);
        self.sums[i] = sum;
        self.abs[i] += term.abs();
    }

    /// The compensated sum of figure `i`.
    pub(super) fn total(&self, i: usize) -> f64 {
        if self.sums[i].is_finite() {
            self.sums[i] + self.carry[i]
        } else {
            self.sums[i]
        }
    }
}

/// One histogram's bin under the walk: its index and density (linear and log).
struct Cursor<'a> {
    lefts: &'a [f64],
    rights: &'a [f64],
    masses: &'a [f64],
    i: usize,
    d: f64,
    ld: f64,
}

impl<'a> Cursor<'a> {
    /// At the first bin that ends after `x`.
    fn new(h: &'a Histogram, x: f64) -> Self {
        let mut c = Cursor {
            lefts: h.lefts(),
            rights: h.rights(),
            masses: h.masses(),
            i: h.rights().partition_point(|r| *r <= x),
            d: 0.0,
            ld: f64::NEG_INFINITY,
        };
        c.load();
        c
    }

    fn load(&mut self) {
        if let (Some(l), Some(r), Some(m)) = (
            self.lefts.get(self.i),
            self.rights.get(self.i),
            self.masses.get(self.i),
        ) {
            self.d = m / (r - l);
            self.ld = self.d.ln();
        }
    }

    /// Moves past bins that end at or before `x`.
    fn advance(&mut self, x: f64) {
        let rights = self.rights;
        if self.i < rights.len() && rights[self.i] <= x {
            while self.i < rights.len() && rights[self.i] <= x {
                self.i += 1;
            }
            self.load();
        }
    }

    /// The first edge of this histogram after `x` (inf past the last bin).
    fn next_edge(&self, x: f64) -> f64 {
        match self.lefts.get(self.i) {
            Some(&l) if l > x => l,
            Some(_) => self.rights[self.i],
            None => f64::INFINITY,
        }
    }

    /// The density on a cell starting at `x` (0 in gaps and past the ends).
    fn at(&self, x: f64) -> (f64, f64) {
        match self.lefts.get(self.i) {
            Some(&l) if l <= x => (self.d, self.ld),
            _ => (0.0, f64::NEG_INFINITY),
        }
    }
}

/// The cells in `[from, to)`, summed.
pub(super) fn walk<const N: usize>(
    p: &Histogram,
    q: &Histogram,
    from: f64,
    to: f64,
    cancel: &Cancel,
    g: &impl Fn(&Cell) -> [f64; N],
) -> Partial<N> {
    let mut out = Partial::default();
    let (mut cp, mut cq) = (Cursor::new(p, from), Cursor::new(q, from));
    let mut x = from;
    let mut steps = 0usize;
    while x < to {
        steps += 1;
        if steps.is_multiple_of(CANCEL_CHUNK) && cancel.is_cancelled() {
            break;
        }
        cp.advance(x);
        cq.advance(x);
        let y = cp.next_edge(x).min(cq.next_edge(x)).min(to);
        if y == f64::INFINITY {
            break;
        }
        let ((dp, lp), (dq, lq)) = (cp.at(x), cq.at(x));
        if dp > 0.0 || dq > 0.0 {
            out.cells += 1;
            let v = g(&Cell::new(dp, lp, dq, lq));
            let width = y - x;
            for (i, term) in v.into_iter().enumerate() {
                out.add(i, term * width);
            }
        }
        x = y;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::Distribution;
    use crate::divergence::{Options, compare};

    #[test]
    fn a_million_bins_sum_to_the_closed_form_to_the_last_digits() {
        use crate::distribution::histogram::Weights;
        // P uniform; Q alternates 1 and 3. KL(P‖Q) = ½·ln(4/3), KL(Q‖P) = ½·ln(3/4) +
        // ¾·ln 3... written out below; H(P) = ln(total width). A plain running sum of 10^6
        // terms is off by about 1e-12 here; the compensated one by an ulp or two.
        let n = 1_000_000u32;
        let edge = |i: u32| f64::from(i) * 1e-3;
        let p: Vec<_> = (0..n).map(|i| (edge(i), edge(i + 1), 1.0)).collect();
        let q: Vec<_> = (0..n)
            .map(|i| (edge(i), edge(i + 1), if i % 2 == 0 { 1.0 } else { 3.0 }))
            .collect();
        let hp = Distribution::Histogram(std::sync::Arc::new(
            Histogram::from_bins(&p, Weights::Count, "p").unwrap(),
        ));
        let hq = Distribution::Histogram(std::sync::Arc::new(
            Histogram::from_bins(&q, Weights::Count, "q").unwrap(),
        ));
        let r = compare(&hp, &hq, &Options::default()).unwrap();
        let kl_pq = 0.5 * (4.0f64 / 3.0).ln();
        // Q's masses are 1/(2n)·(1/2) and 1/(2n)·(3/2): ½·(¼·ln(½) + ¾·ln(3/2))·2.
        let kl_qp = 0.25 * 0.5f64.ln() + 0.75 * 1.5f64.ln();
        let h_p = 1000.0f64.ln();
        for (name, got, want) in [
            ("KL(P‖Q)", &r.kl_pq, kl_pq),
            ("KL(Q‖P)", &r.kl_qp, kl_qp),
            ("H(P)", &r.entropy_p, h_p),
        ] {
            let err = (got.value - want).abs();
            assert!(
                err < 4e-15 * want.abs().max(1.0),
                "{name}: {} against {want}",
                got.value
            );
            assert!(
                err <= got.error,
                "{name}: error {err:e} above the estimate {:e}",
                got.error
            );
        }
    }

    #[test]
    fn the_walk_matches_a_sum_over_merged_edges_in_both_threads() {
        use crate::distribution::histogram::{Weights, merge_sorted};
        // P: 70 000 bins of uneven width with empty bins and one gap; Q: 60 000 other bins
        // covering P.
        // Large enough that the walk is split between two threads.
        let mut p_bins = Vec::new();
        let mut x = 0.0;
        for i in 0..70_000u32 {
            let w = 1.0 + f64::from(i % 7) * 0.1;
            if i == 30_000 {
                x += 5.0;
            }
            p_bins.push((x, x + w, f64::from((i * 13) % 11)));
            x += w;
        }
        let q_bins: Vec<(f64, f64, f64)> = (0..60_000u32)
            .map(|i| {
                let edge = |k: u32| -3.0 + f64::from(k) * 1.7;
                (edge(i), edge(i + 1), 1.0 + f64::from(i % 5))
            })
            .collect();
        let hp = Histogram::from_bins(&p_bins, Weights::Count, "p").unwrap();
        let hq = Histogram::from_bins(&q_bins, Weights::Count, "q").unwrap();
        let [kl_pq, kl_qp, tv] = piecewise(&hp, &hq, &Cancel::default(), |c| {
            [c.kl_pq(), c.kl_qp(), c.symmetric()[1]]
        });
        let (mut want_kl, mut want_tv) = (0.0, 0.0);
        for e in merge_sorted(&hp.edges(), &hq.edges()).windows(2) {
            let mid = 0.5 * (e[0] + e[1]);
            let (lp, lq) = (hp.ln_density(mid), hq.ln_density(mid));
            want_tv += 0.5 * (lp.exp() - lq.exp()).abs() * (e[1] - e[0]);
            if lp > f64::NEG_INFINITY {
                want_kl += lp.exp() * (lp - lq) * (e[1] - e[0]);
            }
        }
        assert!(kl_pq.error < 1e-9, "{kl_pq:?}");
        assert!(
            (kl_pq.value - want_kl).abs() < 1e-10 * want_kl,
            "{} against {want_kl}",
            kl_pq.value
        );
        assert!(
            (tv.value - want_tv).abs() < 1e-12,
            "{} against {want_tv}",
            tv.value
        );
        assert!(tv.value > 0.1);
        assert_eq!(
            kl_qp.value,
            f64::INFINITY,
            "Q has mass in P's gap and empty bins"
        );
    }
}
