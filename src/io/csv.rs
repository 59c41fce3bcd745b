//! Reading histograms from CSV files.
//!
//! Accepted (detected, and said in the histogram's notes):
//! - delimiter `,` `;` tab, or runs of spaces; UTF-8 with or without BOM; CRLF; `#` comment
//!   lines; quoted fields (`"1,5"` is one field); scientific notation;
//! - an optional header (names are case-insensitive): `left,right,count`, `center,count`,
//!   `label,count`, with `probability` or `density` instead of `count`, or one column of raw
//!   samples (`value`, `sample`, `x`, anything);
//! - without a header: 3 numeric columns are edges and count, 2 are centre and count (or label
//!   and count when the first is not numeric), 1 is samples. With more columns, the caller
//!   picks them ([`CsvOptions::columns`]).
//!
//! Every rejection names the line and column (1-based) and what to do; the path is added by
//! [`super::LoadError`]. The reader streams: memory holds the parsed numbers and one line.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};

pub use crate::distribution::histogram::Layout;
use crate::distribution::histogram::{
    BinRule, Delimiter, FileFormat, FromSamples, HistogramError, LineEnding, Provenance,
    SamplesBinning, Weights,
};
use crate::distribution::{Categories, Distribution, Histogram};

/// The longest line accepted, in bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Choices the user can make about how a file is read.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CsvOptions {
    /// 0-based columns to use, in the order of the layout (e.g. `[0, 2, 3]` for left, right,
    /// count). `None`: detect.
    pub columns: Option<Vec<usize>>,
    /// Number of bins for a samples file. `None`: Freedman–Diaconis.
    pub bins: Option<usize>,
}

/// A problem at a place in the file: what is wrong ([`CsvErrorKind`], the sentence the user
/// reads) and where. Displays as `line 14, column 3: count is negative (-2); counts must be ≥ 0`.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvError {
    /// What is wrong; branch on this, never on the sentence.
    pub kind: CsvErrorKind,
    /// 1-based line, if the problem is on one.
    pub line: Option<usize>,
    /// 1-based column (field), if the problem is in one.
    pub column: Option<usize>,
}

impl CsvError {
    fn new(line: Option<usize>, column: Option<usize>, kind: CsvErrorKind) -> Self {
        CsvError { kind, line, column }
    }

    /// An error that is not at any place in the file.
    fn whole(kind: CsvErrorKind) -> Self {
        CsvError::new(None, None, kind)
    }
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_position(f, self.line, self.column)?;
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for CsvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

/// Writes `line L, column C: ` (or `line L: `, or nothing).
pub(crate) fn write_position(
    f: &mut std::fmt::Formatter<'_>,
    line: Option<usize>,
    column: Option<usize>,
) -> std::fmt::Result {
    match (line, column) {
        (Some(l), Some(c)) => write!(f, "line {l}, column {c}: "),
        (Some(l), None) => write!(f, "line {l}: "),
        _ => Ok(()),
    }
}

/// Every way a CSV histogram can be refused. The `Display` text is the sentence shown to the
/// user (what is wrong and what to do); the line and column are in [`CsvError`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CsvErrorKind {
    /// No rows at all (or only comments and blank lines).
    #[error("the file is empty (or only comments); it needs rows such as left,right,count")]
    Empty,
    /// A header and nothing after it.
    #[error("the file has a header but no data rows")]
    NoDataRows,
    /// The columns cannot be told from the header or the width: the user must pick them.
    /// `header` holds the header's names, or is empty when the file has none.
    #[error("{}", ambiguous_columns(header, *width))]
    AmbiguousColumns {
        /// The header's fields as written, or empty when there is no header.
        header: Vec<String>,
        /// Fields per row.
        width: usize,
    },
    /// [`CsvOptions::columns`] names neither 1, 2 nor 3 columns.
    #[error("choose 1, 2 or 3 columns (got {chosen})")]
    ColumnCount {
        /// How many were chosen.
        chosen: usize,
    },
    /// [`CsvOptions::columns`] names a column the file does not have.
    #[error("column {column} was chosen, but the file has {width}")]
    NoSuchColumn {
        /// The chosen column, 1-based.
        column: usize,
        /// Fields per row.
        width: usize,
    },
    /// A field that should be a number is not one.
    #[error("'{field}' is not a number")]
    NotANumber {
        /// The field as written.
        field: String,
    },
    /// A number that is infinite or NaN.
    #[error("'{field}' is not a finite number; remove or fix the row")]
    NotFinite {
        /// The field as written.
        field: String,
    },
    /// A negative count, probability or density.
    #[error("count is negative ({field}); counts must be ≥ 0")]
    NegativeCount {
        /// The field as written.
        field: String,
    },
    /// A bin whose right edge is not greater than its left.
    #[error("right edge {right} must be greater than left edge {left}")]
    EdgesOutOfOrder {
        /// Left edge.
        left: f64,
        /// Right edge.
        right: f64,
    },
    /// A row with another number of fields than the first.
    #[error(
        "has {fields} fields but the first row has {expected}; every row needs the same columns"
    )]
    RaggedRow {
        /// Fields in this row.
        fields: usize,
        /// Fields in the first row.
        expected: usize,
    },
    /// NUL bytes: a binary file.
    #[error("contains NUL bytes: this looks like a binary file, not CSV text")]
    NulBytes,
    /// Bytes that are not UTF-8.
    #[error("is not valid UTF-8 (at byte {byte} of the line); save the file as UTF-8")]
    NotUtf8 {
        /// 1-based byte within the line.
        byte: usize,
    },
    /// A line longer than [`MAX_LINE_BYTES`].
    #[error("line is longer than {} MB; is this really a CSV histogram?", limit_bytes >> 20)]
    LineTooLong {
        /// The limit, in bytes.
        limit_bytes: usize,
    },
    /// The input could not be read.
    #[error("could not read the file: {reason}")]
    Unreadable {
        /// The system's reason.
        reason: String,
    },
    /// The load's [`crate::cancel::Cancel`] was set.
    #[error("loading was cancelled")]
    Cancelled,
    /// Bins given by centres, but only one.
    #[error("one centre alone does not give a bin width; add rows or give left,right,count")]
    OneCentre,
    /// The same centre twice.
    #[error("centre {centre} appears twice")]
    RepeatedCentre {
        /// The centre.
        centre: f64,
    },
    /// The bins read are not a histogram (overlaps, no mass, ...).
    #[error("{}", histogram_sentence(.0))]
    Histogram(crate::distribution::histogram::HistogramError),
}

