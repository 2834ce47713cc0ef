//! Sizes (`"128MB"`), bandwidths (`"1MB/s"`) and durations (`30000`, `"30s"`) in manifests.
//!
//! Size units are binary, as in Docker and most plugin runtimes: `1KB` = 1024 bytes, and
//! `KiB`/`MiB`/`GiB` are accepted synonyms, so `"128MB"` is exactly 2048 wasm pages. Units are
//! case-insensitive. A space between number and unit is refused with a fix (`"128 MB"` →
//! `"128MB"`) so that every manifest spells sizes one way.

use std::fmt;
use std::time::Duration;

/// Bytes in one wasm page.
pub const WASM_PAGE: u64 = 65_536;

/// Why a quantity did not parse; the message names what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError {
    /// What is wrong, e.g. "unknown unit `XB`".
    pub message: String,
    /// The corrected spelling, when there is one obvious correction.
    pub suggestion: Option<String>,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QuantityError {}

fn error(message: impl Into<String>) -> QuantityError {
    QuantityError {
        message: message.into(),
        suggestion: None,
    }
}

const SIZE_UNITS: &[(&str, u64)] = &[
    ("b", 1),
    ("kb", 1 << 10),
    ("kib", 1 << 10),
    ("k", 1 << 10),
    ("mb", 1 << 20),
    ("mib", 1 << 20),
    ("m", 1 << 20),
    ("gb", 1 << 30),
    ("gib", 1 << 30),
    ("g", 1 << 30),
    ("tb", 1 << 40),
    ("tib", 1 << 40),
];

/// Units written in the canonical spelling, for messages.
pub const SIZE_UNIT_NAMES: &[&str] = &["B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"];

/// Splits `"12.5 MB"` into (`"12.5"`, `" "`, `"MB"`).
fn split_number(text: &str) -> (&str, &str, &str) {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    let (number, rest) = text.split_at(number_end);
    let unit_start = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
    let (space, unit) = rest.split_at(unit_start);
    (number, space, unit)
}

/// Parses a size such as `"128MB"` to bytes. Zero is allowed here; callers decide ranges.
pub fn parse_size(text: &str) -> Result<u64, QuantityError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(error("expected a size such as \"128MB\", found an empty string"));
    }
    let (number, space, unit) = split_number(trimmed);
    if number.starts_with('-') {
        return Err(error(format!("size `{trimmed}` is negative")));
    }
    if number.is_empty() {
        return Err(error(format!(
            "size `{trimmed}` does not start with a number (e.g. \"128MB\")"
        )));
    }
    let value: f64 = number
        .parse()
        .map_err(|_| error(format!("`{number}` is not a number")))?;
    let multiplier = if unit.is_empty() {
        return Err(QuantityError {
            message: format!("size `{trimmed}` has no unit; write bytes as `{number}B` or use KB, MB, GB"),
            suggestion: Some(format!("{number}B")),
        });
    } else {
        match SIZE_UNITS.iter().find(|(name, _)| name.eq_ignore_ascii_case(unit)) {
            Some((_, multiplier)) => *multiplier,
            None => {
                return Err(error(format!(
                    "unknown size unit `{unit}`; use one of {}",
                    SIZE_UNIT_NAMES.join(", ")
                )));
            }
        }
    };
    let bytes = value * multiplier as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(error(format!("size `{trimmed}` is too large")));
    }
    if bytes.fract() != 0.0 {
        return Err(error(format!("size `{trimmed}` is not a whole number of bytes")));
    }
    if !space.is_empty() {
        return Err(QuantityError {
            message: format!("size `{trimmed}` has a space between number and unit"),
            suggestion: Some(format!("{number}{unit}")),
        });
    }
    Ok(bytes as u64)
}

/// Parses a bandwidth such as `"1MB/s"` to bytes per second.
pub fn parse_bandwidth(text: &str) -> Result<u64, QuantityError> {
    let trimmed = text.trim();
    let Some(size) = trimmed.strip_suffix("/s") else {
        let suggestion = parse_size(trimmed).ok().map(|_| format!("{trimmed}/s"));
        return Err(QuantityError {
            message: format!("bandwidth `{trimmed}` must end in `/s` (e.g. \"1MB/s\")"),
            suggestion,
        });
    };
    parse_size(size).map_err(|mut error| {
        error.suggestion = error.suggestion.map(|s| format!("{s}/s"));
        error
    })
}

