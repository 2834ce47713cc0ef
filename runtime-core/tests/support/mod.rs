//! Helpers for runtime tests: plugins from `examples/` in temporary folders with their own
//! manifests, a runtime that records what plugins say, and a local HTTP server.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use qirvo_runtime::runtime::cache::{CacheConfig, CodeCache};
use qirvo_runtime::runtime::output::RuntimeEvent;
use qirvo_runtime::runtime::{LoadOptions, PluginInstance, PluginRuntime, RuntimeConfig};
use serde_json::{Value, json};

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// A plugin folder: the example's module and a manifest built from the example's own with
/// `changes` merged in (a `null` removes a field).
pub struct PluginDir {
    pub dir: tempfile::TempDir,
}

impl PluginDir {
    pub fn new(example: &str, changes: Value) -> PluginDir {
        let source = examples().join(example);
        let mut manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(source.join("manifest.json")).unwrap()).unwrap();
        let main = manifest["main"].as_str().unwrap().to_string();
        if let (Some(target), Some(changes)) = (manifest.as_object_mut(), changes.as_object()) {
            for (key, value) in changes {
                if value.is_null() {
                    target.remove(key);
                } else {
                    target.insert(key.clone(), value.clone());
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(source.join(&main), dir.path().join(&main)).unwrap();
        std::fs::write(
            dir.path().join("manifest.json"),
            serde_json::to_string_pretty(&manifest).unwrap(),
        )
        .unwrap();
        PluginDir { dir }
    }

    pub fn manifest(&self) -> PathBuf {
        self.dir.path().join("manifest.json")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A runtime with its own cache and data folders, recording every runtime event.
pub struct TestRuntime {
    pub runtime: PluginRuntime,
    pub events: Arc<Mutex<Vec<RuntimeEvent>>>,
    pub cache_dir: tempfile::TempDir,
    pub data_dir: PathBuf,
    _data: Option<tempfile::TempDir>,
}

impl TestRuntime {
    pub fn new() -> TestRuntime {
        let data = tempfile::tempdir().unwrap();
        let path = data.path().to_path_buf();
        TestRuntime::with_data_dir(path, Some(data))
    }

    pub fn with_data_dir(data_dir: PathBuf, keep: Option<tempfile::TempDir>) -> TestRuntime {
        let cache_dir = tempfile::tempdir().unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let recorder = events.clone();
        let config = RuntimeConfig {
            cache: CodeCache::new(CacheConfig {
                dir: cache_dir.path().to_path_buf(),
                time_to_live: Duration::from_secs(3600),
                max_bytes: 1 << 30,
            }),
            data_dir: data_dir.clone(),
            limits: Default::default(),
            sink: Arc::new(move |event| recorder.lock().unwrap().push(event)),
        };
        TestRuntime {
            runtime: PluginRuntime::new(config).unwrap(),
            events,
            cache_dir,
            data_dir,
            _data: keep,
        }
    }

    /// Loads the plugin in `dir` without a debugger; loading must succeed.
    pub async fn load(&self, dir: &PluginDir) -> PluginInstance {
        self.runtime
            .load(&dir.manifest(), LoadOptions::default())
            .await
            .unwrap()
    }

    /// Log messages and output lines, in order, without plugin ids.
    pub fn lines(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|event| match event {
                RuntimeEvent::Log { message, .. } => Some(message.clone()),
                RuntimeEvent::Output { line, .. } => Some(line.clone()),
                RuntimeEvent::Notification { title, body, .. } => Some(format!("notification {title}: {body}")),
                _ => None,
            })
            .collect()
    }
}

/// A minimal HTTP/1.1 server on 127.0.0.1 answering every request with `body`, after `delay`.
pub struct HttpServer {
    pub port: u16,
    pub hits: Arc<AtomicUsize>,
}

impl HttpServer {
    pub fn start(body: &'static str, delay: Duration) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(1000) {
                let Ok(mut stream) = stream else { continue };
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let mut request = [0u8; 4096];
                    let _ = stream.read(&mut request);
                    counter.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(delay);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        HttpServer { port, hits }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/data", self.port)
    }
}

pub fn no_changes() -> Value {
    json!({})
}
