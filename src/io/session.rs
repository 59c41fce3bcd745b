//! Saved comparisons: a small JSON document naming P and Q (histograms embedded when small),
//! the unit and the smoothing. The same document travels inside exported PNGs.
//!
//! Compatibility: `format` identifies the document and `version` its layout. A newer version
//! than this build knows is refused with a sentence saying so; unknown fields are ignored, so
//! additions that keep the version readable need no bump.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CsvOptions;
use super::source::Source;
use crate::divergence::Unit;

/// The `format` field of every session.
pub const FORMAT: &str = "kl-explorer-session";
/// The newest session layout this build reads and writes.
pub const VERSION: u32 = 1;
/// The comparison the project grew from: P = N(0, 1)…
pub const DEFAULT_P: &str = "normal(0, 1)";
/// …and Q = N(1, 2).
pub const DEFAULT_Q: &str = "normal(1, 2)";
/// Histogram files up to this size are embedded in sessions and PNGs.
pub const EMBED_LIMIT_BYTES: u64 = 1 << 20;

/// Whether a side's `spec` field holds a spec or a file's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The spec language.
    Spec,
    /// A CSV file.
    Csv,
}

/// One side (P or Q) of a saved comparison: the wire form of a [`Source`], with the file's
/// contents or hash when it names a file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SideState {
    /// The spec, or the path of a CSV file.
    pub spec: String,
    /// What `spec` holds. Sessions written before this field existed leave it out; their
    /// `spec` is then read by [`Source::from_text`]'s rule.
    pub kind: Option<SourceKind>,
    /// How the CSV file was read.
    pub csv: CsvOptions,
    /// The file's text, when it is under [`EMBED_LIMIT_BYTES`].
    pub embedded_csv: Option<String>,
    /// SHA-256 of the file, hex, for files too large to embed.
    pub sha256: Option<String>,
}

impl SideState {
    /// A side given by a spec.
    pub fn from_spec(spec: impl Into<String>) -> Self {
        SideState {
            spec: spec.into(),
            kind: Some(SourceKind::Spec),
            ..Default::default()
        }
    }

    /// The wire form of `source` (no file contents yet: see [`SideState::with_file_contents`]).
    pub fn from_source(source: &Source) -> Self {
        match source {
            Source::Spec(s) => SideState {
                spec: s.clone(),
                kind: Some(SourceKind::Spec),
                ..Default::default()
            },
            Source::Csv { path, options } => SideState {
                spec: path.display().to_string(),
                kind: Some(SourceKind::Csv),
                csv: options.clone(),
                ..Default::default()
            },
        }
    }

    /// The side's input.
    pub fn source(&self) -> Source {
        match self.kind {
            Some(SourceKind::Spec) => Source::Spec(self.spec.trim().to_string()),
            Some(SourceKind::Csv) => Source::Csv {
                path: self.spec.trim().into(),
                options: self.csv.clone(),
            },
            None => Source::from_text(&self.spec).with_options(self.csv.clone()),
        }
    }

    /// Embeds (or hashes) the file the side names, if it names one. Reads the file: call it
    /// off the UI thread.
    pub fn with_file_contents(mut self) -> Self {
        let source = self.source();
        let Some(path) = source.path() else {
            return self;
        };
        // Only a regular file is read (a pipe named in a session would never end), and no
        // more of it than its size said.
        let Ok((file, meta)) = super::file::open_regular_file(path) else {
            return self;
        };
        if meta.len() <= EMBED_LIMIT_BYTES {
            use std::io::Read;
            let mut text = String::new();
            if file
                .take(EMBED_LIMIT_BYTES)
                .read_to_string(&mut text)
                .is_ok()
            {
                self.embedded_csv = Some(text);
            }
        } else {
            let mut hasher = Sha256::new();
            if std::io::copy(&mut &file, &mut hasher).is_ok() {
                self.sha256 = Some(format!("{:x}", hasher.finalize()));
            }
        }
        self
    }
}

/// A saved comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout version.
    pub version: u32,
    /// The app version that wrote it.
    pub app_version: String,
    /// P.
    pub p: SideState,
    /// Q.
    pub q: SideState,
    /// Nats or bits.
    pub unit: Unit,
    /// Pseudo-count added to every histogram bin, if any.
    pub smoothing: Option<f64>,
    /// The figures as shown when saved (same keys as `compute --json`), for reference.
    pub figures: Option<serde_json::Value>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            format: FORMAT.into(),
            version: VERSION,
            app_version: crate::VERSION.into(),
            p: SideState::from_spec(DEFAULT_P),
            q: SideState::from_spec(DEFAULT_Q),
            unit: Unit::Nats,
            smoothing: None,
            figures: None,
        }
    }
}

/// Why a session could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SessionError {
    /// Not JSON, or not our JSON.
    #[error("not a kl-explorer session: {0}")]
    NotASession(String),
    /// Written by a newer version.
    #[error(
        "this session has layout version {found}, made by kl-explorer {app}; this build reads version {VERSION} and older — update kl-explorer"
    )]
    TooNew {
        /// The version found.
        found: u32,
        /// The app that wrote it.
        app: String,
    },
}

impl Session {
    /// Serialises to pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Parses and checks a session document.
    ///
    /// # Errors
    /// [`SessionError`] for foreign or newer documents.
    pub fn from_json(text: &str) -> Result<Session, SessionError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SessionError::NotASession(e.to_string()))?;
        let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if format != FORMAT {
            return Err(SessionError::NotASession(format!(
                "its format field is '{format}', expected '{FORMAT}'"
            )));
        }
        let version = value
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if version > u64::from(VERSION) {
            return Err(SessionError::TooNew {
                found: u32::try_from(version).unwrap_or(u32::MAX),
                app: value
                    .get("app_version")
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
                    .into(),
            });
        }
        serde_json::from_value(value).map_err(|e| SessionError::NotASession(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let s = Session::default();
        assert_eq!(Session::from_json(&s.to_json()).unwrap(), s);
    }

    #[test]
    fn a_newer_version_is_refused_with_a_sentence() {
        let text = r#"{"format":"kl-explorer-session","version":9,"app_version":"3.0.0"}"#;
        let err = Session::from_json(text).unwrap_err();
        assert!(err.to_string().contains("version 9"), "{err}");
    }

    #[test]
    fn foreign_json_is_refused() {
        assert!(matches!(
            Session::from_json("{\"a\":1}"),
            Err(SessionError::NotASession(_))
        ));
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn small_files_are_embedded_and_large_ones_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.csv");
        std::fs::write(&small, "0,1,2\n").unwrap();
        let s = SideState::from_source(&Source::csv(&small)).with_file_contents();
        assert_eq!(s.embedded_csv.as_deref(), Some("0,1,2\n"));
        assert!(s.sha256.is_none());

        let large = dir.path().join("large.csv");
        let text = "0,1,2\n".repeat((EMBED_LIMIT_BYTES as usize) / 6 + 10);
        std::fs::write(&large, &text).unwrap();
        let s = SideState::from_source(&Source::csv(&large)).with_file_contents();
        assert!(s.embedded_csv.is_none());
        assert_eq!(s.sha256.as_deref().map(str::len), Some(64));
    }
}
