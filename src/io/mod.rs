//! Input and output: CSV histograms, PNG export with metadata, saved sessions.
//!
//! Nothing here knows about egui. Loading reports progress and can be cancelled through
//! [`LoadControl`], so the app can run it on a worker thread.

pub mod csv;
pub mod file;
mod number;
pub mod png;
pub mod session;
pub mod source;
pub mod table;

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::cancel::Cancel;
use crate::distribution::{Distribution, SpecError, parse_spec};
pub use csv::{CsvError, CsvErrorKind, CsvOptions, SessionFormat};
pub use source::Source;

/// A file that could not be loaded, with where in it and why. Displays as
/// `line 14, column 3: count is negative (-2); counts must be ≥ 0: train.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, if the problem is on one.
    pub line: Option<usize>,
    /// 1-based column, if the problem is in one.
    pub column: Option<usize>,
    /// What is wrong; branch on this, never on the sentence.
    pub kind: LoadErrorKind,
}

impl LoadError {
    /// An error about the file as a whole.
    pub fn new(path: &Path, kind: LoadErrorKind) -> Self {
        LoadError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            kind,
        }
    }

    /// The error for `path` from the reader's [`CsvError`]: a cancelled read becomes
    /// [`LoadErrorKind::Cancelled`] and a session [`LoadErrorKind::IsSession`].
    pub fn from_csv(path: &Path, e: CsvError) -> Self {
        let kind = match e.kind {
            CsvErrorKind::Cancelled => return LoadError::new(path, LoadErrorKind::Cancelled),
            CsvErrorKind::IsSession { format } => {
                return LoadError::new(path, LoadErrorKind::IsSession { format });
            }
            kind => LoadErrorKind::Csv(kind),
        };
        LoadError {
            path: path.to_path_buf(),
            line: e.line,
            column: e.column,
            kind,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        csv::write_position(f, self.line, self.column)?;
        write!(f, "{}: {}", self.kind, self.path.display())
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

/// Every way loading a file can fail. The `Display` text is the sentence shown to the user;
/// the path and place are in [`LoadError`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LoadErrorKind {
    /// Nothing at the path.
    #[error("file not found (was it moved or deleted?)")]
    NotFound,
    /// A directory.
    #[error("this is a folder, not a file; choose a CSV file inside it")]
    Folder,
    /// A named pipe, a device or a socket: refused before it is opened, since reading one may
    /// block or never end.
    #[error(
        "this is {}, not a regular file; kl-explorer reads only regular files: save the data to a file and open that",
        kind.name()
    )]
    NotARegularFile {
        /// What it is.
        kind: file::SpecialFile,
    },
    /// A file too large to hold in memory as numbers.
    #[error(
        "the file is {}, more rows than this machine's free memory ({}) can hold as numbers; bin it first",
        human_bytes(*bytes),
        human_bytes(*free)
    )]
    TooLarge {
        /// The file's size.
        bytes: u64,
        /// Free memory.
        free: u64,
    },
    /// The file system refused to say what the file is or to open it.
    #[error("cannot read the file ({reason})")]
    Unreadable {
        /// The system's reason.
        reason: String,
    },
    /// The file's content is not a histogram.
    #[error("{0}")]
    Csv(CsvErrorKind),
    /// The load's [`crate::cancel::Cancel`] was set.
    #[error("loading was cancelled")]
    Cancelled,
    /// A saved session or an exported PNG, given where a histogram was expected.
    #[error(
        "this is a kl-explorer session (or an exported PNG), not a histogram: open it with `kl-explorer FILE`"
    )]
    IsSession {
        /// Which of the two it is.
        format: csv::SessionFormat,
    },
    /// The reader failed unexpectedly (a bug).
    #[error(
        "kl-explorer failed while reading this file ({reason}); this is a bug, please report it"
    )]
    Internal {
        /// What failed.
        reason: String,
    },
}

