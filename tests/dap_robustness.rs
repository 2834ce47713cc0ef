//! What careless and hostile clients send to the real `qirvo dap`: requests shaped the way VS
//! Code shapes them, clients that count from 0, any Unicode, numbers at their limits, requests
//! that race the plugin's end, and bytes that are not DAP at all. The adapter answers each and
//! goes on.

mod dap;
mod wire;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

use dap::{DapClient, example_source};
use serde_json::{Value, json};

/// Launches hello with the given breakpoints on its source and waits for the first stop; returns
/// the setBreakpoints response and the top frame's id.
fn stopped_in_hello(client: &mut DapClient, breakpoints: Value) -> (Value, i64) {
    client.request("initialize", json!({ "clientID": "vscode", "adapterID": "qirvo" }));
    client.request("launch", json!({ "manifest": "examples/hello/manifest.json" }));
    client.wait_event("initialized");
    let mut arguments = breakpoints;
    arguments["source"] = json!({ "name": "lib.rs", "path": example_source("hello") });
    let response = client.request("setBreakpoints", arguments);
    client.request("configurationDone", json!({}));
    client.wait_event("stopped");
    let trace = client.request("stackTrace", json!({ "threadId": 1, "startFrame": 0, "levels": 20 }));
    (response, trace["stackFrames"][0]["id"].as_i64().unwrap())
}

/// The adapter still answers: a round trip that needs the session intact.
fn assert_alive(client: &mut DapClient) {
    let threads = client.request("threads", json!({}));
    assert_eq!(threads["threads"][0]["id"], 1, "{threads}");
}

#[test]
fn vs_code_sends_lines_and_breakpoints_and_only_breakpoints_count() {
    let mut client = DapClient::start();
    // VS Code's debugSession.ts sends both forms for every source.
    let (response, _) = stopped_in_hello(
        &mut client,
        json!({
            "lines": [13, 18],
            "breakpoints": [{ "line": 13, "logMessage": "initializing now" }, { "line": 18 }],
            "sourceModified": false,
        }),
    );
    let breakpoints = response["breakpoints"].as_array().unwrap();
    assert_eq!(breakpoints.len(), 2, "one answer per requested breakpoint: {response}");
    assert_eq!(
        (breakpoints[0]["line"].clone(), breakpoints[1]["line"].clone()),
        (json!(13), json!(18))
    );
    // The logpoint on 13 logged and did not stop: the first stop is on 18.
    let stack = client.stack(1);
    assert!(stack[0].ends_with("lib.rs:18"), "{stack:?}");
    assert!(client.output().contains("initializing now\n"), "{}", client.output());
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
    // Only the deprecated form: still understood.
    let mut client = DapClient::start();
    let (response, _) = stopped_in_hello(&mut client, json!({ "lines": [18] }));
    assert_eq!(response["breakpoints"].as_array().unwrap().len(), 1, "{response}");
    assert!(client.stack(1)[0].ends_with("lib.rs:18"));
}

