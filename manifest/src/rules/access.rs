//! `network` and `filesystem`: settings and permissions agree, host patterns and directories
//! are well formed.

use std::path::{Component, Path};

use super::module::add_permission_fix;
use super::{Checker, edits, identity};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Fix, Severity, Tag};
use crate::host_pattern::{HostMatch, HostPattern};
use crate::json::{Node, Span};
use crate::paths::{self, Grant};
use crate::permissions::Permission;

pub(super) fn check(checker: &mut Checker) {
    network(checker);
    filesystem(checker);
}

fn network(checker: &mut Checker) {
    let network = checker.field("network");
    let granted = checker.granted.get(&Permission::NetworkAccess).cloned();
    if let Some(member) = network
        && granted.is_none()
    {
        let mut diagnostic = Diagnostic::new(
            Code::NetworkWithoutPermission,
            member.key_span.clone(),
            "`network` settings have no effect without the `network-access` permission",
        );
        if let Some(fix) = add_permission_fix(checker, Permission::NetworkAccess) {
            diagnostic = diagnostic.with_fix(fix);
        }
        checker.push(diagnostic);
    }
    let allowed = network.and_then(|m| m.value.get("allowed_hosts"));
    let mut host_count = 0;
    if let Some(list) = allowed.and_then(|m| m.value.as_array()) {
        for node in list {
            host_count += usize::from(host_pattern(checker, node));
        }
    }
    for node in scope_entries(checker, Permission::NetworkAccess) {
        host_count += usize::from(host_pattern(checker, node));
    }
    if let Some(timeout) = network.and_then(|m| m.value.get("timeout")) {
        let value = &timeout.value;
        let parsed = match (value.as_f64(), value.as_str()) {
            (Some(ms), _) => crate::units::duration_from_millis(ms).map_err(|e| e.message),
            (None, Some(text)) => crate::units::parse_duration_text(text).map_err(|e| e.message),
            _ => Ok(std::time::Duration::from_secs(1)),
        };
        match parsed {
            Err(message) => checker.push(Diagnostic::new(
                Code::InvalidQuantity,
                value.span.clone(),
                format!("network.timeout: {message}"),
            )),
            Ok(duration) if duration.is_zero() => checker.push(Diagnostic::new(
                Code::ResourceOutOfRange,
                value.span.clone(),
                "network.timeout must be greater than zero",
            )),
            Ok(_) => {}
        }
    }
    if let Some(entry_span) = granted
        && host_count == 0
    {
        let (span, fix) = match (network, allowed) {
            (_, Some(list)) => (list.value.span.clone(), None),
            (Some(network), None) if network.value.as_object().is_some() => (
                entry_span,
                Some(edits::insert_member(
                    checker.text,
                    &network.value,
                    "allowed_hosts",
                    "[\"api.example.com\"]",
                )),
            ),
            (Some(_), None) => (entry_span, None),
            (None, None) => (
                entry_span,
                Some(edits::insert_member(
                    checker.text,
                    checker.root,
                    "network",
                    "{ \"allowed_hosts\": [\"api.example.com\"] }",
                )),
            ),
        };
        let mut diagnostic = Diagnostic::new(
            Code::PermissionWithoutHosts,
            span,
            "`network-access` allows no host: list the hosts the plugin calls in `network.allowed_hosts`",
        );
        if let Some(edit) = fix {
            diagnostic = diagnostic.with_fix(Fix {
                title: "Add an `allowed_hosts` block".to_string(),
                edits: vec![edit],
            });
        }
        checker.push(diagnostic);
    }
}

/// The `scope` entries of object-form permission entries for `permission`.
fn scope_entries<'a>(checker: &Checker<'a>, permission: Permission) -> Vec<&'a Node> {
    let Some(entries) = checker.value("permissions").and_then(Node::as_array) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|entry| {
            entry.get("type").and_then(|t| t.value.as_str()).is_some_and(|name| {
                match crate::permissions::resolve(name) {
                    crate::permissions::PermissionName::Canonical(p) => p == permission,
                    crate::permissions::PermissionName::Legacy(targets) => targets.contains(&permission),
                    crate::permissions::PermissionName::Unknown { .. } => false,
                }
            })
        })
        .filter_map(|entry| entry.get("scope")?.value.as_array())
        .flatten()
        .collect()
}

/// Checks one host pattern; returns whether it is usable.
fn host_pattern(checker: &mut Checker, node: &Node) -> bool {
    let Some(text) = node.as_str() else { return false };
    match HostPattern::parse(text) {
        Ok(pattern) => {
            if pattern.host == HostMatch::Any {
                checker.push(
                    Diagnostic::new(
                        Code::AllowsEveryHost,
                        node.span.clone(),
                        "`*` lets the plugin call any host; list the hosts it needs instead",
                    )
                    .with_help("patterns look like `api.example.com`, `*.example.com` or `https://host:8443`"),
                );
            }
            true
        }
        Err(error) => {
            let mut diagnostic = Diagnostic::new(
                Code::InvalidHostPattern,
                node.span.clone(),
                format!("invalid host pattern: {}", error.message),
            )
            .with_help("patterns look like `api.example.com`, `*.example.com` or `https://host:8443`");
            if let Some(suggestion) = error.suggestion {
                diagnostic = diagnostic.with_fix(Fix::replace(
                    format!("Use `{suggestion}`"),
                    node.span.clone(),
                    edits::quote(&suggestion),
                ));
            }
            checker.push(diagnostic);
            false
        }
    }
}

