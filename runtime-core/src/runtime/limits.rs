//! Enforcing `resources`: memory through a store limiter, time and CPU through the epoch
//! callback. Time spent stopped in a debugger is subtracted before comparing with the timeout.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::UpdateDeadline;

use super::metrics::Metrics;

/// Caps the plugin's memories (together) and tables.
pub struct MemoryLimiter {
    limit: u64,
    allocated: u64,
    metrics: Arc<Metrics>,
}

/// Most table elements a plugin may have (function tables of large programs stay far below).
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

impl MemoryLimiter {
    /// A limiter for `limit` bytes of linear memory.
    pub fn new(limit: u64, metrics: Arc<Metrics>) -> Self {
        MemoryLimiter {
            limit,
            allocated: 0,
            metrics,
        }
    }

    /// Bytes of linear memory in use.
    pub fn allocated(&self) -> u64 {
        self.allocated
    }

    /// The limit in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let total = self.allocated - (current as u64).min(self.allocated) + desired as u64;
        if total > self.limit {
            self.metrics.update(|m| m.memory_violations += 1);
            tracing::debug!(total, limit = self.limit, "memory growth refused");
            return Ok(false);
        }
        self.allocated = total;
        self.metrics.memory(total);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// Time accounting shared between a running call and its watchdog.
#[derive(Debug, Default)]
pub struct PauseClock {
    paused_nanos: AtomicU64,
    stopped: AtomicBool,
}

impl PauseClock {
    /// Time stopped in the debugger during the current call.
    pub fn paused(&self) -> Duration {
        Duration::from_nanos(self.paused_nanos.load(Ordering::Relaxed))
    }

    /// Whether the plugin is stopped in the debugger right now.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Marks the start of a debugger stop.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
    }

    /// Marks the end of a debugger stop that lasted `duration`.
    pub fn resume(&self, duration: Duration) {
        self.paused_nanos.fetch_add(
            u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.stopped.store(false, Ordering::Relaxed);
    }

    fn reset(&self) {
        self.paused_nanos.store(0, Ordering::Relaxed);
        self.stopped.store(false, Ordering::Relaxed);
    }
}

/// The clock of the call in progress.
#[derive(Debug)]
pub struct CallClock {
    /// Allowed time per call.
    pub timeout: Duration,
    /// CPU share in percent.
    pub cpu_percent: u8,
    started: Instant,
    /// When the plugin last started running wasm again (after a throttling pause or a
    /// debugger stop); set by the throttling future itself when it wakes.
    resumed: Arc<Mutex<Instant>>,
    running: Duration,
    throttled: Duration,
    timed_out: bool,
    /// Shared with the watchdog and the debugger.
    pub pause: Arc<PauseClock>,
}

/// The error a call fails with when its time is up.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the call ran longer than its timeout of {} ms", .0.as_millis())]
pub struct TimedOut(pub Duration);

fn lock(instant: &Mutex<Instant>) -> std::sync::MutexGuard<'_, Instant> {
    instant.lock().unwrap_or_else(|poison| poison.into_inner())
}

impl CallClock {
    /// A clock for calls limited to `timeout` at `cpu_percent`.
    pub fn new(timeout: Duration, cpu_percent: u8) -> Self {
        let now = Instant::now();
        CallClock {
            timeout,
            cpu_percent: cpu_percent.clamp(1, 100),
            started: now,
            resumed: Arc::new(Mutex::new(now)),
            running: Duration::ZERO,
            throttled: Duration::ZERO,
            timed_out: false,
            pause: Arc::default(),
        }
    }

    /// Starts timing a call.
    pub fn begin(&mut self) {
        let now = Instant::now();
        self.started = now;
        *lock(&self.resumed) = now;
        self.running = Duration::ZERO;
        self.throttled = Duration::ZERO;
        self.timed_out = false;
        self.pause.reset();
    }

    /// Ends timing a call: the stretch since the last resume was running time.
    pub fn finish(&mut self) {
        let resumed = *lock(&self.resumed);
        self.running += Instant::now().saturating_duration_since(resumed);
    }

    /// When the call started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Time the call has counted against its timeout: wall time minus debugger stops.
    pub fn counted(&self) -> Duration {
        self.started.elapsed().saturating_sub(self.pause.paused())
    }

    /// Time the plugin spent running in this call (not throttled, not stopped).
    pub fn running(&self) -> Duration {
        self.running
    }

    /// Time spent paused by throttling in this call.
    pub fn throttled(&self) -> Duration {
        self.throttled
    }

    /// Whether the epoch callback stopped this call for taking too long.
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// Called after a debugger stop: the stop is not running time.
    pub fn after_debug_stop(&mut self) {
        *lock(&self.resumed) = Instant::now();
    }

    /// Decides what happens at an epoch tick: stop, throttle or carry on (after yielding, so
    /// other plugins on the same thread get their turn).
    pub fn on_tick(&mut self) -> wasmtime::Result<UpdateDeadline> {
        let now = Instant::now();
        let ran = now.saturating_duration_since(*lock(&self.resumed));
        self.running += ran;
        *lock(&self.resumed) = now;
        if self.counted() > self.timeout {
            self.timed_out = true;
            return Err(TimedOut(self.timeout).into());
        }
        if self.cpu_percent < 100 {
            let idle = ran.mul_f64(f64::from(100 - self.cpu_percent) / f64::from(self.cpu_percent));
            self.throttled += idle;
            let resumed = self.resumed.clone();
            let pause = Box::pin(async move {
                tokio::time::sleep(idle).await;
                *lock(&resumed) = Instant::now();
            });
            return Ok(UpdateDeadline::YieldCustom(1, pause));
        }
        Ok(UpdateDeadline::Yield(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debugger_stops_do_not_count() {
        let mut clock = CallClock::new(Duration::from_millis(50), 100);
        clock.begin();
        std::thread::sleep(Duration::from_millis(30));
        clock.pause.resume(Duration::from_millis(1000));
        assert!(clock.counted() < Duration::from_millis(50));
        assert!(clock.on_tick().is_ok());
        clock.begin();
        std::thread::sleep(Duration::from_millis(60));
        assert!(clock.on_tick().is_err());
        assert!(clock.timed_out());
    }

    #[tokio::test]
    async fn throttling_sleeps_in_proportion() {
        let mut clock = CallClock::new(Duration::from_secs(10), 25);
        clock.begin();
        std::thread::sleep(Duration::from_millis(10));
        assert!(matches!(clock.on_tick(), Ok(UpdateDeadline::YieldCustom(1, _))));
        // 25% CPU: three times as long idle as running.
        assert!(
            clock.throttled() >= Duration::from_millis(30),
            "{:?}",
            clock.throttled()
        );
    }
}
