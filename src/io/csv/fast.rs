//! The fast path: plain ASCII numbers read in place, a line at a time, without copying or
//! splitting. It only ever accepts what the careful path ([`super::careful`]) accepts, and
//! declines everything else (the tests compare the two on random files).

use super::MAX_LINE_BYTES;
use super::columns::Columns;
use crate::distribution::histogram::Layout;

/// How to read one data row: which columns, into which slots.
pub(super) struct Row<'a> {
    pub(super) layout: Layout,
    pub(super) cols: &'a [usize],
    pub(super) width: usize,
    pub(super) delim: Option<char>,
    /// For the fast path: the slot each column goes to (`NOT_USED` for none), or empty when
    /// the fast path does not apply (labels, wide rows, a delimiter that is not one byte).
    pub(super) slot_of: Vec<u8>,
    /// For the tightest path: the delimiter, when every column is used, in order.
    pub(super) plain: Option<u8>,
    /// Bins given by their edges: the text of the last right edge the tightest path read,
    /// and its value.
    pub(super) echo: Echo,
}

/// A number's text (up to 16 bytes, first byte lowest) and its value. Bins that touch are
/// written with each right edge repeated as the next left edge: that text is then matched,
/// not read again. Equal text is the same number, so the value needs no other check.
#[derive(Clone, Copy, Default)]
pub(super) struct Echo {
    pub(super) text: u128,
    /// Bytes in `text`; 0 when there is none.
    pub(super) len: usize,
    pub(super) value: f64,
}

impl Echo {
    /// The 16 bytes at the start of `s`, if there are as many.
    #[inline]
    pub(super) fn window(s: &[u8]) -> Option<u128> {
        let bytes: [u8; 16] = s.get(..16)?.try_into().ok()?;
        Some(u128::from_le_bytes(bytes))
    }

    /// The mask of the first `len` bytes (1 ≤ len ≤ 16).
    #[inline]
    pub(super) fn mask(len: usize) -> u128 {
        u128::MAX >> (128 - 8 * len)
    }

    /// Remembers the number of `used` bytes at the start of `s`.
    #[inline]
    pub(super) fn remember(&mut self, s: &[u8], used: usize, value: f64) {
        self.len = 0;
        if (1..=16).contains(&used)
            && let Some(w) = Self::window(s)
        {
            *self = Echo {
                text: w & Self::mask(used),
                len: used,
                value,
            };
        }
    }

    /// The value and length when `s` starts with the remembered text.
    #[inline]
    pub(super) fn matches(&self, s: &[u8]) -> Option<(f64, usize)> {
        if self.len == 0 {
            return None;
        }
        let w = Self::window(s)?;
        ((w ^ self.text) & Self::mask(self.len) == 0).then_some((self.value, self.len))
    }
}

pub(super) const NOT_USED: u8 = u8::MAX;

impl<'a> Row<'a> {
    pub(super) fn new(
        layout: Layout,
        cols: &'a [usize],
        width: usize,
        delim: Option<char>,
        fast: bool,
    ) -> Self {
        let fast = fast
            && layout != Layout::Labels
            && width <= 64
            && delim.is_none_or(|d| d.is_ascii() && d != '"' && d != ' ');
        let slot_of = if fast {
            (0..width)
                .map(|c| {
                    cols.iter()
                        .position(|x| *x == c)
                        .map_or(NOT_USED, |s| s as u8)
                })
                .collect()
        } else {
            Vec::new()
        };
        let in_order = width == layout.arity()
            && slot_of
                .iter()
                .enumerate()
                .all(|(c, s)| usize::from(*s) == c);
        Row {
            layout,
            cols,
            width,
            delim,
            plain: delim
                .filter(|_| in_order && !slot_of.is_empty())
                .map(|d| d as u8),
            slot_of,
            echo: Echo::default(),
        }
    }

