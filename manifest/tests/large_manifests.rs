//! Whatever a manifest holds, checking it takes time in proportion to its size and a bounded
//! stack: many keys, duplicates, comments, list entries, long strings and deep nesting. No
//! timing is asserted; a quadratic rule or an unbounded recursion never finishes or overflows.

use qirvo_manifest::codes::Code;
use qirvo_manifest::json::MAX_DEPTH;
use qirvo_manifest::rules::{self, CheckContext, FsModules, RuntimeLimits};

const MANY: usize = 20_000;

fn check(text: &str) -> rules::CheckOutput {
    let t = std::time::Instant::now();
    let parsed = qirvo_manifest::json::parse(text);
    eprintln!(
        "parse {:?} {}",
        t.elapsed(),
        &text[90..130.min(text.len())].replace('\n', " ")
    );
    let _ = parsed;
    let t = std::time::Instant::now();
    let r = rules::check(
        text,
        &CheckContext {
            manifest_dir: None,
            limits: RuntimeLimits::default(),
            modules: &FsModules,
        },
    );
    eprintln!("check {:?}", t.elapsed());
    r
}

/// A manifest whose last field is `tail` (raw JSON text after the fixed fields).
fn manifest(tail: &str) -> String {
    format!(
        r#"{{"manifest_version": 1, "id": "com.example.large", "name": "Large", "version": "1.0.0",
"main": "module.wasm", {tail}}}"#
    )
}

fn count(output: &rules::CheckOutput, code: Code) -> usize {
    output.diagnostics.iter().filter(|d| d.code == code).count()
}

fn list(item: impl Fn(usize) -> String) -> String {
    (0..MANY).map(item).collect::<Vec<_>>().join(",")
}

#[test]
fn many_keys_and_many_duplicates() {
    let distinct = manifest(&format!(r#""config": {{{}}}"#, list(|i| format!(r#""k{i}": {i}"#))));
    assert!(!check(&distinct).has_errors());

    let repeated = manifest(&format!(r#""config": {{{}}}"#, list(|i| format!(r#""k": {i}"#))));
    assert_eq!(count(&check(&repeated), Code::DuplicateKey), MANY - 1);

    let unknown = manifest(&list(|i| format!(r#""unknown{i}": {i}"#)));
    assert_eq!(count(&check(&unknown), Code::UnknownKey), MANY);

    let legacy = manifest(&list(|_| r#""entry": "module.wasm""#.to_string()));
    assert!(count(&check(&legacy), Code::DuplicateKey) >= MANY - 1);
}

#[test]
fn many_list_entries_and_long_strings() {
    let permissions = manifest(&format!(
        r#""permissions": [{}]"#,
        list(|_| r#""storage-read""#.to_string())
    ));
    assert_eq!(count(&check(&permissions), Code::DuplicatePermission), MANY - 1);

    let events = manifest(&format!(r#""events": [{}]"#, list(|_| r#""tick""#.to_string())));
    assert_eq!(count(&check(&events), Code::InvalidTopic), MANY - 1);

    let directories = manifest(&format!(
        r#""filesystem": {{"directories": [{}]}}"#,
        list(|_| r#"{"path": "../x"}"#.to_string())
    ));
    assert_eq!(count(&check(&directories), Code::DirectoryOutsidePlugin), MANY);

    // One key of a megabyte: no "did you mean" search over it.
    let long_key = manifest(&format!(r#""{}": 1"#, "x".repeat(1 << 20)));
    assert_eq!(count(&check(&long_key), Code::UnknownKey), 1);
}

#[test]
fn many_comments() {
    let comments = manifest(&format!(
        "\"config\": {{{}\n\"a\": 1}}",
        (0..MANY).map(|i| format!("// comment {i}\n")).collect::<String>()
    ));
    let output = check(&comments);
    assert_eq!(
        output
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("comments"))
            .count(),
        MANY
    );

    let blocks = manifest(&format!(r#""config": [1 {} ]"#, "/* c */ ".repeat(MANY)));
    assert!(check(&blocks).has_errors());
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 100_000;
    let arrays = manifest(&format!(
        r#""config": {{"deep": {}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    ));
    let run = move || {
        let output = check(&arrays);
        assert!(output.has_errors());
        assert!(
            output.diagnostics[0].message.contains("nested more than"),
            "{:?}",
            output.diagnostics[0]
        );
    };
    // A small stack, as on the language server's worker threads.
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();

    let unclosed = manifest(&format!(r#""config": {}"#, "{\"a\":".repeat(depth)));
    assert!(check(&unclosed).has_errors());

    // Brackets in strings and comments are not nesting; a repair that uncovers them is checked.
    let hidden = manifest(&format!(
        r#""config": {{"text": "{0}", "note": 1 /* {0} */}}"#,
        "[".repeat(depth)
    ));
    assert_eq!(
        check(&hidden)
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("nested"))
            .count(),
        0
    );
    let uncovered = manifest(&format!("\"config\": {{\"text\": \"x\n{}", "[".repeat(depth)));
    let _ = check(&uncovered);

    // Nesting up to the limit is fine.
    let limit = MAX_DEPTH - 2;
    let allowed = manifest(&format!(
        r#""config": {{"deep": {}{}}}"#,
        "[".repeat(limit),
        "]".repeat(limit)
    ));
    assert!(!check(&allowed).has_errors(), "{:?}", check(&allowed).diagnostics);
}
