//! Where a side's distribution comes from: a spec in the spec language, or a CSV file.
//!
//! The choice is made once, where the input arrives (the spec field, the command line, a
//! drop, a dialog, a session), and carried as a [`Source`] from then on; nothing asks the file
//! system whether a text "looks like" a file. The rule for typed or stored text
//! ([`Source::from_text`]): a name ending in `.csv`, `.tsv` or `.txt` is a file (`data (1).csv`
//! included); otherwise text with a parenthesis is a spec (`normal(0,1)`, even if a file of that
//! name exists); anything else is a file path.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::session::SideState;
use super::{CsvOptions, LoadControl, SpecOrFileError, load_histogram};
use crate::distribution::{Distribution, parse_spec};

/// A side's input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "SideState", into = "SideState")]
pub enum Source {
    /// A spec such as `normal(0, 1)` or `0.3*normal(-2, 1) + 0.7*normal(2, 0.5)`.
    Spec(String),
    /// A CSV histogram file and how to read it.
    Csv {
        /// The file.
        path: PathBuf,
        /// Column choice and samples binning.
        options: CsvOptions,
    },
}

/// Endings that always name a file.
const FILE_ENDINGS: [&str; 3] = [".csv", ".tsv", ".txt"];

impl Source {
    /// Decides what typed or stored text names; see the module docs for the rule.
    pub fn from_text(text: &str) -> Source {
        let t = text.trim();
        // The endings are ASCII, and no other character lowercases to theirs: an ASCII
        // comparison of the last bytes is `to_lowercase().ends_with(e)` without the copy.
        let ends_with = |e: &str| {
            t.len() >= e.len()
                && t.as_bytes()[t.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes())
        };
        if FILE_ENDINGS.iter().any(|e| ends_with(e)) || !t.contains('(') {
            Source::csv(t)
        } else {
            Source::Spec(t.to_string())
        }
    }

    /// A CSV file read with the default options.
    pub fn csv(path: impl Into<PathBuf>) -> Source {
        Source::Csv {
            path: path.into(),
            options: CsvOptions::default(),
        }
    }

    /// The text shown in the spec field: the spec, or the file's path.
    pub fn label(&self) -> String {
        match self {
            Source::Spec(s) => s.clone(),
            Source::Csv { path, .. } => path.display().to_string(),
        }
    }

    /// Makes the distribution: parses the spec, or reads the file (blocking: call it off the
    /// UI thread for files).
    ///
    /// # Errors
    /// The spec's error, or the file's with its line and column.
    pub fn load(&self, control: &LoadControl) -> Result<Distribution, SpecOrFileError> {
        match self {
            Source::Spec(s) => Ok(parse_spec(s)?),
            Source::Csv { path, options } => Ok(load_histogram(path, options, control)?),
        }
    }

    /// The file, for a CSV source.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Spec(_) => None,
            Source::Csv { path, .. } => Some(path),
        }
    }

    /// The same file read with other options; a spec is returned unchanged.
    pub fn with_options(&self, options: CsvOptions) -> Source {
        match self {
            Source::Spec(_) => self.clone(),
            Source::Csv { path, .. } => Source::Csv {
                path: path.clone(),
                options,
            },
        }
    }
}

impl From<SideState> for Source {
    fn from(s: SideState) -> Source {
        s.source()
    }
}

impl From<Source> for SideState {
    fn from(s: Source) -> SideState {
        SideState::from_source(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_have_parentheses_and_files_have_endings() {
        assert_eq!(
            Source::from_text(" normal(0, 1) "),
            Source::Spec("normal(0, 1)".into())
        );
        assert_eq!(
            Source::from_text("0.3*normal(-2,1) + 0.7*normal(2,0.5)"),
            Source::Spec("0.3*normal(-2,1) + 0.7*normal(2,0.5)".into())
        );
        assert_eq!(
            Source::from_text("data (1).CSV"),
            Source::csv("data (1).CSV")
        );
        assert_eq!(
            Source::from_text("/tmp/x/counts"),
            Source::csv("/tmp/x/counts")
        );
        assert_eq!(Source::from_text("train"), Source::csv("train"));
    }

    #[test]
    fn a_file_named_like_a_spec_does_not_turn_the_spec_into_a_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("normal(0,1)"), "0,1,1\n").unwrap();
        let here = std::env::current_dir().unwrap();
        // The rule never looks at the file system, so the working directory does not matter.
        assert_eq!(
            Source::from_text("normal(0,1)"),
            Source::Spec("normal(0,1)".into())
        );
        assert_eq!(std::env::current_dir().unwrap(), here);
    }

    #[test]
    fn stored_sides_round_trip_and_old_ones_follow_the_rule() {
        let csv = Source::Csv {
            path: "a (2).csv".into(),
            options: CsvOptions {
                columns: Some(vec![1, 2]),
                bins: None,
            },
        };
        let json = serde_json::to_string(&csv).unwrap();
        assert_eq!(serde_json::from_str::<Source>(&json).unwrap(), csv);
        let spec = Source::Spec("gamma(2, 1)".into());
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<Source>(&json).unwrap(), spec);
        // A side saved before sources had a kind: decided by the rule.
        let old: Source = serde_json::from_str(r#"{"spec":"assets/x.csv"}"#).unwrap();
        assert_eq!(old, Source::csv("assets/x.csv"));
        let old: Source = serde_json::from_str(r#"{"spec":"poisson(3)"}"#).unwrap();
        assert_eq!(old, Source::Spec("poisson(3)".into()));
    }
}
