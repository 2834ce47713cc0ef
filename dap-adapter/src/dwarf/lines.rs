//! Line tables: every row of every compilation unit, sorted by address, with the statement
//! rows indexed by file and line.

use std::collections::{BTreeMap, HashMap};

use gimli::Reader as _;

use super::{Slice, SourceLocation};

/// One line-table row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRow {
    /// DWARF address.
    pub address: u64,
    /// Index into the file list.
    pub file: u32,
    /// Line, 1-based (0 = no line).
    pub line: u32,
    /// Column, 1-based (0 = unknown).
    pub column: u32,
    /// Whether the row starts a statement.
    pub is_stmt: bool,
    /// Whether the row ends its sequence (its address is one past the last instruction).
    pub end_sequence: bool,
    /// Whether the compiler marked this row as the end of the function's prologue.
    pub prologue_end: bool,
}

/// Where a breakpoint lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakpointPlacement {
    /// At these module pcs, on this line (which may be after the requested one).
    At {
        /// The line that has code.
        line: u32,
        /// One address per function the line's code is in.
        addresses: Vec<u64>,
    },
    /// The file has code, but none at or after this line.
    NoCodeAfter,
    /// No file matched.
    UnknownFile,
}

pub(super) struct LineTable {
    pub files: Vec<String>,
    rows: Vec<LineRow>,
    statements: HashMap<u64, usize>,
    by_line: HashMap<u32, BTreeMap<u32, Vec<(usize, u64)>>>,
}

/// Rows of a function's range searched for where its body starts: the prologue is at the start,
/// and hostile ranges can cover every row of the module.
const ROWS_SCANNED: usize = 4096;

/// Addresses wasm-ld gives dead functions' DWARF instead of removing it.
pub(super) fn is_tombstone(address: u64) -> bool {
    address == 0 || address >= 0xffff_fff0
}

