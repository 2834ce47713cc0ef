//! The manifest corpus: every directory under `tests/manifests/` holds a `manifest.json` (and,
//! where the case needs one, a module built from `module.wat`) and an `expected.txt` listing
//! each diagnostic as `line:column severity code message`, followed by its help and fixes.
//!
//! Absolute paths under the corpus are written `$CORPUS/...`.
//!
//! `UPDATE_EXPECT=1 cargo test --test corpus` rewrites the expectations and rebuilds the
//! `.wasm` fixtures from their `.wat` sources; review the diff before committing it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use qirvo_manifest::diagnostic::Diagnostic;
use qirvo_manifest::location::Locator;
use qirvo_manifest::rules::{self, CheckContext};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/manifests")
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/manifests exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.join("manifest.json").exists())
        .collect();
    cases.sort();
    cases
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

/// One line per diagnostic, with positions counted in characters from 1.
fn render(text: &str, diagnostics: &[Diagnostic]) -> String {
    let locator = Locator::new(text);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let at = locator.chars(diagnostic.span.start);
        let _ = writeln!(
            out,
            "{}:{} {} {} {}",
            at.line + 1,
            at.column + 1,
            diagnostic.severity.as_str(),
            diagnostic.code,
            diagnostic.message
        );
        for related in &diagnostic.related {
            let at = locator.chars(related.span.start);
            let _ = writeln!(
                out,
                "    related {}:{}: {}",
                at.line + 1,
                at.column + 1,
                related.message
            );
        }
        if let Some(help) = &diagnostic.help {
            let _ = writeln!(out, "    help: {help}");
        }
        for fix in &diagnostic.fixes {
            let _ = writeln!(out, "    fix: {}", fix.title);
        }
    }
    out
}

#[test]
fn module_fixtures_match_their_sources() {
    for case in cases() {
        let source = case.join("module.wat");
        if !source.exists() {
            continue;
        }
        let built = wat::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let committed = case.join("module.wasm");
        if updating() {
            std::fs::write(&committed, &built).expect("write module.wasm");
        }
        let on_disk = std::fs::read(&committed).unwrap_or_default();
        assert!(
            on_disk == built,
            "{} is stale; run UPDATE_EXPECT=1 cargo test --test corpus",
            committed.display()
        );
    }
}

#[test]
fn every_case_produces_exactly_its_expected_diagnostics() {
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 20, "the corpus lost cases: {}", cases.len());
    let canonical_corpus = std::fs::canonicalize(corpus_dir())
        .expect("tests/manifests resolves")
        .display()
        .to_string();
    for case in cases {
        let manifest = case.join("manifest.json");
        let text = std::fs::read_to_string(&manifest).expect("manifest is UTF-8");
        let output = rules::check(&text, &CheckContext::for_file(&manifest));
        // Messages that name where a path resolves hold this checkout's location.
        let actual = render(&text, &output.diagnostics).replace(&canonical_corpus, "$CORPUS");
        let expected_path = case.join("expected.txt");
        if updating() {
            std::fs::write(&expected_path, &actual).expect("write expected.txt");
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                case.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
        // A clean case must yield the typed manifest the runtime will load.
        if !output.has_errors() {
            assert!(
                output.manifest.is_some(),
                "{}: no errors but no typed manifest",
                case.display()
            );
        }
        // In valid JSON, every fix must leave valid JSON behind.
        let valid_json = qirvo_manifest::json::parse(&text).is_valid_json();
        for diagnostic in output.diagnostics.iter().filter(|_| valid_json) {
            for fix in &diagnostic.fixes {
                let fixed = fix.apply(&text);
                assert!(
                    qirvo_manifest::json::parse(&fixed).is_valid_json(),
                    "{}: fix `{}` for {} breaks the JSON:\n{fixed}",
                    case.display(),
                    fix.title,
                    diagnostic.code
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Checking must never panic, whatever the bytes: truncations and byte edits of every case.
#[test]
fn rules_never_panic_on_damaged_manifests() {
    let mut seed: u64 = 0x5eed;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const NOISE: &[&str] = &[
        "{", "}", "[", "]", ",", ":", "\"", "\\", "é", "😀", "0", "-", " ", "\n", "null", "/*",
    ];
    for case in cases() {
        let manifest = case.join("manifest.json");
        let text = std::fs::read_to_string(&manifest).expect("manifest is UTF-8");
        let context = CheckContext::for_file(&manifest);
        for end in (0..text.len()).step_by(7).filter(|i| text.is_char_boundary(*i)) {
            let _ = rules::check(&text[..end], &context);
        }
        for _ in 0..200 {
            let mut damaged = text.clone();
            for _ in 0..1 + next() % 4 {
                let mut at = (next() as usize) % (damaged.len() + 1);
                while !damaged.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + (next() as usize) % 4).min(damaged.len());
                while !damaged.is_char_boundary(end) {
                    end -= 1;
                }
                let noise = NOISE[(next() as usize) % NOISE.len()];
                damaged.replace_range(at..end.max(at), noise);
            }
            let output = rules::check(&damaged, &context);
            for diagnostic in output.diagnostics {
                assert!(
                    diagnostic.span.end <= damaged.len(),
                    "span outside the text:\n{damaged}"
                );
            }
        }
    }
}
