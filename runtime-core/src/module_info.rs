//! What the manifest rules need to know about a compiled module, read with `wasmparser`
//! without compiling it: imports, exports with their types, the memory's declared size and
//! whether DWARF is present. Function bodies are skipped, so a 2 MB module is read in well
//! under a millisecond.

use std::path::Path;

use wasmparser::{Chunk, CompositeInnerType, Encoding, ExternalKind, Parser, Payload, TypeRef};

use crate::host_api::{Signature, ValType};

/// A function type as found in a module (owned; may contain types the host API never uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncType {
    /// Parameter types; `None` for a reference or vector type.
    pub params: Vec<Option<ValType>>,
    /// Result types.
    pub results: Vec<Option<ValType>>,
}

impl FuncType {
    /// Whether this is exactly `signature`.
    pub fn matches(&self, signature: &Signature) -> bool {
        let same = |have: &[Option<ValType>], want: &[ValType]| {
            have.len() == want.len() && have.iter().zip(want).all(|(h, w)| *h == Some(*w))
        };
        same(&self.params, signature.params) && same(&self.results, signature.results)
    }
}

impl std::fmt::Display for FuncType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |types: &[Option<ValType>]| {
            types
                .iter()
                .map(|t| t.map_or("ref", ValType::name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "({}) -> ({})", list(&self.params), list(&self.results))
    }
}

/// What an import or export is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityKind {
    /// A function with its type (`None` if the type index was out of range).
    Func(Option<FuncType>),
    /// A memory.
    Memory,
    /// A table.
    Table,
    /// A global.
    Global,
    /// An exception tag.
    Tag,
}

impl EntityKind {
    /// Lowercase name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            EntityKind::Func(_) => "function",
            EntityKind::Memory => "memory",
            EntityKind::Table => "table",
            EntityKind::Global => "global",
            EntityKind::Tag => "tag",
        }
    }
}

/// One import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// Import module, e.g. `qirvo`.
    pub module: String,
    /// Import name, e.g. `storage_get`.
    pub name: String,
    /// What is imported.
    pub kind: EntityKind,
}

/// One export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Export name.
    pub name: String,
    /// What is exported.
    pub kind: EntityKind,
}

/// The first linear memory, defined or imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryInfo {
    /// Declared minimum size in 64 KiB pages.
    pub min_pages: u64,
    /// Declared maximum size in pages, if any.
    pub max_pages: Option<u64>,
    /// Whether it is imported rather than defined.
    pub imported: bool,
}

/// A summary of a core wasm module.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleInfo {
    /// Imports in module order.
    pub imports: Vec<Import>,
    /// Exports in module order.
    pub exports: Vec<Export>,
    /// The first memory.
    pub memory: Option<MemoryInfo>,
    /// Whether `.debug_info` is present (source-level debugging possible).
    pub has_dwarf: bool,
    /// Whether a `name` section is present (function names in backtraces).
    pub has_name_section: bool,
    /// Byte offset of the code section's payload; DWARF addresses are relative to it.
    pub code_section_offset: Option<usize>,
    /// Size of the module file in bytes.
    pub size: usize,
}

/// Why a module could not be summarised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModuleError {
    /// The file does not exist.
    #[error("file not found")]
    NotFound,
    /// The file exists but cannot be read.
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    /// The bytes are not a valid core wasm module.
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Byte offset in the module, if known.
        offset: Option<usize>,
    },
}

