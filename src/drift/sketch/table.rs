//! The table from a slot to its counter in a [`super::QuantileSketch`], in two levels.

use super::{FINE_SLOTS, SLOTS};

/// The low bits of a slot: its place in its block of [`CounterTable`].
const BLOCK_BITS: u32 = 8;
const BLOCK: usize = 1 << BLOCK_BITS;
const BLOCKS: usize = SLOTS >> BLOCK_BITS;

/// Each slot's counter and whether its values are kept, in two levels: per block of [`BLOCK`]
/// slots, a row of entries by slot, each `counter << 1 | kept`. The blocks of one counter
/// share a row, so the table holds some kilobytes, where a byte a slot took 1 MiB a column
/// (filling its pages was some 900 of the drift benchmark's 11 000 page faults).
pub(super) struct CounterTable {
    /// Per block, where its row starts in `entries` (below [`ROWS`] · [`BLOCK`]).
    row_of: Box<[u32; BLOCKS]>,
    /// The rows, one after another; those not used are never touched.
    entries: Box<[u16; ROWS * BLOCK]>,
}

/// A run of slots of a [`super::QuantileSketch`]: a gap or a range.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cell {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Its first counter.
    pub(super) first: usize,
    /// Whether it has a counter a slot (else one in all).
    pub(super) fine: bool,
}

/// The most rows a [`CounterTable`] needs: one for each of at most 256 cells, and one for each
/// block a boundary between cells crosses (at most 255). A range with a counter a slot covers
/// no block whole, as it spans fewer slots than a block.
const ROWS: usize = 512;
const _: () = assert!(FINE_SLOTS < BLOCK);

impl CounterTable {
    /// The table of `cells`, in order, each starting where the last ended (some empty), from
    /// slot 0 to [`SLOTS`]; the odd ones are kept. `None` if they are not so.
    pub(super) fn new(cells: &[Cell]) -> Option<Self> {
        let contiguous = cells.windows(2).all(|w| w[0].end == w[1].start);
        if !contiguous
            || cells.first()?.start != 0
            || cells.last()?.end != SLOTS
            || cells.len() > 256
        {
            return None;
        }
        let entry = |c: usize, s: usize| -> Option<u16> {
            let cell = &cells[c];
            let counter = if cell.fine {
                cell.first + (s - cell.start)
            } else {
                cell.first
            };
            u16::try_from(counter << 1 | (c & 1)).ok()
        };
        let mut row_of: Box<[u32; BLOCKS]> = Box::new([0; BLOCKS]);
        // Zeroed by the allocator, so that the rows not used take no memory.
        let mut entries: Box<[u16; ROWS * BLOCK]> =
            vec![0; ROWS * BLOCK].into_boxed_slice().try_into().ok()?;
        let mut rows = 0;
        let mut row_of_cell: [Option<u32>; 256] = [None; 256];
        // The cell holding a slot: the first that ends after it (an empty one never does
        // before the one ahead of it ends).
        let mut at = 0;
        let mut cell_of = |s: usize| {
            while cells[at].end <= s {
                at += 1;
            }
            at
        };
        for (b, row) in row_of.iter_mut().enumerate() {
            let start = b << BLOCK_BITS;
            let c = cell_of(start);
            let shared = cells[c].end >= start + BLOCK && !cells[c].fine;
            if shared && let Some(r) = row_of_cell[c] {
                *row = r;
                continue;
            }
            let row_start = rows * BLOCK;
            let mine = entries.get_mut(row_start..row_start + BLOCK)?;
            for (i, e) in mine.iter_mut().enumerate() {
                let s = start + i;
                *e = entry(if shared { c } else { cell_of(s) }, s)?;
            }
            rows += 1;
            *row = u32::try_from(row_start).ok()?;
            if shared {
                row_of_cell[c] = Some(*row);
            }
        }
        Some(CounterTable { row_of, entries })
    }

    /// The entry of slot `s` (below [`SLOTS`]): its counter, shifted up one, and 1 when its
    /// values are kept.
    #[inline]
    pub(super) fn get(&self, s: usize) -> usize {
        // The mask keeps the index in bounds for the compiler; the rows start below it anyway.
        let row = self.row_of[s >> BLOCK_BITS] as usize & ((ROWS - 1) << BLOCK_BITS);
        usize::from(self.entries[row | (s & (BLOCK - 1))])
    }
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt as _, SeedableRng};

    use super::super::ZERO_SLOT;
    use super::*;

    /// Cells as `QuantileSketch::from_sample` makes them: gaps and ranges in turn (some empty,
    /// some a counter a slot), covering every slot; the counter and kept bit of each slot by
    /// a plain walk.
    fn random_cells(rng: &mut Xoshiro256PlusPlus) -> (Vec<Cell>, Vec<usize>) {
        let mut bounds: Vec<usize> = (0..rng.random_range(0..40))
            .map(|_| match rng.random_range(0..3) {
                // Near a block's edge, in the middle of the order, or anywhere.
                0 => (rng.random_range(1..BLOCKS) << BLOCK_BITS) + rng.random_range(0..3) - 1,
                1 => ZERO_SLOT + rng.random_range(0..2000) - 1000,
                _ => rng.random_range(1..SLOTS),
            })
            .collect();
        bounds.sort_unstable();
        let mut cells = Vec::new();
        let mut want = vec![0; SLOTS];
        let mut counters = 0;
        let mut from = 0;
        for (c, &to) in bounds.iter().chain([&SLOTS]).enumerate() {
            let fine = c % 2 == 1 && to - from <= FINE_SLOTS;
            cells.push(Cell {
                start: from,
                end: to,
                first: counters,
                fine,
            });
            for (i, w) in want[from..to].iter_mut().enumerate() {
                let counter = if fine { counters + i } else { counters };
                *w = counter << 1 | (c & 1);
            }
            counters += if fine { to - from } else { 1 };
            from = to;
        }
        (cells, want)
    }

    #[test]
    fn the_two_level_table_gives_each_slot_its_counter() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for round in 0..12 {
            let (cells, want) = random_cells(&mut rng);
            let table = CounterTable::new(&cells).expect("cells in order");
            for (s, &w) in want.iter().enumerate() {
                assert_eq!(table.get(s), w, "round {round}, slot {s}, cells {cells:?}");
            }
        }
        // Cells that leave a gap, overlap or stop short are refused.
        let cell = |start, end, first| Cell {
            start,
            end,
            first,
            fine: false,
        };
        assert!(CounterTable::new(&[cell(0, 10, 0), cell(11, SLOTS, 1)]).is_none());
        assert!(CounterTable::new(&[cell(0, 10, 0), cell(9, SLOTS, 1)]).is_none());
        assert!(CounterTable::new(&[cell(0, 10, 0), cell(10, SLOTS - 1, 1)]).is_none());
        assert!(CounterTable::new(&[cell(0, SLOTS, 0)]).is_some());
    }
}
