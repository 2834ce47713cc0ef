//! Resource limits on real plugins: time, memory, storage quota and the network rules.

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use qirvo_runtime::runtime::lifecycle::LifecycleState;
use qirvo_runtime::runtime::{CallError, events};
use serde_json::json;
use support::{HttpServer, PluginDir, TestRuntime};

#[tokio::test]
async fn a_runaway_loop_is_stopped_at_its_timeout_with_a_backtrace() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("infinite-loop", json!({ "resources": { "timeout": "200ms" } }));
    let mut plugin = test.load(&plugin_dir).await;
    let started = Instant::now();
    let error = plugin.start().await.unwrap_err();
    let took = started.elapsed();
    let CallError::Timeout { timeout, backtrace, .. } = &error else {
        panic!("{error}")
    };
    assert_eq!(*timeout, Duration::from_millis(200));
    assert!(took >= Duration::from_millis(200), "stopped early: {took:?}");
    let backtrace = backtrace.as_deref().unwrap_or_default();
    assert!(
        backtrace.contains("/qirvo/examples/infinite-loop/src/lib.rs"),
        "{backtrace}"
    );
    assert!(backtrace.contains("Plugin>::start"), "{backtrace}");
    assert_eq!(plugin.state(), LifecycleState::Error);
    assert_eq!(plugin.metrics().timeouts, 1);
    // The host is fine: the next plugin loads and runs normally.
    let hello = PluginDir::new("hello", json!({}));
    let mut next = test.load(&hello).await;
    next.start().await.unwrap();
}

#[tokio::test]
async fn a_trap_fails_the_call_with_a_symbolized_backtrace() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("trap", json!({}));
    let mut plugin = test.load(&plugin_dir).await;
    let error = plugin.start().await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("`qirvo_start` trapped: wasm trap: wasm `unreachable` instruction executed"),
        "{text}"
    );
    assert!(text.contains("trap::ratio"), "{text}");
    assert!(text.contains("at /qirvo/examples/trap/src/lib.rs:10:5"), "{text}");
    assert_eq!(plugin.state(), LifecycleState::Error);
    assert!(test.lines().iter().any(|l| l.contains("attempt to divide by zero")));
    assert!(plugin.start().await.is_err(), "a broken plugin cannot be restarted");
}

#[tokio::test]
async fn memory_growth_beyond_the_limit_fails_inside_the_plugin() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("memory-hog", json!({ "resources": { "memory": "8MB" } }));
    let mut plugin = test.load(&plugin_dir).await;
    let error = plugin.start().await.unwrap_err();
    assert!(matches!(error, CallError::Failed { status: 1, .. }), "{error}");
    let refused = test
        .lines()
        .into_iter()
        .find(|l| l.starts_with("allocation refused after"))
        .unwrap();
    let megabytes: u64 = refused.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!((4..8).contains(&megabytes), "{refused}");
    let metrics = plugin.metrics();
    assert!(metrics.memory_violations >= 1);
    assert!(metrics.memory_peak_bytes <= 8 << 20);
}

#[tokio::test]
async fn writes_beyond_the_storage_quota_are_refused_and_earlier_ones_kept() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new("counter", json!({ "resources": { "storage": "16KB" } }));
    let mut plugins = vec![test.load(&plugin_dir).await];
    plugins[0].start().await.unwrap();
    let report = events::publish(&mut plugins, "counter.fill", b"1000").await;
    let failure = &report.failed[0];
    assert!(
        matches!(failure.error, CallError::Failed { status: 1, .. }),
        "{:?}",
        failure.error
    );
    let logged = test.lines().into_iter().find(|l| l.contains("quota")).unwrap();
    assert!(
        logged.starts_with("storage quota exceeded: writing 1011 bytes would use"),
        "{logged}"
    );
    let metrics = plugins[0].metrics();
    assert_eq!(metrics.storage_quota_violations, 1);
    assert!(
        metrics.storage_bytes <= 16 << 10 && metrics.storage_bytes > 14 << 10,
        "{}",
        metrics.storage_bytes
    );
    assert_eq!(
        plugins[0].state(),
        LifecycleState::Running,
        "a refused write does not break the plugin"
    );
}