/// Parses a duration: a number of milliseconds, or a string with a unit (`ms`, `s`, `m`, `h`).
pub fn parse_duration_text(text: &str) -> Result<Duration, QuantityError> {
    let trimmed = text.trim();
    let (number, space, unit) = split_number(trimmed);
    if number.starts_with('-') {
        return Err(error(format!("duration `{trimmed}` is negative")));
    }
    let value: f64 = number.parse().map_err(|_| {
        error(format!(
            "duration `{trimmed}` does not start with a number (e.g. \"30s\")"
        ))
    })?;
    let millis_per_unit = match unit.to_ascii_lowercase().as_str() {
        "" | "ms" => 1.0,
        "s" | "sec" => 1_000.0,
        "m" | "min" => 60_000.0,
        "h" => 3_600_000.0,
        other => {
            return Err(error(format!("unknown duration unit `{other}`; use ms, s, m or h")));
        }
    };
    if !space.is_empty() {
        return Err(QuantityError {
            message: format!("duration `{trimmed}` has a space between number and unit"),
            suggestion: Some(format!("{number}{unit}")),
        });
    }
    duration_from_millis(value * millis_per_unit)
}

/// Converts a millisecond count given as a JSON number.
pub fn duration_from_millis(millis: f64) -> Result<Duration, QuantityError> {
    if millis.is_nan() || millis < 0.0 {
        return Err(error(format!("duration {millis} ms is negative")));
    }
    if millis > 1e15 {
        return Err(error(format!("duration {millis} ms is too large")));
    }
    Ok(Duration::from_secs_f64(millis / 1000.0))
}

/// Formats bytes as the largest exact binary unit: 134217728 → `"128MB"`.
pub fn format_size(bytes: u64) -> String {
    for (name, multiplier) in [("TB", 1u64 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)] {
        if bytes >= multiplier && bytes.is_multiple_of(multiplier) {
            return format!("{}{name}", bytes / multiplier);
        }
    }
    format!("{bytes}B")
}

/// Formats bytes for people: exact when a unit divides them, else one decimal (`"131.2MB"`).
pub fn describe_size(bytes: u64) -> String {
    let exact = format_size(bytes);
    if !exact.ends_with("KB") || bytes < 1 << 20 {
        return exact;
    }
    format!("{:.1}MB", bytes as f64 / f64::from(1u32 << 20))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("128MB"), Ok(128 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1GB"), Ok(1 << 30));
        assert_eq!(parse_size("1gb"), Ok(1 << 30));
        assert_eq!(parse_size("512KB"), Ok(512 << 10));
        assert_eq!(parse_size("1.5KB"), Ok(1536));
        assert_eq!(parse_size("100B"), Ok(100));
        assert_eq!(parse_size("0MB"), Ok(0));
        assert_eq!(parse_size(" 2MB "), Ok(2 << 20));
    }

    #[test]
    fn bad_sizes_say_why() {
        let spaced = parse_size("128 MB").unwrap_err();
        assert!(spaced.message.contains("space"), "{spaced}");
        assert_eq!(spaced.suggestion.as_deref(), Some("128MB"));
        assert!(
            parse_size("12XB")
                .unwrap_err()
                .message
                .contains("unknown size unit `XB`")
        );
        assert!(parse_size("-5MB").unwrap_err().message.contains("negative"));
        assert!(
            parse_size("MB")
                .unwrap_err()
                .message
                .contains("does not start with a number")
        );
        assert_eq!(parse_size("100").unwrap_err().suggestion.as_deref(), Some("100B"));
        assert!(parse_size("").is_err());
        assert!(parse_size("1.2.3MB").is_err());
        assert!(parse_size("0.3B").unwrap_err().message.contains("whole number"));
        assert!(parse_size("99999999999TB").unwrap_err().message.contains("too large"));
    }

    #[test]
    fn bandwidths() {
        assert_eq!(parse_bandwidth("1MB/s"), Ok(1 << 20));
        assert_eq!(parse_bandwidth("1MB").unwrap_err().suggestion.as_deref(), Some("1MB/s"));
        assert_eq!(
            parse_bandwidth("1 MB/s").unwrap_err().suggestion.as_deref(),
            Some("1MB/s")
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_text("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration_text("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration_text("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration_text("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration_text("1500"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration_text("5 s").unwrap_err().message.contains("space"));
        assert!(
            parse_duration_text("5y")
                .unwrap_err()
                .message
                .contains("unknown duration unit")
        );
        assert!(parse_duration_text("-1s").unwrap_err().message.contains("negative"));
        assert!(duration_from_millis(-1.0).is_err());
        assert_eq!(duration_from_millis(30_000.0), Ok(Duration::from_secs(30)));
    }

    #[test]
    fn formatting_round_trips() {
        for bytes in [1, 1023, 1024, 128 << 20, 3 << 30, 1536] {
            assert_eq!(parse_size(&format_size(bytes)), Ok(bytes));
        }
        assert_eq!(format_size(128 << 20), "128MB");
        assert_eq!(describe_size(2100 * WASM_PAGE), "131.2MB");
        assert_eq!(describe_size(300 * WASM_PAGE), "18.8MB");
        assert_eq!(describe_size(64 << 10), "64KB");
    }
}
