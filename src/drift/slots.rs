//! Counting a column into open bins by a table lookup a value, for the current side of a
//! large comparison: the same counts as [`Bins::count_into`], in fewer operations.
//!
//! The total order of doubles is cut into 2^16 runs (slots), by the top 16 bits of the order
//! key. For each slot the table holds how many edges are ≤ every value in it and, when one
//! edge is ≤ some of its values but not all, which: a value's bin is then one comparison
//! away. A slot that two or more edges cut (or that holds an infinity or a NaN) sends its
//! values to the binary search of [`Bins::bin_of`].

use super::binning::{Bins, Layout, from_order_key, order_key};
use crate::io::table::BinCounter;

/// The bits of an order key that name its slot.
const SLOT_BITS: u32 = 16;
const SLOTS: usize = 1 << SLOT_BITS;
/// The bits below a slot's.
const LOW: u64 = (1 << (64 - SLOT_BITS)) - 1;
/// A slot whose values are counted by a search.
const SEARCH: u16 = u16::MAX;
/// The most edges a table serves (a slot's count of edges below it fits a byte, with room
/// for [`SEARCH`]).
const MAX_EDGES: usize = 254;

/// Open bins with the table of their slots.
pub struct SlotBins<'a> {
    edges: &'a [f64],
    /// Per slot: the edges ≤ all its values (low byte) and 1 + the index of the one edge ≤
    /// some of them only (high byte; 0 when none), or [`SEARCH`].
    table: Box<[u16; SLOTS]>,
    /// NaN, then the edges: the comparison `cut[i] <= x` is false for i = 0.
    cut: [f64; 256],
}

impl<'a> SlotBins<'a> {
    /// The table for `bins`; `None` unless they are open bins on at most [`MAX_EDGES`]
    /// increasing edges (then [`Bins::count_into`] counts, as before).
    pub fn new(bins: &'a Bins) -> Option<Self> {
        let Layout::Open(edges) = &bins.layout else {
            return None;
        };
        if edges.len() > MAX_EDGES || !edges.windows(2).all(|w| w[0] < w[1]) {
            return None;
        }
        if edges.iter().any(|e| e.is_nan()) {
            return None;
        }
        let mut table: Box<[u16; SLOTS]> =
            vec![SEARCH; SLOTS].into_boxed_slice().try_into().ok()?;
        // Across the finite slots, in order, a slot's least and greatest values only grow (as
        // IEEE compares them: −0 and +0, in two slots, are equal), so the edges ≤ each are a
        // prefix of the edges that only grows.
        let (mut below_lo, mut below_hi) = (0, 0);
        for (s, t) in table.iter_mut().enumerate() {
            let first = (s as u64) << (64 - SLOT_BITS);
            let (lo, hi) = (from_order_key(first), from_order_key(first | LOW));
            if !lo.is_finite() || !hi.is_finite() {
                continue;
            }
            while below_lo < edges.len() && edges[below_lo] <= lo {
                below_lo += 1;
            }
            while below_hi < edges.len() && edges[below_hi] <= hi {
                below_hi += 1;
            }
            // Both are at most MAX_EDGES, so they fit a byte each.
            let (base, next) = (
                u16::try_from(below_lo).ok()?,
                u16::try_from(below_lo + 1).ok()?,
            );
            *t = match below_hi - below_lo {
                0 => base,
                1 => base | (next << 8),
                _ => SEARCH,
            };
        }
        let mut cut = [f64::NAN; 256];
        cut[1..=edges.len()].copy_from_slice(edges);
        Some(SlotBins { edges, table, cut })
    }

    /// The bin of `x`: how many edges are ≤ it.
    #[inline]
    fn bin_of(&self, x: f64) -> usize {
        // The shift leaves SLOT_BITS bits, so the index is in bounds by construction.
        let t = self.table[(order_key(x) >> (64 - SLOT_BITS)) as usize];
        if t == SEARCH {
            return self.edges.partition_point(|&e| e <= x);
        }
        usize::from(t & 0xFF) + usize::from(self.cut[usize::from(t >> 8)] <= x)
    }
}

