//! Rust std values through the real `qirvo dap`, checked against what the program itself
//! prints with `{:?}` right after the line the debugger stops at (examples/std-values, built
//! at opt-level 0 and 1 from one source).

use std::collections::BTreeMap;

use serde_json::{Value, json};

mod dap;
mod wire;

use dap::DapClient;

const SOURCE: &str = "examples/std-values/src/lib.rs";

/// A client stopped at the BREAK line of the fixture built as `manifest`, and its locals.
fn stopped(manifest: &str) -> (DapClient, Vec<Value>) {
    let path = format!("{}/{SOURCE}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().position(|l| l.contains("// BREAK")).unwrap() as u32 + 1;
    let mut client = DapClient::start();
    client.launch(json!({ "manifest": manifest }), &[(&path, &[line])]);
    let (reason, function, _, at) = client.wait_stop();
    assert_eq!((reason.as_str(), at), ("breakpoint", line));
    // The opt-level 1 build is its own crate, `std_values_o1`.
    assert!(
        function.starts_with("std_values") && function.ends_with("::inspect"),
        "{function}"
    );
    let frame = client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"][0]["id"].clone();
    let scopes = client.request("scopes", json!({ "frameId": frame }));
    let locals = scopes["scopes"][0]["variablesReference"].as_i64().unwrap();
    let variables = children(&mut client, locals, json!({}));
    (client, variables)
}

fn children(client: &mut DapClient, reference: i64, paging: Value) -> Vec<Value> {
    let mut arguments = json!({ "variablesReference": reference });
    if let (Some(arguments), Some(paging)) = (arguments.as_object_mut(), paging.as_object()) {
        arguments.extend(paging.clone());
    }
    client.request("variables", arguments)["variables"]
        .as_array()
        .unwrap()
        .clone()
}

fn value<'a>(variables: &'a [Value], name: &str) -> &'a str {
    variables
        .iter()
        .find(|v| v["name"] == name)
        .and_then(|v| v["value"].as_str())
        .unwrap_or_else(|| panic!("{name} in {variables:#?}"))
}

fn reference(variables: &[Value], name: &str) -> i64 {
    let row = variables.iter().find(|v| v["name"] == name).unwrap();
    row["variablesReference"].as_i64().unwrap()
}

/// `name: value` of each row.
fn rows(variables: &[Value]) -> Vec<String> {
    variables
        .iter()
        .map(|v| format!("{}: {}", v["name"].as_str().unwrap(), v["value"].as_str().unwrap()))
        .collect()
}

/// Lets the plugin run to its end; returns its `name = value` lines.
fn printed(mut client: DapClient) -> BTreeMap<String, String> {
    client.request("continue", json!({ "threadId": 1 }));
    client.wait_exit();
    client
        .output()
        .lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(" = ")?;
            let name = name.rsplit("] ").next().unwrap_or(name);
            Some((name.trim().to_string(), value.to_string()))
        })
        .collect()
}

