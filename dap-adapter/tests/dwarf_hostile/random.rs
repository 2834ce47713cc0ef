//! Random but structured DWARF: compile units with line programs, namespaces, functions with
//! code ranges, lexical blocks, inlined calls whose abstract origins may loop, types that
//! refer to themselves (pointers, typedefs, arrays, members), sizes and counts at the edges
//! of u64, and variables with random location expressions (loops included).

use gimli::write::{
    self, Address, AttributeValue, Dwarf, Expression, FileId, LocationList, RangeList, RangeListId, UnitEntryId,
};

use crate::build::{self, CODE_LEN};
use crate::exercise::{Reached, exercise};
use crate::rng::{Rng, run_cases};

/// DIEs that later references pick from.
#[derive(Default)]
struct Pools {
    types: Vec<UnitEntryId>,
    base_types: Vec<UnitEntryId>,
    functions: Vec<UnitEntryId>,
    variables: Vec<UnitEntryId>,
    range_lists: Vec<RangeListId>,
}

struct Generator<'a> {
    rng: &'a mut Rng,
    unit: &'a mut write::Unit,
    files: Vec<FileId>,
    pools: Pools,
    /// Whether the unit has a base address (a `DW_AT_low_pc`): DWARF 2-4 ranges and location
    /// lists are then offsets from it, and otherwise absolute (gimli writes nothing else).
    base: bool,
}

const TYPE_NAMES: &[&str] = &[
    "S",
    "int",
    "&str",
    "&[u8]",
    "String",
    "Vec<u8>",
    "Rc<S>",
    "Arc<S>",
    "(i32, u8)",
    "Option<i32>",
    "uint32_t",
];
const MEMBER_NAMES: &[&str] = &[
    "__0", "__1", "len", "length", "ptr", "pointer", "value", "data", "strong", "x",
];
const FUNCTION_NAMES: &[&str] = &["f", "g", "main", "start", "qirvo_stop", "_ZN3foo3barE", "_RNvC1a1f"];
const PATHS: &[&str] = &["lib.rs", "src/a.c", "../up/b.c", "/abs/c.rs", ".", "x/./y/../z.rs"];

fn text(text: &str) -> AttributeValue {
    AttributeValue::String(text.as_bytes().to_vec())
}

