// detail::SpinRwLock (the lock of a watch channel's value): readers share, a writer excludes
// everyone, a waiting writer stops new readers (so back-to-back borrows cannot starve a send),
// and under threads no reader ever sees a half-written value.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/spin_rw_lock.hpp>

namespace {

using sluice::detail::SpinRwLock;
using namespace std::chrono_literals;

TEST(SpinRwLock, ReadersShareAWriterExcludes) {
  SpinRwLock l;
  l.lock_shared();
  EXPECT_TRUE(l.try_lock_shared());  // a second reader
  EXPECT_FALSE(l.try_lock());        // no writer while readers hold it
  l.unlock_shared();
  EXPECT_FALSE(l.try_lock());
  l.unlock_shared();
  EXPECT_TRUE(l.try_lock());
  EXPECT_FALSE(l.try_lock());  // one writer at a time
  EXPECT_FALSE(l.try_lock_shared());
  l.unlock();
  EXPECT_TRUE(l.try_lock_shared());
  l.unlock_shared();
}

TEST(SpinRwLock, AWaitingWriterStopsNewReadersAndGetsTheLockWhenTheLastReaderLeaves) {
  SpinRwLock l;
  l.lock_shared();
  std::atomic<bool> writer_has_it{false};
  std::thread writer([&] {
    std::unique_lock w(l);
    writer_has_it.store(true);
  });
  // Wait until the writer has announced itself: then try_lock_shared must fail.
  bool blocked = false;
  for (int i = 0; i < 2000 && !blocked; ++i) {
    if (l.try_lock_shared()) {
      l.unlock_shared();
      std::this_thread::sleep_for(1ms);
    } else {
      blocked = true;
    }
  }
  EXPECT_TRUE(blocked) << "a waiting writer must stop new readers";
  EXPECT_FALSE(writer_has_it.load());
  l.unlock_shared();
  writer.join();
  EXPECT_TRUE(writer_has_it.load());
  EXPECT_TRUE(l.try_lock_shared());  // free again, waiting bit cleared
  l.unlock_shared();
}

TEST(SpinRwLock, AReaderHeldForLongStillLetsTheWriterInAfterwards) {
  SpinRwLock l;
  std::shared_lock r(l);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    std::unique_lock w(l);  // backs off into naps while the reader holds on
    done.store(true);
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(done.load());
  r.unlock();
  writer.join();
  EXPECT_TRUE(done.load());
}

// Two writers keep a pair equal (a, a); readers check they never see it torn; counts add up.
TEST(SpinRwLock, ThreadsNeverSeeAHalfWrittenPair) {
  SpinRwLock l;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  constexpr int kWrites = 20000;
  std::atomic<bool> torn{false};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWrites; ++i) {
        std::unique_lock g(l);
        ++a;
        ++b;
      }
    });
  }
  std::vector<std::thread> readers;
  std::atomic<std::uint64_t> reads{0};
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::shared_lock g(l);
        if (a != b) torn.store(true);
        reads.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : threads) t.join();
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_FALSE(torn.load());
  EXPECT_EQ(a, 2u * kWrites);
  EXPECT_EQ(b, 2u * kWrites);
  EXPECT_GT(reads.load(), 0u);
}

}  // namespace
