//! The `qirvo` settings section the client sends through `workspace/configuration` (or in
//! `workspace/didChangeConfiguration`): runtime maximums and per-code severity overrides.
//!
//! ```json
//! { "maximums": { "memory": "4GB", "timeoutSeconds": 600, "storage": "1GB", "maxConnections": 256 },
//!   "diagnostics": { "severity": { "Q0505": "off", "Q0404": "error" } } }
//! ```
//!
//! Every field is optional; a bad field is reported and left at its default, never fatal.

use std::collections::HashMap;
use std::time::Duration;

use qirvo_manifest::diagnostic::Code;
use qirvo_manifest::rules::RuntimeLimits;
use qirvo_manifest::units;
use serde_json::Value;
use tower_lsp::lsp_types::DiagnosticSeverity;

/// What a severity override asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// Publish with this severity.
    Severity(DiagnosticSeverity),
    /// Do not publish at all.
    Off,
}

/// The settings the server works with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Runtime maximums the resource rules compare against.
    pub limits: RuntimeLimits,
    /// Severity overrides by code.
    pub severity: HashMap<Code, Override>,
}

/// Neovim 0.7 encodes an empty Lua table as `[]`: read an empty array as an empty object.
fn object(value: &Value) -> Option<serde_json::Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map.clone()),
        Value::Array(items) if items.is_empty() => Some(serde_json::Map::new()),
        _ => None,
    }
}

impl Settings {
    /// Reads the `qirvo` section. Returns the settings and one message per field that was
    /// ignored, for the client's log.
    pub fn from_json(section: &Value) -> (Settings, Vec<String>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        if let Some(maximums) = section.get("maximums").filter(|v| !v.is_null()) {
            read_maximums(maximums, &mut settings.limits, &mut problems);
        }
        let overrides = section.get("diagnostics").and_then(|d| d.get("severity"));
        if let Some(overrides) = overrides.filter(|v| !v.is_null()) {
            match object(overrides) {
                Some(map) => {
                    for (code, level) in &map {
                        match parse_override(code, level) {
                            Ok((code, level)) => {
                                settings.severity.insert(code, level);
                            }
                            Err(problem) => problems.push(problem),
                        }
                    }
                }
                None => problems.push("`qirvo.diagnostics.severity` must be an object of code → severity".into()),
            }
        }
        (settings, problems)
    }
}

fn read_maximums(maximums: &Value, limits: &mut RuntimeLimits, problems: &mut Vec<String>) {
    let Some(map) = object(maximums) else {
        problems.push("`qirvo.maximums` must be an object".into());
        return;
    };
    for (key, value) in &map {
        let result = match key.as_str() {
            "memory" => size(value).map(|bytes| limits.max_memory = bytes),
            "storage" => size(value).map(|bytes| limits.max_storage = bytes),
            "timeoutSeconds" => value
                .as_f64()
                .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
                .map(|s| limits.max_timeout = Duration::from_secs_f64(s))
                .ok_or_else(|| "a positive number of seconds".to_string()),
            "maxConnections" => value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
                .map(|n| limits.max_connections = n)
                .ok_or_else(|| "a positive whole number".to_string()),
            _ => Err("one of memory, storage, timeoutSeconds, maxConnections".to_string()),
        };
        if let Err(expected) = result {
            problems.push(format!(
                "`qirvo.maximums.{key}` = {value} is ignored: expected {expected}"
            ));
        }
    }
}

fn size(value: &Value) -> Result<u64, String> {
    let parsed = match value {
        Value::String(text) => units::parse_size(text).ok(),
        Value::Number(number) => number.as_u64(),
        _ => None,
    };
    parsed
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| "a size such as \"4GB\" or a number of bytes".to_string())
}

fn parse_override(code: &str, level: &Value) -> Result<(Code, Override), String> {
    let known = Code::ALL.iter().find(|c| c.as_str().eq_ignore_ascii_case(code));
    let Some(&code_value) = known else {
        return Err(format!(
            "`qirvo.diagnostics.severity`: `{code}` is not a diagnostic code"
        ));
    };
    let level = match level.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("error") => Override::Severity(DiagnosticSeverity::ERROR),
        Some("warning") => Override::Severity(DiagnosticSeverity::WARNING),
        Some("information" | "info") => Override::Severity(DiagnosticSeverity::INFORMATION),
        Some("hint") => Override::Severity(DiagnosticSeverity::HINT),
        Some("off" | "none") => Override::Off,
        _ => {
            return Err(format!(
                "`qirvo.diagnostics.severity.{code}` = {level} is ignored: expected error, warning, information, hint or off"
            ));
        }
    };
    Ok((code_value, level))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_maximums_and_overrides() {
        let (settings, problems) = Settings::from_json(&json!({
            "maximums": { "memory": "256MB", "timeoutSeconds": 5, "storage": 1024, "maxConnections": 2 },
            "diagnostics": { "severity": { "Q0505": "off", "q0404": "Error" } }
        }));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(settings.limits.max_memory, 256 << 20);
        assert_eq!(settings.limits.max_timeout, Duration::from_secs(5));
        assert_eq!(settings.limits.max_storage, 1024);
        assert_eq!(settings.limits.max_connections, 2);
        assert_eq!(settings.severity[&Code::UnusedPermission], Override::Off);
        assert_eq!(
            settings.severity[&Code::AllowsEveryHost],
            Override::Severity(DiagnosticSeverity::ERROR)
        );
    }

    #[test]
    fn bad_fields_are_reported_and_keep_their_defaults() {
        let (settings, problems) = Settings::from_json(&json!({
            "maximums": { "memory": "lots", "timeoutSeconds": -1, "colour": 3 },
            "diagnostics": { "severity": { "Q9999": "off", "Q0505": "loud" } }
        }));
        assert_eq!(settings, Settings::default());
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`qirvo.maximums.memory` = \"lots\""))
        );
        assert!(problems.iter().any(|p| p.contains("`Q9999` is not a diagnostic code")));
    }

    #[test]
    fn missing_or_null_sections_are_defaults() {
        assert_eq!(Settings::from_json(&Value::Null), (Settings::default(), Vec::new()));
        assert_eq!(
            Settings::from_json(&json!({ "maximums": [], "diagnostics": { "severity": [] } })),
            (Settings::default(), Vec::new()),
            "Neovim 0.7 sends empty tables as arrays"
        );
        assert_eq!(
            Settings::from_json(&json!({ "maximums": null, "diagnostics": {} })),
            (Settings::default(), Vec::new())
        );
    }
}
