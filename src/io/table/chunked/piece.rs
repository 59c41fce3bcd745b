//! One block's pieces parsed into their parts: each piece a line at a time, by the first of
//! the line readers that takes the line. [`short_lines`] reads the commonest line (every field
//! a short number) with the fewest operations, two pieces side by side; [`numeric_line`] reads
//! any line of plain numbers and empty cells in one pass; [`plain_line`] splits a printable
//! line without quotes; anything else goes through the careful per-line rules ([`row`]), which
//! are [`super::super::csv::read_csv`]'s.

use super::{
    BATCH, CANCEL_LINES, MAX_FAST_WIDTH, NOT_USED, Part, SIDE_BY_SIDE, Shape, Stop, count_part,
    flush_batch,
};
use crate::cancel::Cancel;
use crate::io::csv::MAX_LINE_BYTES;
use crate::io::csv::error::CsvError;
use crate::io::csv::lines::clean_line;
use crate::io::csv::sniff::split_fields;
use crate::io::number::{parse_field, parse_prefix, parse_short_before};
use crate::io::table::MISSING_TOKENS;

/// Where each of `n` pieces of `block` (whole lines) starts, and then its end: the cuts fall
/// after the first line end at or after each `n`-th of it.
pub(super) fn piece_bounds(block: &[u8], n: usize) -> Vec<usize> {
    let mut bounds = Vec::with_capacity(n + 1);
    bounds.push(0);
    for k in 1..n {
        let from = (block.len() * k / n).max(bounds[k - 1]);
        let cut = match block[from..].iter().position(|b| *b == b'\n') {
            Some(i) => from + i + 1,
            None => block.len(),
        };
        bounds.push(cut);
    }
    bounds.push(block.len());
    bounds
}

/// Parses a group of pieces of `block` into `parts` (emptied first), piece `i` from
/// `bounds[i]` to `bounds[i + 1]`: side by side on one thread when the group is full.
pub(super) fn parse_group(
    block: &[u8],
    bounds: &[usize],
    parts: &mut [Part],
    shape: &Shape<'_>,
    cancel: &Cancel,
) -> Result<(), Stop> {
    let piece = |i: usize| &block[bounds[i]..bounds[i + 1]];
    if let Ok(full) = <&mut [Part; SIDE_BY_SIDE]>::try_from(&mut *parts) {
        return parse_side_by_side(std::array::from_fn(piece), full, shape, cancel);
    }
    parts
        .iter_mut()
        .enumerate()
        .try_for_each(|(i, part)| parse_piece(piece(i), part, shape, cancel))
}

/// Where a piece is being read, and whether its next line may take the one-pass number path.
struct Cursor<'b> {
    bytes: &'b [u8],
    pos: usize,
    numeric: bool,
    /// The line's numbers, by chosen column.
    got: [f64; MAX_FAST_WIDTH],
}

impl<'b> Cursor<'b> {
    fn new(bytes: &'b [u8], part: &mut Part, shape: &Shape<'_>) -> Self {
        part.rows = 0;
        part.lines = 0;
        Cursor {
            bytes,
            pos: 0,
            numeric: can_be_numeric(part, shape),
            got: [0.0; MAX_FAST_WIDTH],
        }
    }

    fn more(&self) -> bool {
        self.pos < self.bytes.len()
    }

    /// Whether the next line may be tried by [`short_lines`].
    fn short(&self, shape: &Shape<'_>) -> bool {
        self.numeric && shape.short && self.more()
    }
}

/// Counts one more line of the part and looks at the cancel flag every [`CANCEL_LINES`].
#[inline]
fn next_line_number(part: &mut Part, cancel: &Cancel) -> Result<usize, Stop> {
    part.lines += 1;
    if part.lines.is_multiple_of(CANCEL_LINES) && cancel.check().is_err() {
        return Err(Stop::Cancelled);
    }
    Ok(part.lines)
}

