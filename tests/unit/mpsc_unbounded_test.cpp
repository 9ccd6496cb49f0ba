// mpsc unbounded channel, cooperative budget and the memory policy of both channel kinds.
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/yield_now.hpp>

#include "support/mpsc_helpers.hpp"

namespace {

namespace mpsc = sluice::mpsc;
using sluice::test::Counted;
using sluice::testing::spawn;

TEST(MpscUnbounded, SendIsAPlainCallAndRecvGetsInOrder) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(tx.send(i));
  EXPECT_EQ(rx.len(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(rx.try_recv().value(), i);
  EXPECT_TRUE(rx.is_empty());
}

TEST(MpscUnbounded, RecvWokenBySendFromPlainThread) {
  auto [tx, rx] = mpsc::unbounded_channel<std::string>();
  auto t = spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  std::thread th([tx = tx]() mutable { (void)tx.send("from a thread"); });
  th.join();
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), std::optional<std::string>("from a thread"));
}

TEST(MpscUnbounded, SendAfterReceiverDropReturnsValue) {
  Counted::Stats stats;
  auto [tx, rx] = mpsc::unbounded_channel<Counted>();
  ASSERT_TRUE(tx.send(Counted(&stats, 1)));
  ASSERT_TRUE(tx.send(Counted(&stats, 2)));
  { auto gone = std::move(rx); }
  EXPECT_EQ(stats.live.load(), 0);
  EXPECT_TRUE(tx.is_closed());
  auto r = tx.send(Counted(&stats, 3));
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error().value.v, 3);
  EXPECT_STREQ(r.error().what(), "channel closed");
}

TEST(MpscUnbounded, CloseThenDrain) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  ASSERT_TRUE(tx.send(1));
  rx.close();
  EXPECT_TRUE(rx.is_closed());
  EXPECT_TRUE(tx.send(2).is_err());
  EXPECT_EQ(rx.try_recv().value(), 1);
  auto t = spawn(rx.recv());
  EXPECT_EQ(t.poll().value(), std::nullopt);
  EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
}

// The receiver's close is a bit in the block list's tail index: values claimed before it are
// all read (across many blocks), sends after it are refused (their dead claims, across block
// boundaries too, count nowhere: len() and is_empty() see only the live values), and the drain
// ends exactly after the last value sent before the close.
TEST(MpscUnbounded, CloseThenDrainAfterManyMessages) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  constexpr int kSent = 5000;
  constexpr int kBeforeClose = 2500;  // two full batches and a partial one
  for (int i = 0; i < kSent; ++i) ASSERT_TRUE(tx.send(i));
  for (int i = 0; i < kBeforeClose; ++i) {
    if (i % 2 == 0) {
      ASSERT_EQ(rx.try_recv().value(), i);
    } else {
      auto t = spawn(rx.recv());
      ASSERT_EQ(t.poll().value(), std::optional<int>(i));
    }
  }
  rx.close();
  for (int i = 0; i < 100; ++i) {  // 100 dead claims: more than three blocks of positions
    auto refused = tx.send(-i);
    ASSERT_TRUE(refused.is_err());
    EXPECT_EQ(refused.error().value, -i);
  }
  EXPECT_TRUE(tx.is_closed());
  EXPECT_EQ(rx.len(), static_cast<std::size_t>(kSent - kBeforeClose));
  EXPECT_FALSE(rx.is_empty());
  for (int i = kBeforeClose; i < kSent; ++i) ASSERT_EQ(rx.try_recv().value(), i);
  EXPECT_EQ(rx.len(), 0u);
  EXPECT_TRUE(rx.is_empty());
  auto end = spawn(rx.recv());
  EXPECT_EQ(end.poll().value(), std::nullopt);  // the sender is alive: closed and drained
  EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
}

// The two closes in either order: the last sender going and the receiver closing.
TEST(MpscUnbounded, ReceiverCloseAndLastSenderDropInEitherOrder) {
  for (bool receiver_first : {true, false}) {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    ASSERT_TRUE(tx.send(7));
    if (receiver_first) {
      rx.close();
      { auto gone = std::move(tx); }
    } else {
      { auto gone = std::move(tx); }
      rx.close();
    }
    EXPECT_TRUE(rx.is_closed());
    EXPECT_EQ(rx.len(), 1u);
    EXPECT_EQ(rx.try_recv().value(), 7);
    EXPECT_EQ(rx.len(), 0u);
    auto end = spawn(rx.recv());
    EXPECT_EQ(end.poll().value(), std::nullopt) << "receiver_first " << receiver_first;
    EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
  }
}

TEST(MpscUnbounded, LastSenderDropEndsRecv) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  auto t = spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  { auto gone = std::move(tx); }
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), std::nullopt);
  EXPECT_TRUE(rx.is_closed());
}

TEST(MpscUnbounded, WeakSenderUpgradeAndCounts) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  auto weak = tx.downgrade();
  EXPECT_EQ(weak.strong_count(), 1u);
  EXPECT_EQ(weak.weak_count(), 1u);
  EXPECT_EQ(rx.sender_weak_count(), 1u);
  {
    auto strong = weak.upgrade();
    ASSERT_TRUE(strong.has_value());
    EXPECT_EQ(rx.sender_strong_count(), 2u);
    ASSERT_TRUE(strong->send(4));
  }
  auto weak2 = weak;
  EXPECT_EQ(tx.weak_count(), 2u);
  { auto gone = std::move(tx); }
  EXPECT_FALSE(weak.upgrade().has_value());  // only weak senders left: closed for good
  EXPECT_EQ(rx.try_recv().value(), 4);
  EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);
}

