//! The DWARF layer on malformed and hostile debug information: random DWARF trees with
//! cyclic references and absurd sizes, random byte mutations of the examples' DWARF, and one
//! regression test per concrete hang, overflow or unbounded allocation found. Every entry
//! point that does not need a live plugin must return, without panicking, in bounded time.
//!
//! `QIRVO_DWARF_FUZZ_CASES=N` runs N random cases per test instead of the default;
//! `QIRVO_DWARF_FUZZ_SEED=S` runs only case S; `QIRVO_DWARF_FUZZ_VERBOSE=1` prints each case
//! before it runs (to find the one that overflows the stack, which cannot be caught).

mod build;
mod exercise;
mod mutations;
mod random;
mod regressions;
mod rng;
