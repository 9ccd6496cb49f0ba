//! The @mpsc workloads with crossbeam-channel 0.5.6, shaped like tokio_compare's
//! mpsc_workloads.rs (same producers and consumers, same block_on bodies, same checks from
//! compare_harness::mpsc). crossbeam-channel blocks, so every Tokio task of the Tokio peer is
//! a `tokio::task::spawn_blocking` closure here, and the block_on body blocks where the Tokio
//! peer's awaits:
//!
//!   tokio::spawn(async { .. tx.send(v).await .. })  -> spawn_blocking(|| .. tx.send(v) ..)
//!   tokio::sync::mpsc::channel(c)                   -> crossbeam_channel::bounded(c)
//!   tokio::sync::mpsc::unbounded_channel()          -> crossbeam_channel::unbounded()
//!   `rx.recv().await` in a task / the block_on body -> `rx.recv()` on a blocking-pool thread /
//!                                                      in the block_on body (main thread)
//!
//! The JoinHandles of spawn_blocking are awaited in the block_on body exactly where the Tokio
//! peer awaits its tasks'.

use crossbeam_channel::{Receiver, Sender};
use tokio::runtime::Runtime;
use tokio::task::spawn_blocking;

use compare_harness::die;
use compare_harness::mpsc::{
    iterate, memory_baseline, memory_finish, OrderCheck, BIG_CAPACITY, FULL_CAPACITY, ID_SHIFT,
    ITER_SUM, PER_ITER, PER_TASK, TASKS, UNCONTENDED_SUM,
};

fn produce(tx: Sender<u64>, base: u64, n: u64) {
    for i in 0..n {
        if tx.send(base | i).is_err() {
            die("mpsc producer: receiver gone");
        }
    }
}

fn consume(rx: Receiver<u64>, producers: u64) -> u64 {
    let mut check = OrderCheck::new(producers);
    while let Ok(v) = rx.recv() {
        check.see(v);
    }
    check.count
}

fn run_bounded(rt: &Runtime, capacity: usize, producers: u64, n: u64) -> u64 {
    let per = n / producers;
    let got = rt.block_on(async move {
        let (tx, rx) = crossbeam_channel::bounded::<u64>(capacity);
        let prod: Vec<_> = (0..producers)
            .map(|p| {
                let tx = tx.clone();
                spawn_blocking(move || produce(tx, p << ID_SHIFT, per))
            })
            .collect();
        drop(tx); // only the producers hold senders now
        let cons = spawn_blocking(move || consume(rx, producers));
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
        let (tx, rx) = crossbeam_channel::unbounded::<u64>();
        let prod = spawn_blocking(move || {
            for i in 0..n {
                if tx.send(i).is_err() {
                    die("mpsc unbounded producer: receiver gone");
                }
            }
        });
        let cons = spawn_blocking(move || consume(rx, 1));
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
// Tokio's benches/sync_mpsc.rs shapes; constants and `iterate` in compare_harness::mpsc. One
// iteration = one block_on whose body receives 5000 messages, blocking the block_on thread
// in `recv()` (the senders are blocking-pool threads, so nothing needs that thread).
// ---------------------------------------------------------------------------

fn recv_sum(rx: &Receiver<u64>) -> u64 {
    let mut sum = 0;
    for _ in 0..PER_ITER {
        sum += rx
            .recv()
            .unwrap_or_else(|_| die("mpsc: channel closed early"));
    }
    sum
}

fn spawn_senders(tx: &Sender<u64>) {
    for _ in 0..TASKS {
        let tx = tx.clone();
        spawn_blocking(move || {
            for i in 0..PER_TASK {
                if tx.send(i).is_err() {
                    die("contention: receiver gone");
                }
            }
        }); // not joined, as in Tokio's bench
    }
}

async fn contention_bounded_iter(capacity: usize) -> u64 {
    let (tx, rx) = crossbeam_channel::bounded::<u64>(capacity);
    spawn_senders(&tx);
    recv_sum(&rx)
}

async fn contention_unbounded_iter() -> u64 {
    let (tx, rx) = crossbeam_channel::unbounded::<u64>();
    spawn_senders(&tx);
    recv_sum(&rx)
}

async fn uncontended_bounded_iter() -> u64 {
    let (tx, rx) = crossbeam_channel::bounded::<u64>(BIG_CAPACITY);
    for i in 0..PER_ITER {
        if tx.send(i).is_err() {
            die("uncontended_bounded: receiver gone");
        }
    }
    recv_sum(&rx)
}

async fn uncontended_unbounded_iter() -> u64 {
    let (tx, rx) = crossbeam_channel::unbounded::<u64>();
    for i in 0..PER_ITER {
        if tx.send(i).is_err() {
            die("uncontended_unbounded: receiver gone");
        }
    }
    recv_sum(&rx)
}

pub fn contention_bounded(rt: &Runtime, n: u64) -> u64 {
    iterate(rt, n, ITER_SUM, || contention_bounded_iter(BIG_CAPACITY))
}

pub fn contention_bounded_full(rt: &Runtime, n: u64) -> u64 {
    iterate(rt, n, ITER_SUM, || contention_bounded_iter(FULL_CAPACITY))
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
// Memory: compare_harness::mpsc::memory_baseline / memory_finish measure n queued u64, sent
// and drained in the block_on body (a send into bounded(n) holding fewer than n never blocks).
// crossbeam's bounded(n) allocates and initialises its n slots up front (a stamp and the value
// per slot); unbounded grows by linked blocks of 31 slots.
// ---------------------------------------------------------------------------

pub fn mpsc_memory(rt: &Runtime, n: u64) -> u64 {
    rt.block_on(async move {
        let base = memory_baseline();
        let (tx, rx) = crossbeam_channel::bounded::<u64>(n as usize);
        for i in 0..n {
            if tx.send(i).is_err() {
                die("mpsc_memory: receiver gone");
            }
        }
        memory_finish(base, n, || rx.try_recv().ok())
    })
}

pub fn mpsc_memory_unbounded(rt: &Runtime, n: u64) -> u64 {
    rt.block_on(async move {
        let base = memory_baseline();
        let (tx, rx) = crossbeam_channel::unbounded::<u64>();
        for i in 0..n {
            if tx.send(i).is_err() {
                die("mpsc_memory_unbounded: receiver gone");
            }
        }
        memory_finish(base, n, || rx.try_recv().ok())
    })
}
