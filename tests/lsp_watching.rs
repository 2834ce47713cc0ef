//! A rebuilt module re-checks the open manifests that name it, in every editor: the client
//! watches `**/*.wasm` for us when it can register that dynamically (VS Code); otherwise (Neovim
//! up to 0.11) the server watches the modules itself and never asks.

use std::path::Path;

use serde_json::{Value, json};

mod lsp;
mod wire;

use lsp::{LspClient, NEEDS_STORAGE, codes, manifest_in};

/// NEEDS_STORAGE with its identity fixed, so that only the module rules change with the module.
fn manifest() -> String {
    NEEDS_STORAGE
        .replace("com.example.café", "com.example.cafe")
        .replace("Café 😀 plugin", "Cafe plugin")
        .replace("\"1.0\"", "\"1.0.0\"")
}

fn test_module(case: &str) -> String {
    format!("{}/tests/manifests/{case}/module.wasm", env!("CARGO_MANIFEST_DIR"))
}

fn has(params: &Value, code: &str) -> bool {
    codes(params["diagnostics"].as_array().unwrap())
        .iter()
        .any(|c| c == code)
}

/// Forgets diagnostics already received, so a wait sees only those published after a change.
fn forget_diagnostics(client: &mut LspClient) {
    client
        .backlog
        .retain(|m| m["method"] != "textDocument/publishDiagnostics");
}

#[test]
fn without_dynamic_registration_the_server_watches_the_module_itself() {
    let dir = tempfile::tempdir().unwrap();
    let text = manifest();
    let uri = manifest_in(dir.path(), Some("good-minimal"), &text);
    let module = dir.path().join("module.wasm");
    // What Neovim 0.10 sends on Linux; 0.7 sends nothing at all.
    let capabilities = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": false } } });
    let mut client = LspClient::start_with(capabilities, Value::Null);
    client.open(&uri, &text);
    let diagnostics = client.diagnostics(&uri, 1);
    assert_eq!(codes(&diagnostics), ["Q0505"], "{diagnostics:#?}");

    // Rebuilt in place into a module that imports storage functions the manifest does not grant.
    forget_diagnostics(&mut client);
    std::fs::copy(test_module("module-needs-permissions"), &module).unwrap();
    client.diagnostics_where(&uri, |p| has(p, "Q0504"));

    // Fixed, and replaced the way linkers do: written beside it, then renamed over it.
    forget_diagnostics(&mut client);
    let staged = dir.path().join("module.wasm.partial");
    std::fs::copy(test_module("good-minimal"), &staged).unwrap();
    std::fs::rename(&staged, &module).unwrap();
    client.diagnostics_where(&uri, |p| !has(p, "Q0504") && has(p, "Q0505"));

    // `main` names a module in a folder that the first build creates.
    let moved = text.replace("\"module.wasm\"", "\"target/release/plugin.wasm\"");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": moved }] }),
    );
    assert!(
        codes(&client.diagnostics(&uri, 2)).contains(&"Q0501".to_string()),
        "module missing"
    );
    forget_diagnostics(&mut client);
    let built = dir.path().join("target/release/plugin.wasm");
    std::fs::create_dir_all(built.parent().unwrap()).unwrap();
    std::fs::copy(test_module("module-needs-permissions"), &built).unwrap();
    client.diagnostics_where(&uri, |p| p["version"] == 2 && has(p, "Q0504"));

    client.request("shutdown", Value::Null);
    let asked = client.server_requests("client/registerCapability");
    assert!(asked.is_empty(), "registered without the client's support: {asked:#?}");
}

#[test]
fn with_dynamic_registration_the_client_watches_for_us() {
    let dir = tempfile::tempdir().unwrap();
    let text = manifest();
    let uri = manifest_in(dir.path(), None, &text);
    let capabilities = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let mut client = LspClient::start_with(capabilities, Value::Null);
    let registration = client.message_where(|m| m["method"] == "client/registerCapability");
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(
        registered["method"], "workspace/didChangeWatchedFiles",
        "{registration}"
    );
    assert_eq!(
        registered["registerOptions"]["watchers"][0]["globPattern"], "**/*.wasm",
        "{registration}"
    );
    client.open(&uri, &text);
    assert!(
        codes(&client.diagnostics(&uri, 1)).contains(&"Q0501".to_string()),
        "module missing"
    );
    let module = dir.path().join("module.wasm");
    std::fs::copy(test_module("good-minimal"), &module).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&module), "type": 1 }] }),
    );
    let diagnostics = client.diagnostics(&uri, 1);
    assert_eq!(
        codes(&diagnostics),
        ["Q0505"],
        "now checked against the module: {diagnostics:#?}"
    );
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}
