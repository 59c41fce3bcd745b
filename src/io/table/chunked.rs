//! CSV tables read in blocks, each block parsed on every core: after the head, the file is read
//! a block at a time into one reused buffer, the block's whole lines are cut into one piece per
//! thread at line ends (the line reader knows no quoted newline either: a line ends at every
//! `\n`), each piece is parsed by the same per-line rules into its own column builders, and the
//! pieces are appended in file order to the table's columns. Memory holds the columns, one
//! block and the pieces' builders (reused from block to block), never the whole file.
//!
//! The usual line (every field a plain number, or empty, one delimiter byte between them) is
//! read in one pass by [`numeric_line`] with the fast number reader ([`parse_prefix`]: the same
//! bits as `str::parse::<f64>`); any other line goes through the general per-line path.
//!
//! Any problem anywhere (an error, an infinite number, too many rows or labels, a failed read)
//! sends the whole file to the sequential reader, so errors, line numbers and values are
//! exactly those of [`super::csv::read_csv`].

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::csv::{column_names, read_csv, table_delimiter};
use super::{
    BinCounter, Builder, Kept, LabelSet, MISSING_TOKENS, Table, TableError, TableErrorKind,
};
use super::{chosen, number_label};
use crate::cancel::Cancel;
use crate::io::csv::error::CsvError;
use crate::io::csv::lines::{Lines, clean_line};
use crate::io::csv::sniff::split_fields;
use crate::io::csv::{MAX_LINE_BYTES, MAX_ROWS};
use crate::io::number::{parse_field, parse_prefix, parse_short_before};

/// Bytes read at a time (a block's last partial line waits for the next block). 2 MiB: half
/// the blocks of 1 MiB, so half the joins of the threads, which cost 4–5 % of the time.
pub(super) const BLOCK_BYTES: usize = 1 << 21;

/// Lines between two looks at the cancel flag.
const CANCEL_LINES: usize = 1 << 16;

/// Pieces one thread reads side by side. Two: 10 % faster on the drift benchmark than one
/// (the core overlaps two lines' chains of fields); three and four were slower.
const SIDE_BY_SIDE: usize = 2;

/// The widest row the one-pass path reads (wider rows take the general path).
const MAX_FAST_WIDTH: usize = 64;

/// A column the one-pass path skips.
const NOT_USED: u8 = u8::MAX;

/// Why the block reader gave up.
enum Stop {
    /// Re-read sequentially: it gives the exact error.
    Sequential,
    /// Cancelled.
    Cancelled,
}

/// One piece's columns.
struct Part {
    builders: Vec<Builder>,
    /// Per column, the piece's first label (relative line, text).
    first_any: Vec<Option<(usize, String)>>,
    /// Per column, the piece's counts in its counter's bins (empty for a kept column).
    counts: Vec<Vec<u64>>,
    /// Per column, the values its counter kept from the piece.
    kept: Vec<Vec<f64>>,
    rows: u64,
    lines: usize,
}

impl Part {
    fn new(names: &[String], counters: &[Option<&dyn BinCounter>]) -> Self {
        Part {
            builders: names.iter().map(|n| Builder::new(n.clone())).collect(),
            first_any: vec![None; names.len()],
            counts: counters
                .iter()
                .map(|c| c.map_or_else(Vec::new, |c| vec![0; c.bins()]))
                .collect(),
            kept: vec![Vec::new(); names.len()],
            rows: 0,
            lines: 0,
        }
    }
}

/// How a piece's lines are split: what the sniffing of the head found.
struct Shape<'a> {
    delim: Option<char>,
    width: usize,
    cols: &'a [usize],
    /// The delimiter as one byte, when the one-pass paths apply.
    plain_delim: Option<u8>,
    /// Per file column, its index among the chosen ones or [`NOT_USED`]; empty when the
    /// one-pass number path does not apply.
    slot_of: Vec<u8>,
    /// Whether [`short_lines`] may read lines: every column chosen and a delimiter that no
    /// number contains.
    short: bool,
    /// Per chosen column, the counter its numbers go to instead of the table (none: kept).
    counters: &'a [Option<&'a dyn BinCounter>],
}

