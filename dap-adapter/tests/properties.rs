//! Property tests of the adapter on careless and hostile clients, run by the test command
//! (`QIRVO_FUZZ_CASES=N` runs more):
//! - any bytes fed to the framing reader end in messages or errors, never a panic or a hang;
//! - any sequence of requests, with arguments of any shape (huge and negative numbers, any
//!   Unicode, wrong types), is answered request by request, and the session still answers after.

use std::time::Duration;

use proptest::prelude::*;
use qirvo_dap::protocol::{read_message, write_message};
use serde_json::{Map, Value, json};
use tokio::io::BufReader;

fn cases() -> u32 {
    std::env::var("QIRVO_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
}

/// Header pieces, separators and bodies, well-formed and not.
const FRAME_PIECES: &[&[u8]] = &[
    b"Content-Length: ",
    b"Content-Length: 2\r\n\r\n{}",
    b"Content-Length: 18446744073709551616\r\n\r\n",
    b"Content-Length: -1\r\n\r\n",
    b"Content-Type: application/json\r\n",
    b"POST / HTTP/1.1\r\n",
    b"Origin: http://evil\r\n",
    b"\r\n",
    b"\n",
    b":",
    b"{\"seq\":1,\"type\":\"request\",\"command\":\"threads\"}",
    "“😀”".as_bytes(),
    b"\xff\xfe",
    b"0",
    b"12",
];

fn frame_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![3 => prop::sample::select(FRAME_PIECES).prop_map(<[u8]>::to_vec), 1 => any::<Vec<u8>>()],
        0..40,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Every command the adapter knows but the two that end the session, and some it does not.
const COMMANDS: &[&str] = &[
    "launch",
    "attach",
    "setBreakpoints",
    "setFunctionBreakpoints",
    "setExceptionBreakpoints",
    "configurationDone",
    "threads",
    "stackTrace",
    "scopes",
    "variables",
    "setVariable",
    "evaluate",
    "completions",
    "disassemble",
    "readMemory",
    "writeMemory",
    "continue",
    "next",
    "stepIn",
    "stepOut",
    "pause",
    "exceptionInfo",
    "loadedSources",
    "modules",
    "source",
    "restart",
    "dataBreakpointInfo",
    "",
    "😀",
    "initialize",
];

/// Keys the adapter reads, so random arguments reach its handlers, not only its parser.
const KEYS: &[&str] = &[
    "frameId",
    "threadId",
    "variablesReference",
    "start",
    "count",
    "levels",
    "startFrame",
    "line",
    "column",
    "lines",
    "breakpoints",
    "source",
    "path",
    "sourceReference",
    "name",
    "value",
    "expression",
    "context",
    "text",
    "memoryReference",
    "offset",
    "data",
    "instructionOffset",
    "instructionCount",
    "instructionPointerReference",
    "resolveSymbols",
    "filters",
    "condition",
    "hitCondition",
    "logMessage",
    "granularity",
    "filter",
    "format",
    "hex",
    "program",
    "manifest",
    "args",
    "cwd",
    "stopOnEntry",
    "sourceMap",
];

fn hostile_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(&[0i64, 1, -1, 2, i64::MAX, i64::MIN, 1 << 53, u32::MAX as i64, 1 << 32][..])
            .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(1e300)),
        Just(json!(-0.5)),
    ]
}

