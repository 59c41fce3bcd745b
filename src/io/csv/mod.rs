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

mod build;
mod careful;
mod columns;
pub(crate) mod error;
mod fast;
pub(crate) mod lines;
mod rows;
pub(crate) mod sniff;
#[cfg(test)]
mod tests;

use std::io::Read;

use crate::distribution::Distribution;
pub use crate::distribution::histogram::Layout;
use crate::distribution::histogram::{Delimiter, FileFormat};
use build::build;
pub use build::freedman_diaconis;
use columns::Columns;
pub(crate) use error::write_position;
pub use error::{CsvError, CsvErrorKind, SessionFormat};
use fast::Row;
use lines::Lines;
use rows::{LineMap, read_rows};
use sniff::sniff;

/// The longest line accepted, in bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The most bins made from raw samples ([`CsvOptions::bins`] above it is refused).
pub const MAX_SAMPLE_BINS: usize = 1_000_000;

/// The most data rows read from one file (about 1.6 GB of numbers for bin edges).
pub const MAX_ROWS: usize = 100_000_000;

/// Choices the user can make about how a file is read.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CsvOptions {
    /// 0-based columns to use, in the order of the layout (e.g. `[0, 2, 3]` for left, right,
    /// count). `None`: detect.
    pub columns: Option<Vec<usize>>,
    /// Number of bins for a samples file. `None`: Freedman–Diaconis.
    pub bins: Option<usize>,
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
    let mut lines = Lines::new(reader);
    lines.check_start()?;
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
    let sniff::Sniffed {
        delim,
        width,
        is_header,
        layout,
        cols,
    } = sniff(&head, options)?;
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
        .min(MAX_ROWS);
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
