//! CSV tables read in blocks, each block parsed on every core: after the head, the file is read
//! a block at a time into a few reused buffers, the block's whole lines are cut into pieces at
//! line ends (the line reader knows no quoted newline either: a line ends at every `\n`), each
//! piece is parsed on the pool by the same per-line rules into its own column builders, and the
//! pieces are appended in file order to the table's columns. The pieces of two blocks may be
//! parsed at once, so that no thread waits at a block's end. Memory holds the columns, a few
//! blocks and the pieces' builders (reused from block to block), never the whole file.
//!
//! The usual line (every field a plain number, or empty, one delimiter byte between them) is
//! read in one pass by [`piece`]'s line readers with the fast number reader
//! ([`crate::io::number`]: the same bits as `str::parse::<f64>`); any other line goes through
//! the general per-line path.
//!
//! Any problem anywhere (an error, an infinite number, too many rows or labels, a failed read)
//! sends the whole file to the sequential reader, so errors, line numbers and values are
//! exactly those of [`super::csv::read_csv`].

use std::io::Read;
use std::path::Path;

use super::csv::{column_names, read_csv, table_delimiter};
use super::{BinCounter, Builder, Kept, LabelSet, Table, TableError, TableErrorKind};
use super::{chosen, number_label};
use crate::cancel::Cancel;
use crate::io::csv::lines::Lines;
use crate::io::csv::sniff::split_fields;
use crate::io::csv::{MAX_LINE_BYTES, MAX_ROWS};

mod piece;

use piece::row;

/// Bytes read at a time (a block's last partial line waits for the next block). 2 MiB: with a
/// join at each block's end, half the blocks of 1 MiB saved 4–5 % of the time; 4 MiB cost
/// more in page faults than it saved.
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
    /// The last rows [`piece::short_lines`] read, by column, not yet counted or stored: a
    /// counted column's numbers go to its counter a batch at a time, never through its
    /// builder; the other columns' are appended to their builders.
    batch: Box<[[f64; BATCH]]>,
    /// Rows in `batch`: always fewer than [`BATCH`] outside `push_short`.
    pending: usize,
    rows: u64,
    lines: usize,
}

/// Rows a part holds in its batch before counting or storing them.
const BATCH: usize = 256;

