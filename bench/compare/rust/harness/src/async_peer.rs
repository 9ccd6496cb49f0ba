//! The whole of an async channel peer (flume, async-channel): the @mpsc workloads, the actor
//! workloads and the `lookup` table, written once and instantiated per crate with
//! [`async_channel_peer!`](crate::async_channel_peer). Both crates have the same shape —
//! `krate::{bounded, unbounded, Sender, Receiver}`, an awaited send, a send that never waits,
//! an awaited recv that errs once every sender is gone, `try_recv` and `try_send` — and differ
//! only in method names, so the shapes (exactly tokio_compare's) cannot drift apart.
//!
//! ```ignore
//! compare_harness::async_channel_peer! {
//!     krate: flume, name: "flume", send: send_async, send_now: send, recv: recv_async
//! }
//! fn main() { compare_harness::run("flume_compare", lookup); }
//! ```
//!
//! - `send`: the awaited send of a bounded channel (`tx.$send(v).await`);
//! - `send_now`: the call that never waits on an unbounded channel, like Tokio's
//!   `UnboundedSender::send` (flume `send`, async-channel `try_send`);
//! - `recv`: the awaited receive (`rx.$recv().await`, `Err` once every sender is gone).
//!
//! The actor replies through the same crate's `bounded(1)` made per request (neither crate has
//! a oneshot): the client awaits `$recv`, the actor answers with `try_send`, which never waits
//! because the reply channel is empty by construction.

