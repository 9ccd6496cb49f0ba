// Asio peer, mpsc workloads (bench/compare/run, issue 3). Harness and protocol: main.cpp.
//
//   mpsc_spsc_1, mpsc_spsc_1024   one producer coroutine -> channel(1 | 1024) -> one consumer
//   mpsc_mpsc_4x128               four producers -> channel(128) -> one consumer
//   mpsc_unbounded_spsc           EMULATED unbounded: a channel whose capacity is SIZE_MAX,
//                                 fed with try_send (never blocks, like Tokio's unbounded send)
//   contention_*, uncontended_*   Tokio's benches/sync_mpsc.rs shapes: the receiver is the
//                                 block_on body; one iteration = one block_on of 5000 messages
//   mpsc_memory[_unbounded]       RSS growth of n queued u64 and what is left after draining
//
// Channels are concurrent_channel (mt) or channel (ct) of void(error_code, u64). Asio 1.22's
// close() discards buffered messages, so "every sender gone" (Tokio's recv() -> None) is an
// end-of-stream marker each producer sends last: (id << 56) | kSeqMask.
//
// Every workload checks what it received (order, count or sum) and dies on a wrong answer.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "compare.hpp"

namespace {

using namespace compare;

constexpr int kIdShift = 56;  // mpsc_mpsc_4x128: value = producer id << 56 | sequence number
constexpr u64 kSeqMask = (u64{1} << kIdShift) - 1;  // as a sequence number: end of stream

// ---------------------------------------------------------------------------
// Producer / consumer coroutines shared by the spsc and mpsc workloads.
// ---------------------------------------------------------------------------

/// Sends `base | 0`, ..., `base | (n - 1)`, then the end-of-stream marker `base | kSeqMask`.
template <class F>
asio::awaitable<u64> produce(U64Channel<F>& tx, u64 base, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    const u64 v = base | i;
    auto [ec] = co_await tx.async_send(kNoError, v, use_tuple);
    if (ec) die("mpsc producer: channel closed");
  }
  const u64 end = base | kSeqMask;
  auto [ec] = co_await tx.async_send(kNoError, end, use_tuple);
  if (ec) die("mpsc producer: channel closed");
  co_return 0;
}

/// The unbounded emulation's sender: try_send never blocks (the capacity is never reached).
template <class F>
asio::awaitable<u64> produce_unbounded(U64Channel<F>& tx, u64 n) {
  for (u64 i = 0; i < n; ++i) {
    if (!tx.try_send(kNoError, i)) die("mpsc unbounded producer: try_send failed");
  }
  if (!tx.try_send(kNoError, kSeqMask)) die("mpsc unbounded producer: try_send failed");
  co_return 0;  // a coroutine even though it never suspends (like Tokio's async block)
}

/// Receives until every producer's end marker; checks each producer's values arrive in order
/// (producer id in the top byte). Returns the number of values received (markers excluded).
template <class F>
asio::awaitable<u64> consume(U64Channel<F>& rx, u64 producers) {
  std::array<u64, 4> next{};
  u64 count = 0;
  u64 ended = 0;
  while (ended < producers) {
    auto [ec, v] = co_await rx.async_receive(use_tuple);
    if (ec) die("mpsc consumer: channel closed");
    const u64 id = v >> kIdShift;
    if (id >= producers) die("mpsc consumer: bad producer id");
    if ((v & kSeqMask) == kSeqMask) {
      ++ended;
      continue;
    }
    if ((v & kSeqMask) != next[id]) die("mpsc consumer: values out of order");
    ++next[id];
    ++count;
  }
  co_return count;
}

template <class F>
asio::awaitable<u64> bounded_body(std::size_t capacity, u64 producers, u64 per_producer) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  U64Channel<F> ch(ex, capacity);
  JoinSet<F> tasks(ex, producers + 1);
  for (u64 p = 0; p < producers; ++p) tasks.spawn(produce<F>(ch, p << kIdShift, per_producer));
  tasks.spawn(consume<F>(ch, producers));
  co_await tasks.join();
  co_return tasks.results().back();  // the consumer's count
}

template <class F>
u64 run_bounded(Runtime& rt, std::size_t capacity, u64 producers, u64 n) {
  const u64 per = n / producers;
  const u64 got = rt.block_on(bounded_body<F>(capacity, producers, per));
  if (got != per * producers) die("mpsc: wrong message count");
  return got;
}

template <class F>
u64 mpsc_spsc_1(Runtime& rt, u64 n) {
  return run_bounded<F>(rt, 1, 1, n);
}
template <class F>
u64 mpsc_spsc_1024(Runtime& rt, u64 n) {
  return run_bounded<F>(rt, 1024, 1, n);
}
template <class F>
u64 mpsc_mpsc_4x128(Runtime& rt, u64 n) {
  return run_bounded<F>(rt, 128, 4, n);
}

