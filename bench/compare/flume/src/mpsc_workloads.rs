//! The @mpsc workloads with flume 0.10.14, shaped exactly like tokio_compare's
//! mpsc_workloads.rs (same tasks, same block_on bodies, same checks from
//! compare_harness::mpsc); only the channel differs:
//!
//!   tokio::sync::mpsc::channel(c)     -> flume::bounded(c), `send_async(v).await`
//!   tokio::sync::mpsc::unbounded_channel() -> flume::unbounded(), `send(v)` (never waits on
//!                                        an unbounded channel, like UnboundedSender::send)
//!   `rx.recv().await`                 -> `rx.recv_async().await` (Err = every sender gone)
//!   `rx.try_recv()`                   -> `rx.try_recv()` (memory workloads' drain)

use flume::{Receiver, Sender};
use tokio::runtime::Runtime;

use compare_harness::die;
use compare_harness::mpsc::{
    iterate, memory_baseline, memory_finish, OrderCheck, BIG_CAPACITY, FULL_CAPACITY, ID_SHIFT,
    ITER_SUM, PER_ITER, PER_TASK, TASKS, UNCONTENDED_SUM,
};

async fn produce(tx: Sender<u64>, base: u64, n: u64) {
    for i in 0..n {
        if tx.send_async(base | i).await.is_err() {
            die("mpsc producer: receiver gone");
        }
    }
}

async fn consume(rx: Receiver<u64>, producers: u64) -> u64 {
    let mut check = OrderCheck::new(producers);
    while let Ok(v) = rx.recv_async().await {
        check.see(v);
    }
    check.count
}

fn run_bounded(rt: &Runtime, capacity: usize, producers: u64, n: u64) -> u64 {
    let per = n / producers;
    let got = rt.block_on(async move {
        let (tx, rx) = flume::bounded::<u64>(capacity);
        let prod: Vec<_> = (0..producers)
            .map(|p| tokio::spawn(produce(tx.clone(), p << ID_SHIFT, per)))
            .collect();
        drop(tx); // only the producers hold senders now
        let cons = tokio::spawn(consume(rx, producers));
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
        let (tx, rx) = flume::unbounded::<u64>();
        let prod = tokio::spawn(async move {
            for i in 0..n {
                if tx.send(i).is_err() {
                    die("mpsc unbounded producer: receiver gone");
                }
            }
        });
        let cons = tokio::spawn(consume(rx, 1));
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
// iteration = one block_on whose body receives 5000 messages.
// ---------------------------------------------------------------------------

async fn recv_sum(rx: &Receiver<u64>) -> u64 {
    let mut sum = 0;
    for _ in 0..PER_ITER {
        sum += rx
            .recv_async()
            .await
            .unwrap_or_else(|_| die("mpsc: channel closed early"));
    }
    sum
}

async fn contention_bounded_iter(capacity: usize) -> u64 {
    let (tx, rx) = flume::bounded::<u64>(capacity);
    for _ in 0..TASKS {
        let tx = tx.clone();
        tokio::spawn(async move {
            for i in 0..PER_TASK {
                if tx.send_async(i).await.is_err() {
                    die("contention: receiver gone");
                }
            }
        }); // not joined, as in Tokio's bench
    }
    recv_sum(&rx).await
}

async fn contention_unbounded_iter() -> u64 {
    let (tx, rx) = flume::unbounded::<u64>();
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
    recv_sum(&rx).await
}

async fn uncontended_bounded_iter() -> u64 {
    let (tx, rx) = flume::bounded::<u64>(BIG_CAPACITY);
    for i in 0..PER_ITER {
        if tx.send_async(i).await.is_err() {
            die("uncontended_bounded: receiver gone");
        }
    }
    recv_sum(&rx).await
}

async fn uncontended_unbounded_iter() -> u64 {
    let (tx, rx) = flume::unbounded::<u64>();
    for i in 0..PER_ITER {
        if tx.send(i).is_err() {
            die("uncontended_unbounded: receiver gone");
        }
    }
    recv_sum(&rx).await
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
// Memory: compare_harness::mpsc::memory_baseline / memory_finish measure n queued u64.
// flume's bounded(n) does not allocate up front: its queue is a VecDeque grown by doubling.
// ---------------------------------------------------------------------------

pub fn mpsc_memory(rt: &Runtime, n: u64) -> u64 {
    rt.block_on(async move {
        let base = memory_baseline();
        let (tx, rx) = flume::bounded::<u64>(n as usize);
        for i in 0..n {
            if tx.send_async(i).await.is_err() {
                die("mpsc_memory: receiver gone");
            }
        }
        memory_finish(base, n, || rx.try_recv().ok())
    })
}

pub fn mpsc_memory_unbounded(rt: &Runtime, n: u64) -> u64 {
    rt.block_on(async move {
        let base = memory_baseline();
        let (tx, rx) = flume::unbounded::<u64>();
        for i in 0..n {
            if tx.send(i).is_err() {
                die("mpsc_memory_unbounded: receiver gone");
            }
        }
        memory_finish(base, n, || rx.try_recv().ok())
    })
}