fn argument_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        3 => hostile_number(),
        2 => any::<String>().prop_map(Value::String),
        1 => prop::sample::select(&["“x”", "😀", "x + 1", "*p", "$local0", "0x10", "examples/hello/src/lib.rs", ""][..])
            .prop_map(|s| Value::String(s.to_string())),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4)
                .prop_map(|e| Value::Object(e.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

fn request() -> impl Strategy<Value = (String, Value)> {
    let arguments = prop_oneof![
        4 => prop::collection::vec((prop::sample::select(KEYS), argument_value()), 0..6)
            .prop_map(|e| Value::Object(e.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())),
        1 => argument_value(),
    ];
    (prop::sample::select(COMMANDS).prop_map(str::to_string), arguments)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The C example, launched and stopped at its BREAK line, so that requests reach the handlers
/// of a stopped plugin (frames, variables, memory, evaluation), not only their error paths.
fn stopped_plugin() -> Vec<(String, Value)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let source = format!("{root}/examples/c-variables/c_variables.c");
    let line = std::fs::read_to_string(&source)
        .unwrap()
        .lines()
        .position(|l| l.contains("/* BREAK */"))
        .unwrap()
        + 1;
    vec![
        (
            "launch".into(),
            json!({ "manifest": format!("{root}/examples/c-variables/manifest.json") }),
        ),
        (
            "setBreakpoints".into(),
            json!({ "source": { "path": source }, "breakpoints": [{ "line": line }] }),
        ),
        ("configurationDone".into(), json!({})),
    ]
}

/// Sends `requests` after `initialize` over an in-memory pipe, then `threads`; returns the
/// `request_seq` of every response, in order, or what went wrong.
async fn session(prelude: Vec<(String, Value)>, requests: Vec<(String, Value)>) -> Result<Vec<i64>, String> {
    let (client, server) = tokio::io::duplex(1 << 16);
    let (server_read, server_write) = tokio::io::split(server);
    let adapter = tokio::spawn(qirvo_dap::serve(server_read, server_write));
    let (client_read, mut client_write) = tokio::io::split(client);
    let mut client_read = BufReader::new(client_read);
    let stops_at = (!prelude.is_empty()).then(|| 1 + prelude.len() as i64);
    let mut all = vec![("initialize".to_string(), json!({ "adapterID": "qirvo" }))];
    all.extend(prelude);
    all.extend(requests);
    all.push(("threads".to_string(), Value::Null));
    let mut answered = Vec::new();
    for (seq, (command, arguments)) in (1..).zip(all) {
        let mut message = json!({ "seq": seq, "type": "request", "command": command });
        if !arguments.is_null() {
            message["arguments"] = arguments;
        }
        if std::env::var_os("QIRVO_FUZZ_VERBOSE").is_some() {
            eprintln!("-> {message}");
        }
        write_message(&mut client_write, &message)
            .await
            .map_err(|e| format!("write: {e}"))?;
        // After the prelude's configurationDone, wait for the stop too (before or after the
        // answer), so that the random requests meet a stopped plugin.
        let mut waits_for_stop = stops_at == Some(seq);
        let mut answered_this = false;
        loop {
            if answered_this && !waits_for_stop {
                break;
            }
            let reply = tokio::time::timeout(Duration::from_secs(5), read_message(&mut client_read))
                .await
                .map_err(|_| format!("no answer to {message}"))?
                .map_err(|e| format!("after {message}: {e:?}"))?;
            if reply["event"] == "stopped" || reply["event"] == "terminated" {
                waits_for_stop = false;
                continue;
            }
            if answered_this {
                continue;
            }
            if reply["type"] == "response" {
                if reply["request_seq"] != seq {
                    return Err(format!("answer {reply} is not to {message}"));
                }
                answered.push(seq);
                answered_this = true;
            }
        }
    }
    // The pipe closes only when both halves are gone; then the adapter must end by itself.
    drop(client_write);
    drop(client_read);
    tokio::time::timeout(Duration::from_secs(10), adapter)
        .await
        .map_err(|_| "the adapter did not end when the client went away".to_string())?
        .map_err(|e| format!("the adapter panicked: {e}"))?;
    Ok(answered)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_end_in_messages_or_errors(bytes in frame_bytes()) {
        runtime().block_on(async {
            let mut reader = BufReader::new(&bytes[..]);
            // Each read consumes input or fails, so the input runs out within this many reads.
            for _ in 0..=bytes.len() {
                if read_message(&mut reader).await.is_err() {
                    break;
                }
            }
        });
    }

    #[test]
    fn any_requests_are_each_answered_and_the_session_goes_on(requests in prop::collection::vec(request(), 0..12)) {
        let expected = requests.len() + 2;
        let answered = runtime().block_on(session(Vec::new(), requests));
        prop_assert_eq!(answered.map(|a| a.len()), Ok(expected));
    }

    #[test]
    fn any_requests_to_a_stopped_plugin_are_each_answered(requests in prop::collection::vec(request(), 0..12)) {
        let prelude = stopped_plugin();
        let expected = prelude.len() + requests.len() + 2;
        let answered = runtime().block_on(session(prelude, requests));
        prop_assert_eq!(answered.map(|a| a.len()), Ok(expected));
    }
}
