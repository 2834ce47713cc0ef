//! How the client counts lines and columns. `initialize` says whether they start at 0 or 1
//! (`linesStartAt1`, `columnsStartAt1`, both 1 by default); the adapter works 1-based inside and
//! converts only here, at the protocol edge.

/// The client's line and column bases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCoordinates {
    /// 0 or 1: the number the client gives the first line.
    first_line: u32,
    /// 0 or 1: the number the client gives the first column.
    first_column: u32,
}

impl Default for ClientCoordinates {
    fn default() -> Self {
        ClientCoordinates {
            first_line: 1,
            first_column: 1,
        }
    }
}

impl ClientCoordinates {
    /// The bases `initialize` announced (absent means 1-based).
    pub fn new(lines_start_at1: Option<bool>, columns_start_at1: Option<bool>) -> Self {
        ClientCoordinates {
            first_line: u32::from(lines_start_at1.unwrap_or(true)),
            first_column: u32::from(columns_start_at1.unwrap_or(true)),
        }
    }

    /// A line the client sent, 1-based (a 1-based client's line 0 is taken as line 1).
    pub fn line_from_client(self, line: u32) -> u32 {
        line.saturating_add(1 - self.first_line).max(1)
    }

    /// A 1-based line as the client counts it.
    pub fn line_to_client(self, line: u32) -> u32 {
        line.saturating_sub(1 - self.first_line)
    }

    /// A column the client sent, 1-based.
    pub fn column_from_client(self, column: i64) -> i64 {
        column.saturating_add(i64::from(1 - self.first_column)).max(1)
    }

    /// A 1-based column as the client counts it.
    pub fn column_to_client(self, column: u32) -> u32 {
        column.saturating_sub(1 - self.first_column)
    }
}

/// The byte offset in `text` of a cursor `column` (1-based, in UTF-16 code units as DAP counts
/// them). A column inside a surrogate pair or past the end is clamped to a character boundary.
pub fn byte_offset_of_column(text: &str, column: i64) -> usize {
    let mut units_left = column.saturating_sub(1).max(0);
    for (offset, character) in text.char_indices() {
        let units = character.len_utf16() as i64;
        if units_left < units {
            return offset;
        }
        units_left -= units;
    }
    text.len()
}

/// How many UTF-16 code units `text` has (DAP's unit for `start` and `length`).
pub fn utf16_len(text: &str) -> i64 {
    text.chars().map(|c| c.len_utf16() as i64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_based_clients_are_shifted_both_ways() {
        let zero = ClientCoordinates::new(Some(false), Some(false));
        assert_eq!(zero.line_from_client(0), 1);
        assert_eq!(zero.line_to_client(1), 0);
        assert_eq!(zero.column_from_client(0), 1);
        assert_eq!(zero.column_to_client(5), 4);
        let one = ClientCoordinates::default();
        assert_eq!(one.line_from_client(7), 7);
        assert_eq!(one.line_from_client(0), 1);
        assert_eq!(one.line_to_client(7), 7);
        assert_eq!(one.line_from_client(u32::MAX), u32::MAX);
        assert_eq!(zero.line_from_client(u32::MAX), u32::MAX);
        assert_eq!(one.column_from_client(i64::MIN), 1);
    }

    #[test]
    fn columns_count_utf16_units_and_clamp() {
        let text = "“a😀b";
        assert_eq!(byte_offset_of_column(text, 1), 0);
        assert_eq!(byte_offset_of_column(text, 2), "“".len());
        assert_eq!(byte_offset_of_column(text, 3), "“a".len());
        // Inside the surrogate pair of 😀: the start of the emoji.
        assert_eq!(byte_offset_of_column(text, 4), "“a".len());
        assert_eq!(byte_offset_of_column(text, 5), "“a😀".len());
        assert_eq!(byte_offset_of_column(text, i64::MAX), text.len());
        assert_eq!(byte_offset_of_column(text, i64::MIN), 0);
        assert_eq!(utf16_len(text), 5);
    }
}
