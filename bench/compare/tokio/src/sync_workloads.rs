//! Sync workloads (issue 4). Harness and protocol: main.rs. Same shapes as the sluice peer's
//! sync_workloads.cpp:
//!
//!   actor_latency, actor_throughput_8   a task owning a HashMap answers get/set commands sent
//!                                       over mpsc(32), each carrying a oneshot reply sender
//!   broadcast_1x4                       1 sender task -> broadcast(1024) -> 4 receiver tasks,
//!                                       in chunks of 512 acknowledged by all 4 (never lags)
//!   watch_4                             1 sender task does n send(i); 4 receiver tasks loop on
//!                                       changed() + borrow() until they see the last value
//!   mutex_uncontended, mutex_contended  lock / increment / unlock of a tokio::sync::Mutex<u64>
//!   semaphore_acquire_release,          acquire() / drop of a Semaphore(1) by one task,
//!   semaphore_contended_4x2             or of a Semaphore(2) by four tasks

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::runtime::Runtime;
use tokio::sync::{broadcast, mpsc, oneshot, watch, Mutex, Semaphore};

use compare_harness::actor::{self, check_reply, Command, Store, COMMAND_CAPACITY};
use compare_harness::{die, join_all};

// ---------------------------------------------------------------------------
// Actor: the Tokio tutorial's manager task; the commands, the map (std HashMap, SipHash) and
// the checks are compare_harness::actor. Commands over mpsc::channel(32), each carrying a
// oneshot reply sender.
// ---------------------------------------------------------------------------

type Cmd = Command<oneshot::Sender<u64>>;

async fn actor(mut rx: mpsc::Receiver<Cmd>) {
    let mut store = Store::default();
    while let Some(cmd) = rx.recv().await {
        let out = store.apply(&cmd);
        if cmd.reply.send(out).is_err() {
            die("actor: client dropped its reply receiver");
        }
    }
}

async fn actor_client(tx: mpsc::Sender<Cmd>, id: u64, n: u64) -> u64 {
    for i in 0..n {
        let (reply_tx, reply_rx) = oneshot::channel::<u64>();
        if tx.send(Command::new(id, i, reply_tx)).await.is_err() {
            die("actor client: actor gone");
        }
        let r = reply_rx
            .await
            .unwrap_or_else(|_| die("actor client: reply sender dropped"));
        check_reply(i, r);
    }
    n
}

fn run_actor(rt: &Runtime, clients: u64, n: u64) -> u64 {
    let per = actor::per_client(clients, n);
    let total = rt.block_on(async move {
        let (tx, rx) = mpsc::channel::<Cmd>(COMMAND_CAPACITY);
        let act = tokio::spawn(actor(rx));
        let handles = (0..clients)
            .map(|c| tokio::spawn(actor_client(tx.clone(), c, per)))
            .collect();
        drop(tx); // the actor stops once every client is done
        let total = join_all(handles).await;
        act.await.unwrap_or_else(|_| die("actor task failed"));
        total
    });
    actor::check_total(total, per, clients)
}

pub fn actor_latency(rt: &Runtime, n: u64) -> u64 {
    run_actor(rt, 1, n)
}

pub fn actor_throughput_8(rt: &Runtime, n: u64) -> u64 {
    run_actor(rt, actor::THROUGHPUT_CLIENTS, n)
}

// ---------------------------------------------------------------------------
// broadcast_1x4: values 0..n-1 in chunks of 512; each receiver acknowledges the last value of
// a chunk over an mpsc, and the sender starts the next chunk after 4 acks. At most 512 values
// are ever in a ring of 1024, so Lagged is a bug. ops = 4n deliveries.
// ---------------------------------------------------------------------------

const CHUNK: u64 = 512;
const RING: usize = 1024;
const BCAST_RECEIVERS: u64 = 4;

async fn bcast_sender(tx: broadcast::Sender<u64>, mut acks: mpsc::Receiver<u64>, n: u64) -> u64 {
    let mut start = 0;
    while start < n {
        let end = n.min(start + CHUNK);
        for i in start..end {
            match tx.send(i) {
                Ok(r) if r as u64 == BCAST_RECEIVERS => {}
                _ => die("broadcast: send did not reach 4 receivers"),
            }
        }
        for _ in 0..BCAST_RECEIVERS {
            match acks.recv().await {
                Some(a) if a == end - 1 => {}
                _ => die("broadcast: bad acknowledgement"),
            }
        }
        start += CHUNK;
    }
    0
}

async fn bcast_receiver(mut rx: broadcast::Receiver<u64>, acks: mpsc::Sender<u64>, n: u64) -> u64 {
    for i in 0..n {
        let v = match rx.recv().await {
            Ok(v) => v,
            Err(broadcast::error::RecvError::Lagged(_)) => die("broadcast: receiver lagged"),
            Err(broadcast::error::RecvError::Closed) => die("broadcast: closed early"),
        };
        if v != i {
            die("broadcast: values out of order");
        }
        if (i + 1) % CHUNK == 0 || i + 1 == n {
            if acks.send(i).await.is_err() {
                die("broadcast: sender gone");
            }
        }
    }
    n
}

