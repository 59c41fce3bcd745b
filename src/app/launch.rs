//! What the command line asks of the window: the inputs to start from, a file to open, a
//! screenshot to take and exit; and opening the native window itself.
//!
//! A launch that names P or Q (or a file to open) starts from exactly those inputs, with no
//! smoothing unless `--smoothing` asks for it; only a plain launch restores the last session
//! (and `--no-restore` starts from the default comparison).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::divergence::Unit;
use crate::io::Source;

use super::state::State;
use super::{KlApp, STORAGE_KEY};

/// The exit code of a `--screenshot` run whose inputs were refused.
pub const EXIT_BAD_INPUT: u8 = 2;

/// What the command line asked of the window.
#[derive(Clone, Debug, Default)]
pub struct LaunchOptions {
    /// P's spec or file, as typed.
    pub p: Option<String>,
    /// Q's spec or file, as typed.
    pub q: Option<String>,
    /// A session JSON or exported PNG to open.
    pub open: Option<PathBuf>,
    /// Additive smoothing for histogram bins.
    pub smoothing: Option<f64>,
    /// Start from the default comparison instead of the last session.
    pub no_restore: bool,
    /// Save a PNG once drawn, then exit.
    pub screenshot: Option<PathBuf>,
    /// Window size.
    pub size: Option<(u32, u32)>,
    /// Screenshot the plots only.
    pub plots_only: bool,
    /// Start in bits.
    pub bits: bool,
    /// The view to open (the comparison, or a lab).
    pub view: Option<super::state::View>,
    /// The Drift lab's reference and current tables, compared at start.
    pub drift: Option<(PathBuf, PathBuf)>,
    /// The divergence to show beside KL (`--divergence renyi:2`).
    pub divergence: Option<crate::divergence::renyi::Divergence>,
}

/// A `--screenshot` run in progress.
pub struct ScreenshotJob {
    path: PathBuf,
    plots_only: bool,
    requested: bool,
    /// The session or PNG the command line opened: a refusal names it.
    opened: Option<PathBuf>,
}

impl LaunchOptions {
    /// Whether the command line names the comparison itself.
    fn names_inputs(&self) -> bool {
        self.p.is_some() || self.q.is_some() || self.open.is_some()
    }

    /// The state to start from, given the last session's (if any).
    pub fn initial_state(&self, saved: Option<State>) -> State {
        let restore = !self.no_restore && !self.names_inputs() && self.screenshot.is_none();
        let base = saved.filter(|_| restore).map(State::sanitized);
        let mut state = match base {
            Some(s) => s,
            None => State {
                // Settings that are not the comparison (recent files) survive a fresh start.
                recent: Vec::new(),
                ..State::default()
            },
        };
        if self.names_inputs() {
            state.smoothing = None;
            state.compare_on_p_bins = false;
        }
        if let Some(p) = &self.p {
            state.p = Source::from_text(p);
        }
        if let Some(q) = &self.q {
            state.q = Source::from_text(q);
        }
        if let Some(a) = self.smoothing {
            state.smoothing = Some(a);
        }
        if self.bits {
            state.unit = Unit::Bits;
        }
        if let Some(view) = self.view {
            state.view = view;
        }
        if let Some(d) = self.divergence {
            state.divergence = d;
        }
        state
    }

    /// The `--screenshot` job, if asked for.
    pub fn screenshot_job(&self) -> Option<ScreenshotJob> {
        self.screenshot.clone().map(|path| ScreenshotJob {
            path,
            plots_only: self.plots_only,
            requested: false,
            opened: self.open.clone(),
        })
    }
}

/// Why `--screenshot` cannot write to `path`: it writes PNG bytes only, so a name ending in
/// anything but `.png` (any case) would be a PNG under a false name (`x.jpg`). Checked before
/// the window opens.
pub fn screenshot_name_refusal(path: &std::path::Path) -> Option<String> {
    let ext = path.extension().and_then(|e| e.to_str());
    if ext.is_some_and(|e| e.eq_ignore_ascii_case("png")) {
        return None;
    }
    let got = ext.map_or_else(|| "no extension".to_string(), |e| format!(".{e}"));
    Some(format!(
        "--screenshot saves a PNG, so its file name must end in .png (got {got}); name it {}: {}",
        path.with_extension("png").display(),
        path.display()
    ))
}

/// Ends a `--screenshot` run that cannot produce its picture: the sentence on stderr, exit 2.
pub fn fail(ctx: &egui::Context, exit: &AtomicU8, message: &str) {
    eprintln!("error: {message}");
    exit.store(EXIT_BAD_INPUT, Ordering::Relaxed);
    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
}

