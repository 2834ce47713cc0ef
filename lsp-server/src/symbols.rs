//! Document symbols: the manifest's keys as an outline (breadcrumbs, "go to symbol").

use qirvo_manifest::json::{Node, Value};
use qirvo_manifest::location::Locator;
use tower_lsp::lsp_types::{DocumentSymbol, SymbolKind};

use crate::convert;

/// The outline of a manifest's tree.
pub fn outline(root: &Node, locator: &Locator) -> Vec<DocumentSymbol> {
    children(root, locator)
}

fn children(node: &Node, locator: &Locator) -> Vec<DocumentSymbol> {
    match &node.value {
        Value::Object(members) => members
            .iter()
            .map(|member| {
                let span = member.key_span.start..member.value.span.end;
                symbol(member.key.clone(), &member.value, span, &member.key_span, locator)
            })
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                // Array entries are named by their text when short (a permission, a topic).
                let name = match &item.value {
                    Value::String(text) if !text.is_empty() => text.clone(),
                    _ => item
                        .get("type")
                        .or_else(|| item.get("topic"))
                        .or_else(|| item.get("name"))
                        .and_then(|m| m.value.as_str())
                        .map_or_else(|| format!("[{index}]"), str::to_string),
                };
                symbol(name, item, item.span.clone(), &item.span, locator)
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` has no replacement in the struct literal
fn symbol(
    name: String,
    value: &Node,
    span: std::ops::Range<usize>,
    selection: &std::ops::Range<usize>,
    locator: &Locator,
) -> DocumentSymbol {
    let (kind, detail) = match &value.value {
        Value::Null => (SymbolKind::NULL, Some("null".to_string())),
        Value::Bool(b) => (SymbolKind::BOOLEAN, Some(b.to_string())),
        Value::Number { raw } => (SymbolKind::NUMBER, Some(raw.clone())),
        Value::String(text) => (SymbolKind::STRING, Some(short(text))),
        Value::Array(items) => (SymbolKind::ARRAY, Some(format!("{} items", items.len()))),
        Value::Object(_) => (SymbolKind::OBJECT, None),
    };
    let nested = children(value, locator);
    DocumentSymbol {
        // Editors reject empty names.
        name: if name.is_empty() { "\"\"".into() } else { name },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: convert::range(locator, &span),
        selection_range: convert::range(locator, selection),
        children: (!nested.is_empty()).then_some(nested),
    }
}

fn short(text: &str) -> String {
    const LIMIT: usize = 60;
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qirvo_manifest::json;

    #[test]
    fn keys_nest_and_arrays_are_named_by_their_entries() {
        let text = r#"{"id": "a.b", "permissions": ["storage-read", {"type": "network-access"}], "resources": {"memory": "1MB"}}"#;
        let root = json::parse(text).root.unwrap();
        let symbols = outline(&root, &Locator::new(text));
        let names: Vec<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["id", "permissions", "resources"]);
        assert_eq!(symbols[0].detail.as_deref(), Some("a.b"));
        let permissions: Vec<&str> = symbols[1]
            .children
            .as_ref()
            .unwrap()
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(permissions, ["storage-read", "network-access"]);
        assert_eq!(symbols[2].children.as_ref().unwrap()[0].name, "memory");
        assert_eq!(symbols[2].kind, SymbolKind::OBJECT);
    }
}