fn ambiguous_columns(header: &[String], width: usize) -> String {
    if header.is_empty() {
        format!(
            "the file has {width} columns; pick which hold the bins (left, right, count or center, count)"
        )
    } else {
        format!(
            "the header ({}) does not say which columns hold the bins; name them left,right,count or center,count or label,count, or pick the columns",
            header.join(", ")
        )
    }
}

fn histogram_sentence(e: &HistogramError) -> String {
    match e {
        HistogramError::Overlap { .. } => format!("{e}; bins must not overlap"),
        other => other.to_string(),
    }
}

/// The error for a failed read: [`CsvErrorKind::Cancelled`] when the reader stopped because
/// the load was cancelled (it carries [`crate::cancel::Cancelled`]), else the system's reason.
fn read_failed(e: &std::io::Error, line: usize) -> CsvError {
    if e.get_ref()
        .is_some_and(|inner| inner.is::<crate::cancel::Cancelled>())
    {
        return CsvError::whole(CsvErrorKind::Cancelled);
    }
    CsvError::new(
        Some(line),
        None,
        CsvErrorKind::Unreadable {
            reason: e.to_string(),
        },
    )
}

fn weight_name(name: &str) -> Option<Weights> {
    match name {
        "count" | "counts" | "n" | "frequency" | "freq" | "weight" => Some(Weights::Count),
        "probability" | "prob" | "p" | "mass" => Some(Weights::Probability),
        "density" | "pdf" => Some(Weights::Density),
        _ => None,
    }
}

/// Works out the layout from header names, returning the layout and the columns it uses.
fn layout_from_header(names: &[String]) -> Option<(Layout, Vec<usize>)> {
    let find = |opts: &[&str]| names.iter().position(|n| opts.contains(&n.as_str()));
    let weight = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| weight_name(n).map(|w| (i, w)));
    let left = find(&["left", "lo", "low", "lower", "from", "bin_left", "start"]);
    let right = find(&["right", "hi", "high", "upper", "to", "bin_right", "end"]);
    let center = find(&["center", "centre", "mid", "midpoint", "bin", "x"]);
    let label = find(&["label", "category", "name", "action", "class"]);
    match (weight, left, right, center, label) {
        (Some((w, kind)), Some(l), Some(r), _, _) => Some((Layout::Edges(kind), vec![l, r, w])),
        (Some((w, _)), _, _, _, Some(l)) => Some((Layout::Labels, vec![l, w])),
        (Some((w, kind)), _, _, Some(c), _) => Some((Layout::Centers(kind), vec![c, w])),
        (None, None, None, _, None) if names.len() == 1 => Some((Layout::Samples, vec![0])),
        _ => None,
    }
}

/// Splits one line into fields, honouring double quotes. Unquoted fields borrow the line.
fn split_fields(line: &str, delim: Option<char>) -> Vec<Cow<'_, str>> {
    let Some(delim) = delim else {
        return line.split_whitespace().map(Cow::Borrowed).collect();
    };
    if !line.contains('"') {
        return line.split(delim).map(|f| Cow::Borrowed(f.trim())).collect();
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delim && !quoted => {
                out.push(Cow::Owned(std::mem::take(&mut cur).trim().to_string()));
            }
            c => cur.push(c),
        }
    }
    out.push(Cow::Owned(cur.trim().to_string()));
    out
}

fn detect_delimiter(sample: &[&str]) -> Option<char> {
    [',', ';', '\t']
        .into_iter()
        .find(|&d| !sample.is_empty() && sample.iter().all(|l| l.contains(d)))
}

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

/// Reads the file line by line, with a line-length limit and UTF-8 check, skipping blank and
/// `#` lines. Yields `(line_number, text)`.
struct Lines<R: BufRead> {
    reader: R,
    line: usize,
    buf: Vec<u8>,
    first: bool,
    /// The current line's text (trimmed), reused from line to line.
    text: String,
    /// Whether the first line started with a UTF-8 byte-order mark.
    byte_order_mark: bool,
    /// How the first line ended.
    line_ending: LineEnding,
}

impl<R: BufRead> Lines<R> {
    fn next_line(&mut self) -> Result<Option<(usize, String)>, CsvError> {
        Ok(self.next_line_inner()?.map(|l| (l, self.text.clone())))
    }

