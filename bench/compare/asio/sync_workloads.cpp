// Asio peer, sync workloads (bench/compare/run, issue 4). Harness and protocol: main.cpp.
// Asio has none of Tokio's sync primitives; each is emulated with channels the way an Asio
// user would (README.md):
//
//   actor_latency, actor_throughput_8   a coroutine owning a hash map answers get/set commands
//                                       sent over channel(32); the oneshot reply is a
//                                       capacity-1 channel per request (shared_ptr in the
//                                       command); the actor stops when the body close()s
//   broadcast_1x4                       one channel(1024) per receiver (as Go does); the sender
//                                       try_send()s each value to all 4 (a full channel would be
//                                       Tokio's Lagged, an error); chunks of 512 acknowledged by
//                                       all 4 over channel(4)
//   watch_4                             the value in an atomic + one capacity-1 signal channel
//                                       per receiver: send = store + try_send on each (a full
//                                       one already has a wake-up pending: coalesced, like
//                                       watch's version); changed() = async_receive
//   mutex_uncontended, mutex_contended  a channel of capacity 1 as the lock (as Go does with
//                                       chan struct{}): lock = co_await async_send, unlock =
//                                       try_receive
//   semaphore_acquire_release,          the same with capacity 1 or 2 (permits)
//   semaphore_contended_4x2
//
// Every workload checks what it saw and dies on a wrong answer.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <utility>

#include "compare.hpp"

namespace {

using namespace compare;

// ---------------------------------------------------------------------------
// Actor: the Tokio tutorial's manager task, with u64 keys and values.
// Client `id`, round trip i: even i sets key (id, i/2 % 1024) to i, odd i gets it back and
// checks it is i - 1. The map stays at <= 1024 keys per client.
// ---------------------------------------------------------------------------

constexpr u64 kMissing = ~u64{0};

/// The oneshot emulation: a channel with room for the one reply, so the actor's try_send
/// never waits whether or not the client is already waiting.
template <class F>
using ReplyChannel = U64Channel<F>;

template <class F>
struct Command {
  bool set = false;
  u64 key = 0;
  u64 value = 0;
  /// Shared: the actor may still be inside try_send when the client, woken, drops its end.
  std::shared_ptr<ReplyChannel<F>> reply;
};

template <class F>
using CommandChannel = typename F::template Channel<void(asio::error_code, Command<F>)>;

template <class F>
asio::awaitable<u64> actor(CommandChannel<F>& rx) {
  std::unordered_map<u64, u64> map;
  for (;;) {
    auto [ec, cmd] = co_await rx.async_receive(use_tuple);
    if (ec == asio::experimental::error::channel_closed) break;  // every client is done
    if (ec) die("actor: receive failed");
    u64 out = kMissing;
    if (cmd.set) {
      auto [it, inserted] = map.try_emplace(cmd.key, cmd.value);
      if (!inserted) out = std::exchange(it->second, cmd.value);
    } else if (auto it = map.find(cmd.key); it != map.end()) {
      out = it->second;
    }
    if (!cmd.reply->try_send(kNoError, out)) die("actor: reply channel full or closed");
  }
  co_return 0;
}

template <class F>
asio::awaitable<u64> actor_client(CommandChannel<F>& tx, u64 id, u64 n) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  for (u64 i = 0; i < n; ++i) {
    auto reply = std::make_shared<ReplyChannel<F>>(ex, 1);
    Command<F> cmd{i % 2 == 0, id << 32 | (i / 2) % 1024, i, reply};
    auto [send_ec] = co_await tx.async_send(kNoError, std::move(cmd), use_tuple);
    if (send_ec) die("actor client: actor gone");
    auto [ec, r] = co_await reply->async_receive(use_tuple);
    if (ec) die("actor client: no reply");
    if (i % 2 == 1 && r != i - 1) die("actor client: get returned a wrong value");
  }
  co_return n;
}

template <class F>
asio::awaitable<u64> actor_body(u64 clients, u64 per_client) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  CommandChannel<F> ch(ex, 32);
  JoinSet<F> act(ex, 1);
  act.spawn(actor<F>(ch));
  JoinSet<F> tasks(ex, clients);
  for (u64 c = 0; c < clients; ++c) tasks.spawn(actor_client<F>(ch, c, per_client));
  const u64 total = co_await tasks.join();
  // Every client has its last reply, so nothing is buffered: close() (which would drop
  // buffered commands) is the "last sender dropped" that stops the actor.
  ch.close();
  co_await act.join();
  co_return total;
}

template <class F>
u64 run_actor(Runtime& rt, u64 clients, u64 n) {
  const u64 per = std::max<u64>(n / clients, 1);
  if (rt.block_on(actor_body<F>(clients, per)) != per * clients) die("actor: wrong round trips");
  return per * clients;
}

template <class F>
u64 actor_latency(Runtime& rt, u64 n) {
  return run_actor<F>(rt, 1, n);
}
template <class F>
u64 actor_throughput_8(Runtime& rt, u64 n) {
  return run_actor<F>(rt, 8, n);
}

