//! Completion: keys valid in the object under the cursor (with snippets), enum values,
//! permission names with their docs.

use qirvo_manifest::json::{Kind, Node};
use qirvo_manifest::manifest::schema;
use qirvo_manifest::permissions::Permission;
use tower_lsp::lsp_types::{CompletionItem, CompletionItemKind, Documentation, InsertTextFormat};

use crate::locate::{self, Place};

/// Items for the cursor at `offset`.
pub fn items(root: Option<&Node>, text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(root) = root else { return keys(&[], &[]) };
    if let Some(place) = locate::at(root, offset)
        && !place.on_key
        && place.span.start < offset
        && let Some(items) = values(&place)
    {
        return items;
    }
    // Not in a value: offer keys of the enclosing object, unless the cursor is inside a key.
    let in_string = locate::at(root, offset).is_some_and(|p| p.on_key && p.span.start < offset && offset < p.span.end);
    match locate::enclosing_object(root, offset) {
        Some((path, object)) if !in_string => {
            let present: Vec<&str> = object
                .as_object()
                .unwrap_or_default()
                .iter()
                .map(|m| m.key.as_str())
                .collect();
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            keys(&path, &present)
        }
        _ => {
            let _ = text;
            Vec::new()
        }
    }
}

fn keys(path: &[&str], present: &[&str]) -> Vec<CompletionItem> {
    let Some(names) = schema::property_names(path) else {
        return Vec::new();
    };
    names
        .into_iter()
        .filter(|name| !present.contains(name))
        .map(|name| {
            let mut full = path.to_vec();
            full.push(name);
            let value = match schema::accepted_kinds(&full).first() {
                Some(Kind::Object) => "{\n\t$0\n}",
                Some(Kind::Array) => "[$0]",
                Some(Kind::String) => "\"$0\"",
                _ => "$0",
            };
            CompletionItem {
                label: name.to_string(),
                kind: Some(CompletionItemKind::PROPERTY),
                documentation: schema::field_doc(&full).map(|d| Documentation::String(d.to_string())),
                insert_text: Some(format!("\"{name}\": {value}")),
                insert_text_format: Some(InsertTextFormat::SNIPPET),
                ..CompletionItem::default()
            }
        })
        .collect()
}

fn values(place: &Place) -> Option<Vec<CompletionItem>> {
    let path: Vec<&str> = place.path.iter().map(String::as_str).collect();
    if matches!(path.as_slice(), ["permissions", "[]"] | ["permissions", "[]", "type"]) {
        return Some(
            Permission::ALL
                .iter()
                .map(|p| CompletionItem {
                    label: p.name().to_string(),
                    kind: Some(CompletionItemKind::ENUM_MEMBER),
                    documentation: Some(Documentation::String(p.doc().to_string())),
                    ..CompletionItem::default()
                })
                .collect(),
        );
    }
    if matches!(path.as_slice(), ["resources", "memory" | "storage"]) {
        let number: String = place
            .text
            .as_deref()
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let number = if number.is_empty() { "64".to_string() } else { number };
        return Some(
            ["KB", "MB", "GB"]
                .iter()
                .map(|unit| CompletionItem {
                    label: format!("{number}{unit}"),
                    kind: Some(CompletionItemKind::UNIT),
                    ..CompletionItem::default()
                })
                .collect(),
        );
    }
    let values = schema::enum_values(&path);
    (!values.is_empty()).then(|| {
        values
            .into_iter()
            .map(|value| CompletionItem {
                label: value.to_string(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                ..CompletionItem::default()
            })
            .collect()
    })
}
