//! The module cross-check: what the compiled `.wasm` imports and exports, compared with what
//! the manifest grants and declares. No other runtime or language server does this while the
//! author types; the runtime's linker enforces the same table at load.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Checker, edits};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Fix, Tag};
use crate::host_api::{
    self, ALLOC_EXPORT, Linking, MEMORY_EXPORT, ON_EVENT_EXPORT, PLUGIN_EXPORTS, QIRVO_MODULE, WASI_MODULE,
};
use crate::json::Span;
use crate::module_info::{EntityKind, ModuleError, ModuleInfo};
use crate::permissions::Permission;
use crate::suggest;
use crate::units;

pub(super) fn check(checker: &mut Checker) {
    events(checker);
    let Some(main) = checker.value("main") else { return };
    let Some(relative) = main.as_str().filter(|s| !s.trim().is_empty()) else {
        return;
    };
    let Some(dir) = checker.context.manifest_dir.clone() else {
        return;
    };
    let span = main.span.clone();
    let path = dir.join(relative);
    checker.module_path = Some(path.clone());
    let module = match checker.context.modules.module(&path) {
        Ok(module) => module,
        Err(error) => return module_error(checker, span, relative, &path, error),
    };
    checker.module = Some(module.clone());
    imports(checker, &module, &span);
    exports(checker, &module, &span);
    memory(checker, &module, &span);
}

fn module_error(checker: &mut Checker, span: Span, relative: &str, path: &Path, error: ModuleError) {
    let diagnostic = match error {
        ModuleError::NotFound => {
            let mut diagnostic = Diagnostic::new(
                Code::ModuleNotFound,
                span,
                format!("module `{relative}` does not exist (`main` is relative to the manifest)"),
            );
            if path.extension().is_some_and(|e| e == "wasm") {
                diagnostic =
                    diagnostic.with_help("build the plugin first, e.g. `cargo build --target wasm32-wasip1 --release`");
            }
            diagnostic
        }
        ModuleError::Unreadable(reason) => Diagnostic::new(
            Code::ModuleUnreadable,
            span,
            format!("module `{relative}` cannot be read: {reason}"),
        ),
        ModuleError::Invalid { message, offset } => Diagnostic::new(
            Code::ModuleInvalid,
            span,
            match offset {
                Some(offset) if offset > 0 => {
                    format!("`{relative}` is not a valid wasm module: {message} (at byte {offset:#x})")
                }
                _ => format!("`{relative}` is not a valid wasm module: {message}"),
            },
        ),
    };
    checker.push(diagnostic);
}

fn imports(checker: &mut Checker, module: &ModuleInfo, main_span: &Span) {
    let mut needed: BTreeMap<Permission, Vec<String>> = BTreeMap::new();
    let mut used: BTreeSet<Permission> = BTreeSet::new();
    let mut uses_buffers = false;
    for import in &module.imports {
        let qualified = format!("{}.{}", import.module, import.name);
        let Some(function) = host_api::lookup(&import.module, &import.name) else {
            unknown_import(checker, &import.module, &import.name, &import.kind, main_span);
            continue;
        };
        if let Some(permission) = function.linking.permission() {
            used.insert(permission);
        }
        uses_buffers |= host_api::returns_buffer(function);
        match (&import.kind, function.signature) {
            (EntityKind::Func(Some(actual)), Some(expected)) if !actual.matches(&expected) => {
                checker.push(Diagnostic::new(
                    Code::ImportSignatureMismatch,
                    main_span.clone(),
                    format!("the module imports `{qualified}` as {actual}, but the host defines it as {expected}"),
                ));
                continue;
            }
            (EntityKind::Func(_), _) => {}
            (other, _) => {
                checker.push(Diagnostic::new(
                    Code::ImportSignatureMismatch,
                    main_span.clone(),
                    format!(
                        "the module imports `{qualified}` as a {}, but the host provides a function",
                        other.name()
                    ),
                ));
                continue;
            }
        }
        match function.linking {
            Linking::WithPermission(permission) if !checker.granted.contains_key(&permission) => {
                needed.entry(permission).or_default().push(qualified);
            }
            Linking::Unavailable(permission) => checker.push(Diagnostic::new(
                Code::ImportUnavailable,
                main_span.clone(),
                format!(
                    "the module imports `{qualified}` (permission `{permission}`), which this wasm runtime does not offer"
                ),
            )),
            _ => {}
        }
    }
    for (permission, functions) in needed {
        let list = functions
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut diagnostic = Diagnostic::new(
            Code::ImportNeedsPermission,
            main_span.clone(),
            format!("the module imports {list}, which needs the `{permission}` permission"),
        );
        if let Some(member) = checker.field("permissions") {
            diagnostic = diagnostic.with_related(member.key_span.clone(), format!("add `{permission}` here"));
        }
        if let Some(fix) = add_permission_fix(checker, permission) {
            diagnostic = diagnostic.with_fix(fix);
        }
        checker.push(diagnostic);
    }
    unused_permissions(checker, &used);
    if (uses_buffers || module.export(ON_EVENT_EXPORT).is_some()) && module.export(ALLOC_EXPORT).is_none() {
        checker.push(Diagnostic::new(
            Code::MissingExport,
            main_span.clone(),
            format!(
                "the module must export `{ALLOC_EXPORT}: (i32) -> (i32)`: the host allocates through it to pass data in"
            ),
        ));
    }
}

