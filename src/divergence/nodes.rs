//! The log-densities of P and Q at the Kronrod nodes of the initial quadrature segments,
//! evaluated once and shared by the integrals that start from those segments.
//!
//! KL both ways, JS and H² each integrate a function of `(ln p, ln q)` over segments built
//! from the same break points, so the first rule on each segment asks for the same 15
//! points, in the same order; for a mixture of 10^4 components that was most of the time,
//! four times over. The table holds those points in the order the quadrature asks for them
//! ([`quad`]'s rule: the centre, then the pairs from the ends inwards), and each integral
//! reads it with a cursor: a point equal, bit for bit, to the one at the cursor gets the
//! values its evaluation would give, and any other point (a refinement, a segment split at
//! a crossing) is evaluated. So no figure changes, whatever order the points come in; only
//! points asked in the table's order are saved. (A hash map by point was slower than
//! evaluating: a lookup in a 30 MB table misses the cache.)

use rayon::prelude::*;

use super::quad::{self, Point, Segment};
use crate::distribution::Distribution;

/// `(ln p, ln q)` at the nodes of the first rule on each segment, in the quadrature's order,
/// 15 a segment; a node the quadrature does not evaluate has a NaN point.
pub(super) struct NodeTable {
    segments: Vec<[(Point, [f64; 2]); 15]>,
}

/// A view of a [`NodeTable`] for one integral, or none (everything evaluated).
#[derive(Clone, Copy, Default)]
pub(super) struct Nodes<'a> {
    table: Option<&'a NodeTable>,
    /// The integral's first distribution is the table's Q (KL(Q‖P)).
    swapped: bool,
}

/// One integral's reading of a [`NodeTable`]: the next point it expects.
pub(super) struct Cursor<'a> {
    nodes: Nodes<'a>,
    next: usize,
}

impl NodeTable {
    /// `(ln p, ln q)` at the 15 nodes of the first rule on each segment of `segs` (those that
    /// the quadrature evaluates: finite points with a finite, nonzero Jacobian), on both
    /// cores.
    pub(super) fn build(p: &Distribution, q: &Distribution, segs: &[Segment]) -> NodeTable {
        // The rule on [0, reach] (a tail's first rule ends where its nodes leave the
        // doubles), the centre first, then each pair: the order in which it evaluates them.
        let unit = |seg: &Segment| -> [f64; 15] {
            let x = quad::kronrod_nodes(0.0, seg.reach());
            std::array::from_fn(|i| if i == 0 { x[14] } else { x[i - 1] })
        };
        let skipped = Point {
            anchor: f64::NAN,
            offset: f64::NAN,
        };
        // One allocation, written in place (collected from pieces, the table's pages were
        // a tenth of the time).
        let segments = segs
            .par_iter()
            .map(|seg| {
                unit(seg).map(|u| {
                    let (pt, jac) = seg.map(u);
                    if jac == 0.0 || !jac.is_finite() || !pt.x().is_finite() {
                        return (skipped, [f64::NAN; 2]);
                    }
                    let lp = p.ln_density_offset(pt.anchor, pt.offset);
                    let lq = q.ln_density_offset(pt.anchor, pt.offset);
                    (pt, [lp, lq])
                })
            })
            .collect();
        NodeTable { segments }
    }

    /// The view for integrals of `(ln p, ln q)`.
    pub(super) fn nodes(&self) -> Nodes<'_> {
        Nodes {
            table: Some(self),
            swapped: false,
        }
    }
}

impl<'a> Nodes<'a> {
    /// The view for integrals of `(ln q, ln p)`.
    pub(super) fn swapped(self) -> Self {
        Nodes {
            swapped: !self.swapped,
            ..self
        }
    }

    /// A reading from the first point.
    pub(super) fn cursor(self) -> Cursor<'a> {
        Cursor {
            nodes: self,
            next: 0,
        }
    }
}

impl Cursor<'_> {
    /// `(ln a, ln b)` at `pt`: from the table when `pt` is, bit for bit, the point it
    /// expects next, else evaluated.
    pub(super) fn ln_densities(
        &mut self,
        a: &Distribution,
        b: &Distribution,
        pt: Point,
    ) -> (f64, f64) {
        let Some(table) = self.nodes.table else {
            return (
                a.ln_density_offset(pt.anchor, pt.offset),
                b.ln_density_offset(pt.anchor, pt.offset),
            );
        };
        let points = table.segments.as_flattened();
        while points.get(self.next).is_some_and(|e| e.0.anchor.is_nan()) {
            self.next += 1;
        }
        if let Some(&(at, [lp, lq])) = points.get(self.next)
            && at.anchor.to_bits() == pt.anchor.to_bits()
            && at.offset.to_bits() == pt.offset.to_bits()
        {
            self.next += 1;
            return if self.nodes.swapped {
                (lq, lp)
            } else {
                (lp, lq)
            };
        }
        (
            a.ln_density_offset(pt.anchor, pt.offset),
            b.ln_density_offset(pt.anchor, pt.offset),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::parse_spec;

    /// KL(P‖Q) and KL(Q‖P) by quadrature over the same segments, every point evaluated and
    /// the first rules' points from the table: the same bits, and the table read to its end.
    #[test]
    fn integrals_read_from_the_table_equal_the_evaluated_ones_bit_for_bit() {
        let p = parse_spec("0.3*normal(-2, 0.5) + 0.7*gumbel(1, 2)").unwrap();
        let q = parse_spec("student_t(0, 2, 3)").unwrap();
        let segs = super::super::build_segments(&p, &q, &[(f64::NEG_INFINITY, f64::INFINITY)]);
        let table = NodeTable::build(&p, &q, &segs);
        let held = table.segments.as_flattened().len();
        assert_eq!(held, 15 * segs.len());
        for (a, b, nodes) in [(&p, &q, table.nodes()), (&q, &p, table.nodes().swapped())] {
            let kl = |cursor: &mut Cursor<'_>| {
                let mut f = |pt: Point| {
                    let (la, lb) = cursor.ln_densities(a, b, pt);
                    super::super::kl_term(la, lb)
                };
                quad::integrate(&segs, &mut f, 1e-12, 0.0, 200)
            };
            let mut reading = nodes.cursor();
            let from_table = kl(&mut reading);
            let evaluated = kl(&mut Nodes::default().cursor());
            assert_eq!(from_table.value.to_bits(), evaluated.value.to_bits());
            assert_eq!(from_table.error.to_bits(), evaluated.error.to_bits());
            assert!(from_table.evals > held, "{from_table:?}");
            assert_eq!(reading.next, held);
        }
    }
}
