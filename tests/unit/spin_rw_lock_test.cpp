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
  for (int i = 0; i < 10000 && !blocked; ++i) {  // up to 10 s for the writer thread to start
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
// The writers start only once every reader is running, and each reader reads at least
// kMinReadsEach times, so reads overlap the writes however the threads are scheduled (an
// earlier version let the writers finish before any reader ran: "0 reads" under ASan).
TEST(SpinRwLock, ThreadsNeverSeeAHalfWrittenPair) {
  SpinRwLock l;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  constexpr int kWrites = 20000;
  constexpr int kReaders = 3;
  constexpr std::uint64_t kMinReadsEach = 1000;
  std::atomic<bool> torn{false};
  std::atomic<bool> stop{false};
  std::atomic<int> readers_running{0};
  std::atomic<std::uint64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&] {
      readers_running.fetch_add(1);
      std::uint64_t mine = 0;
      while (!stop.load(std::memory_order_relaxed) || mine < kMinReadsEach) {
        std::shared_lock g(l);
        if (a != b) torn.store(true);
        ++mine;
      }
      reads.fetch_add(mine);
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&] {
      while (readers_running.load() < kReaders) std::this_thread::yield();
      for (int i = 0; i < kWrites; ++i) {
        std::unique_lock g(l);
        ++a;
        ++b;
      }
    });
  }
  for (auto& t : writers) t.join();
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_FALSE(torn.load());
  EXPECT_EQ(a, 2u * kWrites);
  EXPECT_EQ(b, 2u * kWrites);
  EXPECT_GE(reads.load(), kReaders * kMinReadsEach);
}

}  // namespace
