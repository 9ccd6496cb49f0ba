// oneshot channel: every method, its errors and closing cases, wake-ups, value lifetime.
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include <sluice/block_on.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/time.hpp>

namespace {

using namespace std::chrono_literals;
namespace oneshot = sluice::oneshot;

/// Counts live instances: every construction (incl. copy/move) +1, every destruction -1.
struct Counted {
  static inline std::atomic<int> alive{0};
  int v;
  explicit Counted(int x) : v(x) { ++alive; }
  Counted(const Counted& o) : v(o.v) { ++alive; }
  Counted(Counted&& o) noexcept : v(o.v) { ++alive; }
  Counted& operator=(const Counted&) = default;
  Counted& operator=(Counted&&) = default;
  ~Counted() { --alive; }
};

TEST(Oneshot, SendThenTryRecv) {
  auto [tx, rx] = oneshot::channel<int>();
  EXPECT_TRUE(rx.is_empty());
  EXPECT_EQ(rx.try_recv().error(), oneshot::TryRecvError::Empty);
  EXPECT_TRUE(tx.send(7).has_value());
  EXPECT_FALSE(rx.is_empty());
  EXPECT_FALSE(rx.is_terminated());
  auto r = rx.try_recv();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 7);
  EXPECT_TRUE(rx.is_terminated());
  EXPECT_TRUE(rx.is_empty());
  EXPECT_EQ(rx.try_recv().error(), oneshot::TryRecvError::Closed);
}

TEST(Oneshot, PollPendingThenWokenBySend) {
  auto [tx, rx] = oneshot::channel<std::string>();
  auto t = sluice::testing::spawn(std::move(rx));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  EXPECT_FALSE(t.is_woken());
  EXPECT_TRUE(tx.send("hello").has_value());
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().value(), "hello");
  EXPECT_EQ(t.waker_ref_count(), 0u);  // the channel is gone with its wakers
}

TEST(Oneshot, RepollWithSameWakerKeepsOneClone) {
  auto [tx, rx] = oneshot::channel<int>();
  auto t = sluice::testing::spawn(std::move(rx));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  // A different waker replaces the old one: only the new one is woken.
  sluice::testing::CountingWaker other;
  t.enter([&](sluice::Context&, auto& fut) {
    sluice::coop::Budget b = sluice::coop::Budget::initial();
    sluice::Context cx2(other.waker(), b);
    EXPECT_TRUE(fut.poll(cx2).is_pending());
  });
  EXPECT_EQ(t.waker_ref_count(), 0u);
  EXPECT_EQ(other.ref_count(), 1u);
  EXPECT_TRUE(tx.send(1).has_value());
  EXPECT_FALSE(t.is_woken());
  EXPECT_TRUE(other.is_woken());
}

TEST(Oneshot, SenderDroppedGivesRecvError) {
  auto [tx, rx] = oneshot::channel<int>();
  auto t = sluice::testing::spawn(std::move(rx));
  EXPECT_TRUE(t.poll().is_pending());
  { auto gone = std::move(tx); }
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().is_err());
  EXPECT_EQ(p.value().error(), oneshot::RecvError{});
  EXPECT_STREQ(p.value().error().what(), "channel closed");
}

TEST(Oneshot, SenderDroppedTryRecvClosed) {
  auto [tx, rx] = oneshot::channel<int>();
  { auto gone = std::move(tx); }
  EXPECT_EQ(rx.try_recv().error(), oneshot::TryRecvError::Closed);
  EXPECT_TRUE(rx.is_terminated());
}

TEST(Oneshot, ReceiverDroppedSendHandsValueBack) {
  auto [tx, rx] = oneshot::channel<std::string>();
  EXPECT_FALSE(tx.is_closed());
  { auto gone = std::move(rx); }
  EXPECT_TRUE(tx.is_closed());
  auto r = tx.send("back");
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error(), "back");
}

TEST(Oneshot, CloseBeforeSend) {
  auto [tx, rx] = oneshot::channel<int>();
  rx.close();
  EXPECT_TRUE(tx.is_closed());
  auto r = tx.send(3);
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error(), 3);
  EXPECT_EQ(rx.try_recv().error(), oneshot::TryRecvError::Closed);
}

TEST(Oneshot, CloseAfterSendValueStillReceived) {
  auto [tx, rx] = oneshot::channel<int>();
  EXPECT_TRUE(tx.send(9).has_value());
  rx.close();
  auto t = sluice::testing::spawn(std::move(rx));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().value(), 9);
}

TEST(Oneshot, PollAfterCloseWithoutValueIsError) {
  auto [tx, rx] = oneshot::channel<int>();
  rx.close();
  auto t = sluice::testing::spawn(std::move(rx));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().is_err());
}

