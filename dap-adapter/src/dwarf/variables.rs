//! Variables in scope at a pc, and where their values are: DWARF location expressions and
//! location lists evaluated with gimli against the stopped wasm frame (its locals, operand
//! stack and globals, and the instance's linear memory).

use std::ops::Range;

use gimli::Reader as _;

use super::Slice;
use super::types::{TypeId, TypeReader};

/// The stopped frame's wasm state, as a location expression needs it.
pub trait Machine {
    /// Wasm local `index` of the frame.
    fn local(&mut self, index: u32) -> Option<gimli::Value>;
    /// Wasm global `index` of the instance.
    fn global(&mut self, index: u32) -> Option<gimli::Value>;
    /// Operand stack slot `index` of the frame (0 = bottom).
    fn stack(&mut self, index: u32) -> Option<gimli::Value>;
    /// Fills `buffer` from linear memory at `address`; false when out of bounds.
    fn read(&mut self, address: u64, buffer: &mut [u8]) -> bool;
}

/// A variable declared in a scope that contains the pc.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Source name.
    pub name: String,
    /// Its type.
    pub ty: Option<TypeId>,
    /// A function parameter rather than a local.
    pub parameter: bool,
    unit: usize,
    location: Option<gimli::AttributeValue<Slice>>,
    frame_base: Option<gimli::Expression<Slice>>,
}

/// Where a variable's value is at the pc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// In linear memory at this address.
    Memory(u64),
    /// Held outside memory (a wasm local or stack slot, a constant, pieces): its bytes,
    /// little-endian.
    Bytes(Vec<u8>),
    /// Not available at this pc (optimised out, or not yet live).
    Unavailable,
}

/// Variables and types of one module.
pub struct VariableIndex {
    dwarf: gimli::Dwarf<Slice>,
    units: Vec<gimli::Unit<Slice>>,
    /// Address ranges of each unit, to find the unit of a pc.
    ranges: Vec<(Range<u64>, usize)>,
}

impl std::fmt::Debug for VariableIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VariableIndex")
            .field("units", &self.units.len())
            .finish()
    }
}

fn die_ranges(
    dwarf: &gimli::Dwarf<Slice>,
    unit: &gimli::Unit<Slice>,
    entry: &gimli::DebuggingInformationEntry<Slice>,
) -> Vec<Range<u64>> {
    let mut found = Vec::new();
    if let Ok(mut ranges) = dwarf.die_ranges(unit, entry) {
        while let Ok(Some(range)) = ranges.next() {
            if range.begin < range.end && !super::lines::is_tombstone(range.begin) {
                found.push(range.begin..range.end);
            }
        }
    }
    found
}

impl VariableIndex {
    /// Parses the unit headers of `dwarf`; DIEs are read on demand.
    pub fn new(dwarf: gimli::Dwarf<Slice>) -> Result<VariableIndex, gimli::Error> {
        let mut units = Vec::new();
        let mut ranges = Vec::new();
        let mut headers = dwarf.units();
        while let Some(header) = headers.next()? {
            let unit = dwarf.unit(header)?;
            let index = units.len();
            let mut unit_ranges = dwarf.unit_ranges(&unit)?;
            while let Some(range) = unit_ranges.next()? {
                if range.begin < range.end && !super::lines::is_tombstone(range.begin) {
                    ranges.push((range.begin..range.end, index));
                }
            }
            units.push(unit);
        }
        Ok(VariableIndex { dwarf, units, ranges })
    }

