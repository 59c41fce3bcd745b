//! Why a CSV histogram is refused: [`CsvErrorKind`] says what (its `Display` is the sentence
//! the user reads) and [`CsvError`] where (line and column).

use crate::distribution::histogram::HistogramError;

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
    pub(crate) fn new(line: Option<usize>, column: Option<usize>, kind: CsvErrorKind) -> Self {
        CsvError { kind, line, column }
    }

    /// An error that is not at any place in the file.
    pub(super) fn whole(kind: CsvErrorKind) -> Self {
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
    /// [`super::CsvOptions::columns`] names neither 1, 2 nor 3 columns.
    #[error("choose 1, 2 or 3 columns (got {chosen})")]
    ColumnCount {
        /// How many were chosen.
        chosen: usize,
    },
    /// [`super::CsvOptions::columns`] names a column the file does not have.
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
    /// A line longer than [`super::MAX_LINE_BYTES`].
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
    /// A double quote opened a field and the line ended before it closed (the position is
    /// where it opened; a field cannot span lines).
    #[error("this quote is never closed; close it with a second \" or remove it")]
    UnterminatedQuote,
    /// More bins asked for ([`super::CsvOptions::bins`]) than [`super::MAX_SAMPLE_BINS`].
    #[error("{bins} bins were asked for; at most {limit} bins are made from samples: choose fewer")]
    TooManyBins {
        /// The number asked for.
        bins: usize,
        /// The limit.
        limit: usize,
    },
    /// More data rows than [`super::MAX_ROWS`].
    #[error("the file has more than {limit} rows, more than kl-explorer reads; bin it first")]
    TooManyRows {
        /// The limit.
        limit: usize,
    },
    /// Samples so far apart that their range is not a finite double.
    #[error(
        "the samples range from {low:e} to {high:e}, wider than double precision can hold (about 1.8e308); remove the extreme values or give bin edges (left,right,count)"
    )]
    SamplesRangeOverflow {
        /// The smallest sample.
        low: f64,
        /// The largest sample.
        high: f64,
    },
    /// A saved session or an exported PNG given where a histogram was expected.
    #[error(
        "this is a kl-explorer session (or an exported PNG), not a histogram: open it with `kl-explorer FILE`"
    )]
    IsSession {
        /// Which of the two it is.
        format: SessionFormat,
    },
    /// A PNG image that is not a kl-explorer export.
    #[error("this is a PNG image, not CSV text")]
    PngImage,
    /// UTF-16 text (as some spreadsheet programs save "Unicode text").
    #[error("this file is UTF-16 text; save it as UTF-8 (\"CSV UTF-8\" in spreadsheet programs)")]
    Utf16,
    /// Lines separated by carriage returns only.
    #[error(
        "lines end in a carriage return only (old Mac line endings), so the rows run together; save the file with LF or CRLF line endings"
    )]
    CrOnlyLineEndings,
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

pub(super) fn ambiguous_columns(header: &[String], width: usize) -> String {
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

pub(super) fn histogram_sentence(e: &HistogramError) -> String {
    match e {
        HistogramError::Overlap { .. } => format!("{e}; bins must not overlap"),
        other => other.to_string(),
    }
}

/// The error for a failed read: [`CsvErrorKind::Cancelled`] when the reader stopped because
/// the load was cancelled (it carries [`crate::cancel::Cancelled`]), else the system's reason.
pub(super) fn read_failed(e: &std::io::Error, line: usize) -> CsvError {
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

/// The two forms a saved comparison takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionFormat {
    /// A session JSON document.
    Json,
    /// A PNG exported by kl-explorer, with the session inside.
    Png,
}
