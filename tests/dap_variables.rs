//! Inspecting a stopped plugin through the real `qirvo dap`: scopes, the variables tree read
//! through DWARF (C fixture at -O0 and -O1), paging, raw wasm state, the plugin scope and
//! linear memory.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};

mod dap;
mod wire;

use dap::DapClient;

const SOURCE: &str = "examples/c-variables/c_variables.c";

fn source_path() -> String {
    format!("{}/{SOURCE}", env!("CARGO_MANIFEST_DIR"))
}

/// The line of the fixture marked `/* BREAK */`.
fn break_line() -> u32 {
    let text = std::fs::read_to_string(source_path()).unwrap();
    text.lines().position(|l| l.contains("/* BREAK */")).unwrap() as u32 + 1
}

/// Stops in `inspect` at the BREAK line of the fixture built as `manifest`; returns the client
/// and the scopes of the top frame by name.
fn stopped_in_inspect(manifest: &str) -> (DapClient, Vec<(String, i64)>) {
    let mut client = DapClient::start();
    let path = source_path();
    let line = break_line();
    let set = client.launch(json!({ "manifest": manifest }), &[(&path, &[line])]);
    assert_eq!(set[0]["line"], line, "{set:?}");
    let (reason, function, _, stopped_line) = client.wait_stop();
    assert_eq!(
        (reason.as_str(), function.as_str(), stopped_line),
        ("breakpoint", "inspect", line)
    );
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let frame = trace["stackFrames"][0]["id"].clone();
    let scopes = client.request("scopes", json!({ "frameId": frame }));
    let scopes = scopes["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["variablesReference"].as_i64().unwrap(),
            )
        })
        .collect();
    (client, scopes)
}

fn scope(scopes: &[(String, i64)], name: &str) -> i64 {
    scopes
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} in {scopes:?}"))
        .1
}

/// `name: type = value` for each child of `reference`.
fn children(client: &mut DapClient, reference: i64) -> Vec<Value> {
    let body = client.request("variables", json!({ "variablesReference": reference }));
    body["variables"].as_array().unwrap().clone()
}

fn lines(variables: &[Value]) -> Vec<String> {
    variables
        .iter()
        .map(|v| {
            format!(
                "{}: {} = {}",
                v["name"].as_str().unwrap(),
                v["type"].as_str().unwrap(),
                v["value"].as_str().unwrap()
            )
        })
        .collect()
}

fn find<'a>(variables: &'a [Value], name: &str) -> &'a Value {
    variables
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {variables:#?}"))
}

