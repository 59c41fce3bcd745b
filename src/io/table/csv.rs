//! CSV tables: the histogram reader's line reader and field splitting, one builder per
//! column asked for; the other columns' fields are skipped, not kept.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use super::{Builder, MISSING_TOKENS, Table, TableError, TableErrorKind, chosen};
use crate::cancel::Cancel;
use crate::io::csv::error::CsvError;
use crate::io::csv::lines::Lines;
use crate::io::csv::sniff::{detect_delimiter, parse_number, split_fields};
use crate::io::csv::{CsvErrorKind, MAX_ROWS};

/// Lines between two looks at the cancel flag.
const CANCEL_LINES: u64 = 1 << 16;

fn fields(text: &str, delim: Option<char>, line: usize) -> Result<Vec<Cow<'_, str>>, CsvError> {
    split_fields(text, delim, line)
}

pub(super) fn read_csv<R: Read>(
    reader: R,
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
) -> Result<Table, TableError> {
    let csv = |e| TableError::from_csv(path, e);
    let mut lines = Lines::new(reader);
    lines.check_start().map_err(csv)?;
    let mut head: Vec<(usize, String)> = Vec::new();
    while head.len() < 5 {
        match lines.next_line().map_err(csv)? {
            Some(l) => head.push(l),
            None => break,
        }
    }
    let Some((first_line, first_text)) = head.first() else {
        return Err(csv(CsvError::new(None, None, CsvErrorKind::Empty)));
    };
    let sample: Vec<&str> = head.iter().map(|(_, l)| l.as_str()).collect();
    let delim = table_delimiter(&sample);
    let first = fields(first_text, delim, *first_line).map_err(csv)?;
    let width = first.len();
    let (is_header, names) = column_names(&first);
    let cols = chosen(path, &names, select)?;
    let mut builders: Vec<Builder> = cols
        .iter()
        .map(|&c| Builder::new(names[c].clone()))
        .collect();
    let mut rows: u64 = 0;
    let mut row = |line: usize, text: &str| -> Result<(), TableError> {
        let split = fields(text, delim, line).map_err(csv)?;
        if split.len() != width {
            return Err(csv(CsvError::new(
                Some(line),
                None,
                CsvErrorKind::RaggedRow {
                    fields: split.len(),
                    expected: width,
                },
            )));
        }
        for (b, &c) in builders.iter_mut().zip(&cols) {
            let field = split[c].as_ref();
            store(b, field, line).map_err(|kind| TableError {
                path: path.to_path_buf(),
                line: Some(line),
                column: Some(c + 1),
                kind,
            })?;
        }
        rows += 1;
        if rows > MAX_ROWS as u64 {
            return Err(csv(CsvError::new(
                None,
                None,
                CsvErrorKind::TooManyRows { limit: MAX_ROWS },
            )));
        }
        if rows.is_multiple_of(CANCEL_LINES) && cancel.check().is_err() {
            return Err(TableError::whole(path, TableErrorKind::Cancelled));
        }
        Ok(())
    };
    for (line, text) in head.iter().skip(usize::from(is_header)) {
        row(*line, text)?;
    }
    while let Some(line) = lines.next_line_inner().map_err(csv)? {
        row(line, &lines.text)?;
    }
    if rows == 0 {
        return Err(csv(CsvError::new(None, None, CsvErrorKind::NoDataRows)));
    }
    Ok(Table {
        path: path.to_path_buf(),
        rows,
        columns: builders.into_iter().map(Builder::finish).collect(),
    })
}

/// One field into its column: missing, a finite number, or a label.
/// Whether the first line is a header (no field of it a number), and the columns' names:
/// the header's fields, or `column 1`, `column 2`, … when the first line is data.
pub(super) fn column_names<S: AsRef<str>>(first: &[S]) -> (bool, Vec<String>) {
    let is_header = first.iter().all(|f| parse_number(f.as_ref()).is_none());
    let names = if is_header {
        first.iter().map(|f| f.as_ref().to_string()).collect()
    } else {
        (1..=first.len()).map(|i| format!("column {i}")).collect()
    };
    (is_header, names)
}

fn store(b: &mut Builder, field: &str, line: usize) -> Result<(), TableErrorKind> {
    if field.is_empty() || MISSING_TOKENS.contains(&field) {
        b.missing += 1;
        return Ok(());
    }
    match crate::io::number::parse_field(field.trim()) {
        Some(v) if v.is_finite() => b.push_number(v).ok_or_else(|| too_many(&b.name)),
        Some(_) => Err(TableErrorKind::Csv(CsvErrorKind::NotFinite {
            field: field.to_string(),
        })),
        None => b.push_label(field, line).ok_or_else(|| too_many(&b.name)),
    }
}

fn too_many(column: &str) -> TableErrorKind {
    TableErrorKind::TooManyLabels {
        column: column.to_string(),
        limit: super::MAX_LABELS,
    }
}

/// The delimiter: one every sampled line has (as the histogram reader picks it), else one
/// the header line has (later rows may be ragged: that is their error to report), else runs
/// of spaces when the header has inner spaces, else `,` (one column).
pub(super) fn table_delimiter(sample: &[&str]) -> Option<char> {
    if let Some(d) = detect_delimiter(sample) {
        return Some(d);
    }
    let first = sample.first().copied().unwrap_or("");
    if let Some(d) = [',', ';', '\t'].into_iter().find(|&d| first.contains(d)) {
        return Some(d);
    }
    if first.split_whitespace().nth(1).is_some() {
        None
    } else {
        Some(',')
    }
}