#[test]
fn std_values_show_what_the_program_prints() {
    let (mut client, locals) = stopped("examples/std-values/manifest.json");
    let evaluate = |client: &mut DapClient, expression: &str| -> String {
        let body = client.request(
            "evaluate",
            json!({ "expression": expression, "frameId": 1, "context": "watch" }),
        );
        body["result"].as_str().unwrap_or_default().to_string()
    };
    // Expressions look up map keys and see through smart pointers, as Rust code does.
    let evaluated: Vec<String> = [
        "hash_map[\"pear\"]",
        "int_map[-1]",
        "int_map[42]",
        "btree_map[\"two\"]",
        "deep_btree[39]",
        "deque[0]",
        "rc_box.a",
        "boxed.b",
        "rc.b",
        "mut_cell.a",
        "*rc_box",
    ]
    .iter()
    .map(|e| format!("{e} = {}", evaluate(&mut client, e)))
    .collect();
    assert_eq!(
        evaluated,
        [
            "hash_map[\"pear\"] = 5",
            "int_map[-1] = \"minus one\"",
            "int_map[42] = \"answer\"",
            "btree_map[\"two\"] = 2",
            "deep_btree[39] = 1521",
            "deque[0] = 3",
            "rc_box.a = 9",
            "boxed.b = 8",
            "rc.b = 2",
            "mut_cell.a = 5",
            "*rc_box = {a: 9, b: 10}",
        ]
    );
    // `format: { hex: true }` (VS Code's "View as Hex") writes integers in hex; a map's rows
    // stay named by their keys as written in the source, so each name still looks its row up.
    let hex = client.request(
        "evaluate",
        json!({ "expression": "deep_btree[39]", "frameId": 1, "format": { "hex": true } }),
    );
    assert_eq!(hex["result"], "0x5f1");
    let int_map_rows = children(
        &mut client,
        reference(&locals, "int_map"),
        json!({ "format": { "hex": true } }),
    );
    let mut hex_rows = rows(&int_map_rows);
    hex_rows.sort();
    assert_eq!(hex_rows, ["-1: \"minus one\"", "42: \"answer\""]);
    let deque_hex = children(
        &mut client,
        reference(&locals, "deque"),
        json!({ "format": { "hex": true } }),
    );
    assert_eq!(rows(&deque_hex), ["[0]: 0x3", "[1]: 0x4", "[2]: 0x5", "[3]: 0x6"]);
    for row in &int_map_rows {
        let expression = row["evaluateName"].as_str().unwrap();
        assert_eq!(
            evaluate(&mut client, expression),
            row["value"].as_str().unwrap(),
            "{expression}"
        );
    }
    let missing = client.send("evaluate", json!({ "expression": "hash_map[\"plum\"]", "frameId": 1 }));
    let missing = client.response(missing);
    assert_eq!(
        (missing["success"].clone(), missing["message"].clone()),
        (json!(false), json!("the map has no key \"plum\""))
    );
    // A map expands to its entries, named by key, in the program's iteration order; a
    // B-tree of internal nodes pages in key order.
    let hash_map = children(&mut client, reference(&locals, "hash_map"), json!({}));
    let deep = children(
        &mut client,
        reference(&locals, "deep_btree"),
        json!({ "filter": "indexed", "start": 30, "count": 20 }),
    );
    let expected: Vec<String> = (30..40).map(|i| format!("{i}: {}", i * i)).collect();
    assert_eq!(rows(&deep), expected);
    let deque = children(&mut client, reference(&locals, "deque"), json!({}));
    assert_eq!(rows(&deque), ["[0]: 3", "[1]: 4", "[2]: 5", "[3]: 6"]);
    // Smart pointers show their value's fields directly under them.
    let rc = children(&mut client, reference(&locals, "rc"), json!({}));
    assert_eq!(rows(&rc), ["a: 1", "b: 2"]);
    let boxed = children(&mut client, reference(&locals, "boxed"), json!({}));
    assert_eq!(rows(&boxed), ["a: 7", "b: 8"]);
    // Every map row's evaluateName evaluates to the row's value.
    for row in &hash_map {
        let expression = row["evaluateName"].as_str().unwrap_or_else(|| panic!("{row}"));
        assert_eq!(
            evaluate(&mut client, expression),
            row["value"].as_str().unwrap(),
            "{expression}"
        );
    }

    let program = printed(client);
    let from_program = |name: &str| {
        program
            .get(name)
            .unwrap_or_else(|| panic!("{name} in {program:#?}"))
            .clone()
    };
    // Collections: the debugger says the length first, then what `{:?}` prints.
    for name in [
        "hash_map",
        "int_map",
        "hash_set",
        "empty_map",
        "btree_map",
        "btree_set",
        "deque",
    ] {
        let shown = value(&locals, name);
        let (length, rest) = shown.split_once(' ').unwrap();
        assert!(length.starts_with("len="), "{name}: {shown}");
        assert_eq!(rest, from_program(name), "{name}");
    }
    let map_rows: Vec<String> = hash_map
        .iter()
        .map(|r| format!("{}: {}", r["name"].as_str().unwrap(), r["value"].as_str().unwrap()))
        .collect();
    assert_eq!(format!("{{{}}}", map_rows.join(", ")), from_program("hash_map"));
    // Text, wrappers, ranges and durations: exactly what `{:?}` prints.
    for name in [
        "os_string",
        "os_str",
        "path_buf",
        "path",
        "c_string",
        "c_str",
        "cell",
        "mutex",
        "rw_lock",
        "non_zero",
        "non_zero_u8",
        "range",
        "range_inclusive",
        "range_from",
        "range_to",
        "duration",
        "short_duration",
        "cow_borrowed",
        "cow_owned",
        "pinned",
        "manually_drop",
        "quote",
    ] {
        assert_eq!(value(&locals, name), from_program(name), "{name}");
    }
    // Combining marks, CJK and emoji are shown as the text, not as escapes.
    assert_eq!(
        value(&locals, "combining"),
        format!("\"{}\"", from_program("combining"))
    );
    // States and counts come first; the value is then what the program prints.
    assert_eq!(
        value(&locals, "shared_borrow"),
        format!("borrow=1 len=2 {}", from_program("shared_borrow"))
    );
    assert_eq!(value(&locals, "ref_cell"), "borrow=1 len=2 [1, 2]");
    assert_eq!(value(&locals, "mut_borrow"), "borrow=mut {a: 5, b: 6}");
    assert_eq!(value(&locals, "held"), "locked \"held\"");
    assert_eq!(from_program("rc"), "Pair { a: 1, b: 2 } strong=2 weak=1");
    assert_eq!(value(&locals, "rc"), "strong=2 weak=1 {a: 1, b: 2}");
    assert_eq!(value(&locals, "weak"), "strong=2 weak=1 {a: 1, b: 2}");
    assert_eq!(from_program("dropped"), "None");
    assert_eq!(value(&locals, "dropped"), "<dropped> weak=1");
    assert_eq!(from_program("arc"), "[1, 2, 3] strong=1 weak=1");
    assert_eq!(value(&locals, "arc"), "strong=1 weak=1 len=3 [1, 2, 3]");
    assert_eq!(value(&locals, "boxed"), "{a: 7, b: 8}");
    assert_eq!(value(&locals, "rc_box"), "strong=1 weak=0 {a: 9, b: 10}");
    assert_eq!(value(&locals, "closure"), "{scale: 2, offset: 5}");
}