// ---------------------------------------------------------------------------
// broadcast_1x4: values 0..n-1 in chunks of 512, each try_send to the 4 receivers' channels
// (capacity 1024); each receiver acknowledges the last value of a chunk over channel(4), and
// the sender starts the next chunk after 4 acks. At most 512 values are ever queued for a
// receiver, so a failed try_send (Tokio: Lagged) is a bug. ops = 4n deliveries.
// ---------------------------------------------------------------------------

constexpr u64 kChunk = 512;
constexpr std::size_t kRing = 1024;
constexpr std::size_t kBcastReceivers = 4;

template <class F>
using Receivers = std::array<std::unique_ptr<U64Channel<F>>, kBcastReceivers>;

template <class F>
asio::awaitable<u64> bcast_sender(Receivers<F>& out, U64Channel<F>& acks, u64 n) {
  for (u64 start = 0; start < n; start += kChunk) {
    const u64 end = std::min(n, start + kChunk);
    for (u64 i = start; i < end; ++i) {
      for (auto& ch : out) {
        if (!ch->try_send(kNoError, i)) die("broadcast: a receiver lagged (channel full)");
      }
    }
    for (std::size_t k = 0; k < kBcastReceivers; ++k) {
      auto [ec, a] = co_await acks.async_receive(use_tuple);
      if (ec || a != end - 1) die("broadcast: bad acknowledgement");
    }
  }
  co_return 0;
}

template <class F>
asio::awaitable<u64> bcast_receiver(U64Channel<F>& rx, U64Channel<F>& acks, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    auto [ec, v] = co_await rx.async_receive(use_tuple);
    if (ec) die("broadcast: closed early");
    if (v != i) die("broadcast: values out of order");
    if ((i + 1) % kChunk == 0 || i + 1 == n) {
      auto [ack_ec] = co_await acks.async_send(kNoError, i, use_tuple);
      if (ack_ec) die("broadcast: sender gone");
    }
  }
  co_return n;
}

template <class F>
asio::awaitable<u64> broadcast_body(u64 n) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  Receivers<F> chans;
  for (auto& ch : chans) ch = std::make_unique<U64Channel<F>>(ex, kRing);
  U64Channel<F> acks(ex, kBcastReceivers);
  JoinSet<F> tasks(ex, kBcastReceivers + 1);
  for (auto& ch : chans) tasks.spawn(bcast_receiver<F>(*ch, acks, n));
  tasks.spawn(bcast_sender<F>(chans, acks, n));
  co_return co_await tasks.join();
}

template <class F>
u64 broadcast_1x4(Runtime& rt, u64 n) {
  if (rt.block_on(broadcast_body<F>(n)) != kBcastReceivers * n) die("broadcast: wrong count");
  return kBcastReceivers * n;
}

// ---------------------------------------------------------------------------
// watch_4: the sender does send(1) .. send(n): store the value, then try_send a wake-up on
// each receiver's capacity-1 signal channel (if it is full a wake-up is already pending:
// coalesced). Each receiver loops on async_receive (changed()) + load (borrow()), checks the
// values never decrease, and stops at n. The value is stored before the wake-up and the
// channel orders the two, so the last value is always seen. ops = n sends.
// ---------------------------------------------------------------------------

constexpr std::size_t kWatchReceivers = 4;

template <class F>
struct WatchState {
  explicit WatchState(const asio::any_io_executor& ex) {
    for (auto& s : changed) s = std::make_unique<SignalChannel<F>>(ex, 1);
  }
  std::atomic<u64> value{0};
  std::array<std::unique_ptr<SignalChannel<F>>, kWatchReceivers> changed;
};

template <class F>
asio::awaitable<u64> watch_sender(WatchState<F>& w, u64 n) {
  for (u64 i = 1; i <= n; ++i) {
    w.value.store(i, std::memory_order_release);
    for (auto& s : w.changed) s->try_send(kNoError, true);  // false: a wake-up is already pending
  }
  co_return 0;
}

template <class F>
asio::awaitable<u64> watch_receiver(WatchState<F>& w, SignalChannel<F>& changed, u64 n) {
  u64 last = 0;
  while (last != n) {
    auto [ec, unused] = co_await changed.async_receive(use_tuple);
    if (ec) die("watch: closed before the last value was seen");
    const u64 v = w.value.load(std::memory_order_acquire);
    // Equal is fine: the value may already have been read after an earlier wake-up.
    if (v < last) die("watch: value went backwards");
    last = v;
  }
  co_return 1;
}

template <class F>
asio::awaitable<u64> watch_body(u64 n) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  WatchState<F> w(ex);
  JoinSet<F> tasks(ex, kWatchReceivers + 1);
  for (auto& s : w.changed) tasks.spawn(watch_receiver<F>(w, *s, n));
  tasks.spawn(watch_sender<F>(w, n));
  co_return co_await tasks.join();
}

template <class F>
u64 watch_4(Runtime& rt, u64 n) {
  if (rt.block_on(watch_body<F>(n)) != kWatchReceivers) die("watch: a receiver did not finish");
  return n;
}

