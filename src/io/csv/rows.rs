//! Reading the rows after the first few a block at a time, and remembering the line each
//! row came from.

use std::io::{BufReader, Read};

use super::columns::Columns;
use super::error::{CsvError, CsvErrorKind, read_failed};
use super::fast::Row;
use super::lines::{Lines, clean_line, too_long};
use super::{MAX_LINE_BYTES, MAX_ROWS};

/// Bytes read at a time after the first lines.
pub(super) const BLOCK_BYTES: usize = 1 << 20;

/// Reads every row after the first few, a block at a time: each line is tried on the fast
/// path ([`Row::fast`]: plain ASCII numbers, read in place) and, if that declines, checked and
/// parsed line by line like the first ones, which is where every error message comes from.
pub(super) fn read_rows<R: Read>(
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
        if line_of.rows > MAX_ROWS {
            return Err(CsvError::new(
                Some(line),
                None,
                CsvErrorKind::TooManyRows { limit: MAX_ROWS },
            ));
        }
    }
    Ok(())
}

/// The bytes read and not yet parsed, in a buffer that is zeroed only when it grows (not
/// for every block read into it).
#[derive(Default)]
pub(super) struct Window {
    pub(super) buf: Vec<u8>,
    /// How much of `buf` holds data.
    pub(super) filled: usize,
}

impl Window {
    pub(super) fn data(&self) -> &[u8] {
        &self.buf[..self.filled]
    }

    /// Room for at least a block after the data.
    pub(super) fn make_room(&mut self) -> &mut [u8] {
        if self.buf.len() - self.filled < BLOCK_BYTES {
            self.buf.resize(self.filled + BLOCK_BYTES, 0);
        }
        &mut self.buf[self.filled..]
    }

    pub(super) fn append(&mut self, bytes: &[u8]) {
        while self.buf.len() - self.filled < bytes.len() {
            self.make_room();
        }
        self.buf[self.filled..self.filled + bytes.len()].copy_from_slice(bytes);
        self.filled += bytes.len();
    }

    /// Reads up to a block from `reader` after the data; returns whether the file has ended.
    pub(super) fn fill<R: Read>(&mut self, reader: &mut R, line: usize) -> Result<bool, CsvError> {
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
    pub(super) fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.filled, 0);
        self.filled -= n;
    }
}

/// The line each data row came from, kept as the rows where the numbering jumps (after
/// comments, blank lines or the header): a few bytes for 10^7 rows instead of 40 MB.
#[derive(Debug, Default)]
pub(super) struct LineMap {
    /// `(row, line)` where the row's line is not the previous row's plus one.
    pub(super) jumps: Vec<(usize, usize)>,
    pub(super) rows: usize,
}

impl LineMap {
    pub(super) fn push(&mut self, line: usize) {
        let expected = self.jumps.last().map(|&(r, l)| l + (self.rows - r));
        if expected != Some(line) {
            self.jumps.push((self.rows, line));
        }
        self.rows += 1;
    }

    /// The 1-based line of the 0-based `row`.
    pub(super) fn line(&self, row: usize) -> Option<usize> {
        if row >= self.rows {
            return None;
        }
        let k = self.jumps.partition_point(|&(r, _)| r <= row);
        let (r, l) = *self.jumps.get(k.checked_sub(1)?)?;
        Some(l + (row - r))
    }
}
