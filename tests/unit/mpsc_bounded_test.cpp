// mpsc bounded channel: the core of Sender / Receiver (send, recv, try_*, close, drop, counts).
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>

#include "support/mpsc_helpers.hpp"

namespace {

namespace mpsc = sluice::mpsc;
using sluice::test::Counted;
using sluice::testing::spawn;

TEST(MpscBounded, CapacityZeroThrows) {
  try {
    (void)mpsc::channel<int>(0);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("capacity must be greater than 0"), std::string::npos);
  }
}

TEST(MpscBounded, SendRecvInOrder) {
  auto [tx, rx] = mpsc::channel<int>(4);
  for (int i = 0; i < 4; ++i) {
    auto t = spawn(tx.send(i));
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_TRUE(p.value().has_value());
  }
  EXPECT_EQ(rx.len(), 4u);
  for (int i = 0; i < 4; ++i) {
    auto t = spawn(rx.recv());
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value(), std::optional<int>(i));
  }
  EXPECT_TRUE(rx.is_empty());
}

TEST(MpscBounded, SendWaitsForCapacityAndIsWokenByRecv) {
  auto [tx, rx] = mpsc::channel<int>(1);
  ASSERT_TRUE(tx.try_send(1));
  auto t = spawn(tx.send(2));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(tx.capacity(), 0u);
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().has_value());
  EXPECT_EQ(rx.try_recv().value(), 2);
}

TEST(MpscBounded, RecvIsWokenBySend) {
  auto [tx, rx] = mpsc::channel<int>(2);
  auto t = spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  ASSERT_TRUE(tx.try_send(9));
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), std::optional<int>(9));
}

// The channel keeps the receiver's waker between waits (re-armed without a clone, woken by
// reference: atomic_waker.hpp); dropping the receiver releases it even while senders live.
TEST(MpscBounded, TheReceiversWakerGoesWithTheReceiver) {
  auto [tx, first_rx] = mpsc::channel<int>(2);
  std::optional<mpsc::Receiver<int>> rx(std::move(first_rx));
  auto t = spawn(rx->recv());
  EXPECT_TRUE(t.poll().is_pending());
  ASSERT_TRUE(tx.try_send(1));
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), std::optional<int>(1));
  t.drop_future();
  EXPECT_EQ(t.waker_ref_count(), 1u);  // kept for the next wait
  rx.reset();
  EXPECT_EQ(t.waker_ref_count(), 0u);
  EXPECT_TRUE(tx.is_closed());
}

TEST(MpscBounded, TrySendFullAndClosedGiveTheValueBack) {
  auto [tx, rx] = mpsc::channel<std::string>(1);
  ASSERT_TRUE(tx.try_send("a"));
  auto full = tx.try_send("b");
  ASSERT_TRUE(full.is_err());
  EXPECT_TRUE(full.error().is_full());
  EXPECT_STREQ(full.error().what(), "no available capacity");
  EXPECT_EQ(std::move(full.error()).into_inner(), "b");
  rx.close();
  auto closed = tx.try_send("c");
  ASSERT_TRUE(closed.is_err());
  EXPECT_TRUE(closed.error().is_closed());
  EXPECT_EQ(closed.error().value, "c");
}

TEST(MpscBounded, SendOnClosedChannelReturnsValue) {
  auto [tx, rx] = mpsc::channel<std::string>(1);
  rx.close();
  auto t = spawn(tx.send("lost?"));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  ASSERT_TRUE(p.value().is_err());
  EXPECT_EQ(p.value().error().value, "lost?");
  EXPECT_STREQ(p.value().error().what(), "channel closed");
}

TEST(MpscBounded, WaitingSendFailsWhenReceiverDropped) {
  auto ch = std::make_unique<mpsc::Channel<int>>(mpsc::channel<int>(1));
  auto& tx = ch->tx;
  ASSERT_TRUE(tx.try_send(1));
  auto t = spawn(tx.send(2));
  EXPECT_TRUE(t.poll().is_pending());
  { auto rx = std::move(ch->rx); }
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.value().is_err());
  EXPECT_EQ(p.value().error().value, 2);
  EXPECT_TRUE(tx.is_closed());
}

TEST(MpscBounded, TryRecvEmptyThenDisconnected) {
  auto [tx, rx] = mpsc::channel<int>(2);
  auto r = rx.try_recv();
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error(), mpsc::TryRecvError::Empty);
  EXPECT_STREQ(mpsc::to_string(r.error()), "receiving on an empty channel");
  ASSERT_TRUE(tx.try_send(5));
  { auto gone = std::move(tx); }
  EXPECT_EQ(rx.try_recv().value(), 5);
  auto d = rx.try_recv();
  ASSERT_TRUE(d.is_err());
  EXPECT_EQ(d.error(), mpsc::TryRecvError::Disconnected);
}

