//! The seam the debug adapter plugs into: a [`DebugSink`] receives wasmtime's debug events
//! with the guest frozen. Time spent inside the sink is recorded as a debugger stop, so it does
//! not count against the call's timeout, and the epoch deadline is re-armed on resume.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use wasmtime::{AsContextMut, DebugEvent, DebugHandler, Module, StoreContextMut};

use super::state::HostState;

/// What the epoch callback does after asking the debugger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickAction {
    /// Carry on: timeouts and throttling apply as usual.
    Proceed,
    /// Skip the timeout check this tick (the debugger is about to stop the plugin and report
    /// the timeout itself).
    Hold,
    /// End the call now: the debugger is terminating the plugin.
    Terminate,
}

/// The error a call fails with when the debugger ends the plugin.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("terminated by the debugger")]
pub struct TerminatedByDebugger;

/// Receives debug events of a plugin loaded with guest debugging.
pub trait DebugSink: Send + Sync + 'static {
    /// Called at every epoch tick while the plugin runs wasm (every few milliseconds): the place
    /// to apply breakpoint changes, turn a pause request into a stop, or end the plugin.
    fn on_tick(&self, store: StoreContextMut<'_, HostState>) -> TickAction {
        let _ = store;
        TickAction::Proceed
    }

    /// Called after the store is created and before instantiation: the place to register the
    /// module and set breakpoints that must hit during `_initialize` or `qirvo_initialize`.
    fn module_loaded(&self, store: StoreContextMut<'_, HostState>, module: &Module) {
        let _ = (store, module);
    }

    /// Called with the guest frozen; the guest resumes when the future completes.
    fn handle<'a>(
        &'a self,
        store: StoreContextMut<'a, HostState>,
        event: DebugEvent<'a>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;
}

/// Adapts a [`DebugSink`] to wasmtime's handler, accounting for stopped time.
#[derive(Clone)]
pub(crate) struct Debugger(pub Arc<dyn DebugSink>);

impl DebugHandler for Debugger {
    type Data = HostState;

    fn handle(
        &self,
        mut store: StoreContextMut<'_, HostState>,
        event: DebugEvent<'_>,
    ) -> impl Future<Output = ()> + Send {
        let sink = self.0.clone();
        async move {
            let pause = store.data().clock.pause.clone();
            pause.stop();
            let stopped_at = Instant::now();
            sink.handle(store.as_context_mut(), event).await;
            pause.resume(stopped_at.elapsed());
            store.data_mut().clock.after_debug_stop();
            store.set_epoch_deadline(1);
        }
    }
}
