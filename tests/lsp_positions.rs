//! Positions from the client that do not name a character boundary: inside a UTF-16 surrogate
//! pair, past the end of a line, past the last line, `u32::MAX`. Edits at them apply as the spec's
//! clamping says, requests at them are answered, and the server lives on.

use serde_json::json;

mod lsp;
mod wire;

use lsp::{LspClient, manifest_in};

/// `\r\n` on the first line; astral characters (two UTF-16 units each) in the description.
const TEXT: &str = "{\r\n  \"manifest_version\": 1,\n  \"id\": \"com.example.cafe\",\n  \"name\": \"Cafe\",\n  \"version\": \"1.0.0\",\n  \"description\": \"😀😀😀 tail\",\n  \"type\": \"service\",\n  \"author\": \"Ann <ann@example.com>\",\n  \"category\": \"utilities\",\n  \"main\": \"module.wasm\",\n  \"permissions\": [\"storage-read\"]\n}\n";

const DESCRIPTION_LINE: u32 = 5;

/// The byte offset a client means by a UTF-16 position, by the spec's rule: past the end of a
/// line is that line's end (before `\r\n` or `\n`), past the last line is the end of the text; a
/// position inside a surrogate pair is taken as the start of its character.
fn client_offset(text: &str, line: u32, character: u32) -> usize {
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(newline) => start += newline + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let content = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let content = content.strip_suffix('\r').unwrap_or(content);
    let mut units = 0u64;
    for (index, character_here) in content.char_indices() {
        units += character_here.len_utf16() as u64;
        if units > u64::from(character) {
            return start + index;
        }
    }
    start + content.len()
}

/// The UTF-16 column of the `n`th (0-based) `😀` on the description line, plus `plus`.
fn emoji_column(n: u32, plus: u32) -> u32 {
    let line = TEXT.lines().nth(DESCRIPTION_LINE as usize).unwrap();
    let before = &line[..line.find('😀').unwrap()];
    before.encode_utf16().count() as u32 + 2 * n + plus
}

/// A client position: line and UTF-16 column, as sent.
type Position = (u32, u32);

#[test]
fn edits_and_requests_at_positions_off_character_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let uri = manifest_in(dir.path(), Some("module-needs-permissions"), TEXT);
    let mut client = LspClient::start();
    client.open(&uri, TEXT);
    client.diagnostics(&uri, 1);
    let mut text = TEXT.to_string();
    let d = DESCRIPTION_LINE;
    let edits: &[(Position, Position, &str)] = &[
        // Inside the first pair: inserted before that character.
        ((d, emoji_column(0, 1)), (d, emoji_column(0, 1)), "é"),
        // From inside the (now) second pair to inside the third: removes the second 😀.
        ((d, emoji_column(1, 2)), (d, emoji_column(2, 2)), ""),
        // Past the end of a line: at its end, not on the next line.
        ((d, 9999), (d, u32::MAX), "  "),
        ((0, 50), (0, 60), " "), // the `\r\n` line ends before `\r`
        // Past the last line: the end of the document.
        ((u32::MAX, 0), (u32::MAX, u32::MAX), "\n"),
        ((400, 3), (500, 0), " "),
    ];
    let mut version = 1;
    for &((l1, c1), (l2, c2), new_text) in edits {
        let (start, end) = (client_offset(&text, l1, c1), client_offset(&text, l2, c2));
        text.replace_range(start..end, new_text);
        version += 1;
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{
                "range": { "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } },
                "text": new_text
            }] }),
        );
    }
    assert!(text.contains("\"é😀😀 tail\",  \n"), "{text}");
    assert!(text.starts_with("{ \r\n") && text.ends_with("}\n\n "), "{text:?}");

    // Every request with such a position is answered, with a result or an error.
    let document = json!({ "uri": uri });
    let positions = [
        json!({ "line": 0, "character": u32::MAX }),
        json!({ "line": u32::MAX, "character": u32::MAX }),
        json!({ "line": d, "character": emoji_column(0, 2) }),
        json!({ "line": d, "character": -1 }),
    ];
    for position in &positions {
        let huge = json!({ "start": { "line": 0, "character": 0 }, "end": position });
        let requests = [
            (
                "textDocument/hover",
                json!({ "textDocument": document, "position": position }),
            ),
            (
                "textDocument/completion",
                json!({ "textDocument": document, "position": position }),
            ),
            (
                "textDocument/definition",
                json!({ "textDocument": document, "position": position }),
            ),
            (
                "textDocument/codeAction",
                json!({ "textDocument": document, "range": huge, "context": { "diagnostics": [] } }),
            ),
            (
                "textDocument/inlayHint",
                json!({ "textDocument": document, "range": huge }),
            ),
        ];
        for (method, params) in requests {
            let response = client.respond(method, params);
            assert!(
                response.get("result").is_some() || response.get("error").is_some(),
                "{method} at {position}: {response}"
            );
        }
    }

    // Alive, and holding the text the client computed: its outline and diagnostics are those of
    // that text opened fresh.
    let fresh_uri = format!("file://{}", dir.path().join("fresh.qirvo.json").display());
    lsp::assert_holds(&mut client, &uri, version, &text, &fresh_uri);
    let outline = |client: &mut LspClient, uri: &str| {
        client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }))
    };
    let edited = outline(&mut client, &uri);
    assert_eq!(edited, outline(&mut client, &fresh_uri), "{text}");
    assert!(edited.to_string().contains("é😀😀 tail"), "{edited}");
}