#[test]
fn optimised_std_values_render_and_plain_ones_match() {
    let (client, at_o0) = stopped("examples/std-values/manifest.json");
    client.disconnect();
    let (client, at_o1) = stopped("examples/std-values-o1/manifest.json");
    // Every local renders (optimised code moves and reuses stack slots, so a value is shown
    // as what its DWARF location holds at this pc, as lldb does).
    assert!(at_o1.iter().all(|row| row["value"].is_string()), "{at_o1:#?}");
    // Values computed from constants and kept live must equal the unoptimised build's.
    let mut compared = 0;
    for name in [
        "cell",
        "range",
        "range_inclusive",
        "range_from",
        "range_to",
        "duration",
        "short_duration",
        "non_zero_u8",
    ] {
        let Some(row) = at_o1.iter().find(|r| r["name"] == name) else {
            continue;
        };
        let text = row["value"].as_str().unwrap();
        if text.starts_with('<') {
            continue;
        }
        let expected = at_o0.iter().find(|r| r["name"] == name).unwrap();
        assert_eq!(text, expected["value"].as_str().unwrap(), "{name} at opt-level 1");
        compared += 1;
    }
    assert!(
        compared >= 3,
        "only {compared} plain values survive optimisation: {at_o1:#?}"
    );
    client.disconnect();
}