TEST(MpscBounded, RecvReturnsNulloptWhenAllSendersGone) {
  auto [tx, rx] = mpsc::channel<int>(2);
  auto tx2 = tx;
  auto t = spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  { auto a = std::move(tx); }
  EXPECT_TRUE(t.poll().is_pending());  // tx2 still alive
  { auto b = std::move(tx2); }
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), std::nullopt);
  EXPECT_TRUE(rx.is_closed());
}

TEST(MpscBounded, CloseKeepsQueuedMessagesReadable) {
  auto [tx, rx] = mpsc::channel<int>(4);
  ASSERT_TRUE(tx.try_send(1));
  ASSERT_TRUE(tx.try_send(2));
  rx.close();
  EXPECT_TRUE(rx.is_closed());
  EXPECT_TRUE(tx.is_closed());
  EXPECT_TRUE(tx.try_send(3).is_err());
  EXPECT_EQ(rx.try_recv().value(), 1);
  auto t = spawn(rx.recv());
  EXPECT_EQ(t.poll().value(), std::optional<int>(2));
  auto t2 = spawn(rx.recv());
  EXPECT_EQ(t2.poll().value(), std::nullopt);  // closed, idle: done even though tx lives
  EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
}

TEST(MpscBounded, CloseWithOutstandingPermitWaitsForIt) {
  auto [tx, rx] = mpsc::channel<int>(4);
  auto permit = tx.try_reserve();
  ASSERT_TRUE(permit);
  rx.close();
  EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Empty);  // a permit may still send
  auto t = spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  permit->send(7);
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), std::optional<int>(7));
  EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
}

TEST(MpscBounded, DroppingUnusedPermitWakesClosedReceiver) {
  auto [tx, rx] = mpsc::channel<int>(4);
  std::optional<mpsc::Permit<int>> permit(std::move(*tx.try_reserve()));
  rx.close();
  auto t = spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  permit.reset();
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), std::nullopt);
}

TEST(MpscBounded, ReceiverDropDestroysUnreadMessagesAtOnce) {
  Counted::Stats stats;
  auto [tx, rx] = mpsc::channel<Counted>(8);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(tx.try_send(Counted(&stats, i)));
  EXPECT_EQ(stats.live.load(), 5);
  { auto gone = std::move(rx); }
  EXPECT_EQ(stats.live.load(), 0);  // destroyed right then, while tx is still alive
  auto r = tx.try_send(Counted(&stats, 9));
  ASSERT_TRUE(r.is_err());
  EXPECT_TRUE(r.error().is_closed());
  EXPECT_EQ(r.error().value.v, 9);
}

TEST(MpscBounded, ChannelDestructionDestroysEachValueOnce) {
  Counted::Stats stats;
  {
    auto [tx, rx] = mpsc::channel<Counted>(64);
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(tx.try_send(Counted(&stats, i)));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(rx.try_recv()->v, i);
  }
  EXPECT_EQ(stats.live.load(), 0);
  EXPECT_EQ(stats.double_destroy.load(), 0);
}

TEST(MpscBounded, CapacityLenAndCounts) {
  auto [tx, rx] = mpsc::channel<int>(3);
  EXPECT_EQ(tx.max_capacity(), 3u);
  EXPECT_EQ(rx.max_capacity(), 3u);
  EXPECT_EQ(tx.capacity(), 3u);
  ASSERT_TRUE(tx.try_send(1));
  EXPECT_EQ(tx.capacity(), 2u);
  EXPECT_EQ(rx.capacity(), 2u);
  EXPECT_EQ(rx.len(), 1u);
  EXPECT_FALSE(rx.is_empty());
  EXPECT_EQ(tx.strong_count(), 1u);
  EXPECT_EQ(rx.sender_strong_count(), 1u);
  {
    auto tx2 = tx;
    EXPECT_EQ(tx.strong_count(), 2u);
    EXPECT_TRUE(tx.same_channel(tx2));
    auto w = tx.downgrade();
    EXPECT_EQ(tx.weak_count(), 1u);
    EXPECT_EQ(rx.sender_weak_count(), 1u);
  }
  EXPECT_EQ(tx.strong_count(), 1u);
  EXPECT_EQ(tx.weak_count(), 0u);
  auto [other_tx, other_rx] = mpsc::channel<int>(1);
  EXPECT_FALSE(tx.same_channel(other_tx));
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_EQ(tx.capacity(), 3u);
  EXPECT_EQ(rx.len(), 0u);
}

