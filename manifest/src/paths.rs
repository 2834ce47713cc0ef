//! Where a directory granted in the manifest lands on the host. The rules and the runtime's
//! preopen both resolve it here, through symlinks, so `qirvo check` refuses exactly what the
//! runtime would refuse: a grant that resolves outside the plugin's folder.

use std::io;
use std::path::{Component, Path, PathBuf};

/// Symlinks followed while resolving one path before giving up (Linux's own limit).
const MAX_SYMLINK_HOPS: usize = 40;

/// A path resolved through symlinks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Canonical where it exists; the canonical existing prefix plus the rest where not.
    pub path: PathBuf,
    /// Whether the whole path exists.
    pub exists: bool,
}

/// Resolves an absolute `path` like `std::fs::canonicalize`, also when its last components do
/// not exist yet (a read-write directory the runtime will create): the longest existing
/// prefix is canonicalised and the rest appended. A dangling symlink is followed to where its
/// target would be, so it cannot hide an escape either.
pub fn resolve(path: &Path) -> io::Result<Resolved> {
    if !path.is_absolute() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the path is not absolute"));
    }
    let mut pending = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        if let Ok(canonical) = std::fs::canonicalize(&pending) {
            return Ok(Resolved {
                path: canonical,
                exists: true,
            });
        }
        let components: Vec<Component> = pending.components().collect();
        // The root always canonicalises, so some prefix does.
        let (existing, base) = (1..components.len())
            .rev()
            .find_map(|len| {
                let prefix: PathBuf = components[..len].iter().collect();
                std::fs::canonicalize(prefix).ok().map(|base| (len, base))
            })
            .ok_or_else(|| io::Error::other("no part of the path exists"))?;
        let missing = base.join(components[existing].as_os_str());
        let rest: PathBuf = components[existing + 1..].iter().collect();
        match std::fs::symlink_metadata(&missing) {
            Ok(meta) if meta.file_type().is_symlink() => {
                pending = base.join(std::fs::read_link(&missing)?).join(rest);
            }
            _ => {
                return Ok(Resolved {
                    path: append_lexically(base, &components[existing..]),
                    exists: false,
                });
            }
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn append_lexically(mut base: PathBuf, components: &[Component]) -> PathBuf {
    for component in components {
        match component {
            Component::ParentDir => {
                base.pop();
            }
            Component::Normal(name) => base.push(name),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    base
}

/// Where a granted directory is, relative to the plugin's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Inside the folder (or the folder itself).
    Inside {
        /// The resolved directory.
        path: PathBuf,
        /// Whether it exists.
        exists: bool,
        /// Whether it is the plugin's folder itself.
        is_folder: bool,
    },
    /// Somewhere else: through a symlink, `..` or an absolute path.
    Outside {
        /// Where it resolves to.
        path: PathBuf,
    },
}

/// Resolves the manifest's `path` of a granted directory against `folder`, the canonical
/// plugin folder (an absolute `path` stands for itself).
pub fn grant(folder: &Path, path: &str) -> io::Result<Grant> {
    let resolved = resolve(&folder.join(path))?;
    Ok(if resolved.path.starts_with(folder) {
        Grant::Inside {
            is_folder: resolved.path == folder,
            path: resolved.path,
            exists: resolved.exists,
        }
    } else {
        Grant::Outside { path: resolved.path }
    })
}

/// Whether `path` names a place outside its base by text alone (absolute, or more `..` than
/// names), for when the plugin's folder is not known.
pub fn escapes_lexically(path: &str) -> bool {
    let mut depth: usize = 0;
    for component in Path::new(path).components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => match depth.checked_sub(1) {
                Some(less) => depth = less,
                None => return true,
            },
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return true,
        }
    }
    false
}

/// The message for a grant that resolves outside the plugin's folder; the rules and the
/// runtime say the same.
pub fn outside_message(path: &str, resolved: &Path) -> String {
    format!(
        "directory `{path}` resolves to `{}`, outside the plugin's folder",
        resolved.display()
    )
}