#[test]
fn every_kind_of_c_local_at_o0() {
    let (mut client, scopes) = stopped_in_inspect("examples/c-variables/manifest.json");
    let names: Vec<&str> = scopes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Locals", "Arguments", "Globals", "Wasm", "Plugin"]);
    let globals = children(&mut client, scope(&scopes, "Globals"));
    assert_eq!(lines(&globals), ["counted: int = 0"]);

    let locals = children(&mut client, scope(&scopes, "Locals"));
    let shown = lines(&locals);
    for expected in [
        "small: int = -7",
        "big: unsigned int = 4000000000",
        "wide: int64_t = -1234567890123",
        "ratio: float = 0.5",
        "pi: double = 3.25",
        "letter: char = 81 'Q'",
        "yes: _Bool = true",
        "colour: colour = GREEN",
        "text: char[16] = \"hello\"",
        "grid: int[2][3] = [[1, 2, 3], [4, 5, 6]]",
        "many: int[300] = [0, 2, 4, 6, 8, 10, 12, 14, …]",
        "origin: point_t = {x: 3, y: -4}",
        "number: number = union {integer: 1065353216, real: 1}",
        "missing: const char * = null",
    ] {
        assert!(shown.iter().any(|l| l == expected), "{expected} not in {shown:#?}");
    }
    let pointer = find(&locals, "where");
    assert!(
        pointer["value"].as_str().unwrap().ends_with("→ {x: 3, y: -4}"),
        "{pointer}"
    );
    // Values in memory carry their address; the pointer's value is origin's address.
    let origin = find(&locals, "origin");
    let origin_address = origin["memoryReference"].as_str().unwrap();
    assert!(
        pointer["value"].as_str().unwrap().starts_with(&format!(
            "{:#010x}",
            u64::from_str_radix(&origin_address[2..], 16).unwrap()
        )),
        "{pointer} vs {origin}"
    );

    // Expanding: a struct's fields, a pointer's target, a 2-D array's rows.
    let fields = children(&mut client, origin["variablesReference"].as_i64().unwrap());
    assert_eq!(lines(&fields), ["x: int = 3", "y: int = -4"]);
    let target = children(&mut client, pointer["variablesReference"].as_i64().unwrap());
    assert_eq!(lines(&target), ["*: point_t = {x: 3, y: -4}"]);
    let rows = children(
        &mut client,
        find(&locals, "grid")["variablesReference"].as_i64().unwrap(),
    );
    assert_eq!(lines(&rows), ["[0]: int[3] = [1, 2, 3]", "[1]: int[3] = [4, 5, 6]"]);

    // A large array pages through indexedVariables.
    let many = find(&locals, "many");
    assert_eq!(many["indexedVariables"], 300);
    let page = client.request(
        "variables",
        json!({ "variablesReference": many["variablesReference"], "filter": "indexed", "start": 295, "count": 10 }),
    );
    assert_eq!(
        lines(page["variables"].as_array().unwrap()),
        [
            "[295]: int = 590",
            "[296]: int = 592",
            "[297]: int = 594",
            "[298]: int = 596",
            "[299]: int = 598"
        ]
    );

    let arguments = children(&mut client, scope(&scopes, "Arguments"));
    let shown = lines(&arguments);
    assert_eq!(shown[0], "count: int = 42");
    assert!(
        shown[1].starts_with("label: const char * = 0x") && shown[1].ends_with(" \"from start\""),
        "{shown:?}"
    );
    assert!(
        shown[2].starts_with("shape: shape * = 0x")
            && shown[2].ends_with(
                "→ {name: 0x00000430 \"square\", corner: {…}, scale: 1.5, colour: BLUE, flags: \"\\x01\\x02\\x03\"}"
            ),
        "{shown:?}"
    );

    // Raw wasm state and the plugin.
    let wasm = lines(&children(&mut client, scope(&scopes, "Wasm")));
    assert!(
        wasm.iter().any(|l| l == "$local0: i32 = 42"),
        "the first parameter: {wasm:?}"
    );
    assert!(wasm.iter().any(|l| l.starts_with("$global0: i32 = ")), "{wasm:?}");
    let plugin = lines(&children(&mut client, scope(&scopes, "Plugin")));
    assert_eq!(plugin[0], "id: string = \"dev.qirvo.examples.c-variables\"");
    assert_eq!(plugin[1], "lifecycle: state = starting", "stopped inside qirvo_start");
    assert!(
        plugin
            .iter()
            .any(|l| l.starts_with("memory: limit = ") && l.ends_with(" of 4194304 bytes")),
        "{plugin:?}"
    );
    client.disconnect();
}

#[test]
fn optimised_values_are_labelled_never_wrong_at_o1() {
    let (mut client, scopes) = stopped_in_inspect("examples/c-variables/manifest-o1.qirvo.json");
    let locals = children(&mut client, scope(&scopes, "Locals"));
    let shown = lines(&locals);
    // Live in wasm locals or constants at this pc: read exactly.
    for expected in [
        "small: int = -7",
        "big: unsigned int = 4000000000",
        "letter: char = 81 'Q'",
        "colour: colour = GREEN",
    ] {
        assert!(shown.iter().any(|l| l == expected), "{expected} not in {shown:#?}");
    }
    // Everything else is either exact or says it is not available: no zeros standing in for
    // bytes the compiler did not keep.
    for variable in &locals {
        let value = variable["value"].as_str().unwrap();
        let name = variable["name"].as_str().unwrap();
        let exact = [
            ("ratio", "0.5"),
            ("pi", "3.25"),
            ("yes", "true"),
            ("wide", "-1234567890123"),
            ("text", "\"hello\""),
            ("total", "0"),
        ];
        if let Some((_, want)) = exact.iter().find(|(n, _)| *n == name) {
            assert!(
                value == *want || value.contains("optimized out"),
                "{name} = {value}: neither {want} nor labelled"
            );
        }
    }
    let text = find(&locals, "text");
    assert_eq!(
        text["value"], "<partly optimized out>",
        "only the first byte is described at -O1"
    );
    client.disconnect();
}

