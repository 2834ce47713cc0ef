//! One test per hang, stack overflow, arithmetic overflow or unbounded allocation found in
//! the DWARF layer, each with the smallest DWARF that caused it.

use std::collections::HashMap;
use std::sync::Arc;

use gimli::write::{Address, AttributeValue, Expression, RangeList};
use qirvo_dap::disassembly::Disassembly;
use qirvo_dap::dwarf::variables::{Place, VariableIndex};
use qirvo_dap::dwarf::{BreakpointPlacement, DwarfIndex, SourcePaths};
use qirvo_dap::values::{Children, Rendered, Renderer};

use crate::build::{CODE_LEN, Fixture, at_address, text};
use crate::exercise::FakeMachine;

/// A machine whose memory is `memory` (and nothing is readable past it).
fn machine(memory: Vec<u8>) -> FakeMachine {
    FakeMachine {
        memory,
        values: vec![16; 4],
        everything_readable: false,
    }
}

/// A machine on which every address reads as `0x41` bytes.
fn readable_everywhere() -> FakeMachine {
    FakeMachine {
        memory: Vec::new(),
        values: vec![16; 4],
        everything_readable: true,
    }
}

fn index(fixture: &mut Fixture) -> DwarfIndex {
    DwarfIndex::from_module(&fixture.module()).expect("the fixture indexes")
}

/// The place and rendering of variable `v` of `f`, as the Locals scope shows it.
fn render_v(fixture: &mut Fixture, machine: &mut FakeMachine) -> (Result<Place, String>, Rendered) {
    let index = index(fixture);
    let variables = index.variables();
    let found = variables.variables_at(8, 0);
    let v = found.iter().find(|v| v.name == "v").expect("v is in scope");
    let place = variables.place(v, 8, machine);
    let renderer = Renderer::new(variables.types());
    let rendered = renderer.render(v.ty, place.as_ref().unwrap_or(&Place::Unavailable), machine);
    (place, rendered)
}

/// Summaries show 8 items, 2 levels deep: a few kilobytes at most.
fn assert_finite(rendered: &Rendered) {
    assert!(rendered.value.len() < 8192, "{rendered:?}");
    assert!(rendered.ty.len() < 8192, "{rendered:?}");
}

#[test]
fn a_pointer_to_itself_formats_as_something_finite() {
    let mut fixture = Fixture::new();
    let pointer = fixture.ty(gimli::DW_TAG_pointer_type, None, Some(4));
    fixture.set(pointer, gimli::DW_AT_type, AttributeValue::UnitRef(pointer));
    fixture.variable("v", pointer, at_address(16));
    let mut memory = vec![0; 32];
    memory[16..20].copy_from_slice(&16u32.to_le_bytes());
    let (_, rendered) = render_v(&mut fixture, &mut machine(memory));
    assert_finite(&rendered);
    assert!(rendered.value.starts_with("0x00000010"), "{rendered:?}");
    assert!(rendered.ty.ends_with(" *"), "{rendered:?}");
}

#[test]
fn a_typedef_of_itself_is_an_unknown_type() {
    let mut fixture = Fixture::new();
    let typedef = fixture.ty(gimli::DW_TAG_typedef, Some("loop_t"), None);
    fixture.set(typedef, gimli::DW_AT_type, AttributeValue::UnitRef(typedef));
    fixture.variable("v", typedef, at_address(16));
    let (_, rendered) = render_v(&mut fixture, &mut machine(vec![0; 32]));
    assert_eq!(rendered.value, "<unknown type>");
}

#[test]
fn an_array_of_itself_without_a_size_is_read_in_bounded_depth() {
    // Its size was computed from its element's, recursively and without a depth limit: a
    // stack overflow.
    let mut fixture = Fixture::new();
    let array = fixture.ty(gimli::DW_TAG_array_type, None, None);
    fixture.set(array, gimli::DW_AT_type, AttributeValue::UnitRef(array));
    let range = fixture.add(array, gimli::DW_TAG_subrange_type);
    fixture.set(range, gimli::DW_AT_count, AttributeValue::Udata(2));
    fixture.variable("v", array, at_address(16));
    let (_, rendered) = render_v(&mut fixture, &mut machine(vec![0; 32]));
    assert_finite(&rendered);
}

