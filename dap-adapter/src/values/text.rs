//! Text as the languages write it: Rust string literals that keep what is printable as it is
//! (combining marks, CJK, emoji), C string literals, and scalar values in decimal or hex.

use std::fmt::Write as _;

use super::le_integer;
use crate::dwarf::types::Encoding;

/// `text` as a Rust string literal: quotes, backslashes and control characters escaped,
/// everything printable kept as it is. (`{:?}` escapes a leading combining mark, which then
/// shows as `\u{301}` instead of the accent the program prints.)
pub(crate) fn rust_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\0' => quoted.push_str("\\0"),
            // Controls, and the invisible ones that would reorder or hide the text around
            // them (bidi overrides, zero-width joiners stay: they are part of emoji).
            c if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                let _ = write!(quoted, "\\u{{{:x}}}", u32::from(c));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Bytes that should be UTF-8 (`OsString`, `CString`, `Path` on WASI), as a Rust literal:
/// invalid bytes are shown as `\x..` escapes rather than replaced.
pub(crate) fn rust_quote_bytes(bytes: &[u8]) -> String {
    let mut quoted = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        let valid = rust_quote(chunk.valid());
        quoted.push_str(&valid[1..valid.len() - 1]);
        for byte in chunk.invalid() {
            let _ = write!(quoted, "\\x{byte:02x}");
        }
    }
    quoted.push('"');
    quoted
}

/// C string literal syntax: printable ASCII as is, the rest escaped (`"a\x01"`).
pub(crate) fn c_quote(bytes: &[u8]) -> String {
    let mut text = String::from("\"");
    for &byte in bytes {
        match byte {
            b'"' => text.push_str("\\\""),
            b'\\' => text.push_str("\\\\"),
            b'\n' => text.push_str("\\n"),
            b'\t' => text.push_str("\\t"),
            0x20..=0x7e => text.push(byte as char),
            _ => {
                let _ = write!(text, "\\x{byte:02x}");
            }
        }
    }
    text.push('"');
    text
}

/// How integers are written (DAP `ValueFormat.hex`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Radix {
    /// `42`, `-3`.
    #[default]
    Decimal,
    /// `0x2a`, and negative numbers as their two's complement bits (`0xfd` for an `i8` -3),
    /// as lldb and gdb show them.
    Hex,
}

impl Radix {
    /// `value` of a `bytes`-wide integer.
    pub(crate) fn integer(self, value: i128, bytes: usize) -> String {
        match self {
            Radix::Decimal => value.to_string(),
            Radix::Hex => {
                let bits = (bytes.clamp(1, 16) * 8) as u32;
                let mask = if bits >= 128 { u128::MAX } else { (1u128 << bits) - 1 };
                format!("{:#x}", (value as u128) & mask)
            }
        }
    }
}

/// A base type's value.
pub(crate) fn scalar(encoding: Encoding, bytes: &[u8], radix: Radix) -> String {
    match encoding {
        Encoding::Boolean => (bytes.first().copied().unwrap_or(0) != 0).to_string(),
        Encoding::Signed => radix.integer(le_integer(bytes, true), bytes.len()),
        Encoding::Unsigned => radix.integer(le_integer(bytes, false), bytes.len()),
        Encoding::Char => {
            let byte = bytes.first().copied().unwrap_or(0);
            let shown = match byte {
                0x20..=0x7e => format!("'{}'", byte as char),
                _ => format!("'\\x{byte:02x}'"),
            };
            format!("{} {shown}", radix.integer(i128::from(byte as i8), 1))
        }
        Encoding::UnicodeChar => {
            let code = le_integer(&bytes[..bytes.len().min(4)], false);
            match u32::try_from(code).ok().and_then(char::from_u32) {
                Some(c) if radix == Radix::Hex => format!("{:#x} {}", u32::from(c), char_literal(c)),
                Some(c) => char_literal(c),
                None => format!("<invalid char {code:#x}>"),
            }
        }
        Encoding::Float if bytes.len() == 4 => f32::from_le_bytes(bytes.try_into().unwrap_or_default()).to_string(),
        Encoding::Float => f64::from_le_bytes(bytes[..8.min(bytes.len())].try_into().unwrap_or_default()).to_string(),
    }
}

/// A Rust `char` literal, printable characters as they are.
fn char_literal(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let quoted = rust_quote(c.encode_utf8(&mut [0; 4]));
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_text_keeps_what_is_printable() {
        assert_eq!(rust_quote("e\u{301}\u{323} ñ 日本 🦀"), "\"e\u{301}\u{323} ñ 日本 🦀\"");
        assert_eq!(rust_quote("\u{301}x"), "\"\u{301}x\"");
        assert_eq!(rust_quote("say \"hi\"\n\t\\"), r#""say \"hi\"\n\t\\""#);
        assert_eq!(rust_quote("a\u{1b}[0m\u{202e}"), r#""a\u{1b}[0m\u{202e}""#);
    }

    #[test]
    fn invalid_utf8_is_escaped_not_replaced() {
        assert_eq!(rust_quote_bytes(b"ok\xffk\xc3"), r#""ok\xffk\xc3""#);
        assert_eq!(rust_quote_bytes("ü".as_bytes()), "\"ü\"");
    }

    #[test]
    fn hex_shows_the_bits_of_the_width() {
        assert_eq!(Radix::Hex.integer(-3, 1), "0xfd");
        assert_eq!(Radix::Hex.integer(-1, 4), "0xffffffff");
        assert_eq!(Radix::Hex.integer(255, 8), "0xff");
        assert_eq!(Radix::Decimal.integer(-3, 1), "-3");
        assert_eq!(scalar(Encoding::Signed, &[0xfd], Radix::Hex), "0xfd");
        assert_eq!(scalar(Encoding::UnicodeChar, &[0xdf, 0, 0, 0], Radix::Decimal), "'ß'");
        assert_eq!(scalar(Encoding::UnicodeChar, &[0x27, 0, 0, 0], Radix::Decimal), "'\\''");
    }
}
