//! The examples' real DWARF with random byte mutations: bits flipped, bytes and 32-bit
//! numbers set to edge values, sections cut short, chunks copied over others.

use crate::exercise::{Reached, exercise};
use crate::rng::{Rng, run_cases};

/// A module split into its code (everything but DWARF, as raw sections) and its DWARF.
struct Parts {
    sections: Vec<(u8, Vec<u8>)>,
    dwarf: Vec<(String, Vec<u8>)>,
}

fn parts(bytes: &[u8]) -> Parts {
    let mut parts = Parts {
        sections: Vec::new(),
        dwarf: Vec::new(),
    };
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.expect("the example parses");
        if let wasmparser::Payload::CustomSection(reader) = &payload
            && reader.name().starts_with(".debug_")
        {
            parts.dwarf.push((reader.name().to_string(), reader.data().to_vec()));
            continue;
        }
        if let wasmparser::Payload::CustomSection(_) = &payload {
            continue; // names and producers: not needed
        }
        if let Some((id, range)) = payload.as_section() {
            parts.sections.push((id, bytes[range].to_vec()));
        }
    }
    parts
}

fn assemble(parts: &Parts, dwarf: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    for (id, data) in &parts.sections {
        module.section(&wasm_encoder::RawSection { id: *id, data });
    }
    for (name, data) in dwarf {
        module.section(&wasm_encoder::CustomSection {
            name: name.as_str().into(),
            data: data.as_slice().into(),
        });
    }
    module.finish()
}

fn mutate(data: &mut Vec<u8>, rng: &mut Rng) {
    if data.is_empty() {
        return;
    }
    let at = rng.index(data.len());
    // Cutting a section short mostly ends the parse at once: rarely.
    match rng.below(12) {
        0 => data[at] ^= 1 << rng.below(8),
        1 => data[at] = *rng.pick(&[0, 1, 0x7f, 0x80, 0xff]),
        2 => {
            let value: u32 = *rng.pick(&[0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fff0]);
            for (i, byte) in value.to_le_bytes().into_iter().enumerate() {
                if let Some(slot) = data.get_mut(at + i) {
                    *slot = byte;
                }
            }
        }
        3 if rng.chance(30) => data.truncate(at),
        4 => {
            // A chunk copied elsewhere: references now point at plausible but wrong DWARF.
            let len = rng.index(64).min(data.len() - at);
            let chunk = data[at..at + len].to_vec();
            let to = rng.index(data.len());
            for (i, byte) in chunk.into_iter().enumerate() {
                if let Some(slot) = data.get_mut(to + i) {
                    *slot = byte;
                }
            }
        }
        _ => data[at] = rng.next_u64() as u8,
    }
}

fn mutations_of(example: &str, default_cases: u64, pcs: usize) {
    let path = format!("{}/../examples/{example}", env!("CARGO_MANIFEST_DIR"));
    let original = parts(&std::fs::read(&path).expect("the example is built"));
    assert!(!original.dwarf.is_empty(), "{example} has DWARF");
    let mut reached = Reached::default();
    run_cases(example, default_cases, |seed| {
        let mut rng = Rng::new(seed);
        let mut dwarf = original.dwarf.clone();
        for _ in 0..1 + rng.below(3) {
            let section = rng.index(dwarf.len());
            mutate(&mut dwarf[section].1, &mut rng);
        }
        reached += exercise(&assemble(&original, &dwarf), &mut rng, pcs, false);
    });
    eprintln!("{example}: reached {reached:?}");
}

#[test]
fn mutated_c_hello_dwarf() {
    mutations_of("c-hello/c_hello.wasm", 30, 16);
}

#[test]
fn mutated_c_variables_dwarf() {
    mutations_of("c-variables/c_variables.wasm", 30, 16);
}

#[test]
fn mutated_optimised_c_variables_dwarf() {
    // -O1: location lists, pieces, values in wasm locals.
    mutations_of("c-variables/c_variables_o1.wasm", 30, 16);
}

#[test]
fn mutated_rust_dwarf() {
    // 3 MB of DWARF: few cases, it is the slowest module to index.
    mutations_of("variables/variables.wasm", 4, 8);
}