/// Reads the CSV table that `open` gives (each call from the start; `size_hint` its size in
/// bytes, to reserve the columns), a block of `block_bytes` at a time.
pub(super) fn read_csv_blocks<R: Read + Send>(
    open: &dyn Fn() -> Result<R, TableError>,
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
    block_bytes: usize,
    size_hint: Option<u64>,
) -> Result<Table, TableError> {
    let blocks = Blocks {
        select,
        cancel,
        block_bytes: block_bytes.max(1),
        size_hint,
        counters: &[],
    };
    match try_blocks(open()?, path, &blocks) {
        Ok((t, _, _)) => Ok(t),
        Err(Stop::Cancelled) => Err(TableError::whole(path, TableErrorKind::Cancelled)),
        Err(Stop::Sequential) => read_csv(open()?, path, select, cancel),
    }
}

/// As [`read_csv_blocks`], but the numbers of each column named in `counters` go to its
/// counter (bins) and are not kept: those columns of the table are empty, and their counts
/// and missing cells are given instead. `None` when the one-pass reading gives up (a column
/// to count turns to labels, or anything the sequential reader would report or read
/// differently): the caller then reads the file as usual, which gives the exact table or
/// error.
pub(super) fn read_csv_blocks_counted<R: Read + Send>(
    reader: R,
    path: &Path,
    select: Option<&[String]>,
    counters: &[(String, &dyn BinCounter)],
    cancel: &Cancel,
    size_hint: Option<u64>,
) -> Result<Option<Counted>, TableError> {
    read_csv_blocks_counted_in(
        reader,
        path,
        select,
        counters,
        cancel,
        BLOCK_BYTES,
        size_hint,
    )
}

/// [`read_csv_blocks_counted`] in blocks of `block_bytes`.
pub(super) fn read_csv_blocks_counted_in<R: Read + Send>(
    reader: R,
    path: &Path,
    select: Option<&[String]>,
    counters: &[(String, &dyn BinCounter)],
    cancel: &Cancel,
    block_bytes: usize,
    size_hint: Option<u64>,
) -> Result<Option<Counted>, TableError> {
    let blocks = Blocks {
        select,
        cancel,
        block_bytes: block_bytes.max(1),
        size_hint,
        counters,
    };
    match try_blocks(reader, path, &blocks) {
        Ok(counted) => Ok(Some(counted)),
        Err(Stop::Cancelled) => Err(TableError::whole(path, TableErrorKind::Cancelled)),
        Err(Stop::Sequential) => Ok(None),
    }
}

/// What [`try_blocks`] is asked to do.
struct Blocks<'a> {
    select: Option<&'a [String]>,
    cancel: &'a Cancel,
    block_bytes: usize,
    size_hint: Option<u64>,
    /// Columns (by name) counted into bins instead of kept.
    counters: &'a [(String, &'a dyn BinCounter)],
}

/// As [`read_csv_blocks`] on bytes in memory, with blocks of about `chunk_bytes`.
pub(super) fn read_csv_chunked(
    bytes: &[u8],
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
    chunk_bytes: usize,
) -> Result<Table, TableError> {
    read_csv_blocks(
        &|| Ok(bytes),
        path,
        select,
        cancel,
        chunk_bytes,
        Some(bytes.len() as u64),
    )
}

/// The table (counted columns empty) and, per column, its counts when it is counted and the
/// values its counter kept.
type Counted = (Table, Vec<Option<Vec<u64>>>, Vec<Kept>);

