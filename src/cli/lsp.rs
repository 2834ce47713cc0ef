//! `qirvo lsp`: the language server editors start (stdio). Logs go to stderr.

use std::process::ExitCode;

pub fn run() -> ExitCode {
    super::dap::init_logging(None);
    let runtime = match super::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(qirvo_lsp::serve_stdio());
    ExitCode::SUCCESS
}
