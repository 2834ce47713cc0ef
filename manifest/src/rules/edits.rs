//! Text edits that keep a JSON document well formed: the building blocks of quick fixes.

use crate::diagnostic::TextEdit;
use crate::json::{Member, Node, Span};

/// The indentation of the line `offset` is on.
fn indentation_at(text: &str, offset: usize) -> &str {
    let line_start = text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

/// Replaces a value (or key) with new JSON text.
pub fn replace(span: &Span, new_text: impl Into<String>) -> TextEdit {
    TextEdit {
        span: span.clone(),
        new_text: new_text.into(),
    }
}

/// JSON text of a string.
pub fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

/// Adds `"key": value_json` as the last member of `object`.
pub fn insert_member(text: &str, object: &Node, key: &str, value_json: &str) -> TextEdit {
    let members = object.as_object().unwrap_or_default();
    match members.last() {
        Some(last) => {
            let indent = indentation_at(text, last.key_span.start);
            let at = last.value.span.end;
            let separator = if text[object.span.clone()].contains('\n') {
                format!(",\n{indent}")
            } else {
                ", ".to_string()
            };
            TextEdit {
                span: at..at,
                new_text: format!("{separator}{}: {value_json}", quote(key)),
            }
        }
        None => {
            let outer = indentation_at(text, object.span.start);
            let at = object.span.start + 1;
            TextEdit {
                span: at..object.span.end.saturating_sub(1).max(at),
                new_text: format!("\n{outer}  {}: {value_json}\n{outer}", quote(key)),
            }
        }
    }
}

/// Appends an element to `array`.
pub fn append_element(text: &str, array: &Node, value_json: &str) -> TextEdit {
    let items = array.as_array().unwrap_or_default();
    match items.last() {
        Some(last) => {
            let at = last.span.end;
            let separator = if text[array.span.clone()].contains('\n') {
                format!(",\n{}", indentation_at(text, last.span.start))
            } else {
                ", ".to_string()
            };
            TextEdit {
                span: at..at,
                new_text: format!("{separator}{value_json}"),
            }
        }
        None => {
            let at = array.span.start + 1;
            TextEdit {
                span: at..array.span.end.saturating_sub(1).max(at),
                new_text: value_json.to_string(),
            }
        }
    }
}

/// Removes the element at `index` from `array`, with the comma that separates it.
pub fn remove_element(array: &Node, index: usize) -> Option<TextEdit> {
    let items = array.as_array()?;
    remove_from_list(index, items.len(), |i| items[i].span.clone())
}

/// Removes the member at `index` from `object`, with its comma.
pub fn remove_member(object: &Node, index: usize) -> Option<TextEdit> {
    let members: &[Member] = object.as_object()?;
    remove_from_list(index, members.len(), |i| {
        members[i].key_span.start..members[i].value.span.end
    })
}

/// `span_of(i)` is the span of item `i` of `len`; only the neighbours are looked at, so a fix
/// per duplicate costs the same in a list of any length.
fn remove_from_list(index: usize, len: usize, span_of: impl Fn(usize) -> Span) -> Option<TextEdit> {
    if index >= len {
        return None;
    }
    let span = span_of(index);
    let removed = if index + 1 < len {
        span.start..span_of(index + 1).start
    } else if index > 0 {
        span_of(index - 1).end..span.end
    } else {
        span
    };
    Some(TextEdit {
        span: removed,
        new_text: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Fix;
    use crate::json::parse;

    fn apply(text: &str, edit: TextEdit) -> String {
        Fix {
            title: String::new(),
            edits: vec![edit],
        }
        .apply(text)
    }

    #[test]
    fn insert_keeps_style() {
        let text = "{\n  \"a\": 1\n}";
        let root = parse(text).root.unwrap();
        assert_eq!(
            apply(text, insert_member(text, &root, "b", "2")),
            "{\n  \"a\": 1,\n  \"b\": 2\n}"
        );
        let text = "{}";
        let root = parse(text).root.unwrap();
        assert_eq!(apply(text, insert_member(text, &root, "b", "2")), "{\n  \"b\": 2\n}");
    }

    #[test]
    fn append_and_remove_elements() {
        let text = "[\"a\", \"b\", \"c\"]";
        let array = parse(text).root.unwrap();
        assert_eq!(
            apply(text, append_element(text, &array, "\"d\"")),
            "[\"a\", \"b\", \"c\", \"d\"]"
        );
        assert_eq!(apply(text, remove_element(&array, 0).unwrap()), "[\"b\", \"c\"]");
        assert_eq!(apply(text, remove_element(&array, 1).unwrap()), "[\"a\", \"c\"]");
        assert_eq!(apply(text, remove_element(&array, 2).unwrap()), "[\"a\", \"b\"]");
        let single = parse("[1]").root.unwrap();
        assert_eq!(apply("[1]", remove_element(&single, 0).unwrap()), "[]");
        let empty = parse("[]").root.unwrap();
        assert_eq!(apply("[]", append_element("[]", &empty, "1")), "[1]");
    }

    #[test]
    fn remove_member_keeps_json_valid() {
        let text = "{\"a\": 1, \"b\": 2}";
        let root = parse(text).root.unwrap();
        assert_eq!(apply(text, remove_member(&root, 1).unwrap()), "{\"a\": 1}");
        assert_eq!(apply(text, remove_member(&root, 0).unwrap()), "{\"b\": 2}");
    }
}
