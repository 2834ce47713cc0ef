//! End-to-end sessions driven the way VS Code drives `qirvo dap` (`tests/dap/vscode.rs`), with
//! the assertions a VS Code user would make: where it stops, what the views show, what the
//! Debug Console prints, and that the adapter exits cleanly when the session ends.

mod dap;
mod wire;

use dap::vscode::{Breakpoint, VsCodeClient, apply_completion};
use serde_json::{Value, json};

fn path_of(relative: &str) -> String {
    format!("{}/{relative}", env!("CARGO_MANIFEST_DIR"))
}

/// The 1-based line of `relative` containing `marker`.
fn line_of(relative: &str, marker: &str) -> u32 {
    let text = std::fs::read_to_string(path_of(relative)).unwrap();
    text.lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("{marker} not in {relative}")) as u32
        + 1
}

/// The 1-based UTF-16 column of `needle` in line `line` of `relative` (what the editor reports).
fn column_of(relative: &str, line: u32, needle: &str) -> u32 {
    let text = std::fs::read_to_string(path_of(relative)).unwrap();
    let line = text.lines().nth(line as usize - 1).unwrap();
    let byte = line.find(needle).unwrap();
    line[..byte].encode_utf16().count() as u32 + 1
}

fn configuration(name: &str, rest: Value) -> Value {
    let mut configuration = json!({ "type": "qirvo", "request": "launch", "name": name });
    for (k, v) in rest.as_object().unwrap() {
        configuration[k] = v.clone();
    }
    configuration
}

fn lines_of(breakpoints: &[Value]) -> Vec<u64> {
    breakpoints.iter().map(|b| b["line"].as_u64().unwrap_or(0)).collect()
}

const C_SOURCE: &str = "examples/c-variables/c_variables.c";
const HELLO_SOURCE: &str = "examples/hello/src/lib.rs";

