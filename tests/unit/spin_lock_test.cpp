// detail::SpinLock: mutual exclusion, try_lock, and a holder that sleeps (the waiters back off
// into yields and naps instead of failing).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/spin_lock.hpp>

namespace {

using sluice::detail::SpinLock;
using namespace std::chrono_literals;

TEST(SpinLock, TryLockFailsWhileHeldAndSucceedsAfterUnlock) {
  SpinLock l;
  EXPECT_TRUE(l.try_lock());
  EXPECT_FALSE(l.try_lock());
  l.unlock();
  EXPECT_TRUE(l.try_lock());
  l.unlock();
}

// Four threads increment a plain counter under the lock; a second counter checks that nobody
// was ever inside with somebody else.
TEST(SpinLock, FourThreadsNeverOverlapAndEveryIncrementCounts) {
  SpinLock l;
  std::uint64_t counter = 0;
  std::atomic<int> inside{0};
  std::atomic<bool> overlap{false};
  constexpr int kThreads = 4;
  constexpr int kEach = 50000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        std::lock_guard g(l);
        if (inside.fetch_add(1) != 0) overlap.store(true);
        ++counter;
        inside.fetch_sub(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(overlap.load());
  EXPECT_EQ(counter, std::uint64_t{kThreads} * kEach);
}

TEST(SpinLock, AWaiterGetsTheLockAfterALongHold) {
  SpinLock l;
  std::unique_lock held(l);
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    std::lock_guard g(l);  // spins, yields, then naps while the main thread sleeps
    got.store(true);
  });
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(got.load());
  held.unlock();
  waiter.join();
  EXPECT_TRUE(got.load());
}

}  // namespace