/// Progress and cancellation for a load running on another thread.
#[derive(Clone, Debug, Default)]
pub struct LoadControl {
    /// Bytes read so far.
    pub bytes_read: Arc<AtomicU64>,
    /// The file's size, once known.
    pub total_bytes: Arc<AtomicU64>,
    /// Set to ask the load to stop; the load then fails with [`LoadErrorKind::Cancelled`].
    pub cancel: Cancel,
}

impl LoadControl {
    /// Fraction done, 0 to 1.
    pub fn fraction(&self) -> f32 {
        let total = self.total_bytes.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.bytes_read.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32
    }
}

/// A reader that counts the bytes it passes on and stops with [`crate::cancel::Cancelled`] (inside an
/// `io::Error`, found again by type) once the load is cancelled.
struct Counting<R> {
    inner: R,
    control: LoadControl,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.control.cancel.check().map_err(std::io::Error::other)?;
        let n = self.inner.read(buf)?;
        self.control
            .bytes_read
            .fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Memory the machine has free, in bytes, if it can be read.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn human_bytes(b: u64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < units.len() {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} bytes")
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// Loads a CSV histogram from `path`.
///
/// # Errors
/// [`LoadError`] for a missing or unreadable file, a directory, a named pipe, device or socket
/// (refused before opening), a file too large for memory, binary or non-UTF-8 content, or any
/// malformed row (with its line and column).
pub fn load_histogram(
    path: &Path,
    options: &CsvOptions,
    control: &LoadControl,
) -> Result<Distribution, LoadError> {
    let meta = file::regular_file_metadata(path)?;
    if let Some(free) = available_memory()
        && meta.len() > free / 2
    {
        return Err(LoadError::new(
            path,
            LoadErrorKind::TooLarge {
                bytes: meta.len(),
                free,
            },
        ));
    }
    control.total_bytes.store(meta.len(), Ordering::Relaxed);
    let (file, meta) = file::open_regular_file(path)?;
    let reader = Counting {
        inner: file,
        control: control.clone(),
    };
    csv::read_histogram_sized(reader, &path.to_string_lossy(), options, Some(meta.len()))
        .map_err(|e| LoadError::from_csv(path, e))
}

/// A spec that could not be turned into a distribution.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SpecOrFileError {
    /// A spec-language error.
    #[error("{0}")]
    Spec(#[from] SpecError),
    /// A file that failed to load.
    #[error("{0}")]
    File(#[from] LoadError),
}

/// Whether `text` names a file rather than a spec: it exists, or it looks like a path
/// (ends in .csv/.tsv/.txt or contains a path separator and no parenthesis).
pub fn looks_like_path(text: &str) -> bool {
    let t = text.trim();
    if Path::new(t).exists() {
        return true;
    }
    let lower = t.to_lowercase();
    !t.contains('(')
        && (lower.ends_with(".csv")
            || lower.ends_with(".tsv")
            || lower.ends_with(".txt")
            || t.contains('/'))
}

/// Resolves what a user typed: a path to a CSV file, or a spec.
///
/// # Errors
/// The spec error or the load error, as a sentence.
pub fn load_spec(text: &str, options: &CsvOptions) -> Result<Distribution, SpecOrFileError> {
    if looks_like_path(text) {
        return Ok(load_histogram(
            Path::new(text.trim()),
            options,
            &LoadControl::default(),
        )?);
    }
    Ok(parse_spec(text)?)
}

/// Writes the plotted curves as CSV: x, p, q, both pointwise divergences, both running
/// integrals.
///
/// # Errors
/// The I/O error, when the file cannot be written.
pub fn export_curves(path: &Path, c: &crate::divergence::pointwise::Curves) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(File::create(path)?);
    writeln!(
        out,
        "x,p,q,p_ln_p_over_q,q_ln_q_over_p,running_kl_pq,running_kl_qp"
    )?;
    for i in 0..c.x.len() {
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            c.x[i], c.p[i], c.q[i], c.d_pq[i], c.d_qp[i], c.run_pq[i], c.run_qp[i]
        )?;
    }
    out.flush()
}
