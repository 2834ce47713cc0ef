//! The C family's text: a `char *` reads as the NUL-terminated string it points at. C++ shares
//! it (its `std::string` formatter builds on the same reads).

use super::MAX_STRING;
use super::text::c_quote;
use crate::dwarf::variables::Machine;

/// The NUL-terminated string at `address`, quoted; `None` when unreadable.
pub(super) fn c_string(address: u64, machine: &mut dyn Machine) -> Option<String> {
    let mut text = Vec::new();
    for offset in 0..MAX_STRING as u64 {
        let mut byte = [0u8; 1];
        let readable = address
            .checked_add(offset)
            .is_some_and(|at| machine.read(at, &mut byte));
        if !readable {
            return (offset > 0).then(|| format!("{}…", c_quote(&text)));
        }
        if byte[0] == 0 {
            return Some(c_quote(&text));
        }
        text.push(byte[0]);
    }
    Some(format!("{}…", c_quote(&text)))
}
