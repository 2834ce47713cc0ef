//! The language server as an editor drives it: the real `qirvo lsp` binary over stdio.

use std::io::BufReader;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod wire;

struct LspClient {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    backlog: Vec<Value>,
}

impl LspClient {
    fn start() -> LspClient {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qirvo"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = wire::read_frame(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = LspClient {
            child,
            stdin,
            messages,
            next_id: 0,
            backlog: Vec::new(),
        };
        let capabilities = client.request("initialize", json!({ "capabilities": {} }));
        assert_eq!(
            capabilities["capabilities"]["textDocumentSync"]["change"], 2,
            "incremental sync"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn write(&mut self, message: Value) {
        wire::write_frame(&mut self.stdin, &message);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let message = self
            .messages
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the server answers in time");
        // Answer the server's own requests (client/registerCapability).
        if message.get("method").is_some() && message.get("id").is_some() {
            let id = message["id"].clone();
            self.write(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
        }
        message
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.write(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let message = self.next(deadline);
            if message["id"] == id && message.get("method").is_none() {
                return message["result"].clone();
            }
            self.backlog.push(message);
        }
    }

    /// The next diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let message = match self
                .backlog
                .iter()
                .position(|m| m["method"] == "textDocument/publishDiagnostics")
            {
                Some(index) => self.backlog.remove(index),
                None => self.next(deadline),
            };
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == version
            {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn manifest_in(dir: &std::path::Path, module: Option<&str>, manifest: &str) -> String {
    if let Some(case) = module {
        let source = format!("{}/tests/manifests/{case}/module.wasm", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(source, dir.join("module.wasm")).unwrap();
    }
    let path = dir.join("manifest.json");
    std::fs::write(&path, manifest).unwrap();
    format!("file://{}", path.display())
}

const NEEDS_STORAGE: &str = r#"{
  "manifest_version": 1,
  "id": "com.example.café",
  "name": "Café 😀 plugin",
  "version": "1.0",
  "description": "A manifest edited in the tests.",
  "type": "service",
  "author": "Ann <ann@example.com>",
  "category": "utilities",
  "main": "module.wasm",
  "permissions": ["notifications"]
}
"#;

#[test]
fn diagnostics_fixes_and_incremental_edits() {
    let dir = tempfile::tempdir().unwrap();
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), NEEDS_STORAGE);
    let mut client = LspClient::start();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "json", "version": 1, "text": NEEDS_STORAGE } }),
    );
    let diagnostics = client.diagnostics(&uri, 1);
    // The emoji in the name breaks the name rule (Q0108), which is right.
    assert_eq!(
        codes(&diagnostics),
        ["Q0106", "Q0108", "Q0107", "Q0504", "Q0504", "Q0505"],
        "{diagnostics:#?}"
    );
    let storage = diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("storage-read"))
        .unwrap();
    assert_eq!(storage["range"]["start"], json!({ "line": 9, "character": 10 }));
    assert_eq!(storage["severity"], 1);
    assert_eq!(
        diagnostics[5]["tags"],
        json!([1]),
        "unused permission is tagged unnecessary"
    );

    // Quick fix: add the permission.
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": storage["range"], "context": { "diagnostics": [] } }),
    );
    let add = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Add `storage-read` to permissions")
        .unwrap();
    let edit = &add["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], ", \"storage-read\"");

    // Apply it as an incremental edit, then fix the version after the emoji on line 3.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "range": edit["range"], "text": edit["newText"] }] }),
    );
    let diagnostics = client.diagnostics(&uri, 2);
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("`storage-read`")),
        "{diagnostics:#?}"
    );
    // Line 4 is `  "version": "1.0",`; replace `1.0` (columns 14..17) with `1.0.0`.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [
            { "range": { "start": { "line": 4, "character": 14 }, "end": { "line": 4, "character": 17 } }, "text": "1.0.0" }
        ] }),
    );
    let diagnostics = client.diagnostics(&uri, 3);
    assert!(!codes(&diagnostics).contains(&"Q0107".to_string()), "{diagnostics:#?}");
    // The id on line 2 has a non-ASCII letter: its range is in UTF-16 units.
    let id = diagnostics.iter().find(|d| d["code"] == "Q0106").unwrap();
    assert_eq!(
        id["range"],
        json!({ "start": { "line": 2, "character": 8 }, "end": { "line": 2, "character": 26 } })
    );
}

