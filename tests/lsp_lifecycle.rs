//! The end of a language server session, as the LSP spec has it: `exit` ends the process at
//! once, even though the editor still holds its stdin open, with status 0 after `shutdown` and 1
//! without.

use std::time::Duration;

use serde_json::{Value, json};

mod lsp;
mod wire;

use lsp::{LspClient, NEEDS_STORAGE, manifest_in};

/// Long enough for a loaded machine; the server should take milliseconds.
const EXIT_WITHIN: Duration = Duration::from_secs(10);

#[test]
fn exit_after_shutdown_ends_the_server_with_status_0_while_stdin_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), NEEDS_STORAGE);
    let mut client = LspClient::start();
    client.open(&uri, NEEDS_STORAGE);
    client.diagnostics(&uri, 1);
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let status = client
        .wait_for_exit(EXIT_WITHIN)
        .expect("the server exits at `exit` although its stdin is still open");
    assert_eq!(status.code(), Some(0), "{status}");
}

#[test]
fn exit_without_shutdown_ends_the_server_with_status_1() {
    let mut client = LspClient::start();
    client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere/manifest.json" }, "position": { "line": 0, "character": 0 } }),
    );
    client.notify("exit", Value::Null);
    let status = client
        .wait_for_exit(EXIT_WITHIN)
        .expect("the server exits at `exit` although its stdin is still open");
    assert_eq!(status.code(), Some(1), "{status}");
}