    /// Reads types.
    pub fn types(&self) -> TypeReader<'_> {
        TypeReader {
            dwarf: &self.dwarf,
            units: &self.units,
        }
    }

    /// The variables visible at `address` (a DWARF address) in the frame `inline_depth` levels
    /// out from the innermost inlined call (0 = innermost). Innermost scopes' variables
    /// shadow outer ones of the same name.
    pub fn variables_at(&self, address: u64, inline_depth: usize) -> Vec<Variable> {
        let Some(&(_, unit_index)) = self.ranges.iter().find(|(range, _)| range.contains(&address)) else {
            return Vec::new();
        };
        let unit = &self.units[unit_index];
        let Ok(mut tree) = unit.entries_tree(None) else {
            return Vec::new();
        };
        let Ok(root) = tree.root() else { return Vec::new() };
        let mut levels: Vec<Vec<Variable>> = Vec::new();
        let mut frame_base = None;
        self.visit(unit_index, root, address, &mut levels, &mut frame_base);
        levels.reverse();
        let mut variables = levels.into_iter().nth(inline_depth).unwrap_or_default();
        // Declaration order, innermost block winning over an outer one with the same name.
        let mut seen = std::collections::HashSet::new();
        variables.reverse();
        variables.retain(|v| v.name.is_empty() || seen.insert(v.name.clone()));
        variables.reverse();
        variables
    }

    /// The variables with static storage of the compilation unit of `address`: C globals and
    /// `static`s, Rust `static`s (in their modules' namespaces).
    pub fn globals_at(&self, address: u64) -> Vec<Variable> {
        let Some(&(_, unit_index)) = self.ranges.iter().find(|(range, _)| range.contains(&address)) else {
            return Vec::new();
        };
        let unit = &self.units[unit_index];
        let mut found = Vec::new();
        let Ok(mut tree) = unit.entries_tree(None) else {
            return found;
        };
        let Ok(root) = tree.root() else { return found };
        self.collect_globals(unit_index, root, &mut found, 0);
        found
    }

    fn collect_globals(
        &self,
        unit_index: usize,
        node: gimli::EntriesTreeNode<Slice>,
        found: &mut Vec<Variable>,
        depth: usize,
    ) {
        let mut children = node.children();
        while let Ok(Some(child)) = children.next() {
            let entry = child.entry();
            match entry.tag() {
                // A static has an address; a declaration or constant does not.
                gimli::DW_TAG_variable if entry.attr_value(gimli::DW_AT_location).is_some() => {
                    if let Some(variable) = self.variable(unit_index, entry, None) {
                        found.push(variable);
                    }
                }
                gimli::DW_TAG_namespace if depth < 16 => self.collect_globals(unit_index, child, found, depth + 1),
                _ => {}
            }
        }
    }

    fn visit(
        &self,
        unit_index: usize,
        node: gimli::EntriesTreeNode<Slice>,
        address: u64,
        levels: &mut Vec<Vec<Variable>>,
        frame_base: &mut Option<gimli::Expression<Slice>>,
    ) {
        let unit = &self.units[unit_index];
        let tag = node.entry().tag();
        let is_scope = matches!(
            tag,
            gimli::DW_TAG_subprogram | gimli::DW_TAG_inlined_subroutine | gimli::DW_TAG_lexical_block
        );
        if is_scope {
            let ranges = die_ranges(&self.dwarf, unit, node.entry());
            if !ranges.iter().any(|r| r.contains(&address)) {
                return;
            }
            if tag == gimli::DW_TAG_subprogram {
                *frame_base = match node.entry().attr_value(gimli::DW_AT_frame_base) {
                    Some(gimli::AttributeValue::Exprloc(expression)) => Some(expression),
                    _ => None,
                };
            }
            if tag != gimli::DW_TAG_lexical_block || levels.is_empty() {
                levels.push(Vec::new());
            }
        }
        let mut children = node.children();
        while let Ok(Some(child)) = children.next() {
            let entry = child.entry();
            match entry.tag() {
                gimli::DW_TAG_variable | gimli::DW_TAG_formal_parameter if !levels.is_empty() => {
                    if let Some(variable) = self.variable(unit_index, entry, frame_base.clone())
                        && let Some(level) = levels.last_mut()
                    {
                        level.push(variable);
                    }
                }
                gimli::DW_TAG_subprogram | gimli::DW_TAG_inlined_subroutine | gimli::DW_TAG_lexical_block => {
                    self.visit(unit_index, child, address, levels, frame_base);
                }
                // Functions nest in namespaces (Rust modules) and types (methods).
                gimli::DW_TAG_namespace
                | gimli::DW_TAG_structure_type
                | gimli::DW_TAG_class_type
                | gimli::DW_TAG_union_type
                | gimli::DW_TAG_enumeration_type
                    if levels.is_empty() =>
                {
                    self.visit(unit_index, child, address, levels, frame_base);
                }
                _ => {}
            }
        }
    }

    fn variable(
        &self,
        unit_index: usize,
        entry: &gimli::DebuggingInformationEntry<Slice>,
        frame_base: Option<gimli::Expression<Slice>>,
    ) -> Option<Variable> {
        let unit = &self.units[unit_index];
        // Inlined and concrete copies keep their name and type on the abstract origin.
        let mut origin = entry.clone();
        for _ in 0..4 {
            match origin.attr_value(gimli::DW_AT_abstract_origin) {
                Some(gimli::AttributeValue::UnitRef(offset)) => origin = unit.entry(offset).ok()?,
                _ => break,
            }
        }
        let name = origin
            .attr_value(gimli::DW_AT_name)
            .or_else(|| entry.attr_value(gimli::DW_AT_name))
            .and_then(|value| self.dwarf.attr_string(unit, value).ok())
            .and_then(|text| text.to_string_lossy().ok().map(|s| s.into_owned()))
            .unwrap_or_default();
        let ty = match entry
            .attr_value(gimli::DW_AT_type)
            .or_else(|| origin.attr_value(gimli::DW_AT_type))
        {
            Some(gimli::AttributeValue::UnitRef(offset)) => Some(TypeId {
                unit: unit_index,
                offset,
            }),
            _ => None,
        };
        let location = entry
            .attr_value(gimli::DW_AT_location)
            .or_else(|| entry.attr_value(gimli::DW_AT_const_value));
        Some(Variable {
            name,
            ty,
            parameter: entry.tag() == gimli::DW_TAG_formal_parameter,
            unit: unit_index,
            location,
            frame_base,
        })
    }

    /// Where `variable`'s value is at `address`.
    pub fn place(&self, variable: &Variable, address: u64, machine: &mut dyn Machine) -> Result<Place, String> {
        let unit = &self.units[variable.unit];
        let expression = match &variable.location {
            None => return Ok(Place::Unavailable),
            Some(gimli::AttributeValue::Exprloc(expression)) => expression.clone(),
            Some(gimli::AttributeValue::LocationListsRef(offset)) => {
                match self.live_expression(unit, *offset, address)? {
                    Some(expression) => expression,
                    None => return Ok(Place::Unavailable),
                }
            }
            Some(gimli::AttributeValue::Sdata(value)) => return Ok(Place::Bytes(value.to_le_bytes().to_vec())),
            Some(gimli::AttributeValue::Block(block)) => {
                return Ok(Place::Bytes(block.to_slice().map_err(|e| e.to_string())?.into_owned()));
            }
            Some(other) => match other.udata_value() {
                Some(value) => return Ok(Place::Bytes(value.to_le_bytes().to_vec())),
                None => return Err("unsupported location form".into()),
            },
        };
        evaluate(unit, &expression, variable.frame_base.as_ref(), machine)
    }

    fn live_expression(
        &self,
        unit: &gimli::Unit<Slice>,
        offset: gimli::LocationListsOffset,
        address: u64,
    ) -> Result<Option<gimli::Expression<Slice>>, String> {
        let mut entries = self.dwarf.locations(unit, offset).map_err(|e| e.to_string())?;
        while let Some(entry) = entries.next().map_err(|e| e.to_string())? {
            if entry.range.begin <= address && address < entry.range.end {
                return Ok(Some(entry.data));
            }
        }
        Ok(None)
    }
}

