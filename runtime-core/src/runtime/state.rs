//! What a plugin's store holds: WASI, limits, the call clock and the plugin's host-side
//! context (storage, HTTP, output). The debug adapter sees it through `StoreContextMut`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use wasmtime_wasi::p1::WasiP1Ctx;

use super::http::{HttpClient, InFlight};
use super::limits::{CallClock, MemoryLimiter};
use super::metrics::Metrics;
use super::output::{EventSink, PluginOutput};
use super::storage::PluginStorage;
use qirvo_manifest::manifest::Manifest;

/// Host-side context of one plugin, shared by its host functions.
pub struct PluginContext {
    /// Plugin id.
    pub id: String,
    /// The validated manifest.
    pub manifest: Manifest,
    /// Live metrics.
    pub metrics: Arc<Metrics>,
    /// Storage, when a storage permission is granted.
    pub storage: Option<PluginStorage>,
    /// HTTP client, when `network-access` is granted.
    pub http: Option<HttpClient>,
    /// Where output, logs and notifications go.
    pub sink: EventSink,
    /// Captured stdout.
    pub stdout: PluginOutput,
    /// Captured stderr.
    pub stderr: PluginOutput,
    /// When the plugin was loaded (origin of `monotonic_ns`).
    pub loaded_at: Instant,
}

/// The data of a plugin's `Store`.
pub struct HostState {
    pub(crate) wasi: WasiP1Ctx,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) clock: CallClock,
    pub(crate) plugin: Arc<PluginContext>,
    pub(crate) last_error: Option<String>,
    pub(crate) published: Vec<(String, Vec<u8>)>,
    /// Bytes of topics and payloads in `published`.
    pub(crate) published_bytes: usize,
    /// Requests started and not yet collected; dropping one aborts it.
    pub(crate) requests: HashMap<i64, InFlight>,
    pub(crate) next_request: i64,
    pub(crate) debugger: Option<std::sync::Arc<dyn super::debug::DebugSink>>,
}

impl HostState {
    pub(crate) fn new(wasi: WasiP1Ctx, limiter: MemoryLimiter, clock: CallClock, plugin: Arc<PluginContext>) -> Self {
        HostState {
            wasi,
            limiter,
            clock,
            plugin,
            last_error: None,
            published: Vec::new(),
            published_bytes: 0,
            requests: HashMap::new(),
            next_request: 1,
            debugger: None,
        }
    }

    /// The plugin's id.
    pub fn plugin_id(&self) -> &str {
        &self.plugin.id
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.plugin.manifest
    }

    /// Bytes of linear memory in use and the limit.
    pub fn memory_usage(&self) -> (u64, u64) {
        (self.limiter.allocated(), self.limiter.limit())
    }

    /// The clock of the current call (the debug adapter marks stops on it).
    pub fn call_clock(&mut self) -> &mut CallClock {
        &mut self.clock
    }

    /// The clock of the current call, read-only.
    pub fn call_clock_ref(&self) -> &CallClock {
        &self.clock
    }

    /// The plugin's metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.plugin.metrics
    }
}
