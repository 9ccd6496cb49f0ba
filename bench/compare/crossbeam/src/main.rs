//! crossbeam-channel peer for sluice's side-by-side comparison (`bench/compare/run`):
//! crossbeam-channel 0.5.6 is a BLOCKING channel, so it runs the way Tokio users run
//! blocking code: producers, consumers, the actor and its clients are closures on Tokio's
//! blocking pool (`tokio::task::spawn_blocking`), and where the Tokio peer receives in the
//! block_on body this peer blocks in the block_on body. Same Tokio runtimes as
//! tokio_compare (mt: 2 workers, ct: current thread), but the work runs on blocking-pool
//! threads in both flavours: ct is NOT single-threaded here. The workload table; see
//! README.md.
//!
//! Usage: crossbeam_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
//! Command line, runtimes, timing, median, RESULT/EXTRA lines, RSS and the shared checks:
//! bench/compare/rust/harness (crate compare-harness).
//!
//! Workloads: mpsc_workloads.rs (the @mpsc group) and actor_workloads.rs (actor_latency,
//! actor_throughput_8). Runtime, broadcast, watch, mutex and semaphore rows answer n/a.

mod actor_workloads;
mod mpsc_workloads;

use actor_workloads::*;
use mpsc_workloads::*;

compare_harness::channel_peer_lookup!("crossbeam-channel");

fn main() {
    compare_harness::run("crossbeam_compare", lookup);
}
