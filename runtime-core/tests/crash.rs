//! Storage is crash-safe: a process killed with SIGKILL in the middle of writes loses no write
//! it had been told was committed.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use qirvo_runtime::runtime::storage::PluginStorage;

const WRITER: &str = "QIRVO_TEST_CRASH_WRITER";

#[test]
fn committed_writes_survive_sigkill() {
    if let Some(path) = std::env::var_os(WRITER) {
        // The child: write forever, announcing each write after `set` returned.
        let store = PluginStorage::open(Path::new(&path), 1 << 30).unwrap();
        let mut out = std::io::stdout().lock();
        for i in 0u64.. {
            store
                .set(&format!("key/{i:08}"), format!("value {i}").as_bytes())
                .unwrap();
            writeln!(out, "committed {i}").unwrap();
            out.flush().unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.redb");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "committed_writes_survive_sigkill",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WRITER, &db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut last = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("committed ") {
            last = Some(n.parse::<u64>().unwrap());
            if last == Some(150) {
                child.kill().unwrap(); // SIGKILL on Unix: no destructors, no flush.
                break;
            }
        }
    }
    child.wait().unwrap();
    let last = last.expect("the writer committed something");
    let store = PluginStorage::open(&db, 1 << 30).unwrap();
    for i in 0..=last {
        let value = store.get(&format!("key/{i:08}")).unwrap();
        assert_eq!(
            value.as_deref(),
            Some(format!("value {i}").as_bytes()),
            "write {i} was lost"
        );
    }
    // The quota bookkeeping is exact too: it counts every surviving entry.
    let keys = store.list("key/").unwrap();
    let expected: u64 = keys
        .iter()
        .map(|k| (k.len() + store.get(k).unwrap().unwrap().len()) as u64)
        .sum();
    assert_eq!(store.used_bytes().unwrap(), expected);
}
