//! `cargo bench --bench dap`: the debug adapter as a client sees it, over stdio with the real
//! `qirvo dap` binary: launch → first breakpoint, `next` round trip, `stackTrace` at recursion
//! depth 1000, and a CPU-bound plugin under the debugger vs `qirvo run`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    seq: i64,
}

impl Client {
    fn start(home: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qirvo"))
            .arg("dap")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("QIRVO_CACHE_DIR", home.join("cache"))
            .env("QIRVO_DATA_DIR", home.join("data"))
            .env("QIRVO_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Client {
            child,
            stdin,
            stdout,
            seq: 0,
        }
    }

    fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.seq += 1;
        let body = serde_json::to_vec(
            &json!({ "seq": self.seq, "type": "request", "command": command, "arguments": arguments }),
        )
        .unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
        self.seq
    }

    fn read(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn until(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.read();
            if matches(&message) {
                return message;
            }
        }
    }

    fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        self.until(|m| m["type"] == "response" && m["request_seq"] == seq)
    }

    fn event(&mut self, name: &str) -> Value {
        self.until(|m| m["type"] == "event" && m["event"] == name)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

fn plugin_from_wat(dir: &Path, wat: &str, timeout: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("plugin.wasm"), wat::parse_str(wat).unwrap()).unwrap();
    let manifest = json!({
        "manifest_version": 1, "id": "dev.qirvo.bench", "name": "Bench", "version": "0.1.0",
        "description": "A benchmark plugin in wasm text.", "type": "service",
        "author": "Bench <bench@qirvo.dev>", "category": "utilities", "main": "plugin.wasm",
        "resources": { "memory": "16MB", "timeout": timeout }
    });
    let path = dir.join("manifest.json");
    std::fs::write(&path, manifest.to_string()).unwrap();
    path
}

const LIFECYCLE: &str = r#"
  (memory (export "memory") 1)
  (func (export "qirvo_alloc") (param i32) (result i32) i32.const 1024)
  (func (export "qirvo_initialize") (result i32) i32.const 0)
  (func (export "qirvo_stop") (result i32) i32.const 0)"#;

fn main() {
    let home = tempfile::tempdir().unwrap();
    let hello_source = format!("{}/examples/hello/src/lib.rs", env!("CARGO_MANIFEST_DIR"));

    // Launch → first stop, and `next` round trips, over several sessions (the first fills the
    // code cache with the debug build of the module).
    let mut first_stops = Vec::new();
    let mut nexts = Vec::new();
    for session in 0..11 {
        let mut client = Client::start(home.path());
        client.request("initialize", json!({ "adapterID": "qirvo" }));
        let started = Instant::now();
        client.request("launch", json!({ "manifest": "examples/hello/manifest.json" }));
        client.request(
            "setBreakpoints",
            json!({ "source": { "path": hello_source }, "breakpoints": [{ "line": 18 }] }),
        );
        client.request("configurationDone", json!({}));
        client.event("stopped");
        if session > 0 {
            first_stops.push(started.elapsed());
        }
        let sent = Instant::now();
        client.send("next", json!({ "threadId": 1 }));
        client.event("stopped");
        nexts.push(sent.elapsed());
        client.request("disconnect", json!({}));
    }

    // stackTrace at depth 1000.
    let deep = plugin_from_wat(
        &home.path().join("deep"),
        &format!(
            r#"(module {LIFECYCLE}
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then unreachable)
      (else (i32.add (call $down (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  (func (export "qirvo_start") (result i32) (drop (call $down (i32.const 1000))) i32.const 0))"#
        ),
        "30s",
    );
    let mut client = Client::start(home.path());
    client.request("initialize", json!({ "adapterID": "qirvo" }));
    client.request("launch", json!({ "manifest": deep }));
    client.request("configurationDone", json!({}));
    client.event("stopped");
    let mut traces = Vec::new();
    for _ in 0..20 {
        let sent = Instant::now();
        let response = client.request("stackTrace", json!({ "threadId": 1 }));
        traces.push(sent.elapsed());
        assert_eq!(response["body"]["totalFrames"], 1002);
    }
    drop(client);

    // A CPU-bound plugin: recursive fib(32) in qirvo_start.
    let fib = plugin_from_wat(
        &home.path().join("fib"),
        &format!(
            r#"(module {LIFECYCLE}
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2)) (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "qirvo_start") (result i32) (drop (call $fib (i32.const 32))) i32.const 0))"#
        ),
        "120s",
    );
    let qirvo = |args: &[&str]| {
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_qirvo"))
            .args(args)
            .env("QIRVO_CACHE_DIR", home.path().join("cache"))
            .env("QIRVO_DATA_DIR", home.path().join("data"))
            .env("QIRVO_LOG", "warn")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        started.elapsed()
    };
    let fib_path = fib.to_string_lossy().into_owned();
    qirvo(&["run", &fib_path]);
    qirvo(&["debug", &fib_path]);
    let run: Vec<Duration> = (0..5).map(|_| qirvo(&["run", &fib_path])).collect();
    let debug: Vec<Duration> = (0..5).map(|_| qirvo(&["debug", &fib_path])).collect();
    let (run, debug) = (median(run), median(debug));

    println!("| measurement (median) | result |");
    println!("|---|---|");
    println!(
        "| launch → first breakpoint stop (`hello`, warm cache), 10 sessions | {} |",
        ms(median(first_stops))
    );
    println!(
        "| `next` round trip (request → `stopped`, line 18 → 19 of `hello`), 11 samples | {} |",
        ms(median(nexts))
    );
    println!(
        "| `stackTrace` at recursion depth 1000 (1002 frames), 20 requests | {} |",
        ms(median(traces))
    );
    println!("| CPU-bound plugin (fib(32)): `qirvo run` | {} |", ms(run));
    println!(
        "| same under the debugger (`qirvo debug`, no breakpoints) | {} |",
        ms(debug)
    );
    println!("| debugger / run | {:.2}x |", debug.as_secs_f64() / run.as_secs_f64());
    inspection(home.path());
}

