// sluice peer, sync workloads (bench/compare/run, issue 4). Harness and protocol: main.cpp.
//
//   actor_latency, actor_throughput_8   a task owning a hash map answers get/set commands sent
//                                       over mpsc(32), each carrying a oneshot reply sender
//   broadcast_1x4                       1 sender task -> broadcast(1024) -> 4 receiver tasks,
//                                       in chunks of 512 acknowledged by all 4 (never lags)
//   watch_4                             1 sender task does n send(i); 4 receiver tasks loop on
//                                       changed() + borrow() until they see the last value
//   mutex_uncontended, mutex_contended  lock / increment / unlock of a sluice::Mutex<u64>
//   semaphore_acquire_release,          acquire() / drop of a sluice::Semaphore(1) by one task,
//   semaphore_contended_4x2             or of a Semaphore(2) by four tasks
//
// Every workload checks what it saw and dies on a wrong answer.
// g++ 12: no temporaries built inside a co_await expression (bind them to a local first).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sluice/spawn.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/mutex.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/sync/semaphore.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>

#include "compare.hpp"

namespace {

namespace mpsc = sluice::mpsc;
using compare::die;
using u64 = std::uint64_t;

/// Awaits every handle; dies if a task failed; returns the sum of their outputs.
sluice::Task<u64> join_all(std::vector<sluice::JoinHandle<u64>>& handles) {
  u64 total = 0;
  for (auto& h : handles) {
    auto r = co_await std::move(h);
    if (!r) die("a task failed");
    total += *r;
  }
  co_return total;
}

// ---------------------------------------------------------------------------
// Actor: the Tokio tutorial's manager task, with u64 keys and values.
// Client `id`, round trip i: even i sets key (id, i/2 % 1024) to i, odd i gets it back and
// checks it is i - 1. The map stays at <= 1024 keys per client.
// ---------------------------------------------------------------------------

constexpr u64 kMissing = ~u64{0};

struct Command {
  bool set;
  u64 key;
  u64 value;
  sluice::oneshot::Sender<u64> reply;
};

sluice::Task<void> actor(mpsc::Receiver<Command> rx) {
  std::unordered_map<u64, u64> map;
  while (auto cmd = co_await rx.recv()) {
    u64 out = kMissing;
    if (cmd->set) {
      auto [it, inserted] = map.try_emplace(cmd->key, cmd->value);
      if (!inserted) out = std::exchange(it->second, cmd->value);
    } else if (auto it = map.find(cmd->key); it != map.end()) {
      out = it->second;
    }
    if (cmd->reply.send(out).is_err()) die("actor: client dropped its reply receiver");
  }
}

sluice::Task<u64> actor_client(mpsc::Sender<Command> tx, u64 id, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    auto [reply_tx, reply_rx] = sluice::oneshot::channel<u64>();
    Command cmd{i % 2 == 0, id << 32 | (i / 2) % 1024, i, std::move(reply_tx)};
    if ((co_await tx.send(std::move(cmd))).is_err()) die("actor client: actor gone");
    auto r = co_await std::move(reply_rx);
    if (!r) die("actor client: reply sender dropped");
    if (i % 2 == 1 && *r != i - 1) die("actor client: get returned a wrong value");
  }
  co_return n;
}

sluice::Task<u64> actor_body(u64 clients, u64 per_client) {
  auto [tx, rx] = mpsc::channel<Command>(32);
  auto act = sluice::spawn(actor(std::move(rx)));
  std::vector<sluice::JoinHandle<u64>> handles;
  for (u64 c = 0; c < clients; ++c)
    handles.push_back(sluice::spawn(actor_client(tx, c, per_client)));
  { auto gone = std::move(tx); }  // the actor stops once every client is done
  const u64 total = co_await join_all(handles);
  if (!(co_await std::move(act))) die("actor task failed");
  co_return total;
}

u64 run_actor(sluice::Runtime& rt, u64 clients, u64 n) {
  const u64 per = std::max<u64>(n / clients, 1);
  if (rt.block_on(actor_body(clients, per)) != per * clients) die("actor: wrong round trips");
  return per * clients;
}

u64 actor_latency(sluice::Runtime& rt, u64 n) { return run_actor(rt, 1, n); }
u64 actor_throughput_8(sluice::Runtime& rt, u64 n) { return run_actor(rt, 8, n); }