fn try_blocks<R: Read + Send>(
    reader: R,
    path: &Path,
    blocks: &Blocks<'_>,
) -> Result<Counted, Stop> {
    let Blocks {
        select,
        cancel,
        block_bytes,
        size_hint,
        ..
    } = *blocks;
    let seq = |_| Stop::Sequential;
    let mut lines = Lines::new(reader);
    lines.check_start().map_err(seq)?;
    let mut head: Vec<(usize, String)> = Vec::new();
    while head.len() < 5 {
        match lines.next_line().map_err(seq)? {
            Some(l) => head.push(l),
            None => break,
        }
    }
    let head_lines = lines.line;
    let Some((first_line, first_text)) = head.first() else {
        return Err(Stop::Sequential);
    };
    let sample: Vec<&str> = head.iter().map(|(_, l)| l.as_str()).collect();
    let delim = table_delimiter(&sample);
    let first = split_fields(first_text, delim, *first_line).map_err(seq)?;
    let width = first.len();
    let (is_header, names) = column_names(&first);
    let cols = chosen(path, &names, select).map_err(|_| Stop::Sequential)?;
    let col_names: Vec<String> = cols.iter().map(|&c| names[c].clone()).collect();
    let counters: Vec<Option<&dyn BinCounter>> = col_names
        .iter()
        .map(|n| {
            blocks
                .counters
                .iter()
                .find(|(m, _)| m == n)
                .map(|&(_, c)| c)
        })
        .collect();
    let plain_delim = delim
        .and_then(|d| u8::try_from(d).ok())
        .filter(|d| d.is_ascii() && *d != b'"');
    let slot_of = if plain_delim.is_some() && width <= MAX_FAST_WIDTH {
        (0..width)
            .map(|c| {
                cols.iter()
                    .position(|x| *x == c)
                    .and_then(|s| u8::try_from(s).ok())
                    .unwrap_or(NOT_USED)
            })
            .collect()
    } else {
        Vec::new()
    };
    let short = !slot_of.is_empty()
        && cols.len() == width
        && plain_delim.is_some_and(|d| !d.is_ascii_alphanumeric() && !b".+-".contains(&d));
    let shape = Shape {
        delim,
        width,
        cols: &cols,
        plain_delim,
        slot_of,
        short,
        counters: &counters,
    };

    // The table's columns, reserved for the rows the file's size suggests (untouched
    // capacity costs no memory).
    let line_len = (sample.iter().map(|l| l.len() + 1).sum::<usize>() / sample.len()).max(1);
    let mut table: Vec<Builder> = col_names.iter().map(|n| Builder::new(n.clone())).collect();
    if let Some(bytes) = size_hint {
        let rows = usize::try_from(bytes).unwrap_or(usize::MAX) / line_len;
        let rows = rows
            .saturating_add(rows / 8)
            .saturating_add(64)
            .min(MAX_ROWS);
        for (b, c) in table.iter_mut().zip(&counters) {
            if c.is_none() {
                b.numbers.reserve_exact(rows);
            }
        }
    }

    // The head's rows, as one part starting at line 1.
    let mut head_part = Part::new(&col_names, &counters);
    head_part.lines = head_lines;
    for (line, text) in head.iter().skip(usize::from(is_header)) {
        row(&mut head_part, *line, text, &shape)?;
    }
    count_part(&mut head_part, &counters)?;
    let mut rows = 0u64;
    let mut at_line = 0usize;
    let mut counts: Vec<Vec<u64>> = head_part.counts.iter().map(|c| vec![0; c.len()]).collect();
    let mut kept: Vec<Kept> = vec![Vec::new(); col_names.len()];
    merge(
        &mut table,
        (&mut counts, &mut kept),
        &mut head_part,
        &mut at_line,
        &mut rows,
    )?;

    // The rest, a block at a time: the head reader's buffered bytes first.
    let mut buf: Vec<u8> = Vec::with_capacity(block_bytes.saturating_add(1 << 16));
    buf.extend_from_slice(lines.reader.buffer());
    let mut reader = lines.reader.into_inner();
    // Four groups of pieces a thread, so that a thread that has appended the previous block
    // or read the next one finds pieces left to parse instead of waiting for the last one.
    let pieces = rayon::current_num_threads()
        .saturating_mul(4 * SIDE_BY_SIDE)
        .clamp(1, 16 * SIDE_BY_SIDE);
    // Two sets of parts: while one block's pieces are parsed into one set, the previous
    // block's parts are appended to the table from the other, and the next block is read
    // into a second buffer, so that one file keeps both cores busy (the appending and the
    // reading would otherwise leave one idle).
    // Each part's columns sized for a piece's rows as the head's lines suggest (of a block, or
    // of a smaller file), and a quarter more: grown from nothing instead, they were copied and
    // given fresh pages block after block until they fit (2 % of the drift benchmark).
    let file_bytes = size_hint.map_or(usize::MAX, |b| usize::try_from(b).unwrap_or(usize::MAX));
    let piece_rows = block_bytes.min(file_bytes) / pieces / line_len;
    let piece_rows = piece_rows.saturating_add(piece_rows / 4 + 16);
    let new_part = || {
        let mut part = Part::new(&col_names, &counters);
        for b in &mut part.builders {
            b.numbers.reserve_exact(piece_rows);
        }
        part
    };
    let mut parsing: Vec<Part> = (0..pieces).map(|_| new_part()).collect();
    let mut parsed: Vec<Part> = (0..pieces).map(|_| new_part()).collect();
    let mut waiting = 0usize;
    let mut next: Vec<u8> = Vec::with_capacity(buf.capacity());
    let mut eof = false;
    loop {
        // Up to a block's worth (or the file's end) beyond the partial line left over.
        if !eof && buf.len() < block_bytes {
            let want = (block_bytes - buf.len()) as u64;
            eof = read_more(&mut reader, &mut buf, want)?;
        }
        let end = if eof {
            buf.len()
        } else if let Some(i) = buf.iter().rposition(|b| *b == b'\n') {
            i + 1
        } else if buf.len() > MAX_LINE_BYTES {
            return Err(Stop::Sequential);
        } else {
            // No line ends yet: read on before cutting.
            eof = read_more(&mut reader, &mut buf, block_bytes as u64)?;
            continue;
        };
        let last = eof;
        let (block, rest) = buf.split_at(end);
        next.clear();
        next.extend_from_slice(rest);
        let n = if block.len() >= 2 * pieces { pieces } else { 1 };
        let want = block_bytes.saturating_sub(next.len()) as u64;
        let ((parse, append), read) = rayon::join(
            || {
                rayon::join(
                    || parse_pieces(block, &mut parsing[..n], &shape, cancel),
                    || {
                        parsed[..waiting].iter_mut().try_for_each(|part| {
                            merge(
                                &mut table,
                                (&mut counts, &mut kept),
                                part,
                                &mut at_line,
                                &mut rows,
                            )
                        })
                    },
                )
            },
            || {
                if last || want == 0 {
                    Ok(last)
                } else {
                    read_more(&mut reader, &mut next, want)
                }
            },
        );
        parse?;
        append?;
        eof = read?;
        if rows > MAX_ROWS as u64 {
            return Err(Stop::Sequential);
        }
        std::mem::swap(&mut parsing, &mut parsed);
        waiting = n;
        std::mem::swap(&mut buf, &mut next);
        if last {
            break;
        }
    }
    for part in &mut parsed[..waiting] {
        merge(
            &mut table,
            (&mut counts, &mut kept),
            part,
            &mut at_line,
            &mut rows,
        )?;
    }
    if rows == 0 || rows > MAX_ROWS as u64 {
        return Err(Stop::Sequential);
    }
    let table = Table {
        path: path.to_path_buf(),
        rows,
        columns: table
            .into_iter()
            .map(|mut b| {
                b.numbers.shrink_to_fit();
                b.finish()
            })
            .collect(),
    };
    let counts = counters
        .iter()
        .zip(counts)
        .map(|(c, n)| c.map(|_| n))
        .collect();
    Ok((table, counts, kept))
}

