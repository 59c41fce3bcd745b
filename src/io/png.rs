//! PNG export with the comparison embedded as text metadata, and reading it back.
//!
//! The image is RGBA, 8 bits per channel. An iTXt chunk with keyword [`KEYWORD`] holds the
//! [`Session`] JSON (specs, embedded histograms or their hashes, unit, smoothing, figures, app
//! version); a `Software` tEXt chunk names the app.

use std::io::{BufReader, BufWriter};
use std::path::Path;

use super::session::{Session, SessionError};

/// The iTXt keyword that carries the session.
pub const KEYWORD: &str = "kl-explorer:session";

/// The most bytes a PNG's metadata chunks may hold, and the most an embedded session may
/// inflate to. Sessions embed histograms of up to 1 MiB each; anything far larger is crafted.
pub const MAX_SESSION_BYTES: usize = 64 << 20;

/// Why a PNG could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// The file system refused.
    #[error("could not write the PNG ({source}): {path}")]
    Write {
        /// The cause.
        source: std::io::Error,
        /// The file.
        path: String,
    },
    /// The encoder or decoder failed.
    #[error("{0}")]
    Codec(String),
    /// The PNG carries no comparison.
    #[error("this PNG was not exported by kl-explorer (it has no comparison inside): {0}")]
    NoSession(String),
    /// The embedded session is unreadable.
    #[error("{0}")]
    Session(#[from] SessionError),
    /// The file cannot be opened, or is not a regular file.
    #[error("{0}")]
    File(#[from] super::LoadError),
    /// The metadata chunks hold more than [`MAX_SESSION_BYTES`].
    #[error(
        "this PNG's metadata is larger than {} MB, more than any kl-explorer export; it was not read: {path}",
        limit_bytes >> 20
    )]
    TooLarge {
        /// The limit.
        limit_bytes: usize,
        /// The file.
        path: String,
    },
    /// The compressed session does not inflate within [`MAX_SESSION_BYTES`]: it is corrupt,
    /// or larger than any export.
    #[error(
        "the comparison inside this PNG is corrupt or inflates to more than {} MB, more than any kl-explorer export; it was not read: {path}",
        limit_bytes >> 20
    )]
    Inflate {
        /// The limit.
        limit_bytes: usize,
        /// The file.
        path: String,
    },
}

/// Writes `rgba` (width × height × 4 bytes) to `path` with `session` embedded.
///
/// # Errors
/// [`PngError::Write`] when the file cannot be created or written.
pub fn write_png(
    path: &Path,
    width: u32,
    height: u32,
    rgba: &[u8],
    session: &Session,
) -> Result<(), PngError> {
    let write_err = |source: std::io::Error| PngError::Write {
        source,
        path: path.display().to_string(),
    };
    let file = std::fs::File::create(path).map_err(write_err)?;
    let mut enc = ::png::Encoder::new(BufWriter::new(file), width, height);
    enc.set_color(::png::ColorType::Rgba);
    enc.set_depth(::png::BitDepth::Eight);
    let codec = |e: ::png::EncodingError| match e {
        ::png::EncodingError::IoError(io) => write_err(io),
        other => PngError::Codec(other.to_string()),
    };
    enc.add_text_chunk("Software".into(), format!("kl-explorer {}", crate::VERSION))
        .map_err(codec)?;
    enc.add_itxt_chunk(KEYWORD.into(), session.to_json())
        .map_err(codec)?;
    let mut writer = enc.write_header().map_err(codec)?;
    writer.write_image_data(rgba).map_err(codec)?;
    writer.finish().map_err(codec)?;
    Ok(())
}

