//! Write Qirvo plugins in Rust.
//!
//! A plugin is a type implementing [`Plugin`] plus one [`plugin!`] line:
//!
//! ```no_run
//! use qirvo_pdk::{Plugin, Error, info};
//!
//! #[derive(Default)]
//! struct Hello;
//!
//! impl Plugin for Hello {
//!     fn start(&mut self) -> Result<(), Error> {
//!         info!("hello from {}", "a plugin");
//!         Ok(())
//!     }
//! }
//!
//! qirvo_pdk::plugin!(Hello);
//! ```
//!
//! Build it with `cargo build --target wasm32-wasip1 --release` as a `cdylib` and name the
//! `.wasm` in the manifest's `main`. Host functions that need a permission (storage, HTTP,
//! notifications) only link when the manifest grants it; `qirvo check` says which one is
//! missing.

pub mod sys;

use std::fmt;

pub use serde_json;

/// A failed host call: the error code and the host's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Negative error code (see [`ErrorKind`]).
    pub code: i64,
    /// What the host said.
    pub message: String,
}

/// The kinds of host errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The key, setting or request does not exist.
    NotFound,
    /// The manifest does not allow it.
    Denied,
    /// A resource limit was hit.
    LimitExceeded,
    /// An argument was malformed.
    InvalidArgument,
    /// The host failed.
    Failed,
    /// It took too long.
    Timeout,
    /// This host does not offer it.
    Unsupported,
    /// A code this version does not know, or a plugin-defined failure.
    Other,
}

impl Error {
    /// An error raised by the plugin itself.
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            code: -100,
            message: message.into(),
        }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        match self.code {
            -1 => ErrorKind::NotFound,
            -2 => ErrorKind::Denied,
            -3 => ErrorKind::LimitExceeded,
            -4 => ErrorKind::InvalidArgument,
            -5 => ErrorKind::Failed,
            -6 => ErrorKind::Timeout,
            -7 => ErrorKind::Unsupported,
            _ => ErrorKind::Other,
        }
    }

    fn from_code(code: i64) -> Self {
        let message = match unsafe { sys::last_error() } {
            packed if packed >= 0 => String::from_utf8_lossy(&take_buffer(packed)).into_owned(),
            _ => format!("host error {code}"),
        };
        Error { code, message }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Allocates `size` bytes for the host to fill. Exported as `qirvo_alloc` by [`plugin!`].
#[doc(hidden)]
pub fn alloc(size: i32) -> i32 {
    let size = size.max(0) as usize;
    if size == 0 {
        return 1;
    }
    let mut buffer = Vec::<u8>::with_capacity(size);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr as usize as i32
}

/// Takes ownership of a buffer the host filled through [`alloc`] (`(ptr << 32) | len`).
#[doc(hidden)]
pub fn take_buffer(packed: i64) -> Vec<u8> {
    let (ptr, len) = unpack(packed);
    if len == 0 || ptr == 0 {
        return Vec::new();
    }
    // SAFETY: the host got this buffer from `alloc(len)`, which leaked a Vec<u8> of exactly
    // `len` capacity, and filled all `len` bytes.
    unsafe { Vec::from_raw_parts(ptr as *mut u8, len, len) }
}

fn unpack(packed: i64) -> (usize, usize) {
    (((packed >> 32) & 0xffff_ffff) as usize, (packed & 0xffff_ffff) as usize)
}

fn buffer_result(packed: i64) -> Result<Vec<u8>, Error> {
    if packed < 0 {
        Err(Error::from_code(packed))
    } else {
        Ok(take_buffer(packed))
    }
}

fn status_result(status: i32) -> Result<(), Error> {
    if status < 0 {
        Err(Error::from_code(i64::from(status)))
    } else {
        Ok(())
    }
}

/// Log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Very detailed.
    Trace = 0,
    /// Diagnostic.
    Debug = 1,
    /// Normal.
    Info = 2,
    /// Something looks wrong.
    Warn = 3,
    /// Something failed.
    Error = 4,
}

/// Writes a log line (shown by `qirvo run` and as output in the debugger).
pub fn log(level: Level, message: &str) {
    unsafe { sys::log(level as i32, message.as_ptr(), message.len()) }
}

/// Logs at info level with `format!` syntax.
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => { $crate::log($crate::Level::Info, &format!($($arg)*)) };
}

/// Logs at warn level with `format!` syntax.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => { $crate::log($crate::Level::Warn, &format!($($arg)*)) };
}