TEST(MpscUnbounded, ClosedFutureCompletesWhenReceiverGoes) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  auto t = spawn(tx.closed());
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  rx.close();
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_EQ(t.waker_ref_count(), 0u);
}

TEST(MpscUnbounded, RecvManyAndBlockingRecv) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  std::thread producer([tx = tx]() mutable {
    for (int i = 0; i < 1000; ++i) (void)tx.send(i);
  });
  { auto gone = std::move(tx); }
  std::vector<int> got;
  while (rx.blocking_recv_many(got, 64) != 0) {
  }
  producer.join();
  ASSERT_EQ(got.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(got[i], i);
  EXPECT_EQ(rx.blocking_recv(), std::nullopt);
}

TEST(MpscUnbounded, BlockingRecvThrowsOnARuntimeThread) {
  auto rt = sluice::Runtime::current_thread();
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  bool threw = rt.block_on([](mpsc::UnboundedReceiver<int>& rx) -> sluice::Task<bool> {
    try {
      (void)rx.blocking_recv();
    } catch (const std::logic_error&) {
      co_return true;
    }
    co_return false;
  }(rx));
  EXPECT_TRUE(threw);
}

/// A hand-written future on top of poll_recv_many / poll_recv: sums two messages.
struct SumTwo {
  using Output = int;
  mpsc::UnboundedReceiver<int>* rx;
  std::vector<int> buf;
  sluice::Poll<int> poll(sluice::Context& cx) {
    while (buf.size() < 2) {
      if (buf.empty()) {
        auto p = rx->poll_recv_many(cx, buf, 1);
        if (p.is_pending()) return sluice::pending;
        if (p.value() == 0) return -1;
      } else {
        auto p = rx->poll_recv(cx);
        if (p.is_pending()) return sluice::pending;
        if (!p.value()) return -1;
        buf.push_back(*p.value());
      }
    }
    return buf[0] + buf[1];
  }
};

TEST(MpscUnbounded, PollRecvForHandWrittenFutures) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  auto t = spawn(SumTwo{&rx, {}});
  EXPECT_TRUE(t.poll().is_pending());
  ASSERT_TRUE(tx.send(20));
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().is_pending());
  ASSERT_TRUE(tx.send(22));
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), 42);
}

// A task looping on a never-empty channel must still let another task of the same
// current-thread runtime run: recv spends the coop budget and yields when it is used up.
TEST(MpscCoop, BusyReceiverLetsOtherTasksRun) {
  auto rt = sluice::Runtime::current_thread();
  bool other_ran_during_loop = rt.block_on([]() -> sluice::Task<bool> {
    auto flag = std::make_shared<bool>(false);
    auto h = sluice::spawn([](std::shared_ptr<bool> f) -> sluice::Task<> {
      *f = true;
      co_return;
    }(flag));
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    (void)tx.send(0);
    for (int i = 0; i < 100000; ++i) {
      (void)tx.send(i);
      auto v = co_await rx.recv();  // always ready: only the budget can make it yield
      if (!v) co_return false;
      if (*flag) co_return true;
    }
    co_return false;
  }());
  EXPECT_TRUE(other_ran_during_loop);
}

TEST(MpscCoop, BusyBoundedSenderAndReceiverYield) {
  auto rt = sluice::Runtime::current_thread();
  bool other_ran = rt.block_on([]() -> sluice::Task<bool> {
    auto flag = std::make_shared<bool>(false);
    auto h = sluice::spawn([](std::shared_ptr<bool> f) -> sluice::Task<> {
      *f = true;
      co_return;
    }(flag));
    auto [tx, rx] = mpsc::channel<int>(4);
    for (int i = 0; i < 100000; ++i) {
      auto r = co_await tx.send(i);  // always has room: only the budget can make it yield
      if (r.is_err()) co_return false;
      (void)co_await rx.recv();
      if (*flag) co_return true;
    }
    co_return false;
  }());
  EXPECT_TRUE(other_ran);
}

TEST(MpscCoop, RecvWithoutBudgetIsPendingAndWokenAtOnce) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  ASSERT_TRUE(tx.send(1));
  auto t = spawn(rx.recv());
  sluice::coop::Budget empty = sluice::coop::Budget::initial();
  while (empty.try_spend()) {
  }
  EXPECT_TRUE(t.poll_with_budget(empty).is_pending());
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value(), std::optional<int>(1));  // nothing was lost
}

// Beyond Tokio: after a burst, a drained channel keeps at most a small fixed number of blocks,
// and steady traffic afterwards allocates none.
TEST(MpscMemory, DrainedChannelReturnsToFewBlocks) {
  auto [tx, rx] = mpsc::unbounded_channel<int>();
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(tx.send(i));
  EXPECT_GE(rx.allocated_blocks_for_testing(), 10000u / 32);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(rx.try_recv().value(), i);
  const std::size_t after_drain = rx.allocated_blocks_for_testing();
  EXPECT_LE(after_drain, 5u);
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(tx.send(i));
    for (int i = 0; i < 40; ++i) ASSERT_EQ(rx.try_recv().value(), i);
  }
  EXPECT_LE(rx.allocated_blocks_for_testing(), 5u);
}

TEST(MpscMemory, BoundedChannelAfterBurst) {
  auto [tx, rx] = mpsc::channel<int>(4096);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4096; ++i) ASSERT_TRUE(tx.try_send(i));
    std::vector<int> buf;
    while (buf.size() < 4096) {
      auto t = spawn(rx.recv_many(buf, 4096));
      ASSERT_TRUE(t.poll().is_ready());
    }
    EXPECT_LE(rx.allocated_blocks_for_testing(), 5u);
  }
}

}  // namespace
