// Core-model micro benchmarks: the cost of one co_await of an immediately-ready child Task, and
// whether the coroutine frame pool (detail::frame_alloc) beats plain ::operator new.
//
// Run (release preset):
//   build/release/bench/sluice_bench --benchmark_filter=Core --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <utility>

#include <benchmark/benchmark.h>

#include <sluice/detail/frame_allocator.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

// --- 1M sequential awaits of ready child Tasks ----------------------------------------------

sluice::Task<int> ready_child(int i) { co_return i; }

sluice::Task<long long> sequential_awaits(int n) {
  long long sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await ready_child(i);
  co_return sum;
}

void BM_Core_SequentialReadyAwaits(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto t = sluice::testing::spawn(sequential_awaits(n));
    auto p = t.poll();
    benchmark::DoNotOptimize(p.value());
  }
  state.SetItemsProcessed(state.iterations() * n);
  // Time per await (seconds, printed with an SI prefix: "25n" = 25 ns).
  state.counters["per_await"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}
BENCHMARK(BM_Core_SequentialReadyAwaits)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// --- frame allocation: pool vs operator new -------------------------------------------------

// Allocate and free one block of `size` bytes per iteration (the request/response pattern).
template <bool Pooled>
void BM_Core_FrameAllocFree(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* p = Pooled ? sluice::detail::frame_alloc(size) : ::operator new(size);
    benchmark::DoNotOptimize(p);
    if (Pooled) {
      sluice::detail::frame_free(p, size);
    } else {
      ::operator delete(p, size);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_Core_FrameAllocFree, true)->Arg(64)->Arg(128)->Arg(256)->Arg(512);
BENCHMARK_TEMPLATE(BM_Core_FrameAllocFree, false)->Arg(64)->Arg(128)->Arg(256)->Arg(512);

// Allocate a chain of 16 frames, then free them in reverse (a nested await chain unwinding).
template <bool Pooled>
void BM_Core_FrameChain16(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  void* ps[16];
  for (auto _ : state) {
    for (auto& p : ps) p = Pooled ? sluice::detail::frame_alloc(size) : ::operator new(size);
    benchmark::DoNotOptimize(ps);
    for (int i = 15; i >= 0; --i) {
      if (Pooled) {
        sluice::detail::frame_free(ps[i], size);
      } else {
        ::operator delete(ps[i], size);
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK_TEMPLATE(BM_Core_FrameChain16, true)->Arg(128)->Arg(512);
BENCHMARK_TEMPLATE(BM_Core_FrameChain16, false)->Arg(128)->Arg(512);

// A private copy of Task's allocation strategy on a minimal coroutine type, so that creating and
// completing a coroutine can be compared with the pool (Pooled) and with ::operator new.
template <bool Pooled>
struct MiniTask {
  struct promise_type {
    int value = 0;
    MiniTask get_return_object() noexcept {
      return MiniTask{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void return_value(int v) noexcept { value = v; }
    void unhandled_exception() noexcept { std::terminate(); }
    static void* operator new(std::size_t n) {
      return Pooled ? sluice::detail::frame_alloc(n) : ::operator new(n);
    }
    static void operator delete(void* p, std::size_t n) noexcept {
      if (Pooled) {
        sluice::detail::frame_free(p, n);
      } else {
        ::operator delete(p, n);
      }
    }
  };
  std::coroutine_handle<promise_type> h;
  MiniTask(MiniTask&& o) noexcept : h(std::exchange(o.h, nullptr)) {}
  explicit MiniTask(std::coroutine_handle<promise_type> c) noexcept : h(c) {}
  ~MiniTask() {
    if (h) h.destroy();
  }
};

template <bool Pooled>
MiniTask<Pooled> mini(int x) {
  co_return x + 1;
}

template <bool Pooled>
void BM_Core_CoroutineCreateComplete(benchmark::State& state) {
  int i = 0;
  for (auto _ : state) {
    auto t = mini<Pooled>(i++);
    void* addr = t.h.address();
    benchmark::DoNotOptimize(addr);  // the frame escapes: no allocation elision
    t.h.resume();
    benchmark::DoNotOptimize(t.h.promise().value);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_TEMPLATE(BM_Core_CoroutineCreateComplete, true);
BENCHMARK_TEMPLATE(BM_Core_CoroutineCreateComplete, false);

// The real sluice::Task (pooled frames), created and run to completion as a root.
void BM_Core_TaskCreateComplete(benchmark::State& state) {
  sluice::coop::Budget b = sluice::coop::Budget::initial();
  sluice::Context cx(sluice::Waker::noop(), b);
  int i = 0;
  for (auto _ : state) {
    auto t = ready_child(i++);
    auto p = t.poll(cx);
    benchmark::DoNotOptimize(p.value());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Core_TaskCreateComplete);

}  // namespace
