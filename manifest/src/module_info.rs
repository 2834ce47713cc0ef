//! What the manifest rules need to know about a compiled module, read with `wasmparser`
//! without compiling it: imports, exports with their types, the memory's declared size and
//! whether DWARF is present. Function bodies and custom sections are skipped, so a 2 MB module
//! is read in well under a millisecond.

use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use wasmparser::{
    BinaryReader, Chunk, CompositeInnerType, CustomSectionReader, Encoding, ExternalKind, ImportSectionReader,
    MemoryType, Parser, Payload, RecGroup, SectionLimited, TypeRef,
};

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

impl From<ModuleError> for std::io::Error {
    fn from(error: ModuleError) -> Self {
        let kind = match error {
            ModuleError::NotFound => std::io::ErrorKind::NotFound,
            ModuleError::Unreadable(_) => std::io::ErrorKind::InvalidInput,
            ModuleError::Invalid { .. } => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, error.to_string())
    }
}

impl ModuleInfo {
    /// Summarises the module file at `path`, reading only the sections the summary needs:
    /// function bodies and custom sections (DWARF is most of a debug build) are skipped on
    /// disk, so a 20 MB module costs a few small reads and no large buffer.
    pub fn from_file(path: &Path) -> Result<ModuleInfo, ModuleError> {
        let (file, len) = open_module(path)?;
        summarise(BufReader::new(file), len)
    }

