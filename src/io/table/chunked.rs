//! CSV tables read on every core: the rows after the head are cut into byte chunks at line
//! ends (the line reader knows no quoted newline either: a line ends at every `\n`), each
//! chunk is parsed by the same per-line rules into its own column builders, and the chunks are
//! joined in file order. Any problem in any chunk (an error, too many rows or labels) sends the
//! whole file to the sequential reader, so errors, line numbers and values are exactly those
//! of [`super::csv::read_csv`].

use std::path::Path;

use rayon::prelude::*;

use super::csv::{read_csv, table_delimiter};
use super::{Builder, Column, LabelSet, MISSING_TOKENS, Table, TableError, TableErrorKind, Values};
use super::{chosen, number_label};
use crate::cancel::Cancel;
use crate::io::csv::MAX_ROWS;
use crate::io::csv::error::CsvError;
use crate::io::csv::lines::{Lines, clean_line};
use crate::io::csv::sniff::{parse_number, split_fields};

/// Bytes per chunk (a chunk ends at the first line end after this many).
pub(super) const CHUNK_BYTES: usize = 1 << 22;

/// Lines between two looks at the cancel flag.
const CANCEL_LINES: usize = 1 << 16;

/// Why a chunk gave up.
enum Stop {
    /// Re-read sequentially: it gives the exact error.
    Sequential,
    /// Cancelled.
    Cancelled,
}

/// One column of one chunk: the chunk's first absolute line minus one, its builder, its
/// first label.
type ColumnPart = (usize, Builder, Option<(usize, String)>);

/// One chunk's columns.
struct Part {
    builders: Vec<Builder>,
    /// Per column, the chunk's first label (relative line, text).
    first_any: Vec<Option<(usize, String)>>,
    rows: u64,
    lines: usize,
}

/// Reads a whole CSV file held in memory, chunks in parallel.
pub(super) fn read_csv_bytes(
    bytes: &[u8],
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
) -> Result<Table, TableError> {
    read_csv_chunked(bytes, path, select, cancel, CHUNK_BYTES)
}

/// As [`read_csv_bytes`] with chunks of about `chunk_bytes`.
pub(super) fn read_csv_chunked(
    bytes: &[u8],
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
    chunk_bytes: usize,
) -> Result<Table, TableError> {
    match try_chunked(bytes, path, select, cancel, chunk_bytes.max(1)) {
        Ok(t) => Ok(t),
        Err(Stop::Cancelled) => Err(TableError::whole(path, TableErrorKind::Cancelled)),
        Err(Stop::Sequential) => read_csv(bytes, path, select, cancel),
    }
}

