// Runtime stress tests (engineer S). Iterations divided by env SLUICE_STRESS_DIV.
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/sleep.hpp>
#include <sluice/yield_now.hpp>

#include "support/runtime_helpers.hpp"

namespace {

using sluice::Builder;
using sluice::JoinHandle;
using sluice::Runtime;
using sluice::Task;
using sluice::test::stress_iters;

Task<long> value(long v) { co_return v; }

Task<long> spawn_join_batches(long total, long batch) {
  long sum = 0;
  std::vector<JoinHandle<long>> hs;
  hs.reserve(static_cast<std::size_t>(batch));
  for (long done = 0; done < total;) {
    long n = std::min(batch, total - done);
    for (long i = 0; i < n; ++i) hs.push_back(sluice::spawn(value(done + i)));
    for (auto& h : hs) sum += (co_await std::move(h)).value();
    hs.clear();
    done += n;
  }
  co_return sum;
}

TEST(RuntimeStress, MillionSpawnedTasksJoined) {
  const long n = stress_iters(1'000'000);
  const long expect = n * (n - 1) / 2;
  {
    auto rt = Builder::multi_thread().worker_threads(2).build();
    EXPECT_EQ(rt.block_on(spawn_join_batches(n, 10'000)), expect);
    // Spawned from inside a task (worker thread: LIFO slot / local queue / stealing).
    EXPECT_EQ(rt.block_on(rt.spawn(spawn_join_batches(n, 10'000))).value(), expect);
  }
  {
    auto rt = Runtime::current_thread();
    EXPECT_EQ(rt.block_on(spawn_join_batches(n / 4, 10'000)), (n / 4) * (n / 4 - 1) / 2);
  }
}

/// Leaf for the wake storm: checks it is never polled concurrently; ready once it has seen every
/// wake (so the test hangs if a wake is ever lost).
struct StormLeaf {
  using Output = long;
  std::atomic<long>* wakes;
  long total;
  std::atomic<int>* in_poll;
  std::atomic<long>* polls;
  std::atomic<bool>* concurrent;
  std::mutex* mu;
  sluice::Waker* slot;
  sluice::Poll<long> poll(sluice::Context& cx) {
    if (in_poll->fetch_add(1) != 0) concurrent->store(true);
    polls->fetch_add(1);
    {
      std::lock_guard g(*mu);
      if (slot->is_empty()) *slot = cx.waker();
    }
    long seen = wakes->load();
    std::this_thread::yield();
    in_poll->fetch_sub(1);
    if (seen == total) return seen;
    return sluice::pending;
  }
};

TEST(RuntimeStress, WakeStormFromManyThreads) {
  const int kThreads = 8;
  const long per_thread = stress_iters(100'000);
  const long total = kThreads * per_thread;
  for (int flavour = 0; flavour < 2; ++flavour) {
    Runtime rt =
        flavour ? Builder::multi_thread().worker_threads(2).build() : Runtime::current_thread();
    std::atomic<long> wakes{0};
    std::atomic<int> in_poll{0};
    std::atomic<long> polls{0};
    std::atomic<bool> concurrent{false};
    std::mutex mu;
    sluice::Waker slot;
    auto h = rt.spawn(StormLeaf{&wakes, total, &in_poll, &polls, &concurrent, &mu, &slot});
    std::thread driver;
    if (!flavour) driver = std::thread([&] { (void)rt.block_on(std::move(h)); });
    sluice::Waker w;
    for (;;) {
      {
        std::lock_guard g(mu);
        if (!slot.is_empty()) {
          w = slot;
          break;
        }
      }
      std::this_thread::yield();
    }
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) {
      ts.emplace_back([&, w] {
        for (long i = 0; i < per_thread; ++i) {
          wakes.fetch_add(1);
          if (i % 2)
            w.wake_by_ref();
          else
            sluice::Waker(w).wake();
        }
      });
    }
    for (auto& t : ts) t.join();
    if (flavour) {
      EXPECT_EQ(rt.block_on(std::move(h)).value(), total);
    } else {
      driver.join();
    }
    EXPECT_FALSE(concurrent.load());
    EXPECT_GE(polls.load(), 2);
    EXPECT_LE(polls.load(), total + 1);
  }
}

/// Wakes itself `self_wakes` times during its first poll (and, if `other` is set, lets another
/// thread wake it during that poll too); ready on the second poll. Counts polls.
struct WakeWhileRunning {
  using Output = int;
  int self_wakes;
  std::atomic<int>* polls;
  bool other;
  sluice::Poll<int> poll(sluice::Context& cx) {
    int n = polls->fetch_add(1) + 1;
    if (n >= 2) return n;
    for (int i = 0; i < self_wakes; ++i) cx.waker().wake_by_ref();
    if (other) {
      sluice::Waker w = cx.waker();
      std::thread([w] { w.wake_by_ref(); }).join();  // a remote wake while RUNNING
    }
    return sluice::pending;
  }
};

TEST(RuntimeStress, TaskWokenWhileRunningRunsAgainExactlyOnce) {
  const int iters = static_cast<int>(stress_iters(2000));
  for (int flavour = 0; flavour < 2; ++flavour) {
    Runtime rt =
        flavour ? Builder::multi_thread().worker_threads(2).build() : Runtime::current_thread();
    for (int i = 0; i < iters; ++i) {
      std::atomic<int> polls{0};
      auto h = rt.spawn(WakeWhileRunning{1 + i % 5, &polls, i % 10 == 0});
      EXPECT_EQ(rt.block_on(std::move(h)).value(), 2);
      EXPECT_EQ(polls.load(), 2);
    }
  }
}

Task<void> ping(std::atomic<long>* counter, long n) {
  for (long i = 0; i < n; ++i) {
    counter->fetch_add(1);
    co_await sluice::yield_now();
  }
}

Task<int> await_never(sluice::test::LifeCounter* lc) {
  sluice::test::Never never(lc);  // named: see DESIGN.md section 5 (g++ co_await temporaries)
  co_return co_await never;
}

TEST(RuntimeStress, ShutdownWithPendingAndNeverCompletingTasks) {
  const int rounds = static_cast<int>(stress_iters(50));
  for (int r = 0; r < rounds; ++r) {
    sluice::test::LifeCounter lc;
    std::atomic<long> counter{0};
    std::vector<JoinHandle<int>> kept;  // outlive the runtime
    {
      Runtime rt =
          (r % 2) ? Builder::multi_thread().worker_threads(2).build() : Runtime::current_thread();
      for (int i = 0; i < 200; ++i) {
        auto h = rt.spawn(await_never(&lc));
        if (i % 2) kept.push_back(std::move(h));
        (void)rt.spawn(ping(&counter, 1'000'000));  // busy tasks still running at shutdown
      }
      // Tasks are lazy: wait until every await_never has been polled once (its Never exists).
      rt.block_on([](sluice::test::LifeCounter* c) -> Task<void> {
        while (c->alive.load() < 200) co_await sluice::yield_now();
      }(&lc));
      // ~Runtime with 200 parked tasks and 200 busy ones; half of the parked still have handles.
    }
    for (auto& h : kept) {
      ASSERT_TRUE(h.is_finished());
      EXPECT_TRUE(sluice::block_on(std::move(h)).error().is_cancelled());
    }
    EXPECT_EQ(lc.alive.load(), 0);
    EXPECT_EQ(lc.destroyed.load(), 200 + 0) << "each Never destroyed exactly once";
  }
}

/// Counts itself alive in a LifeCounter for as long as it exists (lives in a task's frame).
struct Tracked {
  explicit Tracked(sluice::test::LifeCounter* c) : c_(c) { c_->alive.fetch_add(1); }
  Tracked(const Tracked&) = delete;
  ~Tracked() {
    c_->alive.fetch_sub(1);
    c_->destroyed.fetch_add(1);
  }
  sluice::test::LifeCounter* c_;
};

Task<void> sleep_for_an_hour(sluice::test::LifeCounter* lc) {
  Tracked t(lc);
  co_await sluice::sleep(std::chrono::hours(1));
}

TEST(RuntimeStress, ShutdownWithPendingTimers) {
  const int rounds = static_cast<int>(stress_iters(20));
  for (int r = 0; r < rounds; ++r) {
    sluice::test::LifeCounter lc;
    {
      Runtime rt =
          (r % 2) ? Builder::multi_thread().worker_threads(2).build() : Runtime::current_thread();
      for (int i = 0; i < 500; ++i) (void)rt.spawn(sleep_for_an_hour(&lc));
      // Wait until every task registered its timer (each Tracked exists once its task ran).
      rt.block_on([](sluice::test::LifeCounter* c) -> Task<void> {
        while (c->alive.load() < 500) co_await sluice::yield_now();
      }(&lc));
    }
    EXPECT_EQ(lc.alive.load(), 0);
    EXPECT_EQ(lc.destroyed.load(), 500) << "every sleeping task's frame destroyed exactly once";
  }
}

}  // namespace