    /// Summarises module bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<ModuleInfo, ModuleError> {
        summarise(Cursor::new(bytes), bytes.len() as u64)
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

/// Largest module file read: far above any real plugin, low enough that a mistaken `main` (a
/// disk image, a log) is refused instead of read into memory.
pub const MAX_MODULE_BYTES: u64 = 1 << 30;

/// Reads the whole module file at `path` (for compiling), with the checks of [`open_module`].
pub fn read_module(path: &Path) -> Result<Vec<u8>, ModuleError> {
    let (file, len) = open_module(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(MAX_MODULE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| ModuleError::Unreadable(error.to_string()))?;
    if bytes.len() as u64 > MAX_MODULE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens a module file and returns it with its size. Anything but a regular file (a FIFO would
/// block the open, a device or directory read forever or fail oddly) is refused before it is
/// opened, and the open itself does not block, in case the file was swapped meanwhile.
fn open_module(path: &Path) -> Result<(std::fs::File, u64), ModuleError> {
    let unreadable = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::NotFound => ModuleError::NotFound,
        _ => ModuleError::Unreadable(error.to_string()),
    };
    regular_file_size(&std::fs::metadata(path).map_err(unreadable)?)?;
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(unreadable)?;
    let len = regular_file_size(&file.metadata().map_err(unreadable)?)?;
    Ok((file, len))
}

/// The size of a regular file no larger than [`MAX_MODULE_BYTES`]; an error naming what the
/// file is otherwise.
fn regular_file_size(metadata: &std::fs::Metadata) -> Result<u64, ModuleError> {
    if !metadata.is_file() {
        return Err(ModuleError::Unreadable(format!(
            "it is {}, not a regular file",
            file_kind(&metadata.file_type())
        )));
    }
    match metadata.len() {
        len if len > MAX_MODULE_BYTES => Err(too_large(len)),
        len => Ok(len),
    }
}

fn too_large(len: u64) -> ModuleError {
    ModuleError::Unreadable(format!(
        "it has {len} bytes, more than the {MAX_MODULE_BYTES} a module may have"
    ))
}

fn file_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Longest custom section name read; longer names are not ones we look for.
const MAX_CUSTOM_NAME: u64 = 256;

/// Walks the sections of a module: the framing (id and size) here, the contents with
/// wasmparser's section readers at their true offsets, so error offsets point into the file.
fn summarise<R: Read + Seek>(mut input: R, len: u64) -> Result<ModuleInfo, ModuleError> {
    let io = |error: std::io::Error| ModuleError::Unreadable(error.to_string());
    let mut header = [0u8; 8];
    let got = read_at(&mut input, 0, &mut header).map_err(io)?;
    if got < 8 || &header[..4] != b"\0asm" {
        let message = if got == 0 {
            "the file is empty, not a wasm module".to_string()
        } else if header.starts_with(b"(module") || header.starts_with(b";;") {
            "this is wasm text format (.wat); compile it to a binary .wasm".to_string()
        } else {
            "not a wasm module (missing the `\\0asm` header)".to_string()
        };
        return Err(ModuleError::Invalid {
            message,
            offset: Some(0),
        });
    }
    match Parser::new(0).parse(&header, false).map_err(invalid)? {
        Chunk::Parsed {
            payload: Payload::Version { encoding, .. },
            ..
        } if encoding != Encoding::Module => {
            return Err(ModuleError::Invalid {
                message: "this is a wasm component; Qirvo plugins are core wasm modules".to_string(),
                offset: Some(0),
            });
        }
        _ => {}
    }
    let mut summary = Summary {
        info: ModuleInfo {
            size: usize::try_from(len).unwrap_or(usize::MAX),
            ..ModuleInfo::default()
        },
        types: Vec::new(),
        func_types: Vec::new(),
    };
    let mut offset = 8u64;
    while offset < len {
        let mut head = [0u8; 6];
        let got = read_at(&mut input, offset, &mut head).map_err(io)?;
        let mut reader = BinaryReader::new(&head[..got], offset as usize);
        let truncated = || ModuleError::Invalid {
            message: "the module ends in the middle of a section".to_string(),
            offset: Some(len as usize),
        };
        let id = reader.read_u8().map_err(|_| truncated())?;
        let size = reader
            .read_var_u32()
            .map_err(|error| if reader.eof() { truncated() } else { invalid(error) })?;
        let start = reader.original_position() as u64;
        let end = start + u64::from(size);
        if end > len {
            return Err(truncated());
        }
        match id {
            0 => {
                let mut prefix = vec![0u8; size.min(MAX_CUSTOM_NAME as u32 + 5) as usize];
                let got = read_at(&mut input, start, &mut prefix).map_err(io)?;
                let name = CustomSectionReader::new(BinaryReader::new(&prefix[..got], start as usize))
                    .map(|custom| custom.name().to_string())
                    .unwrap_or_default();
                match name.as_str() {
                    ".debug_info" => summary.info.has_dwarf = true,
                    "name" => summary.info.has_name_section = true,
                    _ => {}
                }
            }
            1 | 2 | 3 | 5 | 7 => {
                let mut data = vec![0u8; size as usize];
                read_at(&mut input, start, &mut data).map_err(io)?;
                summary.section(id, BinaryReader::new(&data, start as usize))?;
            }
            10 => summary.info.code_section_offset = Some(start as usize),
            4 | 6 | 8 | 9 | 11 | 12 | 13 => {}
            _ => {
                return Err(ModuleError::Invalid {
                    message: format!("unknown section id {id}"),
                    offset: Some(offset as usize),
                });
            }
        }
        offset = end;
    }
    Ok(summary.info)
}

fn invalid(error: wasmparser::BinaryReaderError) -> ModuleError {
    ModuleError::Invalid {
        message: error.message().to_string(),
        offset: Some(error.offset()),
    }
}

/// Fills as much of `buffer` as the input has from `offset`; returns how much that was.
fn read_at<R: Read + Seek>(input: &mut R, offset: u64, buffer: &mut [u8]) -> std::io::Result<usize> {
    input.seek(SeekFrom::Start(offset))?;
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// The summary being built, with the type information exports need.
struct Summary {
    info: ModuleInfo,
    types: Vec<Option<FuncType>>,
    func_types: Vec<u32>,
}

impl Summary {
    fn section(&mut self, id: u8, reader: BinaryReader) -> Result<(), ModuleError> {
        let info = &mut self.info;
        match id {
            1 => {
                for group in SectionLimited::<RecGroup>::new(reader).map_err(invalid)? {
                    for sub_type in group.map_err(invalid)?.into_types() {
                        self.types.push(match &sub_type.composite_type.inner {
                            CompositeInnerType::Func(func) => Some(FuncType {
                                params: func.params().iter().map(val_type).collect(),
                                results: func.results().iter().map(val_type).collect(),
                            }),
                            _ => None,
                        });
                    }
                }
            }
            2 => {
                let imports: ImportSectionReader = SectionLimited::new(reader).map_err(invalid)?;
                for import in imports.into_imports() {
                    let import = import.map_err(invalid)?;
                    let kind = match import.ty {
                        TypeRef::Func(index) | TypeRef::FuncExact(index) => {
                            self.func_types.push(index);
                            EntityKind::Func(self.types.get(index as usize).cloned().flatten())
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
            3 => {
                for index in SectionLimited::<u32>::new(reader).map_err(invalid)? {
                    self.func_types.push(index.map_err(invalid)?);
                }
            }
            5 => {
                for memory in SectionLimited::<MemoryType>::new(reader).map_err(invalid)? {
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
            7 => {
                for export in SectionLimited::<wasmparser::Export>::new(reader).map_err(invalid)? {
                    let export = export.map_err(invalid)?;
                    let kind = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => EntityKind::Func(
                            self.func_types
                                .get(export.index as usize)
                                .and_then(|ty| self.types.get(*ty as usize).cloned().flatten()),
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
            _ => {}
        }
        Ok(())
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
    fn a_file_reads_like_its_bytes_without_loading_debug_sections() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hello/hello.wasm");
        let bytes = std::fs::read(&path).unwrap();
        let from_file = ModuleInfo::from_file(&path).unwrap();
        assert_eq!(from_file, ModuleInfo::from_bytes(&bytes).unwrap());
        assert!(from_file.has_dwarf && from_file.has_name_section);
        assert!(from_file.export("qirvo_start").is_some());
        assert_eq!(from_file.size, bytes.len());
        // The code section offset is where wasmparser's own parser finds it.
        let code = Parser::new(0)
            .parse_all(&bytes)
            .find_map(|payload| match payload.unwrap() {
                Payload::CodeSectionStart { range, .. } => Some(range.start),
                _ => None,
            });
        assert_eq!(from_file.code_section_offset, code);
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let unreadable = |path: &Path| match ModuleInfo::from_file(path) {
            Err(ModuleError::Unreadable(message)) => message,
            other => panic!("{other:?}"),
        };
        assert!(unreadable(dir.path()).contains("a directory"));
        assert!(matches!(read_module(dir.path()), Err(ModuleError::Unreadable(_))));
        #[cfg(unix)]
        {
            let fifo = dir.path().join("module.wasm");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
            assert!(made.success());
            // Opening a FIFO without a writer would block here forever.
            assert!(unreadable(&fifo).contains("a named pipe (FIFO)"));
            assert!(matches!(read_module(&fifo), Err(ModuleError::Unreadable(_))));
            assert!(unreadable(Path::new("/dev/zero")).contains("a device"));
        }
        let module = dir.path().join("real.wasm");
        std::fs::write(&module, wat::parse_str("(module)").unwrap()).unwrap();
        assert_eq!(read_module(&module).unwrap(), std::fs::read(&module).unwrap());
        assert_eq!(
            ModuleInfo::from_file(&dir.path().join("absent.wasm")),
            Err(ModuleError::NotFound)
        );
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
