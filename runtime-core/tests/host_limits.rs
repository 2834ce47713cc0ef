//! What a plugin can make the host hold is capped: published events, HTTP requests and
//! responses; and what it leaves in flight ends with it.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::time::Duration;

use qirvo_manifest::host_api::ErrorCode;
use qirvo_runtime::runtime::PluginInstance;
use qirvo_runtime::runtime::events::{MAX_EVENT_PAYLOAD, MAX_PENDING_EVENT_BYTES, MAX_PENDING_EVENTS};
use serde_json::{Value, json};
use support::{HttpServer, TestRuntime};
use wasmtime::Val;

/// A plugin folder with `module.wasm` built from `wat` and a minimal manifest plus `changes`.
fn plugin_folder(wat: &str, changes: Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("module.wasm"), wat::parse_str(wat).unwrap()).unwrap();
    let mut manifest = json!({
        "manifest_version": 1,
        "id": "test.host-limits",
        "name": "Host limits",
        "version": "0.1.0",
        "main": "module.wasm",
        "permissions": [],
    });
    for (key, value) in changes.as_object().unwrap() {
        manifest[key] = value.clone();
    }
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    dir
}

async fn load(test: &TestRuntime, dir: &tempfile::TempDir) -> PluginInstance {
    test.runtime
        .load(&dir.path().join("manifest.json"), Default::default())
        .await
        .unwrap()
}

const LIFECYCLE: &str = r#"
  (func (export "qirvo_initialize") (result i32) i32.const 0)
  (func (export "qirvo_start") (result i32) i32.const 0)
  (func (export "qirvo_stop") (result i32) i32.const 0)"#;

#[tokio::test]
async fn published_payloads_and_the_events_waiting_are_capped() {
    let wat = format!(
        r#"(module
  (import "qirvo" "event_publish" (func $publish (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 32)
  (data (i32.const 0) "flood")
  (func (export "qirvo_alloc") (param i32) (result i32) i32.const 65536)
  {LIFECYCLE}
  (func (export "publish") (param $size i32) (result i32)
    (call $publish (i32.const 0) (i32.const 5) (i32.const 1024) (local.get $size)))
  ;; Publishes `size`-byte payloads until one is refused (at most 1000); returns how many went.
  (func (export "flood") (param $size i32) (result i32) (local $sent i32)
    (block $refused
      (loop $again
        (br_if $refused
          (call $publish (i32.const 0) (i32.const 5) (i32.const 1024) (local.get $size)))
        (local.set $sent (i32.add (local.get $sent) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $sent) (i32.const 1000)))))
    (local.get $sent)))"#
    );
    let dir = plugin_folder(&wat, json!({}));
    let test = TestRuntime::new();
    let mut plugin = load(&test, &dir).await;
    let status = |size: usize| [Val::I32(size as i32)];

    let too_big = plugin
        .call_export("publish", &status(MAX_EVENT_PAYLOAD + 1))
        .await
        .unwrap();
    assert_eq!(too_big, ErrorCode::LimitExceeded as i32);
    assert!(plugin.take_published().is_empty());
    assert_eq!(
        plugin.call_export("publish", &status(MAX_EVENT_PAYLOAD)).await.unwrap(),
        0
    );
    assert_eq!(plugin.take_published().len(), 1);

    let size = 64 << 10;
    let fit = MAX_PENDING_EVENT_BYTES / ("flood".len() + size);
    assert_eq!(plugin.call_export("flood", &status(size)).await.unwrap() as usize, fit);
    let waiting = plugin.take_published();
    assert_eq!(waiting.len(), fit);
    assert!(waiting.iter().map(|(t, p)| t.len() + p.len()).sum::<usize>() <= MAX_PENDING_EVENT_BYTES);
    // Delivered (taken) events make room again.
    assert_eq!(plugin.call_export("flood", &status(size)).await.unwrap() as usize, fit);
    plugin.take_published();

    // Empty payloads are capped by count.
    assert_eq!(
        plugin.call_export("flood", &status(0)).await.unwrap() as usize,
        MAX_PENDING_EVENTS
    );
}

/// A module that sends `request` (JSON) with `http_send`; `qirvo_alloc` always returns the
/// same buffer, so only the host's budget limits what it can receive.
fn http_module(request: &str) -> String {
    let escaped = request.replace('\\', "\\\\").replace('"', "\\\"");
    let len = request.len();
    format!(
        r#"(module
  (import "qirvo" "http_send" (func $send (param i32 i32) (result i64)))
  (import "qirvo" "http_wait" (func $wait (param i64) (result i64)))
  (memory (export "memory") 48)
  (data (i32.const 0) "{escaped}")
  (func (export "qirvo_alloc") (param i32) (result i32) i32.const 65536)
  {LIFECYCLE}
  (func (export "send") (result i32)
    (drop (call $send (i32.const 0) (i32.const {len})))
    i32.const 0)
  ;; Sends two requests, collects the second, then the first; returns how many failed.
  (func (export "two_at_once") (result i32) (local $first i64) (local $second i64)
    (local.set $first (call $send (i32.const 0) (i32.const {len})))
    (local.set $second (call $send (i32.const 0) (i32.const {len})))
    (i32.add
      (i64.lt_s (call $wait (local.get $second)) (i64.const 0))
      (i64.lt_s (call $wait (local.get $first)) (i64.const 0)))))"#
    )
}

fn network(port: u16, memory: &str) -> Value {
    json!({
        "permissions": ["network-access"],
        "network": { "allowed_hosts": [format!("http://127.0.0.1:{port}")], "timeout": "30s" },
        "resources": { "memory": memory },
    })
}

/// A response larger than the plugin's memory limit is refused while it arrives, not buffered
/// by the host; that two responses share one budget is the unit test in `runtime/http.rs` (over
/// real sockets, whether two downloads overlap depends on scheduling).
#[tokio::test]
async fn a_response_larger_than_the_plugins_memory_is_refused() {
    static BODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body: &'static str = BODY.get_or_init(|| "x".repeat(3500 << 10));
    let server = HttpServer::start(body, Duration::ZERO);
    let request = json!({ "url": server.url() }).to_string();
    let dir = plugin_folder(&http_module(&request), network(server.port, "3MB"));
    let test = TestRuntime::new();
    let mut plugin = load(&test, &dir).await;
    assert_eq!(plugin.call_export("two_at_once", &[]).await.unwrap(), 2);
    // Refused responses give their share back: the next ones are refused for their own size.
    assert_eq!(plugin.call_export("two_at_once", &[]).await.unwrap(), 2);
}

#[tokio::test]
async fn dropping_a_plugin_aborts_its_requests_in_flight() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (closed, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        let _ = closed.send(None);
        // Never answer; report whether the client hangs up (read returns 0) in time.
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = closed.send(Some(matches!(stream.read(&mut request), Ok(0))));
    });
    let request = json!({ "url": format!("http://127.0.0.1:{port}/slow") }).to_string();
    let dir = plugin_folder(&http_module(&request), network(port, "3MB"));
    let test = TestRuntime::new();
    let mut plugin = load(&test, &dir).await;
    assert_eq!(plugin.call_export("send", &[]).await.unwrap(), 0);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(seen));
    let next = || {
        let seen = seen.clone();
        tokio::task::spawn_blocking(move || seen.lock().unwrap().recv_timeout(Duration::from_secs(20)))
    };
    assert_eq!(next().await.unwrap(), Ok(None), "the request reached the server");
    drop(plugin);
    assert_eq!(next().await.unwrap(), Ok(Some(true)), "the request outlived its plugin");
}