/// The host directory to preopen for a grant: its canonical path, created first when `create`
/// (read-write) and missing. Refuses anything outside `folder` (canonical), re-checking after
/// creation so a symlink planted since the manifest was checked is caught too.
pub fn prepare_grant(folder: &Path, path: &str, create: bool) -> Result<PathBuf, String> {
    let describe = |error: io::Error| format!("directory `{path}`: {error}");
    let mut grant = grant(folder, path).map_err(describe)?;
    if let (
        true,
        Grant::Inside {
            path: target,
            exists: false,
            ..
        },
    ) = (create, &grant)
    {
        std::fs::create_dir_all(target).map_err(describe)?;
        grant = self::grant(folder, path).map_err(describe)?;
    }
    match grant {
        Grant::Outside { path: resolved } => Err(outside_message(path, &resolved)),
        Grant::Inside { exists: false, .. } => Err(format!("directory `{path}` does not exist")),
        Grant::Inside { path: resolved, .. } if !resolved.is_dir() => Err(format!("`{path}` is not a directory")),
        Grant::Inside { path: resolved, .. } => Ok(resolved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_folder_are_outside_even_when_dangling() {
        let root = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(root.path()).unwrap();
        let folder = root.join("plugin");
        let elsewhere = root.join("elsewhere");
        std::fs::create_dir_all(folder.join("real")).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, folder.join("data")).unwrap();
        std::os::unix::fs::symlink(root.join("not-yet"), folder.join("dangling")).unwrap();
        std::os::unix::fs::symlink("real", folder.join("inner")).unwrap();

        let outside = |path: &str| matches!(grant(&folder, path).unwrap(), Grant::Outside { .. });
        assert!(outside("data"));
        assert!(outside("data/sub/new"));
        assert!(outside("dangling"));
        assert!(outside("../elsewhere"));
        assert!(outside(elsewhere.to_str().unwrap()));
        assert!(outside("missing/../../elsewhere"));
        assert_eq!(
            grant(&folder, "inner").unwrap(),
            Grant::Inside {
                path: folder.join("real"),
                exists: true,
                is_folder: false
            }
        );
        assert_eq!(
            grant(&folder, "new/dir").unwrap(),
            Grant::Inside {
                path: folder.join("new/dir"),
                exists: false,
                is_folder: false
            }
        );
        assert!(matches!(
            grant(&folder, ".").unwrap(),
            Grant::Inside { is_folder: true, .. }
        ));
        assert!(matches!(
            grant(&folder, "real/..").unwrap(),
            Grant::Inside { is_folder: true, .. }
        ));

        assert!(
            prepare_grant(&folder, "data", true)
                .unwrap_err()
                .contains("outside the plugin's folder")
        );
        assert!(
            !root.join("not-yet").exists() && prepare_grant(&folder, "dangling", true).is_err(),
            "nothing is created through a symlink that leads out"
        );
        assert_eq!(prepare_grant(&folder, "made", true).unwrap(), folder.join("made"));
        assert!(
            prepare_grant(&folder, "absent", false)
                .unwrap_err()
                .contains("does not exist")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_an_error_not_a_hang() {
        let folder = tempfile::tempdir().unwrap();
        let folder = std::fs::canonicalize(folder.path()).unwrap();
        std::os::unix::fs::symlink("b", folder.join("a")).unwrap();
        std::os::unix::fs::symlink("a", folder.join("b")).unwrap();
        assert!(grant(&folder, "a").is_err());
    }

    #[test]
    fn lexical_escapes() {
        for escaping in ["/etc", "..", "../x", "a/../../x"] {
            assert!(escapes_lexically(escaping), "{escaping}");
        }
        for inside in ["data", ".", "a/../b", "./a/b"] {
            assert!(!escapes_lexically(inside), "{inside}");
        }
    }
}
