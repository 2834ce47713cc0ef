//! Paths between DWARF and the editor: DWARF records paths of the build machine (ours are
//! remapped to `/qirvo/...`); the editor sends and opens local paths. `sourceMap` prefixes
//! translate explicitly; otherwise a DWARF path is found locally by its longest suffix under
//! the plugin's folder and its ancestors.

use std::path::{Path, PathBuf};

/// Most trailing components of a DWARF path searched for locally.
const MAX_SUFFIX_COMPONENTS: usize = 32;

/// How many trailing path components two paths share (0 if the file names differ).
pub fn path_suffix_score(a: &str, b: &str) -> usize {
    a.rsplit('/')
        .zip(b.rsplit('/'))
        .take_while(|(x, y)| x == y && !x.is_empty())
        .count()
}

/// Translation between DWARF paths and local paths.
#[derive(Debug, Clone, Default)]
pub struct SourcePaths {
    /// `(from, to)` prefix pairs from the launch configuration's `sourceMap`.
    pub source_map: Vec<(String, String)>,
    /// Directories to search for a DWARF path's suffix (the plugin folder and its ancestors).
    pub roots: Vec<PathBuf>,
}

impl SourcePaths {
    /// The local path of a DWARF path: mapped, else found by suffix, else as recorded.
    pub fn to_local(&self, dwarf_path: &str) -> String {
        for (from, to) in &self.source_map {
            if let Some(rest) = dwarf_path.strip_prefix(from.as_str()) {
                return format!("{}{rest}", to.trim_end_matches('/'));
            }
        }
        if Path::new(dwarf_path).exists() {
            return dwarf_path.to_string();
        }
        // Longest suffix first, and at least three components: `src/lib.rs` of one crate must
        // not be taken for another's (`core/src/lib.rs` is not the plugin's `src/lib.rs`).
        // Only the last components: each suffix is a file lookup per root, and DWARF paths
        // can be arbitrarily long.
        let components: Vec<&str> = dwarf_path.split('/').filter(|c| !c.is_empty()).collect();
        let first = components.len().saturating_sub(MAX_SUFFIX_COMPONENTS);
        for start in first..components.len().saturating_sub(2) {
            let suffix = components[start..].join("/");
            for root in &self.roots {
                let candidate = root.join(&suffix);
                if candidate.is_file() {
                    return candidate.to_string_lossy().into_owned();
                }
            }
        }
        dwarf_path.to_string()
    }

    /// The roots for a plugin whose manifest is at `manifest`: its folder and every ancestor.
    pub fn roots_for(manifest: &Path) -> Vec<PathBuf> {
        let folder = manifest
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        folder.ancestors().map(Path::to_path_buf).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_scores() {
        assert_eq!(
            path_suffix_score("/qirvo/examples/hello/src/lib.rs", "/w/examples/hello/src/lib.rs"),
            4
        );
        assert_eq!(path_suffix_score("/a/lib.rs", "/b/main.rs"), 0);
    }

    #[test]
    fn source_map_wins() {
        let paths = SourcePaths {
            source_map: vec![("/build".into(), "/home/me/src".into())],
            roots: Vec::new(),
        };
        assert_eq!(paths.to_local("/build/plugin/lib.rs"), "/home/me/src/plugin/lib.rs");
        assert_eq!(paths.to_local("/other/x.rs"), "/other/x.rs");
    }
}
