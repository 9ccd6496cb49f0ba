//! What every Rust peer's mpsc workloads share, so their checks and shapes are the Tokio
//! peer's exactly (same as the sluice peer's mpsc_workloads.cpp):
//!
//!   * [`OrderCheck`]: per-producer order and count at the consumer (`mpsc_*`);
//!   * [`iterate`] and the constants of Tokio's benches/sync_mpsc.rs (`contention_*`,
//!     `uncontended_*`): one iteration = one block_on whose body receives 5000 messages;
//!   * [`memory_baseline`] / [`memory_finish`] (`mpsc_memory*`): RSS growth of n queued u64,
//!     and what is left after draining.

use std::future::Future;

use tokio::runtime::Runtime;

use crate::{die, peak_rss_bytes, release_free_memory, report_extra, reset_peak_rss, rss_bytes};

/// mpsc_mpsc_4x128: value = producer id << ID_SHIFT | sequence number.
pub const ID_SHIFT: u32 = 56;
const SEQ_MASK: u64 = (1 << ID_SHIFT) - 1;

/// Checks each producer's values arrive in order (producer id in the top byte) and counts.
pub struct OrderCheck {
    next: [u64; 4],
    producers: u64,
    /// Values seen so far.
    pub count: u64,
}

impl OrderCheck {
    pub fn new(producers: u64) -> Self {
        OrderCheck {
            next: [0; 4],
            producers,
            count: 0,
        }
    }

    #[inline]
    pub fn see(&mut self, v: u64) {
        let id = v >> ID_SHIFT;
        if id >= self.producers {
            die("mpsc consumer: bad producer id");
        }
        if v & SEQ_MASK != self.next[id as usize] {
            die("mpsc consumer: values out of order");
        }
        self.next[id as usize] += 1;
        self.count += 1;
    }
}

// ---------------------------------------------------------------------------
// Tokio's benches/sync_mpsc.rs shapes (u64 instead of usize). One iteration = one block_on
// whose body receives 5000 messages; iterations repeat until n messages in total.
// ---------------------------------------------------------------------------

/// contention_*: sending tasks per iteration.
pub const TASKS: u64 = 5;
/// contention_*: values each sending task sends (0..PER_TASK).
pub const PER_TASK: u64 = 1000;
/// Messages per iteration (contention_* and uncontended_*).
pub const PER_ITER: u64 = TASKS * PER_TASK;
/// contention_*: the sum one iteration receives (each task sends 0..999).
pub const ITER_SUM: u64 = TASKS * PER_TASK * (PER_TASK - 1) / 2;
/// uncontended_*: the sum one iteration receives (0..4999).
pub const UNCONTENDED_SUM: u64 = PER_ITER * (PER_ITER - 1) / 2;
/// The capacity of the bounded channel in contention_bounded and uncontended_bounded.
pub const BIG_CAPACITY: usize = 1_000_000;
/// The capacity in contention_bounded_full.
pub const FULL_CAPACITY: usize = 100;

/// Runs max(n / PER_ITER, 1) iterations, each `rt.block_on(make_iter())`, and checks each
/// returns `expected_sum`. Returns the messages received.
pub fn iterate<F, Fut>(rt: &Runtime, n: u64, expected_sum: u64, make_iter: F) -> u64
where
    F: Fn() -> Fut,
    Fut: Future<Output = u64>,
{
    let iters = (n / PER_ITER).max(1);
    for _ in 0..iters {
        if rt.block_on(make_iter()) != expected_sum {
            die("mpsc: wrong sum in an iteration");
        }
    }
    iters * PER_ITER
}

// ---------------------------------------------------------------------------
// Memory: queue n u64 without receiving, read RSS (peak via VmHWM after clear_refs), drain,
// read RSS again, then again after malloc_trim(0). Returns the peak growth in bytes; EXTRA
// lines carry the rest. No Rust channel has a public count of retained blocks, so there is
// no blocks_after_drain line.
// ---------------------------------------------------------------------------

/// Call before creating the channel: returns the RSS baseline and resets the peak.
pub fn memory_baseline() -> i64 {
    let base = rss_bytes();
    if !reset_peak_rss() {
        report_extra("hwm_reset_failed", 1);
    }
    base
}

/// Call once the channel holds 0..n-1: reports filled_bytes, drains n values with
/// `try_recv` (checking their sum), reports after_drain_bytes and after_trim_bytes, and
/// returns the peak RSS growth since [`memory_baseline`].
pub fn memory_finish(base: i64, n: u64, mut try_recv: impl FnMut() -> Option<u64>) -> u64 {
    let peak = peak_rss_bytes();
    report_extra("filled_bytes", rss_bytes() - base);
    let mut sum = 0u64;
    for _ in 0..n {
        sum += try_recv().unwrap_or_else(|| die("mpsc_memory: a queued value is missing"));
    }
    if sum != n * (n - 1) / 2 {
        die("mpsc_memory: bad sum");
    }
    report_extra("after_drain_bytes", rss_bytes() - base);
    release_free_memory();
    report_extra("after_trim_bytes", rss_bytes() - base);
    (peak - base).max(0) as u64
}
