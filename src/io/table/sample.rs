//! A sample of a large CSV file's rows, read from a few evenly spaced pieces of it, for
//! estimates that a later full read checks (nothing read here is ever reported as a figure).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{Table, TableError, TableErrorKind, chunked, unreadable};
use crate::cancel::Cancel;
use crate::io::csv::lines::clean_line;

/// The blocks the sample's bytes are parsed in: small, so that the block reader's buffers
/// and parts (fresh pages, for a sample parsed once) stay a fraction of the sample itself.
const SAMPLE_BLOCK_BYTES: usize = 1 << 18;

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
/// under the file's head (its leading blank and `#` comment lines and its first line of
/// fields, the header): each starts at the line after its offset and ends
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
        match chunked::read_csv_chunked(bytes, path, select, cancel, SAMPLE_BLOCK_BYTES) {
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
    let Some(head_end) = header_end(&first) else {
        return Ok(None);
    };
    let Some(start) = table(&first)? else {
        return Ok(None);
    };
    // Room for every piece at once: grown as they come, it would be copied to fresh pages.
    let mut rest = Vec::with_capacity(
        (head_end + 1).saturating_add(shape.pieces.saturating_mul(shape.piece_bytes)),
    );
    rest.extend_from_slice(&first[..=head_end]);
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

/// Where the head of `bytes` (a file's start) ends: the offset of the `\n` of its first line
/// that the reader does not skip (neither blank nor a `#` comment), so that the later pieces
/// read under the head as a table of the same columns. `None` when no such line ends in
/// `bytes` or a line before it is not text.
fn header_end(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    for line in 1.. {
        let end = from + bytes.get(from..)?.iter().position(|b| *b == b'\n')?;
        if clean_line(&bytes[from..=end], line, line == 1)
            .ok()?
            .is_some()
        {
            return Some(end);
        }
        from = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of `rows` rows of `x,y` (x the row's number) after `head`.
    fn file(dir: &Path, head: &str, rows: usize) -> std::path::PathBuf {
        let path = dir.join("t.csv");
        let mut text = head.to_string();
        for i in 0..rows {
            text.push_str(&format!("{i},{}\n", i % 7));
        }
        std::fs::write(&path, text).expect("write");
        path
    }

    fn later_rows(path: &Path) -> Option<u64> {
        let shape = SampleShape {
            pieces: 8,
            piece_bytes: 1024,
        };
        let tables = sample_csv(path, None, shape, &Cancel::new()).expect("sample")?;
        assert_eq!(tables[0].columns[0].name, "x");
        Some(tables.get(1)?.rows)
    }

    #[test]
    fn the_later_pieces_are_read_under_the_header_after_comment_and_blank_lines() {
        let dir = tempfile::tempdir().expect("dir");
        let plain = later_rows(&file(dir.path(), "x,y\n", 20_000)).expect("later pieces");
        assert!(plain > 500, "{plain}");
        // The same data after comments and blank lines: the later pieces are still read (they
        // used to be read under the first comment line, as a table of other columns, and
        // dropped), as many rows give or take the pieces' cuts.
        let head = "# exported 2026-12-03\n\n  # units: metres\nx,y\n";
        let commented = later_rows(&file(dir.path(), head, 20_000)).expect("later pieces");
        assert!(
            commented.abs_diff(plain) < 50,
            "{commented} against {plain}"
        );
    }

    #[test]
    fn a_head_of_only_comments_or_not_text_gives_no_header() {
        assert_eq!(header_end(b"# a\n\n#b\n"), None);
        assert_eq!(header_end(b"# a\n\xff\xfe\nx,y\n"), None);
        assert_eq!(header_end(b"# a\n x,y \n1,2\n"), Some(9));
        assert_eq!(header_end(b"\xef\xbb\xbfx\n1\n"), Some(4));
    }
}
