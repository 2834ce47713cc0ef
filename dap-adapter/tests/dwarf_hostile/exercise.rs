//! Every entry point of the DWARF layer that works without a live plugin, driven with
//! random arguments against one module: the index, breakpoints, function entries, frames,
//! variables and their places, and values rendered and expanded from a fake stopped frame.

use qirvo_dap::disassembly::Disassembly;
use qirvo_dap::dwarf::variables::{Machine, Place, VariableIndex};
use qirvo_dap::dwarf::{BreakpointPlacement, DwarfIndex, SourcePaths, path_suffix_score};
use qirvo_dap::values::{Children, Rendered, Renderer};

use crate::rng::Rng;

/// A stopped frame made of random bytes: linear memory, and values for wasm locals, globals
/// and stack slots (the same list for all three).
pub struct FakeMachine {
    pub memory: Vec<u8>,
    pub values: Vec<u64>,
    /// Every read succeeds (with `0x41` bytes), at any address: reaches the code paths that
    /// walk towards the end of the address space.
    pub everything_readable: bool,
}

impl FakeMachine {
    pub fn random(rng: &mut Rng) -> FakeMachine {
        let mut memory = rng.bytes(4096);
        // Pointers into this memory, so that following them reads more of it.
        for chunk in memory.chunks_mut(4) {
            if rng.chance(30) {
                let pointer = rng.below(4096) as u32;
                chunk.copy_from_slice(&pointer.to_le_bytes()[..chunk.len()]);
            }
        }
        let values = (0..8)
            .map(|_| if rng.chance(70) { rng.below(4096) } else { rng.size() })
            .collect();
        FakeMachine {
            memory,
            values,
            everything_readable: rng.chance(10),
        }
    }

    fn value(&self, index: u32) -> Option<gimli::Value> {
        let value = *self.values.get(usize::try_from(index).ok()?)?;
        Some(gimli::Value::Generic(value))
    }
}

impl Machine for FakeMachine {
    fn local(&mut self, index: u32) -> Option<gimli::Value> {
        self.value(index)
    }

    fn global(&mut self, index: u32) -> Option<gimli::Value> {
        self.value(index)
    }

    fn stack(&mut self, index: u32) -> Option<gimli::Value> {
        self.value(index)
    }

    fn read(&mut self, address: u64, buffer: &mut [u8]) -> bool {
        if self.everything_readable {
            buffer.fill(0x41);
            return true;
        }
        let Ok(start) = usize::try_from(address) else {
            return false;
        };
        let Some(bytes) = start
            .checked_add(buffer.len())
            .and_then(|end| self.memory.get(start..end))
        else {
            return false;
        };
        buffer.copy_from_slice(bytes);
        true
    }
}

/// How far a run got, to check that random cases reach past the parsers.
#[derive(Debug, Default)]
pub struct Reached {
    pub indexed: u64,
    pub frames: u64,
    pub variables: u64,
    pub values: u64,
    pub children: u64,
}

impl std::ops::AddAssign for Reached {
    fn add_assign(&mut self, other: Reached) {
        self.indexed += other.indexed;
        self.frames += other.frames;
        self.variables += other.variables;
        self.values += other.values;
        self.children += other.children;
    }
}

const NAMES: &[&str] = &[
    "f",
    "g",
    "main",
    "start",
    "Hello::start",
    "qirvo_stop",
    "a::b",
    "",
    "::",
];

/// Drives every entry point against `module`. `pcs` module pcs are looked at.
pub fn exercise(module: &[u8], rng: &mut Rng, pcs: usize, disassemble: bool) -> Reached {
    let mut reached = Reached::default();
    if disassemble && let Ok(disassembly) = Disassembly::of_module(module) {
        let pc = rng.below(module.len() as u64 + 8) as u32;
        let offsets = [0, -3, 5, i64::MIN, i64::MAX];
        disassembly.window(pc, *rng.pick(&offsets), rng.index(16));
    }
    let Ok(index) = DwarfIndex::from_module(module) else {
        return reached;
    };
    reached.indexed += 1;
    let files = index.files().len();
    let paths = SourcePaths::default();
    for file in index.files().iter().take(8) {
        paths.to_local(file);
        path_suffix_score(file, "/qirvo/examples/hello/src/lib.rs");
    }
    // Pcs where code is, as breakpoints and function entries find them.
    let mut known_pcs = Vec::new();
    for _ in 0..8 {
        let chosen: Vec<usize> = (0..rng.below(3)).map(|_| rng.index(files + 2)).collect();
        let line = match rng.below(4) {
            0 => 0,
            1 => u32::MAX,
            _ => rng.below(40) as u32,
        };
        if let BreakpointPlacement::At { addresses, .. } = index.place_breakpoint(&chosen, line) {
            known_pcs.extend(addresses);
        }
    }
    for name in NAMES {
        known_pcs.extend(index.function_entries(name));
    }
    let code_offset = index.code_offset();
    let span = code_size(module);
    let variables = index.variables();
    let mut machine = FakeMachine::random(rng);
    for _ in 0..pcs {
        let pc = match rng.below(10) {
            0 => u32::MAX,
            1 => rng.below(code_offset + 1) as u32,
            2..=4 if !known_pcs.is_empty() => *rng.pick(&known_pcs) as u32,
            _ => (code_offset + rng.below(span + 1)) as u32,
        };
        index.location(pc);
        index.statement_at(pc);
        let frames = index.frames(pc, rng.chance(50));
        reached.frames += u64::from(!frames.is_empty());
        let depth = index.inline_depth(pc);
        let address = u64::from(pc).saturating_sub(code_offset);
        for inline_depth in [0, depth, depth + 1] {
            reached += values_at(&variables, address, inline_depth, &mut machine, rng);
        }
        for global in variables.globals_at(address).iter().take(8) {
            reached += render_variable(&variables, global, address, &mut machine, rng);
        }
    }
    reached
}

