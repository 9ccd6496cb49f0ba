// sluice::Notify: permits, FIFO notify_one, notify_waiters generations, cancellation forwarding.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/notify.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

namespace st = sluice::testing;
using sluice::Notify;

TEST(Notify, NotifyOneWithoutWaitersStoresExactlyOnePermit) {
  Notify n;
  n.notify_one();
  n.notify_one();
  EXPECT_TRUE(st::spawn(n.notified()).poll().is_ready());
  EXPECT_TRUE(st::spawn(n.notified()).poll().is_pending());
}

TEST(Notify, NotifyOneWakesWaitersInFifoOrder) {
  Notify n;
  auto a = st::spawn(n.notified());
  auto b = st::spawn(n.notified());
  EXPECT_TRUE(a.poll().is_pending());
  EXPECT_TRUE(b.poll().is_pending());
  n.notify_one();
  EXPECT_TRUE(a.is_woken());
  EXPECT_FALSE(b.is_woken());
  EXPECT_TRUE(a.poll().is_ready());
  EXPECT_TRUE(b.poll().is_pending());
  n.notify_one();
  EXPECT_TRUE(b.poll().is_ready());
  // Nobody waits any more: the list is empty, no permit was stored.
  EXPECT_TRUE(st::spawn(n.notified()).poll().is_pending());
}

TEST(Notify, NotifyWaitersWakesAllCreatedBeforeAndStoresNothing) {
  Notify n;
  auto polled = st::spawn(n.notified());
  EXPECT_TRUE(polled.poll().is_pending());
  auto created = st::spawn(n.notified());  // created, never polled
  n.notify_waiters();
  EXPECT_TRUE(polled.is_woken());
  EXPECT_TRUE(polled.poll().is_ready());
  EXPECT_TRUE(created.poll().is_ready());
  EXPECT_TRUE(st::spawn(n.notified()).poll().is_pending());  // created after: not woken
}

TEST(Notify, DroppedWaiterThatWasPickedForwardsTheNotification) {
  Notify n;
  auto a = st::spawn(n.notified());
  auto b = st::spawn(n.notified());
  EXPECT_TRUE(a.poll().is_pending());
  EXPECT_TRUE(b.poll().is_pending());
  n.notify_one();   // picks a
  a.drop_future();  // a is cancelled before completing: b gets it
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(b.poll().is_ready());
}

TEST(Notify, DroppedPickedWaiterWithNobodyElseStoresThePermit) {
  Notify n;
  auto a = st::spawn(n.notified());
  EXPECT_TRUE(a.poll().is_pending());
  n.notify_one();
  a.drop_future();
  EXPECT_TRUE(st::spawn(n.notified()).poll().is_ready());
}

TEST(Notify, DroppedUnpickedWaiterLeavesTheQueueAndReleasesItsWaker) {
  Notify n;
  auto a = st::spawn(n.notified());
  EXPECT_TRUE(a.poll().is_pending());
  EXPECT_EQ(a.waker_ref_count(), 1u);  // the clone stored in the queue
  a.drop_future();
  EXPECT_EQ(a.waker_ref_count(), 0u);
  n.notify_one();  // stored as a permit since nobody waits
  EXPECT_TRUE(st::spawn(n.notified()).poll().is_ready());
}

TEST(Notify, NoLostWakeupsAcrossThreads) {
  // A consumer task waits for N notifications; producers notify after each increment.
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  Notify n;
  std::atomic<int> produced{0};
  const int kTotal = 20'000;
  auto consumer = rt.spawn([](Notify* nn, std::atomic<int>* p, int total) -> sluice::Task<int> {
    int wakeups = 0;
    while (p->load() < total) {
      co_await nn->notified();
      ++wakeups;
    }
    co_return wakeups;
  }(&n, &produced, kTotal));
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < kTotal / 4; ++i) {
        produced.fetch_add(1);
        n.notify_one();
      }
    });
  }
  for (auto& t : ts) t.join();
  auto r = rt.block_on(std::move(consumer));
  // Finishing at all is the check: the last notify_one() follows the last increment, so a
  // consumer that went to sleep before it must be woken (or find the stored permit).
  ASSERT_TRUE(r);
  EXPECT_LE(*r, kTotal);
}

}  // namespace
