// mpsc bounded: permits (reserve*, OwnedPermit, PermitIterator), WeakSender, closed(),
// send_timeout and the blocking forms.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sleep.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

namespace mpsc = sluice::mpsc;
using namespace std::chrono_literals;
using sluice::testing::spawn;

TEST(MpscPermit, ReserveThenSend) {
  auto [tx, rx] = mpsc::channel<int>(1);
  auto t = spawn(tx.reserve());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  ASSERT_TRUE(p.value().has_value());
  EXPECT_EQ(tx.capacity(), 0u);
  EXPECT_TRUE(tx.try_send(1).error().is_full());
  p.value()->send(5);
  EXPECT_FALSE(static_cast<bool>(*p.value()));
  EXPECT_THROW(p.value()->send(6), std::logic_error);
  EXPECT_EQ(rx.try_recv().value(), 5);
  EXPECT_EQ(tx.capacity(), 1u);
}

TEST(MpscPermit, UnusedPermitGivesSlotBackToWaiter) {
  auto [tx, rx] = mpsc::channel<int>(1);
  std::optional<mpsc::Permit<int>> permit(std::move(tx.try_reserve().value()));
  auto waiter = spawn(tx.send(2));
  EXPECT_TRUE(waiter.poll().is_pending());
  permit.reset();
  EXPECT_TRUE(waiter.is_woken());
  EXPECT_TRUE(waiter.poll().value().has_value());
  EXPECT_EQ(rx.try_recv().value(), 2);
}

TEST(MpscPermit, ReserveOnClosedChannelFails) {
  auto [tx, rx] = mpsc::channel<int>(2);
  rx.close();
  auto t = spawn(tx.reserve());
  auto p = t.poll();
  ASSERT_TRUE(p.value().is_err());
  EXPECT_STREQ(p.value().error().what(), "channel closed");
  auto tr = tx.try_reserve();
  ASSERT_TRUE(tr.is_err());
  EXPECT_TRUE(tr.error().is_closed());
}

TEST(MpscPermit, TryReserveFull) {
  auto [tx, rx] = mpsc::channel<int>(1);
  auto a = tx.try_reserve();
  ASSERT_TRUE(a);
  auto b = tx.try_reserve();
  ASSERT_TRUE(b.is_err());
  EXPECT_TRUE(b.error().is_full());
}

TEST(MpscPermit, ReserveManyHandsOutPermitsAndReturnsTheRest) {
  auto [tx, rx] = mpsc::channel<int>(4);
  {
    auto t = spawn(tx.reserve_many(3));
    auto p = t.poll();
    ASSERT_TRUE(p.value().has_value());
    auto& it = *p.value();
    EXPECT_EQ(it.size(), 3u);
    EXPECT_EQ(tx.capacity(), 1u);
    auto first = it.next();
    ASSERT_TRUE(first.has_value());
    first->send(10);
    EXPECT_EQ(it.size(), 2u);
  }  // two unused permits come back
  EXPECT_EQ(tx.capacity(), 3u);
  EXPECT_EQ(rx.try_recv().value(), 10);
  EXPECT_EQ(tx.capacity(), 4u);
}

TEST(MpscPermit, ReserveManyMoreThanCapacityFails) {
  auto [tx, rx] = mpsc::channel<int>(2);
  auto t = spawn(tx.reserve_many(3));
  EXPECT_TRUE(t.poll().value().is_err());
  auto tr = tx.try_reserve_many(3);
  ASSERT_TRUE(tr.is_err());
  EXPECT_TRUE(tr.error().is_full());
  auto ok = tx.try_reserve_many(2);
  ASSERT_TRUE(ok);
  int n = 0;
  while (auto p = ok->next()) p->send(n++);
  EXPECT_EQ(n, 2);
  EXPECT_FALSE(ok->next().has_value());
  EXPECT_EQ(rx.len(), 2u);
}

