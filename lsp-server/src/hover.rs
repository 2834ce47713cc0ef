//! Hover: the documentation of the field under the cursor, what a permission unlocks and
//! whether the module uses it, and resolved values (sizes in bytes and wasm pages).

use qirvo_manifest::host_api;
use qirvo_manifest::manifest::schema;
use qirvo_manifest::module_info::ModuleInfo;
use qirvo_manifest::permissions::{self, PermissionName};
use qirvo_manifest::units;

use crate::locate::Place;

/// Markdown for a place, if there is anything to say.
pub fn markdown(place: &Place, module: Option<&ModuleInfo>) -> Option<String> {
    let path: Vec<&str> = place.path.iter().map(String::as_str).collect();
    let is_permission = matches!(path.as_slice(), ["permissions", "[]"] | ["permissions", "[]", "type"]);
    if !place.on_key && is_permission {
        return place.text.as_deref().map(|name| permission(name, module));
    }
    let mut text = String::new();
    let shown = path
        .iter()
        .filter(|s| **s != "[]")
        .copied()
        .collect::<Vec<_>>()
        .join(".");
    if let Some(doc) = schema::field_doc(&path) {
        text.push_str(&format!("**`{shown}`**\n\n{doc}"));
    }
    if !place.on_key
        && let Some(value) = &place.text
    {
        let resolved = match path.as_slice() {
            ["resources", "memory" | "storage"] => units::parse_size(value)
                .ok()
                .map(|bytes| format!("= {bytes} bytes ({} wasm pages)", bytes.div_ceil(units::WASM_PAGE))),
            ["resources", "bandwidth"] => units::parse_bandwidth(value)
                .ok()
                .map(|b| format!("= {b} bytes per second")),
            ["resources", "timeout"] | ["network", "timeout"] => units::parse_duration_text(value)
                .ok()
                .map(|d| format!("= {} ms", d.as_millis())),
            _ => None,
        };
        if let Some(resolved) = resolved {
            text.push_str(&format!("\n\n{resolved}"));
        }
    }
    (!text.is_empty()).then_some(text)
}

fn permission(name: &str, module: Option<&ModuleInfo>) -> String {
    let granted = match permissions::resolve(name) {
        PermissionName::Canonical(permission) => vec![permission],
        PermissionName::Legacy(targets) => targets.to_vec(),
        PermissionName::Unknown { .. } => return format!("`{name}` is not a permission"),
    };
    let mut text = String::new();
    for permission in granted {
        text.push_str(&format!(
            "**`{permission}`** — {}\n\nHost functions:\n",
            permission.doc()
        ));
        for function in host_api::functions_for(permission) {
            let used = module.map(|m| {
                m.imports
                    .iter()
                    .any(|i| i.module == function.module && i.name == function.name)
            });
            let mark = match used {
                Some(true) => " — imported by the module",
                Some(false) => "",
                None => "",
            };
            text.push_str(&format!(
                "- `{}.{}`{mark}: {}\n",
                function.module, function.name, function.doc
            ));
        }
        if module.is_some_and(|m| {
            !host_api::functions_for(permission)
                .any(|f| m.imports.iter().any(|i| i.module == f.module && i.name == f.name))
        }) {
            text.push_str("\nThe module imports none of these.\n");
        }
    }
    text
}
