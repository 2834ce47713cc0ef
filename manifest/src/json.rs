//! A JSON tree that keeps the byte span of every key and value, and a parser that recovers.
//!
//! Parsing uses `jsonc-parser` (dprint's parser): it records a range on every node and can be
//! told to accept comments, trailing or missing commas, single quotes and bare words. We parse
//! strictly first (the common, valid case costs one pass); on failure we parse leniently, report
//! every leniency as a syntax error with a fix, and if even the lenient parse fails we blank out
//! the offending text (spaces keep every byte offset intact) and try again, so one typo does not
//! hide the rest of the manifest's problems.

use std::ops::Range;

use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::tokens::{Token, TokenAndRange};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Fix};

/// Byte range in the source text.
pub type Span = Range<usize>;

/// A JSON value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value is, from its first to its last byte.
    pub span: Span,
    /// The value.
    pub value: Value,
}

/// The kinds of JSON values.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number; `raw` is its text as written.
    Number {
        /// Text as written, e.g. `1e3`.
        raw: String,
    },
    /// A string (unescaped).
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object; members keep their order, duplicates are kept for the rules to report.
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Span of the key including its quotes.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// JSON type names as JSON Schema spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `boolean`
    Boolean,
    /// `number` (any number)
    Number,
    /// `string`
    String,
    /// `array`
    Array,
    /// `object`
    Object,
}

impl Kind {
    /// The JSON Schema name of the kind.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "boolean",
            Kind::Number => "number",
            Kind::String => "string",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }

    /// A phrase with an article, for messages ("a string", "an object").
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

impl Node {
    /// The kind of the value.
    pub fn kind(&self) -> Kind {
        match self.value {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Boolean,
            Value::Number { .. } => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::Array,
            Value::Object(_) => Kind::Object,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The number as `f64`, if this is a number that parses.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number { raw } => raw.parse().ok(),
            _ => None,
        }
    }

