//! `qirvo check` and `qirvo schema` as a user runs them: exit status, what is printed.

use std::path::Path;
use std::process::{Command, Output};

fn qirvo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qirvo"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("qirvo runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn broken_manifest_prints_located_problems_with_fixes_and_exits_1() {
    let output = qirvo(&["check", "tests/manifests/resources-bad-values/manifest.json"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("error[Q0301]: memory: size `128 MB` has a space between number and unit"),
        "{text}"
    );
    assert!(
        text.contains("tests/manifests/resources-bad-values/manifest.json:12:15"),
        "{text}"
    );
    // The snippet shows the line and carets under the value.
    assert!(text.contains(r#"12 │     "memory": "128 MB","#), "{text}");
    assert!(text.contains("^^^^^^^^"), "{text}");
    assert!(text.contains("= fix: Write `128MB`"), "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap_or_default()
            .starts_with("checked 1 manifest: 6 errors"),
        "{text}"
    );
}

#[test]
fn good_manifest_exits_0() {
    let output = qirvo(&["check", "tests/manifests/good-full/manifest.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        stdout(&output).trim(),
        "checked 1 manifest: 0 errors, 0 warnings, 0 hints"
    );
}

#[test]
fn warnings_alone_do_not_fail() {
    let output = qirvo(&["check", "tests/manifests/network-without-permission/manifest.json"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("warning[Q0401]"));
}

#[test]
fn json_format_gives_positions_and_fixes() {
    let output = qirvo(&[
        "check",
        "--format",
        "json",
        "tests/manifests/module-needs-permissions/manifest.json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(document["summary"]["errors"], 2);
    assert_eq!(document["summary"]["hints"], 1);
    let first = &document["files"][0]["diagnostics"][0];
    assert_eq!(first["code"], "Q0504");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 10);
    assert_eq!(first["column"], 11);
    assert_eq!(first["fixes"][0]["title"], "Add `storage-read` to permissions");
    let edit = &first["fixes"][0]["edits"][0];
    assert!(edit["span"]["start"].is_u64(), "{edit}");
    assert_eq!(edit["new_text"], ",\n    \"storage-read\"");
}

#[test]
fn a_directory_is_searched_for_manifests() {
    let output = qirvo(&["check", "--format", "json", "tests/manifests"]);
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let cases = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/manifests"))
        .unwrap()
        .count();
    assert_eq!(document["summary"]["manifests"], cases);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn unreadable_input_is_a_clear_error() {
    let output = qirvo(&["check", "does/not/exist.json"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot read `does/not/exist.json`"), "{stderr}");

    let output = qirvo(&["check", "src"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no manifest found in `src`"));
}

#[test]
fn schema_is_json_with_described_fields() {
    let output = qirvo(&["schema"]);
    assert!(output.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(schema["title"], "Qirvo plugin manifest");
    let memory = &schema["$defs"]["Resources"]["properties"]["memory"];
    assert!(
        memory["description"].as_str().unwrap_or_default().contains("128MB"),
        "{memory}"
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(required, ["manifest_version", "id", "name", "version", "main"]);
}

/// A plugin folder with the `files` example whose granted `data` directory is a symlink to a
/// directory outside the folder. Returns (root, manifest path, the outside directory).
#[cfg(unix)]
fn plugin_with_symlinked_data() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let plugin = root.path().join("plugin");
    let outside = root.path().join("home");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/files");
    for file in ["manifest.json", "files.wasm"] {
        std::fs::copy(example.join(file), plugin.join(file)).unwrap();
    }
    std::os::unix::fs::symlink(&outside, plugin.join("data")).unwrap();
    (root, plugin.join("manifest.json"), outside)
}

/// 1-based line and column of the first `needle` in the file at `path`.
fn position_of(path: &Path, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let offset = text.find(needle).unwrap();
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    (text[..offset].matches('\n').count() + 1, offset - line_start + 1)
}

#[cfg(unix)]
#[test]
fn a_granted_directory_symlinked_out_of_the_plugin_folder_is_an_error_at_its_path() {
    let (_root, manifest, outside) = plugin_with_symlinked_data();
    let output = qirvo(&["check", manifest.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let text = stdout(&output);
    let outside = std::fs::canonicalize(outside).unwrap();
    assert!(
        text.contains(&format!(
            "error[Q0407]: directory `data` resolves to `{}`, outside the plugin's folder",
            outside.display()
        )),
        "{text}"
    );
    let (line, column) = position_of(&manifest, "\"data\"");
    assert!(
        text.contains(&format!("{}:{line}:{column}", manifest.display())),
        "{text}"
    );
}

#[test]
fn the_plugins_own_folder_granted_read_write_is_a_warning() {
    let root = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/files");
    std::fs::copy(example.join("files.wasm"), root.path().join("files.wasm")).unwrap();
    let text = std::fs::read_to_string(example.join("manifest.json"))
        .unwrap()
        .replace("\"path\": \"data\"", "\"path\": \".\"");
    let manifest = root.path().join("manifest.json");
    std::fs::write(&manifest, text).unwrap();
    let output = qirvo(&["check", manifest.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning[Q0408]: `.` is the plugin's own folder, granted read-write"),
        "{text}"
    );
}

/// Runs qirvo, failing the test instead of hanging when it does not finish within `limit`.
fn qirvo_within(args: &[&str], limit: std::time::Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qirvo"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("qirvo runs");
    let started = std::time::Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("qirvo {args:?} still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[cfg(unix)]
#[test]
fn a_main_that_is_a_fifo_is_a_located_error_not_a_hang() {
    let root = tempfile::tempdir().unwrap();
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/manifests/good-minimal");
    let manifest = root.path().join("manifest.json");
    std::fs::copy(case.join("manifest.json"), &manifest).unwrap();
    let made = Command::new("mkfifo")
        .arg(root.path().join("module.wasm"))
        .status()
        .unwrap();
    assert!(made.success());
    let output = qirvo_within(
        &["check", manifest.to_str().unwrap()],
        std::time::Duration::from_secs(60),
    );
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "error[Q0502]: module `module.wasm` cannot be read: it is a named pipe (FIFO), not a regular file"
        ),
        "{text}"
    );
    let (line, column) = position_of(&manifest, "\"module.wasm\"");
    assert!(
        text.contains(&format!("{}:{line}:{column}", manifest.display())),
        "{text}"
    );
}