#[test]
fn a_struct_containing_itself_summarises_finitely() {
    let mut fixture = Fixture::new();
    let point = fixture.ty(gimli::DW_TAG_structure_type, Some("Point"), Some(8));
    let int = fixture.base("int", gimli::DW_ATE_signed, 4);
    fixture.member(point, "x", int, 0);
    fixture.member(point, "inner", point, 4);
    fixture.variable("v", point, at_address(16));
    let (_, rendered) = render_v(&mut fixture, &mut machine(vec![1; 64]));
    assert_finite(&rendered);
    assert!(rendered.value.starts_with("{x: 16843009, inner: {x: "), "{rendered:?}");
}

#[test]
fn a_vec_layout_of_itself_is_searched_within_a_budget() {
    // The search for a `Vec`'s pointer and length went six levels into every struct member:
    // 20 members of the struct itself were 20^6 searches.
    let mut fixture = Fixture::new();
    let vec = fixture.ty(gimli::DW_TAG_structure_type, Some("Vec<u8>"), Some(12));
    for i in 0..20 {
        fixture.member(vec, &format!("m{i}"), vec, 0);
    }
    fixture.variable("v", vec, at_address(16));
    let (_, rendered) = render_v(&mut fixture, &mut machine(vec![0; 64]));
    assert_finite(&rendered);
}

#[test]
fn a_tuple_of_itself_summarises_a_few_items() {
    // Tuple summaries rendered every item (a thousand, each a thousand again).
    let mut fixture = Fixture::new();
    let tuple = fixture.ty(gimli::DW_TAG_structure_type, Some("(T, T)"), Some(8));
    for i in 0..1000 {
        fixture.member(tuple, &format!("__{i}"), tuple, 0);
    }
    fixture.variable("v", tuple, at_address(16));
    let (_, rendered) = render_v(&mut fixture, &mut machine(vec![0; 64]));
    assert_finite(&rendered);
    assert!(rendered.value.ends_with(", …)"), "{rendered:?}");
}

#[test]
fn a_rust_enum_whose_variant_is_itself_lists_fields_finitely() {
    // Listing an enum's fields lists its active variant's; a variant of the enum's own type
    // recursed forever (`fields` and `child`).
    let mut fixture = Fixture::new();
    let u8_type = fixture.base("u8", gimli::DW_ATE_unsigned, 1);
    let enumeration = fixture.ty(gimli::DW_TAG_structure_type, Some("E"), Some(4));
    let part = fixture.add(enumeration, gimli::DW_TAG_variant_part);
    let discriminant = fixture.member(part, "tag", u8_type, 0);
    // A member of its own, so that the variant (the enum again) has fields to list.
    fixture.member(enumeration, "x", u8_type, 1);
    fixture.set(part, gimli::DW_AT_discr, AttributeValue::UnitRef(discriminant));
    let variant = fixture.add(part, gimli::DW_TAG_variant);
    fixture.member(variant, "Again", enumeration, 0);
    fixture.variable("v", enumeration, at_address(16));
    let index = index(&mut fixture);
    let variables = index.variables();
    let v = variables
        .variables_at(8, 0)
        .into_iter()
        .find(|v| v.name == "v")
        .unwrap();
    let renderer = Renderer::new(variables.types());
    let mut machine = machine(vec![0; 64]);
    let ty = v.ty.unwrap();
    let fields = renderer.fields(&Place::Memory(16), ty, &mut machine);
    assert!(fields.len() < 10, "{fields:?}");
    let children = Children::Fields {
        place: Place::Memory(16),
        ty,
    };
    assert_eq!(renderer.child(&children, "missing", &mut machine), None);
}

#[test]
fn a_base_type_of_2_pow_64_bytes_reads_a_scalar() {
    // The read allocated `byte_size` bytes: a capacity overflow.
    let mut fixture = Fixture::new();
    let huge = fixture.base("huge", gimli::DW_ATE_unsigned, u64::MAX);
    fixture.variable("v", huge, at_address(16));
    let mut memory = vec![0; 64];
    memory[16] = 7;
    let (_, rendered) = render_v(&mut fixture, &mut machine(memory));
    assert_eq!(rendered.value, "7");
}

