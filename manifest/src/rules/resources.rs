//! `resources`: sizes, durations and counts parse and lie within what the runtime allows.

use std::time::Duration;

use super::{Checker, edits};
use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Fix};
use crate::json::Node;
use crate::units::{self, QuantityError};

pub(super) fn check(checker: &mut Checker) {
    let Some(resources) = checker.value("resources") else {
        return;
    };
    let limits = checker.context.limits;
    let get = |key: &str| resources.get(key).map(|member| &member.value);

    if let Some(node) = get("memory")
        && let Some(bytes) = size(checker, node, "memory", units::parse_size)
    {
        if bytes == 0 {
            positive(checker, node, "memory");
        } else if bytes > limits.max_memory {
            above(checker, node, "memory", &units::format_size(limits.max_memory));
        }
    }
    if let Some(node) = get("storage")
        && let Some(bytes) = size(checker, node, "storage", units::parse_size)
    {
        if bytes == 0 {
            positive(checker, node, "storage");
        } else if bytes > limits.max_storage {
            above(checker, node, "storage", &units::format_size(limits.max_storage));
        }
    }
    if let Some(node) = get("bandwidth")
        && let Some(rate) = size(checker, node, "bandwidth", units::parse_bandwidth)
        && rate == 0
    {
        positive(checker, node, "bandwidth");
    }
    if let Some(node) = get("timeout") {
        timeout(checker, node, limits.max_timeout);
    }
    if let Some(node) = get("cpu")
        && let Some(value) = node.as_f64()
        && !(value.fract() == 0.0 && (1.0..=100.0).contains(&value))
    {
        let clamped = value.round().clamp(1.0, 100.0);
        checker.push(
            Diagnostic::new(
                Code::ResourceOutOfRange,
                node.span.clone(),
                format!(
                    "cpu must be a whole percentage from 1 to 100, found {}",
                    &checker.text[node.span.clone()]
                ),
            )
            .with_fix(Fix::replace(
                format!("Use {clamped}"),
                node.span.clone(),
                clamped.to_string(),
            )),
        );
    }
    if let Some(node) = get("max_connections")
        && let Some(value) = node.as_f64()
        && !(value.fract() == 0.0 && value >= 1.0 && value <= f64::from(limits.max_connections))
    {
        checker.push(Diagnostic::new(
            Code::ResourceOutOfRange,
            node.span.clone(),
            format!(
                "max_connections must be a whole number from 1 to {}, found {}",
                limits.max_connections,
                &checker.text[node.span.clone()]
            ),
        ));
    }
}

/// Parses a size-like string, reporting why it does not parse.
fn size(checker: &mut Checker, node: &Node, field: &str, parse: fn(&str) -> Result<u64, QuantityError>) -> Option<u64> {
    let text = node.as_str()?;
    match parse(text) {
        Ok(value) => Some(value),
        Err(error) => {
            quantity_error(checker, node, field, error);
            None
        }
    }
}

fn quantity_error(checker: &mut Checker, node: &Node, field: &str, error: QuantityError) {
    let mut diagnostic = Diagnostic::new(
        Code::InvalidQuantity,
        node.span.clone(),
        format!("{field}: {}", error.message),
    );
    if let Some(suggestion) = error.suggestion {
        diagnostic = diagnostic.with_fix(Fix::replace(
            format!("Write `{suggestion}`"),
            node.span.clone(),
            edits::quote(&suggestion),
        ));
    }
    checker.push(diagnostic);
}

fn positive(checker: &mut Checker, node: &Node, field: &str) {
    checker.push(Diagnostic::new(
        Code::ResourceOutOfRange,
        node.span.clone(),
        format!("{field} must be greater than zero"),
    ));
}

fn above(checker: &mut Checker, node: &Node, field: &str, maximum: &str) {
    checker.push(
        Diagnostic::new(
            Code::ResourceOutOfRange,
            node.span.clone(),
            format!(
                "{field} {} is above the runtime maximum of {maximum}",
                node.as_str().unwrap_or_default()
            ),
        )
        .with_fix(Fix::replace(
            format!("Use {maximum}"),
            node.span.clone(),
            edits::quote(maximum),
        )),
    );
}

fn timeout(checker: &mut Checker, node: &Node, max: Duration) {
    let parsed = match (node.as_f64(), node.as_str()) {
        (Some(millis), _) if millis.fract() != 0.0 => {
            checker.push(Diagnostic::new(
                Code::InvalidQuantity,
                node.span.clone(),
                "timeout: milliseconds must be a whole number",
            ));
            return;
        }
        (Some(millis), _) => units::duration_from_millis(millis),
        (None, Some(text)) => units::parse_duration_text(text),
        _ => return,
    };
    let duration = match parsed {
        Ok(duration) => duration,
        Err(error) => return quantity_error(checker, node, "timeout", error),
    };
    if duration.is_zero() {
        checker.push(
            Diagnostic::new(
                Code::ResourceOutOfRange,
                node.span.clone(),
                "timeout 0 would stop every call at once; use at least 1 ms (default 30000)",
            )
            .with_fix(Fix::replace("Use the default, 30000 ms", node.span.clone(), "30000")),
        );
    } else if duration > max {
        checker.push(Diagnostic::new(
            Code::ResourceOutOfRange,
            node.span.clone(),
            format!(
                "timeout of {} s is above the runtime maximum of {} s per call",
                duration.as_secs(),
                max.as_secs()
            ),
        ));
    }
}
