// sluice peer, mpsc workloads (bench/compare/run, issue 3). Harness and protocol: main.cpp.
//
//   mpsc_spsc_1, mpsc_spsc_1024   one producer task -> bounded(1 | 1024) -> one consumer task
//   mpsc_mpsc_4x128               four producer tasks -> bounded(128) -> one consumer task
//   mpsc_unbounded_spsc           one producer task -> unbounded -> one consumer task
//   contention_*, uncontended_*   Tokio's benches/sync_mpsc.rs shapes: the receiver is the
//                                 block_on body; one iteration = one block_on of 5000 messages
//   mpsc_memory[_unbounded]       RSS growth of 1M queued u64 and what is left after draining
//
// Every workload checks what it received (order, count or sum) and dies on a wrong answer.
// g++ 12: no temporaries built inside a co_await expression (see ../../../../shared/STYLE.md).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <sluice/spawn.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>

#include "compare.hpp"

namespace {

namespace mpsc = sluice::mpsc;
using compare::die;
using u64 = std::uint64_t;

// ---------------------------------------------------------------------------
// Producer / consumer tasks shared by the spsc and mpsc workloads.
// ---------------------------------------------------------------------------

constexpr int kIdShift = 56;  // mpsc_mpsc_4x128: value = producer id << 56 | sequence number
constexpr u64 kSeqMask = (u64{1} << kIdShift) - 1;

/// Sends `base | 0`, `base | 1`, ..., `base | (n - 1)`.
sluice::Task<void> produce(mpsc::Sender<u64> tx, u64 base, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    if ((co_await tx.send(base | i)).is_err()) die("mpsc producer: receiver gone");
  }
}

sluice::Task<void> produce_unbounded(mpsc::UnboundedSender<u64> tx, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    if (tx.send(i).is_err()) die("mpsc unbounded producer: receiver gone");
  }
  co_return;  // a coroutine even though it never suspends (like Tokio's async block)
}

/// Receives until every sender is gone; checks each producer's values arrive in order
/// (producer id in the top byte). Returns the number received.
template <class Rx>
sluice::Task<u64> consume(Rx rx, std::size_t producers) {
  std::array<u64, 4> next{};
  u64 count = 0;
  while (auto v = co_await rx.recv()) {
    const u64 id = *v >> kIdShift;
    if (id >= producers) die("mpsc consumer: bad producer id");
    if ((*v & kSeqMask) != next[id]) die("mpsc consumer: values out of order");
    ++next[id];
    ++count;
  }
  co_return count;
}

sluice::Task<u64> bounded_body(std::size_t capacity, std::size_t producers, u64 per_producer) {
  auto [tx, rx] = mpsc::channel<u64>(capacity);
  std::vector<sluice::JoinHandle<void>> prod;
  for (std::size_t p = 0; p < producers; ++p) {
    prod.push_back(sluice::spawn(produce(tx, u64{p} << kIdShift, per_producer)));
  }
  { auto gone = std::move(tx); }  // only the producers hold senders now
  auto cons = sluice::spawn(consume(std::move(rx), producers));
  for (auto& h : prod) {
    if (!(co_await std::move(h))) die("mpsc: producer task failed");
  }
  auto got = co_await std::move(cons);
  if (!got) die("mpsc: consumer task failed");
  co_return *got;
}

u64 run_bounded(sluice::Runtime& rt, std::size_t capacity, std::size_t producers, u64 n) {
  const u64 per = n / producers;
  const u64 got = rt.block_on(bounded_body(capacity, producers, per));
  if (got != per * producers) die("mpsc: wrong message count");
  return got;
}

u64 mpsc_spsc_1(sluice::Runtime& rt, u64 n) { return run_bounded(rt, 1, 1, n); }
u64 mpsc_spsc_1024(sluice::Runtime& rt, u64 n) { return run_bounded(rt, 1024, 1, n); }
u64 mpsc_mpsc_4x128(sluice::Runtime& rt, u64 n) { return run_bounded(rt, 128, 4, n); }

