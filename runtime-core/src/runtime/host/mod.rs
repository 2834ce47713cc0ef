//! The host functions of module `qirvo`, linked per plugin from the host API table: a function
//! whose permission is not granted is simply not defined, so a module importing it cannot
//! instantiate (the manifest rules report it first, with the permission to add).

mod guest;

use std::time::{SystemTime, UNIX_EPOCH};

use wasmtime::{Caller, Linker};

use self::guest::{HostError, finish_i32, finish_i64, read_at_most, read_str_at_most, write_out};
use super::events::{MAX_EVENT_PAYLOAD, MAX_PENDING_EVENT_BYTES, MAX_PENDING_EVENTS};
use super::http::{HttpRequest, InFlight};
use super::output::MAX_LINE_BYTES;
use super::output::{LogLevel, RuntimeEvent};
use super::state::HostState;
use super::storage::MAX_KEY_LEN;
use qirvo_manifest::host_api::{self, ErrorCode, HOST_FUNCTIONS, QIRVO_MODULE};
use qirvo_manifest::permissions::Permission;
use qirvo_manifest::rules::{MAX_TOPIC_BYTES, is_valid_topic};

/// Longest HTTP request text (JSON) a plugin passes.
const MAX_REQUEST_BYTES: usize = 16 << 20;
/// Longest notification title.
const MAX_TITLE_BYTES: usize = 1024;

/// Links WASI preview 1 and the `qirvo` functions the permissions grant.
pub fn link(linker: &mut Linker<HostState>, granted: impl Fn(Permission) -> bool) -> wasmtime::Result<()> {
    wasmtime_wasi::p1::add_to_linker_async(linker, |state: &mut HostState| &mut state.wasi)?;
    for function in HOST_FUNCTIONS.iter().filter(|f| f.module == QIRVO_MODULE) {
        if host_api::is_linked(function, &granted) {
            define(linker, function.name)?;
        }
    }
    Ok(())
}

fn count(caller: &Caller<'_, HostState>, name: &str) {
    caller.data().plugin.metrics.host_call(name);
}

fn emit(caller: &Caller<'_, HostState>, event: RuntimeEvent) {
    (caller.data().plugin.sink)(event);
}

fn storage(caller: &Caller<'_, HostState>) -> Result<super::storage::PluginStorage, HostError> {
    caller
        .data()
        .plugin
        .storage
        .clone()
        .ok_or_else(|| HostError::new(ErrorCode::Denied, "storage is not granted"))
}

fn storage_error(caller: &Caller<'_, HostState>, error: super::storage::StorageError) -> HostError {
    use super::storage::StorageError;
    match error {
        StorageError::QuotaExceeded { .. } => {
            caller.data().plugin.metrics.update(|m| m.storage_quota_violations += 1);
            HostError::new(ErrorCode::LimitExceeded, error.to_string())
        }
        StorageError::InvalidKey(_) => HostError::new(ErrorCode::InvalidArgument, error.to_string()),
        StorageError::Database(_) => HostError::new(ErrorCode::Failed, error.to_string()),
    }
}

/// A value refused unread for its size counts as a quota violation, like a refused write.
fn storage_quota_error(caller: &Caller<'_, HostState>, error: HostError) -> HostError {
    if error.code == ErrorCode::LimitExceeded {
        caller.data().plugin.metrics.update(|m| m.storage_quota_violations += 1);
    }
    error
}

fn http_error(error: super::http::HttpError) -> HostError {
    use super::http::HttpError;
    let code = match &error {
        HttpError::Denied(_) => ErrorCode::Denied,
        HttpError::TooManyConnections(_) | HttpError::TooLarge(_) => ErrorCode::LimitExceeded,
        HttpError::Invalid(_) => ErrorCode::InvalidArgument,
        HttpError::Timeout(_) => ErrorCode::Timeout,
        HttpError::Failed(_) => ErrorCode::Failed,
    };
    HostError::new(code, error.to_string())
}

