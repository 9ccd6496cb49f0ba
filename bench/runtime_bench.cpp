// Runtime micro benchmarks (issue 2): spawn+join, yield ping-pong, timer insert/cancel, block_on
// overhead, on both runtime flavours. The same workloads against Tokio and Go live in
// bench/compare (run with `make bench`); these are for profiling sluice alone.
//
//   build/release/bench/sluice_bench --benchmark_filter=Runtime
#include <chrono>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include <sluice/sluice.hpp>

namespace {

sluice::Runtime make_runtime(bool multi) {
  return multi ? sluice::Builder::multi_thread().worker_threads(2).build()
               : sluice::Runtime::current_thread();
}

sluice::Task<std::uint64_t> return_index(std::uint64_t i) { co_return i; }

sluice::Task<std::uint64_t> spawn_join_body(std::uint64_t n) {
  std::vector<sluice::JoinHandle<std::uint64_t>> handles;
  handles.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) handles.push_back(sluice::spawn(return_index(i)));
  std::uint64_t sum = 0;
  for (auto& h : handles) sum += (co_await std::move(h)).value();
  co_return sum;
}

void BM_Runtime_SpawnJoin(benchmark::State& state) {
  auto rt = make_runtime(state.range(0) != 0);
  const std::uint64_t n = 1000;
  for (auto _ : state) benchmark::DoNotOptimize(rt.block_on(spawn_join_body(n)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Runtime_SpawnJoin)->Arg(1)->Arg(0)->ArgName("multi_thread")->UseRealTime();

sluice::Task<void> yielder(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) co_await sluice::yield_now();
}

sluice::Task<void> pingpong_body(std::uint64_t n) {
  auto a = sluice::spawn(yielder(n));
  auto b = sluice::spawn(yielder(n));
  (void)co_await std::move(a);
  (void)co_await std::move(b);
}

void BM_Runtime_YieldPingPong(benchmark::State& state) {
  auto rt = make_runtime(state.range(0) != 0);
  const std::uint64_t n = 10'000;
  for (auto _ : state) rt.block_on(pingpong_body(n));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2 * n));
}
BENCHMARK(BM_Runtime_YieldPingPong)->Arg(1)->Arg(0)->ArgName("multi_thread")->UseRealTime();

/// Polls a sleep once (registering it in the wheel), then is ready; the sleep is dropped after.
struct PollOnce {
  using Output = void;
  sluice::Sleep* sleep;
  sluice::Poll<void> poll(sluice::Context& cx) {
    sluice::coop::Budget budget = sluice::coop::Budget::unconstrained();
    sluice::Context inner(cx.waker(), budget);
    benchmark::DoNotOptimize(sleep->poll(inner).is_ready());
    return sluice::Poll<void>::ready();
  }
};

sluice::Task<void> timer_body(std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) {
    auto s = sluice::sleep(std::chrono::seconds(1));
    PollOnce once{&s};
    co_await once;
  }
}

void BM_Runtime_TimerInsertCancel(benchmark::State& state) {
  auto rt = make_runtime(state.range(0) != 0);
  const std::uint64_t n = 1000;
  for (auto _ : state) rt.block_on(timer_body(n));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_Runtime_TimerInsertCancel)->Arg(1)->Arg(0)->ArgName("multi_thread")->UseRealTime();

sluice::Task<int> one() { co_return 1; }

void BM_Runtime_BlockOnOverhead(benchmark::State& state) {
  auto rt = make_runtime(state.range(0) != 0);
  for (auto _ : state) benchmark::DoNotOptimize(rt.block_on(one()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Runtime_BlockOnOverhead)->Arg(1)->Arg(0)->ArgName("multi_thread")->UseRealTime();

}  // namespace
