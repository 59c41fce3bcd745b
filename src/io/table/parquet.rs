//! Parquet tables through the `parquet` crate's column readers (no arrow): one column chunk
//! of one row group at a time, in batches, so memory holds the values kept and one batch.
//! Nulls (definition level below the column's maximum) are counted as missing.

use std::fs::File;
use std::path::Path;

use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::DataType;
use parquet::file::reader::{FileReader, SerializedFileReader};

use super::{Builder, Table, TableError, TableErrorKind, chosen};
use crate::cancel::Cancel;

/// Records per batch read from a column chunk.
const BATCH: usize = 64 * 1024;

fn parquet_error(path: &Path, e: &parquet::errors::ParquetError) -> TableError {
    TableError::whole(
        path,
        TableErrorKind::Parquet {
            reason: e.to_string(),
        },
    )
}

fn open(path: &Path) -> Result<SerializedFileReader<File>, TableError> {
    let file = File::open(path).map_err(|e| super::unreadable(path, &e))?;
    SerializedFileReader::new(file).map_err(|e| parquet_error(path, &e))
}

fn names_of(reader: &SerializedFileReader<File>) -> Vec<String> {
    let schema = reader.metadata().file_metadata().schema_descr();
    (0..schema.num_columns())
        .map(|i| schema.column(i).path().string())
        .collect()
}

/// The leaf column names of the Parquet file at `path`.
///
/// # Errors
/// [`TableErrorKind::Parquet`] when the file is not Parquet.
pub fn parquet_columns(path: &Path) -> Result<Vec<String>, TableError> {
    Ok(names_of(&open(path)?))
}

/// Reads every value of a typed column chunk in batches, giving each batch's values and
/// the number of nulls in it to `sink`.
fn drain<T: DataType>(
    mut reader: ColumnReaderImpl<T>,
    mut sink: impl FnMut(&[T::T], u64) -> Result<(), TableErrorKind>,
    path: &Path,
    cancel: &Cancel,
) -> Result<(), TableError> {
    let mut values: Vec<T::T> = Vec::with_capacity(BATCH);
    let mut defs: Vec<i16> = Vec::with_capacity(BATCH);
    loop {
        values.clear();
        defs.clear();
        let (records, read, levels) = reader
            .read_records(BATCH, Some(&mut defs), None, &mut values)
            .map_err(|e| parquet_error(path, &e))?;
        if records == 0 && levels == 0 {
            return Ok(());
        }
        let nulls = u64::try_from(levels.max(records).saturating_sub(read)).unwrap_or(0);
        sink(&values[..read], nulls).map_err(|kind| TableError::whole(path, kind))?;
        if cancel.check().is_err() {
            return Err(TableError::whole(path, TableErrorKind::Cancelled));
        }
    }
}

/// Feeds one column of one row group into `b`.
fn read_chunk(
    reader: ColumnReader,
    b: &mut Builder,
    path: &Path,
    cancel: &Cancel,
) -> Result<(), TableError> {
    let too_many = |name: &str| TableErrorKind::TooManyLabels {
        column: name.to_string(),
        limit: super::MAX_LABELS,
    };
    macro_rules! numbers {
        ($r:expr, $conv:expr) => {
            drain(
                $r,
                |vals, nulls| {
                    b.missing += nulls;
                    for v in vals {
                        let x: f64 = $conv(*v);
                        if x.is_finite() {
                            b.push_number(x).ok_or_else(|| too_many(&b.name))?;
                        } else {
                            // NaN is how pandas writes a missing float; ±∞ is no bin's.
                            b.missing += 1;
                        }
                    }
                    Ok(())
                },
                path,
                cancel,
            )
        };
    }
    match reader {
        ColumnReader::DoubleColumnReader(r) => numbers!(r, |v: f64| v),
        ColumnReader::FloatColumnReader(r) => numbers!(r, f64::from),
        ColumnReader::Int32ColumnReader(r) => numbers!(r, f64::from),
        // Integers beyond 2^53 round to the nearest double.
        #[allow(clippy::cast_precision_loss)]
        ColumnReader::Int64ColumnReader(r) => numbers!(r, |v: i64| v as f64),
        ColumnReader::BoolColumnReader(r) => drain(
            r,
            |vals, nulls| {
                b.missing += nulls;
                for v in vals {
                    let label = if *v { "true" } else { "false" };
                    b.push_label(label, 0).ok_or_else(|| too_many(&b.name))?;
                }
                Ok(())
            },
            path,
            cancel,
        ),
        ColumnReader::ByteArrayColumnReader(r) => drain(
            r,
            |vals, nulls| {
                b.missing += nulls;
                for v in vals {
                    let label = String::from_utf8_lossy(v.data());
                    b.push_label(&label, 0).ok_or_else(|| too_many(&b.name))?;
                }
                Ok(())
            },
            path,
            cancel,
        ),
        ColumnReader::Int96ColumnReader(_) | ColumnReader::FixedLenByteArrayColumnReader(_) => {
            Err(TableError::whole(
                path,
                TableErrorKind::UnsupportedParquetType {
                    column: b.name.clone(),
                    physical: "INT96 or FIXED_LEN_BYTE_ARRAY".into(),
                },
            ))
        }
    }
}

