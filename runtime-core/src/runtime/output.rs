//! What a running plugin says: its stdout and stderr (captured through WASI), its log lines,
//! notifications and lifecycle transitions, delivered to whoever runs the runtime
//! (`qirvo run` prints them; the debug adapter turns them into DAP `output` events).

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use serde::Serialize;
use tokio::io::AsyncWrite;

use super::lifecycle::LifecycleState;

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    /// WASI stdout.
    Stdout,
    /// WASI stderr.
    Stderr,
}

/// Log levels of the `log` host function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// 0
    Trace,
    /// 1
    Debug,
    /// 2
    Info,
    /// 3
    Warn,
    /// 4
    Error,
}

impl LogLevel {
    /// Maps the ABI number (out-of-range values count as `error`).
    pub fn from_abi(level: i32) -> LogLevel {
        match level {
            i32::MIN..=0 => LogLevel::Trace,
            1 => LogLevel::Debug,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            _ => LogLevel::Error,
        }
    }

    /// Lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// Something a plugin or the runtime reports while running.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum RuntimeEvent {
    /// A line the plugin wrote to stdout or stderr.
    Output {
        /// Plugin id.
        plugin: String,
        /// Which stream.
        stream: Stream,
        /// The line, without its newline.
        line: String,
    },
    /// A line the plugin logged through the `log` host function.
    Log {
        /// Plugin id.
        plugin: String,
        /// Level.
        level: LogLevel,
        /// Message.
        message: String,
    },
    /// A notification the plugin showed.
    Notification {
        /// Plugin id.
        plugin: String,
        /// Title.
        title: String,
        /// Body.
        body: String,
    },
    /// The plugin moved to another lifecycle state.
    Lifecycle {
        /// Plugin id.
        plugin: String,
        /// The new state.
        state: LifecycleState,
    },
    /// A health check found problems.
    Unhealthy {
        /// Plugin id.
        plugin: String,
        /// What is wrong.
        reasons: Vec<String>,
    },
}

/// Receives runtime events. Called on the plugin's task: keep it quick.
pub type EventSink = Arc<dyn Fn(RuntimeEvent) + Send + Sync>;

/// A sink that drops everything.
pub fn discard() -> EventSink {
    Arc::new(|_| {})
}

/// Longest output line reported; longer ones are split.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// One of a plugin's output streams, split into lines.
#[derive(Clone)]
pub struct PluginOutput {
    plugin: String,
    stream: Stream,
    sink: EventSink,
    pending: Arc<Mutex<Vec<u8>>>,
}

impl PluginOutput {
    /// An output stream of `plugin` that reports lines to `sink`.
    pub fn new(plugin: &str, stream: Stream, sink: EventSink) -> Self {
        PluginOutput {
            plugin: plugin.to_string(),
            stream,
            sink,
            pending: Arc::default(),
        }
    }

    fn emit(&self, bytes: &[u8]) {
        let line = String::from_utf8_lossy(bytes).trim_end_matches('\r').to_string();
        (self.sink)(RuntimeEvent::Output {
            plugin: self.plugin.clone(),
            stream: self.stream,
            line,
        });
    }

    fn write(&self, bytes: &[u8]) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.extend_from_slice(bytes);
        // One pass and one drain: draining line by line would move the rest of a large write
        // once per line.
        let mut start = 0;
        while let Some(length) = pending[start..].iter().position(|b| *b == b'\n') {
            self.emit_cut(&pending[start..start + length]);
            start += length + 1;
        }
        pending.drain(..start);
        // A plugin printing without newlines must not grow the buffer without bound.
        if pending.len() > MAX_LINE_BYTES {
            let line: Vec<u8> = std::mem::take(&mut *pending);
            self.emit_cut(&line);
        }
    }

    /// Emits a line in pieces of at most [`MAX_LINE_BYTES`].
    fn emit_cut(&self, line: &[u8]) {
        if line.is_empty() {
            return self.emit(line);
        }
        for piece in line.chunks(MAX_LINE_BYTES) {
            self.emit(piece);
        }
    }

    /// Emits a partial last line (called when a plugin call returns).
    pub fn flush_partial(&self) {
        let line: Vec<u8> = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if !line.is_empty() {
            self.emit(&line);
        }
    }
}

impl wasmtime_wasi::cli::IsTerminal for PluginOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl wasmtime_wasi::cli::StdoutStream for PluginOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter(self.clone()))
    }
}

struct LineWriter(PluginOutput);

impl AsyncWrite for LineWriter {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.0.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_and_flushes_the_rest() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        let output = PluginOutput::new(
            "p",
            Stream::Stdout,
            Arc::new(move |event| {
                if let RuntimeEvent::Output { line, .. } = event {
                    seen.lock().unwrap().push(line);
                }
            }),
        );
        output.write(b"hello\r\nwor");
        output.write(b"ld\npartial");
        output.flush_partial();
        assert_eq!(*lines.lock().unwrap(), ["hello", "world", "partial"]);
    }

    #[test]
    fn a_large_write_is_split_in_one_pass_and_long_lines_are_cut() {
        let count = Arc::new(Mutex::new((0usize, 0usize)));
        let seen = count.clone();
        let output = PluginOutput::new(
            "p",
            Stream::Stdout,
            Arc::new(move |event| {
                if let RuntimeEvent::Output { line, .. } = event {
                    let mut seen = seen.lock().unwrap();
                    seen.0 += 1;
                    seen.1 = seen.1.max(line.len());
                }
            }),
        );
        output.write("x\n".repeat(200_000).as_bytes());
        assert_eq!(count.lock().unwrap().0, 200_000);
        let mut long = vec![b'y'; 3 * MAX_LINE_BYTES + 1];
        long.push(b'\n');
        output.write(&long);
        assert_eq!(*count.lock().unwrap(), (200_004, MAX_LINE_BYTES));
    }
}
