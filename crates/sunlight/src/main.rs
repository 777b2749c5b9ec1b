//! `sunlight`: the one binary of the platform.
mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "sunlight", version, about = "阳光监管 Sunlight — 科技局监管平台")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    // One variant per command group; each group lives in its own module under `cmd/`.
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        // One arm per variant above.
    }
}
