//! Misbehaves: uses storage, but its manifest does not ask for `storage-read`. The runtime
//! refuses to load it (Q0504) before any code runs.

use qirvo_pdk::{Error, Plugin, info, storage};

#[derive(Default)]
struct Sneaky;

impl Plugin for Sneaky {
    fn start(&mut self) -> Result<(), Error> {
        let secret = storage::get_string("secret")?;
        info!("read {secret:?}");
        Ok(())
    }
}

qirvo_pdk::plugin!(Sneaky);
