// watch channel: every method, its errors and closing cases, wake-ups and cancellation.
#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/block_on.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/time.hpp>
#include <sluice/yield_now.hpp>

namespace {

using namespace std::chrono_literals;
namespace watch = sluice::watch;

TEST(Watch, InitialValueIsSeen) {
  auto [tx, rx] = watch::channel<int>(5);
  EXPECT_EQ(*rx.borrow(), 5);
  EXPECT_FALSE(rx.borrow().has_changed());
  EXPECT_FALSE(rx.has_changed().value());
  EXPECT_EQ(*tx.borrow(), 5);
}

TEST(Watch, SendMarksChangedUntilBorrowAndUpdate) {
  auto [tx, rx] = watch::channel<std::string>("a");
  EXPECT_TRUE(tx.send("b").has_value());
  EXPECT_TRUE(rx.has_changed().value());
  {
    auto r = rx.borrow();
    EXPECT_TRUE(r.has_changed());
    EXPECT_EQ(*r, "b");
  }
  EXPECT_TRUE(rx.has_changed().value());  // borrow() does not mark seen
  {
    auto r = rx.borrow_and_update();
    EXPECT_TRUE(r.has_changed());
    EXPECT_EQ(r->size(), 1u);
  }
  EXPECT_FALSE(rx.has_changed().value());
  EXPECT_FALSE(rx.borrow_and_update().has_changed());
}

TEST(Watch, ChangedPendingThenWoken) {
  auto [tx, rx] = watch::channel<int>(0);
  auto t = sluice::testing::spawn(rx.changed());
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  EXPECT_TRUE(tx.send(1).has_value());
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().has_value());
  EXPECT_EQ(t.waker_ref_count(), 0u);
  EXPECT_FALSE(rx.has_changed().value());  // changed() marked it seen
}

TEST(Watch, ChangedReadyAtOnceWhenUnseen) {
  auto [tx, rx] = watch::channel<int>(0);
  (void)tx.send(1);
  auto t = sluice::testing::spawn(rx.changed());
  EXPECT_TRUE(t.poll().is_ready());
}

TEST(Watch, CancelledChangedMarksNothingAndReleasesWaker) {
  auto [tx, rx] = watch::channel<int>(0);
  auto t = sluice::testing::spawn(rx.changed());
  EXPECT_TRUE(t.poll().is_pending());
  t.drop_future();
  EXPECT_EQ(t.waker_ref_count(), 0u);
  (void)tx.send(1);
  EXPECT_TRUE(rx.has_changed().value());
}

TEST(Watch, ReceiverThatMissesManySendsSeesOnlyNewest) {
  auto [tx, rx] = watch::channel<int>(0);
  for (int i = 1; i <= 1000; ++i) (void)tx.send(i);
  auto t = sluice::testing::spawn(rx.changed());
  EXPECT_TRUE(t.poll().is_ready());
  t.drop_future();
  EXPECT_EQ(*rx.borrow_and_update(), 1000);
  auto t2 = sluice::testing::spawn(rx.changed());
  EXPECT_TRUE(t2.poll().is_pending());  // exactly one change observed for 1000 sends
}

TEST(Watch, ChangedNeverMissesFinalValue) {
  auto [tx, rx] = watch::channel<int>(0);
  auto t = sluice::testing::spawn(rx.changed());
  EXPECT_TRUE(t.poll().is_pending());
  (void)tx.send(42);
  { auto gone = std::move(tx); }
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().has_value());  // the final value first
  EXPECT_EQ(*rx.borrow(), 42);
  auto t2 = sluice::testing::spawn(rx.changed());
  auto p2 = t2.poll();
  ASSERT_TRUE(p2.is_ready());
  EXPECT_TRUE(p2.value().is_err());  // then closed
}

TEST(Watch, SenderDropWakesWaitingReceiver) {
  auto [tx, rx] = watch::channel<int>(0);
  auto t = sluice::testing::spawn(rx.changed());
  EXPECT_TRUE(t.poll().is_pending());
  { auto gone = std::move(tx); }
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().error(), watch::RecvError{});
  EXPECT_TRUE(rx.has_changed().is_err());
}

TEST(Watch, SendFailsWithoutReceiversAndHandsValueBack) {
  auto [tx, rx] = watch::channel<std::string>("keep");
  EXPECT_FALSE(tx.is_closed());
  { auto gone = std::move(rx); }
  EXPECT_TRUE(tx.is_closed());
  auto r = tx.send("lost");
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error().value, "lost");
  EXPECT_STREQ(r.error().what(), "channel closed");
  EXPECT_EQ(*tx.borrow(), "keep");
  EXPECT_EQ(tx.send_replace("new"), "keep");  // works with no receivers
  tx.send_modify([](std::string& s) { s += "!"; });
  EXPECT_EQ(*tx.borrow(), "new!");
  auto rx2 = tx.subscribe();  // reopens
  EXPECT_FALSE(tx.is_closed());
  EXPECT_FALSE(rx2.has_changed().value());  // subscribe counts the current value as seen
  EXPECT_TRUE(tx.send("x").has_value());
  EXPECT_TRUE(rx2.has_changed().value());
}

