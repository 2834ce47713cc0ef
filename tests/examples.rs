//! The committed example binaries are exactly what their sources build to, and carry DWARF
//! without machine paths.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn toolchain_present() -> bool {
    let target = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-wasip1"));
    let clang = Command::new("clang")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    target && clang
}

fn committed_modules() -> Vec<std::path::PathBuf> {
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        for file in std::fs::read_dir(&dir).into_iter().flatten() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                modules.push(path);
            }
        }
    }
    modules.sort();
    modules
}

#[test]
fn committed_examples_match_their_sources() {
    if !toolchain_present() {
        // scripts/test.sh installs both; a bare `cargo test` on another machine may not have them.
        eprintln!("skipped: needs the wasm32-wasip1 target and clang (scripts/test.sh installs them)");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(root().join("scripts/build-examples.sh"))
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let modules = committed_modules();
    // Every module the script builds is committed, and nothing else is.
    let mut built: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .flat_map(|example| std::fs::read_dir(example.unwrap().path()).unwrap())
        .map(|file| file.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut committed_names: Vec<String> = modules
        .iter()
        .map(|m| m.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    built.sort();
    committed_names.sort();
    assert_eq!(built, committed_names);
    for committed in modules {
        let example = committed.parent().unwrap().file_name().unwrap();
        let rebuilt = out.path().join(example).join(committed.file_name().unwrap());
        assert!(
            std::fs::read(&committed).unwrap() == std::fs::read(&rebuilt).unwrap(),
            "{} differs from its source; run scripts/build-examples.sh and commit the result",
            committed.display()
        );
    }
}

#[test]
fn committed_examples_have_dwarf_and_no_machine_paths() {
    for module in committed_modules() {
        let bytes = std::fs::read(&module).unwrap();
        let info = qirvo_manifest::module_info::ModuleInfo::from_bytes(&bytes).unwrap();
        assert!(info.has_dwarf, "{} has no DWARF", module.display());
        let text = String::from_utf8_lossy(&bytes);
        for prefix in ["/root/", "/home/", "/work/", "/tmp/"] {
            assert!(
                !text.contains(prefix),
                "{} contains a machine path under {prefix}",
                module.display()
            );
        }
    }
}
