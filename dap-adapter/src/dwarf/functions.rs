//! Function entry points by name, for function breakpoints.

use gimli::Reader as _;

use super::Slice;

/// A function with code.
#[derive(Debug, Clone)]
pub struct FunctionEntry {
    /// `DW_AT_name`, e.g. `ratio`.
    pub name: String,
    /// Demangled linkage name without the hash, e.g. `trap::ratio`.
    pub qualified: String,
    /// DWARF address of its first instruction.
    pub low_pc: u64,
}

/// Every subprogram with an address.
pub fn collect(dwarf: &gimli::Dwarf<Slice>) -> Result<Vec<FunctionEntry>, gimli::Error> {
    let mut functions = Vec::new();
    let mut units = dwarf.units();
    while let Some(header) = units.next()? {
        let unit = dwarf.unit(header)?;
        let mut entries = unit.entries();
        while let Some(entry) = entries.next_dfs()? {
            if entry.tag() != gimli::DW_TAG_subprogram {
                continue;
            }
            let Some(gimli::AttributeValue::Addr(low_pc)) = entry.attr_value(gimli::DW_AT_low_pc) else {
                continue;
            };
            if super::lines::is_tombstone(low_pc) {
                continue;
            }
            let text = |attr| {
                entry
                    .attr_value(attr)
                    .and_then(|value| dwarf.attr_string(&unit, value).ok())
                    .and_then(|s| s.to_string_lossy().ok().map(|s| s.into_owned()))
            };
            let Some(name) = text(gimli::DW_AT_name) else { continue };
            let qualified = text(gimli::DW_AT_linkage_name)
                .map(|linkage| without_hash(&addr2line::demangle_auto(linkage.into(), None)))
                .unwrap_or_else(|| name.clone());
            functions.push(FunctionEntry {
                name,
                qualified,
                low_pc,
            });
        }
    }
    Ok(functions)
}

/// `trap::ratio::h0123456789abcdef` → `trap::ratio`.
fn without_hash(name: &str) -> String {
    match name.rsplit_once("::h") {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => head.to_string(),
        _ => name.to_string(),
    }
}

/// Whether `query` names `function`: its short name, its qualified name, or a `::` suffix.
pub fn matches(function: &FunctionEntry, query: &str) -> bool {
    function.name == query || function.qualified == query || function.qualified.ends_with(&format!("::{query}"))
}
