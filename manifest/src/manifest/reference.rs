//! The manifest reference (`docs/manifest.md`), generated from the schema, the permission list,
//! the host API table and the diagnostic codes, so the documentation cannot drift from the code.

use std::fmt::Write as _;

use serde_json::Value;

use super::schema::{accepted_kinds, enum_values, field_doc, manifest_schema, required_properties};
use crate::codes::Code;
use crate::host_api::{HOST_FUNCTIONS, Linking, PLUGIN_EXPORTS};
use crate::permissions::{LEGACY_NAMES, Permission};

/// Property names of the object at a schema node, following `$ref` and `anyOf`.
fn children(path: &[&str]) -> Vec<&'static str> {
    super::schema::property_names(path).unwrap_or_default()
}

fn kinds(path: &[&str]) -> String {
    let kinds = accepted_kinds(path);
    if kinds.is_empty() {
        return "any".to_string();
    }
    kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(" or ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn fields(out: &mut String, path: &mut Vec<&'static str>) {
    let required = required_properties(path);
    for name in children(path) {
        path.push(name);
        let shown: String = path
            .iter()
            .map(|s| if *s == "[]" { "[]".to_string() } else { format!(".{s}") })
            .collect::<String>()
            .trim_start_matches('.')
            .to_string();
        let mut doc = one_line(field_doc(path).unwrap_or_default());
        let values = enum_values(path);
        if !values.is_empty() && name != "permissions" {
            let _ = write!(
                doc,
                " One of: {}.",
                values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
            );
        }
        let _ = writeln!(
            out,
            "| `{shown}` | {} | {} | {doc} |",
            kinds(path),
            if required.contains(&name) { "yes" } else { "" }
        );
        // Our own nested sections; Qirvo's web-runtime sections stay opaque.
        if ["network", "filesystem", "resources", "author"].contains(&name) || path.starts_with(&["filesystem"]) {
            fields(out, path);
            if name == "directories" {
                path.push("[]");
                fields(out, path);
                path.pop();
            }
        }
        path.pop();
    }
}

/// Renders the reference as Markdown.
pub fn reference_markdown() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Manifest reference\n");
    let _ = writeln!(
        out,
        "Generated from the code by `UPDATE_EXPECT=1 cargo test -p qirvo-manifest reference`; do not edit by hand.\n\
         `qirvo schema` prints the same information as JSON Schema.\n"
    );
    if let Some(description) = manifest_schema().get("description").and_then(Value::as_str) {
        let _ = writeln!(out, "{description}\n");
    }
    let _ = writeln!(
        out,
        "## Fields\n\n| field | type | required | description |\n|---|---|---|---|"
    );
    fields(&mut out, &mut Vec::new());
    let _ = writeln!(
        out,
        "\nSizes use binary units (`1KB` = 1024 bytes; `KiB`, `MiB`, `GiB` are synonyms) with no space \
         before the unit. Durations are milliseconds as a number, or a string with `ms`, `s`, `m` or `h`.\n"
    );
    let _ = writeln!(
        out,
        "## Permissions\n\n| permission | grants | host functions |\n|---|---|---|"
    );
    for permission in Permission::ALL {
        let functions: Vec<String> = HOST_FUNCTIONS
            .iter()
            .filter(|f| f.linking.permission() == Some(*permission))
            .map(|f| format!("`{}.{}`", f.module, f.name))
            .collect();
        let _ = writeln!(
            out,
            "| `{permission}` | {} | {} |",
            one_line(permission.doc()),
            functions.join(", ")
        );
    }
    let legacy: Vec<String> = LEGACY_NAMES
        .iter()
        .map(|(name, targets)| {
            let targets: Vec<String> = targets.iter().map(|t| format!("`{t}`")).collect();
            format!("`{name}` → {}", targets.join(" + "))
        })
        .collect();
    let _ = writeln!(
        out,
        "\nLegacy names are accepted with a warning and a quick fix: {}.\n",
        legacy.join(", ")
    );
    let _ = writeln!(
        out,
        "## Host API\n\nImports from module `qirvo` (and WASI preview 1). Strings are `(ptr, len)` pairs; \
         an `i64` result packs a buffer `(ptr << 32) | len` allocated through `qirvo_alloc`, or is a \
         negative error code whose message `last_error` returns.\n\n| import | signature | linked | description |\n|---|---|---|---|"
    );
    for function in HOST_FUNCTIONS
        .iter()
        .filter(|f| f.module == crate::host_api::QIRVO_MODULE)
    {
        let linked = match function.linking {
            Linking::Always => "always".to_string(),
            Linking::WithPermission(p) => format!("with `{p}`"),
            Linking::GatedAtRuntime(p) => format!("always; reaches only what `{p}` grants"),
            Linking::Unavailable(p) => format!("never (`{p}` is not offered by the wasm runtime)"),
        };
        let signature = function.signature.map(|s| s.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | `{signature}` | {linked} | {} |",
            function.name,
            one_line(function.doc)
        );
    }
    let _ = writeln!(
        out,
        "\nAll of WASI preview 1 (`wasi_snapshot_preview1`) is linked; stdout and stderr are captured as \
         plugin output, and `path_*` functions see only the directories `filesystem-access` grants.\n"
    );
    let _ = writeln!(
        out,
        "## Plugin exports\n\n| export | signature | required | description |\n|---|---|---|---|"
    );
    let _ = writeln!(out, "| `memory` | memory | yes | The plugin's linear memory. |");
    for export in PLUGIN_EXPORTS {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            export.name,
            export.signature,
            if export.required { "yes" } else { "" },
            one_line(export.doc)
        );
    }
    let _ = writeln!(
        out,
        "\n## Diagnostic codes\n\n| code | severity | meaning |\n|---|---|---|"
    );
    for code in Code::ALL {
        let _ = writeln!(
            out,
            "| {code} | {} | {} |",
            code.default_severity().as_str(),
            code.title()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/manifest.md` is the generated reference; it must match the code.
    #[test]
    fn reference_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/manifest.md");
        let generated = reference_markdown();
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&path, &generated).expect("write docs/manifest.md");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/manifest.md is stale; run UPDATE_EXPECT=1 cargo test -p qirvo-manifest reference"
        );
    }
}
