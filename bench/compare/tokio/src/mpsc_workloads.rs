//! mpsc workloads (issue 3). Harness and protocol: main.rs. Same shapes as the sluice peer's
//! mpsc_workloads.cpp:
//!
//!   mpsc_spsc_1, mpsc_spsc_1024   one producer task -> bounded(1 | 1024) -> one consumer task
//!   mpsc_mpsc_4x128               four producer tasks -> bounded(128) -> one consumer task
//!   mpsc_unbounded_spsc           one producer task -> unbounded -> one consumer task
//!   contention_*, uncontended_*   Tokio's benches/sync_mpsc.rs: the receiver is the block_on
//!                                 body; one iteration = one block_on of 5000 messages
//!   mpsc_memory[_unbounded]       RSS growth of n queued u64 and what is left after draining

use std::future::Future;

use tokio::runtime::Runtime;
use tokio::sync::mpsc;

use crate::{die, peak_rss_bytes, release_free_memory, report_extra, reset_peak_rss, rss_bytes};

const ID_SHIFT: u32 = 56; // mpsc_mpsc_4x128: value = producer id << 56 | sequence number
const SEQ_MASK: u64 = (1 << ID_SHIFT) - 1;

/// Checks each producer's values arrive in order (producer id in the top byte).
struct OrderCheck {
    next: [u64; 4],
    producers: u64,
    count: u64,
}

