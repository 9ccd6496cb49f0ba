//! async-channel peer for sluice's side-by-side comparison (`bench/compare/run`):
//! async-channel 1.8.0 (`send(v).await` / `recv().await`) inside tasks on the same Tokio
//! runtimes as tokio_compare (mt: 2 workers, ct: current thread). The workload table; see
//! README.md.
//!
//! Usage: async_channel_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
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
        _ => return compare_harness::channel_crate_not_applicable("async-channel", name),
    };
    Some(w)
}

fn main() {
    compare_harness::run("async_channel_compare", lookup);
}