impl Part {
    fn new(names: &[String], counters: &[Option<&dyn BinCounter>]) -> Self {
        Part {
            batch: vec![[0.0; BATCH]; names.len().min(MAX_FAST_WIDTH)].into_boxed_slice(),
            pending: 0,
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
    /// Whether [`piece::short_lines`] may read lines: every column chosen and a delimiter that no
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
    let file_rows = size_hint.map(|bytes| {
        let rows = usize::try_from(bytes).unwrap_or(usize::MAX) / line_len;
        rows.saturating_add(rows / 8)
            .saturating_add(64)
            .min(MAX_ROWS)
    });
    // A counted column's kept values likewise, for its counter's expected share of them: grown
    // instead, the vector was copied to a new place several times as the file was read, each
    // time by one thread while the other waited (6 ms of the drift benchmark's reference).
    let mut kept: Vec<Kept> = vec![Vec::new(); col_names.len()];
    if let Some(rows) = file_rows {
        for ((b, c), kept) in table.iter_mut().zip(&counters).zip(&mut kept) {
            match c {
                None => b.numbers.reserve_exact(rows),
                Some(c) => kept.reserve_exact(kept_room(c.kept_share(), rows)),
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
    let (mut rows, mut at_line) = (0u64, 0usize);
    let mut counts: Vec<Vec<u64>> = head_part.counts.iter().map(|c| vec![0; c.len()]).collect();
    let mut done = Done {
        table: &mut table,
        counts: &mut counts,
        kept: &mut kept,
        at_line: &mut at_line,
        rows: &mut rows,
    };
    done.merge(&mut head_part)?;

    // The rest, a block at a time: the head reader's buffered bytes first.
    let mut buf: Vec<u8> = Vec::with_capacity(block_bytes.saturating_add(1 << 16));
    buf.extend_from_slice(lines.reader.buffer());
    let reader = lines.reader.into_inner();
    // Four groups of pieces a thread, so that a thread that has finished its own finds pieces
    // left to parse.
    let pieces = rayon::current_num_threads()
        .saturating_mul(4 * SIDE_BY_SIDE)
        .clamp(1, 16 * SIDE_BY_SIDE);
    // Each part's columns sized for a piece's rows as the head's lines suggest (of a block, or
    // of a smaller file), and a quarter more: grown from nothing instead, they were copied and
    // given fresh pages block after block until they fit (2 % of the drift benchmark).
    let file_bytes = size_hint.map_or(usize::MAX, |b| usize::try_from(b).unwrap_or(usize::MAX));
    let piece_rows = block_bytes.min(file_bytes) / pieces / line_len;
    let piece_rows = piece_rows.saturating_add(piece_rows / 4 + 16);
    let new_part = || {
        let mut part = Part::new(&col_names, &counters);
        // A counted column's numbers go from the batch to its counter: its builder holds
        // only those of the rare lines the other paths read.
        for (b, c) in part.builders.iter_mut().zip(&counters) {
            if c.is_none() {
                b.numbers.reserve_exact(piece_rows);
            }
        }
        part
    };
    pipeline(
        reader,
        buf,
        &Pipeline {
            block_bytes,
            pieces,
            new_part: &new_part,
            shape: &shape,
            cancel,
        },
        &mut done,
    )?;
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

/// What the blocks' parts are merged into, in file order.
struct Done<'a> {
    table: &'a mut [Builder],
    counts: &'a mut [Vec<u64>],
    kept: &'a mut [Kept],
    at_line: &'a mut usize,
    rows: &'a mut u64,
}

impl Done<'_> {
    fn merge(&mut self, part: &mut Part) -> Result<(), Stop> {
        merge(
            self.table,
            (self.counts, self.kept),
            part,
            self.at_line,
            self.rows,
        )?;
        if *self.rows > MAX_ROWS as u64 {
            return Err(Stop::Sequential);
        }
        Ok(())
    }
}

/// How [`pipeline`] cuts and parses the blocks.
struct Pipeline<'a> {
    block_bytes: usize,
    pieces: usize,
    new_part: &'a (dyn Fn() -> Part + Sync),
    shape: &'a Shape<'a>,
    cancel: &'a Cancel,
}

/// Blocks whose pieces may be parsed at once: a thread that has finished its pieces of one
/// block starts on the next instead of waiting for the other thread's last piece. (When
/// each block ended in a join, those waits and the wake-ups after them were measured at
/// about 17 of the 210 core-milliseconds of the drift benchmark's two reads.)
const IN_FLIGHT: usize = 2;

/// One group of a block's pieces, parsed: which block and group, its parts, and how it went.
struct Parsed {
    block: usize,
    group: usize,
    parts: Vec<Part>,
    result: Result<(), Stop>,
}

/// A block being parsed: its bytes (shared with its groups' tasks) and the groups back so far.
struct Flying {
    bytes: std::sync::Arc<Vec<u8>>,
    groups: Vec<Option<Parsed>>,
    back: usize,
}

/// Reads the rest of the file from `reader` (after the bytes already in `buf`) a block at a
/// time on one of the pool's threads (the caller's, when it is one), while the others parse
/// the pieces of up to [`IN_FLIGHT`] blocks; merges each block's parts into `done` in file
/// order once all are back. Checks for cancellation once a block.
fn pipeline<R: Read + Send>(
    mut reader: R,
    mut buf: Vec<u8>,
    how: &Pipeline<'_>,
    done: &mut Done<'_>,
) -> Result<(), Stop> {
    rayon::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<Parsed>();
        let mut spare_bufs: Vec<Vec<u8>> = Vec::new();
        let mut spare_parts: Vec<Vec<Part>> = Vec::new();
        let mut flying: std::collections::VecDeque<Flying> = std::collections::VecDeque::new();
        // The index of `flying`'s first block among all the blocks.
        let mut first_block = 0usize;
        let mut eof = false;
        let mut next_block = 0usize;
        loop {
            if how.cancel.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            // Up to a block's worth (or the file's end) beyond the partial line left over.
            if !eof && buf.len() < how.block_bytes {
                let want = (how.block_bytes - buf.len()) as u64;
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
                eof = read_more(&mut reader, &mut buf, how.block_bytes as u64)?;
                continue;
            };
            // The partial line left over starts the next buffer.
            let mut next = spare_bufs
                .pop()
                .unwrap_or_else(|| Vec::with_capacity(buf.capacity()));
            next.clear();
            next.extend_from_slice(&buf[end..]);
            buf.truncate(end);
            let bytes = std::sync::Arc::new(std::mem::replace(&mut buf, next));
            let n = if bytes.len() >= 2 * how.pieces {
                how.pieces
            } else {
                1
            };
            let bounds = piece::piece_bounds(&bytes, n);
            let mut parts = spare_parts.pop().unwrap_or_default();
            parts.resize_with(n, how.new_part);
            let groups = n.div_ceil(SIDE_BY_SIDE);
            for g in 0..groups {
                let take = parts.len().min(SIDE_BY_SIDE);
                let group: Vec<Part> = parts.drain(..take).collect();
                let from = g * SIDE_BY_SIDE;
                let bounds = bounds[from..=from + group.len()].to_vec();
                let (bytes, tx, block) = (std::sync::Arc::clone(&bytes), tx.clone(), next_block);
                scope.spawn(move |_| {
                    let mut group = group;
                    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        piece::parse_group(&bytes, &bounds, &mut group, how.shape, how.cancel)
                    }));
                    drop(bytes);
                    let (result, panic) = match run {
                        Ok(r) => (r, None),
                        Err(p) => (Err(Stop::Sequential), Some(p)),
                    };
                    // Sent even after a panic, so that the reading thread never waits for
                    // it; the panic then goes on to the scope, which passes it to the caller.
                    let _ = tx.send(Parsed {
                        block,
                        group: g,
                        parts: group,
                        result,
                    });
                    if let Some(panic) = panic {
                        std::panic::resume_unwind(panic);
                    }
                });
            }
            flying.push_back(Flying {
                bytes,
                groups: (0..groups).map(|_| None).collect(),
                back: 0,
            });
            next_block += 1;
            // Merge what is back; wait while the window is full (and, at the end, for all).
            let last = eof;
            loop {
                if let Some(f) = flying.pop_front_if(|f| f.back == f.groups.len()) {
                    land(f, done, &mut spare_bufs, &mut spare_parts)?;
                    first_block += 1;
                    continue;
                }
                let full = flying.len() >= IN_FLIGHT || (last && !flying.is_empty());
                let got = if full {
                    Some(receive(&rx))
                } else {
                    rx.try_recv().ok().map(Some)
                };
                match got {
                    Some(Some(p)) => {
                        let i = p.block - first_block;
                        let f = &mut flying[i];
                        let g = p.group;
                        f.groups[g] = Some(p);
                        f.back += 1;
                    }
                    // Nothing back yet, and room for another block: read it.
                    None => break,
                    // Every sender gone while groups are out: cannot happen (this thread
                    // holds one); refuse rather than wait for ever.
                    Some(None) => return Err(Stop::Sequential),
                }
            }
            if last {
                return Ok(());
            }
        }
    })
}