impl Generator<'_> {
    fn address(&mut self) -> u64 {
        let address = match self.rng.below(10) {
            0 => *self.rng.pick(&[0, 0xffff_ffff, 0xffff_fffe, u64::MAX, u64::MAX - 1]),
            _ => self.rng.below(CODE_LEN + 8),
        };
        if self.unit.address_size() == 4 {
            address & 0xffff_ffff
        } else {
            address
        }
    }

    /// A constant of a random form.
    fn constant(&mut self) -> AttributeValue {
        let value = self.rng.size();
        match self.rng.below(6) {
            0 => AttributeValue::Data1(value as u8),
            1 => AttributeValue::Data2(value as u16),
            2 => AttributeValue::Data4(value as u32),
            3 => AttributeValue::Sdata(value as i64),
            _ => AttributeValue::Udata(value),
        }
    }

    fn set(&mut self, entry: UnitEntryId, attribute: gimli::DwAt, value: AttributeValue) {
        self.unit.get_mut(entry).set(attribute, value);
    }

    fn any_of(&mut self, pool: fn(&Pools) -> &Vec<UnitEntryId>) -> Option<UnitEntryId> {
        let pool = pool(&self.pools);
        (!pool.is_empty()).then(|| pool[self.rng.index(pool.len())])
    }

    fn ranges(&mut self, entry: UnitEntryId) {
        match self.rng.below(6) {
            0 => {}
            1 if !self.pools.range_lists.is_empty() => {
                // Shared lists: one list, many DIEs.
                let list = *self.rng.pick(&self.pools.range_lists);
                self.set(entry, gimli::DW_AT_ranges, AttributeValue::RangeListRef(list));
            }
            1 | 2 => self.range_list(entry),
            _ => {
                let low = self.address();
                self.set(
                    entry,
                    gimli::DW_AT_low_pc,
                    AttributeValue::Address(Address::Constant(low)),
                );
                let high = if self.rng.chance(70) {
                    AttributeValue::Udata(if self.rng.chance(80) {
                        self.rng.below(CODE_LEN)
                    } else {
                        self.rng.size()
                    })
                } else {
                    AttributeValue::Address(Address::Constant(self.address()))
                };
                self.set(entry, gimli::DW_AT_high_pc, high);
            }
        }
    }

    /// A new `DW_AT_ranges` list for `entry`.
    fn range_list(&mut self, entry: UnitEntryId) {
        let mut ranges = Vec::new();
        for _ in 0..self.rng.below(5) {
            ranges.push(match (self.base, self.rng.chance(50)) {
                (true, _) => {
                    let begin = self.address().min(u64::from(u32::MAX) - 1);
                    let end = begin + 1 + self.rng.below(CODE_LEN);
                    write::Range::OffsetPair { begin, end }
                }
                (false, true) => write::Range::StartEnd {
                    begin: Address::Constant(self.address()),
                    end: Address::Constant(self.address()),
                },
                (false, false) => {
                    // gimli's writer adds `begin + length` unchecked.
                    let begin = self.address().min(u64::from(u32::MAX) - 1);
                    let room = u64::from(u32::MAX) - begin;
                    write::Range::StartLength {
                        begin: Address::Constant(begin),
                        length: self.rng.size().min(room).max(1),
                    }
                }
            });
        }
        let list = self.unit.ranges.add(RangeList(ranges));
        self.pools.range_lists.push(list);
        self.set(entry, gimli::DW_AT_ranges, AttributeValue::RangeListRef(list));
    }

    fn expression(&mut self) -> Expression {
        if self.rng.chance(15) {
            // Raw bytecode: anything at all, or a `DW_OP_skip` to itself.
            let mut bytes = self.rng.some_bytes(12);
            if self.rng.chance(40) {
                bytes.extend([gimli::DW_OP_skip.0, 0xfd, 0xff]);
            }
            return Expression::raw(bytes);
        }
        let mut expression = Expression::new();
        let mut branches = Vec::new();
        for _ in 0..1 + self.rng.below(6) {
            let index = self.rng.below(4) as u32;
            match self.rng.below(22) {
                0 | 1 => expression.op_wasm_local(index),
                2 => expression.op_wasm_global(index),
                3 => expression.op_wasm_stack(index),
                4 => expression.op_constu(self.rng.size()),
                5 => expression.op_consts(self.rng.size() as i64),
                6 => expression.op_addr(Address::Constant(self.address())),
                7 => expression.op_plus_uconst(self.rng.size()),
                8 => expression.op_deref(),
                9 => expression.op_deref_size(self.rng.below(10) as u8),
                10 => expression.op(gimli::DW_OP_stack_value),
                11 => expression.op_piece(self.rng.size()),
                12 => expression.op_bit_piece(self.rng.size(), self.rng.below(64)),
                13 => expression.op_fbreg(self.rng.size() as i64),
                14 => branches.push(expression.op_skip()),
                15 => {
                    expression.op(gimli::DW_OP_lit1);
                    branches.push(expression.op_bra());
                }
                16 => expression.op_implicit_value(self.rng.some_bytes(24).into()),
                17 => match self.any_of(|p| &p.variables) {
                    Some(callee) => expression.op_call(callee),
                    None => expression.op(gimli::DW_OP_dup),
                },
                18 => match self.any_of(|p| &p.base_types) {
                    Some(base) => expression.op_convert(Some(base)),
                    None => expression.op(gimli::DW_OP_nop),
                },
                19 => {
                    let mut inner = Expression::new();
                    inner.op_wasm_local(index);
                    expression.op_entry_value(inner);
                }
                20 => expression.op(*self.rng.pick(&[
                    gimli::DW_OP_push_object_address,
                    gimli::DW_OP_form_tls_address,
                    gimli::DW_OP_call_frame_cfa,
                    gimli::DW_OP_dup,
                ])),
                _ => expression.op_reg(gimli::Register(index as u16)),
            }
        }
        let end = expression.next_index();
        for branch in branches {
            // Any target but the branch itself: backwards ones loop.
            let target = (0..=end)
                .filter(|t| *t != branch)
                .nth(self.rng.index(end))
                .unwrap_or(end);
            expression.set_target(branch, target);
        }
        expression
    }

    fn location(&mut self, entry: UnitEntryId) {
        match self.rng.below(8) {
            0 => {}
            1 => {
                let value = self.constant();
                self.set(entry, gimli::DW_AT_const_value, value);
            }
            2 => {
                let block = self.rng.some_bytes(32);
                self.set(entry, gimli::DW_AT_const_value, AttributeValue::Block(block));
            }
            3 => {
                let mut locations = Vec::new();
                for _ in 0..self.rng.below(4) {
                    let begin = self.address().min(u64::from(u32::MAX) - 1);
                    let length = if self.rng.chance(70) {
                        self.rng.below(CODE_LEN)
                    } else {
                        self.rng.size()
                    };
                    // gimli's writer adds `begin + length` unchecked.
                    let end = begin.saturating_add(length).min(u64::from(u32::MAX)).max(begin + 1);
                    let data = self.expression();
                    locations.push(match self.base {
                        true => write::Location::OffsetPair { begin, end, data },
                        false => write::Location::StartLength {
                            begin: Address::Constant(begin),
                            length: end - begin,
                            data,
                        },
                    });
                }
                let list = self.unit.locations.add(LocationList(locations));
                self.set(entry, gimli::DW_AT_location, AttributeValue::LocationListRef(list));
            }
            _ => {
                let expression = self.expression();
                self.set(entry, gimli::DW_AT_location, AttributeValue::Exprloc(expression));
            }
        }
    }

    fn maybe_type(&mut self, entry: UnitEntryId) {
        if self.rng.chance(90)
            && let Some(ty) = self.any_of(|p| &p.types)
        {
            self.set(entry, gimli::DW_AT_type, AttributeValue::UnitRef(ty));
        }
    }

    /// Type DIEs are all created first and described afterwards, so that every reference
    /// (including one to itself) can go anywhere.
    fn types(&mut self) {
        let root = self.unit.root();
        let tags = [
            gimli::DW_TAG_base_type,
            gimli::DW_TAG_base_type,
            gimli::DW_TAG_pointer_type,
            gimli::DW_TAG_reference_type,
            gimli::DW_TAG_typedef,
            gimli::DW_TAG_const_type,
            gimli::DW_TAG_volatile_type,
            gimli::DW_TAG_structure_type,
            gimli::DW_TAG_structure_type,
            gimli::DW_TAG_union_type,
            gimli::DW_TAG_array_type,
            gimli::DW_TAG_enumeration_type,
            gimli::DW_TAG_subroutine_type,
            gimli::DW_TAG_unspecified_type,
        ];
        let count = 2 + self.rng.below(16);
        let created: Vec<(UnitEntryId, gimli::DwTag)> = (0..count)
            .map(|_| {
                let tag = *self.rng.pick(&tags);
                (self.unit.add(root, tag), tag)
            })
            .collect();
        self.pools.types = created.iter().map(|(id, _)| *id).collect();
        self.pools.base_types = created
            .iter()
            .filter(|(_, tag)| *tag == gimli::DW_TAG_base_type)
            .map(|(id, _)| *id)
            .collect();
        for (ty, tag) in created {
            self.describe_type(ty, tag);
        }
    }

    fn describe_type(&mut self, ty: UnitEntryId, tag: gimli::DwTag) {
        if self.rng.chance(70) {
            let name = *self.rng.pick(TYPE_NAMES);
            self.set(ty, gimli::DW_AT_name, text(name));
        }
        if self.rng.chance(60) {
            let size = match self.rng.below(3) {
                0 => self.rng.size(),
                _ => *self.rng.pick(&[0, 1, 2, 4, 8, 16]),
            };
            self.set(ty, gimli::DW_AT_byte_size, AttributeValue::Udata(size));
        }
        match tag {
            gimli::DW_TAG_base_type => {
                let encoding = *self.rng.pick(&[
                    gimli::DW_ATE_signed,
                    gimli::DW_ATE_unsigned,
                    gimli::DW_ATE_boolean,
                    gimli::DW_ATE_float,
                    gimli::DW_ATE_signed_char,
                    gimli::DW_ATE_unsigned_char,
                    gimli::DW_ATE_UTF,
                    gimli::DwAte(0xee),
                ]);
                self.set(ty, gimli::DW_AT_encoding, AttributeValue::Encoding(encoding));
            }
            gimli::DW_TAG_structure_type | gimli::DW_TAG_union_type => self.members(ty),
            gimli::DW_TAG_array_type => {
                self.maybe_type(ty);
                for _ in 0..self.rng.below(4) {
                    let range = self.unit.add(ty, gimli::DW_TAG_subrange_type);
                    let bound = match self.rng.below(4) {
                        0 => AttributeValue::Sdata(-(self.rng.below(5) as i64) - 1),
                        _ => self.constant(),
                    };
                    let at = *self.rng.pick(&[gimli::DW_AT_count, gimli::DW_AT_upper_bound]);
                    self.set(range, at, bound);
                    if self.rng.chance(30) {
                        let lower = self.constant();
                        self.set(range, gimli::DW_AT_lower_bound, lower);
                    }
                }
            }
            gimli::DW_TAG_enumeration_type => {
                self.maybe_type(ty);
                for i in 0..self.rng.below(5) {
                    let enumerator = self.unit.add(ty, gimli::DW_TAG_enumerator);
                    self.set(enumerator, gimli::DW_AT_name, text(&format!("E{i}")));
                    let value = self.constant();
                    self.set(enumerator, gimli::DW_AT_const_value, value);
                }
            }
            gimli::DW_TAG_subroutine_type | gimli::DW_TAG_unspecified_type => {}
            _ => self.maybe_type(ty),
        }
    }

    fn member(&mut self, parent: UnitEntryId) -> UnitEntryId {
        let member = self.unit.add(parent, gimli::DW_TAG_member);
        let name = *self.rng.pick(MEMBER_NAMES);
        self.set(member, gimli::DW_AT_name, text(name));
        self.maybe_type(member);
        let offset = if self.rng.chance(80) {
            AttributeValue::Udata(self.rng.below(24))
        } else {
            self.constant()
        };
        self.set(member, gimli::DW_AT_data_member_location, offset);
        if self.rng.chance(5) {
            self.set(member, gimli::DW_AT_external, AttributeValue::Flag(true));
        }
        member
    }

    fn members(&mut self, ty: UnitEntryId) {
        for _ in 0..self.rng.below(6) {
            self.member(ty);
        }
        if self.rng.chance(20) {
            let parameter = self.unit.add(ty, gimli::DW_TAG_template_type_parameter);
            self.maybe_type(parameter);
        }
        if self.rng.chance(30) {
            // A Rust enum: a variant part, its discriminant and variants.
            let part = self.unit.add(ty, gimli::DW_TAG_variant_part);
            let discriminant = self.member(part);
            self.set(part, gimli::DW_AT_discr, AttributeValue::UnitRef(discriminant));
            for _ in 0..self.rng.below(4) {
                let variant = self.unit.add(part, gimli::DW_TAG_variant);
                if self.rng.chance(70) {
                    let value = self.constant();
                    self.set(variant, gimli::DW_AT_discr_value, value);
                }
                self.member(variant);
            }
        }
    }

    fn scopes(&mut self, parent: UnitEntryId, depth: u32, in_function: bool) {
        for _ in 0..self.rng.below(if depth < 4 { 4 } else { 2 }) {
            let choice = self.rng.below(10);
            match choice {
                0 if !in_function && depth < 6 => {
                    let namespace = self.unit.add(parent, gimli::DW_TAG_namespace);
                    self.set(namespace, gimli::DW_AT_name, text("ns"));
                    self.scopes(namespace, depth + 1, false);
                }
                0..=2 => {
                    let tag = match (in_function, self.rng.chance(50)) {
                        (true, true) => gimli::DW_TAG_inlined_subroutine,
                        _ => gimli::DW_TAG_subprogram,
                    };
                    let function = self.unit.add(parent, tag);
                    if self.rng.chance(70) {
                        let name = *self.rng.pick(FUNCTION_NAMES);
                        self.set(function, gimli::DW_AT_name, text(name));
                    }
                    if self.rng.chance(30) {
                        let name = *self.rng.pick(FUNCTION_NAMES);
                        self.set(function, gimli::DW_AT_linkage_name, text(name));
                    }
                    self.ranges(function);
                    if self.rng.chance(60) {
                        let base = self.expression();
                        self.set(function, gimli::DW_AT_frame_base, AttributeValue::Exprloc(base));
                    }
                    self.pools.functions.push(function);
                    if depth < 8 {
                        self.scopes(function, depth + 1, true);
                    }
                }
                3 | 4 if in_function && depth < 8 => {
                    let block = self.unit.add(parent, gimli::DW_TAG_lexical_block);
                    self.ranges(block);
                    self.scopes(block, depth + 1, true);
                }
                5 if self.rng.chance(10) => self.deep_chain(parent),
                _ => {
                    let tag = *self.rng.pick(&[gimli::DW_TAG_variable, gimli::DW_TAG_formal_parameter]);
                    let variable = self.unit.add(parent, tag);
                    if self.rng.chance(90) {
                        let name = format!("v{}", self.rng.below(6));
                        self.set(variable, gimli::DW_AT_name, text(&name));
                    }
                    self.maybe_type(variable);
                    self.location(variable);
                    self.pools.variables.push(variable);
                }
            }
        }
    }

    /// Lexical blocks and inlined calls nested a few hundred deep (sometimes past the
    /// index's limit), with a variable at the bottom.
    fn deep_chain(&mut self, parent: UnitEntryId) {
        let mut current = parent;
        for _ in 0..200 + self.rng.below(100) {
            let tag = *self
                .rng
                .pick(&[gimli::DW_TAG_lexical_block, gimli::DW_TAG_inlined_subroutine]);
            current = self.unit.add(current, tag);
            let low = self.rng.below(8);
            self.set(
                current,
                gimli::DW_AT_low_pc,
                AttributeValue::Address(Address::Constant(low)),
            );
            self.set(current, gimli::DW_AT_high_pc, AttributeValue::Udata(CODE_LEN));
        }
        let variable = self.unit.add(current, gimli::DW_TAG_variable);
        self.set(variable, gimli::DW_AT_name, text("deep"));
        self.maybe_type(variable);
        self.location(variable);
    }

    /// Abstract origins and specifications between functions, and between variables: any
    /// DIE to any other, or to itself, so chains can loop.
    fn origins(&mut self) {
        for pool in [self.pools.functions.clone(), self.pools.variables.clone()] {
            for &entry in &pool {
                if self.rng.chance(40) {
                    let origin = *self.rng.pick(&pool);
                    let at = *self
                        .rng
                        .pick(&[gimli::DW_AT_abstract_origin, gimli::DW_AT_specification]);
                    self.set(entry, at, AttributeValue::UnitRef(origin));
                }
            }
        }
    }

    fn lines(&mut self) {
        let program = &mut self.unit.line_program;
        if program.is_none() {
            return;
        }
        let directory = program.default_directory();
        for _ in 0..self.rng.below(4) {
            let path = *self.rng.pick(PATHS);
            let file = program.add_file(write::LineString::String(path.as_bytes().to_vec()), directory, None);
            self.files.push(file);
        }
        for _ in 0..self.rng.below(6) {
            let start = match self.rng.below(8) {
                0 => *self.rng.pick(&[0, 0xffff_ffff, 0xffff_fff0]),
                _ => self.rng.below(CODE_LEN),
            };
            program.begin_sequence(Some(Address::Constant(start)));
            let mut offset = 0;
            for _ in 0..self.rng.below(12) {
                offset += self.rng.below(8);
                let row = program.row();
                row.address_offset = offset;
                row.line = match self.rng.below(8) {
                    0 => 0,
                    1 => u64::from(u32::MAX) + 5,
                    _ => 1 + self.rng.below(40),
                };
                row.column = self.rng.below(5);
                if !self.files.is_empty() {
                    row.file = self.files[self.rng.index(self.files.len())];
                }
                row.is_statement = self.rng.chance(70);
                row.prologue_end = self.rng.chance(20);
                program.generate_row();
            }
            offset += self.rng.below(8);
            program.end_sequence(offset);
        }
    }
}

