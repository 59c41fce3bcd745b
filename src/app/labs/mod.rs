//! The labs: views that fill the window's centre instead of the comparison's plots, each with
//! its own compute [`Lane`](super::worker::Lane) so that its long work never holds up the
//! comparison. A lab reads P and Q from [`LabInput`] and changes them only by returning
//! commands, as every panel does.

pub mod drift;
pub mod fit;
pub mod samples;

use std::sync::Arc;

use crate::distribution::Distribution;
use crate::divergence::Unit;
use crate::io::Source;

use super::Command;
use super::state::View;

/// What a lab may read of the comparison.
pub struct LabInput<'a> {
    /// P as the user gave it.
    pub p: &'a Arc<Distribution>,
    /// Q as the user gave it.
    pub q: &'a Arc<Distribution>,
    /// P's input.
    pub p_source: &'a Source,
    /// Q's input.
    pub q_source: &'a Source,
    /// Nats or bits.
    pub unit: Unit,
}

/// Every lab's state.
pub struct Labs {
    /// k1, k2, k3 from samples.
    pub samples: samples::SamplesLab,
    /// Fitting Q to P.
    pub fit: fit::FitLab,
    /// Drift between two tables.
    pub drift: drift::DriftLab,
}

impl Labs {
    /// Starts each lab's lane; `ctx` is asked for a repaint when an answer arrives.
    pub fn new(ctx: &egui::Context) -> Self {
        Labs {
            samples: samples::SamplesLab::new(ctx),
            fit: fit::FitLab::new(ctx),
            drift: drift::DriftLab::new(ctx),
        }
    }

    /// Draws the lab `view` names (nothing for the comparison) and returns its commands.
    pub fn ui(&mut self, view: View, ui: &mut egui::Ui, input: &LabInput<'_>) -> Vec<Command> {
        match view {
            View::Compare => Vec::new(),
            View::Samples => self.samples.ui(ui, input),
            View::Fit => self.fit.ui(ui, input),
            View::Drift => self.drift.ui(ui, input),
        }
    }

    /// Whether the lab `view` names has work in flight, or has not yet answered what it shows.
    pub fn is_busy(&self, view: View, input: &LabInput<'_>) -> bool {
        match view {
            View::Compare => false,
            View::Samples => self.samples.is_busy(input),
            View::Fit => self.fit.is_busy(input),
            View::Drift => self.drift.is_busy(input),
        }
    }
}