pub fn broadcast_1x4(rt: &Runtime, n: u64) -> u64 {
    let total = rt.block_on(async move {
        let (tx, rx) = broadcast::channel::<u64>(RING);
        let (ack_tx, ack_rx) = mpsc::channel::<u64>(BCAST_RECEIVERS as usize);
        let mut handles = vec![tokio::spawn(bcast_receiver(rx, ack_tx.clone(), n))];
        for _ in 1..BCAST_RECEIVERS {
            handles.push(tokio::spawn(bcast_receiver(
                tx.subscribe(),
                ack_tx.clone(),
                n,
            )));
        }
        drop(ack_tx);
        handles.push(tokio::spawn(bcast_sender(tx, ack_rx, n)));
        join_all(handles).await
    });
    if total != BCAST_RECEIVERS * n {
        die("broadcast: wrong count");
    }
    total
}

// ---------------------------------------------------------------------------
// watch_4: the sender task does send(1) .. send(n); each receiver loops on changed() and
// borrow(), checks the values never decrease, and stops at n. ops = n sends.
// ---------------------------------------------------------------------------

const WATCH_RECEIVERS: u64 = 4;

async fn watch_receiver(mut rx: watch::Receiver<u64>, n: u64) -> u64 {
    let mut last = 0;
    while last != n {
        if rx.changed().await.is_err() {
            die("watch: closed before the last value was seen");
        }
        let v = *rx.borrow();
        // Equal is fine: borrow() may have read past the version changed() marked seen.
        if v < last {
            die("watch: value went backwards");
        }
        last = v;
    }
    1
}

pub fn watch_4(rt: &Runtime, n: u64) -> u64 {
    let done = rt.block_on(async move {
        let (tx, rx) = watch::channel(0u64);
        let mut handles = Vec::new();
        for _ in 1..WATCH_RECEIVERS {
            handles.push(tokio::spawn(watch_receiver(rx.clone(), n)));
        }
        handles.push(tokio::spawn(watch_receiver(rx, n)));
        handles.push(tokio::spawn(async move {
            for i in 1..=n {
                if tx.send(i).is_err() {
                    die("watch: every receiver gone");
                }
            }
            0
        }));
        join_all(handles).await
    });
    if done != WATCH_RECEIVERS {
        die("watch: a receiver did not finish");
    }
    n
}

// ---------------------------------------------------------------------------
// Mutex: `tasks` tasks each lock / increment / unlock n / tasks times.
// ---------------------------------------------------------------------------

async fn mutex_worker(m: Arc<Mutex<u64>>, n: u64) -> u64 {
    for _ in 0..n {
        let mut guard = m.lock().await;
        *guard += 1;
    }
    n
}

fn run_mutex(rt: &Runtime, tasks: u64, n: u64) -> u64 {
    let per = (n / tasks).max(1);
    rt.block_on(async move {
        let m = Arc::new(Mutex::new(0u64));
        let handles = (0..tasks)
            .map(|_| tokio::spawn(mutex_worker(m.clone(), per)))
            .collect();
        let total = join_all(handles).await;
        if total != tasks * per || *m.lock().await != total {
            die("mutex: lost an increment");
        }
        total
    })
}

pub fn mutex_uncontended(rt: &Runtime, n: u64) -> u64 {
    run_mutex(rt, 1, n)
}

pub fn mutex_contended(rt: &Runtime, n: u64) -> u64 {
    run_mutex(rt, 4, n)
}

// ---------------------------------------------------------------------------
// Semaphore: `tasks` tasks each acquire() / release n / tasks times; a counter of holders
// checks the semaphore never lets more than `permits` in.
// ---------------------------------------------------------------------------

struct SemState {
    sem: Semaphore,
    inside: AtomicU64,
    limit: u64,
}

async fn sem_worker(s: Arc<SemState>, n: u64) -> u64 {
    for _ in 0..n {
        let _permit = s
            .sem
            .acquire()
            .await
            .unwrap_or_else(|_| die("semaphore: closed"));
        if s.inside.fetch_add(1, Ordering::Relaxed) >= s.limit {
            die("semaphore: too many holders");
        }
        s.inside.fetch_sub(1, Ordering::Relaxed);
    }
    n
}

fn run_sem(rt: &Runtime, permits: usize, tasks: u64, n: u64) -> u64 {
    let per = (n / tasks).max(1);
    let total = rt.block_on(async move {
        let s = Arc::new(SemState {
            sem: Semaphore::new(permits),
            inside: AtomicU64::new(0),
            limit: permits as u64,
        });
        let handles = (0..tasks)
            .map(|_| tokio::spawn(sem_worker(s.clone(), per)))
            .collect();
        let total = join_all(handles).await;
        if s.sem.available_permits() != permits {
            die("semaphore: permits leaked");
        }
        total
    });
    if total != per * tasks {
        die("semaphore: wrong count");
    }
    total
}

pub fn semaphore_acquire_release(rt: &Runtime, n: u64) -> u64 {
    run_sem(rt, 1, 1, n)
}

pub fn semaphore_contended_4x2(rt: &Runtime, n: u64) -> u64 {
    run_sem(rt, 2, 4, n)
}