/// The line of `source` (relative to the repository) holding `marker`.
fn marked_line(source: &str, marker: &str) -> u32 {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(source)).unwrap();
    text.lines().position(|l| l.contains(marker)).unwrap() as u32 + 1
}

/// A session stopped at `marker` in `source`; returns the client and the top frame's id.
fn stopped_at(home: &Path, manifest: &str, source: &str, marker: &str) -> (Client, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(source);
    let mut client = Client::start(home);
    client.request("initialize", json!({ "adapterID": "qirvo" }));
    client.request("launch", json!({ "manifest": manifest }));
    client.request(
        "setBreakpoints",
        json!({ "source": { "path": path }, "breakpoints": [{ "line": marked_line(source, marker) }] }),
    );
    client.request("configurationDone", json!({}));
    client.event("stopped");
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let frame = trace["body"]["stackFrames"][0]["id"].clone();
    (client, frame)
}

/// Reading a stopped plugin: scopes + variables of a frame with 50 locals, a 100 000-element
/// `Vec` paged through, and evaluate. Target for each: well under 10 ms.
fn inspection(home: &Path) {
    let c = "examples/c-variables/c_variables.c";
    let (mut client, frame) = stopped_at(home, "examples/c-variables/manifest.json", c, "/* FIFTY */");
    let mut frames = Vec::new();
    for _ in 0..50 {
        let sent = Instant::now();
        let scopes = client.request("scopes", json!({ "frameId": frame }));
        let locals = scopes["body"]["scopes"][0]["variablesReference"].clone();
        let variables = client.request("variables", json!({ "variablesReference": locals }));
        frames.push(sent.elapsed());
        assert_eq!(
            variables["body"]["variables"].as_array().unwrap().len(),
            51,
            "v0…v49 and sum"
        );
    }
    drop(client);

    let (mut client, frame) = stopped_at(home, "examples/c-variables/manifest.json", c, "/* BREAK */");
    let mut evaluations = Vec::new();
    for _ in 0..100 {
        let sent = Instant::now();
        let body = client.request(
            "evaluate",
            json!({ "expression": "shape->corner.x + many[299]", "frameId": frame, "context": "watch" }),
        );
        evaluations.push(sent.elapsed());
        assert_eq!(body["body"]["result"], "608");
    }
    drop(client);

    let rust = "examples/variables/src/lib.rs";
    let (mut client, frame) = stopped_at(home, "examples/variables/manifest.json", rust, "// BREAK");
    let scopes = client.request("scopes", json!({ "frameId": frame }));
    let locals = scopes["body"]["scopes"][0]["variablesReference"].clone();
    let variables = client.request("variables", json!({ "variablesReference": locals }));
    let many = variables["body"]["variables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "many")
        .unwrap()["variablesReference"]
        .clone();
    // VS Code shows a large array in pages of 100.
    let mut pages = Vec::new();
    let started = Instant::now();
    for page in 0..1000 {
        let sent = Instant::now();
        let body = client.request(
            "variables",
            json!({ "variablesReference": many, "filter": "indexed", "start": page * 100, "count": 100 }),
        );
        pages.push(sent.elapsed());
        assert_eq!(body["body"]["variables"][99]["value"], (page * 100 + 99).to_string());
    }
    let all_pages = started.elapsed();
    drop(client);

    println!();
    println!("| measurement (median) | result |");
    println!("|---|---|");
    println!(
        "| `scopes` + `variables` of a frame with 50 locals (C, -O0), 50 samples | {} |",
        ms(median(frames))
    );
    println!(
        "| one page of 100 elements of a `Vec<u32>` of 100 000, 1000 pages | {} |",
        ms(median(pages))
    );
    println!("| all 1000 pages, in sequence | {} |", ms(all_pages));
    println!(
        "| `evaluate` round trip (`shape->corner.x + many[299]`), 100 samples | {} |",
        ms(median(evaluations))
    );
}
