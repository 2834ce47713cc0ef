//! The raw imports of module `qirvo` (see `docs/manifest.md`, "Host API"). On targets other
//! than wasm32 they are stand-ins that report `Unsupported`, so the crate builds and its unit
//! tests run on the host.

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "qirvo")]
unsafe extern "C" {
    pub fn log(level: i32, ptr: *const u8, len: usize);
    pub fn now_ms() -> i64;
    pub fn monotonic_ns() -> i64;
    pub fn config_get(key_ptr: *const u8, key_len: usize) -> i64;
    pub fn last_error() -> i64;
    pub fn event_publish(topic_ptr: *const u8, topic_len: usize, payload_ptr: *const u8, payload_len: usize) -> i32;
    pub fn storage_get(key_ptr: *const u8, key_len: usize) -> i64;
    pub fn storage_list(prefix_ptr: *const u8, prefix_len: usize) -> i64;
    pub fn storage_set(key_ptr: *const u8, key_len: usize, value_ptr: *const u8, value_len: usize) -> i32;
    pub fn storage_delete(key_ptr: *const u8, key_len: usize) -> i32;
    pub fn http_request(request_ptr: *const u8, request_len: usize) -> i64;
    pub fn http_send(request_ptr: *const u8, request_len: usize) -> i64;
    pub fn http_wait(request_id: i64) -> i64;
    pub fn notify(title_ptr: *const u8, title_len: usize, body_ptr: *const u8, body_len: usize) -> i32;
}

#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::missing_safety_doc, missing_docs)]
mod host_stand_ins {
    const UNSUPPORTED: i32 = -7;
    pub unsafe fn log(_: i32, _: *const u8, _: usize) {}
    pub unsafe fn now_ms() -> i64 {
        0
    }
    pub unsafe fn monotonic_ns() -> i64 {
        0
    }
    pub unsafe fn config_get(_: *const u8, _: usize) -> i64 {
        UNSUPPORTED as i64
    }
    pub unsafe fn last_error() -> i64 {
        UNSUPPORTED as i64
    }
    pub unsafe fn event_publish(_: *const u8, _: usize, _: *const u8, _: usize) -> i32 {
        UNSUPPORTED
    }
    pub unsafe fn storage_get(_: *const u8, _: usize) -> i64 {
        UNSUPPORTED as i64
    }
    pub unsafe fn storage_list(_: *const u8, _: usize) -> i64 {
        UNSUPPORTED as i64
    }
    pub unsafe fn storage_set(_: *const u8, _: usize, _: *const u8, _: usize) -> i32 {
        UNSUPPORTED
    }
    pub unsafe fn storage_delete(_: *const u8, _: usize) -> i32 {
        UNSUPPORTED
    }
    pub unsafe fn http_request(_: *const u8, _: usize) -> i64 {
        UNSUPPORTED as i64
    }
    pub unsafe fn http_send(_: *const u8, _: usize) -> i64 {
        UNSUPPORTED as i64
    }
    pub unsafe fn http_wait(_: i64) -> i64 {
        UNSUPPORTED as i64
    }
    pub unsafe fn notify(_: *const u8, _: usize, _: *const u8, _: usize) -> i32 {
        UNSUPPORTED
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use host_stand_ins::*;