    /// The fast path for one line at the start of `s`: plain ASCII numbers in every chosen
    /// column, nothing unusual anywhere (no quotes, no comment, no other bytes), every value
    /// valid. Stores the row and returns the bytes it took, including the newline; `None`
    /// leaves everything untouched, and the careful path takes the line.
    #[inline]
    pub(super) fn fast(&mut self, s: &[u8], values: &mut Columns) -> Option<usize> {
        if let Some(delim) = self.plain
            && let Some(used) = self.plain_line(s, delim, values)
        {
            return Some(used);
        }
        if self.slot_of.is_empty() {
            return None;
        }
        let delim = self.delim.map(|d| d as u8);
        // Spaces around fields; with a tab delimiter only spaces.
        let blank = |b: u8| b == b' ' || (b == b'\t' && delim != Some(b'\t'));
        let mut got = [0.0_f64; 3];
        let mut i = 0;
        while s.get(i).copied().is_some_and(blank) {
            i += 1;
        }
        for (col, &slot) in self.slot_of.iter().enumerate() {
            if slot == NOT_USED {
                // Skip the field; only ordinary printable ASCII.
                while let Some(&b) = s.get(i) {
                    if Some(b) == delim || blank(b) || b == b'\r' || b == b'\n' {
                        break;
                    }
                    if !(b' '..=b'~').contains(&b) || b == b'"' {
                        return None;
                    }
                    i += 1;
                }
            } else {
                let (v, used) = crate::io::number::parse_prefix(&s[i..])?;
                got[usize::from(slot)] = v;
                i += used;
            }
            let mut spaced = false;
            while s.get(i).copied().is_some_and(blank) {
                i += 1;
                spaced = true;
            }
            if col + 1 < self.width {
                match delim {
                    Some(d) if s.get(i) == Some(&d) => i += 1,
                    None if spaced => {}
                    _ => return None,
                }
                while delim.is_some() && s.get(i).copied().is_some_and(blank) {
                    i += 1;
                }
            }
        }
        self.end_line(s, i, &got, values)
    }

    /// The fast path at its tightest, for the usual line: every column used in order, each
    /// field a number and nothing else, one delimiter between fields. `None` for anything
    /// else (spaces around fields, say), which [`Row::fast`] then reads in full.
    #[inline]
    pub(super) fn plain_line(
        &mut self,
        s: &[u8],
        delim: u8,
        values: &mut Columns,
    ) -> Option<usize> {
        let edges = matches!(self.layout, Layout::Edges(_));
        let mut got = [0.0_f64; 3];
        let mut i = 0;
        for (slot, value) in got.iter_mut().enumerate().take(self.width) {
            if slot > 0 {
                if s.get(i) != Some(&delim) {
                    return None;
                }
                i += 1;
            }
            let rest = s.get(i..)?;
            let echoed = if edges && slot == 0 {
                self.echo.matches(rest)
            } else {
                None
            };
            let (v, used) = match echoed {
                Some(known) => known,
                None => crate::io::number::parse_prefix(rest)?,
            };
            if edges && slot == 1 {
                self.echo.remember(rest, used, v);
            }
            *value = v;
            i += used;
        }
        self.end_line(s, i, &got, values)
    }

    /// The end of a line a fast path read up to `s[i]`: a newline (after an optional CR) or
    /// the end of the text must follow. Stores the row if [`Row::accept`] does; returns the
    /// bytes the line took.
    #[inline(always)]
    pub(super) fn end_line(
        &self,
        s: &[u8],
        mut i: usize,
        got: &[f64; 3],
        values: &mut Columns,
    ) -> Option<usize> {
        if s.get(i) == Some(&b'\r') {
            i += 1;
        }
        match s.get(i) {
            Some(b'\n') => i += 1,
            None => {}
            Some(_) => return None,
        }
        if i > MAX_LINE_BYTES {
            return None;
        }
        self.accept(got, values).then_some(i)
    }

    /// Stores a row a fast path read if its values are what the careful path accepts:
    /// finite, edges in order, weights ≥ 0. `false` leaves the line to the careful path.
    #[inline(always)]
    pub(super) fn accept(&self, got: &[f64; 3], values: &mut Columns) -> bool {
        let arity = self.layout.arity();
        let got = &got[..arity];
        if got.iter().any(|v| !v.is_finite()) {
            return false;
        }
        match self.layout {
            Layout::Samples => {}
            Layout::Edges(_) if !(got[1] > got[0]) => return false,
            _ if got[arity - 1] < 0.0 => return false,
            _ => {}
        }
        values.push(got);
        true
    }
}
