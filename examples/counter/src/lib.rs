//! Counts its starts in storage: the count survives restarts of the plugin and the host.

use qirvo_pdk::{Error, Plugin, info, storage};

#[derive(Default)]
struct Counter;

fn read_count() -> Result<u64, Error> {
    Ok(storage::get_string("count")?.and_then(|text| text.parse().ok()).unwrap_or(0))
}

impl Plugin for Counter {
    fn start(&mut self) -> Result<(), Error> {
        let count = read_count()? + 1;
        storage::set("count", count.to_string())?;
        info!("count = {count}");
        Ok(())
    }

    fn on_event(&mut self, topic: &str, payload: &[u8]) -> Result<(), Error> {
        // `fill` writes entries until the quota refuses one; the error goes back to the host.
        if topic == "counter.fill" {
            let size: usize = String::from_utf8_lossy(payload).trim().parse().unwrap_or(1024);
            for index in 0.. {
                storage::set(&format!("fill/{index:06}"), vec![b'x'; size])?;
            }
        }
        Ok(())
    }
}

qirvo_pdk::plugin!(Counter);
