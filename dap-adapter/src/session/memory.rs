//! `readMemory` and `writeMemory` on a stopped plugin's linear memory. Memory references are
//! the `0x…` addresses variables carry; with several plugins, the first stopped one is meant.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::Session;
use crate::dwarf::variables::Machine as _;
use crate::inspect::{FrameMachine, frame_handle};
use crate::protocol::types::{ReadMemoryArguments, WriteMemoryArguments};

/// Largest read answered at once.
const MAX_READ: u64 = 1 << 20;

fn address(reference: &str, offset: i64) -> Result<u64, String> {
    let text = reference.trim();
    let base = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    }
    .map_err(|_| format!("`{reference}` is not a memory reference (expected an address such as 0x1f40)"))?;
    base.checked_add_signed(offset)
        .ok_or_else(|| format!("{reference} + {offset} is outside linear memory"))
}

impl Session {
    pub(super) async fn read_memory(&mut self, args: ReadMemoryArguments) -> Result<Value, String> {
        let start = address(&args.memory_reference, args.offset)?;
        let count = args.count.min(MAX_READ);
        let thread = self.stopped_thread()?;
        let (reply, answer) = oneshot::channel();
        thread.debuggee.inspect(Box::new(move |mut store| {
            let Some(frame) = frame_handle(&mut store, 0) else {
                let _ = reply.send(Vec::new());
                return;
            };
            let mut machine = FrameMachine::new(&mut store, frame);
            // Read what is inside memory; stop at the first byte that is not.
            let mut bytes = vec![0u8; count as usize];
            let mut readable = 0;
            while readable < bytes.len() {
                let chunk = (bytes.len() - readable).min(4096);
                if machine.read(start + readable as u64, &mut bytes[readable..readable + chunk]) {
                    readable += chunk;
                } else if chunk > 1 && machine.read(start + readable as u64, &mut bytes[readable..readable + 1]) {
                    readable += 1;
                } else {
                    break;
                }
            }
            bytes.truncate(readable);
            let _ = reply.send(bytes);
        }));
        let bytes = answer
            .await
            .map_err(|_| "the plugin did not answer (it is no longer stopped)")?;
        Ok(json!({
            "address": format!("{start:#x}"),
            "unreadableBytes": count - bytes.len() as u64,
            "data": BASE64.encode(&bytes),
        }))
    }

    pub(super) async fn write_memory(&mut self, args: WriteMemoryArguments) -> Result<Value, String> {
        let start = address(&args.memory_reference, args.offset)?;
        let data = BASE64
            .decode(args.data.trim())
            .map_err(|e| format!("`data` is not base64: {e}"))?;
        let thread = self.stopped_thread()?;
        let allow_partial = args.allow_partial;
        let (reply, answer) = oneshot::channel();
        thread.debuggee.inspect(Box::new(move |mut store| {
            let Some(frame) = frame_handle(&mut store, 0) else {
                let _ = reply.send(Err("the plugin has no frame".to_string()));
                return;
            };
            let mut machine = FrameMachine::new(&mut store, frame);
            if machine.write(start, &data) {
                let _ = reply.send(Ok(data.len()));
                return;
            }
            if !allow_partial {
                let _ = reply.send(Err(format!(
                    "{} bytes at {start:#x} are not all inside linear memory; nothing was written",
                    data.len()
                )));
                return;
            }
            let mut written = 0;
            while written < data.len() && machine.write(start + written as u64, &data[written..written + 1]) {
                written += 1;
            }
            let _ = reply.send(Ok(written));
        }));
        let written = answer
            .await
            .map_err(|_| "the plugin did not answer (it is no longer stopped)")??;
        // Views of this memory (and the variables in it) are stale now.
        self.event(
            "memory",
            json!({ "memoryReference": args.memory_reference, "offset": args.offset, "count": written }),
        );
        Ok(json!({ "offset": 0, "bytesWritten": written }))
    }
}
