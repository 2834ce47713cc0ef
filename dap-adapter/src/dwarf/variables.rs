//! Variables in scope at a pc, and where their values are: DWARF location expressions and
//! location lists evaluated with gimli against the stopped wasm frame (its locals, operand
//! stack and globals, and the instance's linear memory).

use std::ops::Range;

use gimli::Reader as _;

use super::types::{TypeId, TypeReader};
use super::{Slice, limits};

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
    // Ranges that do not parse, or too many of them, cover no pc.
    limits::entry_ranges(dwarf, unit, entry).unwrap_or_default()
}

/// Deepest scope nesting walked for variables (namespaces, types, functions, blocks).
const MAX_SCOPE_DEPTH: usize = 128;

impl VariableIndex {
    /// Parses the unit headers of `dwarf`; DIEs are read on demand.
    pub fn new(dwarf: gimli::Dwarf<Slice>) -> Result<VariableIndex, gimli::Error> {
        let mut units = Vec::new();
        let mut ranges = Vec::new();
        let mut headers = dwarf.units();
        while let Some(header) = headers.next()? {
            let unit = dwarf.unit(header)?;
            let index = units.len();
            let mut entries = unit.entries();
            if let Some(root) = entries.next_dfs()? {
                ranges.extend(die_ranges(&dwarf, &unit, root).into_iter().map(|range| (range, index)));
            }
            units.push(unit);
        }
        Ok(VariableIndex { dwarf, units, ranges })
    }

    /// Reads types.
    pub fn types(&self) -> TypeReader<'_> {
        TypeReader::new(&self.dwarf, &self.units)
    }

    /// The variables visible at `address` (a DWARF address) in the frame `inline_depth` levels
    /// out from the innermost inlined call (0 = innermost). Innermost scopes' variables
    /// shadow outer ones of the same name.
    pub fn variables_at(&self, address: u64, inline_depth: usize) -> Vec<Variable> {
        let Some(&(_, unit_index)) = self.ranges.iter().find(|(range, _)| range.contains(&address)) else {
            return Vec::new();
        };
        let Some(unit) = self.units.get(unit_index) else {
            return Vec::new();
        };
        let Ok(mut tree) = unit.entries_tree(None) else {
            return Vec::new();
        };
        let Ok(root) = tree.root() else { return Vec::new() };
        let mut levels: Vec<Vec<Variable>> = Vec::new();
        let mut frame_base = None;
        self.visit(unit_index, root, address, &mut levels, &mut frame_base, 0);
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
        let mut found = Vec::new();
        let Some(unit) = self.units.get(unit_index) else {
            return found;
        };
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
        depth: usize,
    ) {
        let Some(unit) = self.units.get(unit_index) else { return };
        if depth > MAX_SCOPE_DEPTH {
            return;
        }
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
                    self.visit(unit_index, child, address, levels, frame_base, depth + 1);
                }
                // Functions nest in namespaces (Rust modules) and types (methods).
                gimli::DW_TAG_namespace
                | gimli::DW_TAG_structure_type
                | gimli::DW_TAG_class_type
                | gimli::DW_TAG_union_type
                | gimli::DW_TAG_enumeration_type
                    if levels.is_empty() =>
                {
                    self.visit(unit_index, child, address, levels, frame_base, depth + 1);
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
        let unit = self.units.get(unit_index)?;
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
            .and_then(|text| text.to_string_lossy().ok().map(limits::bounded_text))
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
        let unit = self
            .units
            .get(variable.unit)
            .ok_or("the variable is not from this module")?;
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
        evaluate(&self.dwarf, unit, &expression, variable.frame_base.as_ref(), machine)
    }

    fn live_expression(
        &self,
        unit: &gimli::Unit<Slice>,
        offset: gimli::LocationListsOffset,
        address: u64,
    ) -> Result<Option<gimli::Expression<Slice>>, String> {
        let mut entries = self.dwarf.locations(unit, offset).map_err(|e| e.to_string())?;
        // Lists can be shared by every variable: a long one is searched only so far.
        for _ in 0..limits::MAX_LOCATION_ENTRIES {
            let Some(entry) = entries.next().map_err(|e| e.to_string())? else {
                break;
            };
            if entry.range.begin <= address && address < entry.range.end {
                return Ok(Some(entry.data));
            }
        }
        Ok(None)
    }
}

/// Most times one evaluation may stop to ask for wasm state or memory.
const MAX_REQUESTS: usize = 1000;