TEST(Oneshot, PollAfterCompletionThrows) {
  auto [tx, rx] = oneshot::channel<int>();
  (void)tx.send(1);
  auto t = sluice::testing::spawn(std::move(rx));
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_THROW((void)t.poll(), std::logic_error);
}

TEST(Oneshot, SendOnEmptySenderThrows) {
  auto [tx, rx] = oneshot::channel<int>();
  (void)tx.send(1);
  EXPECT_THROW((void)tx.send(2), std::logic_error);
  EXPECT_FALSE(tx.is_closed());
}

TEST(Oneshot, ClosedFutureWokenByReceiverDrop) {
  auto [tx, rx] = oneshot::channel<int>();
  auto t = sluice::testing::spawn(tx.closed());
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  { auto gone = std::move(rx); }
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().is_ready());
}

TEST(Oneshot, ClosedFutureWokenByClose) {
  auto [tx, rx] = oneshot::channel<int>();
  auto t = sluice::testing::spawn(tx.closed());
  EXPECT_TRUE(t.poll().is_pending());
  rx.close();
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().is_ready());
  t.drop_future();
  auto r = tx.send(5);
  EXPECT_TRUE(r.is_err());
}

TEST(Oneshot, SenderDropReleasesItsClosedWaker) {
  sluice::testing::CountingWaker cw;
  auto [tx, rx] = oneshot::channel<int>();
  {
    sluice::coop::Budget b = sluice::coop::Budget::initial();
    sluice::Context cx(cw.waker(), b);
    EXPECT_TRUE(tx.poll_closed(cx).is_pending());
  }
  EXPECT_EQ(cw.ref_count(), 1u);
  { auto gone = std::move(tx); }
  EXPECT_EQ(cw.ref_count(), 0u);  // dropped while the receiver still lives
  EXPECT_FALSE(cw.is_woken());
}

TEST(Oneshot, ReceiverDropReleasesItsWaker) {
  auto [tx, rx] = oneshot::channel<int>();
  auto t = sluice::testing::spawn(std::move(rx));
  EXPECT_TRUE(t.poll().is_pending());
  t.drop_future();
  EXPECT_EQ(t.waker_ref_count(), 0u);  // even though the sender is alive
  EXPECT_TRUE(tx.is_closed());
}

TEST(Oneshot, ValueDestroyedExactlyOnce) {
  Counted::alive = 0;
  {  // received
    auto [tx, rx] = oneshot::channel<Counted>();
    (void)tx.send(Counted(1));
    auto r = rx.try_recv();
    EXPECT_EQ(r->v, 1);
  }
  EXPECT_EQ(Counted::alive.load(), 0);
  {  // sent, never received: the receiver's drop destroys it
    auto [tx, rx] = oneshot::channel<Counted>();
    (void)tx.send(Counted(2));
    EXPECT_EQ(Counted::alive.load(), 1);
  }
  EXPECT_EQ(Counted::alive.load(), 0);
  {  // sent, receiver closed afterwards, then dropped
    auto [tx, rx] = oneshot::channel<Counted>();
    (void)tx.send(Counted(3));
    rx.close();
    EXPECT_EQ(Counted::alive.load(), 1);
  }
  EXPECT_EQ(Counted::alive.load(), 0);
  {  // receiver gone: handed back, destroyed by the caller
    auto [tx, rx] = oneshot::channel<Counted>();
    { auto gone = std::move(rx); }
    auto r = tx.send(Counted(4));
    EXPECT_EQ(r.error().v, 4);
    EXPECT_EQ(Counted::alive.load(), 1);
  }
  EXPECT_EQ(Counted::alive.load(), 0);
}

TEST(Oneshot, ValueDestroyedExactlyOnceAcrossThreads) {
  Counted::alive = 0;
  for (int i = 0; i < 2000; ++i) {
    auto [tx, rx] = oneshot::channel<Counted>();
    std::thread s([tx = std::move(tx), i]() mutable { (void)tx.send(Counted(i)); });
    if (i % 2) {
      rx.close();
    }
    if (i % 3 == 0) {
      auto gone = std::move(rx);
    }
    s.join();
  }
  EXPECT_EQ(Counted::alive.load(), 0);
}

/// Its move constructor throws when `boom` is set.
struct ThrowOnMove {
  bool boom;
  explicit ThrowOnMove(bool b) : boom(b) {}
  ThrowOnMove(ThrowOnMove&& o) : boom(o.boom) {
    if (boom) throw std::runtime_error("move");
  }
};

TEST(Oneshot, ThrowingMoveDropsTheSender) {
  auto [tx, rx] = oneshot::channel<ThrowOnMove>();
  EXPECT_THROW((void)tx.send(ThrowOnMove(true)), std::runtime_error);
  EXPECT_THROW((void)tx.send(ThrowOnMove(false)), std::logic_error);  // consumed
  EXPECT_EQ(rx.try_recv().error(), oneshot::TryRecvError::Closed);
}

