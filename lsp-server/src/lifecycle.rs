//! `shutdown` and `exit` as the LSP spec says: the server ends at `exit`, with status 0 when
//! `shutdown` came first and 1 otherwise. tower-lsp marks itself exited but its serve loop notices
//! only at the next message, which never comes while the client keeps the pipe open.
//!
//! The same layer reads what lsp-types 0.94 drops from `initialize`: it names the client's
//! `workspace.diagnostics` capability `diagnostic`, so the typed params never show that a client
//! (VS Code) can be asked to pull diagnostics again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::sync::Notify;
use tower_lsp::jsonrpc::{Request, Response};
use tower_service::Service;

/// What the client said about ending the session.
#[derive(Default)]
pub struct Lifecycle {
    shutdown_requested: AtomicBool,
    exit: Notify,
    diagnostic_refresh: AtomicBool,
}

impl Lifecycle {
    /// Resolves once `exit` has arrived.
    pub async fn exited(&self) {
        self.exit.notified().await;
    }

    /// Whether `initialize` announced `workspace.diagnostics.refreshSupport`.
    pub fn client_refreshes_diagnostics(&self) -> bool {
        self.diagnostic_refresh.load(Ordering::SeqCst)
    }

    /// The process's exit status: 0 after `shutdown`, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.shutdown_requested.load(Ordering::SeqCst) {
            0
        } else {
            1
        }
    }
}

/// Wraps a service to tell `lifecycle` about `shutdown` and `exit`.
pub struct WatchExit<S> {
    inner: S,
    lifecycle: Arc<Lifecycle>,
}

impl<S> WatchExit<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, lifecycle: Arc<Lifecycle>) -> Self {
        WatchExit { inner, lifecycle }
    }
}

impl<S> Service<Request> for WatchExit<S>
where
    S: Service<Request, Response = Option<Response>>,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> S::Future {
        match request.method() {
            // Read before the handler runs: `call` returns its future without polling it.
            "initialize" => {
                let refresh = request
                    .params()
                    .and_then(|p| p.pointer("/capabilities/workspace/diagnostics/refreshSupport"))
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                self.lifecycle.diagnostic_refresh.store(refresh, Ordering::SeqCst);
            }
            // Counted when received: a client may send `exit` without waiting for the answer.
            "shutdown" => self.lifecycle.shutdown_requested.store(true, Ordering::SeqCst),
            // `notify_one` keeps the wakeup if nobody waits yet.
            "exit" => self.lifecycle.exit.notify_one(),
            _ => {}
        }
        self.inner.call(request)
    }
}
