//! A loaded plugin: its store and instance, the lifecycle calls and event delivery, each run
//! under the plugin's limits.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use wasmtime::{Instance, Store, Val};

use super::hooks::{HookFailure, HookPhase, Hooks};
use super::lifecycle::{IllegalTransition, LifecycleState};
use super::limits::PauseClock;
use super::metrics::{Metrics, MetricsSnapshot};
use super::output::RuntimeEvent;
use super::state::HostState;
use qirvo_manifest::host_api::{ALLOC_EXPORT, ON_EVENT_EXPORT};
use qirvo_manifest::manifest::Manifest;

/// Extra wall-clock time past the timeout before a call stuck in a host call is cancelled.
pub const WATCHDOG_MARGIN: Duration = Duration::from_millis(250);

/// Why a call into a plugin failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The call ran out of time.
    #[error("`{entry}` timed out after {} ms{}", timeout.as_millis(), backtrace_suffix(.backtrace))]
    Timeout {
        /// Entry point.
        entry: String,
        /// The limit.
        timeout: Duration,
        /// Where the plugin was, when it was interrupted in wasm.
        backtrace: Option<String>,
    },
    /// The plugin trapped.
    #[error("`{entry}` trapped: {message}")]
    Trap {
        /// Entry point.
        entry: String,
        /// The trap with its wasm backtrace.
        message: String,
    },
    /// The entry point returned a non-zero status.
    #[error("`{entry}` returned error status {status}")]
    Failed {
        /// Entry point.
        entry: String,
        /// The status.
        status: i32,
    },
    /// The module does not export the entry point.
    #[error("the plugin does not export `{0}`")]
    MissingExport(String),
    /// The plugin is not in a state that allows the call.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// A critical hook failed.
    #[error(transparent)]
    Hook(#[from] HookFailure),
    /// The module called WASI `proc_exit` (for command modules: their exit code).
    #[error("`{entry}` exited with status {code}")]
    Exit {
        /// Entry point.
        entry: String,
        /// The status passed to `proc_exit`.
        code: i32,
    },
    /// An earlier failure left the plugin unusable.
    #[error("the plugin is in the error state after an earlier failure; unload it")]
    Broken,
}

/// The cause of a failed call and, when it stopped in wasm, where: the wasm backtrace with
/// function names and `file:line` from DWARF. Host-side backtraces are left out.
fn describe(error: &wasmtime::Error) -> String {
    let mut text = error.root_cause().to_string();
    if let Some(backtrace) = error.downcast_ref::<wasmtime::WasmBacktrace>() {
        text.push('\n');
        text.push_str(backtrace.to_string().trim_end());
    }
    text
}

fn backtrace_suffix(backtrace: &Option<String>) -> String {
    backtrace.as_ref().map(|b| format!("\n{b}")).unwrap_or_default()
}

/// The result of a health check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    /// Plugin id.
    pub plugin: String,
    /// Whether every check passed.
    pub healthy: bool,
    /// What failed.
    pub reasons: Vec<String>,
    /// Linear memory in use.
    pub memory_bytes: u64,
    /// Memory limit.
    pub memory_limit_bytes: u64,
    /// Lifecycle state.
    pub state: LifecycleState,
}

/// A plugin in the runtime.
pub struct PluginInstance {
    pub(crate) store: Store<HostState>,
    pub(crate) instance: Instance,
    pub(crate) state: LifecycleState,
    pub(crate) hooks: Hooks,
    pub(crate) metrics: Arc<Metrics>,
    /// Memory violations already reported by a health check.
    pub(crate) violations_seen: u64,
}

enum Watched<T> {
    Done(T),
    Expired,
}

/// Runs `call`, cancelling it when it has counted more than `limit` (debugger stops excluded).
async fn watchdog<T>(
    call: impl Future<Output = T>,
    started: Instant,
    limit: Duration,
    pause: Arc<PauseClock>,
) -> Watched<T> {
    tokio::pin!(call);
    loop {
        let deadline = started + limit + pause.paused();
        tokio::select! {
            result = &mut call => return Watched::Done(result),
            () = tokio::time::sleep_until(deadline.into()) => {
                if !pause.is_stopped() && started.elapsed().saturating_sub(pause.paused()) >= limit {
                    return Watched::Expired;
                }
            }
        }
    }
}

