//! Engines: one plain, one with guest debugging (instrumentation is an engine setting, so
//! debug code is compiled and cached separately), each with an epoch ticker that drives
//! timeouts, CPU throttling and fair yielding between plugins.

use std::time::Duration;

use wasmtime::{Config, Engine, WasmBacktraceDetails};

/// How often the epoch advances: the granularity of timeouts, throttling and pause.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Fiber stack of debugged plugins: wasmtime's default wasm stack (512 KiB) plus room for
/// inspections. Reserved, not committed: untouched pages cost nothing.
const DEBUG_FIBER_STACK: usize = 8 << 20;

/// Creates an engine for plugins; `debug` turns on guest-debug instrumentation.
pub fn new_engine(debug: bool) -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.wasm_backtrace_details(WasmBacktraceDetails::Enable);
    if debug {
        config.guest_debug(true);
        // The debugger inspects a stopped plugin on the plugin's own fiber (walking DWARF,
        // evaluating expressions), which needs more stack than wasm code alone.
        config.async_stack_size(DEBUG_FIBER_STACK);
    }
    let engine = Engine::new(&config)?;
    start_ticker(&engine);
    Ok(engine)
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until the engine is dropped.
fn start_ticker(engine: &Engine) {
    let weak = engine.weak();
    let spawned = std::thread::Builder::new().name("qirvo-epoch".into()).spawn(move || {
        while let Some(engine) = weak.upgrade() {
            engine.increment_epoch();
            drop(engine);
            std::thread::sleep(EPOCH_TICK);
        }
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start the epoch ticker; timeouts will not fire");
    }
}
