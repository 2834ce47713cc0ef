//! Per-plugin metrics: counters updated from host functions, limits and the lifecycle, printed
//! by `qirvo run --metrics` as JSON.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

/// A snapshot of one plugin's metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetricsSnapshot {
    /// Plugin id.
    pub plugin: String,
    /// Current lifecycle state.
    pub state: String,
    /// Time to validate, compile (or load from cache), instantiate and initialise, in ms.
    pub initialization_ms: f64,
    /// Whether compiled code came from the cache.
    pub loaded_from_cache: bool,
    /// Time of `qirvo_start`, in ms.
    pub startup_ms: f64,
    /// Calls into the plugin, by entry point.
    pub calls: BTreeMap<String, u64>,
    /// Failed calls, by lifecycle phase or entry point.
    pub errors: BTreeMap<String, u64>,
    /// Host calls made by the plugin, by function.
    pub host_calls: BTreeMap<String, u64>,
    /// Largest linear memory seen, in bytes.
    pub memory_peak_bytes: u64,
    /// Memory limit, in bytes.
    pub memory_limit_bytes: u64,
    /// Memory growths refused by the limit.
    pub memory_violations: u64,
    /// Calls stopped by the timeout.
    pub timeouts: u64,
    /// Time the plugin spent running wasm, in ms.
    pub cpu_ms: f64,
    /// Time the plugin was paused by CPU throttling, in ms.
    pub throttled_ms: f64,
    /// Bytes in the plugin's storage.
    pub storage_bytes: u64,
    /// Writes refused by the storage quota.
    pub storage_quota_violations: u64,
    /// HTTP requests sent.
    pub network_requests: u64,
    /// HTTP requests refused (host not allowed, too many connections).
    pub network_denied: u64,
    /// Bytes received over HTTP.
    pub network_bytes_received: u64,
    /// Notifications shown.
    pub notifications: u64,
    /// Events delivered to the plugin.
    pub events_received: u64,
    /// Events the plugin published.
    pub events_published: u64,
    /// Non-critical hook failures.
    pub hook_failures: u64,
    /// Health checks that found a problem.
    pub unhealthy_checks: u64,
}

/// Live metrics, updated from several places (host calls run on the plugin's task; health
/// checks and `qirvo run` read them).
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<MetricsSnapshot>,
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

impl Metrics {
    /// Metrics for a plugin.
    pub fn new(plugin: &str, memory_limit: u64) -> Self {
        Metrics {
            inner: Mutex::new(MetricsSnapshot {
                plugin: plugin.to_string(),
                memory_limit_bytes: memory_limit,
                ..MetricsSnapshot::default()
            }),
        }
    }

    /// Applies an update.
    pub fn update(&self, update: impl FnOnce(&mut MetricsSnapshot)) {
        update(&mut self.inner.lock().unwrap_or_else(|poison| poison.into_inner()));
    }

    /// A copy of the current values.
    pub fn snapshot(&self) -> MetricsSnapshot {
        self.inner.lock().unwrap_or_else(|poison| poison.into_inner()).clone()
    }

    /// Counts a host call.
    pub fn host_call(&self, name: &str) {
        self.update(|m| *m.host_calls.entry(name.to_string()).or_default() += 1);
    }

    /// Counts an error in a phase or entry point.
    pub fn error(&self, phase: &str) {
        self.update(|m| *m.errors.entry(phase.to_string()).or_default() += 1);
    }

    /// Records a call into the plugin and the wasm time it took.
    pub fn call(&self, entry: &str, running: Duration, throttled: Duration) {
        self.update(|m| {
            *m.calls.entry(entry.to_string()).or_default() += 1;
            m.cpu_ms += ms(running);
            m.throttled_ms += ms(throttled);
        });
    }

    /// Records the size of memory after a growth.
    pub fn memory(&self, bytes: u64) {
        self.update(|m| m.memory_peak_bytes = m.memory_peak_bytes.max(bytes));
    }

    /// Sets a duration field in milliseconds.
    pub fn duration(&self, set: impl FnOnce(&mut MetricsSnapshot, f64), duration: Duration) {
        self.update(|m| set(m, ms(duration)));
    }
}
