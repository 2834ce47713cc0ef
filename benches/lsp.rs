//! `cargo bench --bench lsp`: the language server as an editor sees it, over stdio with the real
//! `qirvo lsp` binary: edit → diagnostics latency for a typical manifest with a 2 MB and with a
//! 20 MB module (against a protocol round trip measured in the same run), the cost of a module
//! changing on disk, and the server's memory with 50 open manifests.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "../tests/lsp/mod.rs"]
mod lsp;
mod support;
#[path = "../tests/wire/mod.rs"]
mod wire;

use lsp::LspClient;
use support::{TYPICAL_MANIFEST, plugin_module};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

/// A plugin directory with a module of `size` bytes; returns the manifest's uri.
fn plugin(dir: &Path, size: usize) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("plugin.wasm"), plugin_module(size)).unwrap();
    std::fs::write(dir.join("manifest.json"), TYPICAL_MANIFEST).unwrap();
    format!("file://{}", dir.join("manifest.json").display())
}

/// Median time from a one-character edit to the diagnostics of that version.
fn edit_latency(client: &mut LspClient, uri: &str, edits: i64) -> Duration {
    client.open(uri, TYPICAL_MANIFEST);
    client.diagnostics(uri, 1);
    // "Weather" → "Weathe" → "Weather" …: the name stays valid, the text changes every time.
    let name = TYPICAL_MANIFEST.lines().nth(3).unwrap();
    let column = name.find("Weather").unwrap() as u64 + 6;
    let samples = (2..2 + edits)
        .map(|version| {
            let (range, text) = if version % 2 == 0 {
                ((column, column + 1), "")
            } else {
                ((column, column), "r")
            };
            let started = Instant::now();
            client.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{
                    "range": { "start": { "line": 3, "character": range.0 }, "end": { "line": 3, "character": range.1 } },
                    "text": text
                }] }),
            );
            let diagnostics = client.diagnostics(uri, version);
            assert!(diagnostics.is_empty(), "the typical manifest is clean: {diagnostics:#?}");
            started.elapsed()
        })
        .collect();
    median(samples)
}

fn resident_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn main() {
    let home = tempfile::tempdir().unwrap();

    let mut client = LspClient::start();
    let unopened = json!({ "textDocument": { "uri": "file:///nowhere/manifest.json" } });
    for _ in 0..20 {
        client.request("textDocument/documentSymbol", unopened.clone());
    }
    let round_trip = median(
        (0..200)
            .map(|_| {
                let started = Instant::now();
                let answer = client.request("textDocument/documentSymbol", unopened.clone());
                assert_eq!(answer, Value::Null);
                started.elapsed()
            })
            .collect(),
    );
    println!(
        "baseline: request round trip (nothing to compute), median of 200: {}",
        ms(round_trip)
    );

    let typical = plugin(&home.path().join("typical"), 2 << 20);
    let typical_latency = edit_latency(&mut client, &typical, 200);
    println!(
        "edit → diagnostics, 2 MB module, median of 200: {}",
        ms(typical_latency)
    );

    let big_dir = home.path().join("big");
    let big = plugin(&big_dir, 20 << 20);
    let big_latency = edit_latency(&mut client, &big, 200);
    println!("edit → diagnostics, 20 MB module, median of 200: {}", ms(big_latency));
    println!(
        "  beyond the round trip: {} (2 MB), {} (20 MB)",
        ms(typical_latency.saturating_sub(round_trip)),
        ms(big_latency.saturating_sub(round_trip))
    );

    // The module changes on disk: it is parsed again, once.
    let module = big_dir.join("plugin.wasm");
    let module_uri = format!("file://{}", module.display());
    let rebuilds: Vec<Duration> = (0..5)
        .map(|_| {
            let bytes = std::fs::read(&module).unwrap();
            std::fs::write(&module, bytes).unwrap();
            let started = Instant::now();
            client.notify(
                "workspace/didChangeWatchedFiles",
                json!({ "changes": [{ "uri": module_uri, "type": 2 }] }),
            );
            client.diagnostics(&big, 201);
            started.elapsed()
        })
        .collect();
    println!(
        "20 MB module rebuilt (watched-file change → diagnostics), median of 5: {}",
        ms(median(rebuilds))
    );
    drop(client);

    // Memory: one server, 50 manifests open, each with its own 2 MB module.
    let mut client = LspClient::start();
    let before = resident_kb(client.pid());
    let uris: Vec<String> = (0..50)
        .map(|i| plugin(&home.path().join(format!("many/{i}")), 2 << 20))
        .collect();
    for uri in &uris {
        client.open(uri, TYPICAL_MANIFEST);
    }
    for uri in &uris {
        client.diagnostics(uri, 1);
    }
    let after = resident_kb(client.pid());
    println!("resident memory: idle server {before} KB; with 50 open manifests {after} KB");
    println!(
        "  per open manifest (with its module summary): {:.1} KB",
        (after.saturating_sub(before)) as f64 / 50.0
    );
}
