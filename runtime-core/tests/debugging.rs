//! The debug seam: plugins run with guest debugging on, debug events reach the sink with the
//! guest frozen, and time stopped in the debugger does not count against the timeout.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use qirvo_runtime::runtime::LoadOptions;
use qirvo_runtime::runtime::debug::DebugSink;
use qirvo_runtime::runtime::state::HostState;
use serde_json::json;
use support::{PluginDir, TestRuntime};
use wasmtime::{DebugEvent, Module, StoreContextMut};

/// Single-steps from the first instruction; at the first stop it waits longer than the
/// plugin's timeout, then lets it run freely.
struct SlowFirstStop {
    stops: AtomicUsize,
    stopped_for: Duration,
}

impl DebugSink for SlowFirstStop {
    fn module_loaded(&self, store: StoreContextMut<'_, HostState>, _module: &Module) {
        store
            .edit_breakpoints()
            .expect("guest debugging is on")
            .single_step(true)
            .unwrap();
    }

    fn handle<'a>(
        &'a self,
        mut store: StoreContextMut<'a, HostState>,
        event: DebugEvent<'a>,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            if matches!(event, DebugEvent::Breakpoint) && self.stops.fetch_add(1, Ordering::SeqCst) == 0 {
                // The guest is frozen here: its innermost frame is inspectable.
                assert!(store.debug_exit_frames().next().is_some());
                tokio::time::sleep(self.stopped_for).await;
                store.edit_breakpoints().unwrap().single_step(false).unwrap();
            }
        })
    }
}

#[tokio::test]
async fn time_stopped_in_the_debugger_does_not_count_against_the_timeout() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new(
        "hello",
        json!({ "resources": { "memory": "16MB", "timeout": "300ms" } }),
    );
    let sink = Arc::new(SlowFirstStop {
        stops: AtomicUsize::new(0),
        stopped_for: Duration::from_millis(600),
    });
    let options = LoadOptions {
        debugger: Some(sink.clone()),
    };
    let mut plugin = test.runtime.load(&plugin_dir.manifest(), options).await.unwrap();
    assert_eq!(
        sink.stops.load(Ordering::SeqCst),
        1,
        "stopped once, at the first instruction"
    );
    plugin.start().await.unwrap();
    plugin.stop().await.unwrap();
    assert_eq!(
        test.lines(),
        ["initialize: greeting is \"Hello\"", "start", "Hello, world!", "stop"]
    );
}

#[tokio::test]
async fn the_timeout_still_applies_under_the_debugger() {
    struct Silent;
    impl DebugSink for Silent {
        fn handle<'a>(
            &'a self,
            _store: StoreContextMut<'a, HostState>,
            _event: DebugEvent<'a>,
        ) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
            Box::pin(async {})
        }
    }
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("infinite-loop", json!({ "resources": { "timeout": "200ms" } }));
    let options = LoadOptions {
        debugger: Some(Arc::new(Silent)),
    };
    let mut plugin = test.runtime.load(&plugin_dir.manifest(), options).await.unwrap();
    let error = plugin.start().await.unwrap_err();
    assert!(error.to_string().contains("timed out after 200 ms"), "{error}");
}
