//! Open documents and their versions. Edits are applied synchronously, in arrival order, before
//! any `.await` (tower-lsp runs handlers concurrently; crates.md explains the discipline).

use std::collections::HashMap;
use std::sync::Mutex;

use qirvo_manifest::location::{Locator, Position};
use tower_lsp::lsp_types::{TextDocumentContentChangeEvent, Url};

/// An open manifest.
#[derive(Debug, Clone)]
pub struct Document {
    /// Current text.
    pub text: String,
    /// Version the client gave it.
    pub version: i32,
}

/// All open documents.
#[derive(Debug, Default)]
pub struct Documents {
    open: Mutex<HashMap<Url, Document>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Applies one change (a range replacement in UTF-16 positions, or the whole text).
pub fn apply_change(text: &mut String, change: &TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text.clone(),
        Some(range) => {
            let locator = Locator::new(text);
            let start = locator.offset_of_utf16(Position {
                line: range.start.line,
                column: range.start.character,
            });
            let end = locator.offset_of_utf16(Position {
                line: range.end.line,
                column: range.end.character,
            });
            let (start, end) = (start.min(end), start.max(end));
            text.replace_range(start..end, &change.text);
        }
    }
}

impl Documents {
    /// Opens (or replaces) a document.
    pub fn open(&self, uri: Url, text: String, version: i32) {
        lock(&self.open).insert(uri, Document { text, version });
    }

    /// Applies changes; returns the new version, or `None` for an unknown document.
    pub fn change(&self, uri: &Url, version: i32, changes: &[TextDocumentContentChangeEvent]) -> Option<i32> {
        let mut open = lock(&self.open);
        let document = open.get_mut(uri)?;
        for change in changes {
            apply_change(&mut document.text, change);
        }
        document.version = version;
        Some(version)
    }

    /// Closes a document.
    pub fn close(&self, uri: &Url) {
        lock(&self.open).remove(uri);
    }

    /// A copy of a document.
    pub fn get(&self, uri: &Url) -> Option<Document> {
        lock(&self.open).get(uri).cloned()
    }

    /// Whether the document is open.
    pub fn is_open(&self, uri: &Url) -> bool {
        lock(&self.open).contains_key(uri)
    }

    /// Whether the document is open at `version` with `text` (compared in place, not copied).
    pub fn is_at(&self, uri: &Url, version: i32, text: &str) -> bool {
        lock(&self.open)
            .get(uri)
            .is_some_and(|document| document.version == version && document.text == text)
    }

    /// Every open document's uri.
    pub fn uris(&self) -> Vec<Url> {
        lock(&self.open).keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tower_lsp::lsp_types::{Position as LspPosition, Range};

    fn edit(text: &mut String, (l1, c1): (u32, u32), (l2, c2): (u32, u32), new: &str) {
        apply_change(
            text,
            &TextDocumentContentChangeEvent {
                range: Some(Range::new(LspPosition::new(l1, c1), LspPosition::new(l2, c2))),
                range_length: None,
                text: new.to_string(),
            },
        );
    }

    #[test]
    fn utf16_ranges_after_astral_characters() {
        let mut text = "{\"name\": \"😀 x\"}".to_string();
        // 😀 is two UTF-16 units: "x" is at column 13.
        edit(&mut text, (0, 13), (0, 14), "y");
        assert_eq!(text, "{\"name\": \"😀 y\"}");
        edit(&mut text, (0, 0), (0, 0), " ");
        assert_eq!(text, " {\"name\": \"😀 y\"}");
        edit(&mut text, (5, 0), (9, 9), "!");
        assert_eq!(text, " {\"name\": \"😀 y\"}!");
    }

    /// A line or column: mostly near the text's own, sometimes huge.
    fn coordinate() -> impl Strategy<Value = u32> {
        prop_oneof![6 => 0u32..40, 1 => Just(u32::MAX), 1 => any::<u32>()]
    }

    /// The byte offset a client means, by the spec's rule written independently: lines end
    /// before `\n` or `\r\n`, a column past the end is the end, a line past the last is the end
    /// of the text, and inside a surrogate pair is the start of its character.
    fn spec_offset(text: &str, line: u32, column: u32) -> usize {
        let segments: Vec<&str> = text.split('\n').collect();
        let Some(segment) = segments.get(line as usize) else {
            return text.len();
        };
        let start: usize = segments[..line as usize].iter().map(|s| s.len() + 1).sum();
        let ends_with_newline = (line as usize) < segments.len() - 1;
        let content = match segment.strip_suffix('\r') {
            Some(content) if ends_with_newline => content,
            _ => segment,
        };
        let mut units = 0;
        for (index, character) in content.char_indices() {
            units += character.len_utf16();
            if units > column as usize {
                return start + index;
            }
        }
        start + content.len()
    }

    const PIECES: &[&str] = &["a", "é", "中", "😀", "𝄞", "\n", "\r\n", "\r", " ", "\""];

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("QIRVO_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1024),
            ..ProptestConfig::default()
        })]

        #[test]
        fn positions_clamp_as_the_spec_says_round_trip_and_edits_apply_as_the_client_computes(
            pieces in prop::collection::vec(prop::sample::select(PIECES), 0..30),
            positions in prop::collection::vec((coordinate(), coordinate()), 20),
            (l1, c1, l2, c2) in (coordinate(), coordinate(), coordinate(), coordinate()),
            new_text in prop_oneof![Just("😀".to_string()), any::<String>()],
        ) {
            let mut text: String = pieces.concat();
            let locator = Locator::new(&text);
            // Every offset an editor can name (not between `\r` and `\n`) survives the round trip.
            for offset in (0..=text.len()).filter(|&offset| text.is_char_boundary(offset)) {
                if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                    continue;
                }
                let position = locator.utf16(offset);
                prop_assert_eq!(locator.offset_of_utf16(position), offset, "{:?} at {}", text, offset);
            }
            for (line, column) in positions {
                let offset = locator.offset_of_utf16(Position { line, column });
                prop_assert_eq!(offset, spec_offset(&text, line, column), "{:?} at {}:{}", text, line, column);
            }
            // Edits at any positions apply as the client computes them, and never panic.
            let (a, b) = (spec_offset(&text, l1, c1), spec_offset(&text, l2, c2));
            let mut expected = text.clone();
            expected.replace_range(a.min(b)..a.max(b), &new_text);
            edit(&mut text, (l1, c1), (l2, c2), &new_text);
            prop_assert_eq!(text, expected);
        }
    }
}