fn place_of(location: Expression) -> Result<Place, String> {
    let mut fixture = Fixture::new();
    let int = fixture.base("int", gimli::DW_ATE_signed, 4);
    fixture.variable("v", int, location);
    render_v(&mut fixture, &mut machine(vec![0; 64])).0
}

#[test]
fn location_expressions_that_loop_are_cut_off() {
    // `DW_OP_skip -3` is a skip to itself; `DW_OP_lit1; DW_OP_bra -4` branches back forever.
    // gimli evaluates until it needs something, which these never do.
    let skip_to_itself = Expression::raw(vec![gimli::DW_OP_skip.0, 0xfd, 0xff]);
    let error = place_of(skip_to_itself).unwrap_err();
    assert!(error.contains("does not finish"), "{error}");
    let branch_back = Expression::raw(vec![gimli::DW_OP_lit1.0, gimli::DW_OP_bra.0, 0xfc, 0xff]);
    let error = place_of(branch_back).unwrap_err();
    assert!(error.contains("does not finish"), "{error}");
}

#[test]
fn pieces_larger_than_any_value_are_refused() {
    // A 2^40-byte piece was allocated in full.
    let mut location = Expression::new();
    location.op_constu(1);
    location.op(gimli::DW_OP_stack_value);
    location.op_piece(1 << 40);
    let error = place_of(location).unwrap_err();
    assert!(error.contains("bytes"), "{error}");
}

#[test]
fn a_location_that_calls_itself_is_cut_off() {
    let mut fixture = Fixture::new();
    let int = fixture.base("int", gimli::DW_ATE_signed, 4);
    let v = fixture.variable("v", int, Expression::new());
    let mut call_itself = Expression::new();
    call_itself.op_call(v);
    fixture.set(v, gimli::DW_AT_location, AttributeValue::Exprloc(call_itself));
    let (place, _) = render_v(&mut fixture, &mut machine(vec![0; 64]));
    assert!(place.unwrap_err().contains("does not finish"));
}

#[test]
fn code_ranges_past_the_end_of_the_address_space_are_no_ranges() {
    // gimli adds `low_pc + DW_AT_high_pc` unchecked: in a debug build, a panic.
    let mut fixture = Fixture::new();
    let root = fixture.unit().root();
    let g = fixture.add(root, gimli::DW_TAG_subprogram);
    fixture.set(g, gimli::DW_AT_name, text("g"));
    fixture.set(g, gimli::DW_AT_low_pc, AttributeValue::Address(Address::Constant(0x10)));
    fixture.set(g, gimli::DW_AT_high_pc, AttributeValue::Udata(u64::MAX));
    let index = index(&mut fixture);
    assert_eq!(index.function_entries("g"), Vec::<u64>::new());
    assert_eq!(index.function_entries("f").len(), 1);
}

#[test]
fn addresses_that_are_no_module_pc_bind_no_breakpoint() {
    // A DWARF address plus the code offset past 4 GiB was truncated to a module pc by the
    // session: a breakpoint somewhere else entirely. (Addresses from 0xffff_fff0 up are
    // tombstones; the code offset of the test module is 0x18.)
    let mut fixture = Fixture::new();
    let root = fixture.unit().root();
    let far = fixture.add(root, gimli::DW_TAG_subprogram);
    fixture.set(far, gimli::DW_AT_name, text("far"));
    fixture.set(
        far,
        gimli::DW_AT_low_pc,
        AttributeValue::Address(Address::Constant(0xffff_ffec)),
    );
    fixture.set(far, gimli::DW_AT_high_pc, AttributeValue::Udata(8));
    let program = &mut fixture.unit().line_program;
    program.begin_sequence(Some(Address::Constant(0xffff_ffec)));
    program.row().line = 7;
    program.generate_row();
    program.end_sequence(8);
    let index = index(&mut fixture);
    assert_eq!(index.function_entries("far"), Vec::<u64>::new());
    let files: Vec<usize> = (0..index.files().len()).collect();
    assert_eq!(index.place_breakpoint(&files, 7), BreakpointPlacement::NoCodeAfter);
}