#[tokio::test]
async fn http_reaches_allowed_hosts_only() {
    let server = HttpServer::start("forecast: sunny", Duration::ZERO);
    let test = TestRuntime::new();
    let allowed = PluginDir::new("fetch", json!({ "config": { "url": server.url() } }));
    let mut plugin = test.load(&allowed).await;
    plugin.start().await.unwrap();
    assert_eq!(test.lines(), [format!("GET {} -> 200 (15 bytes)", server.url())]);
    assert_eq!(plugin.metrics().network_requests, 1);

    let denied = PluginDir::new(
        "fetch",
        json!({ "network": { "allowed_hosts": ["api.example.com"] }, "config": { "url": server.url() } }),
    );
    let mut plugin = test.load(&denied).await;
    let error = plugin.start().await.unwrap_err();
    assert!(matches!(error, CallError::Failed { .. }), "{error}");
    assert!(
        test.lines()
            .contains(&format!("127.0.0.1:{} is not in allowed_hosts", server.port)),
        "{:?}",
        test.lines()
    );
    assert_eq!(plugin.metrics().network_denied, 1);
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        1,
        "the denied request never left the host"
    );
}

#[tokio::test]
async fn requests_in_flight_are_capped_by_max_connections() {
    let server = HttpServer::start("ok", Duration::from_millis(200));
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new(
        "fetch",
        json!({ "config": { "url": server.url() }, "resources": { "memory": "32MB", "max_connections": 2 } }),
    );
    let mut plugins = vec![test.load(&plugin_dir).await];
    plugins[0].start().await.unwrap();
    let report = events::publish(&mut plugins, "fetch.parallel", b"2").await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let report = events::publish(&mut plugins, "fetch.parallel", b"3").await;
    assert_eq!(report.failed.len(), 1);
    assert!(
        test.lines()
            .iter()
            .any(|l| l.starts_with("too many connections: 2 requests are in flight")),
        "{:?}",
        test.lines()
    );
    assert_eq!(plugins[0].metrics().network_denied, 1);
}

#[tokio::test]
async fn cpu_throttling_pauses_a_busy_plugin_in_proportion() {
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new(
        "infinite-loop",
        json!({ "resources": { "memory": "16MB", "timeout": "1s", "cpu": 25 } }),
    );
    let mut plugin = test.load(&plugin_dir).await;
    assert!(plugin.start().await.is_err());
    let metrics = plugin.metrics();
    // At 25% the plugin idles three times as long as it ran before each tick (the clock's unit
    // tests check the ratio exactly). The stretch that ends in the timeout is never throttled, and
    // on a loaded machine the ticker thread can be late by tens of milliseconds, so only demand
    // that it idled at least as long as it ran: without throttling it would not idle at all.
    assert!(
        metrics.throttled_ms >= metrics.cpu_ms,
        "ran {} ms, throttled {} ms",
        metrics.cpu_ms,
        metrics.throttled_ms
    );
}

#[tokio::test]
async fn health_checks_report_problems() {
    let test = TestRuntime::new();
    let hello = PluginDir::new("hello", json!({}));
    let mut plugin = test.load(&hello).await;
    plugin.start().await.unwrap();
    let report = plugin.health_check().await;
    assert!(report.healthy, "{report:?}");
    assert!(report.memory_bytes > 0 && report.memory_bytes <= report.memory_limit_bytes);

    let hog = PluginDir::new("memory-hog", json!({ "resources": { "memory": "8MB" } }));
    let mut plugin = test.load(&hog).await;
    let _ = plugin.start().await;
    let report = plugin.health_check().await;
    assert!(!report.healthy);
    assert!(
        report.reasons.iter().any(|r| r.contains("memory growth was refused")),
        "{report:?}"
    );
    assert!(report.reasons.iter().any(|r| r.contains("error state")), "{report:?}");
    assert_eq!(plugin.metrics().unhealthy_checks, 1);
    let again = plugin.health_check().await;
    assert!(
        !again.reasons.iter().any(|r| r.contains("memory growth")),
        "reported once: {again:?}"
    );
}

#[tokio::test]
async fn response_bodies_are_paced_by_the_bandwidth_cap() {
    static BODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body: &'static str = BODY.get_or_init(|| "x".repeat(20 * 1024));
    let server = HttpServer::start(body, Duration::ZERO);
    let test = TestRuntime::new();
    let plugin_dir = PluginDir::new(
        "fetch",
        json!({ "config": { "url": server.url() }, "resources": { "memory": "32MB", "bandwidth": "40KB/s" } }),
    );
    let mut plugin = test.load(&plugin_dir).await;
    let started = Instant::now();
    plugin.start().await.unwrap();
    // 20 KB at 40 KB/s cannot arrive in less than half a second.
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(plugin.metrics().network_bytes_received, 20 * 1024);
}
