//! The app's saved state and its undo history.
//!
//! [`State`] is everything that is saved between runs: each side's [`Source`] (the input the
//! distribution was made from) and the view settings. Runtime things (parsed distributions,
//! errors, loads in flight, results) live beside it in the app, never in it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::distribution::{Distribution, parse_spec};
use crate::divergence::Unit;
use crate::io::Source;
use crate::io::session::{DEFAULT_P, DEFAULT_Q, Session};

/// Which side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Which {
    /// The reference, P.
    P,
    /// The approximation, Q.
    Q,
}

impl Which {
    /// "P" or "Q".
    pub fn name(self) -> &'static str {
        match self {
            Which::P => "P",
            Which::Q => "Q",
        }
    }

    /// The other side.
    pub fn other(self) -> Which {
        match self {
            Which::P => Which::Q,
            Which::Q => Which::P,
        }
    }
}

/// Which pointwise divergence the plots show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// p·ln(p/q).
    #[default]
    PQ,
    /// q·ln(q/p).
    QP,
    /// Both.
    Both,
}

impl Direction {
    /// Whether the P‖Q direction is shown.
    pub fn shows_pq(self) -> bool {
        self != Direction::QP
    }

    /// Whether the Q‖P direction is shown.
    pub fn shows_qp(self) -> bool {
        self != Direction::PQ
    }
}

/// Which view fills the window's centre: the comparison's plots, or one of the labs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum View {
    /// Densities, the pointwise divergence and its running integral.
    #[default]
    Compare,
    /// Estimating KL from samples: k1, k2, k3.
    Samples,
    /// Fitting Q to P: forward against reverse KL.
    Fit,
    /// Drift between two raw tables, column by column.
    Drift,
}

impl View {
    /// Every view, in the order of the tabs.
    pub const ALL: [View; 4] = [View::Compare, View::Samples, View::Fit, View::Drift];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            View::Compare => "Compare",
            View::Samples => "Samples",
            View::Fit => "Fit",
            View::Drift => "Drift",
        }
    }
}

/// Everything that is saved between runs (eframe persistence) and in session files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// P's input.
    pub p: Source,
    /// Q's input.
    pub q: Source,
    /// Nats or bits.
    pub unit: Unit,
    /// Which pointwise divergence to plot.
    pub direction: Direction,
    /// Log scale for the density plot.
    pub log_y: bool,
    /// Additive smoothing for histograms: pseudo-count per bin.
    pub smoothing: Option<f64>,
    /// The naive grid of the "How is it computed?" section: a, b, n.
    pub grid: (f64, f64, usize),
    /// Recently opened files, newest first.
    pub recent: Vec<String>,
    /// Export the plots alone rather than the whole window.
    pub export_plots_only: bool,
    /// With a histogram P and a parametric Q: compare both as discrete distributions on P's
    /// bins.
    pub compare_on_p_bins: bool,
    /// The view in the window's centre.
    pub view: View,
    /// The divergence of the family section and the pointwise plots (KL by default).
    pub divergence: crate::divergence::renyi::Divergence,
}

impl Default for State {
    fn default() -> Self {
        State {
            p: Source::Spec(DEFAULT_P.into()),
            q: Source::Spec(DEFAULT_Q.into()),
            unit: Unit::Nats,
            direction: Direction::PQ,
            log_y: false,
            smoothing: None,
            grid: (-10.0, 10.0, 1000),
            recent: Vec::new(),
            export_plots_only: false,
            compare_on_p_bins: false,
            view: View::Compare,
            divergence: crate::divergence::renyi::Divergence::Kl,
        }
    }
}

/// The most grid points the naive sum takes (the window's slider and the command line).
pub const MAX_GRID_POINTS: usize = 100_000;

impl State {
    /// A side's input.
    pub fn source(&self, which: Which) -> &Source {
        match which {
            Which::P => &self.p,
            Which::Q => &self.q,
        }
    }

    /// A side's input, to change.
    pub fn source_mut(&mut self, which: Which) -> &mut Source {
        match which {
            Which::P => &mut self.p,
            Which::Q => &mut self.q,
        }
    }

    /// The settings a session carries (its sides are restored separately, once loaded).
    pub fn apply_session_settings(&mut self, s: &Session) {
        self.unit = s.unit;
        self.smoothing = s.smoothing;
    }

    /// The saved state, made safe to use: a grid the window can draw, a smoothing it can
    /// apply. A stored state is untrusted input like any file.
    pub fn sanitized(mut self) -> State {
        let (a, b, n) = self.grid;
        if !(a.is_finite() && b.is_finite() && a < b) {
            self.grid = State::default().grid;
        }
        self.grid.2 = n.clamp(10, MAX_GRID_POINTS);
        self.smoothing = self
            .smoothing
            .filter(|a| a.is_finite() && *a > 0.0)
            .map(|a| a.clamp(1e-6, 10.0));
        self.recent.truncate(8);
        self
    }
}

/// The distribution a default spec parses to.
pub fn default_dist(which: Which) -> Arc<Distribution> {
    let spec = match which {
        Which::P => DEFAULT_P,
        Which::Q => DEFAULT_Q,
    };
    // The defaults are valid specs; a failure here would be a bug caught by the tests.
    Arc::new(parse_spec(spec).unwrap_or_else(|_| {
        Distribution::Parametric(
            crate::distribution::Parametric::new(
                crate::distribution::FamilyId::Normal,
                vec![0.0, 1.0],
            )
            .unwrap_or_else(|_| std::process::abort()),
        )
    }))
}

/// One side as it was: its input and the distribution made from it (kept so that undo does
/// not reload a file).
#[derive(Clone, Debug)]
pub struct SideSnapshot {
    /// The input.
    pub source: Source,
    /// The distribution it gave.
    pub dist: Arc<Distribution>,
}

/// One entry of the undo history: both sides as they were.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// P.
    pub p: SideSnapshot,
    /// Q.
    pub q: SideSnapshot,
}

/// Undo and redo of edits to P and Q. Edits within a short time of each other on the same
/// side (a slider drag, typing) are coalesced into one step.
#[derive(Default)]
pub struct History {
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
    last: Option<(Which, f64)>,
}

const COALESCE_SECS: f64 = 0.8;
const MAX_STEPS: usize = 200;

impl History {
    /// Records `before` as the state to return to, unless this edit continues the last one.
    pub fn record(&mut self, before: Snapshot, which: Option<Which>, now_secs: f64) {
        let continues = matches!((self.last, which), (Some((w, t)), Some(x)) if w == x && now_secs - t < COALESCE_SECS);
        self.last = which.map(|w| (w, now_secs));
        if continues {
            return;
        }
        self.undo.push(before);
        if self.undo.len() > MAX_STEPS {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// Steps back: returns the snapshot to restore, given the current one.
    pub fn undo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let s = self.undo.pop()?;
        self.redo.push(current);
        self.last = None;
        Some(s)
    }

    /// Steps forward.
    pub fn redo(&mut self, current: Snapshot) -> Option<Snapshot> {
        let s = self.redo.pop()?;
        self.undo.push(current);
        self.last = None;
        Some(s)
    }

    /// Whether there is anything to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is anything to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}
