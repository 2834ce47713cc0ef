//! Headless DAP sessions against the real `qirvo dap` binary and the example plugins.

mod dap;
mod wire;

use dap::{DapClient, example_source};
use serde_json::json;

#[test]
fn breakpoints_in_initialize_and_start_stop_there_with_a_stack() {
    let mut client = DapClient::start();
    let hello = example_source("hello");
    let breakpoints = client.launch(
        json!({ "manifest": "examples/hello/manifest.json" }),
        &[(&hello, &[13, 18])],
    );
    assert_eq!(breakpoints[0]["verified"], true, "{breakpoints:?}");
    assert_eq!(breakpoints[0]["line"], 13);
    assert_eq!(breakpoints[1]["line"], 18);

    let (reason, function, file, line) = client.wait_stop();
    assert_eq!(
        (reason.as_str(), file.as_str(), line),
        ("breakpoint", "lib.rs", 13),
        "{function}"
    );
    assert!(function.contains("initialize"), "{function}");
    let stack = client.stack(1);
    assert!(stack.iter().any(|f| f.starts_with("qirvo_initialize")), "{stack:?}");
    client.request("continue", json!({ "threadId": 1 }));

    let (reason, function, _, line) = client.wait_stop();
    assert_eq!((reason.as_str(), line), ("breakpoint", 18));
    assert!(function.contains("start"), "{function}");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
    let output = client.output();
    assert!(output.contains("Hello, world!"), "{output}");
    assert!(output.contains("[dev.qirvo.examples.hello] info: stop"), "{output}");
    let loaded: Vec<&str> = client
        .events
        .iter()
        .filter(|e| e["event"] == "loadedSource")
        .filter_map(|e| e["body"]["source"]["path"].as_str())
        .collect();
    assert!(
        loaded.iter().any(|p| p.ends_with("examples/hello/src/lib.rs")),
        "{loaded:?}"
    );
    assert!(loaded.iter().any(|p| p.ends_with("pdk/src/lib.rs")), "{loaded:?}");
    let module = client.events.iter().find(|e| e["event"] == "module").unwrap();
    assert_eq!(module["body"]["module"]["symbolStatus"], "Symbols loaded.");
    assert!(client.disconnect().success());
}