// Sender(init) is Tokio's Sender::new: no receiver yet, so send() fails until subscribe().
TEST(Watch, NewSenderWithoutReceiverHandsValueBack) {
  watch::Sender<std::string> tx("init");
  EXPECT_EQ(tx.receiver_count(), 0u);
  EXPECT_EQ(tx.sender_count(), 1u);
  EXPECT_TRUE(tx.is_closed());
  EXPECT_EQ(*tx.borrow(), "init");
  EXPECT_FALSE(tx.borrow().has_changed());
  auto r = tx.send("lost");
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error().value, "lost");
  EXPECT_EQ(*tx.borrow(), "init");  // a failed send stores nothing
  EXPECT_EQ(tx.send_replace("replaced"), "init");
  EXPECT_EQ(*tx.borrow(), "replaced");
  tx.send_modify([](std::string& s) { s += "!"; });
  EXPECT_EQ(*tx.borrow(), "replaced!");
  auto closed = sluice::testing::spawn(tx.closed());
  EXPECT_TRUE(closed.poll().is_ready());  // no receiver: closed at once
}

TEST(Watch, NewSenderOpensOnSubscribe) {
  watch::Sender<int> tx(1);
  EXPECT_EQ(tx.send_replace(2), 1);
  auto rx = tx.subscribe();
  EXPECT_EQ(tx.receiver_count(), 1u);
  EXPECT_FALSE(tx.is_closed());
  EXPECT_EQ(*rx.borrow(), 2);
  EXPECT_FALSE(rx.has_changed().value());  // the value at subscribe() counts as seen
  auto changed = sluice::testing::spawn(rx.changed());
  EXPECT_TRUE(changed.poll().is_pending());
  EXPECT_TRUE(tx.send(3).has_value());
  EXPECT_TRUE(changed.is_woken());
  EXPECT_TRUE(changed.poll().value().has_value());
  changed.drop_future();
  EXPECT_EQ(*rx.borrow_and_update(), 3);
  auto rx2 = rx;
  EXPECT_EQ(tx.receiver_count(), 2u);
  { auto gone = std::move(rx); }
  { auto gone = std::move(rx2); }
  EXPECT_TRUE(tx.is_closed());
  EXPECT_EQ(tx.send(4).error().value, 4);  // closed again until the next subscribe
}

TEST(Watch, SendIfModifiedNotifiesOnlyWhenTrue) {
  auto [tx, rx] = watch::channel<int>(1);
  EXPECT_FALSE(tx.send_if_modified([](int& v) {
    v = 2;  // changed the value but says it did not
    return false;
  }));
  EXPECT_FALSE(rx.has_changed().value());
  EXPECT_EQ(*rx.borrow(), 2);
  EXPECT_TRUE(tx.send_if_modified([](int& v) {
    v = 3;
    return true;
  }));
  EXPECT_TRUE(rx.has_changed().value());
}

TEST(Watch, MarkChangedAndUnchanged) {
  auto [tx, rx] = watch::channel<int>(0);
  rx.mark_changed();
  EXPECT_TRUE(rx.has_changed().value());
  rx.mark_unchanged();
  EXPECT_FALSE(rx.has_changed().value());
  (void)tx.send(1);
  rx.mark_unchanged();
  EXPECT_FALSE(rx.has_changed().value());
}

TEST(Watch, CountsAndSameChannel) {
  auto [tx, rx] = watch::channel<int>(0);
  auto [tx2, rx2] = watch::channel<int>(0);
  EXPECT_EQ(tx.receiver_count(), 1u);
  EXPECT_EQ(tx.sender_count(), 1u);
  auto rx_copy = rx;
  auto tx_copy = tx;
  EXPECT_EQ(tx.receiver_count(), 2u);
  EXPECT_EQ(tx.sender_count(), 2u);
  EXPECT_TRUE(rx.same_channel(rx_copy));
  EXPECT_TRUE(tx.same_channel(tx_copy));
  EXPECT_FALSE(rx.same_channel(rx2));
  EXPECT_FALSE(tx.same_channel(tx2));
  { auto gone = std::move(tx_copy); }
  EXPECT_EQ(tx.sender_count(), 1u);
  EXPECT_FALSE(rx.has_changed().is_err());  // one sender still alive
}

TEST(Watch, CopiedReceiverKeepsVersion) {
  auto [tx, rx] = watch::channel<int>(0);
  (void)tx.send(1);
  auto copy = rx;
  EXPECT_TRUE(copy.has_changed().value());
  (void)rx.borrow_and_update();
  EXPECT_TRUE(copy.has_changed().value());
  EXPECT_FALSE(rx.has_changed().value());
}

TEST(Watch, MultipleSendersCloseOnlyWhenLastGoes) {
  auto [tx, rx] = watch::channel<int>(0);
  auto tx2 = tx;
  { auto gone = std::move(tx); }
  EXPECT_TRUE(rx.has_changed().has_value());
  (void)tx2.send(5);
  { auto gone = std::move(tx2); }
  EXPECT_TRUE(rx.has_changed().is_err());
  EXPECT_EQ(*rx.borrow(), 5);
}