    /// The first member named `key`, if this is an object that has one.
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().find(|member| member.key == key)
    }

    /// Converts to a `serde_json::Value` (the last of duplicate keys wins, as in serde_json).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(value) => serde_json::Value::Bool(*value),
            Value::Number { raw } => serde_json::from_str(raw).unwrap_or(serde_json::Value::Null),
            Value::String(text) => serde_json::Value::String(text.clone()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Node::to_json).collect()),
            Value::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|member| (member.key.clone(), member.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// The outcome of parsing: a tree (when anything could be recovered) and syntax diagnostics.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The document, if the text (possibly repaired) parsed to a value.
    pub root: Option<Node>,
    /// Syntax errors, in text order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether the text is valid JSON as written.
    pub fn is_valid_json(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Most repairs a single parse attempts before giving up on recovering a tree.
const MAX_REPAIRS: usize = 32;

/// Deepest nesting of arrays and objects parsed (serde_json's limit). The parser and every
/// walk over the tree recurse per level, so deeper text is refused before it is parsed.
pub const MAX_DEPTH: usize = 128;

/// Parses `text` as strict JSON, recovering a tree where it can.
pub fn parse(text: &str) -> Parsed {
    if let Some(at) = too_deep(text) {
        return Parsed {
            root: None,
            diagnostics: vec![too_deep_error(text, at)],
        };
    }
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let strict_error = match jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict) {
        Ok(result) => {
            return Parsed {
                root: result.value.as_ref().map(convert),
                diagnostics: Vec::new(),
            };
        }
        Err(error) => error,
    };
    let mut diagnostics = Vec::new();
    let mut repaired = text.to_string();
    let mut root = None;
    for _ in 0..MAX_REPAIRS {
        // Blanking may have uncovered brackets that a string or comment hid.
        if let Some(at) = too_deep(&repaired) {
            diagnostics.push(too_deep_error(text, at));
            break;
        }
        let collect = CollectOptions {
            comments: CommentCollectionStrategy::AsTokens,
            tokens: true,
        };
        match jsonc_parser::parse_to_ast(&repaired, &collect, &ParseOptions::default()) {
            Ok(result) => {
                leniencies(&repaired, result.tokens.as_deref().unwrap_or(&[]), &mut diagnostics);
                root = result.value.as_ref().map(convert);
                break;
            }
            Err(error) => {
                let range = error.range();
                let kind = if follows_colon(&repaired, range.start) {
                    &ParseErrorKind::ExpectedObjectValue
                } else {
                    error.kind()
                };
                diagnostics.push(syntax_error(&repaired, range.start..range.end, kind));
                if !repair(&mut repaired, range.start..range.end, kind) {
                    break;
                }
            }
        }
    }
    if diagnostics.is_empty() {
        // The lenient pass accepted something the strict one refused without our noticing
        // which leniency it was: report the strict parser's own words.
        let range = strict_error.range();
        diagnostics.push(syntax_error(text, range.start..range.end, strict_error.kind()));
    }
    // Repairs may append text; keep every span inside what the author wrote.
    for diagnostic in &mut diagnostics {
        diagnostic.span = clamp(text, diagnostic.span.clone());
        for related in &mut diagnostic.related {
            related.span = clamp(text, related.span.clone());
        }
        for fix in &mut diagnostic.fixes {
            for edit in &mut fix.edits {
                edit.span = clamp(text, edit.span.clone());
            }
        }
    }
    if let Some(root) = &mut root {
        clamp_tree(root, text.len());
    }
    diagnostics.sort_by_key(|diagnostic| diagnostic.span.start);
    diagnostics.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    Parsed { root, diagnostics }
}

/// The offset of the first `[` or `{` nested deeper than [`MAX_DEPTH`], found by scanning
/// strings and comments the way jsonc-parser does, so no bracket the parser would reach before
/// its first error is missed.
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn too_deep_error(text: &str, at: usize) -> Diagnostic {
    Diagnostic::new(
        Code::Syntax,
        clamp(text, at..at + 1),
        format!("arrays and objects are nested more than {MAX_DEPTH} levels deep"),
    )
}

fn syntax_error(text: &str, span: Span, kind: &ParseErrorKind) -> Diagnostic {
    let span = clamp(text, span);
    let message = match kind {
        ParseErrorKind::UnterminatedObject => "unterminated object: expected `}`".to_string(),
        ParseErrorKind::UnterminatedArray => "unterminated array: expected `]`".to_string(),
        ParseErrorKind::ExpectedObjectValue => "expected a value after `:`".to_string(),
        ParseErrorKind::ExpectedColonAfterObjectKey => "expected `:` after the key".to_string(),
        ParseErrorKind::MultipleRootJsonValues => "unexpected text after the end of the manifest object".to_string(),
        other => lowercase_first(&other.to_string()),
    };
    if let ParseErrorKind::UnterminatedObject = kind {
        // Point where the `}` is missing, not at the `{` the parser reports.
        let end = text.trim_end().len();
        return Diagnostic::new(Code::Syntax, end..end, message)
            .with_related(span.start..span.start + 1, "object opened here")
            .with_fix(Fix::replace("Add the closing `}`", end..end, "}"));
    }
    let mut diagnostic = Diagnostic::new(Code::Syntax, span.clone(), message);
    match kind {
        ParseErrorKind::UnterminatedArray => {
            diagnostic = diagnostic.with_fix(Fix::replace("Add the closing `]`", span.start..span.start, "]"));
        }
        ParseErrorKind::ExpectedComma => {
            diagnostic = diagnostic.with_fix(Fix::replace("Insert `,`", span.start..span.start, ","));
        }
        _ => {}
    }
    diagnostic
}

/// Keeps every span of a tree parsed from repaired text inside the original text.
fn clamp_tree(node: &mut Node, len: usize) {
    node.span = node.span.start.min(len)..node.span.end.min(len);
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|item| clamp_tree(item, len)),
        Value::Object(members) => {
            for member in members {
                member.key_span = member.key_span.start.min(len)..member.key_span.end.min(len);
                clamp_tree(&mut member.value, len);
            }
        }
        _ => {}
    }
}

/// Makes the next lenient parse get further. Returns false when nothing more can be done.
fn repair(text: &mut String, span: Span, kind: &ParseErrorKind) -> bool {
    match kind {
        ParseErrorKind::UnterminatedObject => {
            text.push('}');
            true
        }
        ParseErrorKind::UnterminatedArray => {
            text.push(']');
            true
        }
        ParseErrorKind::ExpectedObjectValue => {
            // `"key": ,` or `"key": }`: drop the property, and its comma if that is what
            // the parser stopped at.
            let at = span.start.min(text.len());
            let key_start = property_start(text, at);
            if text[at..].starts_with(',') {
                blank(text, key_start..at + 1)
            } else {
                // The last property: its leading comma would become a trailing one.
                let before = text[..key_start].trim_end();
                let start = before.strip_suffix(',').map_or(key_start, str::len);
                blank(text, start..at)
            }
        }
        ParseErrorKind::String(_) => {
            // An unterminated or bad string: blank it to the end of its line.
            let end = text[span.start.min(text.len())..]
                .find('\n')
                .map_or(text.len(), |i| span.start + i);
            blank(text, span.start..end)
        }
        _ => {
            let end = if span.end > span.start {
                span.end
            } else {
                next_char_end(text, span.start)
            };
            blank(text, span.start..end)
        }
    }
}