    fn next_line_inner(&mut self) -> Result<Option<usize>, CsvError> {
        loop {
            self.buf.clear();
            self.line += 1;
            // Read up to the newline without letting one line grow past the limit.
            loop {
                let available = match self.reader.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(read_failed(&e, self.line)),
                };
                if available.is_empty() {
                    break;
                }
                let (take, done) = match available.iter().position(|b| *b == b'\n') {
                    Some(i) => (i + 1, true),
                    None => (available.len(), false),
                };
                self.buf.extend_from_slice(&available[..take]);
                self.reader.consume(take);
                if self.buf.len() > MAX_LINE_BYTES {
                    return Err(too_long(self.line));
                }
                if done {
                    break;
                }
            }
            if self.buf.is_empty() {
                return Ok(None);
            }
            let first = std::mem::replace(&mut self.first, false);
            if first {
                self.byte_order_mark = self.buf.starts_with(&[0xEF, 0xBB, 0xBF]);
                self.line_ending = if self.buf.ends_with(b"\r\n") {
                    LineEnding::CrLf
                } else if self.buf.ends_with(b"\n") {
                    LineEnding::Lf
                } else {
                    LineEnding::Unterminated
                };
            }
            let Some(text) = clean_line(&self.buf, self.line, first)? else {
                continue;
            };
            self.text.clear();
            self.text.push_str(text);
            return Ok(Some(self.line));
        }
    }
}

fn too_long(line: usize) -> CsvError {
    CsvError::new(
        Some(line),
        None,
        CsvErrorKind::LineTooLong {
            limit_bytes: MAX_LINE_BYTES,
        },
    )
}

/// Checks one raw line (without or with its `\n`) and returns its trimmed text, or `None`
/// for a blank or `#` line. `first`: strip a UTF-8 byte-order mark.
fn clean_line(raw: &[u8], line: usize, first: bool) -> Result<Option<&str>, CsvError> {
    if raw.len() > MAX_LINE_BYTES {
        return Err(too_long(line));
    }
    if raw.contains(&0) {
        return Err(CsvError::new(Some(line), None, CsvErrorKind::NulBytes));
    }
    let mut bytes = raw;
    if first && let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        bytes = rest;
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        CsvError::new(
            Some(line),
            None,
            CsvErrorKind::NotUtf8 {
                byte: e.valid_up_to() + 1,
            },
        )
    })?;
    let text = text.trim_end_matches(['\n', '\r']).trim();
    Ok((!text.is_empty() && !text.starts_with('#')).then_some(text))
}

/// Parses a CSV histogram from `reader`. `source` becomes the distribution's spec.
///
/// # Errors
/// [`CsvError`] naming the line and column and what is wrong.
pub fn read_histogram<R: Read>(
    reader: R,
    source: &str,
    options: &CsvOptions,
) -> Result<Distribution, CsvError> {
    read_histogram_sized(reader, source, options, None)
}

/// As [`read_histogram`], with the input's size in bytes if known (to reserve memory).
///
/// # Errors
/// As [`read_histogram`].
pub fn read_histogram_sized<R: Read>(
    reader: R,
    source: &str,
    options: &CsvOptions,
    size_hint: Option<u64>,
) -> Result<Distribution, CsvError> {
    read(reader, source, options, size_hint, true)
}

