// DeferredWakes (detail/deferred_wakes.hpp) and its one user: the bounded mpsc receiver, whose
// permit releases wake the senders they serve when its task poll ends, or before it waits.
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/deferred_wakes.hpp>
#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/timeout.hpp>
#include <sluice/yield_now.hpp>

namespace {

namespace mpsc = sluice::mpsc;
namespace oneshot = sluice::oneshot;
using sluice::Context;
using sluice::detail::ContextInternals;
using sluice::detail::DeferredWakes;
using sluice::testing::CountingWaker;
using sluice::testing::spawn;

TEST(DeferredWakes, KeepsWakersUntilFlushThenWakesEachOnce) {
  std::vector<CountingWaker> targets(3);
  DeferredWakes deferred;
  for (auto& t : targets) EXPECT_TRUE(deferred.push(sluice::Waker(t.waker())));
  EXPECT_EQ(deferred.size(), 3u);
  for (auto& t : targets) EXPECT_EQ(t.wake_count(), 0u);
  deferred.flush();
  EXPECT_EQ(deferred.size(), 0u);
  for (auto& t : targets) {
    EXPECT_EQ(t.wake_count(), 1u);
    EXPECT_EQ(t.ref_count(), 0u);  // the kept clone was consumed by its wake
  }
  deferred.flush();  // empty: nothing more
  for (auto& t : targets) EXPECT_EQ(t.wake_count(), 1u);
}

TEST(DeferredWakes, FullListWakesAtOnce) {
  std::vector<CountingWaker> targets(DeferredWakes::kCapacity + 1);
  DeferredWakes deferred;
  for (std::size_t i = 0; i < DeferredWakes::kCapacity; ++i) {
    EXPECT_TRUE(deferred.push(sluice::Waker(targets[i].waker())));
  }
  EXPECT_FALSE(deferred.push(sluice::Waker(targets.back().waker())));
  EXPECT_EQ(targets.back().wake_count(), 1u);
  EXPECT_EQ(targets.front().wake_count(), 0u);
  EXPECT_EQ(deferred.size(), DeferredWakes::kCapacity);
}

TEST(DeferredWakes, DestructionWakesWhatIsLeft) {
  CountingWaker target;
  {
    DeferredWakes deferred;
    deferred.push(sluice::Waker(target.waker()));
  }
  EXPECT_EQ(target.wake_count(), 1u);
  EXPECT_EQ(target.ref_count(), 0u);
}

/// A receiver poll as a runtime task poll makes it: a Context lending a DeferredWakes.
struct DeferringPoll {
  CountingWaker waker;
  sluice::coop::Budget budget = sluice::coop::Budget::initial();
  DeferredWakes deferred;
  Context cx{waker.waker(), budget};
  DeferringPoll() { ContextInternals::set_deferred(cx, &deferred); }
};

/// A channel of capacity 1 holding 1, and a sender queued to send 2: the sender the next
/// receive serves.
class DeferredWakesFullChannel : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tx.try_send(1));
    ASSERT_TRUE(sender.poll().is_pending());  // queued for the one slot
  }

  mpsc::Channel<int> chan = mpsc::channel<int>(1);
  mpsc::Sender<int>& tx = chan.tx;
  mpsc::Receiver<int>& rx = chan.rx;
  decltype(spawn(tx.send(2))) sender = spawn(tx.send(2));
};

TEST_F(DeferredWakesFullChannel, ServedSenderWakesWhenTheReceiverPollEnds) {
  DeferringPoll p;
  auto got = rx.poll_recv(p.cx);
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(got.value(), std::optional<int>(1));
  EXPECT_FALSE(sender.is_woken());  // served (the slot is its), woken later
  EXPECT_EQ(tx.capacity(), 0u);
  EXPECT_EQ(p.deferred.size(), 1u);
  p.deferred.flush();  // what TaskCell::poll_future does when the poll returns
  EXPECT_TRUE(sender.is_woken());
  auto sent = sender.poll();
  ASSERT_TRUE(sent.is_ready());
  EXPECT_TRUE(sent.value().has_value());
  EXPECT_EQ(rx.try_recv().value(), 2);
}

TEST_F(DeferredWakesFullChannel, ReceiverThatFindsTheChannelEmptyWakesTheServedSendersFirst) {
  DeferringPoll p;
  ASSERT_TRUE(rx.poll_recv(p.cx).is_ready());
  EXPECT_FALSE(sender.is_woken());
  // Same poll, next recv: the channel is empty and the value the receiver waits for is the
  // served sender's, so that sender is woken before the receiver registers and waits.
  EXPECT_TRUE(rx.poll_recv(p.cx).is_pending());
  EXPECT_TRUE(sender.is_woken());
  EXPECT_EQ(p.deferred.size(), 0u);
  ASSERT_TRUE(sender.poll().is_ready());
  EXPECT_TRUE(p.waker.is_woken());  // the sender's push woke the receiver
  auto got = rx.poll_recv(p.cx);
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(got.value(), std::optional<int>(2));
}

