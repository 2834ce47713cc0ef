//! The Qirvo language server: manifest diagnostics from qirvo-manifest's rules (including the
//! check of the manifest against the compiled module), quick fixes, hover, completion, symbols,
//! formatting, links, inlay hints and Run/Debug code lenses.

mod analysis;
mod completion;
mod convert;
mod documents;
mod format;
mod hover;
mod inlay;
mod lens;
mod lifecycle;
mod locate;
mod module_watcher;
mod modules;
mod navigation;
mod panic_guard;
mod server;
mod settings;
mod symbols;
mod workspace;

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};

pub use server::{Backend, is_manifest};

/// Serves LSP on stdin/stdout until the client exits; returns the process's exit status.
pub async fn serve_stdio() -> u8 {
    serve(tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves LSP on `input`/`output` until `exit` arrives or `input` ends; returns the exit status
/// the spec asks for (0 when `shutdown` came first, 1 otherwise).
pub async fn serve(input: impl AsyncRead + Unpin, output: impl AsyncWrite) -> u8 {
    let lifecycle = Arc::new(lifecycle::Lifecycle::default());
    let (service, socket) = tower_lsp::LspService::new({
        let lifecycle = lifecycle.clone();
        move |client| Backend::new(client, lifecycle)
    });
    let service = lifecycle::WatchExit::new(panic_guard::CatchPanics::new(service), lifecycle.clone());
    tokio::select! {
        () = tower_lsp::Server::new(input, output, socket).serve(service) => {}
        () = lifecycle.exited() => {}
    }
    lifecycle.exit_code()
}