/// The reader; `fast: false` sends every line down the careful path (tests compare the two).
fn read<R: Read>(
    reader: R,
    source: &str,
    options: &CsvOptions,
    size_hint: Option<u64>,
    fast: bool,
) -> Result<Distribution, CsvError> {
    let mut lines = Lines {
        reader: BufReader::with_capacity(1 << 16, reader),
        line: 0,
        buf: Vec::new(),
        first: true,
        text: String::new(),
        byte_order_mark: false,
        line_ending: LineEnding::Unterminated,
    };
    // Sniff the first few lines for the delimiter and the header.
    let mut head: Vec<(usize, String)> = Vec::new();
    while head.len() < 5 {
        match lines.next_line()? {
            Some(l) => head.push(l),
            None => break,
        }
    }
    if head.is_empty() {
        return Err(CsvError::whole(CsvErrorKind::Empty));
    }
    let sample: Vec<&str> = head.iter().map(|(_, l)| l.as_str()).collect();
    let delim = detect_delimiter(&sample);
    let first_fields = split_fields(&head[0].1, delim);
    let is_header = first_fields.iter().any(|f| parse_number(f).is_none())
        && head.get(1).is_none_or(|(_, l)| {
            let next = split_fields(l, delim);
            // A header if the next row has more numbers than this one.
            next.iter().filter(|f| parse_number(f).is_some()).count()
                > first_fields
                    .iter()
                    .filter(|f| parse_number(f).is_some())
                    .count()
                || head.len() == 1
        });
    let width = first_fields.len();
    let (layout, cols) = if let Some(cols) = &options.columns {
        let layout = match cols.len() {
            3 => Layout::Edges(Weights::Count),
            2 => {
                let data_row = if is_header { head.get(1) } else { head.first() };
                let label_col = data_row.is_some_and(|(_, l)| {
                    split_fields(l, delim)
                        .get(cols[0])
                        .is_some_and(|f| parse_number(f).is_none())
                });
                if label_col {
                    Layout::Labels
                } else {
                    Layout::Centers(Weights::Count)
                }
            }
            1 => Layout::Samples,
            n => {
                return Err(CsvError::whole(CsvErrorKind::ColumnCount { chosen: n }));
            }
        };
        if let Some(bad) = cols.iter().find(|c| **c >= width) {
            return Err(CsvError::whole(CsvErrorKind::NoSuchColumn {
                column: bad + 1,
                width,
            }));
        }
        (layout, cols.clone())
    } else if is_header {
        let names: Vec<String> = first_fields.iter().map(|f| f.to_lowercase()).collect();
        match layout_from_header(&names) {
            Some(x) => x,
            None if width <= 3 => headerless_layout(&head[1..], delim, width)?,
            None => {
                return Err(CsvError::new(
                    Some(head[0].0),
                    None,
                    CsvErrorKind::AmbiguousColumns {
                        header: first_fields.iter().map(|f| f.to_string()).collect(),
                        width,
                    },
                ));
            }
        }
    } else {
        headerless_layout(&head, delim, width)?
    };
    let format = FileFormat {
        delimiter: Delimiter::from_char(delim),
        width,
        header: is_header,
        columns: cols.clone(),
        layout,
        byte_order_mark: lines.byte_order_mark,
        line_ending: lines.line_ending,
    };

    // Reserve for the rows the file size suggests, so the columns are not copied as they grow.
    let expected_rows = size_hint
        .map(|bytes| {
            let line_len = head.iter().map(|(_, l)| l.len() + 1).sum::<usize>() / head.len().max(1);
            usize::try_from(bytes).unwrap_or(0) / line_len.max(1) + 16
        })
        .unwrap_or(0)
        .min(1 << 28);
    let mut values = Columns::new(layout, expected_rows);
    let mut labels: Vec<String> = Vec::new();
    let mut line_of = LineMap::default();
    let queue: Vec<(usize, String)> = head.into_iter().skip(usize::from(is_header)).collect();
    let mut row = Row::new(layout, &cols, width, delim, fast);
    for (line, text) in queue {
        row.parse(line, &text, &mut values, &mut labels)?;
        line_of.push(line);
    }
    read_rows(lines, &mut row, &mut values, &mut labels, &mut line_of)?;
    if line_of.rows == 0 {
        return Err(CsvError::whole(CsvErrorKind::NoDataRows));
    }
    build(layout, values, labels, &line_of, source, format, options)
}

/// Bytes read at a time after the first lines.
const BLOCK_BYTES: usize = 1 << 20;

/// Reads every row after the first few, a block at a time: each line is tried on the fast
/// path ([`Row::fast`]: plain ASCII numbers, read in place) and, if that declines, checked and
/// parsed line by line like the first ones, which is where every error message comes from.
fn read_rows<R: Read>(
    lines: Lines<BufReader<R>>,
    row: &mut Row<'_>,
    values: &mut Columns,
    labels: &mut Vec<String>,
    line_of: &mut LineMap,
) -> Result<(), CsvError> {
    let mut line = lines.line;
    let mut buf = Window::default();
    buf.append(lines.reader.buffer());
    let mut reader = lines.reader.into_inner();
    let mut eof = false;
    while !eof || !buf.data().is_empty() {
        // Fill to at least a block, or to the end of the file.
        while !eof && buf.data().len() < BLOCK_BYTES {
            eof = buf.fill(&mut reader, line)?;
        }
        // Whole lines only; the end of the file ends the last one.
        let data = buf.data();
        let end = if eof {
            data.len()
        } else if let Some(i) = data.iter().rposition(|b| *b == b'\n') {
            i + 1
        } else if data.len() > MAX_LINE_BYTES {
            return Err(too_long(line + 1));
        } else {
            // One long line still arriving: read another block onto it.
            eof = buf.fill(&mut reader, line)?;
            continue;
        };
        let mut rest = &data[..end];
        while !rest.is_empty() {
            line += 1;
            if let Some(used) = row.fast(rest, values) {
                line_of.push(line);
                rest = &rest[used..];
                continue;
            }
            let len = rest
                .iter()
                .position(|b| *b == b'\n')
                .map_or(rest.len(), |i| i + 1);
            if let Some(text) = clean_line(&rest[..len], line, false)? {
                row.parse(line, text, values, labels)?;
                line_of.push(line);
            }
            rest = &rest[len..];
        }
        buf.consume(end);
    }
    Ok(())
}

/// The bytes read and not yet parsed, in a buffer that is zeroed only when it grows (not
/// for every block read into it).
#[derive(Default)]
struct Window {
    buf: Vec<u8>,
    /// How much of `buf` holds data.
    filled: usize,
}

impl Window {
    fn data(&self) -> &[u8] {
        &self.buf[..self.filled]
    }

    /// Room for at least a block after the data.
    fn make_room(&mut self) -> &mut [u8] {
        if self.buf.len() - self.filled < BLOCK_BYTES {
            self.buf.resize(self.filled + BLOCK_BYTES, 0);
        }
        &mut self.buf[self.filled..]
    }

    fn append(&mut self, bytes: &[u8]) {
        while self.buf.len() - self.filled < bytes.len() {
            self.make_room();
        }
        self.buf[self.filled..self.filled + bytes.len()].copy_from_slice(bytes);
        self.filled += bytes.len();
    }

