//! Editing help beyond diagnostics, as an editor sees it over stdio: pull diagnostics,
//! configuration, formatting, symbols, links and definitions, inlay hints and code lenses.

use serde_json::{Value, json};

mod lsp;
mod wire;

use lsp::{LspClient, NEEDS_STORAGE, codes, manifest_in};

/// NEEDS_STORAGE with its identity fixed, so only the module and resource rules speak.
fn needs_storage() -> String {
    NEEDS_STORAGE
        .replace("com.example.café", "com.example.cafe")
        .replace("Café 😀 plugin", "Cafe plugin")
        .replace("\"1.0\"", "\"1.0.0\"")
}

fn position_of(text: &str, needle: &str) -> Value {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
    let line = text[..offset].matches('\n').count();
    let column = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1);
    json!({ "line": line, "character": column })
}

#[test]
fn pull_diagnostics_report_and_then_say_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let text = needs_storage();
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), &text);
    let mut client = LspClient::start_with(
        json!({ "textDocument": { "diagnostic": {} }, "workspace": { "diagnostics": { "refreshSupport": true } } }),
        Value::Null,
    );
    client.open(&uri, &text);
    let report = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(report["kind"], "full", "{report}");
    let items = report["items"].as_array().unwrap();
    assert_eq!(codes(items), ["Q0504", "Q0504", "Q0505"], "{items:#?}");
    let again = client.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri }, "previousResultId": report["resultId"] }),
    );
    assert_eq!(again["kind"], "unchanged", "{again}");
    assert_eq!(again["resultId"], report["resultId"]);
    // An edit makes the old result stale.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": text.replace("[\"notifications\"]", "[\"storage-read\"]") }] }),
    );
    let edited = client.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri }, "previousResultId": report["resultId"] }),
    );
    assert_eq!(edited["kind"], "full");
    let items = edited["items"].as_array().unwrap();
    assert_eq!(
        codes(items),
        ["Q0504"],
        "only `network-access` is missing now: {items:#?}"
    );
    assert!(
        !client
            .backlog
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics"),
        "a pulling client gets no pushed diagnostics: {:#?}",
        client.backlog
    );
}

#[test]
fn settings_change_maximums_and_severities_live() {
    let dir = tempfile::tempdir().unwrap();
    let text = needs_storage().replace(
        "\"permissions\"",
        "\"resources\": { \"memory\": \"100MB\" },\n  \"permissions\"",
    );
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), &text);
    let settings = json!({
        "maximums": { "memory": "64MB" },
        "diagnostics": { "severity": { "Q0505": "off", "Q0504": "warning" } }
    });
    let mut client = LspClient::start_with(json!({ "workspace": { "configuration": true } }), settings);
    client.open(&uri, &text);
    // The settings arrive asynchronously: wait for diagnostics checked under them.
    let configured = client.diagnostics_where(&uri, |p| {
        p["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["code"] == "Q0302"))
    });
    assert_eq!(codes(&configured), ["Q0504", "Q0504", "Q0302"], "{configured:#?}");
    let memory = &configured[2];
    assert!(
        memory["message"].as_str().unwrap().contains("maximum of 64MB"),
        "{memory}"
    );
    assert!(configured[..2].iter().all(|d| d["severity"] == 2), "{configured:#?}");

    // The user edits the settings: the server asks again and re-checks without a restart.
    // Publications from before the settings arrived are history now.
    client
        .backlog
        .retain(|m| m["method"] != "textDocument/publishDiagnostics");
    client.settings = json!({ "diagnostics": { "severity": { "Q0504": "hint" } }, "maximums": { "colour": 1 } });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    let warning = client.message_where(|m| m["method"] == "window/showMessage");
    assert!(
        warning["params"]["message"]
            .as_str()
            .unwrap()
            .contains("`qirvo.maximums.colour` = 1 is ignored"),
        "{warning}"
    );
    let reconfigured = client.diagnostics_where(&uri, |p| {
        p["diagnostics"]
            .as_array()
            .is_some_and(|d| !d.iter().any(|d| d["code"] == "Q0302") && d.iter().any(|d| d["severity"] == 4))
    });
    assert_eq!(codes(&reconfigured), ["Q0504", "Q0504", "Q0505"], "{reconfigured:#?}");
    assert_eq!(reconfigured[0]["severity"], 4);
}

