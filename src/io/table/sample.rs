//! A sample of a large CSV file's rows, read from a few evenly spaced pieces of it, for
//! estimates that a later full read checks (nothing read here is ever reported as a figure).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{Table, TableError, TableErrorKind, chunked, unreadable};
use crate::cancel::Cancel;

/// How much of a file [`sample_csv`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleShape {
    /// The pieces read, the first at the file's start and the others evenly spaced.
    pub pieces: usize,
    /// The bytes read for each piece (cut at line ends).
    pub piece_bytes: usize,
}

/// The CSV file at `path` read in `shape.pieces` pieces of about `shape.piece_bytes` each, as
/// two tables. The first is the first piece: the file's first whole lines, read as
/// [`super::read_table`] reads them, so its rows are the table's first rows. The second (when
/// there are later pieces and they read as a table of the same columns) is every later piece
/// under the file's first line (its header): each starts at the line after its offset and ends
/// at the last line end it holds. `None` when `path` is not a regular file or its first piece
/// is not a table (the full read then reports why).
///
/// Every size is bounded: at most `pieces × piece_bytes` bytes are held.
///
/// # Errors
/// [`TableErrorKind::Cancelled`] when cancelled.
pub fn sample_csv(
    path: &Path,
    select: Option<&[String]>,
    shape: SampleShape,
    cancel: &Cancel,
) -> Result<Option<Vec<Table>>, TableError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    if !meta.is_file() || shape.pieces == 0 || shape.piece_bytes == 0 {
        return Ok(None);
    }
    let size = meta.len();
    let mut file = std::fs::File::open(path).map_err(|e| unreadable(path, &e))?;
    let mut read = |at: u64, onto: &mut Vec<u8>| -> Option<usize> {
        file.seek(SeekFrom::Start(at)).ok()?;
        let from = onto.len();
        (&mut file)
            .take(shape.piece_bytes as u64)
            .read_to_end(onto)
            .ok()?;
        Some(from)
    };
    let table = |bytes: &[u8]| -> Result<Option<Table>, TableError> {
        match chunked::read_csv_chunked(bytes, path, select, cancel, chunked::BLOCK_BYTES) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind == TableErrorKind::Cancelled => Err(e),
            Err(_) => Ok(None),
        }
    };
    let mut first = Vec::with_capacity(shape.piece_bytes);
    if read(0, &mut first).is_none() {
        return Ok(None);
    }
    // Whole lines only; a file read to its end keeps its last line.
    if first.len() == shape.piece_bytes {
        let Some(end) = first.iter().rposition(|b| *b == b'\n') else {
            return Ok(None);
        };
        first.truncate(end + 1);
    }
    let Some(head_end) = first.iter().position(|b| *b == b'\n') else {
        return Ok(None);
    };
    let Some(start) = table(&first)? else {
        return Ok(None);
    };
    let mut rest = first[..=head_end].to_vec();
    drop(first);
    let header = rest.len();
    for i in 1..shape.pieces {
        let at = size / shape.pieces as u64 * i as u64;
        let Some(from) = read(at, &mut rest) else {
            break;
        };
        // From the line after the offset to the last line end read; nothing if none.
        let piece = &rest[from..];
        let cut = match (
            piece.iter().position(|b| *b == b'\n'),
            piece.iter().rposition(|b| *b == b'\n'),
        ) {
            (Some(a), Some(b)) if a < b => Some((a + 1, b + 1)),
            _ => None,
        };
        match cut {
            Some((a, b)) => {
                rest.copy_within(from + a..from + b, from);
                rest.truncate(from + b - a);
            }
            None => rest.truncate(from),
        }
    }
    let mut all = vec![start];
    if rest.len() > header
        && let Some(t) = table(&rest)?
        && t.columns
            .iter()
            .map(|c| &c.name)
            .eq(all[0].columns.iter().map(|c| &c.name))
    {
        all.push(t);
    }
    Ok(Some(all))
}