/// Stores a row that [`short_lines`] read in the part's batch, which goes to the counters
/// and builders when full.
#[inline]
fn push_short(part: &mut Part, got: &[f64], shape: &Shape<'_>) {
    debug_assert!(got.len() <= part.batch.len() && part.pending < BATCH);
    let n = part.pending % BATCH;
    for (column, &v) in part.batch.iter_mut().zip(got) {
        column[n] = v;
    }
    part.pending = n + 1;
    part.rows += 1;
    if part.pending == BATCH {
        flush_batch(part, shape.counters);
    }
}

/// Parses one piece of whole lines into `part` (emptied first).
fn parse_piece(
    bytes: &[u8],
    part: &mut Part,
    shape: &Shape<'_>,
    cancel: &Cancel,
) -> Result<(), Stop> {
    let mut cur = Cursor::new(bytes, part, shape);
    while cur.more() {
        one_line(&mut cur, part, shape, cancel)?;
    }
    count_part(part, shape.counters)
}

/// Parses `N` pieces of whole lines into their parts (emptied first), a line of each in
/// turn: the lines' numbers depend on nothing of each other, so the core reads them side by
/// side, where one line's fields wait on each other (each starts where the last ended).
fn parse_side_by_side<const N: usize>(
    pieces: [&[u8]; N],
    parts: &mut [Part; N],
    shape: &Shape<'_>,
    cancel: &Cancel,
) -> Result<(), Stop> {
    let mut curs: [Cursor<'_>; N] =
        std::array::from_fn(|i| Cursor::new(pieces[i], &mut parts[i], shape));
    let width = shape.width.min(MAX_FAST_WIDTH);
    while curs.iter().any(Cursor::more) {
        if curs.iter().all(|c| c.short(shape))
            && let Some(d) = shape.plain_delim
            && let Some(ends) = short_lines(&mut curs, width, d)
        {
            for ((c, part), end) in curs.iter_mut().zip(parts.iter_mut()).zip(ends) {
                next_line_number(part, cancel)?;
                push_short(part, &c.got[..width], shape);
                c.pos = end;
            }
            continue;
        }
        for (c, part) in curs.iter_mut().zip(parts.iter_mut()) {
            if c.more() {
                one_line(c, part, shape, cancel)?;
            }
        }
    }
    parts
        .iter_mut()
        .try_for_each(|part| count_part(part, shape.counters))
}

/// Reads the line at the cursor into `part`, by the first path that takes it.
fn one_line(
    cur: &mut Cursor<'_>,
    part: &mut Part,
    shape: &Shape<'_>,
    cancel: &Cancel,
) -> Result<(), Stop> {
    let bytes = cur.bytes;
    let line = next_line_number(part, cancel)?;
    if cur.numeric
        && shape.short
        && let Some(d) = shape.plain_delim
        && let Some([next]) = short_lines(std::array::from_mut(cur), shape.width, d)
    {
        push_short(part, &cur.got[..shape.width], shape);
        cur.pos = next;
        return Ok(());
    }
    // The other paths store into the builders: the batch's rows go first, in file order.
    flush_batch(part, shape.counters);
    let got = &mut cur.got;
    let rest = &bytes[cur.pos..];
    if let Some(d) = shape.plain_delim {
        if cur.numeric
            && let Some(used) = numeric_line(rest, d, &shape.slot_of, got)
        {
            for (b, &v) in part.builders.iter_mut().zip(got.iter()) {
                if v.is_nan() {
                    b.missing += 1;
                } else {
                    b.numbers.push(v);
                }
            }
            part.rows += 1;
            cur.pos += used;
            return Ok(());
        }
        let plain = plain_line(part, line, rest, d, shape);
        cur.numeric = can_be_numeric(part, shape);
        match plain {
            Plain::Done(used) => {
                cur.pos += used;
                return Ok(());
            }
            Plain::Stop(e) => return Err(e),
            Plain::Careful => {}
        }
    }
    let end = rest
        .iter()
        .position(|b| *b == b'\n')
        .map_or(rest.len(), |i| i + 1);
    let raw = &rest[..end];
    cur.pos += end;
    let Some(text) = clean_line(raw, line, false).map_err(|_| Stop::Sequential)? else {
        return Ok(());
    };
    row(part, line, text, shape)?;
    cur.numeric = can_be_numeric(part, shape);
    Ok(())
}

/// Whether the one-pass number path can read the part's next line: it applies and every
/// chosen column is still one of numbers.
fn can_be_numeric(part: &Part, shape: &Shape<'_>) -> bool {
    !shape.slot_of.is_empty() && part.builders.iter().all(|b| b.labels.is_none())
}

/// The usual line at the start of `s`, read in one pass: each chosen field a plain number
/// that [`parse_prefix`] reads whole (so the same value as `str::parse`) and finite, or empty
/// (a missing cell, NaN in `got`); each other field printable ASCII without quotes; one byte
/// `d` between fields; then `\n`, `\r\n` or the end of the piece. Fills `got` by chosen column
/// and returns the bytes the line took; `None` for anything else, leaving the line to the
/// general path.
#[inline]
fn numeric_line(s: &[u8], d: u8, slot_of: &[u8], got: &mut [f64; MAX_FAST_WIDTH]) -> Option<usize> {
    let mut i = 0;
    let last = slot_of.len().checked_sub(1)?;
    // A line the reader trims or skips (blank, comment, spaces) is not the usual line.
    let lead = *s.first()?;
    if lead == b'#' || lead.is_ascii_whitespace() {
        return None;
    }
    for (c, &slot) in slot_of.iter().enumerate() {
        if slot == NOT_USED {
            while let Some(&b) = s.get(i) {
                if b == d || b == b'\n' || b == b'\r' {
                    break;
                }
                if !(0x20..0x7f).contains(&b) || b == b'"' {
                    return None;
                }
                i += 1;
            }
        } else {
            let next = s.get(i).copied();
            let v = if next == Some(d)
                || next == Some(b'\n')
                || next == Some(b'\r')
                || next.is_none()
            {
                f64::NAN
            } else {
                let (v, used) = parse_prefix(&s[i..])?;
                if !v.is_finite() {
                    return None;
                }
                i += used;
                v
            };
            got[usize::from(slot)] = v;
        }
        if c < last {
            if s.get(i) != Some(&d) {
                return None;
            }
            i += 1;
        }
    }
    let used = match s.get(i) {
        None => i,
        Some(b'\n') => i + 1,
        Some(b'\r') if s.get(i + 1) == Some(&b'\n') => i + 2,
        Some(_) => return None,
    };
    // The line must not be one the reader trims to nothing or refuses as too long.
    (used <= MAX_LINE_BYTES && i > 0).then_some(used)
}

/// The commonest line at each cursor, read with the fewest operations: every field a number
/// that [`parse_short`] reads (so the same value as [`numeric_line`] and `str::parse`), one
/// byte `d` between fields, `\n` after the last; all `width` columns chosen. Fills each
/// cursor's `got` and returns where each next line starts; `None` when any line is anything
/// else (a missing cell, an exponent, a long number, `\r\n`, the end of the piece without
/// `\n`), which leaves the lines to [`numeric_line`] and the general path. The lines are read
/// field by field in turn, so that their chains of fields (each field starts where the last
/// ended) run side by side.
#[inline]
fn short_lines<const N: usize>(
    curs: &mut [Cursor<'_>; N],
    width: usize,
    d: u8,
) -> Option<[usize; N]> {
    let mut at: [usize; N] = std::array::from_fn(|i| curs[i].pos);
    let last = width.checked_sub(1)?;
    for k in 0..width {
        let end = if k == last { b'\n' } else { d };
        for (c, at) in curs.iter_mut().zip(at.iter_mut()) {
            let (x, used) = parse_short_before(c.bytes, *at, end)?;
            c.got[k] = x;
            *at += used + 1;
        }
    }
    Some(at)
}

/// What [`plain_line`] made of a line.
enum Plain {
    /// Stored; this many bytes used (the line and its `\n`).
    Done(usize),
    /// The line is plain but wrong (ragged, not finite, …): the sequential reader says why.
    Stop(Stop),
    /// Not plain: the careful path reads it.
    Careful,
}

/// The line at the start of `bytes`, when it is printable ASCII without quotes, split on the
/// byte `d` in one pass; the same fields, so the same values, as [`clean_line`] then [`row`].
fn plain_line(part: &mut Part, line: usize, bytes: &[u8], d: u8, shape: &Shape<'_>) -> Plain {
    let cols = shape.cols;
    let mut fields: [(usize, usize); 64] = [(0, 0); 64];
    let mut n = 0;
    let mut k = 0;
    let mut start = 0;
    let mut end = bytes.len();
    let mut used = bytes.len();
    // Field `n` at `span`, kept when it is the next chosen column; false when more columns are
    // chosen than this path holds.
    let mut keep = |k: &mut usize, n: usize, span: (usize, usize)| {
        if *k < cols.len() && cols[*k] == n {
            if *k == fields.len() {
                return false;
            }
            fields[*k] = span;
            *k += 1;
        }
        true
    };
    for (i, &b) in bytes.iter().enumerate() {
        if b == d || b == b'\n' {
            if !keep(&mut k, n, (start, i)) {
                return Plain::Careful;
            }
            n += 1;
            start = i + 1;
            if b == b'\n' {
                end = i;
                used = i + 1;
                break;
            }
        } else if !(0x20..0x7f).contains(&b) || b == b'"' {
            return Plain::Careful;
        }
    }
    if end == bytes.len() {
        if !keep(&mut k, n, (start, end)) {
            return Plain::Careful;
        }
        n += 1;
    }
    if used > MAX_LINE_BYTES {
        return Plain::Careful;
    }
    let body = &bytes[..end];
    let (Some(&first), Some(&last)) = (body.first(), body.last()) else {
        return Plain::Careful;
    };
    if first.is_ascii_whitespace() || last.is_ascii_whitespace() || first == b'#' {
        return Plain::Careful;
    }
    if n != shape.width || k != cols.len() {
        return Plain::Stop(Stop::Sequential);
    }
    for (k, &(a, b)) in fields[..cols.len()].iter().enumerate() {
        // Printable ASCII, so one-byte characters.
        let Ok(field) = std::str::from_utf8(&bytes[a..b]) else {
            return Plain::Careful;
        };
        if let Err(e) = store_field(part, k, line, field.trim()) {
            return Plain::Stop(e);
        }
    }
    part.rows += 1;
    Plain::Done(used)
}

/// One field into column `k` of the part: missing, a finite number, or a label.
fn store_field(part: &mut Part, k: usize, line: usize, field: &str) -> Result<(), Stop> {
    let b = &mut part.builders[k];
    if field.is_empty() || MISSING_TOKENS.contains(&field) {
        b.missing += 1;
        return Ok(());
    }
    match parse_field(field) {
        Some(v) if v.is_finite() => b.push_number(v).ok_or(Stop::Sequential),
        Some(_) => Err(Stop::Sequential),
        None => {
            if part.first_any[k].is_none() {
                part.first_any[k] = Some((line, field.to_string()));
            }
            b.push_label(field, line).ok_or(Stop::Sequential)
        }
    }
}

/// One line's fields into the part's builders (line relative to the part).
pub(super) fn row(part: &mut Part, line: usize, text: &str, shape: &Shape<'_>) -> Result<(), Stop> {
    let cols = shape.cols;
    let mut store_at = |k: usize, field: &str| store_field(part, k, line, field);
    match shape.delim {
        Some(d) if !text.contains('"') => {
            let mut n = 0;
            let mut k = 0;
            for field in text.split(d) {
                if k < cols.len() && cols[k] == n {
                    store_at(k, field.trim())?;
                    k += 1;
                }
                n += 1;
            }
            if n != shape.width {
                return Err(Stop::Sequential);
            }
        }
        _ => {
            let split =
                split_fields(text, shape.delim, line).map_err(|_: CsvError| Stop::Sequential)?;
            if split.len() != shape.width {
                return Err(Stop::Sequential);
            }
            for (k, &c) in cols.iter().enumerate() {
                store_at(k, split[c].as_ref())?;
            }
        }
    }
    part.rows += 1;
    Ok(())
}