#[test]
fn formatting_keeps_order_and_refuses_broken_json() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"main\":\"module.wasm\",\"id\":\"com.example.cafe\",\n\n   \"permissions\":[ \"storage-read\",\"storage-write\" ],\"name\":\"caf\\u00e9\"}\n";
    let uri = manifest_in(dir.path(), None, text);
    let mut client = LspClient::start();
    client.open(&uri, text);
    let options = json!({ "tabSize": 4, "insertSpaces": true });
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": options }),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1, "{edits:#?}");
    let formatted = apply(text, &edits[0]);
    assert_eq!(
        formatted,
        "{\n    \"main\": \"module.wasm\",\n    \"id\": \"com.example.cafe\",\n    \"permissions\": [\"storage-read\", \"storage-write\"],\n    \"name\": \"caf\\u00e9\"\n}\n"
    );
    // Formatting the result changes nothing.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": formatted }] }),
    );
    let again = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": options }),
    );
    assert_eq!(again, json!([]));
    // Half-typed JSON is left alone, and the user is told why.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "text": "{\"id\": \"a\",\n \"main\": }" }] }),
    );
    let refused = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": options }),
    );
    assert_eq!(refused, Value::Null);
    let message = client.message_where(|m| m["method"] == "window/showMessage");
    assert!(
        message["params"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid JSON (first at line 2"),
        "{message}"
    );
}

/// Applies one LSP text edit to a text with ASCII content.
fn apply(text: &str, edit: &Value) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let column = position["character"].as_u64().unwrap() as usize;
        text.split_inclusive('\n').take(line).map(str::len).sum::<usize>() + column
    };
    let (start, end) = (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]));
    format!(
        "{}{}{}",
        &text[..start],
        edit["newText"].as_str().unwrap(),
        &text[end..]
    )
}

#[test]
fn symbols_links_and_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let text = needs_storage();
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), &text);
    let module_uri = format!("file://{}", dir.path().join("module.wasm").display());
    let mut client = LspClient::start();
    client.open(&uri, &text);
    client.diagnostics(&uri, 1);

    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "manifest_version",
            "id",
            "name",
            "version",
            "description",
            "type",
            "author",
            "category",
            "main",
            "permissions"
        ]
    );
    let permissions = symbols.as_array().unwrap().last().unwrap();
    assert_eq!(permissions["children"][0]["name"], "notifications");
    assert_eq!(permissions["kind"], 18, "array");

    let links = client.request("textDocument/documentLink", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(links[0]["target"], module_uri, "{links}");
    assert_eq!(links[0]["range"]["start"], position_of(&text, "\"module.wasm\""));

    // On `main`: the module, then where the permissions the module needs go.
    let definitions = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": position_of(&text, "module.wasm\"") }),
    );
    let definitions = definitions.as_array().unwrap();
    assert_eq!(definitions[0]["uri"], module_uri);
    assert_eq!(definitions[1]["uri"], uri);
    assert_eq!(definitions[1]["range"]["start"], position_of(&text, "\"permissions\""));
    // Elsewhere there is nothing to go to.
    let nothing = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": position_of(&text, "\"utilities\"") }),
    );
    assert_eq!(nothing, Value::Null);
}

#[test]
fn inlay_hints_show_the_defaults_and_code_lenses_run_and_debug() {
    let dir = tempfile::tempdir().unwrap();
    let text = needs_storage().replace(
        "\"permissions\"",
        "\"resources\": { \"memory\": \"1MB\", \"cpu\": 50 },\n  \"permissions\"",
    );
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), &text);
    let mut client = LspClient::start();
    client.open(&uri, &text);
    client.diagnostics(&uri, 1);
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 100, "character": 0 } });
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": whole }),
    );
    let hints = hints.as_array().unwrap();
    assert_eq!(hints.len(), 1, "{hints:#?}");
    assert_eq!(
        hints[0]["label"],
        "defaults: timeout: 30 s, storage: 10MB, bandwidth: unlimited, max_connections: 4"
    );
    let mut after_brace = position_of(&text, "{ \"memory\"");
    after_brace["character"] = json!(after_brace["character"].as_u64().unwrap() + 1);
    assert_eq!(hints[0]["position"], after_brace);
    // A range that excludes the block has no hints.
    let first_line = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } });
    let none = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": first_line }),
    );
    assert_eq!(none, json!([]));

    let lenses = client.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }));
    let path = dir.path().join("manifest.json").display().to_string();
    let commands: Vec<(&str, &str, &Value)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["command"]["title"].as_str().unwrap(),
                l["command"]["command"].as_str().unwrap(),
                &l["command"]["arguments"],
            )
        })
        .collect();
    assert_eq!(
        commands,
        [
            ("▶ Run", "qirvo.run", &json!([path])),
            ("Debug", "qirvo.debug", &json!([path]))
        ]
    );
    assert_eq!(lenses[0]["range"]["start"], json!({ "line": 0, "character": 0 }));
}