// ---------------------------------------------------------------------------
// broadcast_1x4: values 0..n-1, in chunks of 512; each receiver acknowledges the last value
// of a chunk over an mpsc, and the sender starts the next chunk after 4 acks. At most 512
// values are ever in a ring of 1024, so a Lagged error is a bug. ops = 4n deliveries.
// ---------------------------------------------------------------------------

constexpr u64 kChunk = 512;
constexpr std::size_t kRing = 1024;
constexpr u64 kBcastReceivers = 4;

sluice::Task<u64> bcast_sender(sluice::broadcast::Sender<u64> tx, mpsc::Receiver<u64> acks, u64 n) {
  for (u64 start = 0; start < n; start += kChunk) {
    const u64 end = std::min(n, start + kChunk);
    for (u64 i = start; i < end; ++i) {
      auto r = tx.send(i);
      if (!r || *r != kBcastReceivers) die("broadcast: send did not reach 4 receivers");
    }
    for (u64 k = 0; k < kBcastReceivers; ++k) {
      auto a = co_await acks.recv();
      if (!a || *a != end - 1) die("broadcast: bad acknowledgement");
    }
  }
  co_return 0;
}

sluice::Task<u64> bcast_receiver(sluice::broadcast::Receiver<u64> rx, mpsc::Sender<u64> acks,
                                 u64 n) {
  for (u64 i = 0; i < n; ++i) {
    auto v = co_await rx.recv();
    if (!v) die(v.error().is_lagged() ? "broadcast: receiver lagged" : "broadcast: closed early");
    if (*v != i) die("broadcast: values out of order");
    if ((i + 1) % kChunk == 0 || i + 1 == n) {
      if ((co_await acks.send(i)).is_err()) die("broadcast: sender gone");
    }
  }
  co_return n;
}

sluice::Task<u64> broadcast_body(u64 n) {
  auto [tx, rx] = sluice::broadcast::channel<u64>(kRing);
  auto [ack_tx, ack_rx] = mpsc::channel<u64>(kBcastReceivers);
  std::vector<sluice::JoinHandle<u64>> handles;
  handles.push_back(sluice::spawn(bcast_receiver(std::move(rx), ack_tx, n)));
  for (u64 r = 1; r < kBcastReceivers; ++r) {
    handles.push_back(sluice::spawn(bcast_receiver(tx.subscribe(), ack_tx, n)));
  }
  { auto gone = std::move(ack_tx); }
  handles.push_back(sluice::spawn(bcast_sender(std::move(tx), std::move(ack_rx), n)));
  co_return co_await join_all(handles);
}

u64 broadcast_1x4(sluice::Runtime& rt, u64 n) {
  if (rt.block_on(broadcast_body(n)) != kBcastReceivers * n) die("broadcast: wrong count");
  return kBcastReceivers * n;
}

// ---------------------------------------------------------------------------
// watch_4: the sender task does send(1) .. send(n); each receiver loops on changed() and
// borrow(), checks the values never decrease, and stops at n. ops = n sends.
// ---------------------------------------------------------------------------

constexpr u64 kWatchReceivers = 4;

sluice::Task<u64> watch_sender(sluice::watch::Sender<u64> tx, u64 n) {
  for (u64 i = 1; i <= n; ++i) {
    if (tx.send(i).is_err()) die("watch: every receiver gone");
  }
  co_return 0;
}

sluice::Task<u64> watch_receiver(sluice::watch::Receiver<u64> rx, u64 n) {
  u64 last = 0;
  while (last != n) {
    if (!(co_await rx.changed())) die("watch: closed before the last value was seen");
    const u64 v = *rx.borrow();
    // Equal is fine: borrow() may have read past the version changed() marked seen.
    if (v < last) die("watch: value went backwards");
    last = v;
  }
  co_return 1;
}

sluice::Task<u64> watch_body(u64 n) {
  auto [tx, rx] = sluice::watch::channel<u64>(u64{0});
  std::vector<sluice::JoinHandle<u64>> handles;
  for (u64 r = 1; r < kWatchReceivers; ++r) handles.push_back(sluice::spawn(watch_receiver(rx, n)));
  handles.push_back(sluice::spawn(watch_receiver(std::move(rx), n)));
  handles.push_back(sluice::spawn(watch_sender(std::move(tx), n)));
  co_return co_await join_all(handles);
}

