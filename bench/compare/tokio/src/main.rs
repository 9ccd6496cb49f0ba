//! Tokio peer for sluice's side-by-side comparison (`bench/compare/run`).
//!
//! Usage: tokio_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
//! Prints exactly one line on stdout: `RESULT <workload> <flavour> <ops_per_sec>`
//! (or `... n/a` for a workload this peer does not implement).
//!
//! Protocol shared by all three peers (see bench/compare/README.md):
//!   * one warm-up run at max(N/10, 1), untimed;
//!   * R timed runs at N (default R = 3), each timed around the whole workload
//!     call from the main thread;
//!   * the reported figure is the MEDIAN of the R runs' ops/s.
//!
//! Adding a workload: write `fn name(rt: &Runtime, n: u64) -> u64` that does the
//! work and returns the number of operations performed, then add one arm to
//! `lookup`. Unknown names print `n/a`.

use std::future::Future;
use std::hint::black_box;
use std::pin::{pin, Pin};
use std::task::Poll;
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Runtime};

type Workload = fn(&Runtime, u64) -> u64;

fn lookup(name: &str) -> Option<Workload> {
    match name {
        "spawn_join" => Some(spawn_join),
        "yield_pingpong" => Some(yield_pingpong),
        "timer_insert_cancel" => Some(timer_insert_cancel),
        "block_on_overhead" => Some(block_on_overhead),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Workloads. Each returns the number of operations it performed.
// ---------------------------------------------------------------------------

/// Spawn n tasks returning their index, await every JoinHandle in order, check the sum.
fn spawn_join(rt: &Runtime, n: u64) -> u64 {
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
fn yield_pingpong(rt: &Runtime, n: u64) -> u64 {
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
fn timer_insert_cancel(rt: &Runtime, n: u64) -> u64 {
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
    assert_eq!(pending, n, "timer_insert_cancel: a 1 s sleep completed early");
    n
}

/// Polls `f` exactly once; resolves to true if it was pending.
fn poll_once<F: Future>(mut f: Pin<&mut F>) -> impl Future<Output = bool> + '_ {
    std::future::poll_fn(move |cx| Poll::Ready(f.as_mut().poll(cx).is_pending()))
}

/// n times `rt.block_on(async { 1u64 })` from the main thread.
fn block_on_overhead(rt: &Runtime, n: u64) -> u64 {
    let mut sum = 0u64;
    for _ in 0..n {
        sum += rt.block_on(async { black_box(1u64) });
    }
    assert_eq!(sum, n);
    n
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
        _ => 1_000_000,
    }
}

fn usage() -> ! {
    eprintln!("usage: tokio_compare --workload NAME --flavour mt|ct [--n N] [--reps R]");
    std::process::exit(2);
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
    let Some(f) = lookup(&workload) else {
        println!("RESULT {workload} {flavour} n/a");
        return;
    };
    let n = n.unwrap_or_else(|| default_n(&workload)).max(1);
    let reps = reps.max(1);

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
}