template <class F>
asio::awaitable<u64> unbounded_body(u64 n) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  U64Channel<F> ch(ex, kUnbounded);
  JoinSet<F> tasks(ex, 2);
  tasks.spawn(produce_unbounded<F>(ch, n));
  tasks.spawn(consume<F>(ch, 1));
  co_await tasks.join();
  co_return tasks.results().back();
}

template <class F>
u64 mpsc_unbounded_spsc(Runtime& rt, u64 n) {
  if (rt.block_on(unbounded_body<F>(n)) != n) die("mpsc_unbounded_spsc: wrong message count");
  return n;
}

// ---------------------------------------------------------------------------
// Tokio's benches/sync_mpsc.rs shapes. One iteration = one block_on whose body is the
// receiver of 5000 messages; iterations repeat until n messages in total. The 5 senders are
// detached (not joined, as in Tokio's bench) and share ownership of the channel (Tokio's
// cloned Sender), since they may outlive the body by a few instructions.
// ---------------------------------------------------------------------------

constexpr u64 kTasks = 5;
constexpr u64 kPerTask = 1000;
constexpr u64 kPerIter = kTasks * kPerTask;
constexpr u64 kIterSum = kTasks * kPerTask * (kPerTask - 1) / 2;  // each task sends 0..999
constexpr u64 kUncontendedSum = kPerIter * (kPerIter - 1) / 2;

template <class F>
asio::awaitable<void> send_1000(std::shared_ptr<U64Channel<F>> tx) {
  for (u64 i = 0; i < kPerTask; ++i) {
    auto [ec] = co_await tx->async_send(kNoError, i, use_tuple);
    if (ec) die("contention: channel closed");
  }
}

template <class F>
asio::awaitable<void> send_1000_unbounded(std::shared_ptr<U64Channel<F>> tx) {
  for (u64 i = 0; i < kPerTask; ++i) {
    if (!tx->try_send(kNoError, i)) die("contention: try_send failed");
  }
  co_return;
}

template <class F>
asio::awaitable<u64> recv_sum(U64Channel<F>& rx, u64 count) {
  u64 sum = 0;
  for (u64 k = 0; k < count; ++k) {
    auto [ec, v] = co_await rx.async_receive(use_tuple);
    if (ec) die("mpsc: channel closed early");
    sum += v;
  }
  co_return sum;
}

template <class F>
asio::awaitable<u64> contention_iter(std::size_t capacity) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  auto ch = std::make_shared<U64Channel<F>>(ex, capacity);
  for (u64 t = 0; t < kTasks; ++t) {
    if (capacity == kUnbounded) {
      asio::co_spawn(ex, send_1000_unbounded<F>(ch), DieOnException{});
    } else {
      asio::co_spawn(ex, send_1000<F>(ch), DieOnException{});
    }
  }
  co_return co_await recv_sum<F>(*ch, kPerIter);
}

template <class F>
asio::awaitable<u64> uncontended_iter(std::size_t capacity) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  U64Channel<F> ch(ex, capacity);
  for (u64 i = 0; i < kPerIter; ++i) {
    if (capacity == kUnbounded) {
      if (!ch.try_send(kNoError, i)) die("uncontended_unbounded: try_send failed");
    } else {
      auto [ec] = co_await ch.async_send(kNoError, i, use_tuple);
      if (ec) die("uncontended_bounded: channel closed");
    }
  }
  co_return co_await recv_sum<F>(ch, kPerIter);
}

template <class MakeIter>
u64 iterate(Runtime& rt, u64 n, u64 expected_sum, MakeIter make_iter) {
  const u64 iters = std::max<u64>(n / kPerIter, 1);
  for (u64 it = 0; it < iters; ++it) {
    if (rt.block_on(make_iter()) != expected_sum) die("mpsc: wrong sum in an iteration");
  }
  return iters * kPerIter;
}

template <class F>
u64 contention_bounded(Runtime& rt, u64 n) {
  return iterate(rt, n, kIterSum, [] { return contention_iter<F>(1'000'000); });
}
template <class F>
u64 contention_bounded_full(Runtime& rt, u64 n) {
  return iterate(rt, n, kIterSum, [] { return contention_iter<F>(100); });
}
template <class F>
u64 contention_unbounded(Runtime& rt, u64 n) {
  return iterate(rt, n, kIterSum, [] { return contention_iter<F>(kUnbounded); });
}
template <class F>
u64 uncontended_bounded(Runtime& rt, u64 n) {
  return iterate(rt, n, kUncontendedSum, [] { return uncontended_iter<F>(1'000'000); });
}
template <class F>
u64 uncontended_unbounded(Runtime& rt, u64 n) {
  return iterate(rt, n, kUncontendedSum, [] { return uncontended_iter<F>(kUnbounded); });
}

