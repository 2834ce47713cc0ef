//! Loading and running real plugins from `examples/`: lifecycle, hooks, permissions, events,
//! storage across restarts, the code cache, and plugins side by side.

mod support;

use std::sync::{Arc, Mutex};

use qirvo_manifest::codes::Code;
use qirvo_runtime::runtime::hooks::{Hook, HookPhase};
use qirvo_runtime::runtime::lifecycle::LifecycleState;
use qirvo_runtime::runtime::output::RuntimeEvent;
use qirvo_runtime::runtime::{CallError, LoadError, LoadOptions, events};
use serde_json::json;
use support::{PluginDir, TestRuntime, no_changes};

#[tokio::test]
async fn hello_runs_its_whole_lifecycle() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("hello", json!({ "config": { "greeting": "Hej" } }));
    let mut plugin = test.load(&plugin_dir).await;
    assert_eq!(plugin.state(), LifecycleState::Initialized);
    plugin.start().await.unwrap();
    assert_eq!(plugin.state(), LifecycleState::Running);
    plugin.stop().await.unwrap();
    let metrics = plugin.unload().await.unwrap();
    assert_eq!(
        test.lines(),
        ["initialize: greeting is \"Hej\"", "start", "Hej, world!", "stop"]
    );
    let states: Vec<LifecycleState> = test
        .events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            RuntimeEvent::Lifecycle { state, .. } => Some(*state),
            _ => None,
        })
        .collect();
    use LifecycleState::*;
    assert_eq!(
        states,
        [
            Initializing,
            Initialized,
            Starting,
            Running,
            Stopping,
            Stopped,
            Unloaded
        ]
    );
    assert_eq!(metrics.calls["qirvo_start"], 1);
    assert_eq!(metrics.host_calls["log"], 3);
}

#[tokio::test]
async fn illegal_transitions_are_errors_naming_the_state() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("hello", no_changes());
    let mut plugin = test.load(&plugin_dir).await;
    let error = plugin.stop().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot stop a plugin that is initialized (it would have to become stopping)"
    );
    assert_eq!(plugin.state(), LifecycleState::Initialized);
    plugin.start().await.unwrap();
    let error = plugin.start().await.unwrap_err();
    assert!(
        error.to_string().contains("cannot start a plugin that is running"),
        "{error}"
    );
    plugin.stop().await.unwrap();
    let error = plugin.deliver_event("x", b"").await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot deliver an event to a plugin that is stopped (it would have to become running)"
    );
}

#[tokio::test]
async fn hooks_run_in_priority_order_and_a_critical_failure_aborts_the_phase() {
    let test = TestRuntime::new();
    let order = Arc::new(Mutex::new(Vec::new()));
    for phase in HookPhase::ALL {
        let record = order.clone();
        test.runtime.hooks().register(
            phase,
            Hook::new(format!("{phase}-low"), 1, false, move |context| {
                record.lock().unwrap().push(format!("{}:low", context.phase));
                Ok(())
            }),
        );
        let record = order.clone();
        test.runtime.hooks().register(
            phase,
            Hook::new(format!("{phase}-high"), 10, false, move |context| {
                record.lock().unwrap().push(format!("{}:high", context.phase));
                Err("non-critical trouble".into())
            }),
        );
    }
    let plugin_dir = PluginDir::new("hello", no_changes());
    let mut plugin = test.load(&plugin_dir).await;
    plugin.start().await.unwrap();
    plugin.stop().await.unwrap();
    let metrics = plugin.unload().await.unwrap();
    let expected: Vec<String> = HookPhase::ALL
        .iter()
        .flat_map(|p| [format!("{p}:high"), format!("{p}:low")])
        .collect();
    assert_eq!(*order.lock().unwrap(), expected);
    // pre-load runs before the metrics exist; post-unload after the snapshot is taken.
    assert_eq!(metrics.hook_failures, 5);

    test.runtime.hooks().register(
        HookPhase::PreStart,
        Hook::new("gate", 5, true, |_| Err("maintenance window".into())),
    );
    let mut plugin = test.load(&plugin_dir).await;
    let error = plugin.start().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "critical pre-start hook `gate` failed: maintenance window"
    );
    assert_eq!(
        plugin.state(),
        LifecycleState::Initialized,
        "an aborted phase changes nothing"
    );
}

#[tokio::test]
async fn a_module_importing_an_ungranted_function_is_refused_before_it_runs() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("forbidden-import", no_changes());
    let error = test
        .runtime
        .load(&plugin_dir.manifest(), LoadOptions::default())
        .await
        .err()
        .unwrap();
    let LoadError::Manifest { diagnostics, .. } = error else {
        panic!("{error}")
    };
    let refused = diagnostics
        .iter()
        .find(|d| d.code == Code::ImportNeedsPermission)
        .unwrap();
    assert!(refused.message.contains("`qirvo.storage_get`") && refused.message.contains("`storage-read`"));
    assert!(test.lines().is_empty(), "no plugin code ran");

    // Granted, the same module loads and its storage read works (the key is simply absent).
    let plugin_dir = PluginDir::new("forbidden-import", json!({ "permissions": ["storage-read"] }));
    let mut plugin = test.load(&plugin_dir).await;
    plugin.start().await.unwrap();
    assert_eq!(test.lines(), ["read None"]);
}

