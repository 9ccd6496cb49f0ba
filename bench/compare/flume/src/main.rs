//! flume peer for sluice's side-by-side comparison (`bench/compare/run`): flume 0.10.14's
//! async API inside tasks on the same Tokio runtimes as tokio_compare (mt: 2 workers, ct:
//! current thread); see README.md.
//!
//! Usage: flume_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
//! Command line, runtimes, timing, median, RESULT/EXTRA lines, RSS and the shared checks:
//! bench/compare/rust/harness (crate compare-harness). The workloads are tokio_compare's shapes,
//! written once for flume and async-channel in compare_harness::async_peer; only the channel
//! differs:
//!
//!   tokio::sync::mpsc::channel(c)     -> flume::bounded(c), `send_async(v).await`
//!   tokio::sync::mpsc::unbounded_channel() -> flume::unbounded(), `send(v)` (never waits on
//!                                        an unbounded channel, like UnboundedSender::send)
//!   `rx.recv().await`                 -> `rx.recv_async().await` (Err = every sender gone)
//!   oneshot reply (actor rows)        -> a `flume::bounded(1)` per request, answered with
//!                                        `try_send`
//!
//! flume's bounded(n) does not allocate up front: its queue is a VecDeque grown by doubling.
//! Runtime, broadcast, watch, mutex and semaphore rows answer n/a.

compare_harness::async_channel_peer! {
    krate: flume, name: "flume", send: send_async, send_now: send, recv: recv_async
}

fn main() {
    compare_harness::run("flume_compare", lookup);
}
