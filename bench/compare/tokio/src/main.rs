//! Tokio peer for sluice's side-by-side comparison (`bench/compare/run`): the workload table.
//!
//! Usage: tokio_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
//! The command line, runtimes, timing, median, RESULT/EXTRA lines and RSS helpers are the
//! harness shared by every Rust peer: bench/compare/rust/harness (crate compare-harness),
//! which also states the protocol (see bench/compare/README.md).
//!
//! Workloads live in runtime_workloads.rs, mpsc_workloads.rs and sync_workloads.rs; adding
//! one = `pub fn name(rt: &Runtime, n: u64) -> u64` plus one arm in `lookup`. Unknown names
//! print `n/a`.

mod mpsc_workloads;
mod runtime_workloads;
mod sync_workloads;

use compare_harness::Entry::{self, Memory, Rate};

fn lookup(name: &str) -> Option<Entry> {
    use mpsc_workloads as m;
    use runtime_workloads as r;
    use sync_workloads as s;
    let w = match name {
        "spawn_join" => Rate(r::spawn_join),
        "yield_pingpong" => Rate(r::yield_pingpong),
        "timer_insert_cancel" => Rate(r::timer_insert_cancel),
        "block_on_overhead" => Rate(r::block_on_overhead),
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
        "actor_latency" => Rate(s::actor_latency),
        "actor_throughput_8" => Rate(s::actor_throughput_8),
        "broadcast_1x4" => Rate(s::broadcast_1x4),
        "watch_4" => Rate(s::watch_4),
        "mutex_uncontended" => Rate(s::mutex_uncontended),
        "mutex_contended" => Rate(s::mutex_contended),
        "semaphore_acquire_release" => Rate(s::semaphore_acquire_release),
        "semaphore_contended_4x2" => Rate(s::semaphore_contended_4x2),
        _ => return None,
    };
    Some(w)
}

fn main() {
    compare_harness::run("tokio_compare", lookup);
}
