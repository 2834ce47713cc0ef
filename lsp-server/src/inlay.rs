//! Inlay hints: the defaults that apply where the manifest leaves a limit out, shown where the
//! limit would be written (after `"resources": {`, or after the root `{` when there is no
//! `resources` block).

use qirvo_manifest::json::Node;
use qirvo_manifest::manifest::defaults;
use qirvo_manifest::units;
use tower_lsp::lsp_types::{InlayHint, InlayHintLabel, InlayHintTooltip, Range};

use crate::analysis::Analysis;

/// Hints inside `range`.
pub fn hints(analysis: &Analysis, range: Range) -> Vec<InlayHint> {
    let Some(root) = &analysis.root else { return Vec::new() };
    if root.as_object().is_none() {
        return Vec::new();
    }
    let mut found = Vec::new();
    let resources = root.get("resources").map(|m| &m.value);
    match resources {
        Some(block) if block.as_object().is_some() => {
            let missing = missing_resources(block);
            if !missing.is_empty() {
                found.push(hint(analysis, block.span.start + 1, &missing.join(", ")));
            }
        }
        Some(_) => {} // not an object: the rules report it; a hint would add noise
        None => {
            let all = missing_resources(&Node {
                span: 0..0,
                value: qirvo_manifest::json::Value::Object(Vec::new()),
            });
            found.push(hint(
                analysis,
                root.span.start + 1,
                &format!("resources: {}", all.join(", ")),
            ));
        }
    }
    if let Some(network) = root.get("network").map(|m| &m.value)
        && network.as_object().is_some()
        && network.get("timeout").is_none()
    {
        let text = format!("timeout: {} s", defaults::HTTP_TIMEOUT.as_secs());
        found.push(hint(analysis, network.span.start + 1, &text));
    }
    found.retain(|h| range.start <= h.position && h.position <= range.end);
    found
}

fn missing_resources(block: &Node) -> Vec<String> {
    let has = |key: &str| block.get(key).is_some();
    let mut missing = Vec::new();
    if !has("memory") {
        missing.push(format!("memory: {}", units::format_size(defaults::MEMORY)));
    }
    if !has("timeout") {
        missing.push(format!("timeout: {} s", defaults::TIMEOUT.as_secs()));
    }
    if !has("cpu") {
        missing.push(format!("cpu: {}%", defaults::CPU_PERCENT));
    }
    if !has("storage") {
        missing.push(format!("storage: {}", units::format_size(defaults::STORAGE)));
    }
    if !has("bandwidth") {
        missing.push("bandwidth: unlimited".into());
    }
    if !has("max_connections") {
        missing.push(format!("max_connections: {}", defaults::MAX_CONNECTIONS));
    }
    missing
}

fn hint(analysis: &Analysis, offset: usize, text: &str) -> InlayHint {
    let at = analysis.locator().utf16(offset);
    InlayHint {
        position: tower_lsp::lsp_types::Position::new(at.line, at.column),
        label: InlayHintLabel::String(format!("defaults: {text}")),
        kind: None,
        text_edits: None,
        tooltip: Some(InlayHintTooltip::String(
            "Limits the runtime applies because the manifest does not set them".into(),
        )),
        padding_left: Some(true),
        padding_right: Some(false),
        data: None,
    }
}
