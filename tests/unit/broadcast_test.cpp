// broadcast channel: every method, lag counts, closing, wake-ups, value lifetime.
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/block_on.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/time.hpp>

namespace {

using namespace std::chrono_literals;
namespace broadcast = sluice::broadcast;

struct Counted {
  static inline int alive = 0;
  int v;
  explicit Counted(int x) : v(x) { ++alive; }
  Counted(const Counted& o) : v(o.v) { ++alive; }
  Counted(Counted&& o) noexcept : v(o.v) { ++alive; }
  Counted& operator=(const Counted&) = default;
  ~Counted() { --alive; }
};

TEST(Broadcast, ZeroCapacityThrows) {
  EXPECT_THROW((void)broadcast::channel<int>(0), std::invalid_argument);
}

TEST(Broadcast, EveryReceiverSeesEveryValue) {
  auto [tx, rx1] = broadcast::channel<std::string>(4);
  auto rx2 = tx.subscribe();
  EXPECT_EQ(tx.receiver_count(), 2u);
  EXPECT_EQ(*tx.send("a"), 2u);
  EXPECT_EQ(*tx.send("b"), 2u);
  EXPECT_EQ(*rx1.try_recv(), "a");
  EXPECT_EQ(*rx1.try_recv(), "b");
  EXPECT_TRUE(rx1.try_recv().error().is_empty());
  EXPECT_EQ(*rx2.try_recv(), "a");
  EXPECT_EQ(*rx2.try_recv(), "b");
}

TEST(Broadcast, SubscribeSeesOnlyLaterValues) {
  auto [tx, rx] = broadcast::channel<int>(4);
  (void)tx.send(1);
  auto late = tx.subscribe();
  (void)tx.send(2);
  EXPECT_EQ(*late.try_recv(), 2);
  EXPECT_EQ(*rx.try_recv(), 1);
  auto re = rx.resubscribe();
  EXPECT_TRUE(re.try_recv().error().is_empty());
  EXPECT_TRUE(re.same_channel(rx));
}

TEST(Broadcast, CapacityRoundsUpToPowerOfTwo) {
  auto [tx, rx] = broadcast::channel<int>(3);  // -> 4
  for (int i = 0; i < 4; ++i) (void)tx.send(i);
  EXPECT_EQ(tx.len(), 4u);
  EXPECT_EQ(*rx.try_recv(), 0);  // nothing lapped with 4 slots
  (void)tx.send(4);
  (void)tx.send(5);
  auto r = rx.try_recv();
  ASSERT_TRUE(r.is_err());
  EXPECT_TRUE(r.error().is_lagged());
  EXPECT_EQ(r.error().lagged_count(), 1u);  // value 1 was overwritten
  EXPECT_EQ(*rx.try_recv(), 2);
}

TEST(Broadcast, LaggedCountExactThenContinuesFromOldest) {
  auto [tx, rx] = broadcast::channel<int>(2);
  (void)tx.send(1);
  (void)tx.send(2);
  (void)tx.send(3);  // overwrites 1
  auto t = sluice::testing::spawn(rx.recv());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  ASSERT_TRUE(p.value().is_err());
  EXPECT_EQ(p.value().error(), broadcast::RecvError::lagged(1));
  t.drop_future();
  EXPECT_EQ(*rx.try_recv(), 2);
  EXPECT_EQ(*rx.try_recv(), 3);
  EXPECT_TRUE(rx.try_recv().error().is_empty());
  for (int i = 0; i < 100; ++i) (void)tx.send(i);
  auto r = rx.try_recv();
  EXPECT_EQ(r.error(), broadcast::TryRecvError::lagged(98));
  EXPECT_EQ(*rx.try_recv(), 98);
  EXPECT_EQ(*rx.try_recv(), 99);
}

TEST(Broadcast, SendWithoutReceiversHandsValueBack) {
  auto [tx, rx] = broadcast::channel<std::string>(2);
  { auto gone = std::move(rx); }
  auto r = tx.send("x");
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error().value, "x");
  EXPECT_STREQ(r.error().what(), "channel closed");
  auto rx2 = tx.subscribe();  // reopens
  EXPECT_EQ(*tx.send("y"), 1u);
  EXPECT_EQ(*rx2.try_recv(), "y");
}

// Sender(capacity) is Tokio's Sender::new: no receiver, so the channel starts closed (#7629).
TEST(Broadcast, NewSenderWithoutReceiverHandsValueBack) {
  broadcast::Sender<std::string> tx(4);
  EXPECT_EQ(tx.receiver_count(), 0u);
  EXPECT_EQ(tx.strong_count(), 1u);
  EXPECT_TRUE(tx.is_empty());
  auto r = tx.send("lost");
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error().value, "lost");
  EXPECT_STREQ(r.error().what(), "channel closed");
  auto closed = sluice::testing::spawn(tx.closed());
  EXPECT_TRUE(closed.poll().is_ready());  // no receiver: closed at once
  EXPECT_THROW((void)broadcast::Sender<int>(0), std::invalid_argument);
}

