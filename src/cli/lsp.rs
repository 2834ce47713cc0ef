//! `qirvo lsp`: the language server editors start (stdio). Logs go to stderr.

use std::process::ExitCode;

pub fn run() -> ExitCode {
    super::dap::init_logging(None);
    let runtime = match super::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let code = runtime.block_on(qirvo_lsp::serve_stdio());
    // The stdin reader is a blocking thread that returns only when the client closes the pipe,
    // and checks may still run: waiting for them would keep the process alive after `exit`.
    runtime.shutdown_background();
    ExitCode::from(code)
}