/// Bytes of the module's code section.
fn code_size(module: &[u8]) -> u64 {
    wasmparser::Parser::new(0)
        .parse_all(module)
        .find_map(|payload| match payload {
            Ok(wasmparser::Payload::CodeSectionStart { range, .. }) => Some(range.len() as u64),
            _ => None,
        })
        .unwrap_or(0)
}

fn values_at(
    variables: &VariableIndex,
    address: u64,
    inline_depth: usize,
    machine: &mut FakeMachine,
    rng: &mut Rng,
) -> Reached {
    let mut reached = Reached::default();
    for variable in variables.variables_at(address, inline_depth).iter().take(8) {
        reached += render_variable(variables, variable, address, machine, rng);
    }
    reached
}

fn render_variable(
    variables: &VariableIndex,
    variable: &qirvo_dap::dwarf::variables::Variable,
    address: u64,
    machine: &mut FakeMachine,
    rng: &mut Rng,
) -> Reached {
    let mut reached = Reached {
        variables: 1,
        ..Reached::default()
    };
    let renderer = Renderer::new(variables.types());
    if let Some(ty) = variable.ty {
        variables.types().read(ty);
        variables.types().template_type(ty);
    }
    // A variable's place, and also places the DWARF did not choose.
    let mut places = vec![Place::Memory(rng.below(4096)), Place::Bytes(rng.some_bytes(24))];
    if let Ok(place) = variables.place(variable, address, machine) {
        places.insert(0, place);
    }
    for place in places {
        let rendered = renderer.render(variable.ty, &place, machine);
        reached.values += 1;
        let mut budget = 16;
        reached.children += expand(&renderer, &rendered, machine, rng, 0, &mut budget);
    }
    reached
}

/// Expands a value's children a few levels down, as a client clicking through would.
fn expand(
    renderer: &Renderer<'_>,
    rendered: &Rendered,
    machine: &mut FakeMachine,
    rng: &mut Rng,
    depth: usize,
    budget: &mut usize,
) -> u64 {
    let Some(children) = &rendered.children else {
        return 0;
    };
    if depth >= 4 || *budget == 0 {
        return 0;
    }
    *budget -= 1;
    let mut expanded = 1;
    let rows: Vec<Rendered> = match children {
        Children::Fields { place, ty } => {
            let fields = renderer.fields(place, *ty, machine);
            if let Some((name, _)) = fields.first() {
                renderer.child(children, name, machine);
            }
            renderer.child(children, "no such field", machine);
            fields.into_iter().take(8).map(|(_, rendered)| rendered).collect()
        }
        Children::Elements { count, .. } => {
            let count = *count;
            renderer.child(children, "[0]", machine);
            renderer.child(children, &format!("[{}]", u64::MAX), machine);
            let indices = [
                0,
                1,
                count / 2,
                count.saturating_sub(1),
                count,
                u64::MAX,
                rng.next_u64(),
            ];
            indices
                .into_iter()
                .map(|i| {
                    renderer.locate(children, i);
                    renderer.element(children, i, machine, 0)
                })
                .collect()
        }
        Children::Pointee { address, ty } => {
            renderer.child(children, "*", machine);
            vec![renderer.render(Some(*ty), &Place::Memory(*address), machine)]
        }
        Children::Entries(collection) => {
            renderer.child(children, "[0]", machine);
            renderer.child(children, "\"key\"", machine);
            let count = collection.count;
            let mut entries = Vec::new();
            for range in [
                0..8,
                count.saturating_sub(2)..count.saturating_add(2),
                u64::MAX - 1..u64::MAX,
            ] {
                entries.extend(renderer.entries(collection, range, machine));
            }
            entries
                .into_iter()
                .map(|entry| renderer.render(Some(entry.value.1), &entry.value.0, machine))
                .collect()
        }
    };
    for row in rows {
        expanded += expand(renderer, &row, machine, rng, depth + 1, budget);
    }
    expanded
}