TEST(Broadcast, NewSenderOpensOnSubscribe) {
  broadcast::Sender<std::string> tx(2);
  (void)tx.send("before");  // fails: not seen by anyone
  auto rx = tx.subscribe();
  EXPECT_EQ(tx.receiver_count(), 1u);
  EXPECT_FALSE(rx.is_closed());
  EXPECT_TRUE(rx.try_recv().error().is_empty());
  EXPECT_EQ(*tx.send("after"), 1u);
  EXPECT_EQ(*rx.try_recv(), "after");
  auto rx2 = tx.subscribe();
  EXPECT_EQ(tx.receiver_count(), 2u);
  EXPECT_EQ(*tx.send("both"), 2u);
  EXPECT_EQ(*rx2.try_recv(), "both");
  EXPECT_EQ(*rx.try_recv(), "both");
  auto closed = sluice::testing::spawn(tx.closed());
  EXPECT_TRUE(closed.poll().is_pending());
  { auto gone = std::move(rx); }
  { auto gone = std::move(rx2); }
  EXPECT_TRUE(closed.is_woken());
  EXPECT_TRUE(closed.poll().is_ready());
  EXPECT_EQ(tx.receiver_count(), 0u);
  EXPECT_EQ(tx.send("again").error().value, "again");  // closed again until the next subscribe
}

TEST(Broadcast, NewSenderSubscriberReceivesOnRuntime) {
  auto rt = sluice::Runtime::current_thread();
  int got = rt.block_on([]() -> sluice::Task<int> {
    broadcast::Sender<int> tx(8);
    auto rx = tx.subscribe();
    auto consumer = sluice::spawn([](broadcast::Receiver<int> r) -> sluice::Task<int> {
      int sum = 0;
      for (auto v = co_await r.recv(); v; v = co_await r.recv()) sum += *v;
      co_return sum;  // Closed: the sender is gone
    }(std::move(rx)));
    for (int i = 1; i <= 4; ++i) (void)tx.send(i);
    { auto gone = std::move(tx); }
    auto sum = co_await std::move(consumer);
    co_return sum.value();
  }());
  EXPECT_EQ(got, 10);
}

TEST(Broadcast, RecvPendingThenWokenBySend) {
  auto [tx, rx] = broadcast::channel<int>(2);
  auto t = sluice::testing::spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  (void)tx.send(5);
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.waker_ref_count(), 0u);
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().value(), 5);
}

TEST(Broadcast, CancelledRecvLosesNothing) {
  auto [tx, rx] = broadcast::channel<int>(2);
  auto t = sluice::testing::spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  t.drop_future();
  EXPECT_EQ(t.waker_ref_count(), 0u);
  (void)tx.send(1);
  EXPECT_EQ(*rx.try_recv(), 1);
}

TEST(Broadcast, ClosedAfterValuesDrained) {
  auto [tx, rx] = broadcast::channel<int>(4);
  (void)tx.send(1);
  auto t = sluice::testing::spawn(rx.recv());
  EXPECT_FALSE(rx.is_closed());
  { auto gone = std::move(tx); }
  EXPECT_TRUE(rx.is_closed());
  EXPECT_EQ(t.poll().value().value(), 1);
  t.drop_future();
  EXPECT_TRUE(rx.try_recv().error().is_closed());
  auto t2 = sluice::testing::spawn(rx.recv());
  auto p = t2.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().error(), broadcast::RecvError::closed());
}

TEST(Broadcast, LastSenderDropWakesWaiters) {
  auto [tx, rx] = broadcast::channel<int>(4);
  auto tx2 = tx;
  EXPECT_EQ(tx.strong_count(), 2u);
  auto t = sluice::testing::spawn(rx.recv());
  EXPECT_TRUE(t.poll().is_pending());
  { auto gone = std::move(tx); }
  EXPECT_FALSE(t.is_woken());
  { auto gone = std::move(tx2); }
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().value().error().is_closed());
}

TEST(Broadcast, WeakSender) {
  auto [tx, rx] = broadcast::channel<int>(4);
  auto weak = tx.downgrade();
  EXPECT_EQ(tx.weak_count(), 1u);
  EXPECT_EQ(weak.strong_count(), 1u);
  EXPECT_EQ(rx.sender_weak_count(), 1u);
  {
    auto up = weak.upgrade();
    ASSERT_TRUE(up.has_value());
    EXPECT_EQ(rx.sender_strong_count(), 2u);
    (void)up->send(1);
  }
  { auto gone = std::move(tx); }
  EXPECT_FALSE(weak.upgrade().has_value());
  EXPECT_TRUE(rx.is_closed());  // weak senders do not keep it open
  EXPECT_EQ(*rx.try_recv(), 1);
  EXPECT_TRUE(rx.try_recv().error().is_closed());
}