#[test]
fn many_sequences_on_one_line_are_indexed_in_linear_time() {
    // Each row searched the line's earlier sequences: 50k sequences, 1.25e9 comparisons.
    let mut fixture = Fixture::new();
    let program = &mut fixture.unit().line_program;
    for i in 0..50_000 {
        program.begin_sequence(Some(Address::Constant(1 + i % (CODE_LEN - 2))));
        program.row().line = 1;
        program.generate_row();
        program.end_sequence(1);
    }
    let index = index(&mut fixture);
    let files: Vec<usize> = (0..index.files().len()).collect();
    let BreakpointPlacement::At { line, addresses } = index.place_breakpoint(&files, 1) else {
        panic!("line 1 has code");
    };
    assert_eq!(line, 1);
    assert!(
        !addresses.is_empty() && addresses.len() as u64 <= CODE_LEN,
        "{}",
        addresses.len()
    );
}

#[test]
fn shared_range_lists_cannot_multiply_the_work() {
    // One list of 4000 ranges named by 600 functions: 2.4 million ranges from 64 KiB.
    let mut fixture = Fixture::new();
    let ranges = (0..4000)
        .map(|i| gimli::write::Range::OffsetPair {
            begin: i % (CODE_LEN - 2),
            end: i % (CODE_LEN - 2) + 1,
        })
        .collect();
    let list = fixture.unit().ranges.add(RangeList(ranges));
    let root = fixture.unit().root();
    for _ in 0..600 {
        let function = fixture.add(root, gimli::DW_TAG_subprogram);
        fixture.set(function, gimli::DW_AT_ranges, AttributeValue::RangeListRef(list));
    }
    let error = DwarfIndex::from_module(&fixture.module()).unwrap_err().to_string();
    assert!(error.contains("address ranges"), "{error}");
}

#[test]
fn a_die_with_too_many_ranges_is_refused() {
    let mut fixture = Fixture::new();
    let ranges = (0..5000)
        .map(|i| gimli::write::Range::OffsetPair {
            begin: i % (CODE_LEN - 2),
            end: i % (CODE_LEN - 2) + 1,
        })
        .collect();
    let list = fixture.unit().ranges.add(RangeList(ranges));
    let function = fixture.function;
    fixture.set(function, gimli::DW_AT_ranges, AttributeValue::RangeListRef(list));
    let error = DwarfIndex::from_module(&fixture.module()).unwrap_err().to_string();
    assert!(error.contains("more than 4096 address ranges"), "{error}");
}

#[test]
fn abstract_origins_that_loop_are_followed_a_bounded_number_of_times() {
    let mut fixture = Fixture::new();
    let f = fixture.function;
    let a = fixture.add(f, gimli::DW_TAG_inlined_subroutine);
    let b = fixture.add(a, gimli::DW_TAG_inlined_subroutine);
    for (entry, origin) in [(a, b), (b, a), (f, f)] {
        fixture.set(entry, gimli::DW_AT_abstract_origin, AttributeValue::UnitRef(origin));
        fixture.set(
            entry,
            gimli::DW_AT_low_pc,
            AttributeValue::Address(Address::Constant(2)),
        );
        fixture.set(entry, gimli::DW_AT_high_pc, AttributeValue::Udata(20));
    }
    let int = fixture.base("int", gimli::DW_ATE_signed, 4);
    let v = fixture.variable("v", int, at_address(16));
    fixture.set(v, gimli::DW_AT_abstract_origin, AttributeValue::UnitRef(v));
    let index = index(&mut fixture);
    let pc = (index.code_offset() + 8) as u32;
    assert!(index.frames(pc, false).len() <= 3);
    index.function_entries("f");
    assert!(!index.variables().variables_at(8, 0).is_empty());
}

