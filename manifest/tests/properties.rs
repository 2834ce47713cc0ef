//! Property tests of the manifest rules on careless and hostile text, run by the test command
//! (`QIRVO_FUZZ_CASES=N` runs more; the cargo-fuzz target in `fuzz/` is for long runs):
//! - any text, JSON-shaped or not, with any Unicode, is checked without a panic, and every span
//!   a diagnostic or fix points at lies inside the text on character boundaries;
//! - on a well-formed manifest, applying any offered fix leaves JSON that still parses.

use proptest::prelude::*;
use qirvo_manifest::diagnostic::TextEdit;
use qirvo_manifest::rules::{self, CheckContext, CheckOutput, FsModules, RuntimeLimits};
use serde_json::{Map, Value};

fn cases() -> u32 {
    std::env::var("QIRVO_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

fn check(text: &str) -> CheckOutput {
    rules::check(
        text,
        &CheckContext {
            manifest_dir: None,
            limits: RuntimeLimits::default(),
            modules: &FsModules,
        },
    )
}

/// Pieces of manifests and of what breaks them: JSON syntax, comments, escapes (lone
/// surrogates too), typographic quotes, emoji, control characters, huge numbers, real keys.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "\\",
    "\\u00e9",
    "\\ud83d",
    "\\udc00",
    "\\n",
    " ",
    "\n",
    "\r\n",
    "\t",
    "//",
    "/*",
    "*/",
    "“",
    "”",
    "😀",
    "é",
    "\u{0}",
    "\u{feff}",
    "\u{202e}",
    "1e999",
    "-0",
    "18446744073709551616",
    "-9223372036854775809",
    "0.5",
    "null",
    "true",
    "false",
    "\"manifest_version\"",
    "\"id\"",
    "\"name\"",
    "\"version\"",
    "\"main\"",
    "\"permissions\"",
    "\"resources\"",
    "\"memory\"",
    "\"timeout\"",
    "\"cpu\"",
    "\"network\"",
    "\"allowed_hosts\"",
    "\"filesystem\"",
    "\"directories\"",
    "\"path\"",
    "\"mode\"",
    "\"read-write\"",
    "\"..\"",
    "\"/etc\"",
    "\"storage-read\"",
    "\"network-access\"",
    "\"*\"",
    "\"128MB\"",
    "\"30s\"",
    "\"1.0.0\"",
    "\"com.example.x\"",
    "\"module.wasm\"",
];

fn text_from_pieces() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![4 => prop::sample::select(PIECES).prop_map(str::to_string), 1 => any::<String>()],
        0..80,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Manifest-shaped JSON: the real keys with values of every kind, nested a few levels.
fn manifest_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(PIECES).prop_map(|p| Value::String(p.trim_matches('"').to_string())),
        any::<String>().prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    });
    prop::collection::vec((key(), value), 0..14).prop_map(|entries| {
        let mut manifest: Map<String, Value> = entries.into_iter().collect();
        manifest.entry("manifest_version").or_insert(Value::from(1));
        Value::Object(manifest)
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(PIECES)
            .prop_filter("keys are quoted pieces", |p| p.starts_with('"') && p.len() > 2)
            .prop_map(|p| p.trim_matches('"').to_string()),
        1 => any::<String>(),
    ]
}

fn assert_spans_inside(text: &str, output: &CheckOutput) -> Result<(), TestCaseError> {
    let inside = |span: &std::ops::Range<usize>| {
        span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end)
    };
    for diagnostic in &output.diagnostics {
        prop_assert!(inside(&diagnostic.span), "{:?} {:?}", diagnostic.code, diagnostic.span);
        for fix in &diagnostic.fixes {
            for edit in &fix.edits {
                prop_assert!(
                    inside(&edit.span),
                    "fix {:?} of {:?}: {:?}",
                    fix.title,
                    diagnostic.code,
                    edit.span
                );
            }
        }
    }
    Ok(())
}

/// `text` with `edits` applied (spans are of the original text; applied from the end).
fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut edits: Vec<&TextEdit> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = text.to_string();
    for edit in edits {
        out.replace_range(edit.span.clone(), &edit.new_text);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_checked_and_every_span_is_inside_it(text in text_from_pieces()) {
        let output = check(&text);
        assert_spans_inside(&text, &output)?;
    }

    #[test]
    fn fixes_keep_a_well_formed_manifest_well_formed(manifest in manifest_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&manifest).unwrap()
        } else {
            serde_json::to_string(&manifest).unwrap()
        };
        let output = check(&text);
        assert_spans_inside(&text, &output)?;
        for diagnostic in &output.diagnostics {
            for fix in &diagnostic.fixes {
                let fixed = apply(&text, &fix.edits);
                prop_assert!(
                    serde_json::from_str::<Value>(&fixed).is_ok(),
                    "fix {:?} of {:?} breaks the JSON:\n{}\n---\n{}",
                    fix.title, diagnostic.code, text, fixed
                );
            }
        }
    }
}
