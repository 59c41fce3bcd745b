//! The numbers read so far, one column per slot of the layout.

use crate::distribution::histogram::Layout;

/// The numbers read so far, one column per slot of the layout. For bins given by their
/// edges, the right edges are not stored while every bin starts where the previous one ended
/// (the usual file): each is the next left edge, and 10^7 bins take two columns, not three.
#[derive(Debug, PartialEq)]
pub(super) struct Columns {
    pub(super) layout: Layout,
    pub(super) slots: Vec<Vec<f64>>,
    /// Edges only: the right edges so far are implied (`slots[1]` is empty).
    pub(super) implied_right: bool,
    /// Edges only: the last row's right edge.
    pub(super) last_right: f64,
}

impl Columns {
    pub(super) fn new(layout: Layout, capacity: usize) -> Self {
        let edges = matches!(layout, Layout::Edges(_));
        Columns {
            layout,
            slots: (0..layout.arity())
                .map(|slot| {
                    let unused = (edges && slot == 1) || (layout == Layout::Labels && slot == 0);
                    Vec::with_capacity(if unused { 0 } else { capacity })
                })
                .collect(),
            implied_right: edges,
            last_right: f64::NAN,
        }
    }

    /// Appends one checked row (one value per slot; a label's slot is ignored).
    #[inline(always)]
    pub(super) fn push(&mut self, row: &[f64]) {
        match self.layout {
            Layout::Edges(_) => {
                let (left, right) = (row[0], row[1]);
                if self.implied_right && !self.slots[0].is_empty() && left != self.last_right {
                    // The first gap, overlap or unsorted row: from here on right edges are
                    // stored, and the implied ones are written out first.
                    let lefts = &self.slots[0];
                    let mut rights = Vec::with_capacity(lefts.capacity());
                    rights.extend_from_slice(&lefts[1..]);
                    rights.push(self.last_right);
                    self.slots[1] = rights;
                    self.implied_right = false;
                }
                self.slots[0].push(left);
                if !self.implied_right {
                    self.slots[1].push(right);
                }
                self.slots[2].push(row[2]);
                self.last_right = right;
            }
            Layout::Labels => self.slots[1].push(row[1]),
            _ => {
                for (column, v) in self.slots.iter_mut().zip(row) {
                    column.push(*v);
                }
            }
        }
    }
}