TEST(MpscBounded, LenIgnoresTheClosingClaim) {
  auto [tx, rx] = mpsc::channel<int>(3);
  ASSERT_TRUE(tx.try_send(1));
  ASSERT_TRUE(tx.try_send(2));
  { auto gone = std::move(tx); }
  EXPECT_EQ(rx.len(), 2u);
  EXPECT_FALSE(rx.is_empty());
  (void)rx.try_recv();
  (void)rx.try_recv();
  EXPECT_EQ(rx.len(), 0u);
  EXPECT_TRUE(rx.is_empty());
}

TEST(MpscBounded, RecvManyTakesUpToLimit) {
  auto [tx, rx] = mpsc::channel<int>(8);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(tx.try_send(i));
  std::vector<int> buf{-1};
  auto t = spawn(rx.recv_many(buf, 3));
  EXPECT_EQ(t.poll().value(), 3u);
  EXPECT_EQ(buf, (std::vector<int>{-1, 0, 1, 2}));
  EXPECT_EQ(tx.capacity(), 6u);
  auto t0 = spawn(rx.recv_many(buf, 0));
  EXPECT_EQ(t0.poll().value(), 0u);
  auto t2 = spawn(rx.recv_many(buf, 10));
  EXPECT_EQ(t2.poll().value(), 2u);
  auto t3 = spawn(rx.recv_many(buf, 10));
  EXPECT_TRUE(t3.poll().is_pending());
  ASSERT_TRUE(tx.try_send(9));
  EXPECT_TRUE(t3.is_woken());
  EXPECT_EQ(t3.poll().value(), 1u);
  { auto gone = std::move(tx); }
  auto t4 = spawn(rx.recv_many(buf, 10));
  EXPECT_EQ(t4.poll().value(), 0u);
  EXPECT_EQ(buf, (std::vector<int>{-1, 0, 1, 2, 3, 4, 9}));
}

TEST(MpscBounded, CancelledRecvLosesNothing) {
  auto [tx, rx] = mpsc::channel<int>(2);
  {
    auto t = spawn(rx.recv());
    EXPECT_TRUE(t.poll().is_pending());
    t.drop_future();
  }
  ASSERT_TRUE(tx.try_send(3));
  EXPECT_EQ(rx.try_recv().value(), 3);
}

TEST(MpscBounded, CancelledSendKeepsFifoForOthers) {
  auto [tx, rx] = mpsc::channel<int>(1);
  ASSERT_TRUE(tx.try_send(0));
  auto a = spawn(tx.send(1));
  auto b = spawn(tx.send(2));
  EXPECT_TRUE(a.poll().is_pending());
  EXPECT_TRUE(b.poll().is_pending());
  EXPECT_TRUE(tx.try_send(99).is_err());  // no barging past queued senders
  EXPECT_EQ(rx.try_recv().value(), 0);    // slot granted to a
  EXPECT_TRUE(a.is_woken());
  a.drop_future();  // cancelled: the slot goes on to b
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(b.poll().value().has_value());
  EXPECT_EQ(rx.try_recv().value(), 2);
  EXPECT_EQ(tx.capacity(), 1u);
}

TEST(MpscBounded, MoveOnlyValues) {
  auto [tx, rx] = mpsc::channel<std::unique_ptr<int>>(2);
  ASSERT_TRUE(tx.try_send(std::make_unique<int>(4)));
  auto v = rx.try_recv();
  ASSERT_TRUE(v);
  EXPECT_EQ(**v, 4);
}

TEST(MpscBounded, WorksInsideARuntime) {
  auto rt = sluice::Runtime::current_thread();
  auto sum = rt.block_on([]() -> sluice::Task<int> {
    auto [tx, rx] = mpsc::channel<int>(2);
    auto producer = [](mpsc::Sender<int> tx) -> sluice::Task<> {
      for (int i = 1; i <= 100; ++i) {
        auto r = co_await tx.send(i);
        if (r.is_err()) co_return;
      }
    };
    auto h = sluice::spawn(producer(std::move(tx)));
    int total = 0;
    while (auto v = co_await rx.recv()) total += *v;
    co_return total;
  }());
  EXPECT_EQ(sum, 5050);
}

TEST(MpscBounded, MoveAssignmentDropsTheOldChannel) {
  auto [tx1, rx1] = mpsc::channel<int>(1);
  auto [tx2, rx2] = mpsc::channel<int>(1);
  rx1 = std::move(rx2);  // the first channel's receiver is gone
  EXPECT_TRUE(tx1.is_closed());
  tx1 = tx2;  // copy-assign: tx1 now feeds channel 2
  EXPECT_TRUE(tx1.same_channel(tx2));
  EXPECT_EQ(tx2.strong_count(), 2u);
  ASSERT_TRUE(tx1.try_send(5));
  EXPECT_EQ(rx1.try_recv().value(), 5);
}

}  // namespace