/// Reads the comparison embedded in a PNG exported by kl-explorer, and the image size.
///
/// # Errors
/// [`PngError`] when the file is not a regular file or not a PNG, carries no session or a
/// newer one, or its metadata is larger than [`MAX_SESSION_BYTES`] (compressed or inflated).
pub fn read_png_session(path: &Path) -> Result<(Session, u32, u32), PngError> {
    let (file, _) = super::file::open_regular_file(path)?;
    let too_large = || PngError::TooLarge {
        limit_bytes: MAX_SESSION_BYTES,
        path: path.display().to_string(),
    };
    let limits = ::png::Limits {
        bytes: MAX_SESSION_BYTES,
    };
    let reader = ::png::Decoder::new_with_limits(BufReader::new(file), limits)
        .read_info()
        .map_err(|e| match e {
            ::png::DecodingError::LimitsExceeded => too_large(),
            e => PngError::Codec(format!("not a readable PNG ({e}): {}", path.display())),
        })?;
    let info = reader.info();
    let mut chunk = info
        .utf8_text
        .iter()
        .find(|c| c.keyword == KEYWORD)
        .cloned()
        .ok_or_else(|| PngError::NoSession(path.display().to_string()))?;
    // Inflate with a limit: a small compressed chunk can stand for gigabytes.
    chunk
        .decompress_text_with_limit(MAX_SESSION_BYTES)
        .map_err(|_| PngError::Inflate {
            limit_bytes: MAX_SESSION_BYTES,
            path: path.display().to_string(),
        })?;
    let text = chunk.get_text().map_err(|e| {
        PngError::Codec(format!(
            "the comparison inside this PNG cannot be read ({e}): {}",
            path.display()
        ))
    })?;
    Ok((Session::from_json(&text)?, info.width, info.height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::session::SideState;

    #[test]
    fn session_round_trips_through_a_png() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.png");
        let session = Session {
            p: SideState::from_spec("beta(2, 3)"),
            ..Session::default()
        };
        write_png(&path, 3, 2, &[7; 24], &session).unwrap();
        let (back, w, h) = read_png_session(&path).unwrap();
        assert_eq!((w, h), (3, 2));
        assert_eq!(back, session);
    }

    #[test]
    fn a_failed_write_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("x.png");
        let err = write_png(&path, 1, 1, &[0; 4], &Session::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("could not write the PNG"), "{text}");
        assert!(text.ends_with("x.png"), "{text}");
    }

    #[test]
    fn a_foreign_png_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain.png");
        let file = std::fs::File::create(&path).unwrap();
        let mut enc = ::png::Encoder::new(file, 1, 1);
        enc.set_color(::png::ColorType::Rgba);
        enc.write_header()
            .unwrap()
            .write_image_data(&[0; 4])
            .unwrap();
        let err = read_png_session(&path).unwrap_err();
        assert!(
            err.to_string().contains("not exported by kl-explorer"),
            "{err}"
        );
    }

    /// A zlib stream that inflates to at least `n` spaces: one literal, then matches of 258
    /// bytes at distance 1, in a fixed-Huffman block (RFC 1951 §3.2.6), about 1000:1.
    fn zlib_spaces(n: usize) -> Vec<u8> {
        let mut out = vec![0x78, 0x01];
        let (mut acc, mut bits) = (0u64, 0u32);
        let mut put = |value: u64, len: u32, out: &mut Vec<u8>| {
            acc |= value << bits;
            bits += len;
            while bits >= 8 {
                out.push(acc as u8);
                acc >>= 8;
                bits -= 8;
            }
        };
        // Huffman codes go most significant bit first.
        let code = |c: u64, len: u32| (c.reverse_bits() >> (64 - len), len);
        put(1, 1, &mut out); // the last block
        put(1, 2, &mut out); // fixed Huffman codes
        let (c, l) = code(0x30 + u64::from(b' '), 8);
        put(c, l, &mut out);
        let repeats = n.div_ceil(258);
        for _ in 0..repeats {
            let (c, l) = code(0b1100_0101, 8); // length 258
            put(c, l, &mut out);
            put(0, 5, &mut out); // distance 1
        }
        put(0, 7, &mut out); // end of block
        put(0, 7, &mut out); // pad to a byte
        let total = 1 + 258 * repeats;
        let (mut a, mut b) = (1u32, 0u32);
        for _ in 0..total {
            a = (a + u32::from(b' ')) % 65521;
            b = (b + a) % 65521;
        }
        out.extend(((b << 16) | a).to_be_bytes());
        out
    }

    /// Writes a 1×1 PNG with `chunk` before the image data.
    fn png_with(path: &Path, chunk: &::png::text_metadata::ITXtChunk) {
        let file = std::fs::File::create(path).unwrap();
        let mut enc = ::png::Encoder::new(file, 1, 1);
        enc.set_color(::png::ColorType::Rgba);
        let mut writer = enc.write_header().unwrap();
        writer.write_text_chunk(chunk).unwrap();
        writer.write_image_data(&[0; 4]).unwrap();
        writer.finish().unwrap();
    }

    #[test]
    fn a_compressed_session_that_inflates_past_the_limit_is_refused_quickly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.png");
        let write_spaces = |n: usize| {
            // iTXt: keyword, NUL, compressed, zlib, empty language and translated keyword.
            let mut data = format!("{KEYWORD}\0\x01\x00\0\0").into_bytes();
            data.extend(zlib_spaces(n));
            let file = std::fs::File::create(&path).unwrap();
            let mut enc = ::png::Encoder::new(file, 1, 1);
            enc.set_color(::png::ColorType::Rgba);
            let mut writer = enc.write_header().unwrap();
            writer
                .write_chunk(::png::chunk::ChunkType(*b"iTXt"), &data)
                .unwrap();
            writer.write_image_data(&[0; 4]).unwrap();
            writer.finish().unwrap();
        };
        // The stream is valid: a short one inflates, to spaces that are no session.
        write_spaces(10_000);
        let err = read_png_session(&path).unwrap_err();
        assert!(matches!(err, PngError::Session(_)), "{err}");
        write_spaces(MAX_SESSION_BYTES + 1);
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size < 1 << 20, "a small file: {size}");
        let start = std::time::Instant::now();
        let err = read_png_session(&path).unwrap_err();
        assert!(
            matches!(err, PngError::Inflate { limit_bytes, .. } if limit_bytes == MAX_SESSION_BYTES),
            "{err}"
        );
        assert!(err.to_string().contains("more than 64 MB"), "{err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        // Under the limit, a compressed session is read.
        let session = Session {
            p: SideState::from_spec("normal(0, 2)"),
            ..Session::default()
        };
        let mut chunk =
            ::png::text_metadata::ITXtChunk::new(KEYWORD.to_string(), session.to_json());
        chunk.compress_text().unwrap();
        png_with(&path, &chunk);
        assert_eq!(read_png_session(&path).unwrap().0, session);
    }

    #[test]
    fn metadata_chunks_past_the_limit_or_cut_short_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.png");
        let chunk = ::png::text_metadata::ITXtChunk::new(
            KEYWORD.to_string(),
            " ".repeat(MAX_SESSION_BYTES + 1),
        );
        png_with(&path, &chunk);
        let err = read_png_session(&path).unwrap_err();
        assert!(matches!(err, PngError::TooLarge { .. }), "{err}");
        // A chunk that claims 2 GB and ends after a few bytes.
        let small = ::png::text_metadata::ITXtChunk::new(KEYWORD.to_string(), "{}".to_string());
        png_with(&path, &small);
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.windows(4).position(|w| w == b"iTXt").unwrap();
        bytes[at - 4..at].copy_from_slice(&0x7FFF_FFF0u32.to_be_bytes());
        bytes.truncate(at + 40);
        std::fs::write(&path, &bytes).unwrap();
        assert!(read_png_session(&path).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_before_it_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.png");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let err = read_png_session(&fifo).unwrap_err();
        assert!(err.to_string().contains("a named pipe (FIFO)"), "{err}");
    }
}