impl BinCounter for SlotBins<'_> {
    fn bins(&self) -> usize {
        // Open bins: one more than the edges.
        self.edges.len() + 1
    }

    fn add(&self, values: &[f64], counts: &mut [u64]) {
        for &x in values {
            counts[self.bin_of(x)] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt as _, SeedableRng};

    use super::super::binning::Binning;
    use super::*;

    fn open(edges: Vec<f64>) -> Bins {
        Bins {
            binning: Binning::Edges(edges.clone()),
            layout: Layout::Open(edges),
            merged_edges: 0,
        }
    }

    /// The counts of `values` by the table and by the bins themselves.
    fn both(bins: &Bins, values: &[f64]) -> (Vec<u64>, Vec<u64>) {
        let slots = SlotBins::new(bins).expect("open increasing edges");
        let mut by_table = vec![0; bins.len()];
        slots.add(values, &mut by_table);
        let mut by_bins = vec![0; bins.len()];
        bins.count_into(values, &mut by_bins);
        (by_table, by_bins)
    }

    #[test]
    fn slots_count_as_the_bins_do_at_every_edge_and_between() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(16);
        // Edges in one slot (1.0 and its neighbours), at ±0, tiny, huge and ordinary.
        let edge_sets = [
            vec![-1.28, -0.84, -0.52, -0.25, 0.0, 0.25, 0.52, 0.84, 1.28],
            vec![1.0, f64::from_bits(1.0f64.to_bits() + 1), 1.0 + 1e-9],
            vec![-0.0, 5e-324, 1e-300],
            vec![-f64::MAX, -1e300, 1e300, f64::MAX],
            vec![-2.5, 7.0],
            vec![3.0],
            (0..254).map(|i| f64::from(i) * 0.01 - 1.0).collect(),
        ];
        for edges in edge_sets {
            let mut values: Vec<f64> = Vec::new();
            for &e in &edges {
                let b = e.to_bits();
                values.extend([
                    e,
                    -e,
                    f64::from_bits(b.wrapping_add(1)),
                    f64::from_bits(b.wrapping_sub(1)),
                ]);
                values.extend([e / 2.0, e * 2.0, e + 1e-12, e - 1e-12]);
            }
            values.extend([0.0, -0.0, 5e-324, -5e-324, f64::MAX, -f64::MAX, 1.0, -1.0]);
            values.extend((0..20_000).map(|_| {
                let x: f64 = rng.random::<f64>() * 6.0 - 3.0;
                if rng.random::<bool>() { x } else { x * 1e-3 }
            }));
            values.retain(|x| x.is_finite());
            let (by_table, by_bins) = both(&open(edges.clone()), &values);
            assert_eq!(by_table, by_bins, "edges {edges:?}");
            assert_eq!(by_table.iter().sum::<u64>(), values.len() as u64);
        }
    }

    #[test]
    fn a_positive_zero_edge_counts_negative_zero_at_or_above_it() {
        // IEEE: 0 ≤ −0, though −0 comes first in the total order the slots follow.
        let bins = open(vec![0.0]);
        let (by_table, by_bins) = both(&bins, &[-0.0, 0.0, -1e-310, 1e-310]);
        assert_eq!(by_table, vec![1, 3]);
        assert_eq!(by_table, by_bins);
    }

    #[test]
    fn only_open_increasing_edges_get_a_table() {
        assert!(SlotBins::new(&open(vec![1.0, 1.0])).is_none());
        assert!(SlotBins::new(&open(vec![2.0, 1.0])).is_none());
        assert!(SlotBins::new(&open(vec![f64::NAN])).is_none());
        assert!(SlotBins::new(&open((0..255).map(f64::from).collect())).is_none());
        assert!(SlotBins::new(&open((0..254).map(f64::from).collect())).is_some());
        let closed = Bins {
            binning: Binning::Fixed(2),
            layout: Layout::Closed {
                edges: vec![0.0, 1.0, 2.0],
                outer: false,
            },
            merged_edges: 0,
        };
        assert!(SlotBins::new(&closed).is_none());
    }
}