/// The requests of a VS Code session, in order and shape, against the Rust example: the
/// configuration burst after `initialized`, the stop's `threads` / `stackTrace` (top frame,
/// then the rest) / `scopes` / `variables`, and the end.
#[test]
fn rust_plugin_a_session_as_vscode_runs_it() {
    let hello = path_of(HELLO_SOURCE);
    let mut client = VsCodeClient::start();
    // Set in the editor before F5, in no particular order: VS Code sends them by line.
    client.add_breakpoint(&hello, Breakpoint::at(24).log("stopping, {6 * 7} {{braces}}"));
    client.add_breakpoint(&hello, Breakpoint::at(13).when("1 == 2"));
    client.add_breakpoint(&hello, Breakpoint::at(18));
    let set = client.launch(configuration(
        "Debug hello",
        json!({ "manifest": "examples/hello/manifest.json" }),
    ));

    // `threads` also follows the adapter's `thread` "started" events (VS Code fetches them
    // 100 ms after a burst), so it may come earlier too.
    let commands = client.commands();
    let configuration: Vec<&str> = commands
        .iter()
        .map(String::as_str)
        .filter(|c| *c != "threads")
        .collect();
    assert_eq!(
        configuration,
        [
            "initialize",
            "launch",
            "setBreakpoints",
            "setFunctionBreakpoints",
            "setExceptionBreakpoints",
            "configurationDone"
        ]
    );
    assert_eq!(
        commands.last().unwrap(),
        "threads",
        "threads after configurationDone: {commands:?}"
    );
    let initialize = &client.sent_of("initialize")[0];
    assert_eq!(initialize["clientID"], "vscode");
    assert_eq!(initialize["adapterID"], "qirvo");
    assert_eq!(initialize["pathFormat"], "path");
    assert_eq!(initialize["supportsANSIStyling"], true);
    let launch = &client.sent_of("launch")[0];
    assert_eq!(launch["__configurationTarget"], 6);
    assert_eq!(launch["__sessionId"].as_str().unwrap().len(), 36);
    assert_eq!(
        client.sent_of("setBreakpoints")[0],
        json!({
            "source": { "name": "lib.rs", "path": hello },
            "lines": [13, 18, 24],
            "breakpoints": [
                { "line": 13, "condition": "1 == 2" },
                { "line": 18 },
                { "line": 24, "logMessage": "stopping, {6 * 7} {{braces}}" }
            ],
            "sourceModified": false
        })
    );
    // No exceptionFilterOptions capability: just the filters checked by default.
    assert_eq!(
        client.sent_of("setExceptionBreakpoints")[0],
        json!({ "filters": ["trap", "timeout"] })
    );
    assert!(
        client
            .sent
            .iter()
            .any(|m| m["command"] == "configurationDone" && m.get("arguments").is_none()),
        "configurationDone goes without arguments"
    );

    // One answer per breakpoint, in the order sent.
    let (file, answers) = &set[0];
    assert_eq!(file, &hello);
    assert_eq!(lines_of(answers), [13, 18, 24], "{answers:#?}");
    assert!(answers.iter().all(|b| b["verified"] == true), "{answers:#?}");

    // The condition never holds: the first stop is `start`.
    let stopped = client.wait_stopped();
    assert_eq!(stopped.reason, "breakpoint");
    assert_eq!(stopped.focused, Some(0));
    let top = stopped.frame();
    assert_eq!(
        (top["source"]["name"].as_str(), top["line"].as_u64()),
        (Some("lib.rs"), Some(18))
    );
    assert!(top["name"].as_str().unwrap().contains("start"), "{top}");
    let traces = client.sent_of("stackTrace");
    assert_eq!(
        traces,
        [
            json!({ "threadId": stopped.thread_id, "startFrame": 0, "levels": 1 }),
            json!({ "threadId": stopped.thread_id, "startFrame": 1, "levels": 19 })
        ]
    );
    assert!(stopped.frames.len() > 1, "the rest of the stack: {:#?}", stopped.frames);
    assert!(
        stopped
            .frames
            .iter()
            .any(|f| f["name"].as_str().unwrap().starts_with("qirvo_start")),
        "{:#?}",
        stopped.frames
    );
    let scopes: Vec<&str> = stopped.scopes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(scopes, ["Locals", "Arguments", "Globals", "Wasm", "Plugin"]);
    // Only the first scope is expanded by itself.
    assert_eq!(client.sent_of("scopes").len(), 1);
    assert_eq!(
        client.sent_of("variables"),
        [json!({ "variablesReference": stopped.scopes[0].reference })]
    );

    // Hover over `self.greeting` on line 19: opt-level 1 kept it or says it did not.
    let line = 19;
    let column = column_of(HELLO_SOURCE, line, "self.greeting");
    match client.hover("self.greeting", line, column) {
        Ok((value, _)) => assert_eq!(value.value, "\"Hello\""),
        Err(message) => assert!(message.contains("optimized out"), "{message}"),
    }
    let hover = client.sent_of("evaluate").pop().unwrap();
    assert_eq!(hover["context"], "hover");
    assert_eq!(
        (hover["line"].as_u64(), hover["column"].as_u64()),
        (Some(19), Some(column as u64))
    );
    assert_eq!(hover["source"]["path"], hello);
    // The Watch view and the Debug Console.
    let watch = client.add_watch("$local0 + 1").unwrap();
    assert!(watch.value.parse::<i64>().is_ok(), "{watch:?}");
    let repl = client.repl("6 * 7").unwrap();
    assert_eq!(repl.value, "42");
    let after_repl = client.sent.len();
    assert_eq!(
        client.commands()[after_repl - 4..],
        ["evaluate", "scopes", "variables", "evaluate"]
    );

    client.continue_();
    // The logpoint prints and does not stop; the condition on 13 had kept it from stopping.
    assert!(client.wait_stopped_or_end().is_none(), "only line 18 stops");
    let output = client.dap.output();
    assert!(output.contains("Hello, world!"), "{output}");
    assert!(output.contains("stopping, 42 {braces}"), "{output}");
    assert_eq!(client.end(), 0, "the adapter exits on its own, with 0");
    let exited = client.dap.events.iter().find(|e| e["event"] == "exited").unwrap();
    assert_eq!(exited["body"]["exitCode"], 0);
    assert_eq!(client.sent_of("disconnect"), [json!({ "restart": false })]);
}

