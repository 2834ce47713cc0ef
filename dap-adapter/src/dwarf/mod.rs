//! The DWARF of a wasm module, indexed for a debugger: line tables in both directions
//! (code offset ↔ file and line), statement boundaries for stepping, and function names with
//! inlined frames (through `addr2line`).
//!
//! Addresses: DWARF addresses in wasm are offsets into the code section's payload; wasmtime's
//! `ModulePC` is an offset into the module file. `module_pc = dwarf_address + code_offset`.

mod functions;
pub mod limits;
mod lines;
mod paths;
pub mod types;
pub mod variables;

use std::collections::HashMap;
use std::sync::Arc;

use gimli::{EndianArcSlice, LittleEndian};

pub use lines::{BreakpointPlacement, LineRow};
pub use paths::{SourcePaths, path_suffix_score};

type Slice = EndianArcSlice<LittleEndian>;

/// Most functions a function breakpoint binds to (one name can have many inlined copies).
pub const MAX_FUNCTION_ENTRIES: usize = 1024;
/// Ranges of a function, and candidate rows in them, looked at for the end of its prologue.
const ENTRY_RANGES_SEARCHED: usize = 8;
const ENTRY_CANDIDATES: usize = 64;

/// A source position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceLocation {
    /// File path as recorded in DWARF.
    pub file: String,
    /// Line, 1-based.
    pub line: u32,
    /// Column, 1-based (0 when unknown).
    pub column: u32,
}

/// One frame at a pc: the function and where in it; inlined frames come first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFrame {
    /// Demangled function name.
    pub function: String,
    /// Where, if known.
    pub location: Option<SourceLocation>,
    /// Whether this frame was inlined into the next one.
    pub inlined: bool,
}

/// Why a module has no usable debug information.
#[derive(Debug, thiserror::Error)]
pub enum DwarfError {
    /// No `.debug_info` section.
    #[error("the module has no DWARF debug information (build it with -g)")]
    Missing,
    /// The module or its DWARF does not parse.
    #[error("cannot read the module's debug information: {0}")]
    Invalid(String),
}

/// The index of one module.
pub struct DwarfIndex {
    code_offset: u64,
    /// Per function body, in module order: where its first instruction is and where it ends
    /// (module offsets). DWARF can point at a body's local declarations, which are not code.
    bodies: Vec<std::ops::Range<u64>>,
    lines: lines::LineTable,
    functions: Vec<functions::FunctionEntry>,
    // addr2line parses lazily through `OnceCell`s, so it is not `Sync`; lookups take turns.
    context: std::sync::Mutex<addr2line::Context<Slice>>,
    /// Variables and types; shared with the debuggee thread, which reads values.
    variables: Arc<variables::VariableIndex>,
}

impl std::fmt::Debug for DwarfIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DwarfIndex")
            .field("code_offset", &self.code_offset)
            .field("files", &self.lines.files.len())
            .finish()
    }
}

