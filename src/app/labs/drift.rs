//! The Drift lab (placeholder: being built).

use super::LabInput;
use crate::app::Command;

/// The Drift lab's state.
#[derive(Default)]
pub struct DriftLab {}

impl DriftLab {
    /// Starts the lab.
    pub fn new(_ctx: &egui::Context) -> Self {
        DriftLab::default()
    }

    /// Draws the lab.
    pub fn ui(&mut self, ui: &mut egui::Ui, _input: &LabInput<'_>) -> Vec<Command> {
        ui.label("Not built yet.");
        Vec::new()
    }

    /// Whether work is in flight.
    pub fn is_busy(&self, _input: &LabInput<'_>) -> bool {
        false
    }
}