/// The C fixture: a plain breakpoint, a condition in a loop, a logpoint; the Variables view
/// pages a 300-element array in chunks; evaluate in every context; completions while typing
/// non-ASCII text.
#[test]
fn c_plugin_breakpoints_variables_evaluate_and_completions() {
    let source = path_of(C_SOURCE);
    let break_line = line_of(C_SOURCE, "/* BREAK */");
    let loop_line = line_of(C_SOURCE, "/* LOOP */");
    let after_loop = loop_line + 2; // `counted += sum;`
    let mut client = VsCodeClient::start();
    client.add_breakpoint(&source, Breakpoint::at(after_loop).log("sum={sum}"));
    client.add_breakpoint(&source, Breakpoint::at(loop_line).when("i == 5"));
    client.add_breakpoint(&source, Breakpoint::at(break_line));
    let set = client.launch(configuration(
        "Debug c-variables",
        json!({ "manifest": "examples/c-variables/manifest.json" }),
    ));
    let answers = &set[0].1;
    assert_eq!(
        lines_of(answers),
        [break_line, loop_line, after_loop].map(u64::from),
        "one answer per breakpoint, in order: {answers:#?}"
    );
    assert!(answers.iter().all(|b| b["verified"] == true), "{answers:#?}");

    let stopped = client.wait_stopped();
    assert_eq!(stopped.frame()["name"], "inspect");
    assert_eq!(stopped.frame()["line"], break_line);
    assert_eq!(stopped.variable("small").value, "-7");

    // `many` has 300 indexed children: three chunks, no request until one is opened.
    let many = stopped.variable("many").clone();
    assert_eq!(many.indexed_variables, 300);
    let before = client.sent.len();
    let chunks = client.children(&many);
    assert_eq!(client.sent.len(), before, "chunks are made by VS Code, not fetched");
    let names: Vec<&str> = chunks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["[0..99]", "[100..199]", "[200..299]"]);
    let last = client.children(&chunks[2]);
    assert_eq!(
        client.sent_of("variables").pop().unwrap(),
        json!({ "variablesReference": many.reference, "filter": "indexed", "start": 200, "count": 100 })
    );
    assert_eq!(last.len(), 100, "{last:#?}");
    assert_eq!(last[0].line(), "[200]: int = 400");
    assert_eq!(last[99].line(), "[299]: int = 598");
    let grid = client.children(stopped.variable("grid"));
    let rows: Vec<String> = grid.iter().map(|n| n.line()).collect();
    assert_eq!(rows, ["[0]: int[3] = [1, 2, 3]", "[1]: int[3] = [4, 5, 6]"]);

    // Hover, Watch, Debug Console, Copy Value.
    let column = column_of(C_SOURCE, break_line, "small");
    let (hover, _) = client.hover("small", break_line, column).unwrap();
    assert_eq!(hover.value, "-7");
    let (origin, fields) = client.hover("origin", break_line - 5, 13).unwrap();
    assert_eq!(origin.value, "{x: 3, y: -4}");
    let fields: Vec<String> = fields.iter().map(|n| n.line()).collect();
    assert_eq!(
        fields,
        ["x: int = 3", "y: int = -4"],
        "an expandable hover shows its fields"
    );
    assert_eq!(client.add_watch("small + count").unwrap().value, "35");
    assert!(client.add_watch("i").is_err(), "no `i` in inspect");
    assert_eq!(client.repl("big").unwrap().value, "4000000000");
    let (context, copied) = client.copy_value(&stopped.variable("small").clone());
    assert_eq!((context.as_str(), copied.as_str()), ("variables", "-7"));
    let origin_row = stopped.variable("origin").clone();
    assert_eq!(origin_row.evaluate_name.as_deref(), Some("origin"));
    let (_, copied) = client.copy_value(&origin_row);
    assert_eq!(
        copied, "{x: 3, y: -4}",
        "VS Code evaluates the row's evaluateName and copies the result"
    );
    let frame = client.frame_id();
    let clipboard = client.request(
        "evaluate",
        json!({ "expression": "text", "frameId": frame, "context": "clipboard" }),
    );
    assert_eq!(clipboard["result"], "\"hello\"");

    // Typing a line with quotes, € and 😀, then a name: every keystroke is answered.
    let typed = "“quotes” € 😀 sm";
    let answers = client.type_in_repl(typed);
    assert_eq!(answers.len(), typed.chars().count());
    for (text, line, column, answer) in &answers {
        assert!(
            answer.is_ok(),
            "completions of {text:?} (line {line}, column {column}) failed: {answer:?}"
        );
    }
    let (_, _, column, last) = answers.last().unwrap();
    assert_eq!(*column, 17, "UTF-16 columns: “ ” € are one unit, 😀 two");
    let targets = last.as_ref().unwrap()["targets"].as_array().unwrap().clone();
    let small = targets
        .iter()
        .find(|t| t["label"] == "small")
        .unwrap_or_else(|| panic!("no `small` in {targets:#?}"));
    assert_eq!(apply_completion(typed, *column, small), "“quotes” € 😀 small");
    // And the adapter still answers.
    assert_eq!(client.repl("small").unwrap().value, "-7");

    // The condition stops in the fifth iteration only; the Watch view shows `i` there.
    client.continue_();
    let stopped = client.wait_stopped();
    assert_eq!(stopped.frame()["line"], loop_line);
    let watched: Vec<(String, String)> = stopped
        .watches
        .iter()
        .map(|(w, r)| {
            (
                w.clone(),
                r.as_ref().map(|n| n.value.clone()).unwrap_or_else(|e| e.clone()),
            )
        })
        .collect();
    assert_eq!(watched[1], ("i".to_string(), "5".to_string()), "{watched:?}");
    assert_eq!(stopped.variable("sum").value, "10");

    client.continue_();
    assert!(
        client.wait_stopped_or_end().is_none(),
        "no other iteration stops, the logpoint never"
    );
    let output = client.dap.output();
    let logged: Vec<&str> = output.lines().filter(|l| l.starts_with("sum=")).collect();
    assert_eq!(logged, ["sum=55"], "{output}");
    assert!(output.contains("result "), "{output}");
    assert_eq!(client.end(), 0);
}