/// Moves the numbers of the part's counted columns into their counts. A counted column that
/// turned to labels gives up the one-pass reading (its caller reads the file as usual).
fn count_part(part: &mut Part, counters: &[Option<&dyn BinCounter>]) -> Result<(), Stop> {
    for (((b, c), counts), kept) in part
        .builders
        .iter_mut()
        .zip(counters)
        .zip(&mut part.counts)
        .zip(&mut part.kept)
    {
        if let Some(c) = c {
            if b.labels.is_some() {
                return Err(Stop::Sequential);
            }
            c.add_keeping(&b.numbers, counts, kept);
            b.numbers.clear();
        }
    }
    Ok(())
}

/// Reads up to `want` more bytes onto `buf`; whether the input ended before that.
fn read_more<R: Read>(reader: &mut R, buf: &mut Vec<u8>, want: u64) -> Result<bool, Stop> {
    let got = reader
        .by_ref()
        .take(want)
        .read_to_end(buf)
        .map_err(|_| Stop::Sequential)?;
    Ok((got as u64) < want)
}

/// Cuts `block` (whole lines, or the file's end) into `parts.len()` pieces at line ends and
/// parses them in parallel, each into its part, [`SIDE_BY_SIDE`] pieces a task.
fn parse_pieces(
    block: &[u8],
    parts: &mut [Part],
    shape: &Shape<'_>,
    cancel: &Cancel,
) -> Result<(), Stop> {
    let n = parts.len();
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
    if n == 1 {
        return parse_piece(block, &mut parts[0], shape, cancel);
    }
    // The pieces in groups, each group read side by side on one thread.
    let bounds = &bounds;
    parts
        .par_chunks_mut(SIDE_BY_SIDE)
        .enumerate()
        .try_for_each(|(g, group)| {
            let piece = |i: usize| {
                let k = g * SIDE_BY_SIDE + i;
                &block[bounds[k]..bounds[k + 1]]
            };
            if let Ok(full) = <&mut [Part; SIDE_BY_SIDE]>::try_from(&mut *group) {
                return parse_side_by_side(std::array::from_fn(piece), full, shape, cancel);
            }
            // The last group, when the pieces do not fill it.
            group
                .iter_mut()
                .enumerate()
                .try_for_each(|(i, part)| parse_piece(piece(i), part, shape, cancel))
        })
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

/// Stores a row that [`short_lines`] read.
#[inline]
fn push_short(part: &mut Part, got: &[f64]) {
    for (b, &v) in part.builders.iter_mut().zip(got) {
        b.numbers.push(v);
    }
    part.rows += 1;
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
                push_short(part, &c.got[..width]);
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
        push_short(part, &cur.got[..shape.width]);
        cur.pos = next;
        return Ok(());
    }
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
    for (i, &b) in bytes.iter().enumerate() {
        if b == d || b == b'\n' {
            if k < cols.len() && cols[k] == n {
                if k == fields.len() {
                    return Plain::Careful;
                }
                fields[k] = (start, i);
                k += 1;
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
        if k < cols.len() && cols[k] == n {
            if k == fields.len() {
                return Plain::Careful;
            }
            fields[k] = (start, end);
            k += 1;
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
fn row(part: &mut Part, line: usize, text: &str, shape: &Shape<'_>) -> Result<(), Stop> {
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

/// Appends a part (the next lines of the file, from absolute line `*at_line + 1`) to the
/// table's columns, as one sequential pass would have built them, and empties it for reuse.
fn merge(
    table: &mut [Builder],
    (counts, kept): (&mut [Vec<u64>], &mut [Kept]),
    part: &mut Part,
    at_line: &mut usize,
    rows: &mut u64,
) -> Result<(), Stop> {
    let off = *at_line;
    for (total, own) in counts.iter_mut().zip(&mut part.counts) {
        for (t, o) in total.iter_mut().zip(own.iter_mut()) {
            *t += std::mem::take(o);
        }
    }
    // The piece's kept values are moved, not copied: the part starts a new vector, sized for
    // as many as this one kept and an eighth more, so that the next piece's rarely grows it
    // (growing one, a copy and fresh pages each time, was 8 % of the drift benchmark).
    for (total, own) in kept.iter_mut().zip(&mut part.kept) {
        if !own.is_empty() {
            let next = Vec::with_capacity(own.len() + own.len() / 8 + 16);
            total.push(std::mem::replace(own, next));
        }
    }
    for ((g, b), first_any) in table
        .iter_mut()
        .zip(&mut part.builders)
        .zip(&mut part.first_any)
    {
        g.missing += std::mem::take(&mut b.missing);
        let first_any = first_any.take();
        let own_first = b.first_label.take();
        match b.labels.take() {
            None => {
                if g.labels.is_none() {
                    g.numbers.extend_from_slice(&b.numbers);
                } else {
                    for &v in &b.numbers {
                        g.push_number(v).ok_or(Stop::Sequential)?;
                    }
                }
            }
            Some(own) => {
                if g.labels.is_none() {
                    // The column turns to labels here: as the sequential reader, name the
                    // first label if numbers came before it.
                    if !g.numbers.is_empty() || own_first.is_some() {
                        g.first_label = first_any.map(|(l, t)| (l + off, t));
                    }
                    let mut set = LabelSet::default();
                    for v in std::mem::take(&mut g.numbers) {
                        set.push(&number_label(v)).ok_or(Stop::Sequential)?;
                    }
                    g.labels = Some(set);
                }
                let Some(set) = g.labels.as_mut() else {
                    return Err(Stop::Sequential);
                };
                for c in own.codes {
                    let label = own.labels.get(c as usize).ok_or(Stop::Sequential)?;
                    set.push(label).ok_or(Stop::Sequential)?;
                }
            }
        }
        b.numbers.clear();
    }
    *at_line += part.lines;
    *rows += part.rows;
    part.rows = 0;
    part.lines = 0;
    Ok(())
}
