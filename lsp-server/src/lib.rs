//! The Qirvo language server: manifest diagnostics from runtime-core's rules (including the
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
mod locate;
mod modules;
mod navigation;
mod server;
mod settings;
mod symbols;
mod workspace;

pub use server::{Backend, is_manifest};

/// Serves LSP on stdin/stdout until the client exits.
pub async fn serve_stdio() {
    let (service, socket) = tower_lsp::LspService::new(Backend::new);
    tower_lsp::Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
}