/// Defines the @mpsc and actor workload functions and `fn lookup(&str) -> Option<Entry>` for an
/// async channel crate (see the module documentation).
#[macro_export]
macro_rules! async_channel_peer {
    (krate: $krate:ident, name: $name:literal, send: $send:ident, send_now: $send_now:ident,
     recv: $recv:ident) => {
        use $crate::mpsc::{
            iterate, memory_baseline, memory_finish, OrderCheck, BIG_CAPACITY, FULL_CAPACITY,
            ID_SHIFT, ITER_SUM, PER_ITER, PER_TASK, TASKS, UNCONTENDED_SUM,
        };
        use $crate::{die, Runtime};

        // ---- @mpsc: producer/consumer tasks, as tokio_compare's mpsc_workloads.rs ----------

        async fn produce(tx: $krate::Sender<u64>, base: u64, n: u64) {
            for i in 0..n {
                if tx.$send(base | i).await.is_err() {
                    die("mpsc producer: receiver gone");
                }
            }
        }

        async fn consume(rx: $krate::Receiver<u64>, producers: u64) -> u64 {
            let mut check = OrderCheck::new(producers);
            while let Ok(v) = rx.$recv().await {
                check.see(v);
            }
            check.count
        }

        fn run_bounded(rt: &Runtime, capacity: usize, producers: u64, n: u64) -> u64 {
            let per = n / producers;
            let got = rt.block_on(async move {
                let (tx, rx) = $krate::bounded::<u64>(capacity);
                let prod: Vec<_> = (0..producers)
                    .map(|p| ::tokio::spawn(produce(tx.clone(), p << ID_SHIFT, per)))
                    .collect();
                drop(tx); // only the producers hold senders now
                let cons = ::tokio::spawn(consume(rx, producers));
                for h in prod {
                    h.await.unwrap_or_else(|_| die("mpsc: producer task failed"));
                }
                cons.await.unwrap_or_else(|_| die("mpsc: consumer task failed"))
            });
            if got != per * producers {
                die("mpsc: wrong message count");
            }
            got
        }

        fn mpsc_spsc_1(rt: &Runtime, n: u64) -> u64 {
            run_bounded(rt, 1, 1, n)
        }

        fn mpsc_spsc_1024(rt: &Runtime, n: u64) -> u64 {
            run_bounded(rt, 1024, 1, n)
        }

        fn mpsc_mpsc_4x128(rt: &Runtime, n: u64) -> u64 {
            run_bounded(rt, 128, 4, n)
        }

        fn mpsc_unbounded_spsc(rt: &Runtime, n: u64) -> u64 {
            let got = rt.block_on(async move {
                let (tx, rx) = $krate::unbounded::<u64>();
                let prod = ::tokio::spawn(async move {
                    for i in 0..n {
                        if tx.$send_now(i).is_err() {
                            die("mpsc unbounded producer: receiver gone");
                        }
                    }
                });
                let cons = ::tokio::spawn(consume(rx, 1));
                prod.await
                    .unwrap_or_else(|_| die("mpsc_unbounded_spsc: producer task failed"));
                cons.await
                    .unwrap_or_else(|_| die("mpsc_unbounded_spsc: consumer task failed"))
            });
            if got != n {
                die("mpsc_unbounded_spsc: wrong message count");
            }
            n
        }

        // ---- Tokio's benches/sync_mpsc.rs shapes: one iteration = one block_on whose body
        // receives 5000 messages (constants and `iterate` in compare_harness::mpsc) ----------

        async fn recv_sum(rx: &$krate::Receiver<u64>) -> u64 {
            let mut sum = 0;
            for _ in 0..PER_ITER {
                sum += rx
                    .$recv()
                    .await
                    .unwrap_or_else(|_| die("mpsc: channel closed early"));
            }
            sum
        }

        async fn contention_bounded_iter(capacity: usize) -> u64 {
            let (tx, rx) = $krate::bounded::<u64>(capacity);
            for _ in 0..TASKS {
                let tx = tx.clone();
                ::tokio::spawn(async move {
                    for i in 0..PER_TASK {
                        if tx.$send(i).await.is_err() {
                            die("contention: receiver gone");
                        }
                    }
                }); // not joined, as in Tokio's bench
            }
            recv_sum(&rx).await
        }

        async fn contention_unbounded_iter() -> u64 {
            let (tx, rx) = $krate::unbounded::<u64>();
            for _ in 0..TASKS {
                let tx = tx.clone();
                ::tokio::spawn(async move {
                    for i in 0..PER_TASK {
                        if tx.$send_now(i).is_err() {
                            die("contention: receiver gone");
                        }
                    }
                });
            }
            recv_sum(&rx).await
        }

        async fn uncontended_bounded_iter() -> u64 {
            let (tx, rx) = $krate::bounded::<u64>(BIG_CAPACITY);
            for i in 0..PER_ITER {
                if tx.$send(i).await.is_err() {
                    die("uncontended_bounded: receiver gone");
                }
            }
            recv_sum(&rx).await
        }

        async fn uncontended_unbounded_iter() -> u64 {
            let (tx, rx) = $krate::unbounded::<u64>();
            for i in 0..PER_ITER {
                if tx.$send_now(i).is_err() {
                    die("uncontended_unbounded: receiver gone");
                }
            }
            recv_sum(&rx).await
        }

        fn contention_bounded(rt: &Runtime, n: u64) -> u64 {
            iterate(rt, n, ITER_SUM, || contention_bounded_iter(BIG_CAPACITY))
        }

        fn contention_bounded_full(rt: &Runtime, n: u64) -> u64 {
            iterate(rt, n, ITER_SUM, || contention_bounded_iter(FULL_CAPACITY))
        }

        fn contention_unbounded(rt: &Runtime, n: u64) -> u64 {
            iterate(rt, n, ITER_SUM, contention_unbounded_iter)
        }

        fn uncontended_bounded(rt: &Runtime, n: u64) -> u64 {
            iterate(rt, n, UNCONTENDED_SUM, uncontended_bounded_iter)
        }

        fn uncontended_unbounded(rt: &Runtime, n: u64) -> u64 {
            iterate(rt, n, UNCONTENDED_SUM, uncontended_unbounded_iter)
        }

        // ---- Memory: n queued u64 (memory_baseline / memory_finish in compare_harness::mpsc) --

        fn mpsc_memory(rt: &Runtime, n: u64) -> u64 {
            rt.block_on(async move {
                let base = memory_baseline();
                let (tx, rx) = $krate::bounded::<u64>(n as usize);
                for i in 0..n {
                    if tx.$send(i).await.is_err() {
                        die("mpsc_memory: receiver gone");
                    }
                }
                memory_finish(base, n, || rx.try_recv().ok())
            })
        }

        fn mpsc_memory_unbounded(rt: &Runtime, n: u64) -> u64 {
            rt.block_on(async move {
                let base = memory_baseline();
                let (tx, rx) = $krate::unbounded::<u64>();
                for i in 0..n {
                    if tx.$send_now(i).is_err() {
                        die("mpsc_memory_unbounded: receiver gone");
                    }
                }
                memory_finish(base, n, || rx.try_recv().ok())
            })
        }

        // ---- actor_latency / actor_throughput_8, as tokio_compare's sync_workloads.rs --------

        type Cmd = $crate::actor::Command<$krate::Sender<u64>>;

        async fn actor(rx: $krate::Receiver<Cmd>) {
            let mut store = $crate::actor::Store::default();
            while let Ok(cmd) = rx.$recv().await {
                let out = store.apply(&cmd);
                if cmd.reply.try_send(out).is_err() {
                    die("actor: client dropped its reply receiver");
                }
            }
        }

        async fn actor_client(tx: $krate::Sender<Cmd>, id: u64, n: u64) -> u64 {
            for i in 0..n {
                let (reply_tx, reply_rx) = $krate::bounded::<u64>(1);
                if tx
                    .$send($crate::actor::Command::new(id, i, reply_tx))
                    .await
                    .is_err()
                {
                    die("actor client: actor gone");
                }
                let r = reply_rx
                    .$recv()
                    .await
                    .unwrap_or_else(|_| die("actor client: reply sender dropped"));
                $crate::actor::check_reply(i, r);
            }
            n
        }

        fn run_actor(rt: &Runtime, clients: u64, n: u64) -> u64 {
            let per = $crate::actor::per_client(clients, n);
            let total = rt.block_on(async move {
                let (tx, rx) = $krate::bounded::<Cmd>($crate::actor::COMMAND_CAPACITY);
                let act = ::tokio::spawn(actor(rx));
                let handles = (0..clients)
                    .map(|c| ::tokio::spawn(actor_client(tx.clone(), c, per)))
                    .collect();
                drop(tx); // the actor stops once every client is done
                let total = $crate::join_all(handles).await;
                act.await.unwrap_or_else(|_| die("actor task failed"));
                total
            });
            $crate::actor::check_total(total, per, clients)
        }

        fn actor_latency(rt: &Runtime, n: u64) -> u64 {
            run_actor(rt, 1, n)
        }

        fn actor_throughput_8(rt: &Runtime, n: u64) -> u64 {
            run_actor(rt, $crate::actor::THROUGHPUT_CLIENTS, n)
        }

        // ---- the table -------------------------------------------------------------------

        $crate::channel_peer_lookup!($name);
    };
}