/// The next group back from the pool. While none is, this thread runs the pool's pending
/// work (the groups among it, so that a pool of one thread never waits on itself); with none
/// left to run, every group still out is running on another thread (a group never waits),
/// and it sleeps until one comes back.
fn receive(rx: &std::sync::mpsc::Receiver<Parsed>) -> Option<Parsed> {
    use std::sync::mpsc::TryRecvError;
    loop {
        match rx.try_recv() {
            Ok(p) => return Some(p),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => match rayon::yield_now() {
                Some(rayon::Yield::Executed) => {}
                Some(rayon::Yield::Idle) | None => return rx.recv().ok(),
            },
        }
    }
}

/// Merges a block whose groups are all back, in file order, and keeps its buffer and parts
/// for the blocks to come. A group's failure ends the read.
fn land(
    f: Flying,
    done: &mut Done<'_>,
    spare_bufs: &mut Vec<Vec<u8>>,
    spare_parts: &mut Vec<Vec<Part>>,
) -> Result<(), Stop> {
    let mut parts = Vec::new();
    for p in f.groups.into_iter().flatten() {
        p.result?;
        parts.extend(p.parts);
    }
    for part in &mut parts {
        done.merge(part)?;
    }
    spare_parts.push(parts);
    if let Ok(b) = std::sync::Arc::try_unwrap(f.bytes) {
        spare_bufs.push(b);
    }
    Ok(())
}

/// Room for the values a counter keeping `share` of a column's values keeps from `rows` rows
/// (the room an estimate, with a twentieth more for the share's sampling error).
fn kept_room(share: f64, rows: usize) -> usize {
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let room = (share.clamp(0.0, 1.0) * 1.05 * rows as f64) as usize;
    room.min(rows)
}

/// Moves the numbers of the part's counted columns into their counts. A counted column that
/// turned to labels gives up the one-pass reading (its caller reads the file as usual).
fn count_part(part: &mut Part, counters: &[Option<&dyn BinCounter>]) -> Result<(), Stop> {
    flush_batch(part, counters);
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

/// Moves the rows in the part's batch to the counters of their counted columns and onto the
/// builders of the rest, and empties it.
fn flush_batch(part: &mut Part, counters: &[Option<&dyn BinCounter>]) {
    let n = std::mem::take(&mut part.pending);
    if n == 0 {
        return;
    }
    for ((((column, c), b), counts), kept) in part
        .batch
        .iter()
        .zip(counters)
        .zip(&mut part.builders)
        .zip(&mut part.counts)
        .zip(&mut part.kept)
    {
        let values = &column[..n];
        match c {
            Some(c) => c.add_keeping(values, counts, kept),
            None => b.numbers.extend_from_slice(values),
        }
    }
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
    // The piece's kept values are copied onto the column's, and the part keeps its vector for
    // the next block: one vector a column, grown in place, instead of one new vector a piece
    // (thousands of allocations, each growing a thread's heap with an `mprotect` that stalls
    // the other thread's page faults: about 4 % of the drift benchmark's median wall time).
    for (total, own) in kept.iter_mut().zip(&mut part.kept) {
        total.extend_from_slice(own);
        own.clear();
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
