//! Background tasks that touch files or the desktop: loading a side's file, native dialogs,
//! opening sessions and PNGs, writing exports. Each runs on a named thread and answers with a
//! [`Msg`] through one channel, then asks for a repaint; the UI thread never reads or writes a
//! file. (The figures themselves are computed by the [`super::worker`].)

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use crate::distribution::{Distribution, parse_spec};
use crate::io::session::{Session, SideState};
use crate::io::{LoadControl, LoadError, LoadErrorKind, Source, load_histogram};

use super::export::save_screenshot;
use super::state::Which;
use super::worker::panic_text;

/// The largest session JSON file read.
pub const MAX_SESSION_BYTES: u64 = 64 << 20;

/// What a native dialog is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialog {
    /// Load a CSV into a side.
    OpenCsv(Which),
    /// Open a session file or an exported PNG.
    OpenSession,
    /// Save a PNG screenshot.
    ExportPng,
    /// Save the curves as CSV.
    ExportCurves,
    /// Save the figures as JSON.
    ExportFigures,
    /// Save the session.
    SaveSession,
    /// Choose a table (CSV or Parquet) for the Drift lab.
    OpenTable(crate::drift::Side),
}

impl Dialog {
    /// Whether the dialog asks for a file to write (so that, with no dialog at all, the app
    /// can write under a default name instead).
    pub fn saves(self) -> bool {
        matches!(
            self,
            Dialog::ExportPng | Dialog::ExportCurves | Dialog::ExportFigures | Dialog::SaveSession
        )
    }
}

/// How a dialog ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogOutcome {
    /// The user chose this path.
    Chosen(PathBuf),
    /// The user closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown: no XDG portal and no zenity, or the backend failed at once.
    Unavailable,
}

/// What a session side became.
#[derive(Debug)]
pub enum Restored {
    /// The distribution (a spec, or a histogram embedded in the session).
    Ready(Arc<Distribution>),
    /// A file the session names: loaded like any file, with progress and Cancel.
    Load,
    /// Why not (the side then keeps what it had).
    Failed(String),
}

/// A side restored from a session: its input and distribution, and what to tell the user.
#[derive(Debug)]
pub struct RestoredSide {
    /// The input.
    pub source: Source,
    /// The distribution, or how to get it.
    pub dist: Restored,
    /// Something worth saying about how it was restored (e.g. which copy of a file was used).
    pub note: Option<String>,
}

/// A session file, read and its sides made into distributions.
#[derive(Debug)]
pub struct OpenedSession {
    /// The document.
    pub session: Session,
    /// P and Q.
    pub sides: [RestoredSide; 2],
}

/// A result coming back to the UI thread.
pub enum Msg {
    /// A side's file finished loading.
    Loaded {
        /// The side it is for.
        which: Which,
        /// The load's id (a newer load for the side supersedes it).
        id: u64,
        /// What was loaded.
        source: Source,
        /// The histogram, or why not.
        result: Result<Distribution, LoadError>,
    },
    /// A native dialog closed.
    Dialog {
        /// What it was for.
        purpose: Dialog,
        /// How it ended.
        outcome: DialogOutcome,
    },
    /// A session or PNG was read.
    SessionRead {
        /// The file.
        path: PathBuf,
        /// The session and its sides, or why it cannot be opened.
        result: Result<Box<OpenedSession>, String>,
    },
    /// A file was written (or not).
    Saved {
        /// What was saved: the path, or the error sentence.
        result: Result<PathBuf, String>,
        /// Whether this was the `--screenshot` run.
        exit_after: bool,
    },
}

/// Starts tasks that answer on the app's channel; cheap to clone into a callback.
#[derive(Clone)]
pub struct Spawner {
    tx: Sender<Msg>,
    ctx: egui::Context,
}

impl Spawner {
    fn spawn(&self, name: &str, f: impl FnOnce() -> Msg + Send + 'static) {
        let (tx, ctx) = (self.tx.clone(), self.ctx.clone());
        let started = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                // The receiver lives as long as the app; a closed channel means the app is gone.
                let _ = tx.send(f());
                ctx.request_repaint();
            });
        if let Err(e) = started {
            eprintln!("kl-explorer: could not start a worker thread: {e}");
        }
    }

    /// Writes a screenshot as PNG with the session embedded (the files it names are read
    /// here, off the UI thread).
    pub fn save_png(
        &self,
        path: PathBuf,
        image: Arc<egui::ColorImage>,
        crop: Option<[f32; 4]>,
        session: Session,
        exit_after: bool,
    ) {
        self.spawn("kl-png", move || {
            let session = Session {
                p: session.p.with_file_contents(),
                q: session.q.with_file_contents(),
                ..session
            };
            let result = save_screenshot(&path, &image, crop, &session)
                .map(|()| path.clone())
                .map_err(|e| e.to_string());
            Msg::Saved { result, exit_after }
        });
    }
}

