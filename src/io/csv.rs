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

use crate::dist::histogram::{HistogramError, Weights};
use crate::dist::{Categories, Distribution, Histogram};

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

/// A problem at a place in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvError {
    /// 1-based line, if the problem is on one.
    pub line: Option<usize>,
    /// 1-based column (field), if the problem is in one.
    pub column: Option<usize>,
    /// What is wrong and what to do.
    pub message: String,
}

impl CsvError {
    fn new(line: Option<usize>, column: Option<usize>, message: impl Into<String>) -> Self {
        CsvError {
            line,
            column,
            message: message.into(),
        }
    }
}

/// The meaning of the file's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// left, right, weight.
    Edges(Weights),
    /// center, weight.
    Centers(Weights),
    /// label, count.
    Labels,
    /// raw samples.
    Samples,
}

impl Layout {
    fn arity(self) -> usize {
        match self {
            Layout::Edges(_) => 3,
            Layout::Centers(_) | Layout::Labels => 2,
            Layout::Samples => 1,
        }
    }

    fn describe(self) -> String {
        let w = |w: Weights| match w {
            Weights::Count => "count",
            Weights::Probability => "probability",
            Weights::Density => "density",
        };
        match self {
            Layout::Edges(x) => format!("left, right, {}", w(x)),
            Layout::Centers(x) => format!("center, {}", w(x)),
            Layout::Labels => "label, count".into(),
            Layout::Samples => "raw samples".into(),
        }
    }
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

fn delimiter_name(d: Option<char>) -> &'static str {
    match d {
        Some(',') => "comma",
        Some(';') => "semicolon",
        Some('\t') => "tab",
        _ => "spaces",
    }
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
}

impl<R: BufRead> Lines<R> {
    /// Reads the next line into `self.text` without allocating; returns its number.
    fn advance(&mut self) -> Result<Option<usize>, CsvError> {
        match self.next_line_inner()? {
            Some(line) => Ok(Some(line)),
            None => Ok(None),
        }
    }

    fn next_line(&mut self) -> Result<Option<(usize, String)>, CsvError> {
        Ok(self.advance()?.map(|l| (l, self.text.clone())))
    }

