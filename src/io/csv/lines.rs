//! Reading lines one at a time for the first rows and for every line the fast path
//! declines: the line-length limit, NUL bytes, UTF-8, the byte-order mark, comments.

use std::io::BufRead;

use super::MAX_LINE_BYTES;
use super::error::{CsvError, CsvErrorKind, SessionFormat, read_failed};
use crate::distribution::histogram::LineEnding;

/// Reads the file line by line, with a line-length limit and UTF-8 check, skipping blank and
/// `#` lines. Yields `(line_number, text)`.
pub(crate) struct Lines<R: BufRead> {
    pub(crate) reader: R,
    pub(crate) line: usize,
    pub(crate) buf: Vec<u8>,
    pub(crate) first: bool,
    /// The current line's text (trimmed), reused from line to line.
    pub(crate) text: String,
    /// Whether the first line started with a UTF-8 byte-order mark.
    pub(crate) byte_order_mark: bool,
    /// How the first line ended.
    pub(crate) line_ending: LineEnding,
}

impl<R: std::io::Read> Lines<std::io::BufReader<R>> {
    /// Lines of `reader`, read through a 64 KiB buffer, from the first line.
    pub(crate) fn new(reader: R) -> Self {
        Lines {
            reader: std::io::BufReader::with_capacity(1 << 16, reader),
            line: 0,
            buf: Vec::new(),
            first: true,
            text: String::new(),
            byte_order_mark: false,
            line_ending: LineEnding::Unterminated,
        }
    }
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn next_line(&mut self) -> Result<Option<(usize, String)>, CsvError> {
        Ok(self.next_line_inner()?.map(|l| (l, self.text.clone())))
    }

    pub(crate) fn next_line_inner(&mut self) -> Result<Option<usize>, CsvError> {
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
pub(crate) fn clean_line(raw: &[u8], line: usize, first: bool) -> Result<Option<&str>, CsvError> {
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
    if text.contains('\r') {
        return Err(CsvError::new(
            Some(line),
            None,
            CsvErrorKind::CrOnlyLineEndings,
        ));
    }
    Ok((!text.is_empty() && !text.starts_with('#')).then_some(text))
}

impl<R: BufRead> Lines<R> {
    /// Looks at the start of the input, before any line is read, for content that is not CSV
    /// text but is recognisable: a session or an exported PNG, UTF-16, CR-only line endings.
    ///
    /// # Errors
    /// The matching [`CsvErrorKind`], at line 1; or the read error.
    pub(crate) fn check_start(&mut self) -> Result<(), CsvError> {
        let start = loop {
            match self.reader.fill_buf() {
                Ok(b) => break b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(read_failed(&e, 1)),
            }
        };
        match foreign_content(start) {
            Some(kind) => {
                // Line endings are about lines; the rest is about the whole file.
                let line = (kind == CsvErrorKind::CrOnlyLineEndings).then_some(1);
                Err(CsvError::new(line, None, kind))
            }
            None => Ok(()),
        }
    }
}

/// What the first bytes of an input say it is, when that is not CSV text.
fn foreign_content(start: &[u8]) -> Option<CsvErrorKind> {
    let contains = |needle: &[u8]| start.windows(needle.len()).any(|w| w == needle);
    if start.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(if contains(crate::io::png::KEYWORD.as_bytes()) {
            CsvErrorKind::IsSession {
                format: SessionFormat::Png,
            }
        } else {
            CsvErrorKind::PngImage
        });
    }
    if start.starts_with(&[0xFF, 0xFE]) || start.starts_with(&[0xFE, 0xFF]) || looks_utf16(start) {
        return Some(CsvErrorKind::Utf16);
    }
    let text = start.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(start);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') && contains(br#""kl-explorer-session""#) {
        return Some(CsvErrorKind::IsSession {
            format: SessionFormat::Json,
        });
    }
    // Carriage returns and no line feed: old Mac line endings, which would read as one line.
    if start.contains(&b'\r') && !start.contains(&b'\n') && start.len() < MAX_LINE_BYTES {
        let cr = start.iter().position(|b| *b == b'\r').unwrap_or(0);
        let after = &start[cr + 1..];
        if after.iter().any(|b| !b.is_ascii_whitespace()) {
            return Some(CsvErrorKind::CrOnlyLineEndings);
        }
    }
    None
}

/// UTF-16 without a byte-order mark: in the first bytes, every other byte is NUL (the high
/// byte of ASCII characters) and the others are not.
fn looks_utf16(start: &[u8]) -> bool {
    let head = &start[..start.len().min(64) & !1];
    if head.len() < 4 {
        return false;
    }
    let nul_at = |parity: usize| {
        head.iter()
            .enumerate()
            .all(|(i, b)| (*b == 0) == (i % 2 == parity))
    };
    nul_at(0) || nul_at(1)
}
