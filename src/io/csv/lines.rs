//! Reading lines one at a time for the first rows and for every line the fast path
//! declines: the line-length limit, NUL bytes, UTF-8, the byte-order mark, comments.

use std::io::BufRead;

use super::MAX_LINE_BYTES;
use super::error::{CsvError, CsvErrorKind, read_failed};
use crate::distribution::histogram::LineEnding;

/// Reads the file line by line, with a line-length limit and UTF-8 check, skipping blank and
/// `#` lines. Yields `(line_number, text)`.
pub(super) struct Lines<R: BufRead> {
    pub(super) reader: R,
    pub(super) line: usize,
    pub(super) buf: Vec<u8>,
    pub(super) first: bool,
    /// The current line's text (trimmed), reused from line to line.
    pub(super) text: String,
    /// Whether the first line started with a UTF-8 byte-order mark.
    pub(super) byte_order_mark: bool,
    /// How the first line ended.
    pub(super) line_ending: LineEnding,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn next_line(&mut self) -> Result<Option<(usize, String)>, CsvError> {
        Ok(self.next_line_inner()?.map(|l| (l, self.text.clone())))
    }

    pub(super) fn next_line_inner(&mut self) -> Result<Option<usize>, CsvError> {
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

pub(super) fn too_long(line: usize) -> CsvError {
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
pub(super) fn clean_line(raw: &[u8], line: usize, first: bool) -> Result<Option<&str>, CsvError> {
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
