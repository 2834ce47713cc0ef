//! A DAP client for tests: spawns the real `qirvo dap` binary and speaks DAP over its stdio.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
pub mod vscode;

/// How long any single expected message may take (generous: CI machines are slow).
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct DapClient {
    child: Child,
    /// `None` once the test closed the adapter's input.
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    pending: VecDeque<Value>,
    seq: i64,
    /// Every event seen, in order.
    pub events: Vec<Value>,
    pub _home: tempfile::TempDir,
}

impl DapClient {
    pub fn start() -> DapClient {
        let home = tempfile::tempdir().unwrap();
        let mut child = adapter(home.path()).spawn().expect("qirvo dap starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let messages = crate::wire::messages(stdout);
        DapClient {
            child,
            stdin: Some(stdin),
            messages,
            pending: VecDeque::new(),
            seq: 0,
            events: Vec::new(),
            _home: home,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("the adapter's input is open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.seq += 1;
        let message = json!({ "seq": self.seq, "type": "request", "command": command, "arguments": arguments });
        crate::wire::write_frame(self.stdin.as_mut().expect("the adapter's input is open"), &message);
        self.seq
    }

    fn next_message(&mut self, deadline: Instant) -> Value {
        if let Some(message) = self.pending.pop_front() {
            return message;
        }
        match self
            .messages
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(message) => {
                if message["type"] == "event" {
                    self.events.push(message.clone());
                }
                message
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("no message from the adapter in time; events so far: {:#?}", self.events)
            }
            Err(RecvTimeoutError::Disconnected) => panic!("the adapter closed its output; events: {:#?}", self.events),
        }
    }

    /// The response to request `seq` (events seen meanwhile are kept for `wait_event`).
    pub fn response(&mut self, seq: i64) -> Value {
        let deadline = Instant::now() + PATIENCE;
        let mut skipped = Vec::new();
        loop {
            let message = self.next_message(deadline);
            if message["type"] == "response" && message["request_seq"] == seq {
                for m in skipped.into_iter().rev() {
                    self.pending.push_front(m);
                }
                return message;
            }
            skipped.push(message);
        }
    }

    /// Sends a request and returns its successful response's body.
    pub fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        let response = self.response(seq);
        assert_eq!(response["success"], true, "{command} failed: {response}");
        response["body"].clone()
    }

    /// Waits for the next event named `name`, skipping others.
    pub fn wait_event(&mut self, name: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        let mut skipped = Vec::new();
        loop {
            let message = self.next_message(deadline);
            if message["type"] == "event" && message["event"] == name {
                for m in skipped.into_iter().rev() {
                    self.pending.push_front(m);
                }
                return message["body"].clone();
            }
            if message["type"] != "event" {
                skipped.push(message);
            }
        }
    }

    /// Waits for the next event named any of `names`; returns its name and body.
    pub fn wait_event_of(&mut self, names: &[&str]) -> (String, Value) {
        let deadline = Instant::now() + PATIENCE;
        let mut skipped = Vec::new();
        loop {
            let message = self.next_message(deadline);
            if message["type"] == "event"
                && let Some(name) = names.iter().find(|n| message["event"] == **n)
            {
                for m in skipped.into_iter().rev() {
                    self.pending.push_front(m);
                }
                return (name.to_string(), message["body"].clone());
            }
            if message["type"] != "event" {
                skipped.push(message);
            }
        }
    }

    /// initialize + launch + the given breakpoints + configurationDone.
    pub fn launch(&mut self, launch: Value, breakpoints: &[(&str, &[u32])]) -> Vec<Value> {
        let capabilities = self.request("initialize", json!({ "clientID": "qirvo-tests", "adapterID": "qirvo" }));
        assert_eq!(capabilities["supportsConfigurationDoneRequest"], true);
        self.request("launch", launch);
        self.wait_event("initialized");
        let mut results = Vec::new();
        for (path, lines) in breakpoints {
            let body = self.request(
                "setBreakpoints",
                json!({ "source": { "path": path }, "breakpoints": lines.iter().map(|l| json!({ "line": l })).collect::<Vec<_>>() }),
            );
            results.extend(body["breakpoints"].as_array().unwrap().iter().cloned());
        }
        self.request("configurationDone", json!({}));
        results
    }

    /// Waits for a stop; returns (reason, top frame's function, file name, line).
    pub fn wait_stop(&mut self) -> (String, String, String, u32) {
        let stopped = self.wait_event("stopped");
        let thread = stopped["threadId"].as_i64().unwrap();
        let trace = self.request("stackTrace", json!({ "threadId": thread }));
        let top = &trace["stackFrames"][0];
        (
            stopped["reason"].as_str().unwrap().to_string(),
            top["name"].as_str().unwrap_or_default().to_string(),
            top["source"]["name"].as_str().unwrap_or_default().to_string(),
            top["line"].as_u64().unwrap_or(0) as u32,
        )
    }

    /// The stack of a thread as `function@file:line` strings.
    pub fn stack(&mut self, thread: i64) -> Vec<String> {
        let trace = self.request("stackTrace", json!({ "threadId": thread }));
        trace["stackFrames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{}@{}:{}",
                    f["name"].as_str().unwrap_or("?"),
                    f["source"]["name"].as_str().unwrap_or("?"),
                    f["line"]
                )
            })
            .collect()
    }

    /// Output text of all output events so far.
    pub fn output(&self) -> String {
        self.events
            .iter()
            .filter(|e| e["event"] == "output")
            .map(|e| e["body"]["output"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    pub fn wait_exit(&mut self) -> i64 {
        let exited = self.wait_event("exited");
        self.wait_event("terminated");
        exited["exitCode"].as_i64().unwrap()
    }

    /// Closes the adapter's input, as an editor that crashed or was killed does, and waits for
    /// the adapter to exit.
    pub fn close_input_and_wait(mut self) -> std::process::ExitStatus {
        self.stdin = None;
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the adapter did not exit after its input closed"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn disconnect(mut self) -> std::process::ExitStatus {
        let seq = self.send("disconnect", json!({ "terminateDebuggee": true }));
        let response = self.response(seq);
        assert_eq!(response["success"], true);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the adapter did not exit after disconnect");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for DapClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// `qirvo dap` on piped stdio, keeping its storage and code cache in `home`.
pub fn adapter(home: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_qirvo"));
    command
        .arg("dap")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("QIRVO_DATA_DIR", home.join("data"))
        .env("QIRVO_CACHE_DIR", home.join("cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command
}

pub fn example_source(example: &str) -> String {
    format!("{}/examples/{example}/src/lib.rs", env!("CARGO_MANIFEST_DIR"))
}

/// A plugin folder built from wasm text (no DWARF): `manifest.json` and `plugin.wasm`.
pub fn wat_plugin(wat: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plugin.wasm"), wat::parse_str(wat).unwrap()).unwrap();
    let manifest = json!({
        "manifest_version": 1, "id": "dev.qirvo.tests.wat", "name": "Wat plugin", "version": "0.1.0",
        "description": "A test plugin written in wasm text.", "type": "service",
        "author": "Tests <tests@qirvo.dev>", "category": "utilities", "main": "plugin.wasm",
        "resources": { "memory": "16MB", "timeout": "30s" }
    });
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    dir
}

/// Recursion `depth` deep, then a trap at the bottom.
pub fn recursion_wat(depth: u32) -> String {
    format!(
        r#"(module
  (memory (export "memory") 1)
  (func (export "qirvo_alloc") (param i32) (result i32) i32.const 1024)
  (func (export "qirvo_initialize") (result i32) i32.const 0)
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then unreachable)
      (else (i32.add (call $down (i32.sub (local.get $n) (i32.const 1))) (i32.const 1)))))
  (func (export "qirvo_start") (result i32) (drop (call $down (i32.const {depth}))) i32.const 0)
  (func (export "qirvo_stop") (result i32) i32.const 0))"#
    )
}