/// Evaluations longer than this are malformed (a loop in `DW_OP_skip`).
const MAX_STEPS: usize = 1000;

fn evaluate(
    unit: &gimli::Unit<Slice>,
    expression: &gimli::Expression<Slice>,
    frame_base: Option<&gimli::Expression<Slice>>,
    machine: &mut dyn Machine,
) -> Result<Place, String> {
    let pieces = run(unit, expression, frame_base, machine, 0)?;
    if pieces.is_empty() {
        return Ok(Place::Unavailable);
    }
    if let [piece] = pieces.as_slice()
        && piece.size_in_bits.is_none()
    {
        return match &piece.location {
            gimli::Location::Address { address } => Ok(Place::Memory(*address)),
            gimli::Location::Empty => Ok(Place::Unavailable),
            other => location_bytes(other, None, machine),
        };
    }
    // Pieces: assemble the value's bytes (byte-aligned pieces; that is what compilers emit).
    let mut bytes = Vec::new();
    for piece in &pieces {
        let size = piece.size_in_bits.map(|bits| bits.div_ceil(8) as usize);
        match location_bytes(&piece.location, size, machine)? {
            Place::Bytes(part) => bytes.extend(part),
            _ => return Ok(Place::Unavailable), // part of the value is optimised out
        }
    }
    Ok(Place::Bytes(bytes))
}

