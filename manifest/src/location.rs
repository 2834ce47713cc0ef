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

    /// The byte offset of a UTF-16 position. Total, as LSP asks: a column past the end of its
    /// line is the end of that line (before `\n` or `\r\n`), a line past the last is the end of
    /// the text, and a column inside a surrogate pair is the start of that character, so the
    /// result is always a char boundary.
    pub fn offset_of_utf16(&self, position: Position) -> usize {
        let Some(line) = self.index.line(position.line) else {
            return self.text.len();
        };
        let start = usize::from(line.start());
        let Some(content) = self.text.get(start..usize::from(line.end())) else {
            return self.text.len();
        };
        let content = content
            .strip_suffix('\n')
            .map_or(content, |c| c.strip_suffix('\r').unwrap_or(c));
        let wanted = u64::from(position.column);
        let mut units = 0u64;
        for (index, character) in content.char_indices() {
            units += character.len_utf16() as u64;
            if units > wanted {
                return start + index;
            }
        }
        start + content.len()
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

    #[test]
    fn utf16_positions_clamp_to_their_line_and_to_characters() {
        let text = "a😀b\r\nxy\nlast";
        let locator = Locator::new(text);
        let at = |line, column| locator.offset_of_utf16(Position { line, column });
        let emoji = text.find('😀').unwrap();
        assert_eq!(at(0, 1), emoji);
        assert_eq!(at(0, 2), emoji, "inside the surrogate pair: the character's start");
        assert_eq!(at(0, 3), emoji + 4);
        assert_eq!(at(0, 4), text.find('\r').unwrap(), "the line ends before \\r\\n");
        assert_eq!(at(0, u32::MAX), text.find('\r').unwrap());
        assert_eq!(
            at(1, 9),
            text.find("\nlast").unwrap(),
            "not spilling into the next line"
        );
        assert_eq!(at(2, 2), text.len() - 2);
        assert_eq!(at(2, 99), text.len());
        assert_eq!(at(3, 0), text.len(), "past the last line: the end");
        assert_eq!(at(u32::MAX, u32::MAX), text.len());
        assert_eq!(Locator::new("").offset_of_utf16(Position { line: 0, column: 5 }), 0);
        assert_eq!(Locator::new("a\n").offset_of_utf16(Position { line: 1, column: 5 }), 2);
    }
}