/// DWARF 4 sections, by hand: a unit, a function over `0..200`, `depth` inlined calls each
/// inside the previous one, and a variable at the bottom. Written byte by byte because
/// `gimli::write` itself recurses once per level.
fn nested_sections(depth: usize) -> Vec<(String, Vec<u8>)> {
    const ADDR: u8 = 0x01;
    const DATA4: u8 = 0x06;
    const STRING: u8 = 0x08;
    let abbrev = vec![
        1, 0x11, 1, 0x11, ADDR, 0x12, DATA4, 0, 0, // compile unit: low_pc, high_pc
        2, 0x2e, 1, 0x11, ADDR, 0x12, DATA4, 0, 0, // subprogram: low_pc, high_pc
        3, 0x1d, 1, 0x11, ADDR, 0x12, DATA4, 0, 0, // inlined subroutine: the same
        4, 0x34, 0, 0x03, STRING, 0, 0, // variable: name
        0,
    ];
    let mut dies = vec![1];
    dies.extend(1u32.to_le_bytes());
    dies.extend(200u32.to_le_bytes());
    dies.push(2);
    dies.extend(1u32.to_le_bytes());
    dies.extend(200u32.to_le_bytes());
    for _ in 0..depth {
        dies.push(3);
        dies.extend(1u32.to_le_bytes());
        dies.extend(200u32.to_le_bytes());
    }
    dies.extend([4, b'v', 0]);
    // The ends of the children lists: the calls', the function's and the unit's.
    dies.extend(std::iter::repeat_n(0, depth + 2));
    let mut info = Vec::new();
    info.extend((dies.len() as u32 + 7).to_le_bytes());
    info.extend(4u16.to_le_bytes());
    info.extend(0u32.to_le_bytes());
    info.push(4);
    info.extend(dies);
    vec![(".debug_abbrev".into(), abbrev), (".debug_info".into(), info)]
}

#[test]
fn deeply_nested_dies_are_refused_before_anything_recurses() {
    // addr2line recurses once per nested inlined call and so did the scope walk: 100k levels
    // overflowed the stack.
    let module = crate::build::module(&nested_sections(100_000));
    let error = DwarfIndex::from_module(&module).unwrap_err().to_string();
    assert!(error.contains("nest deeper than 256"), "{error}");
    // Below the limit, the variable at the bottom is found.
    let module = crate::build::module(&nested_sections(100));
    let index = DwarfIndex::from_module(&module).unwrap();
    let pc = (index.code_offset() + 8) as u32;
    assert_eq!(index.inline_depth(pc), 100);
    let found = index.variables().variables_at(8, 0);
    assert_eq!(found.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["v"]);
}

#[test]
fn the_scope_walk_has_its_own_depth_limit() {
    // `VariableIndex` is public: without the index's check in front of it, it must still not
    // recurse 100k levels.
    let sections: HashMap<String, Arc<[u8]>> = nested_sections(100_000)
        .into_iter()
        .map(|(name, data)| (name, Arc::from(data)))
        .collect();
    let dwarf = gimli::Dwarf::load(|id| {
        let data = sections.get(id.name()).cloned().unwrap_or_else(|| Arc::from(&[][..]));
        Ok::<_, gimli::Error>(gimli::EndianArcSlice::new(data, gimli::LittleEndian))
    })
    .unwrap();
    let variables = VariableIndex::new(dwarf).unwrap();
    assert!(variables.variables_at(8, 0).is_empty());
    assert!(variables.globals_at(8).is_empty());
}

#[test]
fn a_c_string_at_the_end_of_the_address_space_stops_there() {
    // The string was read byte by byte at `address + offset`, which overflowed.
    let mut fixture = Fixture::new();
    let char_type = fixture.base("char", gimli::DW_ATE_signed_char, 1);
    let pointer = fixture.ty(gimli::DW_TAG_pointer_type, None, Some(8));
    fixture.set(pointer, gimli::DW_AT_type, AttributeValue::UnitRef(char_type));
    let mut location = Expression::new();
    location.op_implicit_value((u64::MAX - 2).to_le_bytes().into());
    fixture.variable("v", pointer, location);
    let (_, rendered) = render_v(&mut fixture, &mut readable_everywhere());
    assert_eq!(rendered.value, "0xfffffffffffffffd \"AAA\"…");
}

