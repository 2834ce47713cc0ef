//! `permissions` and `permission_descriptions`: unknown, legacy, duplicate and mixed entries.
//! Records which canonical permissions are granted for the module and network rules.

use super::{Checker, edits};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Fix, Tag, TextEdit};
use crate::json::{Kind, Node};
use crate::permissions::{self, Permission, PermissionName};

pub(super) fn check(checker: &mut Checker) {
    let Some(list) = checker.value("permissions") else {
        return;
    };
    let Some(entries) = list.as_array() else { return };
    let mut seen: Vec<(Permission, &Node)> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let Some(name_node) = entry_name(entry) else { continue };
        let Some(name) = name_node.as_str() else { continue };
        let granted: Vec<Permission> = match permissions::resolve(name) {
            PermissionName::Canonical(permission) => vec![permission],
            PermissionName::Legacy(targets) => {
                legacy(checker, name_node, name, targets);
                targets.to_vec()
            }
            PermissionName::Unknown { suggestion } => {
                unknown(checker, name_node, name, suggestion);
                continue;
            }
        };
        for permission in granted {
            if let Some((_, first)) = seen.iter().find(|(p, _)| *p == permission) {
                let mut diagnostic = Diagnostic::new(
                    Code::DuplicatePermission,
                    entry.span.clone(),
                    format!("permission `{permission}` is already declared"),
                )
                .with_related(first.span.clone(), "first declared here")
                .with_tag(Tag::Unnecessary);
                if let Some(edit) = edits::remove_element(list, index) {
                    diagnostic = diagnostic.with_fix(Fix {
                        title: "Remove the duplicate".to_string(),
                        edits: vec![edit],
                    });
                }
                checker.push(diagnostic);
            } else {
                seen.push((permission, entry));
                checker.granted.insert(permission, entry.span.clone());
            }
        }
    }
    let strings = entries.iter().filter(|e| e.kind() == Kind::String).count();
    let objects = entries.iter().filter(|e| e.kind() == Kind::Object).count();
    if strings > 0 && objects > 0 {
        checker.push(Diagnostic::new(
            Code::MixedPermissionForms,
            list.span.clone(),
            format!("`permissions` mixes {strings} name(s) and {objects} object(s); use one form for all entries"),
        ));
    }
    descriptions(checker);
}

/// The node holding the permission name: the string itself, or an object's `type`.
fn entry_name(entry: &Node) -> Option<&Node> {
    match entry.kind() {
        Kind::String => Some(entry),
        Kind::Object => entry.get("type").map(|member| &member.value),
        _ => None,
    }
}

fn legacy(checker: &mut Checker, node: &Node, name: &str, targets: &[Permission]) {
    let names: Vec<&str> = targets.iter().map(|p| p.name()).collect();
    let mut diagnostic = Diagnostic::new(
        Code::DeprecatedPermission,
        node.span.clone(),
        format!("`{name}` is a legacy permission name; use `{}`", names.join("` and `")),
    )
    .with_tag(Tag::Deprecated);
    for target in targets {
        diagnostic = diagnostic.with_fix(Fix::replace(
            format!("Use `{target}`"),
            node.span.clone(),
            edits::quote(target.name()),
        ));
    }
    if targets.len() > 1 {
        // `storage` → both, in one edit.
        let both: Vec<String> = targets.iter().map(|t| edits::quote(t.name())).collect();
        let in_object = checker.text[..node.span.start].trim_end().ends_with(':');
        if !in_object {
            diagnostic = diagnostic.with_fix(Fix {
                title: format!(
                    "Use {}",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" and ")
                ),
                edits: vec![TextEdit {
                    span: node.span.clone(),
                    new_text: both.join(", "),
                }],
            });
        }
    }
    checker.push(diagnostic);
}

fn unknown(checker: &mut Checker, node: &Node, name: &str, suggestion: Option<Permission>) {
    let mut diagnostic = Diagnostic::new(
        Code::UnknownPermission,
        node.span.clone(),
        match suggestion {
            Some(p) => format!("unknown permission `{name}`; did you mean `{p}`?"),
            None => format!("unknown permission `{name}`"),
        },
    );
    match suggestion {
        Some(p) => {
            diagnostic = diagnostic.with_fix(Fix::replace(
                format!("Use `{p}`"),
                node.span.clone(),
                edits::quote(p.name()),
            ))
        }
        None => {
            let all: Vec<&str> = Permission::ALL.iter().map(|p| p.name()).collect();
            diagnostic = diagnostic.with_help(format!("permissions are: {}", all.join(", ")));
        }
    }
    checker.push(diagnostic);
}

fn descriptions(checker: &mut Checker) {
    let Some(node) = checker.value("permission_descriptions") else {
        return;
    };
    let Some(members) = node.as_object() else { return };
    for member in members {
        let declared = match permissions::resolve(&member.key) {
            PermissionName::Canonical(p) => checker.granted.contains_key(&p),
            PermissionName::Legacy(targets) => targets.iter().any(|p| checker.granted.contains_key(p)),
            PermissionName::Unknown { .. } => false,
        };
        if !declared {
            checker.push(
                Diagnostic::new(
                    Code::UndeclaredPermissionDescription,
                    member.key_span.clone(),
                    format!("`{}` is described but not declared in `permissions`", member.key),
                )
                .with_tag(Tag::Unnecessary),
            );
        }
    }
}