/// Hit counts: VS Code sends `lines` and `breakpoints` for the same breakpoint; each hit is
/// counted once.
#[test]
fn hit_conditions_count_each_hit_once() {
    let source = path_of(C_SOURCE);
    let loop_line = line_of(C_SOURCE, "/* LOOP */");
    for (hit_condition, expected) in [("% 4", vec!["4", "8"]), ("3", vec!["3"]), (">= 10", vec!["10"])] {
        let mut client = VsCodeClient::start();
        client.add_breakpoint(&source, Breakpoint::at(loop_line).hits(hit_condition));
        client.add_watch("i").unwrap_err();
        let set = client.launch(configuration(
            "Debug c-variables",
            json!({ "manifest": "examples/c-variables/manifest.json" }),
        ));
        assert_eq!(set[0].1.len(), 1, "{set:?}");
        let mut seen = Vec::new();
        while let Some(stopped) = client.wait_stopped_or_end() {
            let i = stopped.watches[0].1.as_ref().expect("i in loop").value.clone();
            seen.push(i);
            client.continue_();
        }
        assert_eq!(seen, expected, "hit condition {hit_condition}");
        assert_eq!(client.end(), 0);
    }
}

/// Breakpoints set while stopped: the whole file is sent again, and the answer has one entry
/// per breakpoint, in VS Code's order.
#[test]
fn breakpoints_added_during_a_session_answer_one_per_breakpoint() {
    let source = path_of(C_SOURCE);
    let break_line = line_of(C_SOURCE, "/* BREAK */");
    let loop_line = line_of(C_SOURCE, "/* LOOP */");
    let mut client = VsCodeClient::start();
    client.add_breakpoint(&source, Breakpoint::at(break_line));
    client.launch(configuration(
        "Debug c-variables",
        json!({ "manifest": "examples/c-variables/manifest.json" }),
    ));
    client.wait_stopped();
    let answer = client
        .add_breakpoint(&source, Breakpoint::at(loop_line).when("i == 2"))
        .unwrap();
    assert_eq!(lines_of(&answer), [break_line, loop_line].map(u64::from));
    let answer = client.add_breakpoint(&source, Breakpoint::at(45)).unwrap();
    assert_eq!(lines_of(&answer).len(), 3, "{answer:#?}");
    assert_eq!(lines_of(&answer)[0], 45);
    let sent = client.sent_of("setBreakpoints").pop().unwrap();
    assert_eq!(sent["lines"], json!([45, break_line, loop_line]));
    // The adapter's own Source once a frame showed the file.
    assert_eq!(sent["source"]["path"], source);
    client.remove_breakpoints(&source);
    client.add_breakpoint(&source, Breakpoint::at(loop_line).when("i == 2"));
    client.continue_();
    let stopped = client.wait_stopped();
    assert_eq!(stopped.frame()["line"], loop_line);
    assert_eq!(client.repl("i").unwrap().value, "2");
    client.continue_();
    assert!(client.wait_stopped_or_end().is_none());
    assert_eq!(client.end(), 0);
}