impl PluginInstance {
    /// The plugin's id.
    pub fn id(&self) -> &str {
        self.store.data().plugin_id()
    }

    /// The manifest it was loaded from.
    pub fn manifest(&self) -> &Manifest {
        self.store.data().manifest()
    }

    /// Its lifecycle state.
    pub fn state(&self) -> LifecycleState {
        self.state
    }

    /// Its metrics now.
    pub fn metrics(&self) -> MetricsSnapshot {
        let mut snapshot = self.metrics.snapshot();
        snapshot.state = self.state.name().to_string();
        snapshot
    }

    /// The wasmtime store (the debug adapter inspects it while stopped).
    pub fn store_mut(&mut self) -> &mut Store<HostState> {
        &mut self.store
    }

    /// The wasmtime instance.
    pub fn instance(&self) -> Instance {
        self.instance
    }

    pub(crate) fn set_state(&mut self, next: LifecycleState, action: &'static str) -> Result<(), IllegalTransition> {
        self.state.advance(next, action)?;
        let plugin = self.id().to_string();
        (self.store.data().plugin.sink)(RuntimeEvent::Lifecycle { plugin, state: next });
        Ok(())
    }

    fn refuse(&self, to: LifecycleState, action: &'static str) -> CallError {
        CallError::Illegal(IllegalTransition {
            from: self.state,
            to,
            action,
        })
    }

    fn fail(&mut self, phase: &str) {
        self.metrics.error(phase);
        if self.state.can_advance_to(LifecycleState::Error) {
            let _ = self.set_state(LifecycleState::Error, "fail");
        }
    }

    fn flush_output(&self) {
        let plugin = &self.store.data().plugin;
        plugin.stdout.flush_partial();
        plugin.stderr.flush_partial();
    }

    /// Calls any export under the plugin's limits (timeout, CPU, memory) and returns its first
    /// i32 result (0 if it returns nothing). Lifecycle entry points have their own methods.
    pub async fn call_export(&mut self, entry: &str, params: &[Val]) -> Result<i32, CallError> {
        self.call(entry, params).await
    }

    /// Calls an export under the plugin's limits and returns its i32 result (0 if none).
    pub(crate) async fn call(&mut self, entry: &str, params: &[Val]) -> Result<i32, CallError> {
        let func = self
            .instance
            .get_func(&mut self.store, entry)
            .ok_or_else(|| CallError::MissingExport(entry.to_string()))?;
        let result_count = func.ty(&self.store).results().len();
        let clock = &mut self.store.data_mut().clock;
        clock.begin();
        let (timeout, pause, started) = (clock.timeout, clock.pause.clone(), clock.started());
        self.store.set_epoch_deadline(1);
        let mut results = vec![Val::I32(0); result_count];
        let outcome = watchdog(
            func.call_async(&mut self.store, params, &mut results),
            started,
            timeout + WATCHDOG_MARGIN,
            pause,
        )
        .await;
        self.flush_output();
        let clock = &mut self.store.data_mut().clock;
        clock.finish();
        self.metrics.call(entry, clock.running(), clock.throttled());
        match outcome {
            Watched::Done(Ok(())) => Ok(results.first().and_then(Val::i32).unwrap_or(0)),
            Watched::Done(Err(error)) if self.store.data().clock.timed_out() => {
                self.metrics.update(|m| m.timeouts += 1);
                Err(CallError::Timeout {
                    entry: entry.to_string(),
                    timeout,
                    backtrace: error
                        .downcast_ref::<wasmtime::WasmBacktrace>()
                        .map(|b| b.to_string().trim_end().to_string()),
                })
            }
            Watched::Done(Err(error)) if error.downcast_ref::<wasmtime_wasi::I32Exit>().is_some() => {
                Err(CallError::Exit {
                    entry: entry.to_string(),
                    code: error.downcast_ref::<wasmtime_wasi::I32Exit>().map_or(1, |exit| exit.0),
                })
            }
            Watched::Done(Err(error)) => Err(CallError::Trap {
                entry: entry.to_string(),
                message: describe(&error),
            }),
            Watched::Expired => {
                self.metrics.update(|m| m.timeouts += 1);
                Err(CallError::Timeout {
                    entry: entry.to_string(),
                    timeout,
                    backtrace: None,
                })
            }
        }
    }