#[test]
fn hover_and_completion() {
    let dir = tempfile::tempdir().unwrap();
    let text = NEEDS_STORAGE.replace("\"notifications\"", "\"notifications\", \"storage-read\"");
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), &text);
    let mut client = LspClient::start();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "json", "version": 1, "text": text } }),
    );
    client.diagnostics(&uri, 1);
    // Hover on "storage-read" (line 10).
    let column = text.lines().nth(10).unwrap().find("storage-read").unwrap() as u32;
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 10, "character": column + 2 } }),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("**`storage-read`**"), "{value}");
    assert!(
        value.contains("`qirvo.storage_get` — imported by the module"),
        "{value}"
    );
    // Hover on a key shows the field's documentation.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 9, "character": 4 } }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("relative to this manifest"),
        "{hover}"
    );
    // Completion at the start of a new line inside the root object offers missing keys.
    let completion = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 10, "character": 0 } }),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"resources") && labels.contains(&"events"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"main"),
        "keys already present are not offered: {labels:?}"
    );
}

#[test]
fn rebuilding_the_module_updates_the_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let text = NEEDS_STORAGE.replace("\"version\": \"1.0\"", "\"version\": \"1.0.0\"");
    let uri = manifest_in(dir.path(), None, &text);
    let mut client = LspClient::start();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "json", "version": 1, "text": text } }),
    );
    assert!(
        codes(&client.diagnostics(&uri, 1)).contains(&"Q0501".to_string()),
        "module missing"
    );
    let source = format!(
        "{}/tests/manifests/good-minimal/module.wasm",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::copy(source, dir.path().join("module.wasm")).unwrap();
    let module_uri = format!("file://{}", dir.path().join("module.wasm").display());
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": module_uri, "type": 1 }] }),
    );
    let diagnostics = client.diagnostics(&uri, 1);
    assert!(!codes(&diagnostics).contains(&"Q0501".to_string()), "{diagnostics:#?}");
    assert!(
        codes(&diagnostics).contains(&"Q0505".to_string()),
        "now checked against the module: {diagnostics:#?}"
    );
}

/// Thousands of random incremental edits: the server never panics or stalls, and its copy of
/// the text stays the client's (its diagnostics equal those of the same text opened fresh).
#[test]
fn random_edits_keep_the_server_in_sync() {
    use qirvo_runtime::location::Locator;
    let dir = tempfile::tempdir().unwrap();
    let mut text = NEEDS_STORAGE.to_string();
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), &text);
    let mut client = LspClient::start();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "json", "version": 1, "text": text } }),
    );
    client.diagnostics(&uri, 1);
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const PIECES: &[&str] = &[
        "",
        "\"",
        "{",
        "}",
        ",",
        ":",
        "é",
        "😀",
        "storage-read",
        "\n",
        "  ",
        "128 MB",
        "[",
        "]",
    ];
    let edits = 2000;
    for version in 2..2 + edits {
        let locator = Locator::new(&text);
        let mut start = (next() as usize) % (text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + (next() as usize) % 6).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let (from, to) = (locator.utf16(start), locator.utf16(end));
        let piece = PIECES[(next() as usize) % PIECES.len()];
        text.replace_range(start..end, piece);
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{
                "range": { "start": { "line": from.line, "character": from.column }, "end": { "line": to.line, "character": to.column } },
                "text": piece
            }] }),
        );
    }
    let last = client.diagnostics(&uri, (edits + 1) as i64);
    let fresh_uri = format!("{}.qirvo.json", uri.trim_end_matches(".json"));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": fresh_uri, "languageId": "json", "version": 1, "text": text } }),
    );
    let fresh = client.diagnostics(&fresh_uri, 1);
    let strip = |list: &[Value]| -> Vec<(Value, Value, Value)> {
        list.iter()
            .map(|d| (d["code"].clone(), d["range"].clone(), d["message"].clone()))
            .collect()
    };
    assert_eq!(
        strip(&last),
        strip(&fresh),
        "the server's text drifted from the client's:\n{text}"
    );
}