/// The other C example: a breakpoint, a logpoint, a function breakpoint, then the Stop button
/// mid-session: `terminate`, then `disconnect` when the adapter says `terminated`.
#[test]
fn c_hello_stop_button_terminates_then_disconnects() {
    let source = path_of("examples/c-hello/c_hello.c");
    let mut client = VsCodeClient::start();
    client.add_breakpoint(&source, Breakpoint::at(42).log("count is {count}"));
    client.add_breakpoint(&source, Breakpoint::at(34));
    client.add_function_breakpoint("qirvo_stop");
    let set = client.launch(configuration(
        "Debug c-hello",
        json!({ "manifest": "examples/c-hello/manifest.json" }),
    ));
    assert_eq!(lines_of(&set[0].1), [34, 42]);
    assert_eq!(
        client.sent_of("setFunctionBreakpoints"),
        [json!({ "breakpoints": [{ "name": "qirvo_stop" }] })]
    );
    let stopped = client.wait_stopped();
    assert_eq!(
        (stopped.frame()["name"].as_str(), stopped.frame()["line"].as_u64()),
        (Some("qirvo_start"), Some(34))
    );
    client.continue_();
    let stopped = client.wait_stopped();
    assert_eq!(stopped.reason, "function breakpoint");
    assert_eq!(stopped.frame()["name"], "qirvo_stop");
    let output = client.dap.output();
    // At -O1 `count` may be gone by line 42: the logpoint then says so rather than guessing.
    assert!(
        output
            .lines()
            .any(|l| l == "count is 1" || l == "count is <`count` is optimized out here>"),
        "the logpoint printed: {output}"
    );
    assert!(output.contains("hello from C"), "{output}");
    assert_eq!(client.stop(), 0, "Stop ends the session and the adapter exits with 0");
    assert_eq!(client.sent_of("terminate"), [json!({ "restart": false })]);
    assert_eq!(client.sent_of("disconnect"), [json!({ "restart": false })]);
    assert!(
        !client.dap.output().contains("c-hello: stop"),
        "{}",
        client.dap.output()
    );
}

/// A WASI command launched with `program`: arguments, environment, a breakpoint, stepping
/// over a line, its locals, and the program's exit status.
#[test]
fn wasi_program_breakpoint_step_and_exit_status() {
    let work = tempfile::tempdir().unwrap();
    let source = path_of("examples/command/src/main.rs");
    let mut client = VsCodeClient::start();
    client.add_breakpoint(&source, Breakpoint::at(10));
    let set = client.launch(configuration(
        "Run command",
        json!({
            "program": path_of("examples/command/command.wasm"),
            "args": ["one", "two"],
            "env": { "GREETING": "hej" },
            "cwd": work.path(),
        }),
    ));
    assert_eq!(lines_of(&set[0].1), [10]);
    let stopped = client.wait_stopped();
    assert_eq!(stopped.reason, "breakpoint");
    assert_eq!(
        (
            stopped.frame()["source"]["name"].as_str(),
            stopped.frame()["line"].as_u64()
        ),
        (Some("main.rs"), Some(10))
    );
    assert!(stopped.frame()["name"].as_str().unwrap().contains("command::main"));
    assert!(client.dap.output().contains("arg 1: two"), "{}", client.dap.output());
    let names: Vec<&str> = stopped.variables.iter().map(|v| v.name.as_str()).collect();
    assert!(
        names.contains(&"greeting") || names.contains(&"args"),
        "{:#?}",
        stopped.variables
    );

    client.next();
    let stepped = client.wait_stopped();
    assert_eq!(stepped.reason, "step");
    assert_eq!(stepped.frame()["line"], 11, "{:#?}", stepped.frames);
    assert!(
        client.dap.output().contains("hej from a WASI command"),
        "{}",
        client.dap.output()
    );
    assert_eq!(client.sent_of("next"), [json!({ "threadId": stopped.thread_id })]);

    client.continue_();
    assert!(client.wait_stopped_or_end().is_none());
    let exited = client.dap.events.iter().find(|e| e["event"] == "exited").unwrap();
    assert_eq!(exited["body"]["exitCode"], 2, "the program's status");
    // `qirvo dap` exits with the debug session's status; VS Code, already shutting the adapter
    // down by then, does not report it.
    assert_eq!(client.end(), 2, "the adapter exits with the program's status");
    assert_eq!(
        std::fs::read_to_string(work.path().join("command-output.txt")).unwrap(),
        "one two"
    );
}