sluice::Task<u64> unbounded_body(u64 n) {
  auto [tx, rx] = mpsc::unbounded_channel<u64>();
  auto prod = sluice::spawn(produce_unbounded(std::move(tx), n));
  auto cons = sluice::spawn(consume(std::move(rx), 1));
  if (!(co_await std::move(prod))) die("mpsc_unbounded_spsc: producer task failed");
  auto got = co_await std::move(cons);
  if (!got) die("mpsc_unbounded_spsc: consumer task failed");
  co_return *got;
}

u64 mpsc_unbounded_spsc(sluice::Runtime& rt, u64 n) {
  if (rt.block_on(unbounded_body(n)) != n) die("mpsc_unbounded_spsc: wrong message count");
  return n;
}

// ---------------------------------------------------------------------------
// Tokio's benches/sync_mpsc.rs shapes. One iteration = one block_on whose body is the
// receiver of 5000 messages; iterations repeat until n messages in total.
// ---------------------------------------------------------------------------

constexpr u64 kTasks = 5;
constexpr u64 kPerTask = 1000;
constexpr u64 kPerIter = kTasks * kPerTask;
constexpr u64 kIterSum = kTasks * kPerTask * (kPerTask - 1) / 2;  // each task sends 0..999

sluice::Task<void> send_1000(mpsc::Sender<u64> tx) {
  for (u64 i = 0; i < kPerTask; ++i) {
    if ((co_await tx.send(i)).is_err()) die("contention: receiver gone");
  }
}

sluice::Task<void> send_1000_unbounded(mpsc::UnboundedSender<u64> tx) {
  for (u64 i = 0; i < kPerTask; ++i) {
    if (tx.send(i).is_err()) die("contention: receiver gone");
  }
  co_return;
}

template <class Rx>
sluice::Task<u64> recv_sum(Rx& rx, u64 count) {
  u64 sum = 0;
  for (u64 k = 0; k < count; ++k) {
    auto v = co_await rx.recv();
    if (!v) die("mpsc: channel closed early");
    sum += *v;
  }
  co_return sum;
}

sluice::Task<u64> contention_bounded_iter(std::size_t capacity) {
  auto [tx, rx] = mpsc::channel<u64>(capacity);
  for (u64 t = 0; t < kTasks; ++t) {
    auto detached = sluice::spawn(send_1000(tx));  // not joined, as in Tokio's bench
  }
  co_return co_await recv_sum(rx, kPerIter);
}

sluice::Task<u64> contention_unbounded_iter() {
  auto [tx, rx] = mpsc::unbounded_channel<u64>();
  for (u64 t = 0; t < kTasks; ++t) {
    auto detached = sluice::spawn(send_1000_unbounded(tx));
  }
  co_return co_await recv_sum(rx, kPerIter);
}

sluice::Task<u64> uncontended_bounded_iter() {
  auto [tx, rx] = mpsc::channel<u64>(1'000'000);
  for (u64 i = 0; i < kPerIter; ++i) {
    if ((co_await tx.send(i)).is_err()) die("uncontended_bounded: receiver gone");
  }
  co_return co_await recv_sum(rx, kPerIter);
}

sluice::Task<u64> uncontended_unbounded_iter() {
  auto [tx, rx] = mpsc::unbounded_channel<u64>();
  for (u64 i = 0; i < kPerIter; ++i) {
    if (tx.send(i).is_err()) die("uncontended_unbounded: receiver gone");
  }
  co_return co_await recv_sum(rx, kPerIter);
}

template <class MakeIter>
u64 iterate(sluice::Runtime& rt, u64 n, u64 expected_sum, MakeIter make_iter) {
  const u64 iters = std::max<u64>(n / kPerIter, 1);
  for (u64 it = 0; it < iters; ++it) {
    if (rt.block_on(make_iter()) != expected_sum) die("mpsc: wrong sum in an iteration");
  }
  return iters * kPerIter;
}

u64 contention_bounded(sluice::Runtime& rt, u64 n) {
  return iterate(rt, n, kIterSum, [] { return contention_bounded_iter(1'000'000); });
}
u64 contention_bounded_full(sluice::Runtime& rt, u64 n) {
  return iterate(rt, n, kIterSum, [] { return contention_bounded_iter(100); });
}
u64 contention_unbounded(sluice::Runtime& rt, u64 n) {
  return iterate(rt, n, kIterSum, [] { return contention_unbounded_iter(); });
}
constexpr u64 kUncontendedSum = kPerIter * (kPerIter - 1) / 2;
u64 uncontended_bounded(sluice::Runtime& rt, u64 n) {
  return iterate(rt, n, kUncontendedSum, [] { return uncontended_bounded_iter(); });
}
u64 uncontended_unbounded(sluice::Runtime& rt, u64 n) {
  return iterate(rt, n, kUncontendedSum, [] { return uncontended_unbounded_iter(); });
}