// ---------------------------------------------------------------------------
// Memory: queue n u64 without receiving, read RSS (peak via VmHWM after clear_refs), drain
// with try_receive, read RSS again, then again after malloc_trim(0). Returns the peak growth
// in bytes; EXTRA lines carry the rest. Asio's channel buffers in a std::deque that grows as
// messages arrive (nothing is reserved up front, whatever the capacity); there is no public
// count of retained blocks, so no blocks_after_drain line.
// ---------------------------------------------------------------------------

struct Baseline {
  std::int64_t rss;
  Baseline() : rss(harness::rss_bytes()) {
    if (!harness::reset_peak_rss()) harness::report_extra("hwm_reset_failed", 1);
  }
};

template <class F>
u64 finish_memory(const Baseline& base, U64Channel<F>& rx, u64 n) {
  const std::int64_t peak = harness::peak_rss_bytes();
  harness::report_extra("filled_bytes", harness::rss_bytes() - base.rss);
  u64 sum = 0;
  for (u64 i = 0; i < n; ++i) {
    bool ok = false;
    const bool got = rx.try_receive([&](const asio::error_code& ec, u64 v) {
      ok = !ec;
      sum += v;
    });
    if (!got || !ok) die("mpsc_memory: a queued value is missing");
  }
  if (sum != n * (n - 1) / 2) die("mpsc_memory: bad sum");
  harness::report_extra("after_drain_bytes", harness::rss_bytes() - base.rss);
  harness::release_free_memory();
  harness::report_extra("after_trim_bytes", harness::rss_bytes() - base.rss);
  return static_cast<u64>(std::max<std::int64_t>(peak - base.rss, 0));
}

template <class F>
asio::awaitable<u64> memory_bounded_body(u64 n) {
  Baseline base;
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  U64Channel<F> ch(ex, n);
  for (u64 i = 0; i < n; ++i) {
    auto [ec] = co_await ch.async_send(kNoError, i, use_tuple);
    if (ec) die("mpsc_memory: channel closed");
  }
  co_return finish_memory<F>(base, ch, n);
}

template <class F>
u64 mpsc_memory(Runtime& rt, u64 n) {
  return rt.block_on(memory_bounded_body<F>(n));
}

template <class F>
asio::awaitable<u64> memory_unbounded_body(u64 n) {
  Baseline base;
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  U64Channel<F> ch(ex, kUnbounded);
  for (u64 i = 0; i < n; ++i) {
    if (!ch.try_send(kNoError, i)) die("mpsc_memory_unbounded: try_send failed");
  }
  co_return finish_memory<F>(base, ch, n);
}

template <class F>
u64 mpsc_memory_unbounded(Runtime& rt, u64 n) {
  return rt.block_on(memory_unbounded_body<F>(n));
}

}  // namespace

namespace compare {

std::span<const WorkloadEntry> mpsc_workloads() {
  static constexpr WorkloadEntry kTable[] = {
      {"mpsc_spsc_1", &mpsc_spsc_1<Mt>, &mpsc_spsc_1<Ct>, 10'000'000},
      {"mpsc_spsc_1024", &mpsc_spsc_1024<Mt>, &mpsc_spsc_1024<Ct>, 10'000'000},
      {"mpsc_mpsc_4x128", &mpsc_mpsc_4x128<Mt>, &mpsc_mpsc_4x128<Ct>, 10'000'000},
      {"mpsc_unbounded_spsc", &mpsc_unbounded_spsc<Mt>, &mpsc_unbounded_spsc<Ct>, 10'000'000},
      {"contention_bounded", &contention_bounded<Mt>, &contention_bounded<Ct>, 1'000'000},
      {"contention_bounded_full", &contention_bounded_full<Mt>, &contention_bounded_full<Ct>,
       1'000'000},
      {"contention_unbounded", &contention_unbounded<Mt>, &contention_unbounded<Ct>, 1'000'000},
      {"uncontended_bounded", &uncontended_bounded<Mt>, &uncontended_bounded<Ct>, 1'000'000},
      {"uncontended_unbounded", &uncontended_unbounded<Mt>, &uncontended_unbounded<Ct>, 1'000'000},
      // Memory rows are measured on ct only (the harness answers n/a for mt).
      {"mpsc_memory", &mpsc_memory<Ct>, &mpsc_memory<Ct>, 1'000'000, Kind::kMemory},
      {"mpsc_memory_unbounded", &mpsc_memory_unbounded<Ct>, &mpsc_memory_unbounded<Ct>, 1'000'000,
       Kind::kMemory},
  };
  return kTable;
}

}  // namespace compare
