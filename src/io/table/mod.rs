//! Reading tables of raw rows (CSV or Parquet) for the drift workbench.
//!
//! A [`Table`] holds, per column asked for, either numbers or label codes, and how many cells
//! were missing. Missing cells are counted, never dropped silently nor read as 0: in CSV an
//! empty field or one of [`MISSING_TOKENS`]; in Parquet a null.
//!
//! CSV follows the histogram reader's conventions (`,` `;` tab or runs of spaces, UTF-8 with
//! or without BOM, CRLF, `#` comment lines, double quotes) and its typed errors with line and
//! column. The first line is the header (column names) when none of its fields is a number;
//! otherwise the columns are named `column 1`, `column 2`, ….
//!
//! A column is read as numbers until a field that is not a number (nor missing) appears;
//! from then on it is a column of labels (the numbers before it become labels too) and the
//! first such field is remembered ([`Column::first_label`]) so the user can see why.
//!
//! Parquet is read with the `parquet` crate's column readers, one row group at a time:
//! integers and floating point become numbers, strings and booleans labels.

mod chunked;
mod csv;
mod parquet;
mod sample;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::cancel::Cancel;
pub use crate::io::csv::CsvErrorKind;

/// Fields read as a missing value in CSV (besides the empty field), as pandas reads them.
pub const MISSING_TOKENS: [&str; 8] = ["NA", "N/A", "NaN", "nan", "null", "NULL", "None", "none"];

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Numbers (finite), in row order, missing cells left out.
    Numbers(Vec<f64>),
    /// Labels: each present cell's index into `labels`, in row order.
    Labels {
        /// Index into `labels` per present cell.
        codes: Vec<u32>,
        /// The distinct labels, in order of first appearance.
        labels: Vec<String>,
    },
}

impl Values {
    /// Number of present (non-missing) cells.
    pub fn len(&self) -> usize {
        match self {
            Values::Numbers(v) => v.len(),
            Values::Labels { codes, .. } => codes.len(),
        }
    }

    /// Whether no cell is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The column's name (header field, Parquet field, or `column N`).
    pub name: String,
    /// The present values.
    pub values: Values,
    /// How many cells were missing.
    pub missing: u64,
    /// For a CSV column that began with numbers and then had a label: that label and its
    /// line, which made the column one of labels.
    pub first_label: Option<(usize, String)>,
}

/// The columns read from one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The file.
    pub path: PathBuf,
    /// Data rows (excluding the header).
    pub rows: u64,
    /// The columns asked for, in the file's order.
    pub columns: Vec<Column>,
}

impl Table {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// What is wrong with a table file; the place is in [`TableError`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TableErrorKind {
    /// A problem the CSV reader knows (ragged row, bad UTF-8, unclosed quote, …).
    #[error("{0}")]
    Csv(CsvErrorKind),
    /// A column asked for is not in the file.
    #[error("there is no column '{name}' (the columns are: {})", available.join(", "))]
    NoSuchColumn {
        /// The name asked for.
        name: String,
        /// The file's columns.
        available: Vec<String>,
    },
    /// The file cannot be opened or read.
    #[error("could not read the file: {reason}")]
    Unreadable {
        /// The system's reason.
        reason: String,
    },
    /// The Parquet reader refused the file.
    #[error("not a readable Parquet file: {reason}")]
    Parquet {
        /// The `parquet` crate's reason.
        reason: String,
    },
    /// A Parquet column of a type the drift workbench does not compare.
    #[error("column '{column}' has Parquet type {physical}, which is neither numbers nor text")]
    UnsupportedParquetType {
        /// The column.
        column: String,
        /// Its physical type.
        physical: String,
    },
    /// A nested (repeated) Parquet column.
    #[error("column '{column}' is nested or repeated; only flat columns can be compared")]
    NestedParquetColumn {
        /// The column.
        column: String,
    },
    /// More distinct labels than a code holds.
    #[error("column '{column}' has more than {limit} distinct labels")]
    TooManyLabels {
        /// The column.
        column: String,
        /// The limit.
        limit: u64,
    },
    /// The read was cancelled.
    #[error("reading was cancelled")]
    Cancelled,
}

/// A table that could not be read: what, where (1-based line and column for CSV), which file.
/// Displays as `line 7, column 3: 'x"y' this quote is never closed …: current.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct TableError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, if the problem is on one.
    pub line: Option<usize>,
    /// 1-based column, if the problem is in one.
    pub column: Option<usize>,
    /// What is wrong; branch on this, never on the sentence.
    pub kind: TableErrorKind,
}

