//! Misbehaves: `start` divides by zero through a helper, which traps.

use qirvo_pdk::{Error, Plugin};

#[derive(Default)]
struct Trap;

#[inline(never)]
fn ratio(total: u32, parts: u32) -> u32 {
    total / std::hint::black_box(parts)
}

impl Plugin for Trap {
    fn start(&mut self) -> Result<(), Error> {
        let value = ratio(10, 0);
        qirvo_pdk::info!("unreachable: {value}");
        Ok(())
    }
}

qirvo_pdk::plugin!(Trap);