TEST(DeferredWakes, RecvManyDefersToo) {
  auto [tx, rx] = mpsc::channel<int>(2);
  ASSERT_TRUE(tx.try_send(1));
  ASSERT_TRUE(tx.try_send(2));
  auto first = spawn(tx.send(3));
  auto second = spawn(tx.send(4));
  ASSERT_TRUE(first.poll().is_pending());
  ASSERT_TRUE(second.poll().is_pending());

  DeferringPoll p;
  std::vector<int> buf;
  auto n = rx.poll_recv_many(p.cx, buf, 8);
  ASSERT_TRUE(n.is_ready());
  EXPECT_EQ(n.value(), 2u);
  EXPECT_EQ(buf, (std::vector<int>{1, 2}));
  EXPECT_FALSE(first.is_woken());
  EXPECT_FALSE(second.is_woken());
  p.deferred.flush();
  EXPECT_TRUE(first.is_woken());
  EXPECT_TRUE(second.is_woken());
  ASSERT_TRUE(first.poll().is_ready());
  ASSERT_TRUE(second.poll().is_ready());
  EXPECT_EQ(rx.try_recv().value(), 3);  // FIFO: the first waiter's value first
  EXPECT_EQ(rx.try_recv().value(), 4);
}

TEST_F(DeferredWakesFullChannel, UnconstrainedPassesTheListThrough) {
  DeferringPoll p;
  auto recv = sluice::coop::unconstrained(rx.recv());
  ASSERT_TRUE(recv.poll(p.cx).is_ready());
  EXPECT_FALSE(sender.is_woken());
  EXPECT_EQ(p.deferred.size(), 1u);
}

TEST_F(DeferredWakesFullChannel, WithoutAListTheServedSenderWakesAtOnce) {
  auto recv = spawn(rx.recv());  // a plain Context: no DeferredWakes
  ASSERT_TRUE(recv.poll().is_ready());
  EXPECT_TRUE(sender.is_woken());
}

// In a runtime: a receiver that serves a waiting sender and then waits for something only that
// sender's task provides. The deferred wake must go out when the receiver's poll ends, or
// both would wait forever (the timeout turns a lost wake into a failure instead of a hang).
sluice::Task<int> sender_then_signal(mpsc::Sender<int> tx, oneshot::Sender<int> done) {
  auto sent = co_await tx.send(2);  // waits: the channel is full
  (void)done.send(sent ? 7 : -1);
  co_return 0;
}

sluice::Task<int> receive_then_wait(mpsc::Receiver<int> rx, oneshot::Receiver<int> done) {
  auto first = co_await rx.recv();  // serves the waiting sender; its wake is deferred
  if (first != std::optional<int>(1)) co_return -1;
  auto signal = co_await std::move(done);  // pending: the poll ends, the sender wakes
  if (!signal) co_return -2;
  auto second = co_await rx.recv();
  co_return *signal * 10 + second.value_or(-100);
}

int serve_then_wait(sluice::Runtime rt) {
  return rt.block_on([]() -> sluice::Task<int> {
    auto [tx, rx] = mpsc::channel<int>(1);
    (void)tx.try_send(1);
    auto [done_tx, done_rx] = oneshot::channel<int>();
    auto sender = sluice::spawn(sender_then_signal(tx, std::move(done_tx)));
    co_await sluice::yield_now();  // on the current-thread runtime the sender queues here
    auto receiver = sluice::spawn(receive_then_wait(std::move(rx), std::move(done_rx)));
    auto joined = co_await sluice::timeout(std::chrono::seconds(10), std::move(receiver));
    if (!joined) co_return -3;  // the lost wake this test exists to catch
    auto value = std::move(joined).value();
    co_return value ? value.value() : -4;
  }());
}

TEST(DeferredWakes, ReceiverWaitingOnSomethingElseStillReleasesTheSenderCurrentThread) {
  EXPECT_EQ(serve_then_wait(sluice::Runtime::current_thread()), 72);
}

TEST(DeferredWakes, ReceiverWaitingOnSomethingElseStillReleasesTheSenderMultiThread) {
  EXPECT_EQ(serve_then_wait(sluice::Runtime::multi_thread()), 72);
}

}  // namespace