#[tokio::test]
async fn each_permission_gates_its_host_functions() {
    // Storage: granted in the counter example, denied when the manifest drops it.
    let test = TestRuntime::new();
    let denied = PluginDir::new("counter", json!({ "permissions": ["storage-read"] }));
    let error = test
        .runtime
        .load(&denied.manifest(), LoadOptions::default())
        .await
        .err()
        .unwrap();
    assert!(error.to_string().contains("1 error"), "{error}");

    // Notifications.
    let denied = PluginDir::new("events", json!({ "permissions": [] }));
    let LoadError::Manifest { diagnostics, .. } = test
        .runtime
        .load(&denied.manifest(), LoadOptions::default())
        .await
        .err()
        .unwrap()
    else {
        panic!()
    };
    assert!(diagnostics.iter().any(|d| d.message.contains("`notifications`")));
    let granted = PluginDir::new("events", no_changes());
    let mut plugins = vec![test.load(&granted).await];
    plugins[0].start().await.unwrap();
    let report = events::publish(&mut plugins, "notify", b"disk almost full").await;
    assert_eq!(report.delivered, 1);
    assert!(
        test.lines()
            .contains(&"notification Events: disk almost full".to_string())
    );

    // Filesystem: without the permission nothing is preopened, so the plugin's read fails.
    for (grant, works) in [(true, true), (false, false)] {
        let changes = if grant {
            no_changes()
        } else {
            json!({ "permissions": [], "filesystem": null })
        };
        let plugin_dir = PluginDir::new("files", changes);
        std::fs::create_dir_all(plugin_dir.path().join("data")).unwrap();
        std::fs::write(plugin_dir.path().join("data/input.txt"), "twelve bytes").unwrap();
        let mut plugin = test.load(&plugin_dir).await;
        assert_eq!(plugin.start().await.is_ok(), works);
        let output = std::fs::read_to_string(plugin_dir.path().join("data/output.txt")).ok();
        assert_eq!(output.as_deref(), works.then_some("12"));
    }
}

#[tokio::test]
async fn events_reach_subscribers_and_what_they_publish_is_delivered_next() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("events", json!({ "events": ["greeting", "greeting.seen"] }));
    let hello_dir = PluginDir::new("hello", no_changes());
    let mut plugins = vec![test.load(&plugin_dir).await, test.load(&hello_dir).await];
    for plugin in &mut plugins {
        plugin.start().await.unwrap();
    }
    let report = events::publish(&mut plugins, "greeting", br#"{"from":"test"}"#).await;
    assert_eq!(report.delivered, 2, "{report:?}");
    let lines = test.lines();
    assert!(
        lines.contains(&r#"event #1 on greeting: {"from":"test"}"#.to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&r#"event #2 on greeting.seen: {"count":1}"#.to_string()),
        "{lines:?}"
    );
    assert_eq!(plugins[0].metrics().events_received, 2);
    assert_eq!(plugins[0].metrics().events_published, 1);
    let report = events::publish(&mut plugins, "nobody.listens", b"").await;
    assert_eq!(report.delivered, 0);
}

#[tokio::test]
async fn storage_survives_unloading_and_a_new_runtime() {
    let data = tempfile::tempdir().unwrap();
    let plugin_dir = PluginDir::new("counter", no_changes());
    for expected in 1..=3 {
        let test = TestRuntime::with_data_dir(data.path().to_path_buf(), None);
        let mut plugin = test.load(&plugin_dir).await;
        plugin.start().await.unwrap();
        plugin.unload().await.unwrap();
        assert_eq!(test.lines(), [format!("count = {expected}")]);
    }
}

#[tokio::test]
async fn the_second_load_comes_from_the_cache_and_a_corrupt_entry_is_recompiled() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("hello", no_changes());
    let first = test.load(&plugin_dir).await;
    assert!(!first.metrics().loaded_from_cache);
    let second = test.load(&plugin_dir).await;
    assert!(second.metrics().loaded_from_cache);
    for entry in std::fs::read_dir(test.cache_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() / 3;
        bytes[at] ^= 0x5a;
        std::fs::write(&path, bytes).unwrap();
    }
    let mut third = test.load(&plugin_dir).await;
    assert!(!third.metrics().loaded_from_cache, "the corrupt entry was not used");
    third.start().await.unwrap();
    let fourth = test.load(&plugin_dir).await;
    assert!(fourth.metrics().loaded_from_cache, "the entry was rewritten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_plugins_at_once_do_not_affect_each_other() {
    let test = Arc::new(TestRuntime::new());
    let spin_dir = PluginDir::new(
        "infinite-loop",
        json!({ "resources": { "memory": "16MB", "timeout": "2s" } }),
    );
    let counter_a = PluginDir::new("counter", json!({ "id": "dev.qirvo.test.counter-a" }));
    let counter_b = PluginDir::new("counter", json!({ "id": "dev.qirvo.test.counter-b" }));
    let mut spinner = test.load(&spin_dir).await;
    let mut a = test.load(&counter_a).await;
    let mut b = test.load(&counter_b).await;

    let finished = Arc::new(Mutex::new(Vec::new()));
    let record = finished.clone();
    let spinning = tokio::spawn(async move {
        let result = spinner.start().await;
        record.lock().unwrap().push("spinner");
        result
    });
    // While one plugin burns its CPU budget, the others load, run and keep separate storage.
    a.start().await.unwrap();
    a.stop().await.unwrap();
    a.start().await.unwrap();
    b.start().await.unwrap();
    finished.lock().unwrap().push("counters");
    let spun = spinning.await.unwrap();
    assert!(matches!(spun, Err(CallError::Timeout { .. })), "{spun:?}");
    assert_eq!(*finished.lock().unwrap(), ["counters", "spinner"]);
    let lines = test.lines();
    assert!(
        lines.contains(&"count = 2".to_string()) && lines.iter().filter(|l| *l == "count = 1").count() == 2,
        "{lines:?}"
    );
}
