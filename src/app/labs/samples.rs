//! The Samples lab (placeholder: being built).

use super::LabInput;
use crate::app::Command;

/// The Samples lab's state.
#[derive(Default)]
pub struct SamplesLab {}

impl SamplesLab {
    /// Starts the lab.
    pub fn new(_ctx: &egui::Context) -> Self {
        SamplesLab::default()
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