TEST(MpscPermit, ReserveManyWaitsInFifoOrder) {
  auto [tx, rx] = mpsc::channel<int>(2);
  ASSERT_TRUE(tx.try_send(1));
  ASSERT_TRUE(tx.try_send(2));
  auto big = spawn(tx.reserve_many(2));
  auto small = spawn(tx.reserve());
  EXPECT_TRUE(big.poll().is_pending());
  EXPECT_TRUE(small.poll().is_pending());
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_FALSE(small.is_woken());  // the big request is first in line
  EXPECT_TRUE(small.poll().is_pending());
  EXPECT_EQ(rx.try_recv().value(), 2);
  EXPECT_TRUE(big.is_woken());
  EXPECT_TRUE(big.poll().value().has_value());
}

TEST(MpscPermit, OwnedPermitSendAndRelease) {
  auto [tx, rx] = mpsc::channel<int>(1);
  auto t = spawn(std::move(tx).reserve_owned());
  auto p = t.poll();
  ASSERT_TRUE(p.value().has_value());
  mpsc::OwnedPermit<int> permit = std::move(*p.value());
  EXPECT_EQ(rx.sender_strong_count(), 1u);  // the permit holds the sender
  EXPECT_EQ(rx.capacity(), 0u);
  mpsc::Sender<int> back = std::move(permit).send(3);
  EXPECT_EQ(rx.try_recv().value(), 3);
  auto again = std::move(back).try_reserve_owned();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->same_channel(*again));
  EXPECT_EQ(rx.capacity(), 0u);
  mpsc::Sender<int> released = std::move(*again).release();
  EXPECT_EQ(rx.capacity(), 1u);
  EXPECT_THROW((void)std::move(*again).release(), std::logic_error);
  EXPECT_EQ(released.strong_count(), 1u);
}

TEST(MpscPermit, OwnedPermitDropFreesSlotAndClosesWhenLast) {
  auto [tx, rx] = mpsc::channel<int>(1);
  {
    auto r = std::move(tx).try_reserve_owned();
    ASSERT_TRUE(r);
    EXPECT_EQ(rx.capacity(), 0u);
  }
  EXPECT_EQ(rx.capacity(), 1u);
  EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);  // its sender was the last
}

TEST(MpscPermit, TryReserveOwnedFullGivesSenderBack) {
  auto [tx, rx] = mpsc::channel<int>(1);
  ASSERT_TRUE(tx.try_send(0));
  auto r = std::move(tx).try_reserve_owned();
  ASSERT_TRUE(r.is_err());
  EXPECT_TRUE(r.error().is_full());
  mpsc::Sender<int> back = std::move(r.error()).into_inner();
  EXPECT_EQ(back.strong_count(), 1u);
  EXPECT_FALSE(rx.is_closed());
}

TEST(MpscPermit, CancelledReserveGivesGrantedCapacityOnward) {
  auto [tx, rx] = mpsc::channel<int>(2);
  ASSERT_TRUE(tx.try_send(1));
  ASSERT_TRUE(tx.try_send(2));
  auto a = spawn(tx.reserve_many(2));
  auto b = spawn(tx.reserve());
  EXPECT_TRUE(a.poll().is_pending());
  EXPECT_TRUE(b.poll().is_pending());
  EXPECT_EQ(rx.try_recv().value(), 1);  // one of a's two permits is assigned
  a.drop_future();                      // cancelled: it goes on to b
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(b.poll().value().has_value());
  b.drop_future();  // the permit is dropped unused
  EXPECT_EQ(tx.capacity(), 1u);
}

TEST(MpscWeakSender, UpgradeWhileStrongAliveOnly) {
  auto [tx, rx] = mpsc::channel<int>(2);
  auto weak = tx.downgrade();
  EXPECT_EQ(weak.strong_count(), 1u);
  EXPECT_EQ(weak.weak_count(), 1u);
  auto up = weak.upgrade();
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(tx.strong_count(), 2u);
  ASSERT_TRUE(up->try_send(1));
  up.reset();
  { auto gone = std::move(tx); }
  EXPECT_FALSE(weak.upgrade().has_value());
  EXPECT_EQ(rx.try_recv().value(), 1);
  EXPECT_EQ(rx.try_recv().error(), mpsc::TryRecvError::Disconnected);  // weak ones do not count
  auto copy = weak;
  EXPECT_EQ(rx.sender_weak_count(), 2u);
}

