//! The app's saved state and its undo history.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::distribution::{Distribution, parse_spec};
use crate::divergence::Unit;
use crate::io::session::{Session, SideState};

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

/// Everything that is saved between runs (eframe persistence) and in session files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// P's spec or file.
    pub p: SideState,
    /// Q's spec or file.
    pub q: SideState,
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
}

/// The comparison the project grew from.
pub const DEFAULT_P: &str = "normal(0, 1)";
/// See [`DEFAULT_P`].
pub const DEFAULT_Q: &str = "normal(1, 2)";

impl Default for State {
    fn default() -> Self {
        State {
            p: SideState::from_spec(DEFAULT_P),
            q: SideState::from_spec(DEFAULT_Q),
            unit: Unit::Nats,
            direction: Direction::PQ,
            log_y: false,
            smoothing: None,
            grid: (-10.0, 10.0, 1000),
            recent: Vec::new(),
            export_plots_only: false,
            compare_on_p_bins: false,
        }
    }
}

impl State {
    /// The state restored from a session file.
    pub fn from_session(s: &Session, base: &State) -> State {
        State {
            p: s.p.clone(),
            q: s.q.clone(),
            unit: s.unit,
            smoothing: s.smoothing,
            ..base.clone()
        }
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

/// One entry of the undo history: both sides as they were.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// P's text and distribution.
    pub p: (String, Arc<Distribution>, SideState),
    /// Q's text and distribution.
    pub q: (String, Arc<Distribution>, SideState),
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