/// Replaces a range with spaces (newlines kept) so every other offset stays valid.
fn blank(text: &mut String, span: Span) -> bool {
    let span = clamp(text, span);
    if span.is_empty() || text[span.clone()].chars().all(char::is_whitespace) {
        return false;
    }
    let blanked: String = text[span.clone()]
        .chars()
        .map(|c| {
            if c == '\n' {
                "\n".to_string()
            } else {
                " ".repeat(c.len_utf8())
            }
        })
        .collect();
    text.replace_range(span, &blanked);
    true
}

/// Start of the `"key":` that precedes `at`, or the colon itself when no key is found.
fn property_start(text: &str, at: usize) -> usize {
    let before = text[..at].trim_end();
    let Some(colon) = before.strip_suffix(':') else {
        return at;
    };
    let key = colon.trim_end();
    match key.strip_suffix('"').and_then(|inner| inner.rfind('"')) {
        Some(open) => open,
        None => colon.len(),
    }
}

/// Whether the last non-blank character before `at` is a `:` (a value is missing).
fn follows_colon(text: &str, at: usize) -> bool {
    text[..at.min(text.len())].trim_end().ends_with(':')
}

fn next_char_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

/// Clamps a span to the text and to character boundaries.
fn clamp(text: &str, span: Span) -> Span {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Reports what the lenient parser accepted that JSON does not allow.
fn leniencies(text: &str, tokens: &[TokenAndRange], out: &mut Vec<Diagnostic>) {
    let span_of = |token: &TokenAndRange| token.range.start..token.range.end;
    let is_comment = |token: &TokenAndRange| matches!(token.token, Token::CommentLine(_) | Token::CommentBlock(_));
    // The next token that is not a comment, for each token: one pass from the end, so a run
    // of comments is not searched again from each of them.
    let mut next_code: Vec<Option<usize>> = vec![None; tokens.len()];
    for index in (0..tokens.len().saturating_sub(1)).rev() {
        next_code[index] = if is_comment(&tokens[index + 1]) {
            next_code[index + 1]
        } else {
            Some(index + 1)
        };
    }
    for (index, token) in tokens.iter().enumerate() {
        let span = span_of(token);
        let next = next_code[index].map(|i| &tokens[i]);
        match &token.token {
            Token::CommentLine(_) | Token::CommentBlock(_) => {
                out.push(
                    Diagnostic::new(Code::Syntax, span.clone(), "comments are not allowed in JSON")
                        .with_fix(Fix::replace("Remove the comment", span, "")),
                )
            }
            Token::Comma if matches!(next.map(|t| &t.token), Some(Token::CloseBrace | Token::CloseBracket)) => out
                .push(
                    Diagnostic::new(Code::Syntax, span.clone(), "trailing comma is not allowed in JSON")
                        .with_fix(Fix::replace("Remove the trailing comma", span, "")),
                ),
            Token::Word(word) => {
                let quoted = serde_json::to_string(word).unwrap_or_default();
                out.push(
                    Diagnostic::new(
                        Code::Syntax,
                        span.clone(),
                        format!("`{word}` must be a double-quoted string"),
                    )
                    .with_fix(Fix::replace(format!("Quote as {quoted}"), span, quoted)),
                )
            }
            Token::String(value) if text[span.clone()].starts_with('\'') => {
                let quoted = serde_json::to_string(value.as_ref()).unwrap_or_default();
                out.push(
                    Diagnostic::new(Code::Syntax, span.clone(), "strings must use double quotes")
                        .with_fix(Fix::replace("Use double quotes", span, quoted)),
                )
            }
            Token::String(_) if has_extended_escape(&text[span.clone()]) => out.push(Diagnostic::new(
                Code::Syntax,
                span,
                "invalid escape sequence: JSON allows only \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
            )),
            Token::Number(raw) if !is_json_number(raw) => out.push(Diagnostic::new(
                Code::Syntax,
                span,
                format!("`{raw}` is not a JSON number"),
            )),
            _ => {}
        }
        if ends_value(&token.token) && next.is_some_and(|t| starts_value(&t.token)) {
            let at = span_of(token).end;
            out.push(
                Diagnostic::new(Code::Syntax, at..at, "expected `,` between values").with_fix(Fix::replace(
                    "Insert `,`",
                    at..at,
                    ",",
                )),
            );
        }
    }
}

fn ends_value(token: &Token) -> bool {
    matches!(
        token,
        Token::String(_)
            | Token::Word(_)
            | Token::Boolean(_)
            | Token::Number(_)
            | Token::Null
            | Token::CloseBrace
            | Token::CloseBracket
    )
}

fn starts_value(token: &Token) -> bool {
    matches!(
        token,
        Token::String(_)
            | Token::Word(_)
            | Token::Boolean(_)
            | Token::Number(_)
            | Token::Null
            | Token::OpenBrace
            | Token::OpenBracket
    )
}

fn has_extended_escape(raw: &str) -> bool {
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && !matches!(chars.next(), Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u')) {
            return true;
        }
    }
    false
}

