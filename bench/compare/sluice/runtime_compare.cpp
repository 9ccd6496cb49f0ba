// sluice peer for the side-by-side comparison (bench/compare/run).
//
// Usage: sluice_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
// Prints exactly one line on stdout: `RESULT <workload> <flavour> <ops_per_sec>`
// (or `... n/a` for a workload this peer does not implement).
//
// Protocol shared by all three peers (see bench/compare/README.md):
//   * one untimed warm-up run at max(N/10, 1);
//   * R timed runs at N (default 3), each timed from the main thread around
//     the whole workload call (including its block_on);
//   * the reported figure is the MEDIAN of the R runs' ops/s.
//
// Adding a workload: write `std::uint64_t name(sluice::Runtime&, std::uint64_t n)`
// that does the work and returns the number of operations performed, then add
// one row to kWorkloads.
//
// g++ 12 note: never construct an aggregate inside a co_await expression; bind
// it to a local first (see timer_insert_cancel).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sluice/sluice.hpp>

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "sluice_compare: %s\n", what);
  std::exit(1);
}

template <class T>
void do_not_optimize(T const& v) {
  asm volatile("" : : "r,m"(v) : "memory");
}

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
    if (!r.has_value()) die("spawn_join: task failed");
    sum += *r;
  }
  co_return sum;
}

std::uint64_t spawn_join(sluice::Runtime& rt, std::uint64_t n) {
  std::uint64_t sum = rt.block_on(spawn_join_body(n));
  if (sum != n * (n - 1) / 2) die("spawn_join: bad sum");
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
  if (!ra.has_value() || !rb.has_value()) die("yield_pingpong: task failed");
  co_return *ra + *rb;
}

std::uint64_t yield_pingpong(sluice::Runtime& rt, std::uint64_t n) {
  std::uint64_t total = rt.block_on(yield_pingpong_body(n));
  if (total != 2 * n) die("yield_pingpong: bad count");
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
  if (pending != n) die("timer_insert_cancel: a 1 s sleep completed early");
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
    do_not_optimize(v);
    sum += v;
  }
  if (sum != n) die("block_on_overhead: bad sum");
  return n;
}

// ---------------------------------------------------------------------------
// Workload table.
// ---------------------------------------------------------------------------

using WorkloadFn = std::uint64_t (*)(sluice::Runtime&, std::uint64_t);

struct WorkloadEntry {
  std::string_view name;
  WorkloadFn fn;
  std::uint64_t default_n;
};

constexpr WorkloadEntry kWorkloads[] = {
    {"spawn_join", &spawn_join, 100'000},
    {"yield_pingpong", &yield_pingpong, 1'000'000},
    {"timer_insert_cancel", &timer_insert_cancel, 1'000'000},
    {"block_on_overhead", &block_on_overhead, 1'000'000},
};

const WorkloadEntry* find_workload(std::string_view name) {
  for (const auto& w : kWorkloads) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

sluice::Runtime make_runtime(bool multi_thread) {
  if (multi_thread) return sluice::Builder::multi_thread().worker_threads(2).build();
  return sluice::Builder::current_thread().build();
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: sluice_compare --workload NAME --flavour mt|ct [--n N] [--reps R]\n");
  std::exit(2);
}

std::uint64_t parse_u64(const char* s) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0') usage();
  return static_cast<std::uint64_t>(v);
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload;
  std::string flavour;
  std::uint64_t n = 0;
  std::uint64_t reps = 3;

  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) usage();
    const char* v = argv[++i];
    if (a == "--workload") {
      workload = v;
    } else if (a == "--flavour") {
      flavour = v;
    } else if (a == "--n") {
      n = parse_u64(v);
    } else if (a == "--reps") {
      reps = parse_u64(v);
    } else {
      usage();
    }
  }
  if (workload.empty() || (flavour != "mt" && flavour != "ct")) usage();

  const WorkloadEntry* w = find_workload(workload);
  if (w == nullptr) {
    std::printf("RESULT %s %s n/a\n", workload.c_str(), flavour.c_str());
    return 0;
  }
  if (n == 0) n = w->default_n;
  if (reps == 0) reps = 1;

  sluice::Runtime rt = make_runtime(flavour == "mt");
  do_not_optimize(w->fn(rt, std::max<std::uint64_t>(n / 10, 1)));  // warm-up

  std::vector<double> rates;
  rates.reserve(reps);
  for (std::uint64_t r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t ops = w->fn(rt, n);
    std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    rates.push_back(static_cast<double>(ops) / dt.count());
  }
  std::sort(rates.begin(), rates.end());
  std::printf("RESULT %s %s %.0f\n", workload.c_str(), flavour.c_str(), rates[rates.size() / 2]);
  return 0;
}