// ---------------------------------------------------------------------------
// Memory: queue n u64 without receiving, read RSS (peak via VmHWM after clear_refs), drain,
// read RSS again, then again after malloc_trim(0) (so what is left is what the channel and
// the allocator's bookkeeping really hold). Returns the peak growth in bytes; EXTRA lines
// carry the rest.
// ---------------------------------------------------------------------------

struct Baseline {
  std::int64_t rss;
  Baseline() : rss(compare::rss_bytes()) {
    if (!compare::reset_peak_rss()) compare::report_extra("hwm_reset_failed", 1);
  }
};

template <class Rx>
u64 finish_memory(const Baseline& base, Rx& rx, u64 n) {
  const std::int64_t peak = compare::peak_rss_bytes();
  compare::report_extra("filled_bytes", compare::rss_bytes() - base.rss);
  u64 sum = 0;
  for (u64 i = 0; i < n; ++i) {
    auto v = rx.try_recv();
    if (!v) die("mpsc_memory: a queued value is missing");
    sum += *v;
  }
  if (sum != n * (n - 1) / 2) die("mpsc_memory: bad sum");
  compare::report_extra("after_drain_bytes", compare::rss_bytes() - base.rss);
  compare::release_free_memory();
  compare::report_extra("after_trim_bytes", compare::rss_bytes() - base.rss);
  compare::report_extra("blocks_after_drain",
                        static_cast<std::int64_t>(rx.allocated_blocks_for_testing()));
  return static_cast<u64>(std::max<std::int64_t>(peak - base.rss, 0));
}

sluice::Task<u64> memory_bounded_body(u64 n) {
  Baseline base;
  auto [tx, rx] = mpsc::channel<u64>(n);
  for (u64 i = 0; i < n; ++i) {
    if ((co_await tx.send(i)).is_err()) die("mpsc_memory: receiver gone");
  }
  co_return finish_memory(base, rx, n);
}

u64 mpsc_memory(sluice::Runtime& rt, u64 n) { return rt.block_on(memory_bounded_body(n)); }

sluice::Task<u64> memory_unbounded_body(u64 n) {
  Baseline base;
  auto [tx, rx] = mpsc::unbounded_channel<u64>();
  for (u64 i = 0; i < n; ++i) {
    if (tx.send(i).is_err()) die("mpsc_memory_unbounded: receiver gone");
  }
  co_return finish_memory(base, rx, n);
}

u64 mpsc_memory_unbounded(sluice::Runtime& rt, u64 n) {
  return rt.block_on(memory_unbounded_body(n));
}

}  // namespace

namespace compare {

std::span<const WorkloadEntry> mpsc_workloads() {
  static constexpr WorkloadEntry kTable[] = {
      {"mpsc_spsc_1", &mpsc_spsc_1, 10'000'000},
      {"mpsc_spsc_1024", &mpsc_spsc_1024, 10'000'000},
      {"mpsc_mpsc_4x128", &mpsc_mpsc_4x128, 10'000'000},
      {"mpsc_unbounded_spsc", &mpsc_unbounded_spsc, 10'000'000},
      {"contention_bounded", &contention_bounded, 1'000'000},
      {"contention_bounded_full", &contention_bounded_full, 1'000'000},
      {"contention_unbounded", &contention_unbounded, 1'000'000},
      {"uncontended_bounded", &uncontended_bounded, 1'000'000},
      {"uncontended_unbounded", &uncontended_unbounded, 1'000'000},
      {"mpsc_memory", &mpsc_memory, 1'000'000, Kind::kMemory},
      {"mpsc_memory_unbounded", &mpsc_memory_unbounded, 1'000'000, Kind::kMemory},
  };
  return kTable;
}

}  // namespace compare
