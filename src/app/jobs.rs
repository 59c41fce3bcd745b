//! Work that runs off the UI thread: computing figures and curves, loading files, native
//! dialogs, writing PNGs. Each job runs on a named thread and reports through a channel, then
//! asks for a repaint.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use crate::distribution::Distribution;
use crate::divergence::bins::{BinTable, bin_table};
use crate::divergence::pointwise::{Curves, curves};
use crate::divergence::{self, Options, Report};
use crate::io::{CsvOptions, LoadControl, LoadError, load_histogram};

use super::state::Which;

/// What a dialog was opened for.
#[derive(Clone, Debug, PartialEq)]
pub enum DialogPurpose {
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
}

/// A result coming back to the UI thread.
pub enum Msg {
    /// Figures and curves for generation `generation`.
    Computed {
        /// Which request this answers.
        generation: u64,
        /// The figures, or why the pair cannot be compared.
        report: Box<Result<Report, String>>,
        /// The curves.
        curves: Arc<Curves>,
        /// Per-bin contributions, when a side is binned.
        bins: Option<Arc<BinTable>>,
        /// How long it took.
        elapsed: Duration,
    },
    /// A file finished loading.
    Loaded {
        /// The side it is for.
        which: Which,
        /// The load's id.
        id: u64,
        /// The path.
        path: PathBuf,
        /// How it was read.
        options: CsvOptions,
        /// The histogram, or why not.
        result: Result<Distribution, LoadError>,
    },
    /// A native dialog closed.
    Dialog {
        /// What it was for.
        purpose: DialogPurpose,
        /// The chosen path, if any.
        path: Option<PathBuf>,
        /// Whether a dialog could have been shown at all (false: no backend was found).
        backend_available: bool,
        /// How long it was open.
        elapsed: Duration,
    },
    /// A screenshot was written (or not).
    Saved {
        /// What was saved: the path, or the error sentence.
        result: Result<PathBuf, String>,
        /// Whether this was the `--screenshot` run.
        exit_after: bool,
    },
}

/// Sends `msg` and wakes the UI.
pub fn send(tx: &Sender<Msg>, ctx: &egui::Context, msg: Msg) {
    // The receiver lives as long as the app; a closed channel means the app is gone.
    let _ = tx.send(msg);
    ctx.request_repaint();
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.into()).spawn(f) {
        // Out of threads: nothing sensible to do but say so on stderr.
        eprintln!("kl-explorer: could not start a worker thread: {e}");
    }
}

/// What a panic said, if it said it in text.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// Computes the report and curves for P and Q.
pub fn compute(
    ctx: &egui::Context,
    tx: &Sender<Msg>,
    generation: u64,
    p: Arc<Distribution>,
    q: Arc<Distribution>,
) {
    let (ctx, tx) = (ctx.clone(), tx.clone());
    spawn("kl-compute", move || {
        let start = Instant::now();
        // A bug in the engine must not leave the window waiting for figures forever: it
        // becomes a sentence in the metrics panel, and the app goes on.
        let work = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let report =
                divergence::compare(&p, &q, &Options::default()).map_err(|e| e.to_string());
            let bins = bin_table(&p, &q, &crate::cancel::Cancel::default())
                .ok()
                .flatten()
                .map(Arc::new);
            let curves = if report.is_ok() {
                Arc::new(curves(&p, &q, 4000))
            } else {
                Arc::new(Curves::default())
            };
            (report, bins, curves)
        }));
        let (report, bins, curves) = work.unwrap_or_else(|panic| {
            (
                Err(format!(
                    "kl-explorer failed while computing this pair ({}); this is a bug, please report it with both specs",
                    panic_text(&*panic)
                )),
                None,
                Arc::new(Curves::default()),
            )
        });
        send(
            &tx,
            &ctx,
            Msg::Computed {
                generation,
                report: Box::new(report),
                curves,
                bins,
                elapsed: start.elapsed(),
            },
        );
    });
}

/// Loads a CSV histogram.
pub fn load(
    ctx: &egui::Context,
    tx: &Sender<Msg>,
    which: Which,
    id: u64,
    path: PathBuf,
    options: CsvOptions,
    control: LoadControl,
) {
    let (ctx, tx) = (ctx.clone(), tx.clone());
    spawn("kl-load", move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            load_histogram(&path, &options, &control)
        }))
        .unwrap_or_else(|panic| {
            Err(LoadError {
                path: path.clone(),
                line: None,
                column: None,
                message: format!(
                    "kl-explorer failed while reading this file ({}); this is a bug, please report it",
                    panic_text(&*panic)
                ),
            })
        });
        send(
            &tx,
            &ctx,
            Msg::Loaded {
                which,
                id,
                path,
                options,
                result,
            },
        );
    });
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

/// Opens a native dialog for `purpose`.
pub fn dialog(ctx: &egui::Context, tx: &Sender<Msg>, purpose: DialogPurpose, default_name: String) {
    let (ctx, tx) = (ctx.clone(), tx.clone());
    spawn("kl-dialog", move || {
        let available = dialog_backend_available();
        let start = Instant::now();
        let path = if available {
            let d = rfd::FileDialog::new();
            match &purpose {
                DialogPurpose::OpenCsv(_) => d
                    .set_title("Load a CSV histogram")
                    .add_filter("CSV histogram", &["csv", "tsv", "txt"])
                    .add_filter("All files", &["*"])
                    .pick_file(),
                DialogPurpose::OpenSession => d
                    .set_title("Open a comparison")
                    .add_filter("kl-explorer session or PNG", &["json", "png"])
                    .pick_file(),
                DialogPurpose::ExportPng => d
                    .set_title("Export PNG")
                    .set_file_name(&default_name)
                    .add_filter("PNG image", &["png"])
                    .save_file(),
                DialogPurpose::ExportCurves => d
                    .set_title("Export curves as CSV")
                    .set_file_name(&default_name)
                    .add_filter("CSV", &["csv"])
                    .save_file(),
                DialogPurpose::ExportFigures | DialogPurpose::SaveSession => d
                    .set_title("Save")
                    .set_file_name(&default_name)
                    .add_filter("JSON", &["json"])
                    .save_file(),
            }
        } else {
            None
        };
        send(
            &tx,
            &ctx,
            Msg::Dialog {
                purpose,
                path,
                backend_available: available,
                elapsed: start.elapsed(),
            },
        );
    });
}
