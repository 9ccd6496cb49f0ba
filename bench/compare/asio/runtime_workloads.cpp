// Asio peer, runtime workloads (bench/compare/run): spawn_join, yield_pingpong,
// timer_insert_cancel, block_on_overhead. Harness and protocol: main.cpp; Runtime, JoinSet,
// Latch: compare.hpp.

#include <chrono>
#include <cstdint>
#include <span>

#include "compare.hpp"

namespace {

using namespace compare;

// ---------------------------------------------------------------------------
// spawn_join: co_spawn n coroutines each returning its index; the JoinSet (a counter plus a
// signal channel: Asio has no join handle for a group) collects them into slots, and the body
// sums the slots in spawn order.
// ---------------------------------------------------------------------------

asio::awaitable<u64> return_index(u64 i) { co_return i; }

template <class F>
asio::awaitable<u64> spawn_join_body(u64 n) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  JoinSet<F> tasks(ex, n);
  for (u64 i = 0; i < n; ++i) tasks.spawn(return_index(i));
  co_return co_await tasks.join();
}

template <class F>
u64 spawn_join(Runtime& rt, u64 n) {
  if (rt.block_on(spawn_join_body<F>(n)) != n * (n - 1) / 2) die("spawn_join: bad sum");
  return n;
}

// ---------------------------------------------------------------------------
// yield_pingpong: two co_spawned coroutines each yield n times. Asio's yield_now is
// `co_await asio::post(executor, use_awaitable)`: back of the queue, resumed by the scheduler.
// ---------------------------------------------------------------------------

asio::awaitable<u64> yielder(u64 n) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  u64 done = 0;
  for (u64 i = 0; i < n; ++i) {
    co_await asio::post(ex, asio::use_awaitable);
    ++done;
  }
  co_return done;
}

template <class F>
asio::awaitable<u64> yield_pingpong_body(u64 n) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  JoinSet<F> tasks(ex, 2);
  tasks.spawn(yielder(n));
  tasks.spawn(yielder(n));
  co_return co_await tasks.join();
}

template <class F>
u64 yield_pingpong(Runtime& rt, u64 n) {
  if (rt.block_on(yield_pingpong_body<F>(n)) != 2 * n) die("yield_pingpong: bad count");
  return 2 * n;
}

// ---------------------------------------------------------------------------
// timer_insert_cancel: n times a steady_timer expiring in 1 s, start async_wait (registers it
// in the timer queue), cancel() (deregisters it: must report 1 cancelled wait, i.e. it was
// still pending), timer destroyed. Asio then runs each cancelled wait's handler with
// operation_aborted; the body waits for all n of them (Latch), so that cost is timed too.
// ---------------------------------------------------------------------------

template <class F>
asio::awaitable<u64> timer_insert_cancel_body(u64 n) {
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  Latch<F> aborted(ex, n);
  u64 pending = 0;
  for (u64 i = 0; i < n; ++i) {
    asio::steady_timer t(ex, std::chrono::seconds(1));
    t.async_wait([&aborted](const asio::error_code& ec) {
      if (ec != asio::error::operation_aborted) die("timer_insert_cancel: a 1 s timer fired");
      aborted.count_down();
    });
    pending += t.cancel();
  }
  co_await aborted.wait();
  co_return pending;
}

template <class F>
u64 timer_insert_cancel(Runtime& rt, u64 n) {
  if (rt.block_on(timer_insert_cancel_body<F>(n)) != n) {
    die("timer_insert_cancel: a 1 s timer was no longer pending when cancelled");
  }
  return n;
}

// ---------------------------------------------------------------------------
// block_on_overhead: n times Runtime::block_on(<coroutine returning 1>) from main: ct =
// co_spawn + io_context::run() + restart() on the main thread. mt answers n/a: Asio has no
// block_on that runs the body on the calling thread while two other threads run the context;
// the nearest thing (co_spawn(..., use_future) + future::get()) hands the body to a worker and
// back, ~15k/s, a different operation from Tokio's block_on.
// ---------------------------------------------------------------------------

asio::awaitable<u64> one() { co_return 1; }

template <class F>
u64 block_on_overhead(Runtime& rt, u64 n) {
  u64 sum = 0;
  for (u64 i = 0; i < n; ++i) {
    const u64 v = rt.block_on(one());
    harness::do_not_optimize(v);
    sum += v;
  }
  if (sum != n) die("block_on_overhead: bad sum");
  return n;
}

}  // namespace

namespace compare {

std::span<const WorkloadEntry> runtime_workloads() {
  static constexpr WorkloadEntry kTable[] = {
      {"spawn_join", &spawn_join<Mt>, &spawn_join<Ct>, 100'000},
      {"yield_pingpong", &yield_pingpong<Mt>, &yield_pingpong<Ct>, 1'000'000},
      {"timer_insert_cancel", &timer_insert_cancel<Mt>, &timer_insert_cancel<Ct>, 1'000'000},
      {"block_on_overhead", nullptr, &block_on_overhead<Ct>, 1'000'000},
  };
  return kTable;
}

}  // namespace compare