TEST(Oneshot, MoveAssignmentDropsOldChannel) {
  auto [tx1, rx1] = oneshot::channel<int>();
  auto [tx2, rx2] = oneshot::channel<int>();
  rx1 = std::move(rx2);
  EXPECT_TRUE(tx1.is_closed());
  EXPECT_FALSE(tx2.is_closed());
  tx1 = std::move(tx2);
  EXPECT_TRUE(tx1.send(4).has_value());
  EXPECT_EQ(*rx1.try_recv(), 4);
}

TEST(Oneshot, CoopBudgetExhaustedAnswersPending) {
  auto [tx, rx] = oneshot::channel<int>();
  (void)tx.send(1);
  auto t = sluice::testing::spawn(std::move(rx));
  sluice::coop::Budget empty = sluice::coop::Budget::initial();
  while (empty.try_spend()) {
  }
  EXPECT_TRUE(t.poll_with_budget(empty).is_pending());
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().is_ready());
}

TEST(Oneshot, AwaitInRuntimeAcrossTasks) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  int v = rt.block_on([]() -> sluice::Task<int> {
    auto [tx, rx] = oneshot::channel<int>();
    auto h = sluice::spawn([](oneshot::Sender<int> tx) -> sluice::Task<void> {
      (void)tx.send(42);
      co_return;
    }(std::move(tx)));
    auto r = co_await std::move(rx);
    (void)co_await std::move(h);
    co_return r.value();
  }());
  EXPECT_EQ(v, 42);
}

TEST(Oneshot, AwaitByReferenceInSelectIsCancelSafe) {
  auto rt = sluice::Runtime::current_thread();
  int v = rt.block_on([]() -> sluice::Task<int> {
    auto [tx, rx] = oneshot::channel<int>();
    auto s = co_await sluice::select(sluice::by_ref(rx), sluice::sleep(1ms));
    EXPECT_EQ(s.index(), 1u);
    EXPECT_FALSE(rx.is_terminated());
    (void)tx.send(5);
    auto r = co_await rx;
    co_return r.value();
  }());
  EXPECT_EQ(v, 5);
}

TEST(Oneshot, TimeoutElapsesThenValueStillArrives) {
  auto rt = sluice::Runtime::current_thread();
  int v = rt.block_on([]() -> sluice::Task<int> {
    auto [tx, rx] = oneshot::channel<int>();
    auto r1 = co_await sluice::timeout(1ms, sluice::by_ref(rx));
    EXPECT_TRUE(r1.is_err());
    (void)tx.send(6);
    auto r2 = co_await sluice::timeout(1s, sluice::by_ref(rx));
    co_return r2.value().value();
  }());
  EXPECT_EQ(v, 6);
}

TEST(Oneshot, ClosedInSelectWithWork) {
  auto rt = sluice::Runtime::current_thread();
  bool closed = rt.block_on([]() -> sluice::Task<bool> {
    auto [tx, rx] = oneshot::channel<int>();
    auto h = sluice::spawn([](oneshot::Receiver<int> rx) -> sluice::Task<void> {
      co_await sluice::sleep(1ms);
      rx.close();
    }(std::move(rx)));
    auto s = co_await sluice::select(tx.closed(), sluice::sleep(10s));
    (void)co_await std::move(h);
    co_return s.index() == 0;
  }());
  EXPECT_TRUE(closed);
}

TEST(Oneshot, BlockOnFromPlainThread) {
  auto [tx, rx] = oneshot::channel<int>();
  std::thread t([tx = std::move(tx)]() mutable {
    std::this_thread::sleep_for(1ms);
    (void)tx.send(5);
  });
  auto r = sluice::block_on(std::move(rx));
  t.join();
  EXPECT_EQ(r.value(), 5);
}

TEST(Oneshot, BlockingRecvFromPlainThread) {
  auto [tx, rx] = oneshot::channel<int>();
  std::thread t([rx = std::move(rx)]() mutable {
    auto r = rx.blocking_recv();
    EXPECT_EQ(r.value(), 8);
  });
  (void)tx.send(8);
  t.join();
  auto [tx2, rx2] = oneshot::channel<int>();
  std::thread t2([rx = std::move(rx2)]() mutable { EXPECT_TRUE(rx.blocking_recv().is_err()); });
  { auto gone = std::move(tx2); }
  t2.join();
}

TEST(Oneshot, BlockingRecvOnRuntimeThreadThrows) {
  auto rt = sluice::Runtime::current_thread();
  bool threw = rt.block_on([]() -> sluice::Task<bool> {
    auto [tx, rx] = oneshot::channel<int>();
    (void)tx.send(1);
    try {
      (void)rx.blocking_recv();
    } catch (const std::logic_error&) {
      co_return true;
    }
    co_return false;
  }());
  EXPECT_TRUE(threw);
}

}  // namespace
