//! Reading a manifest from disk, saying what was found when the file is something else: a
//! compiled module handed where a manifest goes, binary data, a FIFO or device that would block
//! or never end.

use std::io::{Error, ErrorKind, Read};
use std::path::Path;

/// Largest manifest read (real ones are a few kilobytes).
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// The text of the manifest at `path`, or an error that says what the file is instead.
pub fn read_manifest(path: &Path) -> std::io::Result<String> {
    let metadata = std::fs::metadata(path)?;
    if metadata.is_dir() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "this is a directory; give the plugin's manifest.json",
        ));
    }
    if !metadata.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "this is not a regular file (a FIFO, socket or device); a manifest is a JSON file",
        ));
    }
    if metadata.len() > MAX_MANIFEST_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!(
                "this file has {} bytes; a manifest is at most {MAX_MANIFEST_BYTES}",
                metadata.len()
            ),
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.starts_with(b"\0asm") {
        return Err(Error::new(
            ErrorKind::InvalidData,
            "this is a WebAssembly module, not a manifest; give the plugin's manifest.json \
             (a WASI program is debugged with `qirvo debug PROGRAM.wasm` or a launch `program`)",
        ));
    }
    String::from_utf8(bytes).map_err(|error| {
        Error::new(
            ErrorKind::InvalidData,
            format!(
                "this is not UTF-8 text (invalid byte at offset {}); a manifest is a JSON file",
                error.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Whether the file at `path` starts like a WebAssembly module.
pub fn is_wasm_module(path: &Path) -> bool {
    let Ok(metadata) = std::fs::metadata(path) else {
        return false;
    };
    let mut magic = [0u8; 4];
    metadata.is_file()
        && std::fs::File::open(path)
            .and_then(|mut file| file.read_exact(&mut magic))
            .is_ok()
        && &magic == b"\0asm"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_binaries_and_directories_are_named_for_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("plugin.wasm");
        std::fs::write(&module, b"\0asm\x01\0\0\0").unwrap();
        let error = read_manifest(&module).unwrap_err().to_string();
        assert!(error.contains("WebAssembly module, not a manifest"), "{error}");
        assert!(is_wasm_module(&module));

        let binary = dir.path().join("manifest.json");
        std::fs::write(&binary, b"{\xff}").unwrap();
        assert!(read_manifest(&binary).unwrap_err().to_string().contains("offset 1"));
        assert!(!is_wasm_module(&binary));

        assert!(read_manifest(dir.path()).unwrap_err().to_string().contains("directory"));
        std::fs::write(&binary, "{}").unwrap();
        assert_eq!(read_manifest(&binary).unwrap(), "{}");
    }
}
