// sluice::Mutex and sluice::RwLock: exclusion, FIFO, try/blocking forms, cancellation.
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mutex.hpp>
#include <sluice/sync/rwlock.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/yield_now.hpp>

namespace {

namespace st = sluice::testing;

TEST(Mutex, LockGivesExclusiveAccessAndUnlocksOnGuardDestruction) {
  sluice::Mutex<std::string> m("a");
  auto g = st::spawn(m.lock()).poll();
  ASSERT_TRUE(g.is_ready());
  auto guard = std::move(g).value();
  *guard += "b";
  EXPECT_FALSE(m.try_lock());
  auto waiter = st::spawn(m.lock());
  EXPECT_TRUE(waiter.poll().is_pending());
  { auto drop = std::move(guard); }
  EXPECT_TRUE(waiter.is_woken());
  auto g2 = waiter.poll();
  ASSERT_TRUE(g2.is_ready());
  EXPECT_EQ(*g2.value(), "ab");
}

TEST(Mutex, WaitersAreServedInFifoOrder) {
  sluice::Mutex<std::vector<int>> m;
  auto first = m.try_lock();
  ASSERT_TRUE(first);
  std::vector<st::MockTask<sluice::Mutex<std::vector<int>>::Lock>> waiters;
  for (int i = 0; i < 4; ++i) {
    waiters.push_back(st::spawn(m.lock()));
    EXPECT_TRUE(waiters.back().poll().is_pending());
  }
  first.reset();
  for (int i = 0; i < 4; ++i) {
    for (int j = i + 1; j < 4; ++j)
      EXPECT_FALSE(waiters[static_cast<std::size_t>(j)].is_woken()) << i << j;
    ASSERT_TRUE(waiters[static_cast<std::size_t>(i)].is_woken());
    auto g = waiters[static_cast<std::size_t>(i)].poll();
    ASSERT_TRUE(g.is_ready());
    g.value()->push_back(i);
  }
  EXPECT_EQ(m.get_mut(), (std::vector<int>{0, 1, 2, 3}));
}

TEST(Mutex, CancelledLockPassesTheLockOn) {
  sluice::Mutex<int> m(0);
  auto held = m.try_lock();
  auto a = st::spawn(m.lock());
  auto b = st::spawn(m.lock());
  EXPECT_TRUE(a.poll().is_pending());
  EXPECT_TRUE(b.poll().is_pending());
  held.reset();     // a is granted the lock...
  a.drop_future();  // ...and cancelled before it saw it: b gets it
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(b.poll().is_ready());
}

TEST(Mutex, BlockingLockWorksOnPlainThreadsAndFailsOnRuntimeThreads) {
  sluice::Mutex<int> m(0);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) *m.blocking_lock() += 1;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(m.get_mut(), 4000);
  auto rt = sluice::Runtime::current_thread();
  EXPECT_THROW(rt.block_on([](sluice::Mutex<int>* mm) -> sluice::Task<void> {
    (void)mm->blocking_lock();
    co_return;
  }(&m)),
               std::logic_error);
}

TEST(Mutex, CounterOverManyTasksOnTheMultiThreadRuntime) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  auto counter = std::make_shared<sluice::Mutex<long>>(0);
  std::vector<sluice::JoinHandle<void>> hs;
  for (int i = 0; i < 100; ++i) {
    hs.push_back(rt.spawn([](std::shared_ptr<sluice::Mutex<long>> c) -> sluice::Task<void> {
      for (int k = 0; k < 100; ++k) {
        auto g = co_await c->lock();
        long v = *g;
        co_await sluice::yield_now();  // held across a suspension: still exclusive
        *g = v + 1;
      }
    }(counter)));
  }
  for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)));
  EXPECT_EQ(counter->get_mut(), 10'000);
}

TEST(RwLock, ManyReadersOrOneWriter) {
  sluice::RwLock<int> l(5);
  auto r1 = l.try_read();
  auto r2 = l.try_read();
  ASSERT_TRUE(r1 && r2);
  EXPECT_EQ(**r1 + **r2, 10);
  EXPECT_FALSE(l.try_write());
  r1.reset();
  r2.reset();
  auto w = l.try_write();
  ASSERT_TRUE(w);
  **w = 6;
  EXPECT_FALSE(l.try_read());
  w.reset();
  EXPECT_EQ(**l.try_read(), 6);
}

TEST(RwLock, AWaitingWriterBlocksLaterReaders) {
  sluice::RwLock<int> l(0);
  auto r = l.try_read();
  auto writer = st::spawn(l.write());
  EXPECT_TRUE(writer.poll().is_pending());
  EXPECT_FALSE(l.try_read());  // write-preferring: no barging past the writer
  auto reader = st::spawn(l.read());
  EXPECT_TRUE(reader.poll().is_pending());
  r.reset();
  EXPECT_TRUE(writer.is_woken());
  auto w = writer.poll();
  ASSERT_TRUE(w.is_ready());
  EXPECT_FALSE(reader.is_woken());
  { auto drop = std::move(w).value(); }
  EXPECT_TRUE(reader.is_woken());
  EXPECT_TRUE(reader.poll().is_ready());
}

TEST(RwLock, MaxReadersIsEnforcedAndValidated) {
  auto l = sluice::RwLock<int>::with_max_readers(2, 1);
  auto a = l.try_read();
  auto b = l.try_read();
  EXPECT_TRUE(a && b);
  EXPECT_FALSE(l.try_read());
  EXPECT_THROW((void)sluice::RwLock<int>::with_max_readers(0, 1), std::invalid_argument);
}

TEST(RwLock, BlockingFormsFromPlainThreads) {
  sluice::RwLock<long> l(0);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&, i] {
      for (int k = 0; k < 500; ++k) {
        if (i % 2 == 0) {
          *l.blocking_write() += 1;
        } else {
          EXPECT_GE(*l.blocking_read(), 0);
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(l.get_mut(), 1000);
}

}  // namespace