impl TableError {
    fn whole(path: &Path, kind: TableErrorKind) -> Self {
        TableError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            kind,
        }
    }

    fn from_csv(path: &Path, e: crate::io::csv::CsvError) -> Self {
        let kind = match e.kind {
            CsvErrorKind::Cancelled => TableErrorKind::Cancelled,
            other => TableErrorKind::Csv(other),
        };
        TableError {
            path: path.to_path_buf(),
            line: e.line,
            column: e.column,
            kind,
        }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::io::csv::write_position(f, self.line, self.column)?;
        write!(f, "{}: {}", self.kind, self.path.display())
    }
}

impl std::error::Error for TableError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

/// The file formats read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    /// Delimited text.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl TableFormat {
    /// Parquet if the file starts with the `PAR1` magic, else CSV.
    ///
    /// # Errors
    /// [`TableErrorKind::Unreadable`] when the file cannot be opened.
    pub fn of(path: &Path) -> Result<TableFormat, TableError> {
        use std::io::Read;
        let mut magic = [0u8; 4];
        let mut f = std::fs::File::open(path).map_err(|e| unreadable(path, &e))?;
        let n = f.read(&mut magic).map_err(|e| unreadable(path, &e))?;
        Ok(if n == 4 && &magic == b"PAR1" {
            TableFormat::Parquet
        } else {
            TableFormat::Csv
        })
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> TableError {
    TableError::whole(
        path,
        TableErrorKind::Unreadable {
            reason: e.to_string(),
        },
    )
}

/// Reads the columns named in `select` (all when `None`) of the CSV or Parquet file at
/// `path` (told apart by the Parquet magic bytes).
///
/// # Errors
/// [`TableError`] with the file, and for CSV the line and column, of the first problem.
pub fn read_table(
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
) -> Result<Table, TableError> {
    match TableFormat::of(path)? {
        TableFormat::Csv => {
            let size = std::fs::metadata(path)
                .map_err(|e| unreadable(path, &e))?
                .len();
            let open = || std::fs::File::open(path).map_err(|e| unreadable(path, &e));
            chunked::read_csv_blocks(
                &open,
                path,
                select,
                cancel,
                chunked::BLOCK_BYTES,
                Some(size),
            )
        }
        TableFormat::Parquet => parquet::read_parquet(path, select, cancel),
    }
}

/// Counts a column's numbers into bins while a table is read, so that they need not be kept.
pub trait BinCounter: Sync {
    /// The number of bins.
    fn bins(&self) -> usize;

    /// Adds each of `values` (finite numbers) to the count of its bin in `counts` (one entry
    /// per bin).
    fn add(&self, values: &[f64], counts: &mut [u64]);

    /// As [`BinCounter::add`], and appends to `kept` the values this counter keeps besides
    /// counting them (none, unless the counter says otherwise).
    fn add_keeping(&self, values: &[f64], counts: &mut [u64], kept: &mut Vec<f64>) {
        let _ = kept;
        self.add(values, counts);
    }

    /// The share of a column's values (0 to 1) that [`BinCounter::add_keeping`] is expected
    /// to keep: an estimate, which a reader uses to reserve room for them once instead of
    /// growing (and copying) their vector as it reads. 0 for a counter that keeps none.
    fn kept_share(&self) -> f64 {
        0.0
    }
}

/// The values a counter kept ([`BinCounter::add_keeping`]), in no particular order.
pub type Kept = Vec<f64>;

/// A CSV table some of whose columns were counted into bins as they were read.
#[derive(Clone, Debug, PartialEq)]
pub struct CountedTable {
    /// The table; a counted column has its name and missing cells, and no values.
    pub table: Table,
    /// Per column of `table`, its counts in its counter's bins when it was counted.
    pub counts: Vec<Option<Vec<u64>>>,
    /// Per column of `table`, the values its counter kept (none for a column not counted).
    pub kept: Vec<Kept>,
}

/// Reads the CSV file at `path` as [`read_table`] does, except that the numbers of each
/// column named in `counters` are counted into that counter's bins instead of kept (the
/// first counter of a name counts every column of that name).
///
/// `Ok(None)` when that cannot be done in one pass: a counted column has a field that is not
/// a number, or the file is one the sequential reader reads (or refuses) line by line. Then
/// [`read_table`] gives the table or the error, with its line and column.
///
/// # Errors
/// [`TableErrorKind::Unreadable`] when the file cannot be opened; [`TableErrorKind::Cancelled`].
pub fn read_csv_counted(
    path: &Path,
    select: Option<&[String]>,
    counters: &[(String, &dyn BinCounter)],
    cancel: &Cancel,
) -> Result<Option<CountedTable>, TableError> {
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(path, &e))?
        .len();
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, &e))?;
    let read = chunked::read_csv_blocks_counted(file, path, select, counters, cancel, Some(size))?;
    Ok(read.map(|(table, counts, kept)| CountedTable {
        table,
        counts,
        kept,
    }))
}

