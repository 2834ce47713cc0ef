//! The language server as an editor drives it: the real `qirvo lsp` binary over stdio.

use serde_json::json;

mod lsp;
mod wire;

use lsp::{LspClient, NEEDS_STORAGE, codes, manifest_in};

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

/// Thousands of random incremental edits with requests for every feature in between: the server
/// never panics or stalls (every request is answered without an error), and its copy of
/// the text stays the client's (its diagnostics equal those of the same text opened fresh).
#[test]
fn random_edits_keep_the_server_in_sync() {
    use qirvo_manifest::location::Locator;
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
        // Every feature answers on whatever the text is now, at any position.
        if version % 20 == 0 {
            let at = Locator::new(&text).utf16((next() as usize) % (text.len() + 1));
            let position = json!({ "line": at.line, "character": at.column });
            let document = json!({ "uri": uri });
            let whole = json!({ "start": { "line": 0, "character": 0 }, "end": position });
            let (method, params) = match (version / 20) % 9 {
                0 => (
                    "textDocument/hover",
                    json!({ "textDocument": document, "position": position }),
                ),
                1 => (
                    "textDocument/completion",
                    json!({ "textDocument": document, "position": position }),
                ),
                2 => (
                    "textDocument/definition",
                    json!({ "textDocument": document, "position": position }),
                ),
                3 => ("textDocument/documentSymbol", json!({ "textDocument": document })),
                4 => ("textDocument/documentLink", json!({ "textDocument": document })),
                5 => ("textDocument/codeLens", json!({ "textDocument": document })),
                6 => (
                    "textDocument/inlayHint",
                    json!({ "textDocument": document, "range": whole }),
                ),
                7 => (
                    "textDocument/codeAction",
                    json!({ "textDocument": document, "range": whole, "context": { "diagnostics": [] } }),
                ),
                _ => (
                    "textDocument/formatting",
                    json!({ "textDocument": document, "options": { "tabSize": 2, "insertSpaces": true } }),
                ),
            };
            client.request(method, params);
        }
    }
    let fresh_uri = format!("{}.qirvo.json", uri.trim_end_matches(".json"));
    lsp::assert_holds(&mut client, &uri, (edits + 1) as i64, &text, &fresh_uri);
}
