//! async-channel peer for sluice's side-by-side comparison (`bench/compare/run`):
//! async-channel 1.8.0 inside tasks on the same Tokio runtimes as tokio_compare (mt: 2
//! workers, ct: current thread); see README.md.
//!
//! Usage: async_channel_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
//! Command line, runtimes, timing, median, RESULT/EXTRA lines, RSS and the shared checks:
//! bench/compare/rust/harness (crate compare-harness). The workloads are tokio_compare's shapes,
//! written once for flume and async-channel in compare_harness::async_peer; only the channel
//! differs:
//!
//!   tokio::sync::mpsc::channel(c)     -> async_channel::bounded(c), `send(v).await`
//!   tokio::sync::mpsc::unbounded_channel() -> async_channel::unbounded(), `try_send(v)`
//!                                        (never Full on an unbounded channel: the plain,
//!                                        non-waiting call, like UnboundedSender::send)
//!   `rx.recv().await`                 -> `rx.recv().await` (Err = every sender gone)
//!   oneshot reply (actor rows)        -> an `async_channel::bounded(1)` per request, answered
//!                                        with `try_send`
//!
//! async-channel's bounded(n) allocates its n slots up front (concurrent-queue's array: a stamp
//! and the value per slot); unbounded grows by linked blocks of 31 slots.
//! Runtime, broadcast, watch, mutex and semaphore rows answer n/a.

compare_harness::async_channel_peer! {
    krate: async_channel, name: "async-channel", send: send, send_now: try_send, recv: recv
}

fn main() {
    compare_harness::run("async_channel_compare", lookup);
}