impl ModuleInfo {
    /// Reads and summarises a module file.
    pub fn from_file(path: &Path) -> Result<ModuleInfo, ModuleError> {
        let bytes = std::fs::read(path).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => ModuleError::NotFound,
            _ => ModuleError::Unreadable(error.to_string()),
        })?;
        ModuleInfo::from_bytes(&bytes)
    }

    /// Summarises module bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<ModuleInfo, ModuleError> {
        if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
            let message = if bytes.is_empty() {
                "the file is empty, not a wasm module".to_string()
            } else if bytes.starts_with(b"(module") || bytes.starts_with(b";;") {
                "this is wasm text format (.wat); compile it to a binary .wasm".to_string()
            } else {
                "not a wasm module (missing the `\\0asm` header)".to_string()
            };
            return Err(ModuleError::Invalid {
                message,
                offset: Some(0),
            });
        }
        let invalid = |error: wasmparser::BinaryReaderError| ModuleError::Invalid {
            message: error.message().to_string(),
            offset: Some(error.offset()),
        };
        let mut info = ModuleInfo {
            size: bytes.len(),
            ..ModuleInfo::default()
        };
        let mut types: Vec<Option<FuncType>> = Vec::new();
        let mut func_types: Vec<u32> = Vec::new();
        let mut parser = Parser::new(0);
        let mut offset = 0;
        loop {
            let (payload, consumed) = match parser.parse(&bytes[offset..], true).map_err(invalid)? {
                Chunk::NeedMoreData(_) => {
                    return Err(ModuleError::Invalid {
                        message: "the module ends in the middle of a section".to_string(),
                        offset: Some(bytes.len()),
                    });
                }
                Chunk::Parsed { consumed, payload } => (payload, consumed),
            };
            offset += consumed;
            match payload {
                Payload::Version { encoding, .. } if encoding != Encoding::Module => {
                    return Err(ModuleError::Invalid {
                        message: "this is a wasm component; Qirvo plugins are core wasm modules".to_string(),
                        offset: Some(0),
                    });
                }
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub_type in group.map_err(invalid)?.into_types() {
                            types.push(match &sub_type.composite_type.inner {
                                CompositeInnerType::Func(func) => Some(FuncType {
                                    params: func.params().iter().map(val_type).collect(),
                                    results: func.results().iter().map(val_type).collect(),
                                }),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(invalid)?;
                        let kind = match import.ty {
                            TypeRef::Func(index) | TypeRef::FuncExact(index) => {
                                func_types.push(index);
                                EntityKind::Func(types.get(index as usize).cloned().flatten())
                            }
                            TypeRef::Memory(memory) => {
                                if info.memory.is_none() {
                                    info.memory = Some(MemoryInfo {
                                        min_pages: memory.initial,
                                        max_pages: memory.maximum,
                                        imported: true,
                                    });
                                }
                                EntityKind::Memory
                            }
                            TypeRef::Table(_) => EntityKind::Table,
                            TypeRef::Global(_) => EntityKind::Global,
                            TypeRef::Tag(_) => EntityKind::Tag,
                        };
                        info.imports.push(Import {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                            kind,
                        });
                    }
                }
                Payload::FunctionSection(reader) => {
                    for index in reader {
                        func_types.push(index.map_err(invalid)?);
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        let memory = memory.map_err(invalid)?;
                        if info.memory.is_none() {
                            info.memory = Some(MemoryInfo {
                                min_pages: memory.initial,
                                max_pages: memory.maximum,
                                imported: false,
                            });
                        }
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(invalid)?;
                        let kind = match export.kind {
                            ExternalKind::Func | ExternalKind::FuncExact => EntityKind::Func(
                                func_types
                                    .get(export.index as usize)
                                    .and_then(|ty| types.get(*ty as usize).cloned().flatten()),
                            ),
                            ExternalKind::Memory => EntityKind::Memory,
                            ExternalKind::Table => EntityKind::Table,
                            ExternalKind::Global => EntityKind::Global,
                            ExternalKind::Tag => EntityKind::Tag,
                        };
                        info.exports.push(Export {
                            name: export.name.to_string(),
                            kind,
                        });
                    }
                }
                Payload::CodeSectionStart { range, size, .. } => {
                    info.code_section_offset = Some(range.start);
                    parser.skip_section();
                    offset += size as usize;
                    if offset > bytes.len() {
                        return Err(ModuleError::Invalid {
                            message: "the module ends in the middle of the code section".to_string(),
                            offset: Some(bytes.len()),
                        });
                    }
                }
                Payload::CustomSection(reader) => match reader.name() {
                    ".debug_info" => info.has_dwarf = true,
                    "name" => info.has_name_section = true,
                    _ => {}
                },
                Payload::End(_) => break,
                _ => {}
            }
        }
        Ok(info)
    }

    /// The export named `name`.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|export| export.name == name)
    }

    /// Declared minimum memory in bytes.
    pub fn min_memory_bytes(&self) -> u64 {
        self.memory
            .map_or(0, |m| m.min_pages.saturating_mul(crate::units::WASM_PAGE))
    }
}

fn val_type(ty: &wasmparser::ValType) -> Option<ValType> {
    match ty {
        wasmparser::ValType::I32 => Some(ValType::I32),
        wasmparser::ValType::I64 => Some(ValType::I64),
        wasmparser::ValType::F32 => Some(ValType::F32),
        wasmparser::ValType::F64 => Some(ValType::F64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_imports_exports_and_memory() {
        let wasm = wat::parse_str(
            r#"(module
                (import "qirvo" "log" (func (param i32 i32 i32)))
                (import "qirvo" "storage_get" (func (param i32 i32) (result i64)))
                (memory (export "memory") 3 10)
                (func (export "qirvo_initialize") (result i32) i32.const 0)
                (@custom ".debug_info" "x"))"#,
        )
        .unwrap();
        let info = ModuleInfo::from_bytes(&wasm).unwrap();
        assert_eq!(info.imports.len(), 2);
        assert_eq!(info.imports[1].name, "storage_get");
        let init = info.export("qirvo_initialize").unwrap();
        let EntityKind::Func(Some(ty)) = &init.kind else {
            panic!("{init:?}")
        };
        assert_eq!(ty.to_string(), "() -> (i32)");
        assert_eq!(info.memory.unwrap().min_pages, 3);
        assert_eq!(info.min_memory_bytes(), 3 * 65536);
        assert!(info.has_dwarf);
        assert!(info.code_section_offset.is_some());
    }

    #[test]
    fn explains_what_is_not_a_module() {
        let message = |bytes: &[u8]| match ModuleInfo::from_bytes(bytes) {
            Err(ModuleError::Invalid { message, .. }) => message,
            other => panic!("{other:?}"),
        };
        assert!(message(b"").contains("empty"));
        assert!(message(b"(module)").contains(".wat"));
        assert!(message(b"hello world").contains("header"));
        let mut truncated = wat::parse_str("(module (func (export \"f\")))").unwrap();
        truncated.truncate(truncated.len() - 3);
        assert!(ModuleInfo::from_bytes(&truncated).is_err());
        for cut in 0..truncated.len() {
            let _ = ModuleInfo::from_bytes(&truncated[..cut]);
        }
    }
}
