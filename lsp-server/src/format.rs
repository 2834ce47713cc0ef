//! Formatting: indentation and spacing only. Keys keep their order (duplicates included), and
//! strings and numbers are copied as written, so escapes and number spellings never change and
//! formatting twice changes nothing. A document that is not valid JSON is not formatted at all
//! (lsp.md: formatters that guess on half-typed files lose data).

use qirvo_manifest::json::{Node, Value};

/// How the output is laid out.
#[derive(Debug, Clone)]
pub struct Style {
    /// One level of indentation (`"  "`, `"\t"`).
    pub indent: String,
    /// End with a newline.
    pub final_newline: bool,
}

/// Arrays of plain values stay on one line up to this width (`"permissions": ["a", "b"]`).
const INLINE_WIDTH: usize = 100;

/// The formatted text of a valid JSON document.
pub fn format(text: &str, root: &Node, style: &Style) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    write(text, root, style, 0, &mut out);
    if style.final_newline {
        out.push('\n');
    }
    out
}

fn write(text: &str, node: &Node, style: &Style, depth: usize, out: &mut String) {
    match &node.value {
        Value::Object(members) if members.is_empty() => out.push_str("{}"),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(members) => {
            out.push('{');
            for (index, member) in members.iter().enumerate() {
                newline(style, depth + 1, out);
                out.push_str(&text[member.key_span.clone()]);
                out.push_str(": ");
                write(text, &member.value, style, depth + 1, out);
                if index + 1 < members.len() {
                    out.push(',');
                }
            }
            newline(style, depth, out);
            out.push('}');
        }
        Value::Array(items) => {
            if let Some(inline) = inline_array(text, items, style.indent.len() * depth) {
                out.push_str(&inline);
                return;
            }
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                newline(style, depth + 1, out);
                write(text, item, style, depth + 1, out);
                if index + 1 < items.len() {
                    out.push(',');
                }
            }
            newline(style, depth, out);
            out.push(']');
        }
        _ => out.push_str(&text[node.span.clone()]),
    }
}

/// `[a, b, c]` when every item is a plain value and the line stays short.
fn inline_array(text: &str, items: &[Node], indent: usize) -> Option<String> {
    let mut line = String::from("[");
    for (index, item) in items.iter().enumerate() {
        if matches!(item.value, Value::Object(_) | Value::Array(_)) {
            return None;
        }
        if index > 0 {
            line.push_str(", ");
        }
        line.push_str(&text[item.span.clone()]);
        if indent + line.chars().count() > INLINE_WIDTH || line.contains('\n') {
            return None;
        }
    }
    line.push(']');
    Some(line)
}

fn newline(style: &Style, depth: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str(&style.indent);
    }
}

/// The smallest single replacement turning `old` into `new`: (byte start, byte end in `old`,
/// replacement). `None` when they are equal.
pub fn minimal_edit<'a>(old: &str, new: &'a str) -> Option<(usize, usize, &'a str)> {
    if old == new {
        return None;
    }
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((index, _), _)| index);
    let suffix = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    Some((prefix, old.len() - suffix, &new[prefix..new.len() - suffix]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use qirvo_manifest::json;

    fn two_spaces() -> Style {
        Style {
            indent: "  ".into(),
            final_newline: true,
        }
    }

    fn formatted(text: &str) -> String {
        let parsed = json::parse(text);
        assert!(parsed.is_valid_json());
        format(text, &parsed.root.unwrap(), &two_spaces())
    }

    #[test]
    fn keeps_order_duplicates_escapes_and_numbers() {
        let text = r#"{"z":1e3,"a":"caf\u00e9","a":{"nested":[1,2],"empty":{},"list":[]},"objects":[{"x":true},null]}"#;
        let expected = r#"{
  "z": 1e3,
  "a": "caf\u00e9",
  "a": {
    "nested": [1, 2],
    "empty": {},
    "list": []
  },
  "objects": [
    {
      "x": true
    },
    null
  ]
}
"#;
        assert_eq!(formatted(text), expected);
        assert_eq!(formatted(expected), expected, "formatting is stable");
    }

    #[test]
    fn long_arrays_break_and_tabs_indent() {
        let items: Vec<String> = (0..30).map(|i| format!("\"permission-{i}\"")).collect();
        let text = format!("{{\"permissions\": [{}]}}", items.join(","));
        let out = formatted(&text);
        assert_eq!(out.lines().count(), 34, "{out}");
        let root = json::parse("{\"a\":{\"b\":1}}").root.unwrap();
        let tabs = Style {
            indent: "\t".into(),
            final_newline: false,
        };
        assert_eq!(
            format("{\"a\":{\"b\":1}}", &root, &tabs),
            "{\n\t\"a\": {\n\t\t\"b\": 1\n\t}\n}"
        );
    }

    #[test]
    fn minimal_edit_covers_only_the_difference() {
        assert_eq!(minimal_edit("abc", "abc"), None);
        assert_eq!(minimal_edit("a  b", "a b"), Some((2, 3, "")));
        assert_eq!(minimal_edit("é😀x", "é😀yx"), Some((6, 6, "y")));
        assert_eq!(minimal_edit("ab", ""), Some((0, 2, "")));
        // Overlapping prefix and suffix never cross.
        assert_eq!(minimal_edit("aa", "aaa"), Some((2, 2, "a")));
    }
}