/// Defines `fn lookup(&str) -> Option<Entry>` for a channel-crate peer: the @mpsc workloads and
/// the two actor workloads, found by name at the call site (`mpsc_spsc_1`, ...,
/// `actor_throughput_8` must be in scope), everything else n/a with the reason from
/// [`channel_crate_not_applicable`](crate::channel_crate_not_applicable). Used by
/// [`async_channel_peer!`](crate::async_channel_peer) and by crossbeam_compare.
#[macro_export]
macro_rules! channel_peer_lookup {
    ($name:literal) => {
        fn lookup(name: &str) -> Option<$crate::Entry> {
            use $crate::Entry::{Memory, Rate};
            let w = match name {
                "mpsc_spsc_1" => Rate(mpsc_spsc_1),
                "mpsc_spsc_1024" => Rate(mpsc_spsc_1024),
                "mpsc_mpsc_4x128" => Rate(mpsc_mpsc_4x128),
                "mpsc_unbounded_spsc" => Rate(mpsc_unbounded_spsc),
                "contention_bounded" => Rate(contention_bounded),
                "contention_bounded_full" => Rate(contention_bounded_full),
                "contention_unbounded" => Rate(contention_unbounded),
                "uncontended_bounded" => Rate(uncontended_bounded),
                "uncontended_unbounded" => Rate(uncontended_unbounded),
                "mpsc_memory" => Memory(mpsc_memory),
                "mpsc_memory_unbounded" => Memory(mpsc_memory_unbounded),
                "actor_latency" => Rate(actor_latency),
                "actor_throughput_8" => Rate(actor_throughput_8),
                _ => return $crate::channel_crate_not_applicable($name, name),
            };
            Some(w)
        }
    };
}