/// Ends a `--screenshot` run once its PNG is written (or could not be).
pub fn finish(ctx: &egui::Context, exit: &AtomicU8, result: &Result<PathBuf, String>) {
    if let Err(e) = result {
        eprintln!("error: {e}");
    }
    exit.store(u8::from(result.is_err()), Ordering::Relaxed);
    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
}

impl KlApp {
    /// Why the `--screenshot` run cannot show what was asked: a side's input was refused, or
    /// the pair cannot be compared.
    fn screenshot_refusal(&self) -> Option<String> {
        let opened = self
            .screenshot
            .as_ref()
            .and_then(|job| job.opened.as_ref())
            .map(|f| format!("{}: ", f.display()))
            .unwrap_or_default();
        for side in [&self.p, &self.q] {
            if let Some(e) = &side.error {
                return Some(format!("{opened}{}: {e}", side.which.name()));
            }
        }
        match self.report() {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        }
    }

    /// Ends a `--screenshot` run (if this is one) with `why` and exit code 2.
    pub(super) fn refuse_screenshot(&mut self, why: &str) {
        if let Some(job) = &mut self.screenshot
            && !job.requested
        {
            job.requested = true;
            fail(&self.ctx, &self.exit_code, why);
        }
    }

    /// Saves the pending export, and for `--screenshot` the picture once everything is drawn.
    pub(super) fn screenshot_step(&mut self, ctx: &egui::Context) {
        if let Some((path, plots_only)) = self.pending_png.take() {
            self.request_png(ctx, path, plots_only, false);
        }
        let ready = !self.is_busy() && self.derived.is_some() && self.frames_since_result >= 3;
        let Some(job) = &self.screenshot else {
            return;
        };
        if job.requested {
            return;
        }
        if !ready {
            ctx.request_repaint();
            return;
        }
        if let Some(why) = self.screenshot_refusal() {
            self.refuse_screenshot(&why);
            return;
        }
        let (path, plots_only) = (job.path.clone(), job.plots_only);
        if let Some(job) = &mut self.screenshot {
            job.requested = true;
        }
        self.request_png(ctx, path, plots_only, true);
    }

    fn request_png(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        plots_only: bool,
        exit_after: bool,
    ) {
        let session = self.session();
        let crop = if plots_only { self.plots_rect } else { None };
        let ppp = ctx.pixels_per_point();
        let crop = crop.map(|r| [r.min.x * ppp, r.min.y * ppp, r.max.x * ppp, r.max.y * ppp]);
        let spawner = self.tasks.spawner();
        ctx.request_screenshot(move |image| {
            spawner.save_png(path, image, crop, session, exit_after);
        });
        ctx.request_repaint();
    }
}

/// Opens the window (or, with `--screenshot`, renders once and saves a PNG).
///
/// # Errors
/// When no window can be opened (no display) or the renderer fails.
pub fn run(launch: LaunchOptions) -> anyhow::Result<ExitCode> {
    if let Some(why) = launch
        .screenshot
        .as_deref()
        .and_then(screenshot_name_refusal)
    {
        eprintln!("error: {why}");
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    let headless =
        std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if headless {
        anyhow::bail!(
            "no display: kl-explorer needs a graphical session (set DISPLAY or WAYLAND_DISPLAY; for scripts, run it under xvfb-run)"
        );
    }
    let (w, h) = launch.size.unwrap_or((1400, 900));
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("kl-explorer")
        .with_inner_size([w as f32, h as f32])
        .with_min_inner_size([800.0, 560.0])
        .with_drag_and_drop(true);
    if launch.screenshot.is_some() {
        viewport = viewport.with_resizable(false);
    }
    let options = eframe::NativeOptions {
        viewport,
        persist_window: launch.screenshot.is_none(),
        ..Default::default()
    };
    // The --screenshot run fails unless the PNG is written.
    let exit = Arc::new(AtomicU8::new(u8::from(launch.screenshot.is_some())));
    let exit_for_app = exit.clone();
    eframe::run_native(
        "kl-explorer",
        options,
        Box::new(move |cc| {
            let saved: Option<State> = cc.storage.and_then(|s| eframe::get_value(s, STORAGE_KEY));
            Ok(Box::new(KlApp::new(
                &cc.egui_ctx,
                saved,
                &launch,
                exit_for_app,
            )))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))?;
    Ok(ExitCode::from(exit.load(Ordering::Relaxed)))
}