fn try_chunked(
    bytes: &[u8],
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
    chunk_bytes: usize,
) -> Result<Table, Stop> {
    let seq = |_| Stop::Sequential;
    let mut lines = Lines::new(bytes);
    lines.check_start().map_err(seq)?;
    let mut head: Vec<(usize, String)> = Vec::new();
    while head.len() < 5 {
        match lines.next_line().map_err(seq)? {
            Some(l) => head.push(l),
            None => break,
        }
    }
    let consumed = bytes.len() - lines.reader.get_ref().len() - lines.reader.buffer().len();
    let head_lines = lines.line;
    let Some((first_line, first_text)) = head.first() else {
        return Err(Stop::Sequential);
    };
    let sample: Vec<&str> = head.iter().map(|(_, l)| l.as_str()).collect();
    let delim = table_delimiter(&sample);
    let first = split_fields(first_text, delim, *first_line).map_err(seq)?;
    let width = first.len();
    let is_header = first.iter().all(|f| parse_number(f).is_none());
    let names: Vec<String> = if is_header {
        first.iter().map(|f| f.to_string()).collect()
    } else {
        (1..=width).map(|i| format!("column {i}")).collect()
    };
    let cols = chosen(path, &names, select).map_err(|_| Stop::Sequential)?;
    let new_builders = || -> Vec<Builder> {
        cols.iter()
            .map(|&c| Builder::new(names[c].clone()))
            .collect()
    };
    // The head's rows, as one part starting at line 1.
    let mut head_part = Part {
        builders: new_builders(),
        first_any: vec![None; cols.len()],
        rows: 0,
        lines: head_lines,
    };
    for (line, text) in head.iter().skip(usize::from(is_header)) {
        row(&mut head_part, *line, text, delim, width, &cols)?;
    }
    // The rest, in chunks ending at line ends.
    let rest = &bytes[consumed..];
    let mut bounds = vec![0usize];
    while let Some(&start) = bounds.last() {
        if start >= rest.len() {
            break;
        }
        let want = (start + chunk_bytes).min(rest.len());
        let end = match rest[want - 1..].iter().position(|b| *b == b'\n') {
            Some(i) => want + i,
            None => rest.len(),
        };
        bounds.push(end);
    }
    let plain_delim = delim
        .and_then(|d| u8::try_from(d).ok())
        .filter(u8::is_ascii);
    let parts: Vec<Result<Part, Stop>> = bounds
        .par_windows(2)
        .map(|w| {
            let mut part = Part {
                builders: new_builders(),
                first_any: vec![None; cols.len()],
                rows: 0,
                lines: 0,
            };
            let bytes = &rest[w[0]..w[1]];
            // Checked once for the whole chunk; a chunk that is not UTF-8 goes line by line.
            let text = std::str::from_utf8(bytes).ok();
            let mut pos = 0;
            while pos < bytes.len() {
                part.lines += 1;
                let line = part.lines;
                if line.is_multiple_of(CANCEL_LINES) && cancel.check().is_err() {
                    return Err(Stop::Cancelled);
                }
                if let (Some(d), Some(t)) = (plain_delim, text) {
                    match plain_line(&mut part, line, &t[pos..], d, width, &cols) {
                        Plain::Done(used) => {
                            pos += used;
                            continue;
                        }
                        Plain::Stop(e) => return Err(e),
                        Plain::Careful => {}
                    }
                }
                let end = bytes[pos..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |i| pos + i + 1);
                let raw = &bytes[pos..end];
                pos = end;
                let Some(text) = clean_line(raw, line, false).map_err(seq)? else {
                    continue;
                };
                row(&mut part, line, text, delim, width, &cols)?;
            }
            Ok(part)
        })
        .collect();
    let mut all = vec![head_part];
    for p in parts {
        all.push(p?);
    }
    join(all, path, cols.len())
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

/// The line at the start of `text`, when it is printable ASCII without quotes, split on the
/// byte `d` in one pass; the same fields, so the same values, as [`clean_line`] then [`row`].
fn plain_line(
    part: &mut Part,
    line: usize,
    text: &str,
    d: u8,
    width: usize,
    cols: &[usize],
) -> Plain {
    let bytes = text.as_bytes();
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
    let body = &bytes[..end];
    let (Some(&first), Some(&last)) = (body.first(), body.last()) else {
        return Plain::Careful;
    };
    if first.is_ascii_whitespace() || last.is_ascii_whitespace() || first == b'#' {
        return Plain::Careful;
    }
    if n != width || k != cols.len() {
        return Plain::Stop(Stop::Sequential);
    }
    for (k, &(a, b)) in fields[..cols.len()].iter().enumerate() {
        if let Err(e) = store_field(part, k, line, text[a..b].trim()) {
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
    match parse_number(field) {
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
fn row(
    part: &mut Part,
    line: usize,
    text: &str,
    delim: Option<char>,
    width: usize,
    cols: &[usize],
) -> Result<(), Stop> {
    let mut store_at = |k: usize, field: &str| store_field(part, k, line, field);
    match delim {
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
            if n != width {
                return Err(Stop::Sequential);
            }
        }
        _ => {
            let split = split_fields(text, delim, line).map_err(|_: CsvError| Stop::Sequential)?;
            if split.len() != width {
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

/// The parts joined in file order into one table, as one sequential pass would build it.
fn join(parts: Vec<Part>, path: &Path, ncols: usize) -> Result<Table, Stop> {
    let rows: u64 = parts.iter().map(|p| p.rows).sum();
    if rows == 0 || rows > MAX_ROWS as u64 {
        return Err(Stop::Sequential);
    }
    // Absolute line of each part's line 0.
    let mut offsets = Vec::with_capacity(parts.len());
    let mut at = 0usize;
    for p in &parts {
        offsets.push(at);
        at += p.lines;
    }
    let mut per_col: Vec<Vec<ColumnPart>> = (0..ncols)
        .map(|_| Vec::with_capacity(parts.len()))
        .collect();
    for (p, off) in parts.into_iter().zip(offsets) {
        for (k, (b, f)) in p.builders.into_iter().zip(p.first_any).enumerate() {
            per_col[k].push((off, b, f));
        }
    }
    let columns: Vec<Column> = per_col
        .into_par_iter()
        .map(join_column)
        .collect::<Option<Vec<Column>>>()
        .ok_or(Stop::Sequential)?;
    Ok(Table {
        path: path.to_path_buf(),
        rows,
        columns,
    })
}

/// One column's parts joined; `None` when its labels overflow.
fn join_column(parts: Vec<ColumnPart>) -> Option<Column> {
    let name = parts.first().map(|(_, b, _)| b.name.clone())?;
    let missing = parts.iter().map(|(_, b, _)| b.missing).sum();
    if parts.iter().all(|(_, b, _)| b.labels.is_none()) {
        let n = parts.iter().map(|(_, b, _)| b.numbers.len()).sum();
        let mut numbers = Vec::with_capacity(n);
        for (_, b, _) in parts {
            numbers.extend_from_slice(&b.numbers);
        }
        return Some(Column {
            name,
            values: Values::Numbers(numbers),
            missing,
            first_label: None,
        });
    }
    let mut set = LabelSet::default();
    let mut numbers_before = false;
    let mut first_label = None;
    let mut labelled = false;
    for (off, b, first_any) in parts {
        match b.labels {
            None => {
                numbers_before |= !b.numbers.is_empty();
                for v in b.numbers {
                    set.push(&number_label(v))?;
                }
            }
            Some(own) => {
                if !labelled {
                    labelled = true;
                    if numbers_before || b.first_label.is_some() {
                        first_label = first_any.map(|(l, t)| (l + off, t));
                    }
                }
                for c in own.codes {
                    set.push(own.labels.get(c as usize)?)?;
                }
            }
        }
    }
    Some(Column {
        name,
        values: Values::Labels {
            codes: set.codes,
            labels: set.labels,
        },
        missing,
        first_label,
    })
}
