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

use compare_harness::Entry::{self, Memory, Rate};

fn lookup(name: &str) -> Option<Entry> {
    use actor_workloads as a;
    use mpsc_workloads as m;
    let w = match name {
        "mpsc_spsc_1" => Rate(m::mpsc_spsc_1),
        "mpsc_spsc_1024" => Rate(m::mpsc_spsc_1024),
        "mpsc_mpsc_4x128" => Rate(m::mpsc_mpsc_4x128),
        "mpsc_unbounded_spsc" => Rate(m::mpsc_unbounded_spsc),
        "contention_bounded" => Rate(m::contention_bounded),
        "contention_bounded_full" => Rate(m::contention_bounded_full),
        "contention_unbounded" => Rate(m::contention_unbounded),
        "uncontended_bounded" => Rate(m::uncontended_bounded),
        "uncontended_unbounded" => Rate(m::uncontended_unbounded),
        "mpsc_memory" => Memory(m::mpsc_memory),
        "mpsc_memory_unbounded" => Memory(m::mpsc_memory_unbounded),
        "actor_latency" => Rate(a::actor_latency),
        "actor_throughput_8" => Rate(a::actor_throughput_8),
        _ => return compare_harness::channel_crate_not_applicable("crossbeam-channel", name),
    };
    Some(w)
}

fn main() {
    compare_harness::run("crossbeam_compare", lookup);
}
