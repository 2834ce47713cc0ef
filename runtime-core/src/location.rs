//! Byte offsets ↔ line and column, in one place. Columns for people (the CLI) count
//! characters; columns for LSP count UTF-16 code units. Built on rust-analyzer's `line-index`.

use line_index::{LineIndex, TextSize, WideEncoding};

/// A line/column position, both 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line, 0-based.
    pub line: u32,
    /// Column, 0-based, in the unit the caller asked for.
    pub column: u32,
}

/// Converts offsets of one text.
pub struct Locator<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Locator<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        Locator {
            text,
            index: LineIndex::new(text),
        }
    }

    fn clamp(&self, offset: usize) -> TextSize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        TextSize::new(u32::try_from(offset).unwrap_or(u32::MAX))
    }

    /// Line and column in characters (Unicode scalar values).
    pub fn chars(&self, offset: usize) -> Position {
        self.wide(offset, WideEncoding::Utf32)
    }

    /// Line and column in UTF-16 code units (LSP's default encoding).
    pub fn utf16(&self, offset: usize) -> Position {
        self.wide(offset, WideEncoding::Utf16)
    }

    fn wide(&self, offset: usize, encoding: WideEncoding) -> Position {
        let line_col = self.index.line_col(self.clamp(offset));
        let column = self
            .index
            .to_wide(encoding, line_col)
            .map_or(line_col.col, |wide| wide.col);
        Position {
            line: line_col.line,
            column,
        }
    }

    /// The byte offset of a UTF-16 position, clamped to the text.
    pub fn offset_of_utf16(&self, position: Position) -> usize {
        let wide = line_index::WideLineCol {
            line: position.line,
            col: position.column,
        };
        let line_col = self
            .index
            .to_utf8(WideEncoding::Utf16, wide)
            .unwrap_or(line_index::LineCol {
                line: position.line,
                col: 0,
            });
        self.index
            .offset(line_col)
            .map_or(self.text.len(), |offset| usize::from(offset).min(self.text.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_and_utf16_units() {
        let text = "{\n  \"name\": \"héllo 😀\", \"x\": 1\n}";
        let locator = Locator::new(text);
        let x = text.find("\"x\"").unwrap();
        assert_eq!(locator.chars(x), Position { line: 1, column: 21 });
        assert_eq!(locator.utf16(x), Position { line: 1, column: 22 });
        assert_eq!(locator.offset_of_utf16(Position { line: 1, column: 22 }), x);
        assert_eq!(locator.chars(text.len() + 10).line, 2);
    }
}
