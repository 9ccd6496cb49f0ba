//! The harness shared by the Rust peers of sluice's side-by-side comparison
//! (`bench/compare/run`): tokio_compare, flume_compare, crossbeam_compare and
//! async_channel_compare. Each peer's `main` is one call to [`run`] with its program name and
//! its workload table; everything else about the protocol lives here, once.
//!
//! Usage of every peer: `<peer> --workload NAME --flavour mt|ct [--n N] [--reps R]`.
//! Prints exactly one line on stdout: `RESULT <workload> <flavour> <value|n/a>`, possibly
//! followed by `EXTRA <workload> <flavour> key=value` lines.
//!
//! Protocol shared by all peers (see bench/compare/README.md):
//!   * `mt` = Tokio multi-thread runtime with exactly 2 workers, `ct` = current-thread runtime;
//!     one runtime per process, time driver enabled;
//!   * rate workloads: one warm-up run at max(N/10, 1), untimed; R timed runs at N
//!     (default R = 3), each timed around the whole workload call from the main thread;
//!     the value is the MEDIAN of the R runs' ops/s;
//!   * memory workloads: one run in this fresh process (no warm-up: it would pre-grow the
//!     heap), ct only (mt answers n/a); the value is bytes, lower is better;
//!   * a wrong answer exits non-zero via [`die`]; a workload the peer cannot express answers
//!     `n/a` with the reason on stderr.
//!
//! Modules: [`mpsc`] (order checks, Tokio's sync_mpsc.rs iteration shape, the memory
//! measurement) and [`actor`] (the actor workloads' commands and map), so that every peer
//! checks exactly what the Tokio peer checks.

pub mod actor;
pub mod async_peer;
pub mod mpsc;

use std::hint::black_box;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

pub use tokio::runtime::Runtime;
use tokio::runtime::Builder;

/// A workload: runs on the peer's runtime with size n and returns the operations it did
/// (rate workloads) or the bytes it measured (memory workloads).
pub type WorkloadFn = fn(&Runtime, u64) -> u64;

/// What a peer does for one workload name.
pub enum Entry {
    /// Warm-up + R timed runs; the function returns ops; printed as ops/s.
    Rate(WorkloadFn),
    /// One run in a fresh process, ct only; the function returns bytes (lower is better).
    Memory(WorkloadFn),
    /// The peer has no equivalent: `RESULT ... n/a`, this reason on stderr.
    NotApplicable(String),
}

static PROGRAM: OnceLock<&'static str> = OnceLock::new();

fn program() -> &'static str {
    PROGRAM.get().copied().unwrap_or("compare")
}

/// Prints `<program>: <what>` on stderr and exits 1: a wrong answer must show as `err`,
/// never as a fast number. (A panic inside a detached task would be swallowed by Tokio.)
pub fn die(what: &str) -> ! {
    eprintln!("{}: {what}", program());
    std::process::exit(1);
}

static EXTRAS: Mutex<Vec<(String, i64)>> = Mutex::new(Vec::new());

/// One `EXTRA <workload> <flavour> key=value` line, printed after the RESULT line.
pub fn report_extra(key: &str, value: i64) {
    EXTRAS.lock().unwrap().push((key.to_string(), value));
}

fn print_extras(workload: &str, flavour: &str) {
    for (key, value) in EXTRAS.lock().unwrap().iter() {
        println!("EXTRA {workload} {flavour} {key}={value}");
    }
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

/// The answer of a channel-crate peer (flume, crossbeam-channel, async-channel) for the rows
/// that are not about an mpsc channel: `Some(NotApplicable)` with the reason, or `None` if
/// `name` is not one of them. `krate` is the crate's name as the reason should say it.
pub fn channel_crate_not_applicable(krate: &str, name: &str) -> Option<Entry> {
    let why = match name {
        "spawn_join" | "yield_pingpong" | "timer_insert_cancel" | "block_on_overhead" => format!(
            "a runtime workload, not a channel one; {krate} runs on Tokio's runtimes here, so \
             the tokio column is the answer"
        ),
        "broadcast_1x4" => format!("{krate} has no broadcast channel"),
        "watch_4" => format!("{krate} has no watch channel"),
        "mutex_uncontended" | "mutex_contended" => format!("{krate} has no mutex"),
        "semaphore_acquire_release" | "semaphore_contended_4x2" => {
            format!("{krate} has no semaphore")
        }
        _ => return None,
    };
    Some(Entry::NotApplicable(why))
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

/// N when `--n` is not given (the same defaults as `run`'s WORKLOADS).
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
    eprintln!(
        "usage: {} --workload NAME --flavour mt|ct [--n N] [--reps R]",
        program()
    );
    std::process::exit(2);
}

/// The whole program: parses the command line, looks the workload up in `lookup` (None =
/// unknown name, answered n/a), runs it per the protocol above and prints the RESULT and
/// EXTRA lines. `program` names the binary in messages (`tokio_compare`, ...).
pub fn run(program: &'static str, lookup: impl Fn(&str) -> Option<Entry>) {
    let _ = PROGRAM.set(program);
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
    let (f, memory) = match lookup(&workload) {
        Some(Entry::Rate(f)) => (f, false),
        Some(Entry::Memory(f)) => (f, true),
        Some(Entry::NotApplicable(why)) => {
            eprintln!("{program}: {workload}: n/a: {why}");
            println!("RESULT {workload} {flavour} n/a");
            return;
        }
        None => {
            eprintln!("{program}: no workload named {workload:?}");
            println!("RESULT {workload} {flavour} n/a");
            return;
        }
    };
    let n = n.unwrap_or_else(|| default_n(&workload)).max(1);
    let reps = reps.max(1);

    if memory {
        if flavour == "mt" {
            eprintln!("{program}: {workload} is measured on ct only");
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
