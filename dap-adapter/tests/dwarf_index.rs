//! The DWARF index on the example plugins (Rust and C).

use qirvo_dap::dwarf::{BreakpointPlacement, DwarfIndex};

fn index(example: &str, file: &str) -> DwarfIndex {
    let path = format!("{}/../examples/{example}/{file}", env!("CARGO_MANIFEST_DIR"));
    DwarfIndex::from_module(&std::fs::read(path).unwrap()).unwrap()
}

fn file_index(index: &DwarfIndex, suffix: &str) -> usize {
    index.files().iter().position(|f| f.ends_with(suffix)).unwrap()
}

#[test]
fn c_functions_and_lines() {
    let index = index("c-hello", "c_hello.wasm");
    let file = file_index(&index, "examples/c-hello/c_hello.c");
    let BreakpointPlacement::At { line, addresses } = index.place_breakpoint(&[file], 34) else {
        panic!()
    };
    assert_eq!(line, 34);
    assert_eq!(index.location(addresses[0] as u32).unwrap().line, 34);
    let entries = index.function_entries("qirvo_stop");
    assert_eq!(entries.len(), 1);
    let location = index.location(entries[0] as u32).unwrap();
    assert!(location.file.ends_with("c_hello.c"), "{location:?}");
    assert!((47..=50).contains(&location.line), "{location:?}");
    let frames = index.frames(entries[0] as u32, false);
    assert_eq!(frames[0].function, "qirvo_stop");
}

#[test]
fn rust_lines_frames_and_tombstones() {
    let index = index("hello", "hello.wasm");
    let file = file_index(&index, "examples/hello/src/lib.rs");
    let BreakpointPlacement::At { line, addresses } = index.place_breakpoint(&[file], 18) else {
        panic!()
    };
    assert_eq!((line, addresses.len()), (18, 1));
    let frames = index.frames(addresses[0] as u32, false);
    assert_eq!(frames[0].function, "<hello::Hello as qirvo_pdk::Plugin>::start");
    assert!(
        frames.len() > 1 && frames.last().unwrap().function == "qirvo_start",
        "{frames:?}"
    );
    assert!(frames[..frames.len() - 1].iter().all(|f| f.inlined));
    assert_eq!(
        index.place_breakpoint(&[file], 10_000),
        BreakpointPlacement::NoCodeAfter
    );
    assert!(index.files().iter().all(|f| !f.is_empty()));
    assert!(matches!(
        DwarfIndex::from_module(&wat::parse_str("(module (func))").unwrap()),
        Err(qirvo_dap::dwarf::DwarfError::Missing)
    ));
}

#[test]
fn function_breakpoints_land_after_the_prologue() {
    // Rust at -O0: the entry is the first line of the body, not the `fn` line.
    let rust = index("hello", "hello.wasm");
    for (name, line) in [("Hello::start", 18), ("Hello::stop", 24)] {
        let entries = rust.function_entries(name);
        assert_eq!(entries.len(), 1, "{name}");
        let frames = rust.frames(entries[0] as u32, false);
        assert!(
            frames[0].function.ends_with(name.rsplit("::").next().unwrap()),
            "{frames:?}"
        );
        assert_eq!(frames[0].location.as_ref().unwrap().line, line, "{name}: {frames:?}");
    }
    // C at -O1: the prologue ends inside the inlined `log_line` (line 48 has no code of its
    // own); the entry stays in the function itself, on its opening line.
    let c = index("c-hello", "c_hello.wasm");
    let entries = c.function_entries("qirvo_stop");
    let frames = c.frames(entries[0] as u32, false);
    assert_eq!(frames[0].function, "qirvo_stop", "{frames:?}");
    assert_eq!(frames[0].location.as_ref().unwrap().line, 47, "{frames:?}");
}