/// Runs blocking storage work off the async executor.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, HostError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| HostError::new(ErrorCode::Failed, format!("storage task failed: {e}")))
}

/// Starts an HTTP request on its own task; the permit caps requests in flight.
fn start_request(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32) -> Result<i64, HostError> {
    let text = read_str_at_most(caller, ptr, len, MAX_REQUEST_BYTES, "the request")?;
    let request: HttpRequest = serde_json::from_str(&text).map_err(|e| {
        HostError::new(
            ErrorCode::InvalidArgument,
            format!("the request is not valid JSON: {e}"),
        )
    })?;
    let client = caller
        .data()
        .plugin
        .http
        .clone()
        .ok_or_else(|| HostError::new(ErrorCode::Denied, "network access is not granted"))?;
    let (url, permit) = client.prepare(&request).map_err(http_error)?;
    let state = caller.data_mut();
    let id = state.next_request;
    state.next_request += 1;
    state.requests.insert(id, InFlight::start(client, request, url, permit));
    Ok(id)
}

async fn wait_request(caller: &mut Caller<'_, HostState>, id: i64) -> Result<i64, HostError> {
    let request = caller
        .data_mut()
        .requests
        .remove(&id)
        .ok_or_else(|| HostError::new(ErrorCode::NotFound, format!("no request {id} is in flight")))?;
    let held = request.finish().await.map_err(http_error)?;
    let json = serde_json::to_vec(&held.response).map_err(|e| HostError::new(ErrorCode::Failed, e.to_string()))?;
    write_out(caller, &json).await
}