TEST(MpscClosed, CompletesOnCloseAndDrop) {
  auto [tx, rx] = mpsc::channel<int>(1);
  auto a = spawn(tx.closed());
  auto b = spawn(tx.closed());
  EXPECT_TRUE(a.poll().is_pending());
  EXPECT_TRUE(b.poll().is_pending());
  b.drop_future();
  EXPECT_EQ(b.waker_ref_count(), 0u);
  { auto gone = std::move(rx); }
  EXPECT_TRUE(a.is_woken());
  EXPECT_TRUE(a.poll().is_ready());
  auto c = spawn(tx.closed());
  EXPECT_TRUE(c.poll().is_ready());
}

TEST(MpscSendTimeout, TimesOutWithTheValueThenSucceeds) {
  auto rt = sluice::Runtime::current_thread();
  rt.block_on([]() -> sluice::Task<> {
    auto [tx, rx] = mpsc::channel<std::string>(1);
    EXPECT_TRUE(tx.try_send("first"));
    auto r = co_await tx.send_timeout("second", 5ms);
    EXPECT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_timeout());
    EXPECT_STREQ(r.error().what(), "timed out waiting on send operation");
    EXPECT_EQ(std::move(r.error()).into_inner(), "second");
    EXPECT_EQ(rx.try_recv().value(), "first");
    EXPECT_EQ(tx.capacity(), 1u);  // the cancelled wait kept nothing
    auto ok = co_await tx.send_timeout("third", 1s);
    EXPECT_TRUE(ok.has_value());
    rx.close();
    auto closed = co_await tx.send_timeout("fourth", 1s);
    EXPECT_TRUE(closed.is_err() && closed.error().is_closed());
    EXPECT_EQ(closed.error().value, "fourth");
  }());
}

TEST(MpscBlocking, BlockingSendFromThreadsIntoRuntimeConsumer) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  auto [tx, rx] = mpsc::channel<int>(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([tx = tx, t]() mutable {
      for (int i = 0; i < 500; ++i) ASSERT_TRUE(tx.blocking_send(t * 1000 + i).has_value());
    });
  }
  { auto gone = std::move(tx); }
  auto sum = rt.block_on([](mpsc::Receiver<int>& rx) -> sluice::Task<long> {
    long s = 0;
    while (auto v = co_await rx.recv()) s += *v;
    co_return s;
  }(rx));
  for (auto& th : threads) th.join();
  EXPECT_EQ(sum, 2 * (499 * 500 / 2) + 1000 * 500);
}

TEST(MpscBlocking, BlockingRecvOnThreadFromRuntimeProducer) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  auto [tx, rx] = mpsc::channel<int>(1);
  auto h = rt.spawn([](mpsc::Sender<int> tx) -> sluice::Task<> {
    for (int i = 0; i < 300; ++i) {
      auto r = co_await tx.send(i);
      if (r.is_err()) co_return;
    }
  }(std::move(tx)));
  int expected = 0;
  while (auto v = rx.blocking_recv()) {
    ASSERT_EQ(*v, expected);
    ++expected;
  }
  EXPECT_EQ(expected, 300);
  (void)rt.block_on(std::move(h));
}

TEST(MpscBlocking, BlockingSendThrowsOnARuntimeThread) {
  auto rt = sluice::Runtime::current_thread();
  auto [tx, rx] = mpsc::channel<int>(1);
  bool threw = rt.block_on([](mpsc::Sender<int>& tx) -> sluice::Task<bool> {
    try {
      (void)tx.blocking_send(1);
    } catch (const std::logic_error&) {
      co_return true;
    }
    co_return false;
  }(tx));
  EXPECT_TRUE(threw);
  EXPECT_TRUE(rx.is_empty());
}

TEST(MpscSelect, RecvLosesNothingWhenAnotherBranchWins) {
  auto rt = sluice::Runtime::current_thread();
  rt.block_on([]() -> sluice::Task<> {
    auto [tx, rx] = mpsc::channel<int>(4);
    for (int i = 0; i < 3; ++i) {
      auto s = co_await sluice::select_biased(sluice::sleep(1ms), rx.recv());
      EXPECT_EQ(s.index(), 0u);
    }
    EXPECT_TRUE(tx.try_send(1));
    auto got = co_await rx.recv();
    EXPECT_EQ(got, std::optional<int>(1));
  }());
}

}  // namespace
