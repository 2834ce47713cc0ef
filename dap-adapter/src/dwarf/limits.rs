//! Bounds on the work and memory that a module's DWARF can ask for. A plugin's debug
//! information may be malformed or hostile: references that loop, sizes of 2^64 bytes, ranges
//! lists shared by every DIE. These limits are far above what compilers emit, and every walk
//! of the DWARF stays within them.

use std::borrow::Cow;
use std::ops::Range;

use super::Slice;

/// Deepest DIE nesting indexed. Compilers nest namespaces, blocks and inlined calls a few
/// dozen levels; addr2line and the scope walk recurse once per level.
pub const MAX_DIE_DEPTH: isize = 256;

/// Most address ranges one DIE may have.
pub const MAX_RANGES_PER_DIE: usize = 4096;

/// Most address ranges of all DIEs together (ranges lists can be shared, so a small section
/// can describe many).
pub const MAX_TOTAL_RANGES: usize = 1 << 21;

/// Most line-table rows of all units together (units can share one line program).
pub const MAX_LINE_ROWS: usize = 1 << 23;

/// Longest name or path kept from DWARF strings, in bytes.
pub const MAX_TEXT_BYTES: usize = 4096;

/// Most operations one location expression may execute (`DW_OP_skip` can loop).
pub const MAX_EXPRESSION_STEPS: u32 = 10_000;

/// Largest value assembled from location pieces, in bytes.
pub const MAX_VALUE_BYTES: u64 = 1 << 16;

/// Most entries of a location list searched for the one live at a pc.
pub const MAX_LOCATION_ENTRIES: usize = 4096;

/// `text` cut to [`MAX_TEXT_BYTES`] on a character boundary, with `…` when cut.
pub fn bounded_text(text: Cow<'_, str>) -> String {
    if text.len() <= MAX_TEXT_BYTES {
        return text.into_owned();
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Why a DIE's ranges cannot be used.
#[derive(Debug)]
pub enum RangesError {
    /// The ranges do not parse.
    Invalid(gimli::Error),
    /// More than [`MAX_RANGES_PER_DIE`].
    TooMany,
}

impl std::fmt::Display for RangesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RangesError::Invalid(error) => write!(f, "{error}"),
            RangesError::TooMany => write!(f, "a DIE has more than {MAX_RANGES_PER_DIE} address ranges"),
        }
    }
}

impl std::error::Error for RangesError {}

/// The code ranges of a DIE (`DW_AT_low_pc` with `DW_AT_high_pc`, or `DW_AT_ranges`), without
/// empty ranges and wasm-ld's tombstones. gimli's own `die_ranges` adds `low_pc + size`
/// unchecked, which overflows on hostile input.
pub fn entry_ranges(
    dwarf: &gimli::Dwarf<Slice>,
    unit: &gimli::Unit<Slice>,
    entry: &gimli::DebuggingInformationEntry<Slice>,
) -> Result<Vec<Range<u64>>, RangesError> {
    counted_entry_ranges(dwarf, unit, entry).map(|(ranges, _)| ranges)
}

/// [`entry_ranges`], and how many list entries were read for them (the work, which counts
/// the empty and tombstoned ranges too).
fn counted_entry_ranges(
    dwarf: &gimli::Dwarf<Slice>,
    unit: &gimli::Unit<Slice>,
    entry: &gimli::DebuggingInformationEntry<Slice>,
) -> Result<(Vec<Range<u64>>, usize), RangesError> {
    let mut found = Vec::new();
    let mut keep = |begin: u64, end: u64| {
        if begin < end && !super::lines::is_tombstone(begin) {
            found.push(begin..end);
        }
    };
    if let Some(value) = entry.attr_value(gimli::DW_AT_ranges) {
        let Some(offset) = dwarf.attr_ranges_offset(unit, value).map_err(RangesError::Invalid)? else {
            return Ok((found, 0));
        };
        let mut list = dwarf.ranges(unit, offset).map_err(RangesError::Invalid)?;
        let mut read = 0usize;
        while let Some(range) = list.next().map_err(RangesError::Invalid)? {
            read += 1;
            if read > MAX_RANGES_PER_DIE {
                return Err(RangesError::TooMany);
            }
            keep(range.begin, range.end);
        }
        return Ok((found, read));
    }
    let address = |at| -> Result<Option<u64>, RangesError> {
        match entry.attr_value(at) {
            Some(value) => dwarf.attr_address(unit, value).map_err(RangesError::Invalid),
            None => Ok(None),
        }
    };
    let Some(low) = address(gimli::DW_AT_low_pc)? else {
        return Ok((found, 0));
    };
    let high = match entry.attr_value(gimli::DW_AT_high_pc) {
        // A size: an end past the address space is no range at all.
        Some(gimli::AttributeValue::Udata(size)) => low.checked_add(size),
        Some(_) => address(gimli::DW_AT_high_pc)?,
        None => None,
    };
    if let Some(high) = high {
        keep(low, high);
    }
    Ok((found, 1))
}

/// Tags whose ranges the index, addr2line or the scope walk expand.
fn has_code_ranges(tag: gimli::DwTag) -> bool {
    matches!(
        tag,
        gimli::DW_TAG_compile_unit
            | gimli::DW_TAG_partial_unit
            | gimli::DW_TAG_subprogram
            | gimli::DW_TAG_inlined_subroutine
            | gimli::DW_TAG_lexical_block
    )
}

/// Checks, in one pass over every DIE, that the DWARF stays within [`MAX_DIE_DEPTH`] and the
/// range limits, before anything recursive (addr2line, the scope walk) reads it.
pub fn check_structure(dwarf: &gimli::Dwarf<Slice>) -> Result<(), String> {
    let mut total_ranges = 0usize;
    let mut units = dwarf.units();
    while let Some(header) = units.next().map_err(|e| e.to_string())? {
        let unit = dwarf.unit(header).map_err(|e| e.to_string())?;
        let mut entries = unit.entries();
        while let Some(entry) = entries.next_dfs().map_err(|e| e.to_string())? {
            if entry.depth() > MAX_DIE_DEPTH {
                return Err(format!("DIEs nest deeper than {MAX_DIE_DEPTH} levels"));
            }
            if !has_code_ranges(entry.tag()) {
                continue;
            }
            let (_, read) = counted_entry_ranges(dwarf, &unit, entry).map_err(|e| e.to_string())?;
            total_ranges = total_ranges.saturating_add(read);
            if total_ranges > MAX_TOTAL_RANGES {
                return Err(format!("the DIEs have more than {MAX_TOTAL_RANGES} address ranges"));
            }
        }
    }
    Ok(())
}