/// A fix that adds `permission` to `permissions`, in the list's own form, creating the list
/// if there is none.
pub(super) fn add_permission_fix(checker: &Checker, permission: Permission) -> Option<Fix> {
    let quoted = edits::quote(permission.name());
    let edit = match checker.value("permissions") {
        Some(list) if list.as_array().is_some() => {
            let objects = list
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i.as_object().is_some()));
            let entry = if objects {
                format!("{{ \"type\": {quoted} }}")
            } else {
                quoted
            };
            edits::append_element(checker.text, list, &entry)
        }
        Some(_) => return None,
        None => edits::insert_member(checker.text, checker.root, "permissions", &format!("[{quoted}]")),
    };
    Some(Fix {
        title: format!("Add `{permission}` to permissions"),
        edits: vec![edit],
    })
}

fn unknown_import(checker: &mut Checker, module: &str, name: &str, kind: &EntityKind, main_span: &Span) {
    let message = if module == QIRVO_MODULE || module == WASI_MODULE {
        let names = host_api::HOST_FUNCTIONS
            .iter()
            .filter(|f| f.module == module)
            .map(|f| f.name);
        match suggest::closest(name, names) {
            Some(close) => format!(
                "the module imports `{module}.{name}`, which the host does not provide; did you mean `{close}`?"
            ),
            None => format!("the module imports `{module}.{name}`, which the host does not provide"),
        }
    } else {
        format!(
            "the module imports {} `{module}.{name}`; plugins may import only from `{QIRVO_MODULE}` and `{WASI_MODULE}`",
            kind.name()
        )
    };
    checker.push(Diagnostic::new(Code::UnknownImport, main_span.clone(), message));
}

/// Hints at permission entries none of whose permissions the module uses.
fn unused_permissions(checker: &mut Checker, used: &BTreeSet<Permission>) {
    let mut by_entry: BTreeMap<(usize, usize), Vec<Permission>> = BTreeMap::new();
    for (permission, span) in &checker.granted {
        by_entry.entry((span.start, span.end)).or_default().push(*permission);
    }
    let Some(list) = checker.value("permissions") else {
        return;
    };
    let items = list.as_array().unwrap_or_default();
    for ((start, end), permissions) in by_entry {
        if permissions.iter().any(|p| used.contains(p)) {
            continue;
        }
        let names = permissions
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let mut diagnostic = Diagnostic::new(
            Code::UnusedPermission,
            start..end,
            format!("permission {names} is never used: the module imports none of its host functions"),
        )
        .with_tag(Tag::Unnecessary);
        if let Some(index) = items.iter().position(|item| item.span == (start..end))
            && let Some(edit) = edits::remove_element(list, index)
        {
            diagnostic = diagnostic.with_fix(Fix {
                title: "Remove the unused permission".to_string(),
                edits: vec![edit],
            });
        }
        checker.push(diagnostic);
    }
}

