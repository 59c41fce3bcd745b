//! The Fit lab (placeholder: being built).

use super::LabInput;
use crate::app::Command;

/// The Fit lab's state.
#[derive(Default)]
pub struct FitLab {}

impl FitLab {
    /// Starts the lab.
    pub fn new(_ctx: &egui::Context) -> Self {
        FitLab::default()
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