fn is_json_number(raw: &str) -> bool {
    // JSON: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
    let bytes = raw.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

fn convert(value: &ast::Value) -> Node {
    let range = value.range();
    let span = range.start..range.end;
    let value = match value {
        ast::Value::NullKeyword(_) => Value::Null,
        ast::Value::BooleanLit(lit) => Value::Bool(lit.value),
        ast::Value::NumberLit(lit) => Value::Number {
            raw: lit.value.to_string(),
        },
        ast::Value::StringLit(lit) => Value::String(lit.value.to_string()),
        ast::Value::Array(array) => Value::Array(array.elements.iter().map(convert).collect()),
        ast::Value::Object(object) => Value::Object(
            object
                .properties
                .iter()
                .map(|prop| {
                    let key_range = prop.name.range();
                    Member {
                        key: prop.name.as_str().to_string(),
                        key_span: key_range.start..key_range.end,
                        value: convert(&prop.value),
                    }
                })
                .collect(),
        ),
    };
    Node { span, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<(Span, String)> {
        parse(text)
            .diagnostics
            .into_iter()
            .map(|d| (d.span, d.message))
            .collect()
    }

    #[test]
    fn valid_json_keeps_spans() {
        let text = r#"{ "id": "a.b", "list": [1, true, null] }"#;
        let parsed = parse(text);
        assert!(parsed.is_valid_json());
        let root = parsed.root.unwrap();
        let id = root.get("id").unwrap();
        assert_eq!(&text[id.key_span.clone()], "\"id\"");
        assert_eq!(&text[id.value.span.clone()], "\"a.b\"");
        let list = root.get("list").unwrap().value.as_array().unwrap();
        assert_eq!(&text[list[1].span.clone()], "true");
    }

    #[test]
    fn trailing_comma_and_comment_are_reported_and_the_tree_survives() {
        let text = "{\n  // note\n  \"id\": \"a\",\n}";
        let parsed = parse(text);
        let found: Vec<_> = parsed.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            found,
            [
                "comments are not allowed in JSON",
                "trailing comma is not allowed in JSON"
            ]
        );
        assert_eq!(parsed.root.unwrap().get("id").unwrap().value.as_str(), Some("a"));
    }

    #[test]
    fn missing_comma_offers_an_insertion() {
        let text = "{\"a\": 1\n \"b\": 2}";
        let parsed = parse(text);
        assert_eq!(parsed.diagnostics.len(), 1);
        let fixed = parsed.diagnostics[0].fixes[0].apply(text);
        assert!(parse(&fixed).is_valid_json(), "{fixed}");
        assert!(parsed.root.unwrap().get("b").is_some());
    }

    #[test]
    fn missing_value_is_reported_and_later_keys_are_kept() {
        for text in [
            "{\n  \"a\": ,\n  \"b\": 2\n}",
            "{\"a\": , \"b\": 2}",
            "{\"b\": 2, \"a\": }",
        ] {
            let parsed = parse(text);
            assert_eq!(parsed.diagnostics.len(), 1, "{text}: {:?}", parsed.diagnostics);
            assert_eq!(parsed.diagnostics[0].message, "expected a value after `:`");
            assert!(parsed.root.unwrap().get("b").is_some(), "{text}");
        }
    }

    #[test]
    fn unterminated_object_recovers() {
        let parsed = parse("{\"a\": 1, \"b\": [1, 2]");
        assert!(!parsed.diagnostics.is_empty());
        assert!(parsed.root.unwrap().get("b").is_some());
    }

    #[test]
    fn non_json_numbers_and_quotes() {
        let found = messages("{\"a\": 0x10, \"b\": 'x', \"c\": +1}");
        let texts: Vec<_> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            texts,
            [
                "`0x10` is not a JSON number",
                "strings must use double quotes",
                "`+1` is not a JSON number"
            ]
        );
    }

    #[test]
    fn json_number_grammar() {
        for good in ["0", "-0", "12", "1.5", "1e9", "-2.5E-3"] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in ["01", "+1", ".5", "5.", "0x1", "1e", "-", "Infinity"] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn never_panics_on_prefixes_of_a_manifest() {
        let text =
            "{\"id\": \"é.x\", \"permissions\": [\"storage-read\", {\"type\": \"network-access\"}], \"n\": -1.5e3}";
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let parsed = parse(&text[..end]);
            for diagnostic in parsed.diagnostics {
                assert!(diagnostic.span.end <= end, "span past the text at {end}");
            }
        }
    }
}
