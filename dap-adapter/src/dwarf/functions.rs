//! Function entry points by name, for function breakpoints: every out-of-line function and
//! every place a function was inlined, so a breakpoint on `start` stops wherever `start` runs.

use gimli::Reader as _;

use super::Slice;

/// One body of a function: out of line, or one inlined copy.
#[derive(Debug, Clone)]
pub struct FunctionEntry {
    /// `DW_AT_name`, e.g. `ratio`.
    pub name: String,
    /// Demangled linkage name without the hash, e.g. `trap::ratio`.
    pub qualified: String,
    /// DWARF address ranges of the code, lowest first.
    pub ranges: Vec<std::ops::Range<u64>>,
}

impl FunctionEntry {
    /// Where the code starts.
    pub fn low_pc(&self) -> u64 {
        self.ranges.first().map_or(0, |range| range.start)
    }
}

/// Every subprogram and inlined subroutine with code.
pub fn collect(dwarf: &gimli::Dwarf<Slice>) -> Result<Vec<FunctionEntry>, String> {
    collect_entries(dwarf).map_err(|e| e.to_string())
}

fn collect_entries(dwarf: &gimli::Dwarf<Slice>) -> Result<Vec<FunctionEntry>, Box<dyn std::error::Error>> {
    let mut functions = Vec::new();
    let mut units = dwarf.units();
    while let Some(header) = units.next()? {
        let unit = dwarf.unit(header)?;
        let mut entries = unit.entries();
        while let Some(entry) = entries.next_dfs()? {
            if !matches!(entry.tag(), gimli::DW_TAG_subprogram | gimli::DW_TAG_inlined_subroutine) {
                continue;
            }
            let mut ranges = super::limits::entry_ranges(dwarf, &unit, entry)?;
            if ranges.is_empty() {
                continue;
            }
            ranges.sort_by_key(|range| range.start);
            let Some((name, linkage)) = names(dwarf, &unit, entry.clone())? else {
                continue;
            };
            let qualified = linkage
                .map(|linkage| {
                    super::limits::bounded_text(without_hash(&addr2line::demangle_auto(linkage.into(), None)).into())
                })
                .unwrap_or_else(|| name.clone());
            functions.push(FunctionEntry {
                name,
                qualified,
                ranges,
            });
        }
    }
    Ok(functions)
}

/// `DW_AT_name` and `DW_AT_linkage_name`, following `DW_AT_abstract_origin` and
/// `DW_AT_specification` (inlined and concrete copies carry their names only there).
fn names(
    dwarf: &gimli::Dwarf<Slice>,
    unit: &gimli::Unit<Slice>,
    mut entry: gimli::DebuggingInformationEntry<Slice>,
) -> Result<Option<(String, Option<String>)>, gimli::Error> {
    let text = |entry: &gimli::DebuggingInformationEntry<Slice>, attr| {
        entry
            .attr_value(attr)
            .and_then(|value| dwarf.attr_string(unit, value).ok())
            .and_then(|s| s.to_string_lossy().ok().map(super::limits::bounded_text))
    };
    let (mut name, mut linkage) = (None, None);
    // A bounded walk: malformed DWARF could make the references a cycle.
    for _ in 0..8 {
        name = name.or_else(|| text(&entry, gimli::DW_AT_name));
        linkage = linkage.or_else(|| text(&entry, gimli::DW_AT_linkage_name));
        if name.is_some() && linkage.is_some() {
            break;
        }
        let origin = entry
            .attr_value(gimli::DW_AT_abstract_origin)
            .or_else(|| entry.attr_value(gimli::DW_AT_specification));
        match origin {
            Some(gimli::AttributeValue::UnitRef(offset)) => entry = unit.entry(offset)?,
            _ => break,
        }
    }
    Ok(name.map(|name| (name, linkage)))
}

/// `trap::ratio::h0123456789abcdef` → `trap::ratio`.
pub(super) fn without_hash(name: &str) -> String {
    match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => head.to_string(),
        _ => name.to_string(),
    }
}

/// Whether `query` names `function`: its short name, its qualified name, or a `::` suffix of
/// it. Trait methods also answer to `Type::method`: `<hello::Hello as qirvo_pdk::Plugin>::start`
/// is found as `start`, `Hello::start` and `hello::Hello::start`.
pub fn matches(function: &FunctionEntry, query: &str) -> bool {
    let is_suffix = |qualified: &str| qualified == query || qualified.ends_with(&format!("::{query}"));
    function.name == query
        || is_suffix(&function.qualified)
        || trait_impl_path(&function.qualified).is_some_and(|p| is_suffix(&p))
}

/// `<hello::Hello as qirvo_pdk::Plugin>::start` → `hello::Hello::start`.
fn trait_impl_path(qualified: &str) -> Option<String> {
    let rest = qualified.strip_prefix('<')?;
    let (self_type, rest) = rest.split_once(" as ")?;
    let (_, method) = rest.split_once(">::")?;
    Some(format!("{self_type}::{method}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(name: &str, qualified: &str) -> FunctionEntry {
        FunctionEntry {
            name: name.into(),
            qualified: qualified.into(),
            ranges: std::iter::once(0..1).collect(),
        }
    }

    #[test]
    fn names_match_short_qualified_and_trait_forms() {
        let start = function("start", "<hello::Hello as qirvo_pdk::Plugin>::start");
        for query in [
            "start",
            "Hello::start",
            "hello::Hello::start",
            "<hello::Hello as qirvo_pdk::Plugin>::start",
        ] {
            assert!(matches(&start, query), "{query}");
        }
        for query in ["art", "ello::start", "Plugin::stop"] {
            assert!(!matches(&start, query), "{query}");
        }
        assert_eq!(without_hash("trap::ratio::h0123456789abcdef"), "trap::ratio");
        assert_eq!(without_hash("a::hb"), "a::hb");
    }
}