pub(super) fn read_parquet(
    path: &Path,
    select: Option<&[String]>,
    cancel: &Cancel,
) -> Result<Table, TableError> {
    let reader = open(path)?;
    let names = names_of(&reader);
    let cols = chosen(path, &names, select)?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    for &c in &cols {
        if schema.column(c).max_rep_level() > 0 {
            return Err(TableError::whole(
                path,
                TableErrorKind::NestedParquetColumn {
                    column: names[c].clone(),
                },
            ));
        }
    }
    let mut builders: Vec<Builder> = cols
        .iter()
        .map(|&c| Builder::new(names[c].clone()))
        .collect();
    let mut rows: u64 = 0;
    for g in 0..reader.num_row_groups() {
        let group = reader
            .get_row_group(g)
            .map_err(|e| parquet_error(path, &e))?;
        rows += u64::try_from(group.metadata().num_rows()).unwrap_or(0);
        for (b, &c) in builders.iter_mut().zip(&cols) {
            let column = group
                .get_column_reader(c)
                .map_err(|e| parquet_error(path, &e))?;
            read_chunk(column, b, path, cancel)?;
        }
    }
    // A first label from Parquet has no line: the column's type made it labels.
    let columns = builders
        .into_iter()
        .map(|b| {
            let mut c = b.finish();
            c.first_label = None;
            c
        })
        .collect();
    Ok(Table {
        path: path.to_path_buf(),
        rows,
        columns,
    })
}

/// Whether a Parquet physical type is read as numbers.
fn is_numeric(t: parquet::basic::Type) -> bool {
    use parquet::basic::Type;
    matches!(t, Type::DOUBLE | Type::FLOAT | Type::INT32 | Type::INT64)
}

/// The flat columns of the Parquet file at `path` named in `select` (all when `None`), in
/// file order, each with whether its values are numbers (integers or floating point; the
/// others are read as labels).
///
/// # Errors
/// [`TableError`] for a file that is not Parquet, a name not in it, or a nested column.
pub fn parquet_column_kinds(
    path: &Path,
    select: Option<&[String]>,
) -> Result<Vec<(String, bool)>, TableError> {
    let reader = open(path)?;
    let names = names_of(&reader);
    let cols = chosen(path, &names, select)?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    cols.into_iter()
        .map(|c| {
            let d = schema.column(c);
            if d.max_rep_level() > 0 {
                return Err(TableError::whole(
                    path,
                    TableErrorKind::NestedParquetColumn {
                        column: names[c].clone(),
                    },
                ));
            }
            Ok((names[c].clone(), is_numeric(d.physical_type())))
        })
        .collect()
}

/// One numeric column of a Parquet file, read again and again without being kept: each
/// [`ParquetNumbers::stream`] reads it row group by row group, a batch (at most
/// [`STREAM_BATCH`] records, never more than a row group) at a time.
pub struct ParquetNumbers {
    path: std::path::PathBuf,
    column: String,
    index: usize,
    reader: SerializedFileReader<File>,
}

