//! Open documents and their versions. Edits are applied synchronously, in arrival order, before
//! any `.await` (tower-lsp runs handlers concurrently; crates.md explains the discipline).

use std::collections::HashMap;
use std::sync::Mutex;

use qirvo_runtime::location::{Locator, Position};
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
}
