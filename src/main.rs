//! kl-explorer: parse the command line, then open the window or run a headless command.

use std::process::ExitCode;

use clap::Parser;
use kl_explorer::app::LaunchOptions;
use kl_explorer::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(command) => {
            let code =
                kl_explorer::cli::run(command, &mut std::io::stdout(), &mut std::io::stderr());
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        None => match kl_explorer::app::run(launch_options(cli)) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn launch_options(cli: Cli) -> LaunchOptions {
    LaunchOptions {
        p: cli.p,
        q: cli.q,
        open: cli.file,
        smoothing: cli.smoothing,
        no_restore: cli.no_restore,
        screenshot: cli.screenshot,
        size: cli.size,
        plots_only: cli.plots_only,
        bits: cli.bits,
        view: cli.view,
        drift: cli.drift_tables,
        divergence: cli.window_divergence.map(|(_, d)| d),
    }
}