    fn next_line_inner(&mut self) -> Result<Option<usize>, CsvError> {
        loop {
            self.buf.clear();
            self.line += 1;
            // Read up to the newline without letting one line grow past the limit.
            loop {
                let available = match self.reader.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                        return Err(CsvError::new(None, None, "loading was cancelled"));
                    }
                    Err(e) => {
                        return Err(CsvError::new(
                            Some(self.line),
                            None,
                            format!("could not read the file: {e}"),
                        ));
                    }
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
                    return Err(CsvError::new(
                        Some(self.line),
                        None,
                        format!(
                            "line is longer than {} MB; is this really a CSV histogram?",
                            MAX_LINE_BYTES >> 20
                        ),
                    ));
                }
                if done {
                    break;
                }
            }
            if self.buf.is_empty() {
                return Ok(None);
            }
            if self.buf.contains(&0) {
                return Err(CsvError::new(
                    Some(self.line),
                    None,
                    "contains NUL bytes: this looks like a binary file, not CSV text",
                ));
            }
            let mut bytes: &[u8] = &self.buf;
            if self.first {
                self.first = false;
                if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
                    bytes = rest;
                }
            }
            let text = std::str::from_utf8(bytes).map_err(|e| {
                CsvError::new(
                    Some(self.line),
                    None,
                    format!(
                        "is not valid UTF-8 (at byte {} of the line); save the file as UTF-8",
                        e.valid_up_to() + 1
                    ),
                )
            })?;
            let text = text.trim_end_matches(['\n', '\r']).trim();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            self.text.clear();
            self.text.push_str(text);
            return Ok(Some(self.line));
        }
    }
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
    let mut lines = Lines {
        reader: BufReader::with_capacity(1 << 16, reader),
        line: 0,
        buf: Vec::new(),
        first: true,
        text: String::new(),
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
        return Err(CsvError::new(
            None,
            None,
            "the file is empty (or only comments); it needs rows such as left,right,count",
        ));
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
    let mut notes = vec![if width == 1 {
        "one column".to_string()
    } else {
        format!("delimiter: {}", delimiter_name(delim))
    }];
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
                return Err(CsvError::new(
                    None,
                    None,
                    format!("choose 1, 2 or 3 columns (got {n})"),
                ));
            }
        };
        if let Some(bad) = cols.iter().find(|c| **c >= width) {
            return Err(CsvError::new(
                None,
                None,
                format!("column {} was chosen, but the file has {width}", bad + 1),
            ));
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
                    format!(
                        "the header ({}) does not say which columns hold the bins; name them left,right,count or center,count or label,count, or pick the columns",
                        first_fields
                            .iter()
                            .map(|f| f.as_ref())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    } else {
        headerless_layout(&head, delim, width)?
    };
    notes.push(format!(
        "{}; columns {}",
        if is_header {
            "header found"
        } else {
            "no header"
        },
        cols.iter()
            .map(|c| (c + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    notes.push(format!("format: {}", layout.describe()));

    // Reserve for the rows the file size suggests, so the columns are not copied as they grow.
    let expected_rows = size_hint
        .map(|bytes| {
            let line_len = head.iter().map(|(_, l)| l.len() + 1).sum::<usize>() / head.len().max(1);
            usize::try_from(bytes).unwrap_or(0) / line_len.max(1) + 16
        })
        .unwrap_or(0)
        .min(1 << 28);
    let mut values: Vec<Vec<f64>> = (0..layout.arity())
        .map(|_| Vec::with_capacity(expected_rows))
        .collect();
    let mut labels: Vec<String> = Vec::new();
    let mut line_of: Vec<u32> = Vec::with_capacity(expected_rows);
    let queue: Vec<(usize, String)> = head.into_iter().skip(usize::from(is_header)).collect();
    let mut row = Row {
        layout,
        cols: &cols,
        width,
        delim,
    };
    for (line, text) in queue {
        row.parse(line, &text, &mut values, &mut labels)?;
        line_of.push(u32::try_from(line).unwrap_or(u32::MAX));
    }
    while let Some(line) = lines.advance()? {
        row.parse(line, &lines.text, &mut values, &mut labels)?;
        line_of.push(u32::try_from(line).unwrap_or(u32::MAX));
    }
    if line_of.is_empty() {
        return Err(CsvError::new(
            None,
            None,
            "the file has a header but no data rows",
        ));
    }
    build(layout, values, labels, &line_of, source, notes, options)
}

/// How to read one data row: which columns, into which slots.
struct Row<'a> {
    layout: Layout,
    cols: &'a [usize],
    width: usize,
    delim: Option<char>,
}

impl Row<'_> {
    /// Parses one row's chosen columns into `values` (and `labels`), checking each field.
    fn parse(
        &mut self,
        line: usize,
        text: &str,
        values: &mut [Vec<f64>],
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
                format!(
                    "has {n} fields but the first row has {}; every row needs the same columns",
                    self.width
                ),
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
        values: &mut [Vec<f64>],
        labels: &mut Vec<String>,
    ) -> Result<(), CsvError> {
        let layout = self.layout;
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
                    format!("'{field}' is not a number"),
                ));
            };
            if !v.is_finite() {
                return Err(CsvError::new(
                    Some(line),
                    Some(col + 1),
                    format!("'{field}' is not a finite number; remove or fix the row"),
                ));
            }
            let is_weight = slot + 1 == layout.arity() && layout != Layout::Samples;
            if is_weight && v < 0.0 {
                return Err(CsvError::new(
                    Some(line),
                    Some(col + 1),
                    format!("count is negative ({field}); counts must be ≥ 0"),
                ));
            }
            values[slot].push(v);
        }
        if let Layout::Edges(_) = layout {
            let n = values[0].len() - 1;
            if values[1][n] <= values[0][n] {
                return Err(CsvError::new(
                    Some(line),
                    Some(self.cols[1] + 1),
                    format!(
                        "right edge {} must be greater than left edge {}",
                        values[1][n], values[0][n]
                    ),
                ));
            }
        }
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
            format!(
                "the file has {n} columns; pick which hold the bins (left, right, count or center, count)"
            ),
        )),
    }
}

