//! actor_latency and actor_throughput_8 with crossbeam-channel 0.5.6, shaped like
//! tokio_compare's (sync_workloads.rs): an actor owns the map and answers get/set commands;
//! clients send one command at a time and wait for the reply. Commands, map and checks:
//! compare_harness::actor.
//!
//! crossbeam-channel blocks, so the actor and each client are `spawn_blocking` closures on
//! Tokio's blocking pool (1 + clients threads); the block_on body awaits their JoinHandles
//! where the Tokio peer awaits its tasks'. Channels: commands over
//! `crossbeam_channel::bounded(32)`; crossbeam has no oneshot, and its users reply through a
//! `crossbeam_channel::bounded(1)` made per request, which is what this does: the client
//! blocks in `recv()`, the actor answers with `send` (the reply channel is empty by
//! construction, so it never blocks).

use crossbeam_channel::{Receiver, Sender};
use tokio::runtime::Runtime;
use tokio::task::spawn_blocking;

use compare_harness::actor::{self, check_reply, Command, Store, COMMAND_CAPACITY};
use compare_harness::{die, join_all};

type Cmd = Command<Sender<u64>>;

fn actor(rx: Receiver<Cmd>) {
    let mut store = Store::default();
    while let Ok(cmd) = rx.recv() {
        let out = store.apply(&cmd);
        if cmd.reply.send(out).is_err() {
            die("actor: client dropped its reply receiver");
        }
    }
}

fn actor_client(tx: Sender<Cmd>, id: u64, n: u64) -> u64 {
    for i in 0..n {
        let (reply_tx, reply_rx) = crossbeam_channel::bounded::<u64>(1);
        if tx.send(Command::new(id, i, reply_tx)).is_err() {
            die("actor client: actor gone");
        }
        let r = reply_rx
            .recv()
            .unwrap_or_else(|_| die("actor client: reply sender dropped"));
        check_reply(i, r);
    }
    n
}

fn run_actor(rt: &Runtime, clients: u64, n: u64) -> u64 {
    let per = actor::per_client(clients, n);
    let total = rt.block_on(async move {
        let (tx, rx) = crossbeam_channel::bounded::<Cmd>(COMMAND_CAPACITY);
        let act = spawn_blocking(move || actor(rx));
        let handles = (0..clients)
            .map(|c| {
                let tx = tx.clone();
                spawn_blocking(move || actor_client(tx, c, per))
            })
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