#[test]
fn read_and_write_linear_memory() {
    let (mut client, scopes) = stopped_in_inspect("examples/c-variables/manifest.json");
    let locals = children(&mut client, scope(&scopes, "Locals"));
    let text = find(&locals, "text");
    let reference = text["memoryReference"].as_str().unwrap().to_string();
    let read = client.request("readMemory", json!({ "memoryReference": reference, "count": 6 }));
    assert_eq!(read["address"], reference);
    assert_eq!(BASE64.decode(read["data"].as_str().unwrap()).unwrap(), b"hello\0");
    assert_eq!(read["unreadableBytes"], 0);

    // Write "J" over "h": the variable shows it, and a `memory` event says the view is stale.
    let written = client.request(
        "writeMemory",
        json!({ "memoryReference": reference, "data": BASE64.encode(b"J") }),
    );
    assert_eq!(written["bytesWritten"], 1);
    let event = client.wait_event("memory");
    assert_eq!(event["memoryReference"], reference);
    let again = children(&mut client, scope(&scopes, "Locals"));
    assert_eq!(find(&again, "text")["value"], "\"Jello\"");

    // Past the end of memory: the readable part and a count of the rest.
    let end = client.request("readMemory", json!({ "memoryReference": "0x1ffff", "count": 4 }));
    assert_eq!(end["unreadableBytes"], 3, "{end}");
    let refused = client.send(
        "writeMemory",
        json!({ "memoryReference": "0x1ffff", "data": BASE64.encode([1, 2]) }),
    );
    let response = client.response(refused);
    assert_eq!(response["success"], false);
    assert!(
        response["message"].as_str().unwrap().contains("nothing was written"),
        "{response}"
    );
    let bad = client.send("readMemory", json!({ "memoryReference": "here", "count": 4 }));
    assert!(
        client.response(bad)["message"]
            .as_str()
            .unwrap()
            .contains("not a memory reference")
    );
    client.disconnect();
}