/// Defines one `qirvo` function. Every name in the table has an arm; a test keeps it so.
fn define(linker: &mut Linker<HostState>, name: &str) -> wasmtime::Result<()> {
    const M: &str = QIRVO_MODULE;
    match name {
        "log" => linker.func_wrap(
            M,
            name,
            |mut caller: Caller<'_, HostState>, level: i32, ptr: i32, len: i32| {
                count(&caller, "log");
                // Longer messages are cut, as output lines are.
                let shown = (len as u32).min(MAX_LINE_BYTES as u32) as i32;
                let message = match read_at_most(&mut caller, ptr, shown, MAX_LINE_BYTES, "the message") {
                    Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Err(error) => format!("<unreadable log message: {}>", error.message),
                };
                let plugin = caller.data().plugin.id.clone();
                emit(
                    &caller,
                    RuntimeEvent::Log {
                        plugin,
                        level: LogLevel::from_abi(level),
                        message,
                    },
                );
            },
        )?,
        "now_ms" => linker.func_wrap(M, name, |caller: Caller<'_, HostState>| -> i64 {
            count(&caller, "now_ms");
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        })?,
        "monotonic_ns" => linker.func_wrap(M, name, |caller: Caller<'_, HostState>| -> i64 {
            count(&caller, "monotonic_ns");
            caller.data().plugin.loaded_at.elapsed().as_nanos() as i64
        })?,
        "config_get" => {
            linker.func_wrap_async(M, name, |mut caller: Caller<'_, HostState>, (ptr, len): (i32, i32)| {
                Box::new(async move {
                    count(&caller, "config_get");
                    let result = async {
                        let key = read_str_at_most(&mut caller, ptr, len, MAX_KEY_LEN, "the key")?;
                        let value = caller
                            .data()
                            .plugin
                            .manifest
                            .config
                            .as_ref()
                            .and_then(|config| config.get(&key))
                            .map(|value| value.to_string())
                            .ok_or_else(|| HostError::new(ErrorCode::NotFound, format!("config has no `{key}`")))?;
                        write_out(&mut caller, value.as_bytes()).await
                    }
                    .await;
                    finish_i64(&mut caller, result)
                })
            })?
        }
        "last_error" => linker.func_wrap_async(M, name, |mut caller: Caller<'_, HostState>, (): ()| {
            Box::new(async move {
                let result = match caller.data_mut().last_error.take() {
                    Some(message) => write_out(&mut caller, message.as_bytes()).await,
                    None => Err(HostError::new(ErrorCode::NotFound, "no host call has failed")),
                };
                finish_i64(&mut caller, result)
            })
        })?,
        "event_publish" => linker.func_wrap(
            M,
            name,
            |mut caller: Caller<'_, HostState>, tp: i32, tl: i32, pp: i32, pl: i32| -> i32 {
                count(&caller, "event_publish");
                let result = (|| {
                    let topic = read_str_at_most(&mut caller, tp, tl, MAX_TOPIC_BYTES, "the topic")?;
                    if !is_valid_topic(&topic) {
                        return Err(HostError::new(
                            ErrorCode::InvalidArgument,
                            format!("`{topic}` is not a valid topic"),
                        ));
                    }
                    let payload = read_at_most(&mut caller, pp, pl, MAX_EVENT_PAYLOAD, "the payload")?;
                    let state = caller.data_mut();
                    let size = topic.len() + payload.len();
                    if state.published.len() >= MAX_PENDING_EVENTS
                        || state.published_bytes + size > MAX_PENDING_EVENT_BYTES
                    {
                        return Err(HostError::new(
                            ErrorCode::LimitExceeded,
                            format!(
                                "{} events ({} bytes) are waiting for delivery; at most {MAX_PENDING_EVENTS} \
                                 events and {MAX_PENDING_EVENT_BYTES} bytes may wait",
                                state.published.len(),
                                state.published_bytes
                            ),
                        ));
                    }
                    state.published_bytes += size;
                    state.published.push((topic, payload));
                    caller.data().plugin.metrics.update(|m| m.events_published += 1);
                    Ok(())
                })();
                finish_i32(&mut caller, result)
            },
        )?,
        "storage_get" => {
            linker.func_wrap_async(M, name, |mut caller: Caller<'_, HostState>, (ptr, len): (i32, i32)| {
                Box::new(async move {
                    count(&caller, "storage_get");
                    let result = async {
                        let key = read_str_at_most(&mut caller, ptr, len, MAX_KEY_LEN, "the key")?;
                        let store = storage(&caller)?;
                        let lookup = key.clone();
                        let value = blocking(move || store.get(&lookup))
                            .await?
                            .map_err(|e| storage_error(&caller, e))?
                            .ok_or_else(|| HostError::new(ErrorCode::NotFound, format!("no value for `{key}`")))?;
                        write_out(&mut caller, &value).await
                    }
                    .await;
                    finish_i64(&mut caller, result)
                })
            })?
        }
        "storage_list" => {
            linker.func_wrap_async(M, name, |mut caller: Caller<'_, HostState>, (ptr, len): (i32, i32)| {
                Box::new(async move {
                    count(&caller, "storage_list");
                    let result = async {
                        let prefix = read_str_at_most(&mut caller, ptr, len, MAX_KEY_LEN, "the prefix")?;
                        let store = storage(&caller)?;
                        let keys = blocking(move || store.list(&prefix))
                            .await?
                            .map_err(|e| storage_error(&caller, e))?;
                        let json =
                            serde_json::to_vec(&keys).map_err(|e| HostError::new(ErrorCode::Failed, e.to_string()))?;
                        write_out(&mut caller, &json).await
                    }
                    .await;
                    finish_i64(&mut caller, result)
                })
            })?
        }
        "storage_set" => linker.func_wrap_async(
            M,
            name,
            |mut caller: Caller<'_, HostState>, (kp, kl, vp, vl): (i32, i32, i32, i32)| {
                Box::new(async move {
                    count(&caller, "storage_set");
                    let result = async {
                        let key = read_str_at_most(&mut caller, kp, kl, MAX_KEY_LEN, "the key")?;
                        // A value above the whole quota cannot be stored: refuse it unread.
                        let quota = caller.data().plugin.manifest.resources.storage_bytes();
                        let quota = usize::try_from(quota).unwrap_or(usize::MAX);
                        let value = read_at_most(&mut caller, vp, vl, quota, "the value")
                            .map_err(|e| storage_quota_error(&caller, e))?;
                        let store = storage(&caller)?;
                        let writer = store.clone();
                        blocking(move || writer.set(&key, &value))
                            .await?
                            .map_err(|e| storage_error(&caller, e))?;
                        if let Ok(used) = store.used_bytes() {
                            caller.data().plugin.metrics.update(|m| m.storage_bytes = used);
                        }
                        Ok(())
                    }
                    .await;
                    finish_i32(&mut caller, result)
                })
            },
        )?,
        "storage_delete" => {
            linker.func_wrap_async(M, name, |mut caller: Caller<'_, HostState>, (ptr, len): (i32, i32)| {
                Box::new(async move {
                    count(&caller, "storage_delete");
                    let result = async {
                        let key = read_str_at_most(&mut caller, ptr, len, MAX_KEY_LEN, "the key")?;
                        let store = storage(&caller)?;
                        let lookup = key.clone();
                        let existed = blocking(move || store.delete(&lookup))
                            .await?
                            .map_err(|e| storage_error(&caller, e))?;
                        if existed {
                            Ok(())
                        } else {
                            Err(HostError::new(ErrorCode::NotFound, format!("no value for `{key}`")))
                        }
                    }
                    .await;
                    finish_i32(&mut caller, result)
                })
            })?
        }
        "http_request" => {
            linker.func_wrap_async(M, name, |mut caller: Caller<'_, HostState>, (ptr, len): (i32, i32)| {
                Box::new(async move {
                    count(&caller, "http_request");
                    let result = match start_request(&mut caller, ptr, len) {
                        Ok(id) => wait_request(&mut caller, id).await,
                        Err(error) => Err(error),
                    };
                    finish_i64(&mut caller, result)
                })
            })?
        }
        "http_send" => linker.func_wrap(
            M,
            name,
            |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| -> i64 {
                count(&caller, "http_send");
                let result = start_request(&mut caller, ptr, len);
                finish_i64(&mut caller, result)
            },
        )?,
        "http_wait" => linker.func_wrap_async(M, name, |mut caller: Caller<'_, HostState>, (id,): (i64,)| {
            Box::new(async move {
                count(&caller, "http_wait");
                let result = wait_request(&mut caller, id).await;
                finish_i64(&mut caller, result)
            })
        })?,
        "notify" => linker.func_wrap(
            M,
            name,
            |mut caller: Caller<'_, HostState>, tp: i32, tl: i32, bp: i32, bl: i32| -> i32 {
                count(&caller, "notify");
                let result = (|| {
                    let title = read_str_at_most(&mut caller, tp, tl, MAX_TITLE_BYTES, "the title")?;
                    let body = read_str_at_most(&mut caller, bp, bl, MAX_LINE_BYTES, "the body")?;
                    let plugin = caller.data().plugin.id.clone();
                    caller.data().plugin.metrics.update(|m| m.notifications += 1);
                    emit(&caller, RuntimeEvent::Notification { plugin, title, body });
                    Ok(())
                })();
                finish_i32(&mut caller, result)
            },
        )?,
        other => wasmtime::bail!("host function `qirvo.{other}` has no implementation in this runtime"),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function the table says this runtime offers is implemented, and no other.
    #[test]
    fn every_offered_function_is_implemented() {
        let engine = wasmtime::Engine::default();
        link(&mut Linker::new(&engine), |_| true).unwrap();
        for function in HOST_FUNCTIONS.iter().filter(|f| f.module == QIRVO_MODULE) {
            let offered = !matches!(function.linking, host_api::Linking::Unavailable(_));
            let implemented = define(&mut Linker::<HostState>::new(&engine), function.name).is_ok();
            assert_eq!(offered, implemented, "{}", function.name);
        }
    }
}