    /// Calls a lifecycle entry point; a non-zero status is a failure.
    pub(crate) async fn lifecycle_call(&mut self, entry: &str) -> Result<(), CallError> {
        match self.call(entry, &[]).await? {
            0 => Ok(()),
            status => Err(CallError::Failed {
                entry: entry.to_string(),
                status,
            }),
        }
    }

    fn run_hooks(&mut self, phase: HookPhase) -> Result<(), HookFailure> {
        let tolerated = self.hooks.run(phase, self.store.data().plugin_id())?;
        if !tolerated.is_empty() {
            self.metrics.update(|m| m.hook_failures += tolerated.len() as u64);
        }
        Ok(())
    }

    /// Runs `qirvo_start`: initialized or stopped → running.
    pub async fn start(&mut self) -> Result<(), CallError> {
        if !self.state.can_advance_to(LifecycleState::Starting) {
            return Err(self.refuse(LifecycleState::Starting, "start"));
        }
        self.run_hooks(HookPhase::PreStart)?;
        self.set_state(LifecycleState::Starting, "start")?;
        let started = Instant::now();
        if let Err(error) = self.lifecycle_call("qirvo_start").await {
            self.fail("start");
            return Err(error);
        }
        self.metrics.duration(|m, ms| m.startup_ms = ms, started.elapsed());
        self.set_state(LifecycleState::Running, "start")?;
        if let Err(failure) = self.run_hooks(HookPhase::PostStart) {
            self.fail("start");
            return Err(failure.into());
        }
        Ok(())
    }

    /// Runs `qirvo_stop`: running → stopped.
    pub async fn stop(&mut self) -> Result<(), CallError> {
        if !self.state.can_advance_to(LifecycleState::Stopping) {
            return Err(self.refuse(LifecycleState::Stopping, "stop"));
        }
        self.run_hooks(HookPhase::PreStop)?;
        self.set_state(LifecycleState::Stopping, "stop")?;
        if let Err(error) = self.lifecycle_call("qirvo_stop").await {
            self.fail("stop");
            return Err(error);
        }
        self.set_state(LifecycleState::Stopped, "stop")?;
        if let Err(failure) = self.run_hooks(HookPhase::PostStop) {
            self.fail("stop");
            return Err(failure.into());
        }
        Ok(())
    }

    /// Whether the plugin subscribes to `topic`.
    pub fn subscribes_to(&self, topic: &str) -> bool {
        self.manifest().events.iter().any(|t| t == topic)
    }

    /// Delivers an event to `qirvo_on_event`. The plugin must be running.
    pub async fn deliver_event(&mut self, topic: &str, payload: &[u8]) -> Result<(), CallError> {
        match self.state {
            LifecycleState::Running => {}
            LifecycleState::Error => return Err(CallError::Broken),
            other => {
                return Err(CallError::Illegal(IllegalTransition {
                    from: other,
                    to: LifecycleState::Running,
                    action: "deliver an event to",
                }));
            }
        }
        let topic_ptr = self.pass_in(topic.as_bytes()).await?;
        let payload_ptr = self.pass_in(payload).await?;
        let params = [
            Val::I32(topic_ptr),
            Val::I32(topic.len() as i32),
            Val::I32(payload_ptr),
            Val::I32(payload.len() as i32),
        ];
        let result = match self.call(ON_EVENT_EXPORT, &params).await {
            Ok(0) => Ok(()),
            Ok(status) => Err(CallError::Failed {
                entry: ON_EVENT_EXPORT.to_string(),
                status,
            }),
            Err(error) => Err(error),
        };
        self.metrics.update(|m| m.events_received += 1);
        match result {
            // A plugin that reports failure stays usable; one that traps or hangs does not.
            Err(error @ (CallError::Timeout { .. } | CallError::Trap { .. })) => {
                self.fail("on_event");
                Err(error)
            }
            Err(error) => {
                self.metrics.error("on_event");
                Err(error)
            }
            Ok(()) => Ok(()),
        }
    }

