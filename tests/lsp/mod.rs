//! An LSP client for tests: drives the real `qirvo lsp` binary over stdio as an editor would.

#![allow(dead_code)] // each test file uses part of the harness

use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub struct LspClient {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Messages read while waiting for something else.
    pub backlog: Vec<Value>,
    /// What `workspace/configuration` answers for the `qirvo` section.
    pub settings: Value,
    /// The capabilities this client announced in `initialize`.
    capabilities: Value,
    /// What the server answered to `initialize`.
    initialized: Value,
    /// Requests from the server that the client never announced support for (answered with
    /// MethodNotFound, as Neovim does): each one is a protocol violation.
    pub unannounced: Vec<Value>,
}

const TIMEOUT: Duration = Duration::from_secs(30);

impl LspClient {
    /// A server initialised with no client capabilities (push diagnostics, no configuration).
    pub fn start() -> LspClient {
        LspClient::start_with(json!({}), Value::Null)
    }

    /// A server initialised with `capabilities`; `settings` answers `workspace/configuration`.
    pub fn start_with(capabilities: Value, settings: Value) -> LspClient {
        LspClient::start_as(json!({ "capabilities": capabilities }), settings)
    }

    /// A server initialised with these whole `initialize` params (a real client's capture).
    pub fn start_as(initialize: Value, settings: Value) -> LspClient {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qirvo"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let messages = crate::wire::messages(stdout);
        let mut client = LspClient {
            child,
            stdin,
            messages,
            next_id: 0,
            backlog: Vec::new(),
            settings,
            capabilities: initialize["capabilities"].clone(),
            initialized: Value::Null,
            unannounced: Vec::new(),
        };
        let initialized = client.request("initialize", initialize);
        client.initialized = initialized.clone();
        assert_eq!(
            initialized["capabilities"]["textDocumentSync"]["change"], 2,
            "incremental sync"
        );
        client.notify("initialized", json!({}));
        client
    }

    /// The capabilities the server answered `initialize` with.
    pub fn server_capabilities(&self) -> &Value {
        &self.initialized["capabilities"]
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn write(&mut self, message: Value) {
        crate::wire::write_frame(&mut self.stdin, &message);
    }

    /// Sends a notification; `Value::Null` sends none of `params` (as for `exit`).
    pub fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({ "jsonrpc": "2.0", "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.write(message);
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let message = self
            .messages
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the server answers in time");
        // Answer the server's own requests as an editor would.
        if message.get("method").is_some() && message.get("id").is_some() {
            let id = message["id"].clone();
            if !announces(&self.capabilities, &message) {
                self.unannounced.push(message.clone());
                let error = json!({ "code": -32601, "message": "method not supported" });
                self.write(json!({ "jsonrpc": "2.0", "id": id, "error": error }));
                return message;
            }
            let result = match message["method"].as_str() {
                Some("workspace/configuration") => json!([self.settings]),
                _ => Value::Null,
            };
            self.write(json!({ "jsonrpc": "2.0", "id": id, "result": result }));
        }
        message
    }

    /// The result of a request that must succeed.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.respond(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// The whole response to a request: with a `result` or an `error`. `Value::Null` sends none
    /// of `params` (as for `shutdown`).
    pub fn respond(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.write(message);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next(deadline);
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// The server's exit status once it has exited, waiting at most `within` (stdin stays open).
    pub fn wait_for_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The requests the server sent with `method` so far (answered, and kept in the backlog).
    pub fn server_requests(&self, method: &str) -> Vec<Value> {
        self.backlog
            .iter()
            .filter(|m| m["method"] == method && m.get("id").is_some())
            .cloned()
            .collect()
    }

    /// The next diagnostics published for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        self.diagnostics_where(uri, |params| params["version"] == version)
    }

    /// The next diagnostics published for `uri` whose notification satisfies `wanted`.
    pub fn diagnostics_where(&mut self, uri: &str, wanted: impl Fn(&Value) -> bool) -> Vec<Value> {
        let message = self.message_where(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri && wanted(&m["params"])
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    /// The next message from the server that satisfies `wanted`, backlog first; others are kept.
    pub fn message_where(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(index);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next(deadline);
            if wanted(&message) {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// Opens `text` as a manifest at `uri`, version 1.
    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "json", "version": 1, "text": text } }),
        );
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Whether a client with `capabilities` said it handles the server's `request` (LSP 3.17: each
/// server-to-client request has the capability that allows it).
fn announces(capabilities: &Value, request: &Value) -> bool {
    let flag = |pointer: &str| capabilities.pointer(pointer) == Some(&Value::Bool(true));
    match request["method"].as_str().unwrap_or_default() {
        "workspace/configuration" => flag("/workspace/configuration"),
        "workspace/applyEdit" => flag("/workspace/applyEdit"),
        "workspace/diagnostic/refresh" => flag("/workspace/diagnostics/refreshSupport"),
        "workspace/codeLens/refresh" => flag("/workspace/codeLens/refreshSupport"),
        "workspace/inlayHint/refresh" => flag("/workspace/inlayHint/refreshSupport"),
        "workspace/semanticTokens/refresh" => flag("/workspace/semanticTokens/refreshSupport"),
        "window/workDoneProgress/create" => flag("/window/workDoneProgress"),
        "window/showDocument" => flag("/window/showDocument/support"),
        "window/showMessageRequest" => true,
        "client/registerCapability" | "client/unregisterCapability" => {
            let registrations = request["params"]["registrations"]
                .as_array()
                .or_else(|| request["params"]["unregisterations"].as_array());
            registrations.is_some_and(|all| {
                all.iter().all(|r| match r["method"].as_str().unwrap_or_default() {
                    "workspace/didChangeWatchedFiles" => flag("/workspace/didChangeWatchedFiles/dynamicRegistration"),
                    "workspace/didChangeConfiguration" => flag("/workspace/didChangeConfiguration/dynamicRegistration"),
                    method => {
                        let feature = method.strip_prefix("textDocument/").unwrap_or(method);
                        flag(&format!("/textDocument/{feature}/dynamicRegistration"))
                    }
                })
            })
        }
        _ => false,
    }
}

/// Asserts that the server holds `text` for `uri` after the edits that led to `version`: its
/// diagnostics are those of `text` opened fresh at `fresh_uri` (codes, ranges and messages).
pub fn assert_holds(client: &mut LspClient, uri: &str, version: i64, text: &str, fresh_uri: &str) {
    let edited = client.diagnostics(uri, version);
    client.open(fresh_uri, text);
    let fresh = client.diagnostics(fresh_uri, 1);
    let strip = |list: &[Value]| -> Vec<(Value, Value, Value)> {
        list.iter()
            .map(|d| (d["code"].clone(), d["range"].clone(), d["message"].clone()))
            .collect()
    };
    assert_eq!(
        strip(&edited),
        strip(&fresh),
        "the server's text is not the client's:\n{text}"
    );
}

pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Writes `manifest` (and a test module, by case name) into `dir`; returns the manifest's uri.
pub fn manifest_in(dir: &std::path::Path, module: Option<&str>, manifest: &str) -> String {
    if let Some(case) = module {
        let source = format!("{}/tests/manifests/{case}/module.wasm", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(source, dir.join("module.wasm")).unwrap();
    }
    let path = dir.join("manifest.json");
    std::fs::write(&path, manifest).unwrap();
    format!("file://{}", path.display())
}

/// A manifest whose module needs `storage-read`/`storage-write` and never uses `notifications`.
pub const NEEDS_STORAGE: &str = r#"{
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