impl OrderCheck {
    fn new(producers: u64) -> Self {
        OrderCheck {
            next: [0; 4],
            producers,
            count: 0,
        }
    }
    fn see(&mut self, v: u64) {
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

async fn produce(tx: mpsc::Sender<u64>, base: u64, n: u64) {
    for i in 0..n {
        if tx.send(base | i).await.is_err() {
            die("mpsc producer: receiver gone");
        }
    }
}

fn run_bounded(rt: &Runtime, capacity: usize, producers: u64, n: u64) -> u64 {
    let per = n / producers;
    let got = rt.block_on(async move {
        let (tx, mut rx) = mpsc::channel::<u64>(capacity);
        let prod: Vec<_> = (0..producers)
            .map(|p| tokio::spawn(produce(tx.clone(), p << ID_SHIFT, per)))
            .collect();
        drop(tx); // only the producers hold senders now
        let cons = tokio::spawn(async move {
            let mut check = OrderCheck::new(producers);
            while let Some(v) = rx.recv().await {
                check.see(v);
            }
            check.count
        });
        for h in prod {
            h.await
                .unwrap_or_else(|_| die("mpsc: producer task failed"));
        }
        cons.await
            .unwrap_or_else(|_| die("mpsc: consumer task failed"))
    });
    if got != per * producers {
        die("mpsc: wrong message count");
    }
    got
}

pub fn mpsc_spsc_1(rt: &Runtime, n: u64) -> u64 {
    run_bounded(rt, 1, 1, n)
}

pub fn mpsc_spsc_1024(rt: &Runtime, n: u64) -> u64 {
    run_bounded(rt, 1024, 1, n)
}

pub fn mpsc_mpsc_4x128(rt: &Runtime, n: u64) -> u64 {
    run_bounded(rt, 128, 4, n)
}

pub fn mpsc_unbounded_spsc(rt: &Runtime, n: u64) -> u64 {
    let got = rt.block_on(async move {
        let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
        let prod = tokio::spawn(async move {
            for i in 0..n {
                if tx.send(i).is_err() {
                    die("mpsc unbounded producer: receiver gone");
                }
            }
        });
        let cons = tokio::spawn(async move {
            let mut check = OrderCheck::new(1);
            while let Some(v) = rx.recv().await {
                check.see(v);
            }
            check.count
        });
        prod.await
            .unwrap_or_else(|_| die("mpsc_unbounded_spsc: producer task failed"));
        cons.await
            .unwrap_or_else(|_| die("mpsc_unbounded_spsc: consumer task failed"))
    });
    if got != n {
        die("mpsc_unbounded_spsc: wrong message count");
    }
    n
}

// ---------------------------------------------------------------------------
// Tokio's benches/sync_mpsc.rs shapes (u64 instead of usize). One iteration = one block_on
// whose body receives 5000 messages; iterations repeat until n messages in total.
// ---------------------------------------------------------------------------

const TASKS: u64 = 5;
const PER_TASK: u64 = 1000;
const PER_ITER: u64 = TASKS * PER_TASK;
const ITER_SUM: u64 = TASKS * PER_TASK * (PER_TASK - 1) / 2; // each task sends 0..999
const UNCONTENDED_SUM: u64 = PER_ITER * (PER_ITER - 1) / 2;

fn iterate<F, Fut>(rt: &Runtime, n: u64, expected_sum: u64, make_iter: F) -> u64
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

async fn contention_bounded_iter(capacity: usize) -> u64 {
    let (tx, mut rx) = mpsc::channel::<u64>(capacity);
    for _ in 0..TASKS {
        let tx = tx.clone();
        tokio::spawn(async move {
            for i in 0..PER_TASK {
                if tx.send(i).await.is_err() {
                    die("contention: receiver gone");
                }
            }
        }); // not joined, as in Tokio's bench
    }
    let mut sum = 0;
    for _ in 0..PER_ITER {
        sum += rx
            .recv()
            .await
            .unwrap_or_else(|| die("mpsc: channel closed early"));
    }
    sum
}

async fn contention_unbounded_iter() -> u64 {
    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
    for _ in 0..TASKS {
        let tx = tx.clone();
        tokio::spawn(async move {
            for i in 0..PER_TASK {
                if tx.send(i).is_err() {
                    die("contention: receiver gone");
                }
            }
        });
    }
    let mut sum = 0;
    for _ in 0..PER_ITER {
        sum += rx
            .recv()
            .await
            .unwrap_or_else(|| die("mpsc: channel closed early"));
    }
    sum
}

async fn uncontended_bounded_iter() -> u64 {
    let (tx, mut rx) = mpsc::channel::<u64>(1_000_000);
    for i in 0..PER_ITER {
        if tx.send(i).await.is_err() {
            die("uncontended_bounded: receiver gone");
        }
    }
    let mut sum = 0;
    for _ in 0..PER_ITER {
        sum += rx
            .recv()
            .await
            .unwrap_or_else(|| die("mpsc: channel closed early"));
    }
    sum
}

async fn uncontended_unbounded_iter() -> u64 {
    let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
    for i in 0..PER_ITER {
        if tx.send(i).is_err() {
            die("uncontended_unbounded: receiver gone");
        }
    }
    let mut sum = 0;
    for _ in 0..PER_ITER {
        sum += rx
            .recv()
            .await
            .unwrap_or_else(|| die("mpsc: channel closed early"));
    }
    sum
}

pub fn contention_bounded(rt: &Runtime, n: u64) -> u64 {
    iterate(rt, n, ITER_SUM, || contention_bounded_iter(1_000_000))
}

pub fn contention_bounded_full(rt: &Runtime, n: u64) -> u64 {
    iterate(rt, n, ITER_SUM, || contention_bounded_iter(100))
}

pub fn contention_unbounded(rt: &Runtime, n: u64) -> u64 {
    iterate(rt, n, ITER_SUM, contention_unbounded_iter)
}

pub fn uncontended_bounded(rt: &Runtime, n: u64) -> u64 {
    iterate(rt, n, UNCONTENDED_SUM, uncontended_bounded_iter)
}

pub fn uncontended_unbounded(rt: &Runtime, n: u64) -> u64 {
    iterate(rt, n, UNCONTENDED_SUM, uncontended_unbounded_iter)
}

// ---------------------------------------------------------------------------
// Memory: queue n u64 without receiving, read RSS (peak via VmHWM after clear_refs), drain,
// read RSS again, then again after malloc_trim(0). Returns the peak growth in bytes; EXTRA
// lines carry the rest. Tokio has no public count of retained blocks, so there is no
// blocks_after_drain line.
// ---------------------------------------------------------------------------

fn baseline() -> i64 {
    let base = rss_bytes();
    if !reset_peak_rss() {
        report_extra("hwm_reset_failed", 1);
    }
    base
}

fn finish_memory(base: i64, n: u64, mut try_recv: impl FnMut() -> Option<u64>) -> u64 {
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

pub fn mpsc_memory(rt: &Runtime, n: u64) -> u64 {
    rt.block_on(async move {
        let base = baseline();
        let (tx, mut rx) = mpsc::channel::<u64>(n as usize);
        for i in 0..n {
            if tx.send(i).await.is_err() {
                die("mpsc_memory: receiver gone");
            }
        }
        finish_memory(base, n, || rx.try_recv().ok())
    })
}

pub fn mpsc_memory_unbounded(rt: &Runtime, n: u64) -> u64 {
    rt.block_on(async move {
        let base = baseline();
        let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
        for i in 0..n {
            if tx.send(i).is_err() {
                die("mpsc_memory_unbounded: receiver gone");
            }
        }
        finish_memory(base, n, || rx.try_recv().ok())
    })
}