TEST(Watch, ManyReceiversWokenByOneSend) {
  auto [tx, rx] = watch::channel<int>(0);
  std::vector<watch::Receiver<int>> rxs(64, rx);
  std::vector<sluice::testing::MockTask<watch::Changed<int>>> tasks;
  tasks.reserve(rxs.size());
  for (auto& r : rxs) tasks.push_back(sluice::testing::spawn(r.changed()));
  for (auto& t : tasks) EXPECT_TRUE(t.poll().is_pending());
  (void)tx.send(1);
  for (auto& t : tasks) {
    EXPECT_TRUE(t.is_woken());
    EXPECT_TRUE(t.poll().is_ready());
  }
}

TEST(Watch, WaitForCurrentValue) {
  auto [tx, rx] = watch::channel<int>(7);
  auto t = sluice::testing::spawn(rx.wait_for([](int v) { return v == 7; }));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(*p.value().value(), 7);
}

TEST(Watch, WaitForLaterValueAndClose) {
  auto [tx, rx] = watch::channel<int>(0);
  {
    auto t = sluice::testing::spawn(rx.wait_for([](int v) { return v >= 3; }));
    EXPECT_TRUE(t.poll().is_pending());
    (void)tx.send(1);
    EXPECT_TRUE(t.is_woken());
    EXPECT_TRUE(t.poll().is_pending());
    (void)tx.send(3);
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(*p.value().value(), 3);
    EXPECT_TRUE(p.value().value().has_changed());
  }
  auto t = sluice::testing::spawn(rx.wait_for([](int v) { return v > 100; }));
  EXPECT_TRUE(t.poll().is_pending());
  { auto gone = std::move(tx); }
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().is_err());
}

TEST(Watch, ClosedFutureCompletesWhenReceiversGone) {
  auto [tx, rx] = watch::channel<int>(0);
  auto rx2 = rx;
  auto t = sluice::testing::spawn(tx.closed());
  EXPECT_TRUE(t.poll().is_pending());
  { auto gone = std::move(rx); }
  EXPECT_FALSE(t.is_woken());
  EXPECT_TRUE(t.poll().is_pending());
  { auto gone = std::move(rx2); }
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().is_ready());
}

TEST(Watch, CoopBudgetExhaustedAnswersPending) {
  auto [tx, rx] = watch::channel<int>(0);
  (void)tx.send(1);
  auto t = sluice::testing::spawn(rx.changed());
  sluice::coop::Budget empty = sluice::coop::Budget::initial();
  while (empty.try_spend()) {
  }
  EXPECT_TRUE(t.poll_with_budget(empty).is_pending());
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(rx.has_changed().value());  // nothing marked seen
  EXPECT_TRUE(t.poll().is_ready());
}

TEST(Watch, ChangedInSelectIsCancelSafe) {
  auto rt = sluice::Runtime::current_thread();
  int v = rt.block_on([]() -> sluice::Task<int> {
    auto [tx, rx] = watch::channel<int>(0);
    auto s = co_await sluice::select(rx.changed(), sluice::sleep(1ms));
    EXPECT_EQ(s.index(), 1u);
    (void)tx.send(9);
    auto r = co_await sluice::timeout(1s, rx.changed());
    EXPECT_TRUE(r.has_value());
    co_return *rx.borrow();
  }());
  EXPECT_EQ(v, 9);
}

TEST(Watch, WorkersAcrossThreadsSeeFinalValue) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  int last = rt.block_on([]() -> sluice::Task<int> {
    auto [tx, rx] = watch::channel<int>(0);
    std::vector<sluice::JoinHandle<int>> hs;
    for (int w = 0; w < 4; ++w) {
      hs.push_back(sluice::spawn([](watch::Receiver<int> rx) -> sluice::Task<int> {
        int seen = 0;
        while (co_await rx.changed()) seen = *rx.borrow_and_update();
        co_return seen;
      }(rx)));
    }
    { auto gone = std::move(rx); }
    for (int i = 1; i <= 500; ++i) {
      (void)tx.send(i);
      if (i % 50 == 0) co_await sluice::yield_now();
    }
    { auto gone = std::move(tx); }
    int min_seen = 1 << 30;
    for (auto& h : hs) {
      auto r = co_await std::move(h);
      min_seen = std::min(min_seen, r.value());
    }
    co_return min_seen;
  }());
  EXPECT_EQ(last, 500);
}

TEST(Watch, BlockOnChangedFromPlainThread) {
  auto [tx, rx] = watch::channel<int>(0);
  std::thread t([tx = std::move(tx)]() mutable {
    std::this_thread::sleep_for(1ms);
    (void)tx.send(3);
  });
  auto r = sluice::block_on(rx.changed());
  t.join();
  EXPECT_TRUE(r.has_value());
  EXPECT_EQ(*rx.borrow(), 3);
}

}  // namespace