    /// Copies bytes into a buffer from `qirvo_alloc`.
    async fn pass_in(&mut self, bytes: &[u8]) -> Result<i32, CallError> {
        let ptr = self.call(ALLOC_EXPORT, &[Val::I32(bytes.len() as i32)]).await?;
        let memory = self
            .instance
            .get_memory(&mut self.store, qirvo_manifest::host_api::MEMORY_EXPORT)
            .ok_or_else(|| CallError::MissingExport(qirvo_manifest::host_api::MEMORY_EXPORT.to_string()))?;
        memory
            .write(&mut self.store, ptr as u32 as usize, bytes)
            .map_err(|_| CallError::Trap {
                entry: ALLOC_EXPORT.to_string(),
                message: format!(
                    "`{ALLOC_EXPORT}` returned {ptr:#x}, which has no room for {} bytes",
                    bytes.len()
                ),
            })?;
        Ok(ptr)
    }

    /// Events the plugin published during its last calls.
    pub fn take_published(&mut self) -> Vec<(String, Vec<u8>)> {
        let state = self.store.data_mut();
        state.published_bytes = 0;
        std::mem::take(&mut state.published)
    }

    /// Checks memory use, the state, and the plugin's own `qirvo_health_check`.
    pub async fn health_check(&mut self) -> HealthReport {
        let (memory_bytes, memory_limit_bytes) = self.store.data().memory_usage();
        let mut reasons = Vec::new();
        if memory_bytes * 10 > memory_limit_bytes * 9 {
            reasons.push(format!(
                "memory use {memory_bytes} bytes is above 90% of the {memory_limit_bytes}-byte limit"
            ));
        }
        let violations = self.metrics.snapshot().memory_violations;
        if violations > self.violations_seen {
            reasons.push(format!(
                "memory growth was refused {} time(s) since the last check (limit {memory_limit_bytes} bytes)",
                violations - self.violations_seen
            ));
            self.violations_seen = violations;
        }
        if self.state == LifecycleState::Error {
            reasons.push("the plugin is in the error state".to_string());
        }
        let exported = self.instance.get_func(&mut self.store, "qirvo_health_check").is_some();
        if self.state == LifecycleState::Running && exported {
            match self.call("qirvo_health_check", &[]).await {
                Ok(0) => {}
                Ok(status) => reasons.push(format!("qirvo_health_check returned {status}")),
                Err(error) => reasons.push(format!("qirvo_health_check failed: {error}")),
            }
        }
        let healthy = reasons.is_empty();
        if !healthy {
            self.metrics.update(|m| m.unhealthy_checks += 1);
            let plugin = self.id().to_string();
            (self.store.data().plugin.sink)(RuntimeEvent::Unhealthy {
                plugin,
                reasons: reasons.clone(),
            });
        }
        HealthReport {
            plugin: self.id().to_string(),
            healthy,
            reasons,
            memory_bytes,
            memory_limit_bytes,
            state: self.state,
        }
    }

    /// Stops the plugin if it runs, then releases everything. Returns the final metrics.
    pub async fn unload(mut self) -> Result<MetricsSnapshot, CallError> {
        self.run_hooks(HookPhase::PreUnload)?;
        let mut stop_error = None;
        if self.state == LifecycleState::Running
            && let Err(error) = self.stop().await
        {
            stop_error = Some(error);
        }
        // Dropping a request aborts it.
        self.store.data_mut().requests.clear();
        if self.state.can_advance_to(LifecycleState::Unloaded) {
            self.set_state(LifecycleState::Unloaded, "unload")?;
        } else {
            // Starting/stopping cannot be observed here; any other state unloads via error.
            self.state = LifecycleState::Unloaded;
        }
        let metrics = self.metrics();
        let plugin = self.id().to_string();
        let hooks = self.hooks.clone();
        drop(self);
        hooks.run(HookPhase::PostUnload, &plugin)?;
        match stop_error {
            Some(error) => Err(error),
            None => Ok(metrics),
        }
    }
}