fn evaluate(
    dwarf: &gimli::Dwarf<Slice>,
    unit: &gimli::Unit<Slice>,
    expression: &gimli::Expression<Slice>,
    frame_base: Option<&gimli::Expression<Slice>>,
    machine: &mut dyn Machine,
) -> Result<Place, String> {
    let pieces = run(dwarf, unit, expression, frame_base, machine, 0)?;
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
    // Piece sizes come from the DWARF: the total is bounded before anything is allocated.
    let mut total = 0u64;
    for piece in &pieces {
        total = total.saturating_add(piece.size_in_bits.map_or(8, |bits| bits.div_ceil(8)));
    }
    if total > limits::MAX_VALUE_BYTES {
        return Err(format!("the value's pieces add up to {total} bytes"));
    }
    let mut bytes = Vec::new();
    for piece in &pieces {
        let size = piece
            .size_in_bits
            .and_then(|bits| usize::try_from(bits.div_ceil(8)).ok());
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

/// The value type of the base type DIE at `offset` (`DW_OP_convert`, `DW_OP_deref_type`).
fn base_type(unit: &gimli::Unit<Slice>, offset: gimli::UnitOffset<usize>) -> Result<gimli::ValueType, String> {
    // Offset 0 is the generic type.
    if offset.0 == 0 {
        return Ok(gimli::ValueType::Generic);
    }
    let entry = unit.entry(offset).map_err(|e| e.to_string())?;
    let encoding = match entry.attr_value(gimli::DW_AT_encoding) {
        Some(gimli::AttributeValue::Encoding(encoding)) => encoding,
        _ => return Err("a typed operation names no base type".into()),
    };
    let size = entry
        .attr_value(gimli::DW_AT_byte_size)
        .and_then(|value| value.udata_value())
        .unwrap_or(0);
    gimli::ValueType::from_encoding(encoding, size)
        .ok_or_else(|| "a typed operation's base type is not a scalar".into())
}

fn run(
    dwarf: &gimli::Dwarf<Slice>,
    unit: &gimli::Unit<Slice>,
    expression: &gimli::Expression<Slice>,
    frame_base: Option<&gimli::Expression<Slice>>,
    machine: &mut dyn Machine,
    depth: usize,
) -> Result<Vec<gimli::Piece<Slice>>, String> {
    let error = |e: gimli::Error| match e {
        gimli::Error::TooManyIterations => "the location expression does not finish".to_string(),
        other => other.to_string(),
    };
    let mut evaluation = expression.clone().evaluation(unit.encoding());
    // Without a limit, `DW_OP_skip` back to itself loops inside `evaluate` forever.
    evaluation.set_max_iterations(limits::MAX_EXPRESSION_STEPS);
    let mut result = evaluation.evaluate().map_err(error)?;
    for _ in 0..MAX_REQUESTS {
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
                let pieces = run(dwarf, unit, base, None, machine, depth + 1)?;
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
            gimli::EvaluationResult::RequiresIndexedAddress { index, .. } => {
                let address = dwarf.address(unit, index).map_err(error)?;
                evaluation.resume_with_indexed_address(address).map_err(error)?
            }
            // `DW_OP_call*`: the callee's location expression runs in place (a call to itself
            // is bounded by the evaluation's step limit).
            gimli::EvaluationResult::RequiresAtLocation(gimli::DieReference::UnitRef(offset)) => {
                let entry = unit.entry(offset).map_err(error)?;
                let bytes = match entry.attr_value(gimli::DW_AT_location) {
                    Some(gimli::AttributeValue::Exprloc(expression)) => expression.0,
                    _ => Slice::new(std::sync::Arc::from(&[][..]), gimli::LittleEndian),
                };
                evaluation.resume_with_at_location(bytes).map_err(error)?
            }
            gimli::EvaluationResult::RequiresAtLocation(gimli::DieReference::DebugInfoRef(_)) => {
                return Err("calls into another unit's DIE are not supported".into());
            }
            gimli::EvaluationResult::RequiresBaseType(offset) => evaluation
                .resume_with_base_type(base_type(unit, offset)?)
                .map_err(error)?,
            // Values at the function's entry or in its caller: not recorded, so not known here.
            gimli::EvaluationResult::RequiresEntryValue(_) | gimli::EvaluationResult::RequiresParameterRef(_) => {
                return Ok(Vec::new());
            }
            gimli::EvaluationResult::RequiresRegister { .. } => return Err("a register location in wasm".into()),
            gimli::EvaluationResult::RequiresTls(_) => {
                return Err("thread-local storage is not supported".into());
            }
            gimli::EvaluationResult::RequiresCallFrameCfa => {
                return Err("wasm frames have no call frame address".into());
            }
        };
    }
    Err("the location expression does not finish".into())
}
