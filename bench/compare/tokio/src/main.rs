//! Tokio peer for sluice's side-by-side comparison (`bench/compare/run`): the harness.
//!
//! Usage: tokio_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
//! Prints exactly one line on stdout: `RESULT <workload> <flavour> <value|n/a>`, possibly
//! followed by `EXTRA <workload> <flavour> key=value` lines.
//!
//! Protocol shared by all three peers (see bench/compare/README.md):
//!   * rate workloads: one warm-up run at max(N/10, 1), untimed; R timed runs at N
//!     (default R = 3), each timed around the whole workload call from the main thread;
//!     the value is the MEDIAN of the R runs' ops/s;
//!   * memory workloads: one run in this fresh process (no warm-up: it would pre-grow the
//!     heap), ct only (mt answers n/a); the value is bytes, lower is better.
//!
//! Workloads live in runtime_workloads.rs, mpsc_workloads.rs and sync_workloads.rs; adding
//! one = `pub fn name(rt: &Runtime, n: u64) -> u64` plus one arm in `lookup`. Unknown names
//! print `n/a`.

mod mpsc_workloads;
mod runtime_workloads;
mod sync_workloads;

use std::hint::black_box;
use std::sync::Mutex;
use std::time::Instant;

use tokio::runtime::{Builder, Runtime};

type Workload = fn(&Runtime, u64) -> u64;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Warm-up + R timed runs; returns ops; printed as ops/s.
    Rate,
    /// One run in a fresh process, ct only; returns bytes (lower is better).
    Memory,
}

fn lookup(name: &str) -> Option<(Workload, Kind)> {
    use mpsc_workloads as m;
    use runtime_workloads as r;
    use sync_workloads as s;
    use Kind::*;
    let w: (Workload, Kind) = match name {
        "spawn_join" => (r::spawn_join, Rate),
        "yield_pingpong" => (r::yield_pingpong, Rate),
        "timer_insert_cancel" => (r::timer_insert_cancel, Rate),
        "block_on_overhead" => (r::block_on_overhead, Rate),
        "mpsc_spsc_1" => (m::mpsc_spsc_1, Rate),
        "mpsc_spsc_1024" => (m::mpsc_spsc_1024, Rate),
        "mpsc_mpsc_4x128" => (m::mpsc_mpsc_4x128, Rate),
        "mpsc_unbounded_spsc" => (m::mpsc_unbounded_spsc, Rate),
        "contention_bounded" => (m::contention_bounded, Rate),
        "contention_bounded_full" => (m::contention_bounded_full, Rate),
        "contention_unbounded" => (m::contention_unbounded, Rate),
        "uncontended_bounded" => (m::uncontended_bounded, Rate),
        "uncontended_unbounded" => (m::uncontended_unbounded, Rate),
        "mpsc_memory" => (m::mpsc_memory, Memory),
        "mpsc_memory_unbounded" => (m::mpsc_memory_unbounded, Memory),
        "actor_latency" => (s::actor_latency, Rate),
        "actor_throughput_8" => (s::actor_throughput_8, Rate),
        "broadcast_1x4" => (s::broadcast_1x4, Rate),
        "watch_4" => (s::watch_4, Rate),
        "mutex_uncontended" => (s::mutex_uncontended, Rate),
        "mutex_contended" => (s::mutex_contended, Rate),
        "semaphore_acquire_release" => (s::semaphore_acquire_release, Rate),
        "semaphore_contended_4x2" => (s::semaphore_contended_4x2, Rate),
        _ => return None,
    };
    Some(w)
}

// ---------------------------------------------------------------------------
// Shared helpers for the workload modules.
// ---------------------------------------------------------------------------

/// Prints `tokio_compare: <what>` on stderr and exits 1: a wrong answer must show as `err`,
/// never as a fast number. (A panic inside a detached task would be swallowed by Tokio.)
pub fn die(what: &str) -> ! {
    eprintln!("tokio_compare: {what}");
    std::process::exit(1);
}

static EXTRAS: Mutex<Vec<(String, i64)>> = Mutex::new(Vec::new());

/// One `EXTRA <workload> <flavour> key=value` line, printed after the RESULT line.
pub fn report_extra(key: &str, value: i64) {
    EXTRAS.lock().unwrap().push((key.to_string(), value));
}