fn exports(checker: &mut Checker, module: &ModuleInfo, main_span: &Span) {
    match module.export(MEMORY_EXPORT).map(|e| &e.kind) {
        Some(EntityKind::Memory) => {}
        _ => checker.push(Diagnostic::new(
            Code::MissingExport,
            main_span.clone(),
            "the module does not export its linear memory as `memory`",
        )),
    }
    for expected in PLUGIN_EXPORTS {
        let message = match module.export(expected.name).map(|e| &e.kind) {
            None if expected.required => format!(
                "the module does not export `{}: {}` ({})",
                expected.name, expected.signature, expected.doc
            ),
            None => continue,
            Some(EntityKind::Func(Some(actual))) if !actual.matches(&expected.signature) => format!(
                "`{}` has type {actual}; the host calls it as {}",
                expected.name, expected.signature
            ),
            Some(EntityKind::Func(_)) => continue,
            Some(other) => format!("`{}` is exported as a {}, not a function", expected.name, other.name()),
        };
        checker.push(Diagnostic::new(Code::MissingExport, main_span.clone(), message));
    }
    if let Some(events) = checker.field("events")
        && events.value.as_array().is_some_and(|list| !list.is_empty())
        && module.export(ON_EVENT_EXPORT).is_none()
    {
        checker.push(Diagnostic::new(
            Code::EventsWithoutHandler,
            events.key_span.clone(),
            format!("events are subscribed, but the module does not export `{ON_EVENT_EXPORT}` to receive them"),
        ));
    }
}

fn memory(checker: &mut Checker, module: &ModuleInfo, main_span: &Span) {
    let needed = module.min_memory_bytes();
    let declared = checker
        .value("resources")
        .and_then(|r| r.get("memory"))
        .map(|m| &m.value);
    let (limit, span) = match declared {
        Some(node) => match node.as_str().map(units::parse_size) {
            Some(Ok(bytes)) if bytes > 0 => (bytes, node.span.clone()),
            _ => return,
        },
        None => (crate::manifest::defaults::MEMORY, main_span.clone()),
    };
    if needed <= limit {
        return;
    }
    let rounded = needed.div_ceil(1 << 20) << 20;
    let suggestion = units::format_size(rounded);
    let mut diagnostic = Diagnostic::new(
        Code::MemoryBelowModuleMinimum,
        span.clone(),
        format!(
            "the module declares at least {} pages ({}) of memory, more than the limit of {}",
            needed / units::WASM_PAGE,
            units::describe_size(needed),
            units::format_size(limit)
        ),
    );
    let edit = match (declared, checker.value("resources")) {
        (Some(_), _) => Some(edits::replace(&span, edits::quote(&suggestion))),
        (None, Some(resources)) if resources.as_object().is_some() => Some(edits::insert_member(
            checker.text,
            resources,
            "memory",
            &edits::quote(&suggestion),
        )),
        (None, Some(_)) => None,
        (None, None) => Some(edits::insert_member(
            checker.text,
            checker.root,
            "resources",
            &format!("{{ \"memory\": {} }}", edits::quote(&suggestion)),
        )),
    };
    if let Some(edit) = edit {
        diagnostic = diagnostic.with_fix(Fix {
            title: format!("Raise the memory limit to {suggestion}"),
            edits: vec![edit],
        });
    }
    checker.push(diagnostic);
}

/// Longest event topic.
pub const MAX_TOPIC_BYTES: usize = 200;

/// An event topic: segments of letters, digits, `_` and `-`, separated by `.`, `/` or `:`.
pub fn is_valid_topic(topic: &str) -> bool {
    !topic.is_empty()
        && topic.len() <= MAX_TOPIC_BYTES
        && topic.split(['.', '/', ':']).all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

fn events(checker: &mut Checker) {
    let Some(list) = checker.value("events") else { return };
    let Some(items) = list.as_array() else { return };
    let mut first_of: std::collections::HashMap<&str, &crate::json::Node> = Default::default();
    for (index, item) in items.iter().enumerate() {
        let Some(topic) = item.as_str() else { continue };
        let earlier = match first_of.entry(topic) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(item);
                None
            }
        };
        if !is_valid_topic(topic) {
            checker.push(Diagnostic::new(
                Code::InvalidTopic,
                item.span.clone(),
                format!("`{topic}` is not a valid event topic: use letters, digits, `_` and `-` in segments separated by `.`, `/` or `:`"),
            ));
        } else if let Some(first) = earlier {
            let mut diagnostic = Diagnostic::new(
                Code::InvalidTopic,
                item.span.clone(),
                format!("topic `{topic}` is subscribed twice"),
            )
            .with_severity(crate::diagnostic::Severity::Warning)
            .with_related(first.span.clone(), "first subscribed here")
            .with_tag(Tag::Unnecessary);
            if let Some(edit) = edits::remove_element(list, index) {
                diagnostic = diagnostic.with_fix(Fix {
                    title: "Remove the duplicate".to_string(),
                    edits: vec![edit],
                });
            }
            checker.push(diagnostic);
        }
    }
}