/// The channel the tasks answer on.
pub struct Tasks {
    spawner: Spawner,
    rx: Receiver<Msg>,
}

impl Tasks {
    /// Tasks that wake `ctx` when they answer.
    pub fn new(ctx: &egui::Context) -> Self {
        let (tx, rx) = channel();
        Tasks {
            spawner: Spawner {
                tx,
                ctx: ctx.clone(),
            },
            rx,
        }
    }

    /// The answers that arrived since the last call.
    pub fn poll(&self) -> Vec<Msg> {
        self.rx.try_iter().collect()
    }

    /// A handle that starts tasks from a callback (the screenshot's).
    pub fn spawner(&self) -> Spawner {
        self.spawner.clone()
    }

    fn spawn(&self, name: &str, f: impl FnOnce() -> Msg + Send + 'static) {
        self.spawner.spawn(name, f);
    }

    /// Loads a side's CSV file.
    pub fn load(&self, which: Which, id: u64, source: Source, control: LoadControl) {
        self.spawn("kl-load", move || {
            let result = load_source_file(&source, &control);
            Msg::Loaded {
                which,
                id,
                source,
                result,
            }
        });
    }

    /// Opens a native dialog.
    pub fn dialog(&self, purpose: Dialog, default_name: String) {
        self.spawn("kl-dialog", move || Msg::Dialog {
            purpose,
            outcome: run_dialog(purpose, &default_name),
        });
    }

    /// Reads a session JSON or an exported PNG and restores its sides.
    pub fn open_session(&self, path: PathBuf) {
        self.spawn("kl-session", move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                open_session_file(&path)
            }))
            .unwrap_or_else(|panic| {
                Err(format!(
                    "kl-explorer failed while opening this file ({}); this is a bug, please report it: {}",
                    panic_text(&*panic),
                    path.display()
                ))
            });
            Msg::SessionRead { path, result }
        });
    }

    /// Writes a file with `write` (which may itself read files, e.g. to embed a CSV in a
    /// session); `what` names it in the error sentence.
    pub fn save(
        &self,
        path: PathBuf,
        what: &'static str,
        write: impl FnOnce(&Path) -> std::io::Result<()> + Send + 'static,
    ) {
        self.spawn("kl-write", move || {
            let result = write(&path)
                .map(|()| path.clone())
                .map_err(|e| format!("could not write the {what} ({e}): {}", path.display()));
            Msg::Saved {
                result,
                exit_after: false,
            }
        });
    }
}

/// Loads the file of a CSV source (a spec source has none: that is a bug of the caller,
/// answered with a sentence).
fn load_source_file(source: &Source, control: &LoadControl) -> Result<Distribution, LoadError> {
    let Source::Csv { path, options } = source else {
        return Err(LoadError::new(
            Path::new(""),
            LoadErrorKind::Internal {
                reason: "a spec was sent to the file loader".into(),
            },
        ));
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        load_histogram(path, options, control)
    }))
    .unwrap_or_else(|panic| {
        Err(LoadError::new(
            path,
            LoadErrorKind::Internal {
                reason: panic_text(&*panic),
            },
        ))
    })
}

/// Whether a native file dialog can be shown: the XDG portal needs a session bus, and rfd
/// falls back to zenity.
pub fn dialog_backend_available() -> bool {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
    };
    on_path("zenity") || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
}