// ---------------------------------------------------------------------------
// The lock / semaphore: a SignalChannel of capacity `permits` (Go's chan struct{}):
// acquire = co_await async_send (waits while the buffer is full), release = try_receive (frees
// a slot, or hands it straight to the first waiting sender).
// ---------------------------------------------------------------------------

template <class F>
void release(SignalChannel<F>& sem) {
  if (!sem.try_receive([](const asio::error_code&, bool) {}))
    die("semaphore: release without acquire");
}

// Mutex: `tasks` coroutines each lock / increment / unlock n / tasks times.

template <class F>
asio::awaitable<u64> mutex_worker(SignalChannel<F>& lock, u64& counter, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    auto [ec] = co_await lock.async_send(kNoError, true, use_tuple);  // lock
    if (ec) die("mutex: closed");
    counter += 1;
    release<F>(lock);
  }
  co_return n;
}

template <class F>
asio::awaitable<u64> mutex_body(u64 tasks, u64 per_task) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  SignalChannel<F> lock(ex, 1);
  u64 counter = 0;
  JoinSet<F> workers(ex, tasks);
  for (u64 t = 0; t < tasks; ++t) workers.spawn(mutex_worker<F>(lock, counter, per_task));
  const u64 total = co_await workers.join();
  if (total != tasks * per_task || counter != total) die("mutex: lost an increment");
  co_return total;
}

template <class F>
u64 run_mutex(Runtime& rt, u64 tasks, u64 n) {
  return rt.block_on(mutex_body<F>(tasks, std::max<u64>(n / tasks, 1)));
}

template <class F>
u64 mutex_uncontended(Runtime& rt, u64 n) {
  return run_mutex<F>(rt, 1, n);
}
template <class F>
u64 mutex_contended(Runtime& rt, u64 n) {
  return run_mutex<F>(rt, 4, n);
}

// Semaphore: `tasks` coroutines each acquire / release n / tasks times; a counter of holders
// checks the semaphore never lets more than `permits` in.

template <class F>
asio::awaitable<u64> sem_worker(SignalChannel<F>& sem, std::atomic<u64>& inside, u64 limit, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    auto [ec] = co_await sem.async_send(kNoError, true, use_tuple);  // acquire
    if (ec) die("semaphore: closed");
    if (inside.fetch_add(1, std::memory_order_relaxed) >= limit) {
      die("semaphore: too many holders");
    }
    inside.fetch_sub(1, std::memory_order_relaxed);
    release<F>(sem);
  }
  co_return n;
}

template <class F>
asio::awaitable<u64> sem_body(std::size_t permits, u64 tasks, u64 per_task) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  SignalChannel<F> sem(ex, permits);
  std::atomic<u64> inside{0};
  JoinSet<F> workers(ex, tasks);
  for (u64 t = 0; t < tasks; ++t) workers.spawn(sem_worker<F>(sem, inside, permits, per_task));
  const u64 total = co_await workers.join();
  // Every permit is back: the buffer is empty, so there is nothing to receive.
  if (sem.try_receive([](const asio::error_code&, bool) {})) die("semaphore: permits leaked");
  co_return total;
}

template <class F>
u64 run_sem(Runtime& rt, std::size_t permits, u64 tasks, u64 n) {
  const u64 per = std::max<u64>(n / tasks, 1);
  if (rt.block_on(sem_body<F>(permits, tasks, per)) != per * tasks) die("semaphore: wrong count");
  return per * tasks;
}

template <class F>
u64 semaphore_acquire_release(Runtime& rt, u64 n) {
  return run_sem<F>(rt, 1, 1, n);
}
template <class F>
u64 semaphore_contended_4x2(Runtime& rt, u64 n) {
  return run_sem<F>(rt, 2, 4, n);
}

}  // namespace

namespace compare {

std::span<const WorkloadEntry> sync_workloads() {
  static constexpr WorkloadEntry kTable[] = {
      {"actor_latency", &actor_latency<Mt>, &actor_latency<Ct>, 1'000'000},
      {"actor_throughput_8", &actor_throughput_8<Mt>, &actor_throughput_8<Ct>, 1'000'000},
      {"broadcast_1x4", &broadcast_1x4<Mt>, &broadcast_1x4<Ct>, 1'000'000},
      {"watch_4", &watch_4<Mt>, &watch_4<Ct>, 1'000'000},
      {"mutex_uncontended", &mutex_uncontended<Mt>, &mutex_uncontended<Ct>, 10'000'000},
      {"mutex_contended", &mutex_contended<Mt>, &mutex_contended<Ct>, 10'000'000},
      {"semaphore_acquire_release", &semaphore_acquire_release<Mt>, &semaphore_acquire_release<Ct>,
       10'000'000},
      {"semaphore_contended_4x2", &semaphore_contended_4x2<Mt>, &semaphore_contended_4x2<Ct>,
       10'000'000},
  };
  return kTable;
}

}  // namespace compare