/// The most records one batch of [`ParquetNumbers::stream`] holds.
pub const STREAM_BATCH: usize = BATCH;

impl ParquetNumbers {
    /// Opens column `column` of the Parquet file at `path`.
    ///
    /// # Errors
    /// [`TableError`] for a file that is not Parquet, a missing column, a nested or
    /// non-numeric one.
    pub fn open(path: &Path, column: &str) -> Result<Self, TableError> {
        let kinds = parquet_column_kinds(path, Some(&[column.to_string()]))?;
        if !kinds.first().is_some_and(|(_, numeric)| *numeric) {
            return Err(TableError::whole(
                path,
                TableErrorKind::UnsupportedParquetType {
                    column: column.to_string(),
                    physical: "non-numeric".into(),
                },
            ));
        }
        let reader = open(path)?;
        let names = names_of(&reader);
        let index = names.iter().position(|n| n == column).unwrap_or(0);
        Ok(ParquetNumbers {
            path: path.to_path_buf(),
            column: column.to_string(),
            index,
            reader,
        })
    }

    /// Rows in the file (present and missing).
    pub fn rows(&self) -> u64 {
        u64::try_from(self.reader.metadata().file_metadata().num_rows()).unwrap_or(0)
    }

    /// Row groups in the file.
    pub fn row_groups(&self) -> usize {
        self.reader.num_row_groups()
    }

    /// Gives every present number to `sink` a batch at a time, row group after row group,
    /// and calls `group_done(rows)` after each row group with its row count. Returns the
    /// number of missing values (nulls and NaN or ±∞).
    ///
    /// # Errors
    /// [`TableError`] for a file the reader refuses, or [`TableErrorKind::Cancelled`].
    pub fn stream(
        &self,
        mut sink: impl FnMut(&[f64]),
        mut group_done: impl FnMut(u64),
        cancel: &Cancel,
    ) -> Result<u64, TableError> {
        let path = self.path.as_path();
        let mut missing = 0u64;
        let mut buf: Vec<f64> = Vec::with_capacity(BATCH);
        for g in 0..self.reader.num_row_groups() {
            let group = self
                .reader
                .get_row_group(g)
                .map_err(|e| parquet_error(path, &e))?;
            let rows = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
            let chunk = group
                .get_column_reader(self.index)
                .map_err(|e| parquet_error(path, &e))?;
            macro_rules! stream {
                ($r:expr, $conv:expr) => {
                    drain(
                        $r,
                        |vals, nulls| {
                            missing += nulls;
                            buf.clear();
                            for v in vals {
                                let x: f64 = $conv(*v);
                                if x.is_finite() {
                                    buf.push(x);
                                } else {
                                    missing += 1;
                                }
                            }
                            sink(&buf);
                            Ok(())
                        },
                        path,
                        cancel,
                    )?
                };
            }
            match chunk {
                ColumnReader::DoubleColumnReader(r) => stream!(r, |v: f64| v),
                ColumnReader::FloatColumnReader(r) => stream!(r, f64::from),
                ColumnReader::Int32ColumnReader(r) => stream!(r, f64::from),
                #[allow(clippy::cast_precision_loss)]
                ColumnReader::Int64ColumnReader(r) => stream!(r, |v: i64| v as f64),
                _ => {
                    return Err(TableError::whole(
                        path,
                        TableErrorKind::UnsupportedParquetType {
                            column: self.column.clone(),
                            physical: "non-numeric".into(),
                        },
                    ));
                }
            }
            group_done(rows);
        }
        Ok(missing)
    }
}

/// Streams the numbers of one numeric Parquet column to `sink`, a batch at a time, one row
/// group after another, without keeping them: for files larger than memory. Returns the
/// number of missing values (nulls and NaN).
///
/// # Errors
/// [`TableError`] for a file that is not Parquet, a missing column, a column that is not
/// numeric, or a cancelled read.
pub fn stream_parquet_numbers(
    path: &Path,
    column: &str,
    sink: impl FnMut(&[f64]),
    cancel: &Cancel,
) -> Result<u64, TableError> {
    ParquetNumbers::open(path, column)?.stream(sink, |_| {}, cancel)
}
