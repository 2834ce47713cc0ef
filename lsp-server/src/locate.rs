//! What is at a position in a manifest: the schema path of the key or value under the cursor.

use qirvo_manifest::json::{Node, Span};

/// The thing under the cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Schema path (`["resources", "memory"]`; array elements as `[]`).
    pub path: Vec<String>,
    /// Whether the cursor is on the key rather than the value.
    pub on_key: bool,
    /// The span of the key or value under the cursor.
    pub span: Span,
    /// The string value, when on a string.
    pub text: Option<String>,
}

fn inside(span: &Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// Finds the innermost key or value containing `offset`.
pub fn at(root: &Node, offset: usize) -> Option<Place> {
    let mut path = Vec::new();
    walk(root, offset, &mut path)
}

fn walk(node: &Node, offset: usize, path: &mut Vec<String>) -> Option<Place> {
    if let Some(members) = node.as_object() {
        for member in members {
            if inside(&member.key_span, offset) {
                path.push(member.key.clone());
                return Some(Place {
                    path: path.clone(),
                    on_key: true,
                    span: member.key_span.clone(),
                    text: Some(member.key.clone()),
                });
            }
            if inside(&member.value.span, offset) {
                path.push(member.key.clone());
                return walk(&member.value, offset, path).or_else(|| {
                    Some(Place {
                        path: path.clone(),
                        on_key: false,
                        span: member.value.span.clone(),
                        text: member.value.as_str().map(str::to_string),
                    })
                });
            }
        }
        return None;
    }
    if let Some(items) = node.as_array() {
        for item in items {
            if inside(&item.span, offset) {
                path.push("[]".into());
                return walk(item, offset, path).or_else(|| {
                    Some(Place {
                        path: path.clone(),
                        on_key: false,
                        span: item.span.clone(),
                        text: item.as_str().map(str::to_string),
                    })
                });
            }
        }
        return None;
    }
    Some(Place {
        path: path.clone(),
        on_key: false,
        span: node.span.clone(),
        text: node.as_str().map(str::to_string),
    })
}

/// The path of the innermost object containing `offset` (for key completion), if any.
pub fn enclosing_object(root: &Node, offset: usize) -> Option<(Vec<String>, &Node)> {
    let mut path = Vec::new();
    let mut current = root;
    if !(current.span.start < offset && offset < current.span.end) || current.as_object().is_none() {
        return None;
    }
    loop {
        let next = current.as_object().and_then(|members| {
            members
                .iter()
                .find(|m| m.value.span.start < offset && offset < m.value.span.end && m.value.as_object().is_some())
        });
        match next {
            Some(member) => {
                path.push(member.key.clone());
                current = &member.value;
            }
            None => return Some((path, current)),
        }
    }
}
