//! kl-explorer: parse the command line, then open the window or run a headless command.

use std::process::ExitCode;

use clap::Parser;
use kl_explorer::cli::{Cli, Command, run_compute};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Compute(args)) => {
            let code = run_compute(args, &mut std::io::stdout(), &mut std::io::stderr());
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        None => match run_window(&cli) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run_window(cli: &Cli) -> anyhow::Result<ExitCode> {
    kl_explorer::app::run(kl_explorer::app::LaunchOptions::from_cli(cli))
}
