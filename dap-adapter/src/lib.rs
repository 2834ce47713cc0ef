//! The Qirvo debug adapter: a Debug Adapter Protocol server that runs plugins in
//! `qirvo-runtime` with wasmtime's guest debugging and maps breakpoints, stepping and stack
//! traces through the module's DWARF.

pub mod batch;
pub mod breakpoint_rules;
pub mod debuggee;
pub mod disassembly;
mod driver;
pub mod dwarf;
pub mod eval;
pub mod inspect;
pub mod protocol;
mod server;
mod session;
mod stepping;
pub mod values;

pub use server::{serve, serve_with_token};

/// Serves DAP on stdin/stdout.
pub async fn serve_stdio() -> i32 {
    serve(tokio::io::stdin(), tokio::io::stdout()).await
}

/// Accepts DAP clients on a TCP address, one session at a time, until `max_sessions` (if any)
/// have been served. With a `token`, each client's `launch` must carry it.
pub async fn serve_tcp(
    listener: tokio::net::TcpListener,
    max_sessions: Option<usize>,
    token: Option<String>,
) -> std::io::Result<i32> {
    let mut served = 0;
    loop {
        let (stream, peer) = listener.accept().await?;
        tracing::info!(%peer, "debug client connected");
        let (reader, writer) = stream.into_split();
        let code = serve_with_token(reader, writer, token.clone()).await;
        served += 1;
        if max_sessions.is_some_and(|max| served >= max) {
            return Ok(code);
        }
    }
}
