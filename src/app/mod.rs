//! The eframe application.
use std::process::ExitCode;

/// What the command line asked of the window.
pub struct LaunchOptions;
impl LaunchOptions {
    /// From the parsed command line.
    pub fn from_cli(_cli: &crate::cli::Cli) -> Self {
        LaunchOptions
    }
}
/// Opens the window.
///
/// # Errors
/// When no window can be opened.
pub fn run(_o: LaunchOptions) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}