fn run_dialog(purpose: Dialog, default_name: &str) -> DialogOutcome {
    if !dialog_backend_available() {
        return DialogOutcome::Unavailable;
    }
    let start = Instant::now();
    let d = rfd::FileDialog::new();
    let path = match purpose {
        Dialog::OpenCsv(which) => d
            .set_title(format!("Load a CSV histogram as {}", which.name()))
            .add_filter("CSV histogram", &["csv", "tsv", "txt"])
            .add_filter("All files", &["*"])
            .pick_file(),
        Dialog::OpenTable(side) => d
            .set_title(format!("Choose the {} table", side.name()))
            .add_filter(
                "CSV or Parquet table",
                &["csv", "tsv", "txt", "parquet", "pq"],
            )
            .add_filter("All files", &["*"])
            .pick_file(),
        Dialog::OpenSession => d
            .set_title("Open a comparison")
            .add_filter("kl-explorer session or PNG", &["json", "png"])
            .pick_file(),
        Dialog::ExportPng => d
            .set_title("Export PNG")
            .set_file_name(default_name)
            .add_filter("PNG image", &["png"])
            .save_file(),
        Dialog::ExportCurves => d
            .set_title("Export curves as CSV")
            .set_file_name(default_name)
            .add_filter("CSV", &["csv"])
            .save_file(),
        Dialog::ExportFigures | Dialog::SaveSession => d
            .set_title("Save")
            .set_file_name(default_name)
            .add_filter("JSON", &["json"])
            .save_file(),
    };
    match path {
        Some(p) => DialogOutcome::Chosen(p),
        // rfd says None both when the user cancels and when its backend failed; a person
        // cannot cancel a dialog within 150 ms, so an instant None means no dialog was shown.
        None if start.elapsed() < Duration::from_millis(150) => DialogOutcome::Unavailable,
        None => DialogOutcome::Cancelled,
    }
}

/// Reads a session document from a JSON file or a PNG's metadata.
fn read_session(path: &Path) -> Result<Session, String> {
    let is_png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if is_png {
        return crate::io::png::read_png_session(path)
            .map(|(s, _, _)| s)
            .map_err(|e| e.to_string());
    }
    let text = read_bounded(path, MAX_SESSION_BYTES)?;
    Session::from_json(&text).map_err(|e| format!("{e}: {}", path.display()))
}

/// Reads a regular file of at most `limit` bytes as UTF-8.
fn read_bounded(path: &Path, limit: u64) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read the file ({e}): {}", path.display()))?;
    if !meta.is_file() {
        return Err(format!(
            "this is not a regular file (a folder, a pipe or a device), so it is not read: {}",
            path.display()
        ));
    }
    if meta.len() > limit {
        return Err(format!(
            "the file is larger than the {} MiB a session may be: {}",
            limit >> 20,
            path.display()
        ));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot open the file ({e}): {}", path.display()))?;
    let mut text = String::new();
    file.take(limit).read_to_string(&mut text).map_err(|e| {
        format!(
            "cannot read the file as UTF-8 text ({e}): {}",
            path.display()
        )
    })?;
    Ok(text)
}

fn open_session_file(path: &Path) -> Result<Box<OpenedSession>, String> {
    let session = read_session(path)?;
    let sides = [restore_side(&session.p), restore_side(&session.q)];
    Ok(Box::new(OpenedSession { session, sides }))
}

/// A session side as a distribution: a spec is parsed; a CSV comes from the embedded copy when
/// there is one (saying so when the file on disk differs), else from the file.
fn restore_side(st: &SideState) -> RestoredSide {
    let source = st.source();
    match &source {
        Source::Spec(spec) => RestoredSide {
            dist: match parse_spec(spec) {
                Ok(d) => Restored::Ready(Arc::new(d)),
                Err(e) => Restored::Failed(e.to_string()),
            },
            source,
            note: None,
        },
        Source::Csv { path, options } => {
            if let Some(text) = &st.embedded_csv {
                let name = path.display().to_string();
                let dist = match crate::io::csv::read_histogram(text.as_bytes(), &name, options) {
                    Ok(d) => Restored::Ready(Arc::new(d)),
                    Err(e) => Restored::Failed(format!("embedded histogram {name}: {e}")),
                };
                // Only a regular file is read (a pipe at that path would never end), and only
                // when its size matches the copy's, so a huge file there is never read whole.
                let differs = std::fs::metadata(path).is_ok_and(|m| {
                    m.is_file()
                        && (m.len() != text.len() as u64
                            || std::fs::read(path).is_ok_and(|disk| disk != text.as_bytes()))
                });
                let note = differs.then(|| {
                    format!(
                        "used the copy of {name} embedded in the session; the file at that path differs"
                    )
                });
                return RestoredSide { source, dist, note };
            }
            let changed = st
                .sha256
                .as_ref()
                .is_some_and(|saved| sha256_of(path).is_some_and(|now| now != *saved));
            let note = changed.then(|| {
                format!(
                    "{} has changed since the session was saved (its SHA-256 differs); the figures are those of the file as it is now",
                    path.display()
                )
            });
            RestoredSide {
                source,
                dist: Restored::Load,
                note,
            }
        }
    }
}

/// The SHA-256 of a regular file, hex.
fn sha256_of(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut f = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut f, &mut hasher).ok()?;
    Some(format!("{:x}", hasher.finalize()))
}