impl LineTable {
    pub fn build(dwarf: &gimli::Dwarf<Slice>) -> Result<LineTable, String> {
        Self::build_rows(dwarf)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("the line tables have more than {} rows", super::limits::MAX_LINE_ROWS))
    }

    /// The table, or `None` when the rows exceed [`MAX_LINE_ROWS`](super::limits::MAX_LINE_ROWS).
    fn build_rows(dwarf: &gimli::Dwarf<Slice>) -> Result<Option<LineTable>, gimli::Error> {
        let mut files: Vec<String> = Vec::new();
        let mut file_ids: HashMap<String, u32> = HashMap::new();
        let mut rows = Vec::new();
        let mut rows_read = 0usize;
        let mut sequence_id = 0usize;
        let mut sequences: Vec<usize> = Vec::new();
        let mut units = dwarf.units();
        while let Some(header) = units.next()? {
            let unit = dwarf.unit(header)?;
            let Some(program) = unit.line_program.clone() else {
                continue;
            };
            let comp_dir = unit
                .comp_dir
                .as_ref()
                .and_then(|d| d.to_string_lossy().ok().map(super::limits::bounded_text))
                .unwrap_or_default();
            let mut cache: HashMap<u64, u32> = HashMap::new();
            let mut program_rows = program.rows();
            let mut sequence: Vec<LineRow> = Vec::new();
            while let Some((header, row)) = program_rows.next_row()? {
                // Units may share one line program; count every row read, kept or not.
                rows_read += 1;
                if rows_read > super::limits::MAX_LINE_ROWS {
                    return Ok(None);
                }
                let file_index = row.file_index();
                let file = match cache.get(&file_index) {
                    Some(id) => *id,
                    None => {
                        let path = row
                            .file(header)
                            .map(|entry| file_path(dwarf, &unit, header, entry, &comp_dir))
                            .unwrap_or_default();
                        let id = *file_ids.entry(path.clone()).or_insert_with(|| {
                            files.push(path);
                            (files.len() - 1) as u32
                        });
                        cache.insert(file_index, id);
                        id
                    }
                };
                let line_row = LineRow {
                    address: row.address(),
                    file,
                    // Lines past u32::MAX saturate: truncated, they would alias real lines.
                    line: row.line().map_or(0, |l| saturate(l.get())),
                    column: match row.column() {
                        gimli::ColumnType::LeftEdge => 0,
                        gimli::ColumnType::Column(c) => saturate(c.get()),
                    },
                    is_stmt: row.is_stmt(),
                    end_sequence: row.end_sequence(),
                    prologue_end: row.prologue_end(),
                };
                sequence.push(line_row);
                if line_row.end_sequence {
                    let keep = sequence.first().is_some_and(|first| !is_tombstone(first.address));
                    if keep {
                        for row in sequence.drain(..) {
                            rows.push(row);
                            sequences.push(sequence_id);
                        }
                    }
                    sequence.clear();
                    sequence_id += 1;
                }
            }
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        // Sequence ends sort before rows starting at the same address.
        order.sort_by_key(|&i| (rows[i].address, !rows[i].end_sequence));
        let rows: Vec<LineRow> = order.iter().map(|&i| rows[i]).collect();
        let sequences: Vec<usize> = order.iter().map(|&i| sequences[i]).collect();
        let mut statements = HashMap::new();
        let mut by_line: HashMap<u32, BTreeMap<u32, Vec<(usize, u64)>>> = HashMap::new();
        for (index, row) in rows.iter().enumerate() {
            if row.end_sequence || !row.is_stmt || row.line == 0 {
                continue;
            }
            statements.entry(row.address).or_insert(index);
            let per_line = by_line.entry(row.file).or_default().entry(row.line).or_default();
            per_line.push((sequences[index], row.address));
        }
        // One address per sequence (function): its lowest, so one execution is one stop.
        // Sorted once here: a search per row is quadratic when many sequences share a line.
        for per_line in by_line.values_mut().flat_map(BTreeMap::values_mut) {
            per_line.sort_unstable();
            per_line.dedup_by_key(|(sequence, _)| *sequence);
        }
        Ok(Some(LineTable {
            files,
            rows,
            statements,
            by_line,
        }))
    }

    pub fn location(&self, row: &LineRow) -> SourceLocation {
        SourceLocation {
            file: self.files.get(row.file as usize).cloned().unwrap_or_default(),
            line: row.line,
            column: row.column,
        }
    }

    /// The row whose range covers `address`.
    pub fn row_at(&self, address: u64) -> Option<&LineRow> {
        let index = self.rows.partition_point(|row| row.address <= address);
        let row = self.rows.get(index.checked_sub(1)?)?;
        (!row.end_sequence && row.line != 0).then_some(row)
    }

    /// Addresses in `[start, end)` whose rows are marked `prologue_end`, in address order,
    /// among the range's first [`ROWS_SCANNED`] rows.
    pub fn prologue_ends(&self, start: u64, end: u64) -> impl Iterator<Item = u64> + '_ {
        let first = self.rows.partition_point(|row| row.address < start);
        self.rows[first..]
            .iter()
            .take(ROWS_SCANNED)
            .take_while(move |row| row.address < end)
            .filter(|row| row.prologue_end && !row.end_sequence && row.line != 0)
            .map(|row| row.address)
    }

    /// Statement addresses in `[start, end)`, in address order, among the range's first
    /// [`ROWS_SCANNED`] rows.
    pub fn statements_in(&self, start: u64, end: u64) -> impl Iterator<Item = u64> + Clone + '_ {
        let first = self.rows.partition_point(|row| row.address < start);
        self.rows[first..]
            .iter()
            .take(ROWS_SCANNED)
            .take_while(move |row| row.address < end)
            .filter(|row| row.is_stmt && !row.end_sequence && row.line != 0)
            .map(|row| row.address)
    }

    pub fn statement_starting_at(&self, address: u64) -> Option<&LineRow> {
        self.statements.get(&address).map(|&index| &self.rows[index])
    }

    pub fn place_breakpoint(&self, files: &[usize], line: u32) -> BreakpointPlacement {
        let tables: Vec<&BTreeMap<u32, Vec<(usize, u64)>>> = files
            .iter()
            .filter_map(|f| u32::try_from(*f).ok())
            .filter_map(|f| self.by_line.get(&f))
            .collect();
        if tables.is_empty() {
            return BreakpointPlacement::UnknownFile;
        }
        let next_line = tables
            .iter()
            .filter_map(|table| table.range(line..).next().map(|(l, _)| *l))
            .min();
        let Some(actual) = next_line else {
            return BreakpointPlacement::NoCodeAfter;
        };
        let mut addresses: Vec<u64> = tables
            .iter()
            .filter_map(|table| table.get(&actual))
            .flatten()
            .map(|(_, address)| *address)
            .collect();
        addresses.sort_unstable();
        addresses.dedup();
        BreakpointPlacement::At {
            line: actual,
            addresses,
        }
    }
}

fn file_path(
    dwarf: &gimli::Dwarf<Slice>,
    unit: &gimli::Unit<Slice>,
    header: &gimli::LineProgramHeader<Slice>,
    entry: &gimli::FileEntry<Slice>,
    comp_dir: &str,
) -> String {
    let text = |value: gimli::AttributeValue<Slice>| {
        dwarf
            .attr_string(unit, value)
            .ok()
            .and_then(|s| s.to_string_lossy().ok().map(super::limits::bounded_text))
            .unwrap_or_default()
    };
    let name = text(entry.path_name());
    let directory = entry.directory(header).map(text).unwrap_or_default();
    let mut path = std::path::PathBuf::from(comp_dir);
    path.push(directory);
    path.push(name);
    super::limits::bounded_text(normalise(&path.to_string_lossy()).into())
}

fn saturate(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Removes `.` and resolves `..` textually (the files may not exist on this machine).
pub(super) fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}