fn location_bytes(
    location: &gimli::Location<Slice>,
    size: Option<usize>,
    machine: &mut dyn Machine,
) -> Result<Place, String> {
    let mut bytes = match location {
        gimli::Location::Address { address } => {
            let mut buffer = vec![0; size.unwrap_or(8)];
            if !machine.read(*address, &mut buffer) {
                return Err(format!("address {address:#x} is outside linear memory"));
            }
            buffer
        }
        gimli::Location::Value { value } => value_bytes(*value),
        gimli::Location::Bytes { value } => value.to_slice().map_err(|e| e.to_string())?.into_owned(),
        gimli::Location::Empty => return Ok(Place::Unavailable),
        gimli::Location::Register { .. } => return Err("a register location in wasm".into()),
        gimli::Location::ImplicitPointer { .. } => return Err("implicit pointers are not supported".into()),
    };
    if let Some(size) = size {
        bytes.resize(size, 0);
    }
    Ok(Place::Bytes(bytes))
}

fn value_bytes(value: gimli::Value) -> Vec<u8> {
    match value {
        gimli::Value::Generic(v) | gimli::Value::U64(v) => v.to_le_bytes().to_vec(),
        gimli::Value::I64(v) => v.to_le_bytes().to_vec(),
        gimli::Value::I8(v) => v.to_le_bytes().to_vec(),
        gimli::Value::U8(v) => v.to_le_bytes().to_vec(),
        gimli::Value::I16(v) => v.to_le_bytes().to_vec(),
        gimli::Value::U16(v) => v.to_le_bytes().to_vec(),
        gimli::Value::I32(v) => v.to_le_bytes().to_vec(),
        gimli::Value::U32(v) => v.to_le_bytes().to_vec(),
        gimli::Value::F32(v) => v.to_le_bytes().to_vec(),
        gimli::Value::F64(v) => v.to_le_bytes().to_vec(),
    }
}

fn run(
    unit: &gimli::Unit<Slice>,
    expression: &gimli::Expression<Slice>,
    frame_base: Option<&gimli::Expression<Slice>>,
    machine: &mut dyn Machine,
    depth: usize,
) -> Result<Vec<gimli::Piece<Slice>>, String> {
    let error = |e: gimli::Error| e.to_string();
    let mut evaluation = expression.clone().evaluation(unit.encoding());
    let mut result = evaluation.evaluate().map_err(error)?;
    for _ in 0..MAX_STEPS {
        result = match result {
            gimli::EvaluationResult::Complete => return Ok(evaluation.result()),
            gimli::EvaluationResult::RequiresWasmLocal { index } => {
                let value = machine
                    .local(index)
                    .ok_or(format!("wasm local {index} is not readable"))?;
                evaluation.resume_with_wasm_value(value).map_err(error)?
            }
            gimli::EvaluationResult::RequiresWasmGlobal { index } => {
                let value = machine
                    .global(index)
                    .ok_or(format!("wasm global {index} is not readable"))?;
                evaluation.resume_with_wasm_value(value).map_err(error)?
            }
            gimli::EvaluationResult::RequiresWasmStack { index } => {
                let value = machine
                    .stack(index)
                    .ok_or(format!("operand stack slot {index} is not readable"))?;
                evaluation.resume_with_wasm_value(value).map_err(error)?
            }
            gimli::EvaluationResult::RequiresFrameBase => {
                let base = frame_base
                    .filter(|_| depth == 0)
                    .ok_or("the function has no frame base")?;
                let pieces = run(unit, base, None, machine, depth + 1)?;
                let base = match pieces.first().map(|p| &p.location) {
                    Some(gimli::Location::Address { address }) => *address,
                    Some(gimli::Location::Value { value }) => value.to_u64(!0).map_err(error)?,
                    _ => return Err("the frame base is not available here".into()),
                };
                evaluation.resume_with_frame_base(base).map_err(error)?
            }
            gimli::EvaluationResult::RequiresMemory { address, size, .. } => {
                let mut buffer = [0u8; 8];
                let size = usize::from(size).min(8);
                if !machine.read(address, &mut buffer[..size]) {
                    return Err(format!("address {address:#x} is outside linear memory"));
                }
                evaluation
                    .resume_with_memory(gimli::Value::Generic(u64::from_le_bytes(buffer)))
                    .map_err(error)?
            }
            gimli::EvaluationResult::RequiresRelocatedAddress(address) => {
                evaluation.resume_with_relocated_address(address).map_err(error)?
            }
            other => return Err(format!("unsupported in a location expression: {other:?}")),
        };
    }
    Err("the location expression does not finish".into())
}
