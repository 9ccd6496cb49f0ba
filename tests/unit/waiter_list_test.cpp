// detail::WaiterList: FIFO order, removal from any place, wake_all wakes only the waiters queued
// when it started, and the queued flag tells a node's owner whether it may skip the lock.
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/waiter_list.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

using sluice::detail::WaiterList;
using sluice::detail::WaitNode;

TEST(WaiterList, PushPopFifoAndRemove) {
  WaiterList l;
  WaitNode a, b, c;
  EXPECT_TRUE(l.empty());
  l.push_back(a);
  l.push_back(b);
  l.push_back(c);
  EXPECT_EQ(l.size(), 3u);
  EXPECT_TRUE(b.queued.load());
  l.remove(b);
  EXPECT_FALSE(b.queued.load());
  l.remove(b);  // not queued: no-op
  EXPECT_EQ(l.size(), 2u);
  sluice::testing::CountingWaker wa, wc;
  a.waker = wa.waker();
  c.waker = wc.waker();
  auto w1 = l.pop_front();
  EXPECT_TRUE(w1.will_wake(wa.waker()));
  EXPECT_FALSE(a.queued.load());
  EXPECT_TRUE(a.waker.is_empty());  // moved out
  auto w2 = l.pop_front();
  EXPECT_TRUE(w2.will_wake(wc.waker()));
  EXPECT_TRUE(l.empty());
}

TEST(WaiterList, WakeAllWakesEveryQueuedNodeInBatches) {
  std::mutex mu;
  WaiterList l;
  std::vector<sluice::testing::CountingWaker> ws(70);
  std::vector<WaitNode> nodes(70);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].waker = ws[i].waker();
    l.push_back(nodes[i]);
  }
  std::unique_lock lk(mu);
  l.wake_all(lk);
  EXPECT_TRUE(lk.owns_lock());
  EXPECT_TRUE(l.empty());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_EQ(ws[i].wake_count(), 1u) << i;
    EXPECT_EQ(ws[i].ref_count(), 0u) << i;
    EXPECT_FALSE(nodes[i].queued.load());
  }
}

}  // namespace
