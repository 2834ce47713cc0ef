//! `qirvo lsp`: the language server editors start (stdio). Logs go to stderr.

use std::process::ExitCode;

pub fn run() -> ExitCode {
    super::dap::init_logging(None);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(qirvo_lsp::serve_stdio());
    ExitCode::SUCCESS
}
