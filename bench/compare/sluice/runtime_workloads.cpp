// sluice peer, runtime workloads (bench/compare/run): spawn_join, yield_pingpong,
// timer_insert_cancel, block_on_overhead. Harness and protocol: main.cpp.
//
// g++ 12 note: never construct an aggregate inside a co_await expression; bind it to a
// local first (see timer_insert_cancel).

#include <chrono>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <sluice/sluice.hpp>

#include "compare.hpp"

namespace {

// ---------------------------------------------------------------------------
// spawn_join: spawn n tasks each returning its index, await every JoinHandle
// in order, check the sum.
// ---------------------------------------------------------------------------

sluice::Task<std::uint64_t> return_index(std::uint64_t i) { co_return i; }

sluice::Task<std::uint64_t> spawn_join_body(std::uint64_t n) {
  std::vector<sluice::JoinHandle<std::uint64_t>> handles;
  handles.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    handles.push_back(sluice::spawn(return_index(i)));
  }
  std::uint64_t sum = 0;
  for (auto& h : handles) {
    auto r = co_await std::move(h);
    if (!r.has_value()) compare::die("spawn_join: task failed");
    sum += *r;
  }
  co_return sum;
}

std::uint64_t spawn_join(sluice::Runtime& rt, std::uint64_t n) {
  std::uint64_t sum = rt.block_on(spawn_join_body(n));
  if (sum != n * (n - 1) / 2) compare::die("spawn_join: bad sum");
  return n;
}

// ---------------------------------------------------------------------------
// yield_pingpong: two spawned tasks each co_await yield_now() n times.
// ---------------------------------------------------------------------------

sluice::Task<std::uint64_t> yielder(std::uint64_t n) {
  std::uint64_t done = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    co_await sluice::yield_now();
    ++done;
  }
  co_return done;
}

sluice::Task<std::uint64_t> yield_pingpong_body(std::uint64_t n) {
  auto a = sluice::spawn(yielder(n));
  auto b = sluice::spawn(yielder(n));
  auto ra = co_await std::move(a);
  auto rb = co_await std::move(b);
  if (!ra.has_value() || !rb.has_value()) compare::die("yield_pingpong: task failed");
  co_return *ra + *rb;
}

std::uint64_t yield_pingpong(sluice::Runtime& rt, std::uint64_t n) {
  std::uint64_t total = rt.block_on(yield_pingpong_body(n));
  if (total != 2 * n) compare::die("yield_pingpong: bad count");
  return 2 * n;
}

// ---------------------------------------------------------------------------
// timer_insert_cancel: n times create a 1 s sleep, poll it exactly once (so it
// registers in the timer wheel), drop it (deregisters it).
// ---------------------------------------------------------------------------

using SleepT = decltype(sluice::sleep(std::chrono::seconds(1)));

// Leaf future: polls the referenced sleep once and is then immediately ready.
// The sleep lives in the awaiting coroutine's frame, so it never moves after
// its first poll. The sleep is polled with an unconstrained coop budget, like
// the Tokio peer (`tokio::task::unconstrained`): a leaf whose budget is spent
// answers pending *without* registering, which would turn this workload into
// a no-op loop. (A pending poll refunds its unit in both runtimes, so this is
// a guard rather than a measured difference.)
struct PollSleepOnce {
  using Output = void;

  SleepT* sleep;
  bool* was_pending;

  sluice::Poll<void> poll(sluice::Context& cx) {
    sluice::coop::Budget budget = sluice::coop::Budget::unconstrained();
    sluice::Context inner(cx.waker(), budget);
    auto p = sleep->poll(inner);
    *was_pending = !p.is_ready();
    return sluice::Poll<void>::ready();
  }
};

sluice::Task<std::uint64_t> timer_insert_cancel_body(std::uint64_t n) {
  std::uint64_t pending = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto s = sluice::sleep(std::chrono::seconds(1));
    bool was_pending = false;
    PollSleepOnce once{&s, &was_pending};  // bound first: g++ 12 co_await pitfall
    co_await once;
    pending += was_pending ? 1 : 0;
    // `s` is destroyed here -> removed from the wheel.
  }
  co_return pending;
}

std::uint64_t timer_insert_cancel(sluice::Runtime& rt, std::uint64_t n) {
  std::uint64_t pending = rt.block_on(timer_insert_cancel_body(n));
  if (pending != n) compare::die("timer_insert_cancel: a 1 s sleep completed early");
  return n;
}

// ---------------------------------------------------------------------------
// block_on_overhead: n times rt.block_on(<coroutine returning 1>) from main.
// (Tokio's peer is `rt.block_on(async { 1u64 })`; a Task coroutine is the
// sluice spelling of an async block, frame allocation included.)
// ---------------------------------------------------------------------------

sluice::Task<std::uint64_t> one() { co_return 1; }

std::uint64_t block_on_overhead(sluice::Runtime& rt, std::uint64_t n) {
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t v = rt.block_on(one());
    compare::do_not_optimize(v);
    sum += v;
  }
  if (sum != n) compare::die("block_on_overhead: bad sum");
  return n;
}

}  // namespace

namespace compare {

std::span<const WorkloadEntry> runtime_workloads() {
  static constexpr WorkloadEntry kTable[] = {
      {"spawn_join", &spawn_join, 100'000},
      {"yield_pingpong", &yield_pingpong, 1'000'000},
      {"timer_insert_cancel", &timer_insert_cancel, 1'000'000},
      {"block_on_overhead", &block_on_overhead, 1'000'000},
  };
  return kTable;
}

}  // namespace compare
