//! `qirvo`: run, debug and check WebAssembly plugins for the Qirvo plugin runtime.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Run, debug and check WebAssembly plugins for the Qirvo plugin runtime.
#[derive(Parser)]
#[command(name = "qirvo", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check manifests (and the modules they name) and print every problem found.
    Check(cli::check::CheckArgs),
    /// Debug plugins headlessly: print each stop (location, stack, expressions), then go on.
    Debug(cli::debug::DebugArgs),
    /// Serve the Debug Adapter Protocol (stdio, or TCP with --port) for VS Code, nvim-dap, CI.
    Dap(cli::dap::DapArgs),
    /// Serve the Language Server Protocol on stdio (manifest diagnostics, fixes, hover).
    Lsp,
    /// Run plugins: load, initialize, start, deliver events, stop.
    Run(cli::run::RunArgs),
    /// Print the manifest JSON Schema (for editors and other tools).
    Schema,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    qirvo_panics::install_exit_hook();
    match cli.command {
        Command::Check(args) => cli::check::run(&args),
        Command::Run(args) => cli::run::run(&args),
        Command::Dap(args) => cli::dap::run(&args),
        Command::Debug(args) => cli::debug::run(&args),
        Command::Lsp => cli::lsp::run(),
        Command::Schema => cli::schema::run(),
    }
}
