//! actor_latency and actor_throughput_8 with flume 0.10.14, shaped exactly like
//! tokio_compare's (sync_workloads.rs): an actor task owns the map and answers get/set
//! commands; clients send one command at a time and await the reply. Commands, map and checks:
//! compare_harness::actor.
//!
//! Channels: commands over `flume::bounded(32)` (`send_async` / `recv_async`). flume has no
//! oneshot; its users reply through a `flume::bounded(1)` made per request, which is what this
//! does: the client awaits `recv_async()`, the actor answers with `try_send` (the reply channel
//! is empty by construction, so it never waits; like oneshot::Sender::send it is a plain call).

use flume::{Receiver, Sender};
use tokio::runtime::Runtime;

use compare_harness::actor::{self, check_reply, Command, Store, COMMAND_CAPACITY};
use compare_harness::{die, join_all};

type Cmd = Command<Sender<u64>>;

async fn actor(rx: Receiver<Cmd>) {
    let mut store = Store::default();
    while let Ok(cmd) = rx.recv_async().await {
        let out = store.apply(&cmd);
        if cmd.reply.try_send(out).is_err() {
            die("actor: client dropped its reply receiver");
        }
    }
}

async fn actor_client(tx: Sender<Cmd>, id: u64, n: u64) -> u64 {
    for i in 0..n {
        let (reply_tx, reply_rx) = flume::bounded::<u64>(1);
        if tx.send_async(Command::new(id, i, reply_tx)).await.is_err() {
            die("actor client: actor gone");
        }
        let r = reply_rx
            .recv_async()
            .await
            .unwrap_or_else(|_| die("actor client: reply sender dropped"));
        check_reply(i, r);
    }
    n
}

fn run_actor(rt: &Runtime, clients: u64, n: u64) -> u64 {
    let per = actor::per_client(clients, n);
    let total = rt.block_on(async move {
        let (tx, rx) = flume::bounded::<Cmd>(COMMAND_CAPACITY);
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
