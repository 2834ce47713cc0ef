//! Subcommands. Each is a thin layer over `qirvo-manifest`, `qirvo-runtime` and the two protocol crates.

pub mod check;
pub mod dap;
pub mod debug;
pub mod lsp;
mod render;
pub mod run;
pub mod schema;

/// The tokio runtime the async subcommands run on (exit status 2 if it cannot start).
pub fn async_runtime() -> Result<tokio::runtime::Runtime, std::process::ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("error: cannot start the async runtime: {error}");
            std::process::ExitCode::from(2)
        })
}