fn filesystem(checker: &mut Checker) {
    let filesystem = checker.field("filesystem");
    let granted = checker.granted.get(&Permission::FilesystemAccess).cloned();
    let directories = filesystem
        .and_then(|m| m.value.get("directories"))
        .and_then(|m| m.value.as_array())
        .unwrap_or_default();
    if let Some(member) = filesystem
        && granted.is_none()
    {
        let mut diagnostic = Diagnostic::new(
            Code::FilesystemPermissionMismatch,
            member.key_span.clone(),
            "`filesystem` settings have no effect without the `filesystem-access` permission",
        );
        if let Some(fix) = add_permission_fix(checker, Permission::FilesystemAccess) {
            diagnostic = diagnostic.with_fix(fix);
        }
        checker.push(diagnostic);
    }
    if let Some(span) = granted.clone()
        && directories.is_empty()
        && scope_entries(checker, Permission::FilesystemAccess).is_empty()
    {
        checker.push(
            Diagnostic::new(
                Code::FilesystemPermissionMismatch,
                span,
                "`filesystem-access` grants no directory: list them in `filesystem.directories`",
            )
            .with_tag(Tag::Unnecessary),
        );
    }
    for entry in directories {
        directory(checker, entry);
    }
}

fn directory(checker: &mut Checker, entry: &Node) {
    if let Some(mode) = entry.get("mode") {
        identity::check_enum(
            checker,
            &mode.value,
            &["filesystem", "directories", "[]", "mode"],
            "mode",
        );
    }
    if let Some(guest) = entry.get("guest")
        && let Some(text) = guest.value.as_str()
        && (!text.starts_with('/') || text.split('/').any(|c| c == ".."))
    {
        checker.push(Diagnostic::new(
            Code::InvalidDirectory,
            guest.value.span.clone(),
            format!("guest path `{text}` must be absolute (start with `/`) and must not contain `..`"),
        ));
    }
    let Some(path_member) = entry.get("path") else { return };
    let Some(path) = path_member.value.as_str() else { return };
    let span: Span = path_member.value.span.clone();
    if path.trim().is_empty() {
        checker.push(Diagnostic::new(
            Code::InvalidDirectory,
            span,
            "the directory path is empty",
        ));
        return;
    }
    let read_write = entry.get("mode").and_then(|m| m.value.as_str()) == Some("read-write");
    let folder = checker
        .context
        .manifest_dir
        .as_deref()
        .and_then(|dir| std::fs::canonicalize(dir).ok());
    let Some(folder) = folder else {
        // No folder on disk to resolve against: only the text can tell.
        if paths::escapes_lexically(path) {
            checker.push(outside(span, format!("directory `{path}` leaves the plugin's folder")));
        } else if has_parent_component(path) {
            checker.push(Diagnostic::new(Code::InvalidDirectory, span, through_parent(path)));
        }
        return;
    };
    let (resolved, exists, is_folder) = match paths::grant(&folder, path) {
        Err(error) => {
            checker.push(Diagnostic::new(
                Code::InvalidDirectory,
                span,
                format!("directory `{path}` cannot be resolved: {error}"),
            ));
            return;
        }
        Ok(Grant::Outside { path: resolved }) => {
            checker.push(outside(span, paths::outside_message(path, &resolved)));
            return;
        }
        Ok(Grant::Inside {
            path,
            exists,
            is_folder,
        }) => (path, exists, is_folder),
    };
    if Path::new(path).is_absolute() {
        checker.push(Diagnostic::new(
            Code::InvalidDirectory,
            span.clone(),
            format!("`{path}` is absolute; directories are relative to the manifest so the plugin folder can move"),
        ));
    } else if has_parent_component(path) {
        checker.push(Diagnostic::new(
            Code::InvalidDirectory,
            span.clone(),
            through_parent(path),
        ));
    }
    if read_write {
        let module = checker
            .value("main")
            .and_then(Node::as_str)
            .and_then(|main| std::fs::canonicalize(folder.join(main)).ok().map(|m| (main, m)));
        let message = match module {
            _ if is_folder => Some(format!(
                "`{path}` is the plugin's own folder, granted read-write: the plugin could rewrite its manifest and module"
            )),
            Some((main, module)) if module.starts_with(&resolved) => Some(format!(
                "`{path}` holds the plugin's module `{main}` and is granted read-write: the plugin could rewrite its own code"
            )),
            _ => None,
        };
        if let Some(message) = message {
            checker.push(
                Diagnostic::new(Code::WritablePluginFiles, span.clone(), message)
                    .with_help("grant a subfolder for the plugin's data, such as `data`"),
            );
        }
    }
    if !exists {
        let diagnostic = if read_write {
            Diagnostic::new(
                Code::InvalidDirectory,
                span,
                format!("directory `{path}` does not exist; it is created when the plugin loads"),
            )
            .with_severity(Severity::Warning)
        } else {
            Diagnostic::new(
                Code::InvalidDirectory,
                span,
                format!("directory `{path}` does not exist; the plugin cannot load until it is created"),
            )
        };
        checker.push(diagnostic);
    } else if !resolved.is_dir() {
        checker.push(Diagnostic::new(
            Code::InvalidDirectory,
            span,
            format!("`{path}` is not a directory"),
        ));
    }
}

fn outside(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::DirectoryOutsidePlugin, span, message).with_help(
        "grant a directory inside the plugin's folder (the manifest's directory); symlinks there must not lead out of it",
    )
}

fn has_parent_component(path: &str) -> bool {
    Path::new(path).components().any(|c| c == Component::ParentDir)
}

fn through_parent(path: &str) -> String {
    format!("`{path}` goes through `..`; name the directory without it")
}