/// A module without DWARF: its frames have no source, so VS Code focuses none and shows no
/// variables until a frame is clicked (and asks for no `source`).
#[test]
fn frames_without_source_are_not_focused_until_clicked() {
    let plugin = dap::wat_plugin(&dap::recursion_wat(3));
    let mut client = VsCodeClient::start();
    let manifest = plugin.path().join("manifest.json");
    client.launch(configuration("Debug wat", json!({ "manifest": manifest })));
    let stopped = client.wait_stopped();
    assert_eq!(stopped.reason, "exception");
    assert_eq!(stopped.focused, None, "{:#?}", stopped.frames);
    assert_eq!(stopped.total_frames, Some(5));
    assert!(client.sent_of("scopes").is_empty());
    assert!(client.sent_of("source").is_empty());
    let clicked = client.select_frame(0);
    assert!(clicked.exception.is_some(), "the exception widget asks exceptionInfo");
    let wasm = clicked.scope("Wasm").clone();
    let rows: Vec<String> = client.children(&wasm).iter().map(|n| n.line()).collect();
    assert!(rows.iter().any(|r| r.starts_with("$local0: i32 = 0")), "{rows:#?}");
    client.continue_();
    assert!(client.wait_stopped_or_end().is_none());
    assert_eq!(client.end(), 1, "the trap is the session's status");
}

/// A second line of Debug Console input (Shift+Enter): VS Code sends the whole input as `text`
/// and the cursor as `line` 2, `column` 3.
#[test]
fn completions_on_the_second_line_of_input() {
    let source = path_of(C_SOURCE);
    let mut client = VsCodeClient::start();
    client.add_breakpoint(&source, Breakpoint::at(line_of(C_SOURCE, "/* BREAK */")));
    client.launch(configuration(
        "Debug c-variables",
        json!({ "manifest": "examples/c-variables/manifest.json" }),
    ));
    client.wait_stopped();
    let answer = client.completions("small +\nbi", 2, 3).unwrap();
    let labels: Vec<&str> = answer["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["label"].as_str())
        .collect();
    assert_eq!(labels, ["big"], "completes `bi` on line 2");
    client.continue_();
    while client.wait_stopped_or_end().is_some() {
        client.continue_();
    }
    assert_eq!(client.end(), 0);
}

/// Every row the Variables view shows, two levels deep from the Locals scope.
fn local_rows(client: &mut VsCodeClient, locals: &dap::vscode::Node) -> Vec<dap::vscode::Node> {
    let mut rows = Vec::new();
    for row in client.children(locals) {
        if row.has_children() && !row.is_virtual {
            let children: Vec<_> = client
                .children(&row)
                .into_iter()
                .filter(|c| !c.is_virtual)
                .take(8)
                .collect();
            rows.extend(children);
        }
        rows.push(row);
    }
    rows
}

/// "Add to Watch" and "Copy as Expression" on a row use its `evaluateName`: evaluated in the
/// same frame, it must show what the row shows (C fields, array elements, pointees; Rust
/// struct fields, `Vec` and slice elements).
#[test]
fn every_evaluate_name_evaluates_to_what_its_row_shows() {
    for (source, manifest) in [
        (C_SOURCE, "examples/c-variables/manifest.json"),
        ("examples/variables/src/lib.rs", "examples/variables/manifest.json"),
    ] {
        let mut client = VsCodeClient::start();
        let marker = if source == C_SOURCE { "/* BREAK */" } else { "// BREAK" };
        client.add_breakpoint(&path_of(source), Breakpoint::at(line_of(source, marker)));
        client.launch(configuration("Debug", json!({ "manifest": manifest })));
        let stopped = client.wait_stopped();
        let locals = stopped.scope("Locals").clone();
        let rows = local_rows(&mut client, &locals);
        let named: Vec<_> = rows.iter().filter(|r| r.evaluate_name.is_some()).collect();
        assert!(
            named.len() * 10 >= rows.len() * 8,
            "{source}: most rows are nameable: {:#?}",
            rows.iter()
                .map(|r| (r.name.clone(), r.evaluate_name.clone()))
                .collect::<Vec<_>>()
        );
        assert!(
            named.iter().any(|r| r
                .evaluate_name
                .as_deref()
                .is_some_and(|n| n.contains('.') || n.contains('['))),
            "{source}: children are named through their parent"
        );
        for row in named {
            let expression = row.evaluate_name.clone().unwrap();
            let watched = client
                .add_watch(&expression)
                .unwrap_or_else(|e| panic!("{source}: `{expression}` (row {}) fails: {e}", row.name));
            assert_eq!(
                watched.value, row.value,
                "{source}: `{expression}` shows what row {} shows",
                row.name
            );
        }
        client.continue_();
        while client.wait_stopped_or_end().is_some() {
            client.continue_();
        }
        assert_eq!(client.end(), 0, "{source}");
    }
}
