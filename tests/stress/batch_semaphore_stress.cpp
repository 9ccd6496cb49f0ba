// Stress tests of detail::BatchSemaphore: 8 threads acquiring (1..3 permits) and releasing, with
// try_acquire and cancellations (before, during and after a grant) mixed in; the permits in use
// never exceed the capacity, and every permit is back at the end. Iterations are divided by env
// SLUICE_STRESS_DIV.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/batch_semaphore.hpp>

namespace {

using sluice::Context;
using sluice::coop::Budget;
using sluice::detail::BatchSemaphore;

// A reference-counted waker that parks the waiting thread (std::atomic wait/notify) instead of
// spinning, so that waiting threads leave the two cores to the ones holding permits.
class ParkingWaker {
 public:
  ParkingWaker() : waker_(new State, &kVTable) {}
  const sluice::Waker& waker() const { return waker_; }
  /// Blocks until woken (since the last call), then clears the flag.
  void park() {
    State* s = state();
    s->woken.wait(0, std::memory_order_acquire);
    s->woken.store(0, std::memory_order_relaxed);
  }
  void clear() { state()->woken.store(0, std::memory_order_relaxed); }

 private:
  struct State {
    std::atomic<int> refs{1};
    std::atomic<int> woken{0};
  };
  State* state() const { return static_cast<State*>(waker_.data()); }
  static void* clone(void* d) {
    static_cast<State*>(d)->refs.fetch_add(1, std::memory_order_relaxed);
    return d;
  }
  static void wake_by_ref(void* d) {
    auto* s = static_cast<State*>(d);
    s->woken.store(1, std::memory_order_release);
    s->woken.notify_one();
  }
  static void wake(void* d) {
    wake_by_ref(d);
    drop(d);
  }
  static void drop(void* d) {
    auto* s = static_cast<State*>(d);
    if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete s;
  }
  static constexpr sluice::RawWakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};
  sluice::Waker waker_;
};

std::uint64_t stress_div() {
  const char* e = std::getenv("SLUICE_STRESS_DIV");
  const long d = e ? std::strtol(e, nullptr, 10) : 1;
  return d < 1 ? 1 : static_cast<std::uint64_t>(d);
}

// Small deterministic per-thread generator (xorshift).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

constexpr int kThreads = 8;
constexpr std::size_t kCapacity = 5;

struct Shared {
  BatchSemaphore sem{kCapacity};
  std::atomic<long> in_use{0};
  std::atomic<long> max_in_use{0};
  std::atomic<long> acquired{0};
  std::atomic<long> cancelled{0};
  std::atomic<long> closed_errors{0};
  std::atomic<bool> violation{false};
  std::atomic<int> finished{0};

  void hold(std::size_t n) {
    const long now = in_use.fetch_add(static_cast<long>(n)) + static_cast<long>(n);
    if (now > static_cast<long>(kCapacity)) violation.store(true);
    long m = max_in_use.load();
    while (now > m && !max_in_use.compare_exchange_weak(m, now)) {
    }
    std::this_thread::yield();  // hold the permits a little: the others queue up
    in_use.fetch_sub(static_cast<long>(n));
    acquired.fetch_add(1);
    sem.release(n);
  }
};

// One worker: mixes try_acquire, acquire-and-wait, and acquire-then-cancel.
void worker(Shared& sh, std::uint64_t seed, std::uint64_t iterations) {
  Rng rng{seed * 0x9E3779B97F4A7C15ull + 1};
  ParkingWaker pw;
  Budget budget = Budget::unconstrained();
  Context cx(pw.waker(), budget);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    const std::size_t n = 1 + rng.next() % 3;
    const std::uint64_t action = rng.next() % 10;
    if (action < 2) {
      if (sh.sem.try_acquire(n)) sh.hold(n);
      continue;
    }
    std::optional<BatchSemaphore::Acquire> acq(sh.sem.acquire(n));
    pw.clear();
    auto p = acq->poll(cx);
    if (p.is_ready()) {
      if (p.value().has_value()) {
        sh.hold(n);
      } else {
        sh.closed_errors.fetch_add(1);
      }
      continue;
    }
    if (action < 4) {
      // Cancel after a short, random while: queued, partially granted, or granted in full.
      const std::uint64_t spins = rng.next() % 50;
      for (std::uint64_t s = 0; s < spins; ++s) std::this_thread::yield();
      acq.reset();
      sh.cancelled.fetch_add(1);
      continue;
    }
    for (;;) {
      pw.park();
      auto q = acq->poll(cx);
      if (q.is_pending()) continue;
      if (q.value().has_value()) {
        sh.hold(n);
      } else {
        sh.closed_errors.fetch_add(1);
      }
      break;
    }
  }
  sh.finished.fetch_add(1);
}

TEST(BatchSemaphoreStress, EightThreadsWithCancellationsConservePermits) {
  const std::uint64_t iterations = 10'000 / stress_div();
  Shared sh;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, std::ref(sh), t + 1, iterations);
  for (auto& t : threads) t.join();
  EXPECT_FALSE(sh.violation.load());
  EXPECT_LE(sh.max_in_use.load(), static_cast<long>(kCapacity));
  EXPECT_EQ(sh.sem.available_permits(), kCapacity);
  EXPECT_EQ(sh.in_use.load(), 0);
  EXPECT_GT(sh.acquired.load(), 0);
  EXPECT_GT(sh.cancelled.load(), 0);
  EXPECT_EQ(sh.closed_errors.load(), 0);
}

// Same traffic, and the semaphore is closed half way: nobody hangs, every waiter ends with
// success or Closed, and the permits given back still add up.
TEST(BatchSemaphoreStress, CloseDuringTrafficWakesEveryoneAndConservesPermits) {
  const std::uint64_t iterations = 10'000 / stress_div();
  Shared sh;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back(worker, std::ref(sh), 100 + t, iterations);
  while (sh.acquired.load() < static_cast<long>(iterations) && sh.finished.load() < kThreads) {
    std::this_thread::yield();
  }
  sh.sem.close();
  for (auto& t : threads) t.join();
  EXPECT_TRUE(sh.sem.is_closed());
  EXPECT_FALSE(sh.violation.load());
  EXPECT_EQ(sh.sem.available_permits(), kCapacity);
  EXPECT_GT(sh.closed_errors.load(), 0);
}

}  // namespace
