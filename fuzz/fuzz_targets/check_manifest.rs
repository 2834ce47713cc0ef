//! Parser + rules on arbitrary text: must never panic, and every span must lie in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qirvo_manifest::rules::{self, CheckContext, FsModules, RuntimeLimits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let context = CheckContext {
        manifest_dir: None,
        limits: RuntimeLimits::default(),
        modules: &FsModules,
    };
    let output = rules::check(text, &context);
    for diagnostic in &output.diagnostics {
        assert!(diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= text.len());
        assert!(text.is_char_boundary(diagnostic.span.start) && text.is_char_boundary(diagnostic.span.end));
        for fix in &diagnostic.fixes {
            let _ = fix.apply(text);
        }
    }
});
