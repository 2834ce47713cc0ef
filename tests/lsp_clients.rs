//! Whole sessions as real editors run them: each test replays the `initialize` params a real
//! client sent (captured by pytest-lsp, `tests/lsp/clients/`), then edits a manifest, rebuilds its
//! module and ends the session the way that client does. The server must get diagnostics to each
//! client in the mode it supports (push, or pull with refresh), see the rebuild in each, and send
//! no request the client did not announce.

use std::path::Path;

use serde_json::{Value, json};

mod lsp;
mod wire;

use lsp::{LspClient, NEEDS_STORAGE, codes, manifest_in};

/// A captured `initialize` params file from `tests/lsp/clients/`.
fn captured(name: &str) -> Value {
    let path = format!("{}/tests/lsp/clients/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// VS Code running the project's extension: the 1.65 capture plus what vscode-languageclient
/// 8.1 (`editors/vscode/package.json`) adds for pull diagnostics.
fn vscode_with_the_extension() -> Value {
    let mut params = captured("vscode");
    let capabilities = &mut params["capabilities"];
    capabilities["textDocument"]["diagnostic"] =
        json!({ "dynamicRegistration": true, "relatedDocumentSupport": false });
    capabilities["workspace"]["diagnostics"] = json!({ "refreshSupport": true });
    params
}

fn test_module(case: &str) -> String {
    format!("{}/tests/manifests/{case}/module.wasm", env!("CARGO_MANIFEST_DIR"))
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// How diagnostics reach this client.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Push,
    Pull,
}

/// The diagnostic codes the client shows for `uri` once they satisfy `wanted`: the pushed ones,
/// or, for a pulling client, those of a `textDocument/diagnostic` request sent as clients do
/// (on open, on change, and when the server asks for a refresh).
fn shown(client: &mut LspClient, mode: Mode, uri: &str, wanted: impl Fn(&[String]) -> bool) -> Vec<String> {
    match mode {
        Mode::Push => {
            let diagnostics = client.diagnostics_where(uri, |p| wanted(&codes(p["diagnostics"].as_array().unwrap())));
            codes(&diagnostics)
        }
        Mode::Pull => {
            for _ in 0..50 {
                let report = client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } }));
                let found = codes(report["items"].as_array().unwrap());
                if wanted(&found) {
                    return found;
                }
                // Pulled too early: the client pulls again when the server asks it to.
                client.message_where(|m| m["method"] == "workspace/diagnostic/refresh");
            }
            panic!("the pulled diagnostics of {uri} never became what was wanted");
        }
    }
}

/// One session: open a manifest whose module lacks permissions, fix the module by rebuilding it,
/// break the manifest with an edit, then `shutdown` and `exit`.
fn session(initialize: Value, expected_mode: Mode) {
    let dir = tempfile::tempdir().unwrap();
    let text = NEEDS_STORAGE.to_string();
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), &text);
    let module = dir.path().join("module.wasm");
    let mut client = LspClient::start_as(initialize.clone(), Value::Null);
    let mode = if client.server_capabilities()["diagnosticProvider"].is_object() {
        Mode::Pull
    } else {
        Mode::Push
    };
    assert_eq!(mode, expected_mode);
    client.open(&uri, &text);
    let needs = shown(&mut client, mode, &uri, |c| c.iter().any(|c| c == "Q0504"));
    assert!(needs.contains(&"Q0505".to_string()), "{needs:?}");

    // The plugin is rebuilt into a module that needs no more than the manifest grants.
    std::fs::copy(test_module("good-minimal"), &module).unwrap();
    let watches = initialize
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if watches {
        // Sent while the server handles `initialized`: wait for it, it may not be read yet.
        let registration = client.message_where(|m| m["method"] == "client/registerCapability");
        assert_eq!(
            registration["params"]["registrations"][0]["method"], "workspace/didChangeWatchedFiles",
            "{registration}"
        );
        // The client watches `**/*.wasm` for the server and reports the rebuild.
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": file_uri(&module), "type": 2 }] }),
        );
    }
    shown(&mut client, mode, &uri, |c| !c.iter().any(|c| c == "Q0504"));

    // Typing: the version fixed, and a typographic quote in the description.
    assert!(
        needs.contains(&"Q0107".to_string()),
        "`1.0` is not MAJOR.MINOR.PATCH: {needs:?}"
    );
    let edited = text.replace("\"1.0\"", "\"1.0.0\"").replace("edited in", "“edited” in");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": edited }] }),
    );
    shown(&mut client, mode, &uri, |c| !c.iter().any(|c| c == "Q0107"));

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let status = client
        .wait_for_exit(std::time::Duration::from_secs(10))
        .expect("the server exits at `exit`");
    assert_eq!(status.code(), Some(0));
    if !watches {
        let asked = client.server_requests("client/registerCapability");
        assert!(asked.is_empty(), "registered without the client's support: {asked:#?}");
    }
    assert!(
        client.unannounced.is_empty(),
        "requests the client never announced: {:#?}",
        client.unannounced
    );
}

#[test]
fn neovim_0_7_gets_pushed_diagnostics_and_the_server_watches_modules() {
    session(captured("neovim-0.7"), Mode::Push);
}

/// Neovim 0.10 pulls diagnostics but cannot be asked to pull again, so it is pushed to.
#[test]
fn neovim_0_10_gets_pushed_diagnostics_because_it_has_no_refresh() {
    session(captured("neovim-0.10"), Mode::Push);
}

#[test]
fn vscode_1_65_gets_pushed_diagnostics_and_watches_modules_for_the_server() {
    session(captured("vscode"), Mode::Push);
}

#[test]
fn vscode_with_the_extension_pulls_and_is_asked_to_refresh() {
    session(vscode_with_the_extension(), Mode::Pull);
}
