//! A seeded random number generator (SplitMix64) and the loop that runs numbered cases,
//! naming the seeds of the cases that panic or take too long.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// SplitMix64: tiny, fast, and good enough to drive generators.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5eed_d1a6_0000_0000)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A "size" as hostile DWARF states it: usually small, sometimes at an edge.
    pub fn size(&mut self) -> u64 {
        match self.below(12) {
            0 => 0,
            1 => u64::MAX,
            2 => u64::MAX - self.below(8),
            3 => 1 << self.below(64),
            4 => u64::from(u32::MAX),
            5 => i64::MAX as u64,
            _ => self.below(33),
        }
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    /// Fewer than `max` random bytes.
    pub fn some_bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.index(max);
        self.bytes(len)
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

/// What the watchdog sees when no case runs any more.
const DONE: u64 = u64::MAX;

/// Runs `case(seed)` for `default_cases` seeds (or as the environment says), catching panics,
/// and fails naming every seed that panicked. A case that runs for longer than a minute ends
/// the process with its seed: a hang is a failure too. Returns how many cases ran.
pub fn run_cases(test: &str, default_cases: u64, mut case: impl FnMut(u64)) -> u64 {
    let cases = env_number("QIRVO_DWARF_FUZZ_CASES").unwrap_or(default_cases);
    let seeds: Vec<u64> = match env_number("QIRVO_DWARF_FUZZ_SEED") {
        Some(seed) => vec![seed],
        None => (0..cases).collect(),
    };
    let verbose = std::env::var_os("QIRVO_DWARF_FUZZ_VERBOSE").is_some();
    // The case running now, watched by a thread of this test (tests run in parallel).
    let running_case = Arc::new(AtomicU64::new(DONE - 1));
    let watched = running_case.clone();
    let watchdog_test = test.to_string();
    let started = Instant::now();
    std::thread::spawn(move || {
        let mut last = (DONE - 1, Instant::now());
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let running = watched.load(Ordering::Relaxed);
            if running == DONE {
                return;
            }
            if running != last.0 {
                last = (running, Instant::now());
            } else if last.1.elapsed() > Duration::from_secs(60) {
                eprintln!(
                    "{watchdog_test}: case {running} runs for more than a minute; rerun it with QIRVO_DWARF_FUZZ_SEED={running}"
                );
                std::process::abort();
            }
        }
    });
    let mut failed = Vec::new();
    let ran = seeds.len() as u64;
    for seed in seeds {
        if verbose {
            eprintln!("{test}: case {seed}");
        }
        running_case.store(seed, Ordering::Relaxed);
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(seed))).is_err() {
            failed.push(seed);
        }
    }
    running_case.store(DONE, Ordering::Relaxed);
    eprintln!("{test}: {ran} cases in {:.1?}", started.elapsed());
    assert!(
        failed.is_empty(),
        "{test}: cases {failed:?} panicked (rerun one with QIRVO_DWARF_FUZZ_SEED=<case>)"
    );
    ran
}
