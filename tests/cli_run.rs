//! `qirvo run` as a user runs it: output prefixed by plugin id, exit status, metrics, events.

use std::process::{Command, Output};

fn qirvo(args: &[&str], data: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qirvo"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("QIRVO_DATA_DIR", data.join("data"))
        .env("QIRVO_CACHE_DIR", data.join("cache"))
        .output()
        .expect("qirvo runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn hello_prints_its_output_prefixed_and_exits_0() {
    let home = tempfile::tempdir().unwrap();
    let output = qirvo(&["run", "examples/hello/manifest.json"], home.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "[dev.qirvo.examples.hello] info: initialize: greeting is \"Hello\"\n\
         [dev.qirvo.examples.hello] info: start\n\
         [dev.qirvo.examples.hello] Hello, world!\n\
         [dev.qirvo.examples.hello] info: stop\n"
    );
}

#[test]
fn a_trap_exits_1_with_a_symbolized_backtrace() {
    let home = tempfile::tempdir().unwrap();
    let output = qirvo(&["run", "examples/trap/manifest.json"], home.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: `dev.qirvo.examples.trap` failed to start: `qirvo_start` trapped"),
        "{stderr}"
    );
    assert!(stderr.contains("trap::ratio"), "{stderr}");
    assert!(stderr.contains("/qirvo/examples/trap/src/lib.rs:10:5"), "{stderr}");
}

#[test]
fn a_timeout_exits_1_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    let output = qirvo(&["run", "examples/infinite-loop/manifest.json"], home.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("`qirvo_start` timed out after 300 ms"), "{stderr}");
    assert!(stderr.contains("infinite-loop/src/lib.rs"), "{stderr}");
}

#[test]
fn a_refused_manifest_shows_the_diagnostic_and_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let output = qirvo(&["run", "examples/forbidden-import/manifest.json"], home.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error[Q0504]: the module imports `qirvo.storage_get`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: cannot load `examples/forbidden-import/manifest.json`"),
        "{stderr}"
    );
}

#[test]
fn events_metrics_and_several_plugins() {
    let home = tempfile::tempdir().unwrap();
    let output = qirvo(
        &[
            "run",
            "examples/events/manifest.json",
            "examples/counter/manifest.json",
            "--event",
            "greeting={\"name\":\"Ann\"}",
            "--metrics",
        ],
        home.path(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("[dev.qirvo.examples.events] info: event #1 on greeting: {\"name\":\"Ann\"}\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[dev.qirvo.examples.counter] info: count = 1\n"),
        "{stdout}"
    );
    let json_start = stdout.find("[\n").unwrap();
    let metrics: serde_json::Value = serde_json::from_str(&stdout[json_start..]).unwrap();
    assert_eq!(metrics[0]["plugin"], "dev.qirvo.examples.events");
    assert_eq!(metrics[0]["events_received"], 1);
    assert_eq!(metrics[0]["events_published"], 1);
    assert_eq!(metrics[0]["state"], "unloaded");
    assert_eq!(metrics[1]["calls"]["qirvo_start"], 1);
}

#[cfg(unix)]
#[test]
fn a_granted_directory_symlinked_out_of_the_plugin_folder_is_not_loaded() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let plugin = root.path().join("plugin");
    let outside = root.path().join("home");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    // What the plugin would read and answer next to, were the symlink followed.
    std::fs::write(outside.join("input.txt"), "twelve bytes").unwrap();
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/files");
    for file in ["manifest.json", "files.wasm"] {
        std::fs::copy(example.join(file), plugin.join(file)).unwrap();
    }
    std::os::unix::fs::symlink(&outside, plugin.join("data")).unwrap();
    let manifest = plugin.join("manifest.json");
    let output = qirvo(&["run", manifest.to_str().unwrap()], home.path());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error[Q0407]: directory `data` resolves to"),
        "{stderr}"
    );
    assert!(stderr.contains("error: cannot load"), "{stderr}");
    assert!(
        !outside.join("output.txt").exists(),
        "the plugin ran and wrote outside its folder"
    );
}
