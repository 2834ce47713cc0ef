//! `cargo bench -p qirvo-runtime --bench runtime`: load, instantiate and call costs of the
//! runtime, each next to a baseline from the same run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use qirvo_runtime::runtime::cache::{CacheConfig, CodeCache};
use qirvo_runtime::runtime::{LoadOptions, PluginRuntime, RuntimeConfig};
use wasmtime::Val;

const MANIFEST: &str = r#"{
  "manifest_version": 1, "id": "ID", "name": "Bench plugin", "version": "1.0.0",
  "description": "A plugin for the runtime benchmark.", "type": "service",
  "author": "Bench <bench@example.com>", "category": "utilities", "main": "MAIN",
  "resources": { "memory": "64MB", "timeout": "60s" }
}"#;

const LIFECYCLE: &str = r#"
  (memory (export "memory") 1)
  (func (export "qirvo_alloc") (param i32) (result i32) i32.const 1024)
  (func (export "qirvo_initialize") (result i32) i32.const 0)
  (func (export "qirvo_start") (result i32) i32.const 0)
  (func (export "qirvo_stop") (result i32) i32.const 0)"#;

/// A small plugin with a loop that calls the host `n` times, and the same loop without the call.
fn small_plugin() -> String {
    format!(
        r#"(module
  (import "qirvo" "now_ms" (func $now (result i64)))
  {LIFECYCLE}
  (func (export "host_calls") (param $n i32) (result i32)
    (loop $again (drop (call $now)) (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $again (local.get $n)))
    i32.const 0)
  (func (export "empty_loop") (param $n i32) (result i32)
    (loop $again (drop (i64.const 7)) (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $again (local.get $n)))
    i32.const 0))"#
    )
}

/// A plugin of about 2 MB of code: 1100 functions of arithmetic.
fn large_plugin() -> String {
    let mut text = format!("(module\n(import \"qirvo\" \"log\" (func (param i32 i32 i32)))\n{LIFECYCLE}\n");
    for f in 0..1100 {
        text.push_str(&format!(
            "(func (export \"f{f}\") (param i32) (result i32) (local i32)\n"
        ));
        for step in 0..100 {
            text.push_str(&format!(
                "(local.set 1 (i32.add (i32.mul (local.get 0) (i32.const {})) (i32.xor (local.get 1) (i32.const {}))))\n",
                step * 7919 + f,
                step * 104729 + 1
            ));
        }
        text.push_str("(local.get 1))\n");
    }
    text.push(')');
    text
}

fn write_plugin(dir: &Path, id: &str, wat: &str) -> PathBuf {
    let wasm = wat::parse_str(wat).expect("valid wat");
    let main = format!("{id}.wasm");
    std::fs::write(dir.join(&main), &wasm).unwrap();
    let manifest = dir.join(format!("{id}.qirvo.json"));
    std::fs::write(&manifest, MANIFEST.replace("ID", id).replace("MAIN", &main)).unwrap();
    manifest
}

fn runtime(cache: Option<&Path>, data: &Path) -> PluginRuntime {
    let mut config = RuntimeConfig::default_for_user();
    config.data_dir = data.to_path_buf();
    config.cache = match cache {
        Some(dir) => CodeCache::new(CacheConfig {
            dir: dir.to_path_buf(),
            time_to_live: Duration::from_secs(3600),
            max_bytes: 1 << 32,
        }),
        None => CodeCache::disabled(),
    };
    PluginRuntime::new(config).unwrap()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1e3)
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

async fn load_time(runtime: &PluginRuntime, manifest: &Path, runs: usize) -> Duration {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let plugin = runtime.load(manifest, LoadOptions::default()).await.unwrap();
        samples.push(started.elapsed());
        drop(plugin);
    }
    median(samples)
}

#[tokio::main]
async fn main() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let cache = work.path().join("cache");
    let large = write_plugin(work.path(), "large", &large_plugin());
    let small = write_plugin(work.path(), "small", &small_plugin());
    let large_size = std::fs::metadata(work.path().join("large.wasm")).unwrap().len();

    let uncached = runtime(None, &data);
    let cached = runtime(Some(&cache), &data);
    let cold = load_time(&uncached, &large, 5).await;
    cached.load(&large, LoadOptions::default()).await.unwrap();
    let warm = load_time(&cached, &large, 20).await;
    cached.load(&small, LoadOptions::default()).await.unwrap();
    let small_warm = load_time(&cached, &small, 200).await;

    let mut plugin = cached.load(&small, LoadOptions::default()).await.unwrap();
    let n = 1_000_000;
    let calls = {
        let started = Instant::now();
        plugin.call_export("host_calls", &[Val::I32(n)]).await.unwrap();
        started.elapsed()
    };
    let empty = {
        let started = Instant::now();
        plugin.call_export("empty_loop", &[Val::I32(n)]).await.unwrap();
        started.elapsed()
    };
    let per_call = calls.saturating_sub(empty) / n as u32;
    let mut call_samples = Vec::new();
    for _ in 0..2000 {
        let started = Instant::now();
        plugin.call_export("qirvo_start", &[]).await.unwrap();
        call_samples.push(started.elapsed());
    }
    let entry_call = median(call_samples);

    let hello = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hello/manifest.json");
    cached.load(&hello, LoadOptions::default()).await.unwrap();
    let before = resident_bytes();
    let started = Instant::now();
    let mut hundred = Vec::new();
    for _ in 0..100 {
        let mut plugin = cached.load(&hello, LoadOptions::default()).await.unwrap();
        plugin.start().await.unwrap();
        hundred.push(plugin);
    }
    let hundred_time = started.elapsed();
    let per_plugin = resident_bytes().saturating_sub(before) / 100;

    println!("| measurement | result |");
    println!("|---|---|");
    println!(
        "| cold load of a {:.1} MB module (compile, no cache), median of 5 | {} |",
        large_size as f64 / 1e6,
        ms(cold)
    );
    println!(
        "| warm load of the same module (code cache), median of 20 | {} |",
        ms(warm)
    );
    println!(
        "| warm / cold | {:.1}x faster |",
        cold.as_secs_f64() / warm.as_secs_f64()
    );
    println!(
        "| load (validate, instantiate, `qirvo_initialize`) of a small plugin, warm, median of 200 | {} |",
        ms(small_warm)
    );
    println!(
        "| call of an entry point (`qirvo_start`), median of 2000 | {:.2} µs |",
        entry_call.as_secs_f64() * 1e6
    );
    println!(
        "| host-call round trip (`now_ms`), 1M calls minus an empty loop | {:.1} ns |",
        per_call.as_secs_f64() * 1e9
    );
    println!(
        "| 100 `hello` plugins loaded and started (warm) | {} total, {} each |",
        ms(hundred_time),
        ms(hundred_time / 100)
    );
    println!(
        "| resident memory per running `hello` plugin | {:.0} KB |",
        per_plugin as f64 / 1024.0
    );
    drop(hundred);
}