#[test]
fn an_rc_whose_count_is_past_the_address_space_renders() {
    // `address + offset` of the count overflowed for an offset from DWARF.
    let mut fixture = Fixture::new();
    let usize_type = fixture.base("usize", gimli::DW_ATE_unsigned, 4);
    let rc_box = fixture.ty(gimli::DW_TAG_structure_type, Some("RcBox<i32>"), Some(12));
    fixture.member(rc_box, "strong", usize_type, u64::MAX);
    fixture.member(rc_box, "value", usize_type, u64::MAX - 1);
    let pointer = fixture.ty(gimli::DW_TAG_pointer_type, None, Some(4));
    fixture.set(pointer, gimli::DW_AT_type, AttributeValue::UnitRef(rc_box));
    let rc = fixture.ty(gimli::DW_TAG_structure_type, Some("Rc<i32>"), Some(4));
    fixture.member(rc, "ptr", pointer, 0);
    fixture.variable("v", rc, at_address(16));
    let (_, rendered) = render_v(&mut fixture, &mut readable_everywhere());
    assert_finite(&rendered);
}

#[test]
fn an_rc_counted_by_an_rc_renders_finitely() {
    // The count was rendered from depth 0 again: a count whose type is an `Rc` again
    // recursed until the stack overflowed.
    let mut fixture = Fixture::new();
    let int = fixture.base("int", gimli::DW_ATE_signed, 4);
    let rc = fixture.ty(gimli::DW_TAG_structure_type, Some("Rc<i32>"), Some(4));
    let rc_box = fixture.ty(gimli::DW_TAG_structure_type, Some("RcBox<i32>"), Some(8));
    fixture.member(rc_box, "strong", rc, 0);
    fixture.member(rc_box, "weak", rc, 0);
    fixture.member(rc_box, "value", int, 4);
    let pointer = fixture.ty(gimli::DW_TAG_pointer_type, None, Some(4));
    fixture.set(pointer, gimli::DW_AT_type, AttributeValue::UnitRef(rc_box));
    fixture.member(rc, "ptr", pointer, 0);
    fixture.variable("v", rc, at_address(16));
    let mut memory = vec![0; 32];
    memory[16..20].copy_from_slice(&16u32.to_le_bytes());
    let (_, rendered) = render_v(&mut fixture, &mut machine(memory));
    // Both counts read the `Rc`'s pointer (16); the weak count leaves out the strong ones' own.
    assert_eq!(rendered.value, "strong=16 weak=15 0");
}

#[test]
fn elements_with_a_huge_stride_in_bytes_are_empty() {
    // An element's bytes were cut at `offset + stride`, which overflowed.
    let mut fixture = Fixture::new();
    let int = fixture.base("int", gimli::DW_ATE_signed, 4);
    fixture.variable("v", int, at_address(16));
    let index = index(&mut fixture);
    let variables = index.variables();
    let ty = variables.variables_at(8, 0)[0].ty.unwrap();
    let renderer = Renderer::new(variables.types());
    let elements = Children::Elements {
        place: Place::Bytes(vec![1; 8]),
        element: ty,
        stride: u64::MAX,
        count: 4,
        inner: Vec::new(),
    };
    let rendered = renderer.element(&elements, 1, &mut machine(Vec::new()), 0);
    assert_eq!(rendered.value, "<partly optimized out>");
}

#[test]
fn the_disassembly_window_takes_any_offset() {
    let module = crate::build::module(&[]);
    let disassembly = Disassembly::of_module(&module).unwrap();
    for offset in [i64::MIN, i64::MAX, -1, 0] {
        let window = disassembly.window(u32::MAX, offset, 3);
        assert_eq!(window.len(), 3);
    }
}

#[test]
fn long_dwarf_paths_are_looked_up_by_their_last_components() {
    // Every suffix of the path was joined and looked up: quadratic in its length.
    let path = "/d".repeat(100_000) + "/lib.rs";
    let paths = SourcePaths {
        source_map: Vec::new(),
        roots: vec![std::env::temp_dir()],
    };
    assert_eq!(paths.to_local(&path), path);
}
