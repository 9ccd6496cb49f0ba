// mpsc channel benchmarks (issue 3): messages per second through a channel on the multi-thread
// runtime (2 workers) and the current-thread one. Workload names follow Tokio's
// benches/sync_mpsc.rs where they match, so ratio tables line up.
//
//   Mpsc_Spsc/<capacity>         one producer task, one consumer (block_on), 1M u64
//   Mpsc_Contention_4x/<cap>     4 producer tasks into a bounded channel, 1M u64 in total
//   Mpsc_SpscUnbounded           one producer task into an unbounded channel, 1M u64
//
// Run (release preset):
//   build/release/bench/sluice_bench --benchmark_filter=Mpsc --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include <sluice/runtime.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>
#include <sluice/yield_now.hpp>

namespace {

namespace mpsc = sluice::mpsc;
constexpr std::uint64_t kMessages = 1'000'000;

sluice::Runtime make_rt(bool multi) {
  return multi ? sluice::Builder::multi_thread().worker_threads(2).build()
               : sluice::Runtime::current_thread();
}

sluice::Task<> produce(mpsc::Sender<std::uint64_t> tx, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) {
    if ((co_await tx.send(i)).is_err()) co_return;
  }
}

sluice::Task<std::uint64_t> drain(mpsc::Receiver<std::uint64_t> rx) {
  std::uint64_t sum = 0;
  while (auto v = co_await rx.recv()) sum += *v;
  co_return sum;
}

void run_bounded(benchmark::State& state, int producers) {
  const auto capacity = static_cast<std::size_t>(state.range(0));
  const bool multi = state.range(1) != 0;
  auto rt = make_rt(multi);
  for (auto _ : state) {
    auto [tx, rx] = mpsc::channel<std::uint64_t>(capacity);
    for (int p = 0; p < producers; ++p) {
      auto h = rt.spawn(produce(tx, kMessages / static_cast<std::uint64_t>(producers)));
    }
    { auto gone = std::move(tx); }
    // The consumer is a task too (as in Tokio's benches/sync_mpsc.rs): block_on only joins it,
    // so the hand-off is between tasks, not a wake of the (non-worker) block_on thread.
    auto consumer = rt.spawn(drain(std::move(rx)));
    benchmark::DoNotOptimize(rt.block_on(std::move(consumer)));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kMessages));
  state.SetLabel(multi ? "multi_thread(2)" : "current_thread");
}

void BM_Mpsc_Spsc(benchmark::State& state) { run_bounded(state, 1); }
BENCHMARK(BM_Mpsc_Spsc)
    ->Args({1, 1})
    ->Args({1024, 1})
    ->Args({1, 0})
    ->Args({1024, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Mpsc_Contention_4x(benchmark::State& state) { run_bounded(state, 4); }
BENCHMARK(BM_Mpsc_Contention_4x)
    ->Args({128, 1})
    ->Args({128, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Mpsc_SpscUnbounded(benchmark::State& state) {
  const bool multi = state.range(0) != 0;
  auto rt = make_rt(multi);
  for (auto _ : state) {
    auto [tx, rx] = mpsc::unbounded_channel<std::uint64_t>();
    auto h = rt.spawn([](mpsc::UnboundedSender<std::uint64_t> tx) -> sluice::Task<> {
      for (std::uint64_t i = 0; i < kMessages; ++i) {
        if (tx.send(i).is_err()) co_return;
        if (i % 1024 == 0) co_await sluice::yield_now();
      }
    }(std::move(tx)));
    benchmark::DoNotOptimize(
        rt.block_on([](mpsc::UnboundedReceiver<std::uint64_t>& rx) -> sluice::Task<std::uint64_t> {
          std::uint64_t sum = 0;
          std::vector<std::uint64_t> buf;
          while (co_await rx.recv_many(buf, 256) != 0) {
            for (auto v : buf) sum += v;
            buf.clear();
          }
          co_return sum;
        }(rx)));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kMessages));
  state.SetLabel(multi ? "multi_thread(2)" : "current_thread");
}
BENCHMARK(BM_Mpsc_SpscUnbounded)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