#[test]
fn a_breakpoint_on_a_line_without_code_moves_and_one_past_the_code_is_unverified() {
    let mut client = DapClient::start();
    let hello = example_source("hello");
    let breakpoints = client.launch(
        json!({ "manifest": "examples/hello/manifest.json" }),
        &[(&hello, &[16, 500])],
    );
    assert_eq!(breakpoints[0]["verified"], true);
    // Line 17 is `fn start(&mut self)`, which has no code of its own at opt-level 1.
    assert_eq!(
        breakpoints[0]["line"], 18,
        "moved to the next line with code: {:?}",
        breakpoints[0]
    );
    assert_eq!(breakpoints[1]["verified"], false);
    assert!(
        breakpoints[1]["message"]
            .as_str()
            .unwrap()
            .contains("no code at or after line 500")
    );
    let (reason, _, _, line) = client.wait_stop();
    assert_eq!((reason.as_str(), line), ("breakpoint", 18));
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn stepping_over_into_and_out() {
    let mut client = DapClient::start();
    let hello = example_source("hello");
    client.launch(
        json!({ "manifest": "examples/hello/manifest.json" }),
        &[(&hello, &[18])],
    );
    let (_, _, _, line) = client.wait_stop();
    assert_eq!(line, 18);
    let at_18 = client.stack(1);

    // Over `info!(..)`: the next line of the same function, never inside the logging code.
    client.request("next", json!({ "threadId": 1 }));
    let (reason, function, file, line) = client.wait_stop();
    assert_eq!(
        (reason.as_str(), file.as_str(), line),
        ("step", "lib.rs", 19),
        "{function}"
    );
    assert_eq!(client.stack(1).len(), at_18.len());

    // Over `println!`: at opt-level 1 `Ok(())` has no code, so the step ends in a caller;
    // it must never go deeper.
    client.request("next", json!({ "threadId": 1 }));
    let (reason, ..) = client.wait_stop();
    assert_eq!(reason, "step");
    assert!(client.stack(1).len() <= at_18.len());
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);

    // Into `info!(..)`: deeper, into the SDK's `log`; out again: back to `start`'s frame.
    let mut client = DapClient::start();
    client.launch(
        json!({ "manifest": "examples/hello/manifest.json" }),
        &[(&hello, &[18])],
    );
    client.wait_stop();
    let mut depth = at_18.len();
    let mut entered = None;
    for _ in 0..20 {
        client.request("stepIn", json!({ "threadId": 1 }));
        let (reason, function, _, _) = client.wait_stop();
        assert_eq!(reason, "step");
        depth = client.stack(1).len();
        if depth > at_18.len() {
            entered = Some(function);
            break;
        }
    }
    assert!(entered.is_some(), "stepIn never entered a call");
    let inside = client.stack(1);
    client.request("stepOut", json!({ "threadId": 1 }));
    let (reason, ..) = client.wait_stop();
    assert_eq!(reason, "step");
    let after = client.stack(1);
    // Out of `log` (which was inlined into `start`): the first statement after it, which at
    // opt-level 1 may itself be inlined code (dropping the formatted message).
    let entered = entered.unwrap();
    assert!(
        !after[0].starts_with(&format!("{entered}@")),
        "still in {entered}: {inside:#?}\n{after:#?}"
    );
    assert!(
        after.iter().any(|f| f.contains("Plugin>::start@lib.rs:18")),
        "{after:#?}"
    );
    let _ = depth;
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn stop_on_entry_then_step_in() {
    let mut client = DapClient::start();
    client.launch(
        json!({ "manifest": "examples/hello/manifest.json", "stopOnEntry": true }),
        &[],
    );
    let stopped = client.wait_event("stopped");
    assert_eq!(stopped["reason"], "entry");
    client.request("stepIn", json!({ "threadId": 1 }));
    let (reason, _, file, line) = client.wait_stop();
    assert_eq!(reason, "step");
    assert!(
        !file.is_empty() && line > 0,
        "stepping from entry reaches a source line"
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn a_trap_stops_with_an_exception_at_the_trapping_frame() {
    let mut client = DapClient::start();
    client.launch(json!({ "manifest": "examples/trap/manifest.json" }), &[]);
    let stopped = client.wait_event("stopped");
    assert_eq!(stopped["reason"], "exception");
    assert!(stopped["text"].as_str().unwrap().contains("unreachable"), "{stopped}");
    let info = client.request("exceptionInfo", json!({ "threadId": 1 }));
    assert_eq!(info["exceptionId"], "Trap");
    let stack = client.stack(1);
    assert!(
        stack.iter().any(|f| f.starts_with("trap::ratio@lib.rs:10")),
        "{stack:?}"
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 1);
}

#[test]
fn a_timeout_stops_with_an_exception() {
    let mut client = DapClient::start();
    client.launch(json!({ "manifest": "examples/infinite-loop/manifest.json" }), &[]);
    let stopped = client.wait_event("stopped");
    assert_eq!(stopped["reason"], "exception");
    assert!(
        stopped["text"].as_str().unwrap().contains("timeout of 300 ms"),
        "{stopped}"
    );
    let stack = client.stack(1);
    assert!(
        stack[0].contains("infinite-loop") || stack[0].contains("Spin"),
        "{stack:?}"
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 1);
}

#[test]
fn two_plugins_are_two_threads() {
    let mut client = DapClient::start();
    let hello = example_source("hello");
    client.request("initialize", json!({ "adapterID": "qirvo" }));
    client.request(
        "launch",
        json!({ "manifests": ["examples/hello/manifest.json", "examples/counter/manifest.json"] }),
    );
    client.wait_event("initialized");
    let threads = client.request("threads", json!({}));
    let names: Vec<&str> = threads["threads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev.qirvo.examples.hello", "dev.qirvo.examples.counter"]);
    client.request(
        "setBreakpoints",
        json!({ "source": { "path": hello }, "breakpoints": [{ "line": 18 }] }),
    );
    client.request("configurationDone", json!({}));
    let stopped = client.wait_event("stopped");
    assert_eq!(stopped["threadId"], 1);
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn disconnect_mid_run_ends_the_plugin() {
    let mut client = DapClient::start();
    let hello = example_source("hello");
    client.launch(
        json!({ "manifest": "examples/hello/manifest.json" }),
        &[(&hello, &[13])],
    );
    client.wait_stop();
    let status = client.disconnect();
    assert!(status.success(), "a requested end is not a failure: {status}");
}

/// `terminate` at a stop ends the plugin there: the guest runs no further instruction (nothing
/// after the breakpoint is printed), and ending it on request is not reported as a failure.
#[test]
fn terminate_at_a_stop_ends_the_plugin_there() {
    let mut client = DapClient::start();
    let hello = example_source("hello");
    client.launch(
        json!({ "manifest": "examples/hello/manifest.json" }),
        &[(&hello, &[18])],
    );
    // Terminate at once: the request also releases the stop, and the guest must not win.
    client.wait_event("stopped");
    client.request("terminate", json!({}));
    assert_eq!(client.wait_exit(), 0);
    let output = client.output();
    assert!(
        !output.contains("info: start"),
        "line 18 ran after terminate:\n{output}"
    );
    assert!(
        !output.contains("Hello, world!"),
        "line 19 ran after terminate:\n{output}"
    );
    assert!(!output.contains("trapped"), "terminate is not a trap:\n{output}");
    assert!(client.disconnect().success());
}

#[test]
fn garbage_and_unknown_requests_get_errors_and_the_session_goes_on() {
    let mut client = DapClient::start();
    let seq = client.send("frobnicate", json!({}));
    let response = client.response(seq);
    assert_eq!(response["success"], false);
    assert_eq!(response["command"], "frobnicate");
    assert!(response["message"].as_str().unwrap().contains("unknown"));
    let seq = client.send("stackTrace", json!({ "threadId": "one" }));
    let response = client.response(seq);
    assert_eq!(response["success"], false);
    assert!(
        response["message"].as_str().unwrap().contains("invalid arguments"),
        "{response}"
    );
    client.send_raw(b"Content-Length: 9\r\n\r\n{garbage}");
    let seq = client.send("launch", json!({ "manifest": "does/not/exist.json" }));
    let response = client.response(seq);
    assert_eq!(response["success"], false);
    assert!(
        response["message"].as_str().unwrap().contains("cannot read"),
        "{response}"
    );
    let body = client.request("initialize", json!({ "adapterID": "qirvo" }));
    assert!(body["exceptionBreakpointFilters"].as_array().unwrap().len() == 3);
    assert!(client.disconnect().success());
}

#[test]
fn a_breakpoint_in_on_event_is_hit_for_launch_events() {
    let mut client = DapClient::start();
    let events = example_source("events");
    client.launch(
        json!({ "manifest": "examples/events/manifest.json", "events": ["greeting={\"from\":\"dap\"}", { "topic": "notify", "payload": "hi" }] }),
        &[(&events, &[15])],
    );
    let (reason, function, _, line) = client.wait_stop();
    assert_eq!((reason.as_str(), line), ("breakpoint", 15));
    assert!(function.contains("on_event"), "{function}");
    client.request("continue", json!({ "threadId": 1 }));
    let (_, _, _, line) = client.wait_stop();
    assert_eq!(line, 15, "the second event stops again");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
    assert!(
        client.output().contains("notification: Events: hi"),
        "{}",
        client.output()
    );
}

#[test]
fn breakpoints_in_a_c_plugin_and_function_breakpoints() {
    let mut client = DapClient::start();
    let source = format!("{}/examples/c-hello/c_hello.c", env!("CARGO_MANIFEST_DIR"));
    client.request("initialize", json!({ "adapterID": "qirvo" }));
    client.request("launch", json!({ "manifest": "examples/c-hello/manifest.json" }));
    client.wait_event("initialized");
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source }, "breakpoints": [{ "line": 34 }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    let functions = client.request(
        "setFunctionBreakpoints",
        json!({ "breakpoints": [{ "name": "qirvo_stop" }, { "name": "no_such_function" }] }),
    );
    assert_eq!(functions["breakpoints"][0]["verified"], true);
    assert_eq!(functions["breakpoints"][1]["verified"], false);
    client.request("configurationDone", json!({}));
    let (reason, function, file, line) = client.wait_stop();
    assert_eq!(
        (reason.as_str(), function.as_str(), file.as_str(), line),
        ("breakpoint", "qirvo_start", "c_hello.c", 34)
    );
    client.request("continue", json!({ "threadId": 1 }));
    let (reason, function, ..) = client.wait_stop();
    assert_eq!(
        (reason.as_str(), function.as_str()),
        ("function breakpoint", "qirvo_stop")
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn exception_filters_decide_whether_a_trap_stops() {
    let mut client = DapClient::start();
    client.request("initialize", json!({ "adapterID": "qirvo" }));
    client.request("launch", json!({ "manifest": "examples/trap/manifest.json" }));
    client.wait_event("initialized");
    client.request("setExceptionBreakpoints", json!({ "filters": [] }));
    client.request("configurationDone", json!({}));
    assert_eq!(client.wait_exit(), 1);
    assert!(
        !client.events.iter().any(|e| e["event"] == "stopped"),
        "no stop with the trap filter off"
    );
    assert!(client.output().contains("trapped"), "{}", client.output());
}

#[test]
fn pause_stops_a_busy_plugin() {
    // The example's own 300 ms timeout would race the pause on a loaded machine: give the same
    // module a 3 s budget.
    let dir = tempfile::tempdir().unwrap();
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("examples/infinite-loop/manifest.json").unwrap()).unwrap();
    manifest["main"] = json!(format!(
        "{}/examples/infinite-loop/infinite_loop.wasm",
        env!("CARGO_MANIFEST_DIR")
    ));
    manifest["resources"]["timeout"] = json!("3s");
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    let mut client = DapClient::start();
    client.request("initialize", json!({ "adapterID": "qirvo" }));
    client.request("launch", json!({ "manifest": dir.path().join("manifest.json") }));
    client.wait_event("initialized");
    client.request("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    client.request("configurationDone", json!({}));
    // The plugin says it is spinning before it loops.
    let deadline = std::time::Instant::now() + dap::PATIENCE;
    while !client.output().contains("spinning forever") {
        assert!(std::time::Instant::now() < deadline);
        client.wait_event("output");
    }
    client.request("pause", json!({ "threadId": 1 }));
    let stopped = client.wait_event("stopped");
    assert_eq!(stopped["reason"], "pause");
    let stack = client.stack(1);
    assert!(stack[0].contains("Spin"), "{stack:?}");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 1);
    assert!(
        client.output().contains("timed out after 3000 ms"),
        "{}",
        client.output()
    );
}

#[test]
fn tcp_mode_serves_a_session() {
    use std::io::{BufRead, BufReader, Read, Write};
    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_qirvo"))
        .args(["dap", "--port", "0", "--sessions", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("QIRVO_CACHE_DIR", home.path().join("cache"))
        .env("QIRVO_DATA_DIR", home.path().join("data"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let address = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(address.starts_with("127.0.0.1:"), "{line}");
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    let body = br#"{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"qirvo"}}"#;
    write!(stream, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
    stream.write_all(body).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut header = String::new();
    reader.read_line(&mut header).unwrap();
    let length: usize = header
        .trim()
        .trim_start_matches("Content-Length:")
        .trim()
        .parse()
        .unwrap();
    reader.read_line(&mut String::new()).unwrap();
    let mut response = vec![0; length];
    reader.read_exact(&mut response).unwrap();
    let response: serde_json::Value = serde_json::from_slice(&response).unwrap();
    assert_eq!(response["command"], "initialize");
    assert_eq!(response["success"], true);
    let body = br#"{"seq":2,"type":"request","command":"disconnect","arguments":{}}"#;
    write!(stream, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
    stream.write_all(body).unwrap();
    assert!(child.wait().unwrap().success(), "one session, then exit");
}

#[test]
fn qirvo_debug_prints_stops_and_reflects_the_exit_status() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_qirvo"))
            .arg("debug")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("QIRVO_CACHE_DIR", home.path().join("cache"))
            .env("QIRVO_DATA_DIR", home.path().join("data"))
            .env("QIRVO_LOG", "warn")
            .output()
            .unwrap()
    };
    let output = run(&[
        "examples/hello/manifest.json",
        "--break",
        "examples/hello/src/lib.rs:18",
        "--steps",
        "1",
        "--eval",
        "$local0",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("stopped (breakpoint) in <hello::Hello as qirvo_pdk::Plugin>::start at "),
        "{text}"
    );
    assert!(text.contains("examples/hello/src/lib.rs:18\n"), "{text}");
    assert!(
        text.contains("stopped (step) in <hello::Hello as qirvo_pdk::Plugin>::start at "),
        "{text}"
    );
    assert!(text.contains("  $local0 = "), "{text}");
    let output = run(&["examples/trap/manifest.json"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("stopped (exception) in abort"), "{text}");
    assert!(text.contains("trap::ratio at "), "{text}");
}

#[test]
fn deep_recursion_shows_every_frame_and_pages() {
    let plugin = dap::wat_plugin(&dap::recursion_wat(1000));
    let mut client = DapClient::start();
    client.launch(json!({ "manifest": plugin.path().join("manifest.json") }), &[]);
    let stopped = client.wait_event("stopped");
    assert_eq!(stopped["reason"], "exception");
    let all = client.request("stackTrace", json!({ "threadId": 1 }));
    // 1001 activations of `$down` plus `qirvo_start`.
    assert_eq!(all["totalFrames"], 1002);
    assert_eq!(all["stackFrames"].as_array().unwrap().len(), 1002);
    let page = client.request("stackTrace", json!({ "threadId": 1, "startFrame": 995, "levels": 20 }));
    assert_eq!(page["stackFrames"].as_array().unwrap().len(), 7);
    assert_eq!(page["totalFrames"], 1002);
    assert!(
        page["stackFrames"][0]["name"]
            .as_str()
            .unwrap()
            .starts_with("wasm function")
    );
    assert!(
        client.output().contains("has no DWARF"),
        "a module without DWARF is said so: {}",
        client.output()
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 1);
}

#[test]
fn a_wasi_command_runs_like_wasmtime_run_with_breakpoints() {
    let work = tempfile::tempdir().unwrap();
    let source = format!("{}/examples/command/src/main.rs", env!("CARGO_MANIFEST_DIR"));
    let mut client = DapClient::start();
    client.launch(
        json!({
            "program": format!("{}/examples/command/command.wasm", env!("CARGO_MANIFEST_DIR")),
            "args": ["one", "two"],
            "env": { "GREETING": "hej" },
            "cwd": work.path(),
        }),
        &[(&source, &[10])],
    );
    let (reason, function, file, line) = client.wait_stop();
    assert_eq!(
        (reason.as_str(), file.as_str(), line),
        ("breakpoint", "main.rs", 10),
        "{function}"
    );
    assert!(function.contains("command::main"), "{function}");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 2, "the exit status is the program's");
    let output = client.output();
    assert!(output.contains("arg 0: one\narg 1: two\n"), "{output}");
    assert!(output.contains("hej from a WASI command"), "{output}");
    assert_eq!(
        std::fs::read_to_string(work.path().join("command-output.txt")).unwrap(),
        "one two"
    );
}

#[test]
fn restart_runs_the_plugin_again_with_the_same_breakpoints() {
    let mut client = DapClient::start();
    let hello = example_source("hello");
    client.launch(
        json!({ "manifest": "examples/hello/manifest.json" }),
        &[(&hello, &[18])],
    );
    let first = client.wait_event("stopped");
    assert_eq!(first["reason"], "breakpoint");
    client.request("restart", json!({}));
    // The breakpoint is re-verified against the reloaded module.
    let changed = client.wait_event("breakpoint");
    assert_eq!(changed["reason"], "changed");
    assert_eq!(
        (
            changed["breakpoint"]["verified"].clone(),
            changed["breakpoint"]["line"].clone()
        ),
        (json!(true), json!(18))
    );
    // The new run gets a fresh thread and stops at the same breakpoint without reconfiguring.
    let second = client.wait_event("stopped");
    assert_eq!(second["reason"], "breakpoint");
    assert_ne!(second["threadId"], first["threadId"]);
    let thread = second["threadId"].as_i64().unwrap();
    let stack = client.stack(thread);
    assert!(stack[0].ends_with("lib.rs:18"), "{stack:?}");
    client.request("continue", json!({ "threadId": thread }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn stepping_over_a_long_call_runs_it_and_stops_after_it() {
    // No DWARF: `next` steps by instruction, and the call to `$long` (half a million
    // instructions) is run to its return rather than single-stepped through.
    let plugin = dap::wat_plugin(
        r#"(module
  (memory (export "memory") 1)
  (func (export "qirvo_alloc") (param i32) (result i32) i32.const 1024)
  (func $long (param $n i32) (result i32)
    (loop $again (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br_if $again (local.get $n)))
    (i32.const 7))
  (func (export "qirvo_initialize") (result i32) (drop (call $long (i32.const 100000))) (i32.const 0))
  (func (export "qirvo_start") (result i32) i32.const 0)
  (func (export "qirvo_stop") (result i32) i32.const 0))"#,
    );
    let mut client = DapClient::start();
    client.launch(
        json!({ "manifest": plugin.path().join("manifest.json"), "stopOnEntry": true }),
        &[],
    );
    assert_eq!(client.wait_event("stopped")["reason"], "entry");
    let entry = client.request("stackTrace", json!({ "threadId": 1 }));
    assert_eq!(entry["totalFrames"], 1);
    let mut depths = Vec::new();
    for _ in 0..3 {
        client.request("next", json!({ "threadId": 1 }));
        assert_eq!(client.wait_event("stopped")["reason"], "step");
        let trace = client.request("stackTrace", json!({ "threadId": 1 }));
        depths.push(trace["totalFrames"].as_u64().unwrap());
    }
    assert_eq!(depths, [1, 1, 1], "next never stops inside `$long`");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn source_map_sends_breakpoints_and_frames_to_the_mapped_checkout() {
    // A copy of the plugin's sources somewhere else, as on a machine other than the one that
    // built it; the module's DWARF says /qirvo/examples/hello/src/lib.rs.
    let checkout = tempfile::tempdir().unwrap();
    std::fs::create_dir(checkout.path().join("src")).unwrap();
    let copy = checkout.path().join("src/lib.rs");
    std::fs::copy(example_source("hello"), &copy).unwrap();
    let copy = copy.to_str().unwrap().to_string();

    let mut client = DapClient::start();
    let breakpoints = client.launch(
        json!({
            "manifest": "examples/hello/manifest.json",
            "sourceMap": { "/qirvo/examples/hello": checkout.path() },
        }),
        &[(&copy, &[18])],
    );
    assert_eq!(breakpoints[0]["verified"], true, "{breakpoints:?}");
    let stopped = client.wait_event("stopped");
    let trace = client.request("stackTrace", json!({ "threadId": stopped["threadId"] }));
    let top = &trace["stackFrames"][0];
    assert_eq!(
        (top["source"]["path"].as_str(), top["line"].as_u64()),
        (Some(copy.as_str()), Some(18))
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}

#[test]
fn function_breakpoints_find_inlined_trait_methods() {
    let mut client = DapClient::start();
    client.request("initialize", json!({ "adapterID": "qirvo" }));
    client.request("launch", json!({ "manifest": "examples/hello/manifest.json" }));
    client.wait_event("initialized");
    let set = client.request(
        "setFunctionBreakpoints",
        json!({ "breakpoints": [{ "name": "Hello::stop" }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    client.request("configurationDone", json!({}));
    let (reason, function, file, line) = client.wait_stop();
    assert_eq!(
        (reason.as_str(), file.as_str(), line),
        ("function breakpoint", "lib.rs", 24)
    );
    assert!(function.ends_with("::stop"), "{function}");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
}