impl DwarfIndex {
    /// Indexes the DWARF in module bytes.
    pub fn from_module(bytes: &[u8]) -> Result<DwarfIndex, DwarfError> {
        let mut sections: HashMap<&str, &[u8]> = HashMap::new();
        let mut code_offset = None;
        let mut bodies = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            match payload.map_err(|e| DwarfError::Invalid(e.to_string()))? {
                wasmparser::Payload::CodeSectionStart { range, .. } => code_offset = Some(range.start as u64),
                wasmparser::Payload::CodeSectionEntry(body) => {
                    let code = body
                        .get_operators_reader()
                        .map_err(|e| DwarfError::Invalid(e.to_string()))?;
                    bodies.push(code.original_position() as u64..body.range().end as u64);
                }
                wasmparser::Payload::CustomSection(reader) if reader.name().starts_with(".debug_") => {
                    sections.insert(reader.name(), reader.data());
                }
                _ => {}
            }
        }
        if !sections.contains_key(".debug_info") {
            return Err(DwarfError::Missing);
        }
        let code_offset = code_offset.ok_or_else(|| DwarfError::Invalid("the module has no code".into()))?;
        let shared: HashMap<&str, Arc<[u8]>> = sections.iter().map(|(name, data)| (*name, Arc::from(*data))).collect();
        let load = |id: gimli::SectionId| -> Result<Slice, gimli::Error> {
            let data = shared.get(id.name()).cloned().unwrap_or_else(|| Arc::from(&[][..]));
            Ok(EndianArcSlice::new(data, LittleEndian))
        };
        let dwarf = gimli::Dwarf::load(load).map_err(|e| DwarfError::Invalid(e.to_string()))?;
        // Before anything that recurses over DIEs or expands ranges (addr2line does both).
        limits::check_structure(&dwarf).map_err(DwarfError::Invalid)?;
        let variables = gimli::Dwarf::load(load)
            .and_then(variables::VariableIndex::new)
            .map_err(|e| DwarfError::Invalid(e.to_string()))?;
        let lines = lines::LineTable::build(&dwarf).map_err(DwarfError::Invalid)?;
        let functions = functions::collect(&dwarf).map_err(DwarfError::Invalid)?;
        let context = std::sync::Mutex::new(
            addr2line::Context::from_dwarf(dwarf).map_err(|e| DwarfError::Invalid(e.to_string()))?,
        );
        Ok(DwarfIndex {
            code_offset,
            bodies,
            lines,
            functions,
            context,
            variables: Arc::new(variables),
        })
    }

    /// Variables and types, for reading values while stopped.
    pub fn variables(&self) -> Arc<variables::VariableIndex> {
        self.variables.clone()
    }

    /// Offset of the code section payload in the module file.
    pub fn code_offset(&self) -> u64 {
        self.code_offset
    }

    /// The module pc of the instruction at `module_pc`, or of the first instruction after it
    /// when it points into a body's header (size and local declarations).
    fn instruction_at_or_after(&self, module_pc: u64) -> u64 {
        let next = self.bodies.partition_point(|body| body.end <= module_pc);
        match self.bodies.get(next) {
            Some(body) if module_pc < body.start => body.start,
            _ => module_pc,
        }
    }

    fn address(&self, module_pc: u32) -> Option<u64> {
        u64::from(module_pc).checked_sub(self.code_offset)
    }

    /// Every source file with line information.
    pub fn files(&self) -> &[String] {
        &self.lines.files
    }

    /// The line row covering a module pc.
    pub fn location(&self, module_pc: u32) -> Option<SourceLocation> {
        let row = self.lines.row_at(self.address(module_pc)?)?;
        Some(self.lines.location(row))
    }

    /// The statement that starts exactly at this pc, if one does (a place stepping stops).
    pub fn statement_at(&self, module_pc: u32) -> Option<SourceLocation> {
        let row = self.lines.statement_starting_at(self.address(module_pc)?)?;
        Some(self.lines.location(row))
    }

    /// Frames at a pc, inlined ones first. `return_address` is set for caller frames, whose
    /// pc is the instruction after the call; the line of the call is looked up instead.
    pub fn frames(&self, module_pc: u32, return_address: bool) -> Vec<SourceFrame> {
        let Some(mut address) = self.address(module_pc) else {
            return Vec::new();
        };
        if return_address {
            address = address.saturating_sub(1);
        }
        let mut frames = Vec::new();
        let context = self.context.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Ok(mut iter) = context.find_frames(address).skip_all_loads() {
            while let Ok(Some(frame)) = iter.next() {
                let function = frame
                    .function
                    .as_ref()
                    .and_then(|name| name.demangle().ok().map(|n| n.into_owned()))
                    .unwrap_or_else(|| "<unknown>".to_string());
                let location = frame.location.and_then(|location| {
                    Some(SourceLocation {
                        file: location.file?.to_string(),
                        line: location.line?,
                        column: location.column.unwrap_or(0),
                    })
                });
                frames.push(SourceFrame {
                    function,
                    location,
                    inlined: true,
                });
            }
        }
        drop(context);
        if let Some(last) = frames.last_mut() {
            last.inlined = false;
        }
        // addr2line reports the call site line for outer frames; the innermost line comes from
        // the line table, which knows statement boundaries.
        if let (Some(first), Some(location)) = (
            frames.first_mut(),
            self.lines.row_at(address).map(|r| self.lines.location(r)),
        ) {
            first.location = Some(location);
        }
        frames
    }

    /// How many inlined frames enclose the code at this pc (0 outside inlined code).
    pub fn inline_depth(&self, module_pc: u32) -> usize {
        let Some(address) = self.address(module_pc) else {
            return 0;
        };
        let context = self.context.lock().unwrap_or_else(|poison| poison.into_inner());
        let mut count = 0usize;
        if let Ok(mut iter) = context.find_frames(address).skip_all_loads() {
            while let Ok(Some(_)) = iter.next() {
                count += 1;
            }
        }
        count.saturating_sub(1)
    }

    /// Module pcs of the functions `name` designates (short or qualified name): where each
    /// function's own code starts after its prologue. At most [`MAX_FUNCTION_ENTRIES`].
    pub fn function_entries(&self, name: &str) -> Vec<u64> {
        let mut pcs: Vec<u64> = self
            .functions
            .iter()
            .filter(|f| functions::matches(f, name))
            .take(MAX_FUNCTION_ENTRIES)
            .filter_map(|f| self.module_pc(self.entry_after_prologue(f)))
            .map(|pc| self.instruction_at_or_after(pc))
            .collect();
        pcs.sort_unstable();
        pcs.dedup();
        pcs
    }

    /// The module pc of a DWARF address, when it is one (DWARF addresses are arbitrary
    /// numbers; module pcs are offsets in a module, below 4 GiB).
    fn module_pc(&self, address: u64) -> Option<u64> {
        address
            .checked_add(self.code_offset)
            .filter(|pc| u32::try_from(*pc).is_ok())
    }

    /// Where a function body's own code starts: the first `prologue_end` row, else the first
    /// statement, that is in the body and not in something inlined into it. Optimised code can
    /// mark the end of the prologue inside an inlined callee, and stopping there would show the
    /// callee, not the function asked for; `low_pc` itself is where the local declarations are,
    /// not an instruction. Only the first rows of the first ranges are looked at: the prologue
    /// is at the start, and a hostile line table could make every function cover every row.
    fn entry_after_prologue(&self, function: &functions::FunctionEntry) -> u64 {
        let in_body = |address: &u64| function.ranges.iter().any(|range| range.contains(address));
        let own_code = |address: &u64| {
            let Some(pc) = self.module_pc(*address).and_then(|pc| u32::try_from(pc).ok()) else {
                return false;
            };
            self.frames(pc, false)
                .first()
                .is_some_and(|frame| functions::without_hash(&frame.function) == function.qualified)
        };
        let ranges = || function.ranges.iter().take(ENTRY_RANGES_SEARCHED);
        let prologue_ends = ranges().flat_map(|range| self.lines.prologue_ends(range.start, range.end));
        let statements = ranges().flat_map(|range| self.lines.statements_in(range.start, range.end));
        prologue_ends
            .chain(statements.clone())
            .take(ENTRY_CANDIDATES)
            .find(|address| in_body(address) && own_code(address))
            .or_else(|| statements.clone().next())
            .unwrap_or(function.low_pc())
    }

    /// Where a breakpoint at `line` of the files `files` (indices into [`files`](Self::files))
    /// goes: module pcs, and the line they are on.
    pub fn place_breakpoint(&self, files: &[usize], line: u32) -> BreakpointPlacement {
        match self.lines.place_breakpoint(files, line) {
            BreakpointPlacement::At { line, addresses } => {
                let addresses: Vec<u64> = addresses
                    .into_iter()
                    .filter_map(|a| self.module_pc(a))
                    .map(|pc| self.instruction_at_or_after(pc))
                    .collect();
                // Addresses that are no module pc (hostile DWARF) are no code to stop at.
                if addresses.is_empty() {
                    BreakpointPlacement::NoCodeAfter
                } else {
                    BreakpointPlacement::At { line, addresses }
                }
            }
            other => other,
        }
    }
}
