//! Runtime workloads: spawn_join, yield_pingpong, timer_insert_cancel, block_on_overhead.
//! Harness and protocol: main.rs.

use std::future::Future;
use std::hint::black_box;
use std::pin::{pin, Pin};
use std::task::Poll;
use std::time::Duration;

use tokio::runtime::Runtime;

/// Spawn n tasks returning their index, await every JoinHandle in order, check the sum.
pub fn spawn_join(rt: &Runtime, n: u64) -> u64 {
    let sum = rt.block_on(async move {
        let mut handles = Vec::with_capacity(n as usize);
        for i in 0..n {
            handles.push(tokio::spawn(async move { i }));
        }
        let mut sum = 0u64;
        for h in handles {
            sum += h.await.expect("task panicked");
        }
        sum
    });
    assert_eq!(sum, n * (n - 1) / 2, "spawn_join: bad sum");
    n
}

/// Two spawned tasks each call yield_now() n times; block_on awaits both.
pub fn yield_pingpong(rt: &Runtime, n: u64) -> u64 {
    rt.block_on(async move {
        let a = tokio::spawn(async move {
            for _ in 0..n {
                tokio::task::yield_now().await;
            }
        });
        let b = tokio::spawn(async move {
            for _ in 0..n {
                tokio::task::yield_now().await;
            }
        });
        a.await.unwrap();
        b.await.unwrap();
    });
    2 * n
}

/// n times: create a 1 s sleep, poll it exactly once (registers it in the
/// timer wheel), drop it (deregisters it).
///
/// Wrapped in `unconstrained` as a guard: Tokio's coop budget (128 polls per
/// task tick) makes `Sleep::poll` return Pending *without* touching the wheel
/// once spent. In 1.24 a Pending sleep poll refunds its budget unit, so this
/// makes no measured difference, but it keeps the workload honest if it ever does.
pub fn timer_insert_cancel(rt: &Runtime, n: u64) -> u64 {
    let pending = rt.block_on(tokio::task::unconstrained(async move {
        let mut pending = 0u64;
        for _ in 0..n {
            let mut s = pin!(tokio::time::sleep(Duration::from_secs(1)));
            let was_pending = poll_once(s.as_mut()).await;
            pending += was_pending as u64;
            // `s` dropped here -> entry removed from the wheel.
        }
        pending
    }));
    assert_eq!(
        pending, n,
        "timer_insert_cancel: a 1 s sleep completed early"
    );
    n
}

/// Polls `f` exactly once; resolves to true if it was pending.
fn poll_once<F: Future>(mut f: Pin<&mut F>) -> impl Future<Output = bool> + '_ {
    std::future::poll_fn(move |cx| Poll::Ready(f.as_mut().poll(cx).is_pending()))
}

/// n times `rt.block_on(async { 1u64 })` from the main thread.
pub fn block_on_overhead(rt: &Runtime, n: u64) -> u64 {
    let mut sum = 0u64;
    for _ in 0..n {
        sum += rt.block_on(async { black_box(1u64) });
    }
    assert_eq!(sum, n);
    n
}