/// As [`read_csv_counted`] on bytes in memory, in blocks of about `chunk_bytes`.
///
/// # Errors
/// As [`read_csv_counted`].
pub fn read_csv_counted_chunked(
    bytes: &[u8],
    path: &Path,
    select: Option<&[String]>,
    counters: &[(String, &dyn BinCounter)],
    cancel: &Cancel,
    chunk_bytes: usize,
) -> Result<Option<CountedTable>, TableError> {
    let read = chunked::read_csv_blocks_counted_in(
        bytes,
        path,
        select,
        counters,
        cancel,
        chunk_bytes,
        Some(bytes.len() as u64),
    )?;
    Ok(read.map(|(table, counts, kept)| CountedTable {
        table,
        counts,
        kept,
    }))
}

/// Reads a CSV table from any reader; `path` names it in errors.
///
/// # Errors
/// As [`read_table`].
pub fn read_csv_table<R: std::io::Read>(
    reader: R,
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
) -> Result<Table, TableError> {
    csv::read_csv(reader, path, select, cancel)
}

/// Reads a CSV table held in memory as [`read_table`] reads a file: in blocks of about
/// `chunk_bytes`, each cut at line ends and parsed on every core; the same table (or error)
/// as [`read_csv_table`] on the same bytes.
///
/// # Errors
/// As [`read_table`].
pub fn read_csv_table_chunked(
    bytes: &[u8],
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
    chunk_bytes: usize,
) -> Result<Table, TableError> {
    chunked::read_csv_chunked(bytes, path, select, cancel, chunk_bytes)
}

pub use sample::{SampleShape, sample_csv};

pub use parquet::{
    ParquetNumbers, STREAM_BATCH, parquet_column_kinds, parquet_columns, stream_parquet_numbers,
};

/// Checks that every name in `select` is one of `names`; the indices of the chosen columns
/// in file order.
fn chosen(
    path: &Path,
    names: &[String],
    select: Option<&[String]>,
) -> Result<Vec<usize>, TableError> {
    let Some(select) = select else {
        return Ok((0..names.len()).collect());
    };
    for s in select {
        if !names.contains(s) {
            return Err(TableError::whole(
                path,
                TableErrorKind::NoSuchColumn {
                    name: s.clone(),
                    available: names.to_vec(),
                },
            ));
        }
    }
    Ok((0..names.len())
        .filter(|i| select.contains(&names[*i]))
        .collect())
}

/// Builds one column: numbers until a label arrives, then labels.
struct Builder {
    name: String,
    numbers: Vec<f64>,
    labels: Option<LabelSet>,
    missing: u64,
    first_label: Option<(usize, String)>,
}

#[derive(Default)]
struct LabelSet {
    codes: Vec<u32>,
    index: HashMap<String, u32>,
    labels: Vec<String>,
}

impl LabelSet {
    fn push(&mut self, label: &str) -> Option<()> {
        let code = match self.index.get(label) {
            Some(c) => *c,
            None => {
                let c = u32::try_from(self.labels.len()).ok()?;
                self.index.insert(label.to_string(), c);
                self.labels.push(label.to_string());
                c
            }
        };
        self.codes.push(code);
        Some(())
    }
}

/// The most distinct labels in one column.
pub const MAX_LABELS: u64 = u32::MAX as u64;

impl Builder {
    fn new(name: String) -> Self {
        Builder {
            name,
            numbers: Vec::new(),
            labels: None,
            missing: 0,
            first_label: None,
        }
    }

    fn push_number(&mut self, v: f64) -> Option<()> {
        match &mut self.labels {
            None => {
                self.numbers.push(v);
                Some(())
            }
            Some(set) => set.push(&number_label(v)),
        }
    }

    fn push_label(&mut self, label: &str, line: usize) -> Option<()> {
        if self.labels.is_none() {
            if !self.numbers.is_empty() {
                self.first_label = Some((line, label.to_string()));
            }
            let mut set = LabelSet::default();
            for v in std::mem::take(&mut self.numbers) {
                set.push(&number_label(v))?;
            }
            self.labels = Some(set);
        }
        self.labels.as_mut()?.push(label)
    }

    fn finish(self) -> Column {
        let values = match self.labels {
            None => Values::Numbers(self.numbers),
            Some(set) => Values::Labels {
                codes: set.codes,
                labels: set.labels,
            },
        };
        Column {
            name: self.name,
            values,
            missing: self.missing,
            first_label: self.first_label,
        }
    }
}

/// A number as a label: the shortest text that reads back as it (`3`, `2.5`).
pub fn number_label(v: f64) -> String {
    format!("{v}")
}