#[test]
fn a_client_counting_from_zero_gets_zero_based_lines_and_columns() {
    let mut client = DapClient::start();
    client.request(
        "initialize",
        json!({ "adapterID": "qirvo", "linesStartAt1": false, "columnsStartAt1": false }),
    );
    client.request("launch", json!({ "manifest": "examples/hello/manifest.json" }));
    client.wait_event("initialized");
    // Line 17 counted from 0 is the source's line 18, `info!("start")`.
    let response = client.request(
        "setBreakpoints",
        json!({ "source": { "path": example_source("hello") }, "breakpoints": [{ "line": 17 }, { "line": 499 }] }),
    );
    assert_eq!(response["breakpoints"][0]["line"], 17, "{response}");
    assert!(
        response["breakpoints"][1]["message"]
            .as_str()
            .unwrap()
            .contains("line 500"),
        "messages speak of lines as the source has them: {response}"
    );
    client.request("configurationDone", json!({}));
    client.wait_event("stopped");
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let top = &trace["stackFrames"][0];
    assert_eq!(top["line"], 17, "{top}");
    assert!(top["column"].as_u64().is_some(), "{top}");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn completions_take_any_text_and_any_column() {
    let mut client = DapClient::start();
    let (_, frame) = stopped_in_hello(&mut client, json!({ "breakpoints": [{ "line": 18 }] }));
    // What VS Code's Debug Console sends while “typing”, one character at a time.
    let line = "x = “se€lf😀 $lo";
    let units: i64 = line.chars().map(|c| c.len_utf16() as i64).sum();
    for column in (-3..=units + 3).chain([i64::MIN, i64::MAX]) {
        let seq = client.send(
            "completions",
            json!({ "frameId": frame, "text": line, "column": column, "line": 1 }),
        );
        let response = client.response(seq);
        assert_eq!(response["success"], true, "column {column}: {response}");
    }
    // After `$lo` the raw names complete; start and length count UTF-16 units of the text.
    let completions = client.request(
        "completions",
        json!({ "frameId": frame, "text": line, "column": units + 1 }),
    );
    let local = completions["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "$local0")
        .unwrap_or_else(|| panic!("{completions}"));
    assert_eq!(
        (local["start"].clone(), local["length"].clone()),
        (json!(units - 3), json!(3))
    );
    assert_alive(&mut client);
}

#[test]
fn long_expressions_are_refused_and_the_adapter_survives() {
    let mut client = DapClient::start();
    let (_, frame) = stopped_in_hello(&mut client, json!({ "breakpoints": [{ "line": 18 }] }));
    let sum = |terms: usize| vec!["1"; terms].join("+");
    let seq = client.send(
        "evaluate",
        json!({ "expression": sum(200_000), "frameId": frame, "context": "repl" }),
    );
    let response = client.response(seq);
    assert_eq!(response["success"], false);
    assert!(response["message"].as_str().unwrap().contains("too long"), "{response}");
    // The longest accepted expression evaluates on the plugin's stack without overflowing it.
    let body = client.request(
        "evaluate",
        json!({ "expression": sum(500), "frameId": frame, "context": "watch" }),
    );
    assert_eq!(body["result"], "500", "{body}");
    let deep = "(".repeat(100_000) + "1" + &")".repeat(100_000);
    let seq = client.send("evaluate", json!({ "expression": deep, "frameId": frame }));
    assert_eq!(client.response(seq)["success"], false);
    // A condition of 20 000 terms is refused when set, with the reason.
    let response = client.request(
        "setBreakpoints",
        json!({ "source": { "path": example_source("hello") }, "breakpoints": [{ "line": 19, "condition": sum(20_000) }] }),
    );
    assert_eq!(response["breakpoints"][0]["verified"], false, "{response}");
    assert!(
        response["breakpoints"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too long")
    );
    assert_alive(&mut client);
}

#[test]
fn numbers_at_their_limits_get_answers_not_crashes() {
    let mut client = DapClient::start();
    let (_, frame) = stopped_in_hello(&mut client, json!({ "breakpoints": [{ "line": 18 }] }));
    let extremes = [json!(i64::MIN), json!(i64::MAX), json!(-1), json!(0), json!(u64::MAX)];
    for number in &extremes {
        for (command, arguments) in [
            ("scopes", json!({ "frameId": number })),
            ("variables", json!({ "variablesReference": number })),
            (
                "variables",
                json!({ "variablesReference": 1, "start": number, "count": number }),
            ),
            (
                "stackTrace",
                json!({ "threadId": 1, "startFrame": number, "levels": number }),
            ),
            ("stackTrace", json!({ "threadId": number })),
            ("evaluate", json!({ "expression": "1", "frameId": number })),
            (
                "readMemory",
                json!({ "memoryReference": "0x10", "offset": number, "count": number }),
            ),
            (
                "readMemory",
                json!({ "memoryReference": number.to_string(), "count": 16 }),
            ),
            (
                "writeMemory",
                json!({ "memoryReference": "0x10", "offset": number, "data": "AAAA" }),
            ),
            (
                "disassemble",
                json!({ "memoryReference": "0x10", "offset": number, "instructionOffset": number, "instructionCount": number }),
            ),
            (
                "completions",
                json!({ "frameId": frame, "text": "se", "column": number }),
            ),
            ("continue", json!({ "threadId": number })),
            (
                "setBreakpoints",
                json!({ "source": { "path": example_source("hello") }, "breakpoints": [{ "line": number }] }),
            ),
        ] {
            let seq = client.send(command, arguments.clone());
            let response = client.response(seq);
            assert_eq!(response["command"], command, "{arguments}: {response}");
        }
    }
    assert_alive(&mut client);
    // Scopes still work for the real frame after all that.
    let scopes = client.request("scopes", json!({ "frameId": frame }));
    assert!(!scopes["scopes"].as_array().unwrap().is_empty());
}

#[test]
fn terminate_racing_a_memory_read_answers_both_and_ends() {
    let mut client = DapClient::start();
    stopped_in_hello(&mut client, json!({ "breakpoints": [{ "line": 18 }] }));
    let read = client.send("readMemory", json!({ "memoryReference": "0x0", "count": 65_536 }));
    let terminate = client.send("terminate", json!({}));
    let write = client.send("writeMemory", json!({ "memoryReference": "0x100", "data": "AQID" }));
    for seq in [read, terminate, write] {
        let response = client.response(seq);
        assert_eq!(response["request_seq"], seq, "{response}");
    }
    assert_eq!(client.wait_exit(), 0);
    assert!(client.disconnect().success());
}

#[test]
fn a_client_that_vanishes_at_a_stop_leaves_no_adapter_behind() {
    let mut client = DapClient::start();
    stopped_in_hello(&mut client, json!({ "breakpoints": [{ "line": 18 }] }));
    // The editor dies with the plugin parked at the breakpoint: the adapter ends the plugin
    // and exits instead of waiting on it forever.
    client.close_input_and_wait();
}

#[test]
fn source_serves_only_the_sources_of_the_loaded_plugins() {
    let mut client = DapClient::start();
    stopped_in_hello(&mut client, json!({ "breakpoints": [{ "line": 18 }] }));
    let body = client.request(
        "source",
        json!({ "source": { "path": example_source("hello") }, "sourceReference": 0 }),
    );
    assert!(body["content"].as_str().unwrap().contains("impl Plugin for Hello"));
    for path in ["/etc/passwd", &format!("{}/Cargo.toml", env!("CARGO_MANIFEST_DIR"))] {
        let seq = client.send("source", json!({ "source": { "path": path }, "sourceReference": 0 }));
        let response = client.response(seq);
        assert_eq!(response["success"], false, "{response}");
        assert!(
            response["message"]
                .as_str()
                .unwrap()
                .contains("not a source of the loaded plugins")
        );
    }
    assert_alive(&mut client);
}

#[test]
fn broken_messages_are_answered_and_the_session_goes_on() {
    let mut client = DapClient::start();
    client.send_raw(b"Content-Length: 9\r\n\r\n{\"seq\":1,");
    client.send_raw(b"Content-Length: 2\r\n\r\n[]");
    let body = "{\"seq\":5,\"type\":\"request\",\"command\":\"initialize\",\"arguments\":{\"clientName\":\"“é😀”\"}}";
    client.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    let response = client.response(5);
    assert_eq!(response["success"], true, "{response}");
    let seq = client.send("evaluate", json!({ "expression": "“x”" }));
    assert_eq!(client.response(seq)["success"], false);
    let seq = client.send("“unknown”", json!({ "a": "😀" }));
    assert!(client.response(seq)["message"].as_str().unwrap().contains("“unknown”"));
}

/// `qirvo dap --port 0` with `extra` arguments; returns the child and its address.
fn listening(extra: &[&str], home: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qirvo"))
        .args(["dap", "--port", "0"])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("QIRVO_CACHE_DIR", home.join("cache"))
        .env("QIRVO_DATA_DIR", home.join("data"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let address = line.trim().rsplit(' ').next().unwrap().to_string();
    // Keep draining stderr so the adapter never blocks on it.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, address)
}

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Everything the adapter sends until it closes the connection.
fn read_until_closed(stream: &mut std::net::TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(dap::PATIENCE)).unwrap();
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received);
    received
}

#[test]
fn the_tcp_port_refuses_web_pages_and_requires_the_token() {
    let home = tempfile::tempdir().unwrap();
    let (mut child, address) = listening(&["--token", "s3cret-“token”"], home.path());
    let launch = |token: &str| {
        json!({ "seq": 2, "type": "request", "command": "launch",
                "arguments": { "manifest": "examples/hello/manifest.json", "token": token } })
    };
    // A web page's fetch() to the port: an HTTP request line and browser headers.
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    let body = launch("s3cret-“token”").to_string();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {address}\r\nOrigin: https://example.com\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    assert_eq!(read_until_closed(&mut stream), b"", "nothing is answered to a web page");

    // A DAP client without the token gets an error and the connection ends.
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .write_all(&frame(&json!({ "seq": 1, "type": "request", "command": "threads" })))
        .unwrap();
    stream.write_all(&frame(&launch("guess"))).unwrap();
    let answered = String::from_utf8_lossy(&read_until_closed(&mut stream)).into_owned();
    assert!(answered.contains("launch first, with the `token`"), "{answered}");
    assert!(answered.contains("does not match"), "{answered}");
    assert!(!answered.contains("\"event\":\"initialized\""), "{answered}");

    // With the token, the session runs.
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream.write_all(&frame(&launch("s3cret-“token”"))).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut initialized = false;
    while let Some(message) = wire::read_frame(&mut reader) {
        if message["event"] == "initialized" {
            initialized = true;
            break;
        }
        assert_ne!(message["success"], false, "{message}");
    }
    assert!(initialized);
    stream
        .write_all(&frame(&json!({ "seq": 3, "type": "request", "command": "disconnect" })))
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn qirvo_debug_runs_a_wasi_program_and_check_names_a_module_for_what_it_is() {
    let work = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let program = format!("{root}/examples/command/command.wasm");
    let qirvo = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_qirvo"))
            .args(args)
            .current_dir(work.path())
            .env("QIRVO_CACHE_DIR", work.path().join("cache"))
            .env("QIRVO_DATA_DIR", work.path().join("data"))
            .env("QIRVO_LOG", "warn")
            .output()
            .unwrap()
    };
    let breakpoint = format!("{root}/examples/command/src/main.rs:10");
    let output = qirvo(&["debug", &program, "--break", &breakpoint, "--", "one", "two"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("stopped (breakpoint) in command::main"), "{text}");
    assert!(text.contains("examples/command/src/main.rs:10\n"), "{text}");
    assert_eq!(output.status.code(), Some(2), "the program's exit status: {text}");
    assert_eq!(
        std::fs::read_to_string(work.path().join("command-output.txt")).unwrap(),
        "one two"
    );

    for command in ["check", "run"] {
        let output = qirvo(&[command, &program]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is a WebAssembly module, not a manifest"),
            "{command}: {stderr}"
        );
        assert!(!stderr.contains("UTF-8"), "{command}: {stderr}");
        assert!(!output.status.success());
    }
}

/// A plugin that prints `lines` lines of 1 KiB through WASI in `qirvo_start`.
fn flooding_wat(lines: u32) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "qirvo_alloc") (param i32) (result i32) i32.const 4096)
  (func (export "qirvo_initialize") (result i32) i32.const 0)
  (func (export "qirvo_start") (result i32) (local $n i32)
    ;; A 1 KiB line at 1024: 1023 `x` and a newline; its iovec at 0.
    (memory.fill (i32.const 1024) (i32.const 120) (i32.const 1023))
    (i32.store8 (i32.const 2047) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 1024))
    (loop $again
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $n) (i32.const {lines}))))
    i32.const 0)
  (func (export "qirvo_stop") (result i32) i32.const 0))"#
    )
}

