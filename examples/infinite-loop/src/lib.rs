//! Misbehaves: `start` never returns. The runtime must stop it at the timeout.

use qirvo_pdk::{Error, Plugin, info};

#[derive(Default)]
struct Spin;

impl Plugin for Spin {
    fn start(&mut self) -> Result<(), Error> {
        info!("spinning forever");
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

qirvo_pdk::plugin!(Spin);
