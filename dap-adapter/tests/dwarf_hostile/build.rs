//! Building test modules: DWARF written with `gimli::write`, embedded as `.debug_*` custom
//! sections in a small valid wasm module whose functions are runs of `nop`s.

use gimli::write::{self, Address, AttributeValue, Dwarf, EndianVec, Sections, UnitEntryId, UnitId};
use gimli::{Encoding, Format, LineEncoding, LittleEndian};

/// Functions in every test module.
pub const FUNCTIONS: u64 = 4;
/// `nop`s in each function body.
const BODY_NOPS: u64 = 64;
/// Bytes of the code section's payload, the span DWARF addresses are offsets into: the body
/// count, then per body its size, its (empty) locals, the `nop`s and `end`.
pub const CODE_LEN: u64 = 1 + FUNCTIONS * (1 + 1 + BODY_NOPS + 1);

/// A valid module with [`FUNCTIONS`] bodies of `nop`s, followed by `sections` as custom
/// sections (name, data).
pub fn module(sections: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], []);
    module.section(&types);
    let mut functions = wasm_encoder::FunctionSection::new();
    for _ in 0..FUNCTIONS {
        functions.function(0);
    }
    module.section(&functions);
    let mut code = wasm_encoder::CodeSection::new();
    for _ in 0..FUNCTIONS {
        let mut body = wasm_encoder::Function::new([]);
        for _ in 0..BODY_NOPS {
            body.instructions().nop();
        }
        body.instructions().end();
        code.function(&body);
    }
    module.section(&code);
    for (name, data) in sections {
        module.section(&wasm_encoder::CustomSection {
            name: name.as_str().into(),
            data: data.as_slice().into(),
        });
    }
    module.finish()
}

/// The non-empty sections of `dwarf`, or `None` when gimli cannot write this combination
/// (generators may ask for forms a DWARF version lacks).
pub fn sections(dwarf: &mut Dwarf) -> Option<Vec<(String, Vec<u8>)>> {
    let mut sections = Sections::new(EndianVec::new(LittleEndian));
    dwarf.write(&mut sections).ok()?;
    let mut found = Vec::new();
    sections
        .for_each(|id, data| {
            if !data.slice().is_empty() {
                found.push((id.name().to_string(), data.slice().to_vec()));
            }
            Ok::<(), ()>(())
        })
        .ok()?;
    Some(found)
}

pub fn encoding(version: u16, address_size: u8) -> Encoding {
    Encoding {
        format: Format::Dwarf32,
        version,
        address_size,
    }
}

/// A line program for `dir/file`.
pub fn line_program(encoding: Encoding, dir: &str, file: &str) -> write::LineProgram {
    write::LineProgram::new(
        encoding,
        LineEncoding::default(),
        write::LineString::String(dir.as_bytes().to_vec()),
        None,
        write::LineString::String(file.as_bytes().to_vec()),
        None,
    )
}

/// One unit with one function `f` over all the code: the frame regression tests add types
/// and variables to.
pub struct Fixture {
    pub dwarf: Dwarf,
    pub unit: UnitId,
    pub function: UnitEntryId,
}

impl Fixture {
    pub fn new() -> Fixture {
        let encoding = encoding(4, 4);
        let mut dwarf = Dwarf::new();
        let mut program = line_program(encoding, "/src", "f.c");
        let directory = program.default_directory();
        program.add_file(write::LineString::String(b"f.c".to_vec()), directory, None);
        let unit = dwarf.units.add(write::Unit::new(encoding, program));
        let written = dwarf.units.get_mut(unit);
        let root = written.root();
        let function = written.add(root, gimli::DW_TAG_subprogram);
        let mut fixture = Fixture { dwarf, unit, function };
        fixture.set(root, gimli::DW_AT_name, text("f.c"));
        // Rust, so that the std formatters (chosen by language) see these types too.
        fixture.set(
            root,
            gimli::DW_AT_language,
            AttributeValue::Language(gimli::DW_LANG_Rust),
        );
        // Address 0 is a tombstone (wasm-ld's mark of dead code): the code starts at 1.
        fixture.set(root, gimli::DW_AT_low_pc, AttributeValue::Address(Address::Constant(1)));
        fixture.set(root, gimli::DW_AT_high_pc, AttributeValue::Udata(CODE_LEN - 1));
        fixture.set(root, gimli::DW_AT_stmt_list, AttributeValue::LineProgramRef);
        fixture.set(function, gimli::DW_AT_name, text("f"));
        fixture.set(
            function,
            gimli::DW_AT_low_pc,
            AttributeValue::Address(Address::Constant(1)),
        );
        fixture.set(function, gimli::DW_AT_high_pc, AttributeValue::Udata(CODE_LEN - 1));
        fixture
    }

    pub fn unit(&mut self) -> &mut write::Unit {
        self.dwarf.units.get_mut(self.unit)
    }

    pub fn add(&mut self, parent: UnitEntryId, tag: gimli::DwTag) -> UnitEntryId {
        self.unit().add(parent, tag)
    }

    pub fn set(&mut self, entry: UnitEntryId, attribute: gimli::DwAt, value: AttributeValue) {
        self.unit().get_mut(entry).set(attribute, value);
    }

    /// A type DIE at the unit's top level.
    pub fn ty(&mut self, tag: gimli::DwTag, name: Option<&str>, size: Option<u64>) -> UnitEntryId {
        let root = self.unit().root();
        let ty = self.add(root, tag);
        if let Some(name) = name {
            self.set(ty, gimli::DW_AT_name, text(name));
        }
        if let Some(size) = size {
            self.set(ty, gimli::DW_AT_byte_size, AttributeValue::Udata(size));
        }
        ty
    }

    /// A base type.
    pub fn base(&mut self, name: &str, encoding: gimli::DwAte, size: u64) -> UnitEntryId {
        let ty = self.ty(gimli::DW_TAG_base_type, Some(name), Some(size));
        self.set(ty, gimli::DW_AT_encoding, AttributeValue::Encoding(encoding));
        ty
    }

    /// A member of `parent` named `name` of type `ty` at `offset`.
    pub fn member(&mut self, parent: UnitEntryId, name: &str, ty: UnitEntryId, offset: u64) -> UnitEntryId {
        let member = self.add(parent, gimli::DW_TAG_member);
        self.set(member, gimli::DW_AT_name, text(name));
        self.set(member, gimli::DW_AT_type, AttributeValue::UnitRef(ty));
        self.set(member, gimli::DW_AT_data_member_location, AttributeValue::Udata(offset));
        member
    }

    /// A local variable of `f` of type `ty` at `location`.
    pub fn variable(&mut self, name: &str, ty: UnitEntryId, location: write::Expression) -> UnitEntryId {
        let variable = self.add(self.function, gimli::DW_TAG_variable);
        self.set(variable, gimli::DW_AT_name, text(name));
        self.set(variable, gimli::DW_AT_type, AttributeValue::UnitRef(ty));
        self.set(variable, gimli::DW_AT_location, AttributeValue::Exprloc(location));
        variable
    }

    /// The module carrying this DWARF.
    pub fn module(&mut self) -> Vec<u8> {
        module(&sections(&mut self.dwarf).expect("the fixture's DWARF writes"))
    }
}

/// An inline string attribute.
pub fn text(text: &str) -> AttributeValue {
    AttributeValue::String(text.as_bytes().to_vec())
}

/// A location expression: the value is in memory at `address`.
pub fn at_address(address: u64) -> write::Expression {
    let mut expression = write::Expression::new();
    expression.op_constu(address);
    expression
}