fn map_hist_error(e: HistogramError, line_of: &[u32]) -> CsvError {
    let line = e.index().and_then(|i| line_of.get(i)).map(|l| *l as usize);
    let message = match e {
        HistogramError::Overlap { .. } => format!("{e}; bins must not overlap"),
        HistogramError::AllZero => {
            "all counts are zero; there is no distribution to compare".into()
        }
        other => other.to_string(),
    };
    CsvError::new(line, None, message)
}

fn build(
    layout: Layout,
    mut values: Vec<Vec<f64>>,
    labels: Vec<String>,
    line_of: &[u32],
    source: &str,
    mut notes: Vec<String>,
    options: &CsvOptions,
) -> Result<Distribution, CsvError> {
    // The reader's notes first, then what the histogram itself noticed.
    let finish = |built: Result<Histogram, HistogramError>, notes: Vec<String>| {
        built
            .map(|mut h| {
                let mut all = notes;
                all.append(&mut h.notes);
                h.notes = all;
                Distribution::Histogram(std::sync::Arc::new(h))
            })
            .map_err(|e| map_hist_error(e, line_of))
    };
    let hist = |bins: Vec<(f64, f64, f64)>, w: Weights, notes: Vec<String>| {
        finish(Histogram::from_bins(&bins, w, source), notes)
    };
    match layout {
        Layout::Edges(w) => {
            let weight = values.pop().unwrap_or_default();
            let right = values.pop().unwrap_or_default();
            let left = values.pop().unwrap_or_default();
            finish(
                Histogram::from_columns(left, right, weight, w, source),
                notes,
            )
        }
        Layout::Centers(w) => {
            let n = values[0].len();
            if n < 2 {
                return Err(CsvError::new(
                    line_of.first().map(|l| *l as usize),
                    None,
                    "one centre alone does not give a bin width; add rows or give left,right,count",
                ));
            }
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|a, b| values[0][*a].total_cmp(&values[0][*b]));
            let c: Vec<f64> = order.iter().map(|i| values[0][*i]).collect();
            if let Some(i) = (1..n).find(|i| c[*i] == c[i - 1]) {
                return Err(CsvError::new(
                    Some(line_of[order[i]] as usize),
                    None,
                    format!("centre {} appears twice", c[i]),
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
            notes.push("bin edges placed midway between centres".into());
            hist(bins, w, notes)
        }
        Layout::Labels => Categories::new(
            labels.into_iter().zip(values.swap_remove(1)).collect(),
            source,
            notes,
        )
        .map(|c| Distribution::Categories(std::sync::Arc::new(c)))
        .map_err(|e| map_hist_error(e, line_of)),
        Layout::Samples => {
            let mut s = std::mem::take(&mut values[0]);
            s.sort_by(f64::total_cmp);
            let n = s.len();
            let (lo, hi) = (s[0], s[n - 1]);
            if lo == hi {
                notes.push(format!("all {n} samples equal {lo}; one bin of width 1"));
                return hist(vec![(lo - 0.5, lo + 0.5, n as f64)], Weights::Count, notes);
            }
            let bins = match options.bins {
                Some(b) => {
                    notes.push(format!("{n} samples in {b} bins (chosen)"));
                    b.max(1)
                }
                None => {
                    let b = freedman_diaconis(&s);
                    notes.push(format!("{n} samples in {b} bins (Freedman–Diaconis rule)"));
                    b
                }
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
            hist(edges, Weights::Count, notes)
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
