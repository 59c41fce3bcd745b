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
/// [`PngError`] when the file is not a PNG, carries no session, or a newer one.
pub fn read_png_session(path: &Path) -> Result<(Session, u32, u32), PngError> {
    let file = std::fs::File::open(path)
        .map_err(|e| PngError::Codec(format!("{e}: {}", path.display())))?;
    let reader = ::png::Decoder::new(BufReader::new(file))
        .read_info()
        .map_err(|e| PngError::Codec(format!("not a readable PNG ({e}): {}", path.display())))?;
    let info = reader.info();
    let text = info
        .utf8_text
        .iter()
        .find(|c| c.keyword == KEYWORD)
        .and_then(|c| c.get_text().ok())
        .ok_or_else(|| PngError::NoSession(path.display().to_string()))?;
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
}
