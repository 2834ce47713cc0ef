//! Moving data across the boundary: reading `(ptr, len)` arguments out of the plugin's memory
//! and handing buffers back through its `qirvo_alloc` export. Every failure is an error code
//! for the plugin, never a host panic.

use wasmtime::{Caller, Extern, Memory};

use crate::runtime::state::HostState;
use qirvo_manifest::host_api::{ALLOC_EXPORT, ErrorCode, MEMORY_EXPORT};

/// A failed host call: the code the plugin gets and the message `last_error` returns.
#[derive(Debug)]
pub struct HostError {
    pub code: ErrorCode,
    pub message: String,
}

impl HostError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        HostError {
            code,
            message: message.into(),
        }
    }
}

fn memory(caller: &mut Caller<'_, HostState>) -> Result<Memory, HostError> {
    match caller.get_export(MEMORY_EXPORT) {
        Some(Extern::Memory(memory)) => Ok(memory),
        _ => Err(HostError::new(
            ErrorCode::InvalidArgument,
            "the plugin exports no `memory`",
        )),
    }
}

/// Copies `len` bytes at `ptr` out of the plugin's memory.
pub fn read(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32) -> Result<Vec<u8>, HostError> {
    let memory = memory(caller)?;
    let (start, len) = (ptr as u32 as usize, len as u32 as usize);
    let data = memory.data(&*caller);
    start
        .checked_add(len)
        .and_then(|end| data.get(start..end))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| {
            HostError::new(
                ErrorCode::InvalidArgument,
                format!(
                    "buffer {start:#x}+{len} is outside the plugin's memory ({} bytes)",
                    data.len()
                ),
            )
        })
}

/// Like [`read`], refusing before copying anything when `len` is above `max`: what a plugin
/// passes is copied into host memory, which its memory limit does not cover.
pub fn read_at_most(
    caller: &mut Caller<'_, HostState>,
    ptr: i32,
    len: i32,
    max: usize,
    what: &str,
) -> Result<Vec<u8>, HostError> {
    let len_bytes = len as u32 as usize;
    if len_bytes > max {
        return Err(HostError::new(
            ErrorCode::LimitExceeded,
            format!("{what} has {len_bytes} bytes; at most {max} are accepted"),
        ));
    }
    read(caller, ptr, len)
}

/// Reads a UTF-8 string argument of at most `max` bytes.
pub fn read_str_at_most(
    caller: &mut Caller<'_, HostState>,
    ptr: i32,
    len: i32,
    max: usize,
    what: &str,
) -> Result<String, HostError> {
    String::from_utf8(read_at_most(caller, ptr, len, max, what)?)
        .map_err(|_| HostError::new(ErrorCode::InvalidArgument, format!("{what} is not valid UTF-8")))
}

/// Allocates a buffer in the plugin through `qirvo_alloc`, fills it and returns the packed
/// `(ptr << 32) | len`.
pub async fn write_out(caller: &mut Caller<'_, HostState>, bytes: &[u8]) -> Result<i64, HostError> {
    let len = i32::try_from(bytes.len())
        .map_err(|_| HostError::new(ErrorCode::LimitExceeded, "the result is larger than 2 GiB"))?;
    let alloc = caller
        .get_export(ALLOC_EXPORT)
        .and_then(Extern::into_func)
        .ok_or_else(|| {
            HostError::new(
                ErrorCode::Unsupported,
                format!("the plugin exports no `{ALLOC_EXPORT}`"),
            )
        })?
        .typed::<i32, i32>(&*caller)
        .map_err(|e| {
            HostError::new(
                ErrorCode::Unsupported,
                format!("`{ALLOC_EXPORT}` has the wrong type: {e}"),
            )
        })?;
    let ptr = alloc
        .call_async(&mut *caller, len)
        .await
        .map_err(|e| HostError::new(ErrorCode::Failed, format!("`{ALLOC_EXPORT}({len})` failed: {e}")))?;
    let memory = memory(caller)?;
    memory.write(&mut *caller, ptr as u32 as usize, bytes).map_err(|_| {
        HostError::new(
            ErrorCode::InvalidArgument,
            format!("`{ALLOC_EXPORT}` returned {ptr:#x}, which has no room for {len} bytes"),
        )
    })?;
    Ok((i64::from(ptr as u32) << 32) | i64::from(len as u32))
}

/// Turns a result into the i64 the plugin sees, remembering the message of a failure.
pub fn finish_i64(caller: &mut Caller<'_, HostState>, result: Result<i64, HostError>) -> i64 {
    match result {
        Ok(value) => value,
        Err(error) => {
            caller.data_mut().last_error = Some(error.message);
            error.code as i64
        }
    }
}

/// Turns a result into the i32 the plugin sees (0 = success).
pub fn finish_i32(caller: &mut Caller<'_, HostState>, result: Result<(), HostError>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(error) => {
            caller.data_mut().last_error = Some(error.message);
            error.code as i32
        }
    }
}
