//! `readMemory` and `writeMemory` on a stopped plugin's linear memory. Memory references are
//! the `0x…` addresses variables carry; with several plugins, the first stopped one is meant.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::Session;
use crate::dwarf::variables::Machine as _;
use crate::inspect::{FrameMachine, frame_handle};
use crate::protocol::DapError;
use crate::protocol::bodies::{MemoryEvent, ReadMemoryResponse, WriteMemoryResponse};
use crate::protocol::types::{MemoryReference, ReadMemoryArguments, WriteMemoryArguments};

/// Largest read answered at once.
const MAX_READ: u64 = 1 << 20;

fn address(reference: &str, offset: i64) -> Result<u64, DapError> {
    MemoryReference::parse(reference)
        .and_then(|reference| reference.offset_by(offset))
        .map_err(DapError::BadAddress)
}

impl Session {
    pub(super) async fn read_memory(&mut self, args: ReadMemoryArguments) -> Result<ReadMemoryResponse, DapError> {
        let start = address(&args.memory_reference, args.offset)?;
        let count = args.count.min(MAX_READ);
        let thread = self.stopped_thread()?;
        let debuggee = thread.debuggee.clone();
        let bytes = debuggee.query(move |mut store| {
            let Some(frame) = frame_handle(&mut store, 0) else {
                return Vec::new();
            };
            let mut machine = FrameMachine::new(&mut store, frame);
            // Read what is inside memory; stop at the first byte that is not.
            let mut bytes = vec![0u8; count as usize];
            let mut readable = 0;
            while readable < bytes.len() {
                let chunk = (bytes.len() - readable).min(4096);
                if machine.read(
                    start.saturating_add(readable as u64),
                    &mut bytes[readable..readable + chunk],
                ) {
                    readable += chunk;
                } else if chunk > 1
                    && machine.read(
                        start.saturating_add(readable as u64),
                        &mut bytes[readable..readable + 1],
                    )
                {
                    readable += 1;
                } else {
                    break;
                }
            }
            bytes.truncate(readable);
            bytes
        });
        let bytes = bytes.await?;
        Ok(ReadMemoryResponse {
            address: format!("{start:#x}"),
            unreadable_bytes: Some(count - bytes.len() as u64),
            data: Some(BASE64.encode(&bytes)),
        })
    }

    pub(super) async fn write_memory(&mut self, args: WriteMemoryArguments) -> Result<WriteMemoryResponse, DapError> {
        let start = address(&args.memory_reference, args.offset)?;
        let data = BASE64
            .decode(args.data.trim())
            .map_err(|e| DapError::BadData(e.to_string()))?;
        let thread = self.stopped_thread()?;
        let allow_partial = args.allow_partial;
        let debuggee = thread.debuggee.clone();
        let written = debuggee
            .query(move |mut store| {
                let Some(frame) = frame_handle(&mut store, 0) else {
                    return Err("the plugin has no frame".to_string());
                };
                let mut machine = FrameMachine::new(&mut store, frame);
                if machine.write(start, &data) {
                    return Ok(data.len());
                }
                if !allow_partial {
                    return Err(format!(
                        "{} bytes at {start:#x} are not all inside linear memory; nothing was written",
                        data.len()
                    ));
                }
                let mut written = 0;
                while written < data.len()
                    && machine.write(start.saturating_add(written as u64), &data[written..written + 1])
                {
                    written += 1;
                }
                Ok(written)
            })
            .await??;
        // Views of this memory (and the variables in it) are stale now.
        self.event(MemoryEvent {
            memory_reference: args.memory_reference,
            offset: args.offset,
            count: written,
        });
        Ok(WriteMemoryResponse {
            offset: Some(0),
            bytes_written: Some(written),
        })
    }
}