/// Logs at error level with `format!` syntax.
#[macro_export]
macro_rules! error {
    ($($arg:tt)*) => { $crate::log($crate::Level::Error, &format!($($arg)*)) };
}

/// Logs at debug level with `format!` syntax.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => { $crate::log($crate::Level::Debug, &format!($($arg)*)) };
}

/// Wall-clock time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    unsafe { sys::now_ms() }
}

/// Nanoseconds since the plugin was loaded (monotonic).
pub fn monotonic_ns() -> i64 {
    unsafe { sys::monotonic_ns() }
}

/// A value of the manifest's `config`, as JSON; `None` if the key is not set.
pub fn config(key: &str) -> Option<serde_json::Value> {
    let bytes = buffer_result(unsafe { sys::config_get(key.as_ptr(), key.len()) }).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A string value of the manifest's `config`.
pub fn config_str(key: &str) -> Option<String> {
    match config(key)? {
        serde_json::Value::String(text) => Some(text),
        other => Some(other.to_string()),
    }
}

/// Shows a notification to the user (needs `notifications`).
pub fn notify(title: &str, body: &str) -> Result<(), Error> {
    status_result(unsafe { sys::notify(title.as_ptr(), title.len(), body.as_ptr(), body.len()) })
}

/// The plugin's key-value storage (needs `storage-read` / `storage-write`).
pub mod storage {
    use super::{Error, buffer_result, status_result, sys};

    /// Reads a value; `Ok(None)` when the key is absent.
    pub fn get(key: &str) -> Result<Option<Vec<u8>>, Error> {
        match buffer_result(unsafe { sys::storage_get(key.as_ptr(), key.len()) }) {
            Ok(value) => Ok(Some(value)),
            Err(error) if error.code == -1 => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Reads a UTF-8 value.
    pub fn get_string(key: &str) -> Result<Option<String>, Error> {
        Ok(get(key)?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Writes a value durably; fails with `LimitExceeded` beyond the quota.
    pub fn set(key: &str, value: impl AsRef<[u8]>) -> Result<(), Error> {
        let value = value.as_ref();
        status_result(unsafe { sys::storage_set(key.as_ptr(), key.len(), value.as_ptr(), value.len()) })
    }

    /// Deletes a key; `Ok(false)` when it did not exist.
    pub fn delete(key: &str) -> Result<bool, Error> {
        match status_result(unsafe { sys::storage_delete(key.as_ptr(), key.len()) }) {
            Ok(()) => Ok(true),
            Err(error) if error.code == -1 => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Keys starting with `prefix`, in order.
    pub fn list(prefix: &str) -> Result<Vec<String>, Error> {
        let bytes = buffer_result(unsafe { sys::storage_list(prefix.as_ptr(), prefix.len()) })?;
        serde_json::from_slice(&bytes).map_err(|e| Error::new(format!("bad key list from host: {e}")))
    }
}

/// HTTP to the hosts in `network.allowed_hosts` (needs `network-access`).
pub mod http {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    use super::{Error, buffer_result, sys};

    /// A request.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct Request {
        /// Method, e.g. `GET`.
        pub method: String,
        /// Absolute URL.
        pub url: String,
        /// Headers.
        pub headers: BTreeMap<String, String>,
        /// Text body.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub body: Option<String>,
    }

    impl Request {
        /// A GET request.
        pub fn get(url: impl Into<String>) -> Self {
            Request {
                method: "GET".into(),
                url: url.into(),
                ..Request::default()
            }
        }

        /// A POST request with a body.
        pub fn post(url: impl Into<String>, body: impl Into<String>) -> Self {
            Request {
                method: "POST".into(),
                url: url.into(),
                body: Some(body.into()),
                ..Request::default()
            }
        }
    }

    /// A response.
    #[derive(Debug, Clone, Deserialize)]
    pub struct Response {
        /// Status code.
        pub status: u16,
        /// Headers.
        pub headers: BTreeMap<String, String>,
        /// Body text.
        pub body: String,
    }

    fn encode(request: &Request) -> Result<String, Error> {
        serde_json::to_string(request).map_err(|e| Error::new(e.to_string()))
    }

    fn decode(packed: i64) -> Result<Response, Error> {
        let bytes = buffer_result(packed)?;
        serde_json::from_slice(&bytes).map_err(|e| Error::new(format!("bad response from host: {e}")))
    }

    /// Sends a request and waits for the response.
    pub fn request(request: &Request) -> Result<Response, Error> {
        let json = encode(request)?;
        decode(unsafe { sys::http_request(json.as_ptr(), json.len()) })
    }

    /// A request in flight.
    #[derive(Debug)]
    pub struct Pending(i64);

    /// Starts a request without waiting (at most `resources.max_connections` at once).
    pub fn send(request: &Request) -> Result<Pending, Error> {
        let json = encode(request)?;
        match unsafe { sys::http_send(json.as_ptr(), json.len()) } {
            id if id >= 0 => Ok(Pending(id)),
            code => Err(Error::from_code(code)),
        }
    }

    impl Pending {
        /// Waits for the response.
        pub fn wait(self) -> Result<Response, Error> {
            decode(unsafe { sys::http_wait(self.0) })
        }
    }
}

/// Events between plugins and the host.
pub mod events {
    use super::{Error, status_result, sys};

    /// Publishes a payload on a topic.
    pub fn publish(topic: &str, payload: impl AsRef<[u8]>) -> Result<(), Error> {
        let payload = payload.as_ref();
        status_result(unsafe { sys::event_publish(topic.as_ptr(), topic.len(), payload.as_ptr(), payload.len()) })
    }
}

/// A plugin's lifecycle. Every method has a default that does nothing and succeeds.
pub trait Plugin: Default {
    /// After loading; read `config` here.
    fn initialize(&mut self) -> Result<(), Error> {
        Ok(())
    }
    /// When the plugin starts.
    fn start(&mut self) -> Result<(), Error> {
        Ok(())
    }
    /// When the plugin stops.
    fn stop(&mut self) -> Result<(), Error> {
        Ok(())
    }
    /// Periodic health check; `false` means unhealthy.
    fn health_check(&mut self) -> bool {
        true
    }
    /// An event on a subscribed topic.
    fn on_event(&mut self, topic: &str, payload: &[u8]) -> Result<(), Error> {
        let _ = (topic, payload);
        Ok(())
    }
}

/// Turns a lifecycle result into the status the host expects, logging the failure.
#[doc(hidden)]
pub fn status(result: Result<(), Error>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(error) => {
            log(Level::Error, &error.message);
            1
        }
    }
}

/// Exports the lifecycle entry points and the allocator for a [`Plugin`] type.
#[macro_export]
macro_rules! plugin {
    ($plugin:ty) => {
        thread_local! {
            static QIRVO_PLUGIN: ::std::cell::RefCell<$plugin> =
                ::std::cell::RefCell::new(<$plugin as ::core::default::Default>::default());
        }

        fn qirvo_with<R>(f: impl FnOnce(&mut $plugin) -> R) -> R {
            QIRVO_PLUGIN.with(|plugin| f(&mut plugin.borrow_mut()))
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn qirvo_alloc(size: i32) -> i32 {
            $crate::alloc(size)
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn qirvo_initialize() -> i32 {
            $crate::status(qirvo_with(|p| $crate::Plugin::initialize(p)))
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn qirvo_start() -> i32 {
            $crate::status(qirvo_with(|p| $crate::Plugin::start(p)))
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn qirvo_stop() -> i32 {
            $crate::status(qirvo_with(|p| $crate::Plugin::stop(p)))
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn qirvo_health_check() -> i32 {
            if qirvo_with(|p| $crate::Plugin::health_check(p)) {
                0
            } else {
                1
            }
        }

        #[unsafe(no_mangle)]
        pub extern "C" fn qirvo_on_event(topic_ptr: i32, topic_len: i32, payload_ptr: i32, payload_len: i32) -> i32 {
            let pack = |ptr: i32, len: i32| (i64::from(ptr as u32) << 32) | i64::from(len as u32);
            let topic = $crate::take_buffer(pack(topic_ptr, topic_len));
            let payload = $crate::take_buffer(pack(payload_ptr, payload_len));
            let topic = ::std::string::String::from_utf8_lossy(&topic);
            $crate::status(qirvo_with(|p| $crate::Plugin::on_event(p, &topic, &payload)))
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing() {
        assert_eq!(unpack((7 << 32) | 9), (7, 9));
        assert_eq!(
            unpack((0xffff_fff0_i64 << 32) | 0xffff_ffff),
            (0xffff_fff0, 0xffff_ffff)
        );
        assert!(take_buffer(0).is_empty());
        assert_eq!(alloc(0), 1, "a zero-size buffer is a non-null dangling pointer");
    }

    #[test]
    fn error_kinds() {
        assert_eq!(
            Error {
                code: -3,
                message: String::new()
            }
            .kind(),
            ErrorKind::LimitExceeded
        );
        assert_eq!(Error::new("mine").kind(), ErrorKind::Other);
    }
}