/// An editor that stops reading (a paused window, a stuck pipe) while a plugin prints 16 MiB:
/// the adapter keeps at most its cap of output queued, tells the client how much it dropped,
/// and the session ends normally once the client reads again.
#[test]
fn output_a_client_does_not_read_is_capped_and_the_drop_is_reported() {
    let plugin = dap::wat_plugin(&flooding_wat(16 * 1024));
    let home = tempfile::tempdir().unwrap();
    let mut adapter = dap::adapter(home.path()).spawn().unwrap();
    let mut input = adapter.stdin.take().unwrap();
    let manifest = plugin.path().join("manifest.json");
    for (seq, (command, arguments)) in [
        ("initialize", json!({ "adapterID": "qirvo" })),
        ("launch", json!({ "manifest": manifest })),
        ("configurationDone", json!({})),
    ]
    .into_iter()
    .enumerate()
    {
        let request = json!({ "seq": seq + 1, "type": "request", "command": command, "arguments": arguments });
        wire::write_frame(&mut input, &request);
    }
    // Nobody reads the adapter's stdout while the plugin prints.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let messages = wire::messages(adapter.stdout.take().unwrap());
    let mut printed = 0;
    let mut notice = None;
    loop {
        let message = messages
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the session goes on");
        if message["event"] == "output" {
            let text = message["body"]["output"].as_str().unwrap_or_default();
            if text.starts_with("qirvo:") && text.contains("dropped") {
                notice = Some(text.to_string());
            } else if text.starts_with("xxx") {
                printed += text.len();
            }
        }
        if message["event"] == "exited" {
            assert_eq!(message["body"]["exitCode"], 0, "the plugin completed");
            break;
        }
    }
    let notice = notice.expect("the client is told that output was dropped");
    assert!(printed < 16 << 20, "not all 16 MiB was kept: {printed} bytes arrived");
    assert!(printed >= 4 << 20, "the cap's worth arrived: {printed} bytes");
    let dropped: usize = notice.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap();
    // Every byte either arrived or was counted (lifecycle lines may be among the dropped).
    let accounted = printed + dropped;
    assert!(
        (16 << 20..(16 << 20) + 4096).contains(&accounted),
        "{accounted}: {notice}"
    );
    drop(input);
    let _ = adapter.wait();
}