#[test]
fn evaluate_expressions_in_the_frame() {
    let (mut client, _) = stopped_in_inspect("examples/c-variables/manifest.json");
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let frame = trace["stackFrames"][0]["id"].clone();
    let mut evaluate = |expression: &str, context: &str| {
        let seq = client.send(
            "evaluate",
            json!({ "expression": expression, "frameId": frame, "context": context }),
        );
        let response = client.response(seq);
        if response["success"] == true {
            Ok(format!(
                "{}: {}",
                response["body"]["result"].as_str().unwrap(),
                response["body"]["type"].as_str().unwrap()
            ))
        } else {
            Err(response["message"].as_str().unwrap().to_string())
        }
    };
    for (expression, expected) in [
        ("small + count", "35: i32"),
        ("shape->corner.x", "10: int"),
        ("grid[1][2]", "6: int"),
        ("many[299] / 2", "299: i32"),
        ("where->y * 2", "-8: i32"),
        ("number.real", "1: float"),
        ("colour == 5 && yes", "true: bool"),
        ("(unsigned char) small", "249: u8"),
        ("label[0] == 'f'", "true: bool"),
        ("*label", "102 'f': const char"),
        ("$local0", "42: i32"),
        ("origin", "{x: 3, y: -4}: point_t"),
        ("text", "\"hello\": char[16]"),
        ("wide < 0 || 1 / 0", "true: bool"),
    ] {
        assert_eq!(evaluate(expression, "watch").as_deref(), Ok(expected), "{expression}");
    }
    // Hover and the REPL use the same language.
    assert_eq!(evaluate("pi * 2", "hover").as_deref(), Ok("6.5: f64"));
    assert_eq!(evaluate("big", "repl").as_deref(), Ok("4000000000: unsigned int"));
    for (expression, error) in [
        ("many[300]", "index 300 is out of bounds: the length is 300"),
        ("nosuch + 1", "no variable `nosuch` in this frame"),
        ("small +", "expected a value (at column 8)"),
        ("origin.z", "`point_t` has no field `z`"),
        ("missing[0]", "null pointer"),
        ("*missing", "null pointer"),
        ("origin + 1", "`point_t` is not a number; use one of its fields"),
    ] {
        let result = evaluate(expression, "watch");
        assert!(
            matches!(&result, Err(message) if message.contains(error)),
            "{expression}: {result:?}, wanted an error with {error:?}"
        );
    }
    // An expandable result carries a reference; &x is x's address.
    let seq = client.send(
        "evaluate",
        json!({ "expression": "&origin", "frameId": frame, "context": "watch" }),
    );
    let pointer = client.response(seq)["body"].clone();
    let seq = client.send(
        "evaluate",
        json!({ "expression": "origin", "frameId": frame, "context": "watch" }),
    );
    let origin = client.response(seq)["body"].clone();
    let address =
        u64::from_str_radix(origin["memoryReference"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    assert_eq!(pointer["result"], format!("{address:#010x}"));
    let fields = children(&mut client, origin["variablesReference"].as_i64().unwrap());
    assert_eq!(lines(&fields), ["x: int = 3", "y: int = -4"]);

    let completions = client.request(
        "completions",
        json!({ "text": "x = sm", "column": 7, "frameId": frame }),
    );
    let labels: Vec<&str> = completions["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["small"]);
    assert_eq!(completions["targets"][0]["start"], 4);
    client.disconnect();
}

/// The line of the fixture marked `/* LOOP */` (runs for i = 1..=10).
fn loop_line() -> u32 {
    let text = std::fs::read_to_string(source_path()).unwrap();
    text.lines().position(|l| l.contains("/* LOOP */")).unwrap() as u32 + 1
}

/// Launches the -O0 fixture with one breakpoint on the LOOP line; returns what setBreakpoints said.
fn launch_with_loop_breakpoint(client: &mut DapClient, breakpoint: Value) -> Value {
    client.request("initialize", json!({ "adapterID": "qirvo" }));
    client.request("launch", json!({ "manifest": "examples/c-variables/manifest.json" }));
    client.wait_event("initialized");
    let mut breakpoint = breakpoint;
    breakpoint["line"] = json!(loop_line());
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path() }, "breakpoints": [breakpoint] }),
    );
    client.request("configurationDone", json!({}));
    set["breakpoints"][0].clone()
}

fn evaluate(client: &mut DapClient, expression: &str) -> String {
    let body = client.request("evaluate", json!({ "expression": expression, "context": "watch" }));
    body["result"].as_str().unwrap().to_string()
}

/// Stops until the plugin exits; returns `i` at each stop.
fn loop_stops(client: &mut DapClient) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let event = client.wait_event_of(&["stopped", "exited"]);
        if event.0 == "exited" {
            return seen;
        }
        seen.push(evaluate(client, "i"));
        client.request("continue", json!({ "threadId": 1 }));
    }
}