    /// Reads up to a block from `reader` after the data; returns whether the file has ended.
    fn fill<R: Read>(&mut self, reader: &mut R, line: usize) -> Result<bool, CsvError> {
        loop {
            let room = self.make_room();
            let take = room.len().min(BLOCK_BYTES);
            match reader.read(&mut room[..take]) {
                Ok(n) => {
                    self.filled += n;
                    return Ok(n == 0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_failed(&e, line + 1)),
            }
        }
    }

    /// Drops the first `n` bytes of the data.
    fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.filled, 0);
        self.filled -= n;
    }
}

/// The line each data row came from, kept as the rows where the numbering jumps (after
/// comments, blank lines or the header): a few bytes for 10^7 rows instead of 40 MB.
#[derive(Debug, Default)]
struct LineMap {
    /// `(row, line)` where the row's line is not the previous row's plus one.
    jumps: Vec<(usize, usize)>,
    rows: usize,
}

impl LineMap {
    fn push(&mut self, line: usize) {
        let expected = self.jumps.last().map(|&(r, l)| l + (self.rows - r));
        if expected != Some(line) {
            self.jumps.push((self.rows, line));
        }
        self.rows += 1;
    }

    /// The 1-based line of the 0-based `row`.
    fn line(&self, row: usize) -> Option<usize> {
        if row >= self.rows {
            return None;
        }
        let k = self.jumps.partition_point(|&(r, _)| r <= row);
        let (r, l) = *self.jumps.get(k.checked_sub(1)?)?;
        Some(l + (row - r))
    }
}

/// The numbers read so far, one column per slot of the layout. For bins given by their
/// edges, the right edges are not stored while every bin starts where the previous one ended
/// (the usual file): each is the next left edge, and 10^7 bins take two columns, not three.
#[derive(Debug, PartialEq)]
struct Columns {
    layout: Layout,
    slots: Vec<Vec<f64>>,
    /// Edges only: the right edges so far are implied (`slots[1]` is empty).
    implied_right: bool,
    /// Edges only: the last row's right edge.
    last_right: f64,
}