TEST(Broadcast, LenAndIsEmpty) {
  auto [tx, rx1] = broadcast::channel<int>(4);
  auto rx2 = tx.subscribe();
  EXPECT_TRUE(tx.is_empty());
  EXPECT_TRUE(rx1.is_empty());
  (void)tx.send(1);
  (void)tx.send(2);
  EXPECT_EQ(tx.len(), 2u);
  EXPECT_EQ(rx1.len(), 2u);
  (void)rx1.try_recv();
  (void)rx1.try_recv();
  EXPECT_EQ(rx1.len(), 0u);
  EXPECT_EQ(tx.len(), 2u);  // rx2 has read nothing
  (void)rx2.try_recv();
  EXPECT_EQ(tx.len(), 1u);
  (void)rx2.try_recv();
  EXPECT_TRUE(tx.is_empty());
  for (int i = 0; i < 10; ++i) (void)tx.send(i);
  EXPECT_EQ(tx.len(), 4u);
  EXPECT_EQ(rx1.len(), 10u);  // the receiver's backlog counts the lapped ones too
}

TEST(Broadcast, SameChannel) {
  auto [tx, rx] = broadcast::channel<int>(4);
  auto [tx2, rx2] = broadcast::channel<int>(4);
  auto txc = tx;
  EXPECT_TRUE(tx.same_channel(txc));
  EXPECT_FALSE(tx.same_channel(tx2));
  EXPECT_FALSE(rx.same_channel(rx2));
}

TEST(Broadcast, ValueFreedOnceEveryReceiverSawIt) {
  Counted::alive = 0;
  {
    auto [tx, rx1] = broadcast::channel<Counted>(4);
    auto rx2 = tx.subscribe();
    (void)tx.send(Counted(1));
    EXPECT_EQ(Counted::alive, 1);
    { auto r = rx1.try_recv(); }
    EXPECT_EQ(Counted::alive, 1);  // rx2 has not seen it
    { auto r = rx2.try_recv(); }
    EXPECT_EQ(Counted::alive, 0);  // slot freed
    (void)tx.send(Counted(2));
    (void)tx.send(Counted(3));
    { auto gone = std::move(rx2); }  // marks its unread values read
    EXPECT_EQ(Counted::alive, 2);
    { auto r = rx1.try_recv(); }
    EXPECT_EQ(Counted::alive, 1);
  }
  EXPECT_EQ(Counted::alive, 0);
}

TEST(Broadcast, ClosedFutureCompletesWhenReceiversGone) {
  auto [tx, rx] = broadcast::channel<int>(4);
  auto t = sluice::testing::spawn(tx.closed());
  EXPECT_TRUE(t.poll().is_pending());
  { auto gone = std::move(rx); }
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().is_ready());
  EXPECT_EQ(t.waker_ref_count(), 0u);
}

TEST(Broadcast, CoopBudgetExhaustedAnswersPending) {
  auto [tx, rx] = broadcast::channel<int>(4);
  (void)tx.send(1);
  auto t = sluice::testing::spawn(rx.recv());
  sluice::coop::Budget empty = sluice::coop::Budget::initial();
  while (empty.try_spend()) {
  }
  EXPECT_TRUE(t.poll_with_budget(empty).is_pending());
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.poll().value().value(), 1);
}

TEST(Broadcast, RecvInSelectIsCancelSafe) {
  auto rt = sluice::Runtime::current_thread();
  int v = rt.block_on([]() -> sluice::Task<int> {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto s = co_await sluice::select(rx.recv(), sluice::sleep(1ms));
    EXPECT_EQ(s.index(), 1u);
    (void)tx.send(3);
    auto r = co_await sluice::timeout(1s, rx.recv());
    co_return r.value().value();
  }());
  EXPECT_EQ(v, 3);
}

TEST(Broadcast, ReceiversOnWorkersSeeEverything) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  long total = rt.block_on([]() -> sluice::Task<long> {
    auto [tx, rx] = broadcast::channel<int>(1024);
    std::vector<sluice::JoinHandle<long>> hs;
    for (int i = 0; i < 3; ++i) {
      hs.push_back(sluice::spawn([](broadcast::Receiver<int> rx) -> sluice::Task<long> {
        long sum = 0;
        for (;;) {
          auto r = co_await rx.recv();
          if (!r) {
            EXPECT_TRUE(r.error().is_closed());
            break;
          }
          sum += *r;
        }
        co_return sum;
      }(rx.resubscribe())));
    }
    { auto gone = std::move(rx); }
    for (int i = 1; i <= 1000; ++i) (void)tx.send(i);
    { auto gone = std::move(tx); }
    long all = 0;
    for (auto& h : hs) all += (co_await std::move(h)).value();
    co_return all;
  }());
  EXPECT_EQ(total, 3L * 500500L);
}

TEST(Broadcast, BlockingRecvFromPlainThread) {
  auto [tx, rx] = broadcast::channel<int>(4);
  std::thread t([rx = std::move(rx)]() mutable {
    EXPECT_EQ(rx.blocking_recv().value(), 4);
    EXPECT_TRUE(rx.blocking_recv().error().is_closed());
  });
  std::this_thread::sleep_for(1ms);
  (void)tx.send(4);
  { auto gone = std::move(tx); }
  t.join();
}

}  // namespace