/// A module with random DWARF, or `None` when gimli cannot write what was generated.
pub fn random_module(rng: &mut Rng) -> Option<Vec<u8>> {
    let mut dwarf = Dwarf::new();
    for _ in 0..1 + rng.below(2) {
        let version = *rng.pick(&[2, 3, 4, 4, 5]);
        let address_size = if rng.chance(85) { 4 } else { 8 };
        let encoding = build::encoding(version, address_size);
        let program = if rng.chance(85) {
            let dir: &str = rng.pick::<&str>(&["/src", "/a/b/../c", "rel"]);
            let file: &str = rng.pick::<&str>(PATHS);
            build::line_program(encoding, dir, file)
        } else {
            write::LineProgram::none()
        };
        let has_lines = !program.is_none();
        let id = dwarf.units.add(write::Unit::new(encoding, program));
        let unit = dwarf.units.get_mut(id);
        let root = unit.root();
        let mut generator = Generator {
            rng: &mut *rng,
            unit,
            files: Vec::new(),
            pools: Pools::default(),
            base: false,
        };
        generator.set(root, gimli::DW_AT_name, text("unit.c"));
        generator.set(root, gimli::DW_AT_comp_dir, text("/build"));
        if has_lines {
            generator.set(root, gimli::DW_AT_stmt_list, AttributeValue::LineProgramRef);
        }
        generator.base = generator.rng.chance(60);
        if generator.base {
            let low = generator.rng.below(4);
            generator.set(
                root,
                gimli::DW_AT_low_pc,
                AttributeValue::Address(Address::Constant(low)),
            );
        }
        if !generator.base || generator.rng.chance(30) {
            // A base address and a list, or a list alone.
            generator.range_list(root);
        } else {
            generator.set(root, gimli::DW_AT_high_pc, AttributeValue::Udata(CODE_LEN));
        }
        generator.lines();
        generator.types();
        generator.scopes(root, 0, false);
        generator.origins();
    }
    Some(build::module(&build::sections(&mut dwarf)?))
}

#[test]
fn random_dwarf_never_panics_or_hangs() {
    let mut reached = Reached::default();
    let mut written = 0;
    let cases = run_cases("random_dwarf", 500, |seed| {
        let mut rng = Rng::new(seed);
        if let Some(module) = random_module(&mut rng) {
            written += 1;
            reached += exercise(&module, &mut rng, 16, seed % 16 == 0);
        }
    });
    eprintln!("random_dwarf: {written} modules written; reached {reached:?}");
    // The generator must get past the parsers, or the test proves little.
    if cases >= 100 {
        assert!(written * 100 >= cases * 85, "{written} of {cases}");
        assert!(reached.indexed * 2 >= written, "{reached:?}");
        assert!(
            reached.frames > 0 && reached.variables > 0 && reached.values > 0 && reached.children > 0,
            "{reached:?}"
        );
    }
}