impl Columns {
    fn new(layout: Layout, capacity: usize) -> Self {
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
    fn push(&mut self, row: &[f64]) {
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

/// How to read one data row: which columns, into which slots.
struct Row<'a> {
    layout: Layout,
    cols: &'a [usize],
    width: usize,
    delim: Option<char>,
    /// For the fast path: the slot each column goes to (`NOT_USED` for none), or empty when
    /// the fast path does not apply (labels, wide rows, a delimiter that is not one byte).
    slot_of: Vec<u8>,
    /// For the tightest path: the delimiter, when every column is used, in order.
    plain: Option<u8>,
    /// Bins given by their edges: the text of the last right edge the tightest path read,
    /// and its value.
    echo: Echo,
}

/// A number's text (up to 16 bytes, first byte lowest) and its value. Bins that touch are
/// written with each right edge repeated as the next left edge: that text is then matched,
/// not read again. Equal text is the same number, so the value needs no other check.
#[derive(Clone, Copy, Default)]
struct Echo {
    text: u128,
    /// Bytes in `text`; 0 when there is none.
    len: usize,
    value: f64,
}

impl Echo {
    /// The 16 bytes at the start of `s`, if there are as many.
    #[inline]
    fn window(s: &[u8]) -> Option<u128> {
        let bytes: [u8; 16] = s.get(..16)?.try_into().ok()?;
        Some(u128::from_le_bytes(bytes))
    }

    /// The mask of the first `len` bytes (1 ≤ len ≤ 16).
    #[inline]
    fn mask(len: usize) -> u128 {
        u128::MAX >> (128 - 8 * len)
    }

    /// Remembers the number of `used` bytes at the start of `s`.
    #[inline]
    fn remember(&mut self, s: &[u8], used: usize, value: f64) {
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
    fn matches(&self, s: &[u8]) -> Option<(f64, usize)> {
        if self.len == 0 {
            return None;
        }
        let w = Self::window(s)?;
        ((w ^ self.text) & Self::mask(self.len) == 0).then_some((self.value, self.len))
    }
}

const NOT_USED: u8 = u8::MAX;

impl<'a> Row<'a> {
    fn new(
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
    fn fast(&mut self, s: &[u8], values: &mut Columns) -> Option<usize> {
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
                let (v, used) = super::number::parse_prefix(&s[i..])?;
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
    fn plain_line(&mut self, s: &[u8], delim: u8, values: &mut Columns) -> Option<usize> {
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
                None => super::number::parse_prefix(rest)?,
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
    fn end_line(
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
    fn accept(&self, got: &[f64; 3], values: &mut Columns) -> bool {
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

    /// Parses one row's chosen columns into `values` (and `labels`), checking each field.
    fn parse(
        &mut self,
        line: usize,
        text: &str,
        values: &mut Columns,
        labels: &mut Vec<String>,
    ) -> Result<(), CsvError> {
        // Up to 32 fields live on the stack; quoted or wider rows take the general path.
        let mut stack: [&str; 32] = [""; 32];
        let owned: Vec<Cow<'_, str>>;
        let mut n = 0;
        let fields: &[&str] = match self.delim {
            Some(d) if !text.contains('"') => {
                for f in text.split(d) {
                    if n < 32 {
                        stack[n] = f.trim();
                    }
                    n += 1;
                }
                &stack[..n.min(32)]
            }
            None => {
                for f in text.split_whitespace() {
                    if n < 32 {
                        stack[n] = f;
                    }
                    n += 1;
                }
                &stack[..n.min(32)]
            }
            Some(_) => {
                owned = split_fields(text, self.delim);
                n = owned.len();
                for (slot, f) in stack.iter_mut().zip(owned.iter()) {
                    *slot = f.as_ref();
                }
                &stack[..n.min(32)]
            }
        };
        if n != self.width {
            return Err(CsvError::new(
                Some(line),
                None,
                CsvErrorKind::RaggedRow {
                    fields: n,
                    expected: self.width,
                },
            ));
        }
        if n > 32 {
            // Rare: more than 32 columns. Re-split on the heap.
            let all = split_fields(text, self.delim);
            let all: Vec<&str> = all.iter().map(AsRef::as_ref).collect();
            return self.store(line, &all, values, labels);
        }
        self.store(line, fields, values, labels)
    }

    fn store(
        &self,
        line: usize,
        fields: &[&str],
        values: &mut Columns,
        labels: &mut Vec<String>,
    ) -> Result<(), CsvError> {
        let layout = self.layout;
        let mut got = [0.0_f64; 3];
        for (slot, &col) in self.cols.iter().enumerate() {
            let field = fields[col];
            if layout == Layout::Labels && slot == 0 {
                labels.push(field.to_string());
                continue;
            }
            let Some(v) = parse_number(field) else {
                return Err(CsvError::new(
                    Some(line),
                    Some(col + 1),
                    CsvErrorKind::NotANumber {
                        field: field.to_string(),
                    },
                ));
            };
            if !v.is_finite() {
                return Err(CsvError::new(
                    Some(line),
                    Some(col + 1),
                    CsvErrorKind::NotFinite {
                        field: field.to_string(),
                    },
                ));
            }
            let is_weight = slot + 1 == layout.arity() && layout != Layout::Samples;
            if is_weight && v < 0.0 {
                return Err(CsvError::new(
                    Some(line),
                    Some(col + 1),
                    CsvErrorKind::NegativeCount {
                        field: field.to_string(),
                    },
                ));
            }
            got[slot] = v;
        }
        if let Layout::Edges(_) = layout
            && got[1] <= got[0]
        {
            return Err(CsvError::new(
                Some(line),
                Some(self.cols[1] + 1),
                CsvErrorKind::EdgesOutOfOrder {
                    left: got[0],
                    right: got[1],
                },
            ));
        }
        values.push(&got[..layout.arity()]);
        Ok(())
    }
}

fn headerless_layout(
    rows: &[(usize, String)],
    delim: Option<char>,
    width: usize,
) -> Result<(Layout, Vec<usize>), CsvError> {
    let first_col_numeric = rows.first().is_none_or(|(_, l)| {
        split_fields(l, delim)
            .first()
            .and_then(|f| parse_number(f))
            .is_some()
    });
    match width {
        3 => Ok((Layout::Edges(Weights::Count), vec![0, 1, 2])),
        2 if first_col_numeric => Ok((Layout::Centers(Weights::Count), vec![0, 1])),
        2 => Ok((Layout::Labels, vec![0, 1])),
        1 => Ok((Layout::Samples, vec![0])),
        n => Err(CsvError::new(
            rows.first().map(|(l, _)| *l),
            None,
            CsvErrorKind::AmbiguousColumns {
                header: Vec::new(),
                width: n,
            },
        )),
    }
}

fn map_hist_error(e: HistogramError, line_of: &LineMap) -> CsvError {
    let line = e.index().and_then(|i| line_of.line(i));
    CsvError::new(line, None, CsvErrorKind::Histogram(e))
}

fn build(
    layout: Layout,
    columns: Columns,
    labels: Vec<String>,
    line_of: &LineMap,
    source: &str,
    format: FileFormat,
    options: &CsvOptions,
) -> Result<Distribution, CsvError> {
    // What the reader found, beside what the histogram itself noticed.
    let finish = |built: Result<Histogram, HistogramError>, read: Provenance| {
        built
            .map(|mut h| {
                h.provenance = Provenance {
                    file: Some(format.clone()),
                    ..read
                }
                .with_built(&h.provenance);
                Distribution::Histogram(std::sync::Arc::new(h))
            })
            .map_err(|e| map_hist_error(e, line_of))
    };
    let hist = |bins: Vec<(f64, f64, f64)>, w: Weights, read: Provenance| {
        finish(Histogram::from_bins(&bins, w, source), read)
    };
    let (implied_right, last_right) = (columns.implied_right, columns.last_right);
    let mut values = columns.slots;
    match layout {
        Layout::Edges(w) => {
            let weight = values.pop().unwrap_or_default();
            let right = values.pop().unwrap_or_default();
            let mut left = values.pop().unwrap_or_default();
            let built = if implied_right {
                left.push(last_right);
                Histogram::from_edges(left, weight, w, source)
            } else {
                Histogram::from_columns(left, right, weight, w, source)
            };
            finish(built, Provenance::default())
        }
        Layout::Centers(w) => {
            let n = values[0].len();
            if n < 2 {
                return Err(CsvError::new(
                    line_of.line(0),
                    None,
                    CsvErrorKind::OneCentre,
                ));
            }
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|a, b| values[0][*a].total_cmp(&values[0][*b]));
            let c: Vec<f64> = order.iter().map(|i| values[0][*i]).collect();
            if let Some(i) = (1..n).find(|i| c[*i] == c[i - 1]) {
                return Err(CsvError::new(
                    line_of.line(order[i]),
                    None,
                    CsvErrorKind::RepeatedCentre { centre: c[i] },
                ));
            }
            let mut bins = Vec::with_capacity(n);
            for i in 0..n {
                let left = if i == 0 {
                    c[0] - (c[1] - c[0]) / 2.0
                } else {
                    (c[i - 1] + c[i]) / 2.0
                };
                let right = if i + 1 == n {
                    c[n - 1] + (c[n - 1] - c[n - 2]) / 2.0
                } else {
                    (c[i] + c[i + 1]) / 2.0
                };
                bins.push((left, right, values[1][order[i]]));
            }
            let read = Provenance {
                edges_from_centres: true,
                ..Provenance::default()
            };
            hist(bins, w, read)
        }
        Layout::Labels => Categories::new(
            labels.into_iter().zip(values.swap_remove(1)).collect(),
            source,
            Vec::new(),
        )
        .map(|mut c| {
            c.provenance.file = Some(format);
            Distribution::Categories(std::sync::Arc::new(c))
        })
        .map_err(|e| map_hist_error(e, line_of)),
        Layout::Samples => {
            let mut s = std::mem::take(&mut values[0]);
            s.sort_by(f64::total_cmp);
            let n = s.len();
            let (lo, hi) = (s[0], s[n - 1]);
            if lo == hi {
                let read = Provenance {
                    samples: Some(FromSamples::AllEqual {
                        samples: n,
                        value: lo,
                    }),
                    ..Provenance::default()
                };
                return hist(vec![(lo - 0.5, lo + 0.5, n as f64)], Weights::Count, read);
            }
            let (bins, rule) = match options.bins {
                Some(b) => (b.max(1), BinRule::Chosen),
                None => (freedman_diaconis(&s), BinRule::FreedmanDiaconis),
            };
            let read = Provenance {
                samples: Some(FromSamples::Binned(SamplesBinning {
                    samples: n,
                    bins,
                    rule,
                })),
                ..Provenance::default()
            };
            let width = (hi - lo) / bins as f64;
            let mut counts = vec![0.0; bins];
            for x in &s {
                let i = (((x - lo) / width) as usize).min(bins - 1);
                counts[i] += 1.0;
            }
            let edges: Vec<(f64, f64, f64)> = counts
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let l = lo + width * i as f64;
                    let r = if i + 1 == bins {
                        hi
                    } else {
                        lo + width * (i + 1) as f64
                    };
                    (l, r, c)
                })
                .collect();
            hist(edges, Weights::Count, read)
        }
    }
}

/// The Freedman–Diaconis bin count for sorted samples: width 2·IQR·n^(−1/3), between 1 and
/// 10 000 bins (√n bins when the IQR is 0).
pub fn freedman_diaconis(sorted: &[f64]) -> usize {
    let n = sorted.len();
    let q = |p: f64| {
        let pos = p * (n - 1) as f64;
        let i = pos.floor() as usize;
        let f = pos - i as f64;
        sorted[i] + f * (sorted[(i + 1).min(n - 1)] - sorted[i])
    };
    let iqr = q(0.75) - q(0.25);
    let range = sorted[n - 1] - sorted[0];
    let b = if iqr > 0.0 {
        (range / (2.0 * iqr * (n as f64).powf(-1.0 / 3.0))).ceil()
    } else {
        (n as f64).sqrt().ceil()
    };
    (b as usize).clamp(1, 10_000)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{CsvOptions, LineMap, read};
    use proptest::prelude::*;

    /// Both paths, as text (errors included), for comparison.
    fn both(text: &[u8], options: &CsvOptions) -> (String, String) {
        let run = |fast| format!("{:?}", read(text, "t.csv", options, None, fast));
        (run(true), run(false))
    }

    #[test]
    fn the_fast_path_takes_plain_rows_and_declines_the_rest() {
        use super::{Columns, Layout, Row, Weights};
        let cols = [0, 1, 2];
        let layout = Layout::Edges(Weights::Count);
        let mut row = Row::new(layout, &cols, 3, Some(','), true);
        let mut values = Columns::new(layout, 0);
        assert_eq!(row.fast(b"1.5, 2.5 ,3e2\r\nnext", &mut values), Some(15));
        assert_eq!(row.fast(b"-1,0,7", &mut values), Some(6));
        assert_eq!(
            values.slots,
            [vec![1.5, -1.0], vec![2.5, 0.0], vec![300.0, 7.0]]
        );
        for declined in [
            &b"\"1\",2,3\n"[..],
            b"# comment\n",
            b"\n",
            b"1,2\n",
            b"1,2,3,4\n",
            b"2,1,3\n",
            b"1,2,-3\n",
            b"1,2,inf\n",
            b"1,2,3x\n",
            b"1;2;3\n",
        ] {
            assert_eq!(row.fast(declined, &mut values), None, "{declined:?}");
        }
        assert_eq!(values.slots[0].len(), 2, "a declined row stores nothing");
    }

    #[test]
    fn line_map_follows_jumps() {
        let mut m = LineMap::default();
        for line in [2, 3, 4, 7, 8, 20] {
            m.push(line);
        }
        let got: Vec<_> = (0..7).map(|r| m.line(r)).collect();
        assert_eq!(
            got,
            [Some(2), Some(3), Some(4), Some(7), Some(8), Some(20), None]
        );
        assert_eq!(m.jumps.len(), 3);
    }

    #[test]
    fn a_left_edge_repeating_the_last_right_edge_is_matched_not_read() {
        use super::{Columns, Layout, Row, Weights};
        let cols = [0, 1, 2];
        let layout = Layout::Edges(Weights::Count);
        let mut row = Row::new(layout, &cols, 3, Some(','), true);
        let mut values = Columns::new(layout, 0);
        let pad = "\n0,1,1\n0,1,1\n";
        let line = |text: &str| format!("{text}{pad}").into_bytes();
        assert_eq!(row.fast(&line("0.5,2.5,3"), &mut values), Some(10));
        // White box: the next line's left edge comes from the remembered text, not from
        // reading it (a changed value shows through).
        row.echo.value = 2.25;
        assert_eq!(row.fast(&line("2.5,3,1"), &mut values), Some(8));
        assert_eq!(values.slots[0], [0.5, 2.25]);
        // Texts that only start like the remembered one ("3") are read in full: a wrongly
        // matched one would show as -99.
        for (text, left) in [("3.5,4,1", 3.5), ("3e0,4,1", 3.0), ("30,40,1", 30.0)] {
            row.echo.value = -99.0;
            let mut v = Columns::new(layout, 0);
            assert!(row.fast(&line(text), &mut v).is_some(), "{text}");
            assert_eq!(v.slots[0], [left], "{text}");
        }
        // The same length but another digit.
        assert!(row.fast(&line("1,2.5,1"), &mut values).is_some());
        row.echo.value = -99.0;
        let mut v = Columns::new(layout, 0);
        assert!(row.fast(&line("2.6,3,1"), &mut v).is_some());
        assert_eq!(v.slots[0], [2.6]);
        // And through the whole reader, both paths agree on such files.
        let text = "left,right,count\n1,2.5,1\n2.5,3,1\n3,3.5,2\n3.55,4,1\n4,4e0,1\n4,5,1\n5,50,1\n50,51,1\n";
        let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
        assert_eq!(fast, slow);
    }

    #[test]
    fn fast_and_careful_paths_agree_across_blocks() {
        // About 4 MB: several blocks, lines cut at block ends, a comment, CRLF, spaces, a
        // quoted row, unused columns, and finally a bad row whose line must be right.
        let mut text = String::from("left;right;extra;count\n");
        for i in 0..120_000 {
            let l = f64::from(i) * 0.001;
            match i % 1000 {
                17 => text.push_str("# a comment in the middle\n"),
                18 => text.push_str(&format!("\"{}\";{};x;3\n", 1000 + i, 1001 + i)),
                _ => {}
            }
            let end = if i % 3 == 0 { "\r\n" } else { "\n" };
            text.push_str(&format!("{l} ; {};id{i};{}{end}", l + 0.001, i % 7));
        }
        let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
        assert_eq!(fast, slow);
        assert!(
            fast.starts_with("Ok(Histogram"),
            "{}",
            &fast[..fast.len().min(300)]
        );
        text.push_str("500;501;z;-1\n");
        let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
        assert_eq!(fast, slow);
        assert!(fast.contains("line: Some(120242)"), "{fast}");
    }

    proptest! {
        #[test]
        fn fast_and_careful_paths_agree(
            rows in prop::collection::vec(prop_oneof![
                (-1e6..1e6f64, 1e-9..1e3f64, 0.0..1e4f64).prop_map(|(l, w, c)| format!("{l},{},{c}", l + w)),
                (-50i32..50, 1i32..5, 0u32..9).prop_map(|(l, w, c)| format!("{l}, {}, {c}e0", l + w)),
                "[-0-9.e,;\t #\"a-zé]{0,16}",
            ], 0..40),
            crlf in any::<bool>(),
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let text = rows.join(end);
            let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn fast_and_careful_paths_agree_on_touching_bins(
            steps in prop::collection::vec((1u32..2000, 0usize..4, 0u32..50), 1..60),
        ) {
            // Each right edge is the next left edge, written the same way or not (a longer
            // or exponent form, or a gap), so remembered texts are matched and mismatched.
            let forms = |x: f64, k: usize| match k {
                0 | 1 => format!("{x}"),
                2 => format!("{x:.4}"),
                _ => format!("{x:e}"),
            };
            let mut text = String::from("left,right,count\n");
            let mut l = -1.0;
            let mut left_text = forms(l, 0);
            for (w, form, c) in steps {
                let r = l + f64::from(w) / 1000.0;
                let right_text = forms(r, form);
                text.push_str(&format!("{left_text},{right_text},{c}\n"));
                // Mostly the same text again; sometimes another form of the same number.
                left_text = if form == 1 { forms(r, 2) } else { right_text };
                l = r;
            }
            let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn fast_and_careful_paths_agree_on_whitespace_and_samples(
            rows in prop::collection::vec(prop_oneof![
                (-1e3..1e3f64, 0.0..1e4f64).prop_map(|(x, c)| format!("{x}  {c}")),
                (-1e3..1e3f64).prop_map(|x| format!("{x:e}")),
                "[-0-9.e \t]{0,12}",
            ], 0..40),
        ) {
            let text = rows.join("\n");
            let (fast, slow) = both(text.as_bytes(), &CsvOptions::default());
            prop_assert_eq!(fast, slow);
        }
    }
}