#[test]
fn a_condition_stops_on_the_fifth_iteration_only() {
    let mut client = DapClient::start();
    let set = launch_with_loop_breakpoint(&mut client, json!({ "condition": "i == 5" }));
    assert_eq!(set["verified"], true, "{set}");
    let event = client.wait_event("stopped");
    assert_eq!(event["reason"], "breakpoint");
    assert_eq!(
        (evaluate(&mut client, "i"), evaluate(&mut client, "sum")),
        ("5".into(), "10".into())
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(
        loop_stops(&mut client),
        Vec::<String>::new(),
        "no other iteration stops"
    );
    client.disconnect();
}

#[test]
fn hit_conditions_count_the_hits() {
    let mut client = DapClient::start();
    launch_with_loop_breakpoint(&mut client, json!({ "hitCondition": "% 4" }));
    assert_eq!(loop_stops(&mut client), ["4", "8"]);
    client.disconnect();
}

#[test]
fn a_logpoint_prints_every_iteration_and_never_stops() {
    let mut client = DapClient::start();
    launch_with_loop_breakpoint(&mut client, json!({ "logMessage": "i={i} sum={sum} {{braces}}" }));
    assert_eq!(loop_stops(&mut client), Vec::<String>::new());
    let output = client.output();
    let logged: Vec<&str> = output.lines().filter(|l| l.starts_with("i=")).collect();
    let expected: Vec<String> = (1..=10)
        .map(|i| format!("i={i} sum={} {{braces}}", (1..i).sum::<i32>()))
        .collect();
    assert_eq!(logged, expected, "{output}");
    client.disconnect();
}

#[test]
fn bad_conditions_are_refused_or_reported() {
    let mut client = DapClient::start();
    let set = launch_with_loop_breakpoint(&mut client, json!({ "condition": "i ==" }));
    assert_eq!(set["verified"], false);
    assert_eq!(set["message"], "condition: expected a value (at column 5)");
    assert_eq!(client.wait_exit(), 0, "a refused breakpoint does not stop");
    client.disconnect();

    // A condition that fails when checked stops, and says why.
    let mut client = DapClient::start();
    launch_with_loop_breakpoint(&mut client, json!({ "condition": "nosuch > 1" }));
    client.wait_event("stopped");
    assert_eq!(evaluate(&mut client, "i"), "1");
    assert!(
        client
            .output()
            .contains("the breakpoint condition failed: no variable `nosuch` in this frame"),
        "{}",
        client.output()
    );
    client.disconnect();
}

#[test]
fn set_variable_changes_what_the_plugin_computes() {
    let (mut client, scopes) = stopped_in_inspect("examples/c-variables/manifest.json");
    let locals_ref = scope(&scopes, "Locals");
    let set = |client: &mut DapClient, reference: i64, name: &str, value: &str| {
        let seq = client.send(
            "setVariable",
            json!({ "variablesReference": reference, "name": name, "value": value }),
        );
        let response = client.response(seq);
        if response["success"] == true {
            Ok(response["body"]["value"].as_str().unwrap().to_string())
        } else {
            Err(response["message"].as_str().unwrap().to_string())
        }
    };
    // `total = small + count + …` runs after this stop: -7 → 100 adds 107 to the result (650).
    assert_eq!(
        set(&mut client, locals_ref, "small", "small + 107").as_deref(),
        Ok("100")
    );
    assert_eq!(set(&mut client, locals_ref, "colour", "BLUE").as_deref(), Ok("BLUE"));
    assert_eq!(set(&mut client, locals_ref, "pi", "1.25").as_deref(), Ok("1.25"));
    let origin = find(&children(&mut client, locals_ref), "origin")["variablesReference"]
        .as_i64()
        .unwrap();
    assert_eq!(set(&mut client, origin, "x", "7").as_deref(), Ok("7"));
    assert_eq!(
        lines(&children(&mut client, locals_ref))
            .iter()
            .find(|l| l.starts_with("origin:"))
            .unwrap(),
        "origin: point_t = {x: 7, y: -4}"
    );
    assert!(
        set(&mut client, locals_ref, "text", "1")
            .unwrap_err()
            .contains("set its fields one by one")
    );
    assert!(
        set(&mut client, locals_ref, "nosuch", "1")
            .unwrap_err()
            .contains("no variable `nosuch`")
    );
    assert!(
        set(&mut client, locals_ref, "small", "1 +")
            .unwrap_err()
            .contains("expected a value")
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.wait_exit(), 0);
    assert!(client.output().contains("result 757 "), "{}", client.output());
    client.disconnect();
}

#[test]
fn values_in_wasm_locals_cannot_be_set_and_say_why() {
    let (mut client, scopes) = stopped_in_inspect("examples/c-variables/manifest-o1.qirvo.json");
    let seq = client.send(
        "setVariable",
        json!({ "variablesReference": scope(&scopes, "Locals"), "name": "small", "value": "1" }),
    );
    let response = client.response(seq);
    assert_eq!(response["success"], false);
    assert!(
        response["message"]
            .as_str()
            .unwrap()
            .contains("wasmtime cannot change wasm locals"),
        "{response}"
    );
    client.disconnect();
}

#[test]
fn qirvo_debug_prints_evaluated_expressions_at_each_stop() {
    let breakpoint = format!("{SOURCE}:{}", break_line());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_qirvo"))
        .args(["debug", "examples/c-variables/manifest.json", "--break", &breakpoint])
        .args(["--eval", "small + count", "--eval", "shape->corner", "--eval", "nosuch"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "  small + count = 35 (i32)",
        "  shape->corner = {x: 10, y: 20} (point)",
        "  nosuch: no variable `nosuch` in this frame",
    ] {
        assert!(stdout.lines().any(|l| l == expected), "{expected:?} not in:\n{stdout}");
    }
}

#[test]
fn disassembly_around_the_pc_and_instruction_stepping() {
    let (mut client, _) = stopped_in_inspect("examples/c-variables/manifest.json");
    let top = client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"][0].clone();
    let pc = top["instructionPointerReference"].as_str().unwrap().to_string();
    let body = client.request(
        "disassemble",
        json!({ "memoryReference": pc, "instructionOffset": -3, "instructionCount": 8, "resolveSymbols": true }),
    );
    let instructions = body["instructions"].as_array().unwrap();
    assert_eq!(instructions.len(), 8);
    assert_eq!(instructions[3]["address"], pc, "{instructions:#?}");
    assert_eq!(instructions[0]["symbol"], "$inspect");
    assert!(
        instructions
            .iter()
            .all(|i| !i["instruction"].as_str().unwrap().is_empty())
    );
    let at_break = instructions
        .iter()
        .find(|i| i["line"] == break_line())
        .unwrap_or_else(|| panic!("no instruction of line {}: {instructions:#?}", break_line()));
    assert!(
        at_break["location"]["path"]
            .as_str()
            .unwrap()
            .ends_with("c_variables.c")
    );
    let next_address = instructions[4]["address"].clone();

    // One instruction at a time.
    client.request("stepIn", json!({ "threadId": 1, "granularity": "instruction" }));
    assert_eq!(client.wait_event("stopped")["reason"], "step");
    let top = client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"][0].clone();
    assert_eq!(top["instructionPointerReference"], next_address);
    assert_eq!(top["name"], "inspect");
    client.request("next", json!({ "threadId": 1, "granularity": "instruction" }));
    client.wait_event("stopped");
    let after = client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"][0].clone();
    assert_eq!(after["instructionPointerReference"], instructions[5]["address"]);

    // Outside the code: placeholders, never an error.
    let outside = client.request(
        "disassemble",
        json!({ "memoryReference": "0x0", "instructionOffset": -2, "instructionCount": 2 }),
    );
    let outside = outside["instructions"].as_array().unwrap();
    assert_eq!(outside.len(), 2);
    assert!(
        outside.iter().all(|i| i["presentationHint"] == "invalid"),
        "{outside:#?}"
    );
    client.disconnect();
}

const RUST_SOURCE: &str = "examples/variables/src/lib.rs";

#[test]
fn rust_locals_read_like_the_source() {
    let path = format!("{}/{RUST_SOURCE}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().position(|l| l.contains("// BREAK")).unwrap() as u32 + 1;
    let mut client = DapClient::start();
    client.launch(
        json!({ "manifest": "examples/variables/manifest.json" }),
        &[(&path, &[line])],
    );
    let (_, function, _, stopped) = client.wait_stop();
    assert_eq!((function.as_str(), stopped), ("variables::inspect", line));
    let frame = client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"][0]["id"].clone();
    let scopes = client.request("scopes", json!({ "frameId": frame }));
    let locals = scopes["scopes"][0]["variablesReference"].as_i64().unwrap();
    let variables = children(&mut client, locals);
    let shown: Vec<String> = lines(&variables);
    assert_eq!(
        shown,
        [
            "flag: bool = true",
            "letter: char = 'ß'",
            "small: i8 = -3",
            "big: u64 = 18000000000000000000",
            "ratio: f32 = 0.25",
            "text: String = \"héllo\"",
            "numbers: Vec<i32> = len=3 [10, 20, 30]",
            "many: Vec<u32> = len=100000 [0, 1, 2, 3, 4, 5, 6, 7, …]",
            "slice: &[i32] = len=2 [20, 30]",
            "some: Option<i32> = Some(7)",
            "none: Option<i32> = None",
            "ok: Result<u32, alloc::string::String> = Ok(3)",
            "err: Result<u32, alloc::string::String> = Err(\"bad\")",
            "point: Point = {x: 1, y: -2}",
            // A box shows what it owns, as `{:?}` does.
            "boxed: alloc::boxed::Box<variables::Point> = {x: 5, y: 6}",
            "shared: Rc<alloc::string::String> = strong=1 weak=0 \"rc\"",
            "atomic: Arc<u64> = strong=1 weak=0 42",
            "tuple: (u8, &str) = (1, \"two\")",
            "circle: Shape = Circle {radius: 1.5}",
            "square: Shape = Square(4)",
            "empty: Shape = Empty",
            "array: u16[2][2] = [[1, 2], [3, 4]]",
        ]
    );
    // 100 000 elements page through indexedVariables.
    let many = find(&variables, "many");
    assert_eq!(many["indexedVariables"], 100_000);
    let page = client.request(
        "variables",
        json!({ "variablesReference": many["variablesReference"], "filter": "indexed", "start": 99_998, "count": 5 }),
    );
    assert_eq!(
        lines(page["variables"].as_array().unwrap()),
        ["[99998]: u32 = 99998", "[99999]: u32 = 99999"]
    );
    // A Rust enum expands to its active variant's fields.
    let circle = children(
        &mut client,
        find(&variables, "circle")["variablesReference"].as_i64().unwrap(),
    );
    assert_eq!(lines(&circle), ["radius: f64 = 1.5"]);

    for (expression, expected) in [
        ("numbers[1] + slice[0]", "40: i32"),
        ("many[99999]", "99999: u32"),
        ("boxed.x + point.y", "3: i32"),
        ("text", "\"héllo\": String"),
        ("circle.radius * 2", "3: f64"),
        ("tuple.0", "1: u8"),
        ("count + label.length as u32", "52: u32"),
    ] {
        let body = client.request(
            "evaluate",
            json!({ "expression": expression, "frameId": frame, "context": "watch" }),
        );
        let got = format!(
            "{}: {}",
            body["result"].as_str().unwrap(),
            body["type"].as_str().unwrap()
        );
        assert_eq!(got, expected, "{expression}");
    }
    client.disconnect();
}

/// `examples/hello` is Rust at opt-level 1: what the compiler kept reads exactly, the rest is
/// labelled.
#[test]
fn rust_at_opt_level_1_labels_what_it_cannot_read() {
    let mut client = DapClient::start();
    let hello = dap::example_source("hello");
    client.launch(
        json!({ "manifest": "examples/hello/manifest.json" }),
        &[(&hello, &[18])],
    );
    client.wait_stop();
    let frame = client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"][0]["id"].clone();
    let scopes = client.request("scopes", json!({ "frameId": frame }));
    let arguments = scopes["scopes"][1]["variablesReference"].as_i64().unwrap();
    let shown = lines(&children(&mut client, arguments));
    assert_eq!(shown.len(), 1);
    assert!(
        shown[0] == "self: &mut hello::Hello = <optimized out>" || shown[0].starts_with("self: &mut hello::Hello = 0x"),
        "{shown:?}"
    );
    let seq = client.send(
        "evaluate",
        json!({ "expression": "self.greeting", "frameId": frame, "context": "hover" }),
    );
    let response = client.response(seq);
    match response["success"].as_bool() {
        Some(true) => assert_eq!(response["body"]["result"], "\"Hello\""),
        _ => assert!(
            response["message"].as_str().unwrap().contains("optimized out"),
            "{response}"
        ),
    }
    client.disconnect();
}