u64 watch_4(sluice::Runtime& rt, u64 n) {
  if (rt.block_on(watch_body(n)) != kWatchReceivers) die("watch: a receiver did not finish");
  return n;
}

// ---------------------------------------------------------------------------
// Mutex: `tasks` tasks each lock / increment / unlock n / tasks times.
// ---------------------------------------------------------------------------

using Counter = sluice::Mutex<u64>;

sluice::Task<u64> mutex_worker(std::shared_ptr<Counter> m, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    auto guard = co_await m->lock();
    *guard += 1;
  }
  co_return n;
}

sluice::Task<u64> mutex_body(u64 tasks, u64 per_task) {
  auto m = std::make_shared<Counter>(u64{0});
  std::vector<sluice::JoinHandle<u64>> handles;
  for (u64 t = 0; t < tasks; ++t) handles.push_back(sluice::spawn(mutex_worker(m, per_task)));
  const u64 total = co_await join_all(handles);
  if (total != tasks * per_task || m->get_mut() != total) die("mutex: lost an increment");
  co_return total;
}

u64 run_mutex(sluice::Runtime& rt, u64 tasks, u64 n) {
  return rt.block_on(mutex_body(tasks, std::max<u64>(n / tasks, 1)));
}

u64 mutex_uncontended(sluice::Runtime& rt, u64 n) { return run_mutex(rt, 1, n); }
u64 mutex_contended(sluice::Runtime& rt, u64 n) { return run_mutex(rt, 4, n); }

// ---------------------------------------------------------------------------
// Semaphore: `tasks` tasks each acquire() / release n / tasks times; a counter of holders
// checks the semaphore never lets more than `permits` in.
// ---------------------------------------------------------------------------

struct SemState {
  explicit SemState(std::size_t permits) : sem(permits), limit(permits) {}
  sluice::Semaphore sem;
  std::atomic<u64> inside{0};
  u64 limit;
};

sluice::Task<u64> sem_worker(std::shared_ptr<SemState> s, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    auto permit = co_await s->sem.acquire();
    if (!permit) die("semaphore: closed");
    if (s->inside.fetch_add(1, std::memory_order_relaxed) >= s->limit) {
      die("semaphore: too many holders");
    }
    s->inside.fetch_sub(1, std::memory_order_relaxed);
  }
  co_return n;
}

sluice::Task<u64> sem_body(std::size_t permits, u64 tasks, u64 per_task) {
  auto s = std::make_shared<SemState>(permits);
  std::vector<sluice::JoinHandle<u64>> handles;
  for (u64 t = 0; t < tasks; ++t) handles.push_back(sluice::spawn(sem_worker(s, per_task)));
  const u64 total = co_await join_all(handles);
  if (s->sem.available_permits() != permits) die("semaphore: permits leaked");
  co_return total;
}

u64 run_sem(sluice::Runtime& rt, std::size_t permits, u64 tasks, u64 n) {
  const u64 per = std::max<u64>(n / tasks, 1);
  if (rt.block_on(sem_body(permits, tasks, per)) != per * tasks) die("semaphore: wrong count");
  return per * tasks;
}

u64 semaphore_acquire_release(sluice::Runtime& rt, u64 n) { return run_sem(rt, 1, 1, n); }
u64 semaphore_contended_4x2(sluice::Runtime& rt, u64 n) { return run_sem(rt, 2, 4, n); }

}  // namespace

namespace compare {

std::span<const WorkloadEntry> sync_workloads() {
  static constexpr WorkloadEntry kTable[] = {
      {"actor_latency", &actor_latency, 1'000'000},
      {"actor_throughput_8", &actor_throughput_8, 1'000'000},
      {"broadcast_1x4", &broadcast_1x4, 1'000'000},
      {"watch_4", &watch_4, 1'000'000},
      {"mutex_uncontended", &mutex_uncontended, 10'000'000},
      {"mutex_contended", &mutex_contended, 10'000'000},
      {"semaphore_acquire_release", &semaphore_acquire_release, 10'000'000},
      {"semaphore_contended_4x2", &semaphore_contended_4x2, 10'000'000},
  };
  return kTable;
}

}  // namespace compare