fn status_kib(field: &str) -> i64 {
    let status = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_else(|_| die("cannot read /proc/self/status"));
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix(field).and_then(|r| r.strip_prefix(':')) {
            let kib = rest.trim().trim_end_matches("kB").trim();
            return kib
                .parse()
                .unwrap_or_else(|_| die("bad /proc/self/status line"));
        }
    }
    die("field missing from /proc/self/status")
}

/// Resident set size in bytes (VmRSS).
pub fn rss_bytes() -> i64 {
    status_kib("VmRSS") * 1024
}

/// Peak resident set size in bytes (VmHWM).
pub fn peak_rss_bytes() -> i64 {
    status_kib("VmHWM") * 1024
}

extern "C" {
    fn malloc_trim(pad: usize) -> i32; // glibc; Rust's default allocator is glibc malloc here
}

/// Gives free heap pages back to the OS (glibc malloc_trim(0)), as the sluice peer does.
pub fn release_free_memory() {
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        malloc_trim(0);
    }
}

/// Resets VmHWM to the current RSS (`echo 5 > /proc/self/clear_refs`); false if refused.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Awaits every handle; dies if a task failed; returns the sum of their outputs.
pub async fn join_all(handles: Vec<tokio::task::JoinHandle<u64>>) -> u64 {
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap_or_else(|_| die("a task failed"));
    }
    total
}

// ---------------------------------------------------------------------------
// Harness.
// ---------------------------------------------------------------------------

fn build_runtime(flavour: &str) -> Runtime {
    match flavour {
        "mt" => Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .expect("build mt runtime"),
        "ct" => Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("build ct runtime"),
        other => {
            eprintln!("unknown flavour {other:?} (want mt|ct)");
            std::process::exit(2);
        }
    }
}

fn default_n(workload: &str) -> u64 {
    match workload {
        "spawn_join" => 100_000,
        "mpsc_spsc_1" | "mpsc_spsc_1024" | "mpsc_mpsc_4x128" | "mpsc_unbounded_spsc" => 10_000_000,
        "mutex_uncontended" | "mutex_contended" => 10_000_000,
        "semaphore_acquire_release" | "semaphore_contended_4x2" => 10_000_000,
        _ => 1_000_000,
    }
}

fn usage() -> ! {
    eprintln!("usage: tokio_compare --workload NAME --flavour mt|ct [--n N] [--reps R]");
    std::process::exit(2);
}

fn print_extras(workload: &str, flavour: &str) {
    for (key, value) in EXTRAS.lock().unwrap().iter() {
        println!("EXTRA {workload} {flavour} {key}={value}");
    }
}

fn main() {
    let mut workload: Option<String> = None;
    let mut flavour: Option<String> = None;
    let mut n: Option<u64> = None;
    let mut reps: usize = 3;

    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--workload" => workload = Some(val()),
            "--flavour" => flavour = Some(val()),
            "--n" => n = Some(val().parse().unwrap_or_else(|_| usage())),
            "--reps" => reps = val().parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    let (workload, flavour) = match (workload, flavour) {
        (Some(w), Some(f)) => (w, f),
        _ => usage(),
    };
    if flavour != "mt" && flavour != "ct" {
        usage();
    }
    let Some((f, kind)) = lookup(&workload) else {
        println!("RESULT {workload} {flavour} n/a");
        return;
    };
    let n = n.unwrap_or_else(|| default_n(&workload)).max(1);
    let reps = reps.max(1);

    if kind == Kind::Memory {
        if flavour == "mt" {
            eprintln!("tokio_compare: {workload} is measured on ct only");
            println!("RESULT {workload} {flavour} n/a");
            return;
        }
        let rt = build_runtime("ct");
        let bytes = f(&rt, n);
        println!("RESULT {workload} {flavour} {bytes}");
        print_extras(&workload, &flavour);
        return;
    }

    let rt = build_runtime(&flavour);
    black_box(f(&rt, (n / 10).max(1))); // warm-up

    let mut rates = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t0 = Instant::now();
        let ops = f(&rt, n);
        let dt = t0.elapsed().as_secs_f64();
        rates.push(ops as f64 / dt);
    }
    rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = rates[rates.len() / 2];
    println!("RESULT {workload} {flavour} {median:.0}");
    print_extras(&workload, &flavour);
}
