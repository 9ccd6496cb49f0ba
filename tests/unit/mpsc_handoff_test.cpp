// mpsc bounded send hand-off (mpsc_send.hpp, docs/design/mpsc-internals.md "Hand-off"): a send
// awaited directly by a spawned task's body is moved into the channel by the release that frees
// its slot; a send inside select keeps Tokio's guarantee (cancelled = not sent); an abort after
// the hand-off leaves the value delivered once and the capacity intact; aborting tasks queued on a
// multi-thread runtime (their waiters borrow the task: batch_semaphore.hpp, "Waking") loses
// nothing. The first tests run on the current-thread runtime, so "the sender task has not run
// since" is a fact.
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/join_handle.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/task.hpp>
#include <sluice/yield_now.hpp>

#include "support/mpsc_helpers.hpp"

namespace {

namespace mpsc = sluice::mpsc;
using sluice::test::Counted;

// Sends 1 (fills the capacity-1 channel), sets `queued`, then sends 2 and 3, each waiting for a
// slot. `queued` is set in the same poll that queues the send of 2 (no suspension between).
sluice::Task<void> send_three(mpsc::Sender<Counted> tx, Counted::Stats* stats, bool* queued) {
  auto one = Counted(stats, 1);
  if ((co_await tx.send(std::move(one))).is_err()) ADD_FAILURE() << "send 1 failed";
  *queued = true;
  auto two = Counted(stats, 2);
  if ((co_await tx.send(std::move(two))).is_err()) ADD_FAILURE() << "send 2 failed";
  auto three = Counted(stats, 3);
  if ((co_await tx.send(std::move(three))).is_err()) ADD_FAILURE() << "send 3 failed";
}

sluice::Task<void> wait_until(const bool* flag) {
  while (!*flag) co_await sluice::yield_now();
}

TEST(MpscHandoff, TaskBodySendIsMovedInWhenTheReceiverFreesItsSlot) {
  Counted::Stats stats;
  auto rt = sluice::Runtime::current_thread();
  rt.block_on([](Counted::Stats* st) -> sluice::Task<void> {
    auto [tx, rx] = mpsc::channel<Counted>(1);
    bool queued = false;
    auto sender = sluice::spawn(send_three(std::move(tx), st, &queued));
    co_await wait_until(&queued);
    EXPECT_EQ(rx.len(), 1u);
    auto first = co_await rx.recv();
    if (!(first.has_value())) {
      ADD_FAILURE() << "first.has_value()";
      co_return;
    }
    EXPECT_EQ(first->v, 1);
    // The sender task has not run since recv freed the slot (one thread, no await since), yet
    // its value is in the channel: the release moved it in.
    auto second = rx.try_recv();
    if (!(second.has_value())) {
      ADD_FAILURE() << "second.has_value()";
      co_return;
    }
    EXPECT_EQ(second->v, 2);
    auto third = co_await rx.recv();  // the sender runs again: its send of 3 takes a free slot
    if (!(third.has_value())) {
      ADD_FAILURE() << "third.has_value()";
      co_return;
    }
    EXPECT_EQ(third->v, 3);
    EXPECT_TRUE((co_await std::move(sender)).has_value());
    EXPECT_FALSE((co_await rx.recv()).has_value());  // every sender gone, drained
  }(&stats));
  EXPECT_EQ(stats.live.load(), 0);
  EXPECT_EQ(stats.double_destroy.load(), 0);
}

TEST(MpscHandoff, SendInsideSelectIsNotSentWhenAnotherBranchWins) {
  Counted::Stats stats;
  auto rt = sluice::Runtime::current_thread();
  rt.block_on([](Counted::Stats* st) -> sluice::Task<void> {
    auto [tx, rx] = mpsc::channel<Counted>(1);
    auto [stop_tx, stop_rx] = sluice::oneshot::channel<int>();
    bool queued = false;
    int winner = -1;
    auto body = [](mpsc::Sender<Counted> tx, sluice::oneshot::Receiver<int> stop,
                   Counted::Stats* st, bool* queued, int* winner) -> sluice::Task<void> {
      auto one = Counted(st, 1);
      if ((co_await tx.send(std::move(one))).is_err()) ADD_FAILURE() << "send 1 failed";
      *queued = true;
      auto two = Counted(st, 2);
      auto s = co_await sluice::select_biased(std::move(stop), tx.send(std::move(two)));
      *winner = static_cast<int>(s.index());
    };
    auto sender = sluice::spawn(body(tx, std::move(stop_rx), st, &queued, &winner));
    co_await wait_until(&queued);
    auto first = co_await rx.recv();  // frees the slot: granted to the select's send...
    if (!(first.has_value())) {
      ADD_FAILURE() << "first.has_value()";
      co_return;
    }
    EXPECT_EQ(first->v, 1);
    EXPECT_TRUE(rx.try_recv().is_err());  // ...which is not moved in: it is not a task body's
    if (!(stop_tx.send(7).has_value())) {
      ADD_FAILURE() << "stop_tx.send(7).has_value()";
      co_return;
    }
    EXPECT_TRUE((co_await std::move(sender)).has_value());
    EXPECT_EQ(winner, 0);                 // the stop branch (polled first) won
    EXPECT_TRUE(rx.try_recv().is_err());  // so the value was not sent (Tokio's guarantee)
    EXPECT_EQ(tx.capacity(), 1u);         // and the granted slot came back
  }(&stats));
  EXPECT_EQ(stats.live.load(), 0);
  EXPECT_EQ(stats.double_destroy.load(), 0);
}

TEST(MpscHandoff, AbortAfterTheHandoffDeliversTheValueOnceAndKeepsTheCapacity) {
  Counted::Stats stats;
  auto rt = sluice::Runtime::current_thread();
  rt.block_on([](Counted::Stats* st) -> sluice::Task<void> {
    auto [tx, rx] = mpsc::channel<Counted>(1);
    bool queued = false;
    auto sender = sluice::spawn(send_three(tx, st, &queued));
    co_await wait_until(&queued);
    auto first = co_await rx.recv();  // hands 2 off to the channel, wakes the sender
    if (!(first.has_value())) {
      ADD_FAILURE() << "first.has_value()";
      co_return;
    }
    sender.abort();  // before the sender runs again
    auto joined = co_await std::move(sender);
    if (!(!joined.has_value())) {
      ADD_FAILURE() << "!joined.has_value()";
      co_return;
    }
    EXPECT_TRUE(joined.error().is_cancelled());
    auto second = rx.try_recv();  // sent before the abort took effect, exactly once
    if (!(second.has_value())) {
      ADD_FAILURE() << "second.has_value()";
      co_return;
    }
    EXPECT_EQ(second->v, 2);
    EXPECT_TRUE(rx.try_recv().is_err());  // 3 was never sent
    // The handed-off send's permit went with its value, and came back when it was received:
    // giving it back again on cancel would show a capacity of 2 here.
    EXPECT_EQ(tx.capacity(), 1u);
    EXPECT_EQ(tx.max_capacity(), 1u);
  }(&stats));
  EXPECT_EQ(stats.live.load(), 0);
  EXPECT_EQ(stats.double_destroy.load(), 0);
}

// Sends (id << 16 | i) for i = 0..n-1, each awaited directly (hand-off waiters).
sluice::Task<void> send_run(mpsc::Sender<Counted> tx, Counted::Stats* stats, int id, int n) {
  for (int i = 0; i < n; ++i) {
    auto v = Counted(stats, id << 16 | i);
    if ((co_await tx.send(std::move(v))).is_err()) ADD_FAILURE() << "send failed";
  }
}

// Eight senders queue on a capacity-2 channel on two workers; four are aborted while they wait
// (or while a release hands their value off). Every value arrives at most once and in order per
// sender, the four others deliver everything, the capacity comes back in full, and no value
// leaks or is destroyed twice.
constexpr int kSenders = 8;
constexpr int kPerSender = 300;

TEST(MpscHandoff, AbortingQueuedSendersOnTwoWorkersLosesNothing) {
  Counted::Stats stats;
  auto rt = sluice::Builder::multi_thread().worker_threads(2).enable_all().build();
  for (int round = 0; round < 20; ++round) {
    rt.block_on([](Counted::Stats* st) -> sluice::Task<void> {
      auto [tx, rx] = mpsc::channel<Counted>(2);
      std::vector<sluice::JoinHandle<void>> senders;
      for (int id = 0; id < kSenders; ++id) {
        senders.push_back(sluice::spawn(send_run(tx, st, id, kPerSender)));
      }
      std::vector<int> next(kSenders, 0);
      for (int i = 0; i < 40; ++i) {  // let them queue, then abort half of them
        auto got = co_await rx.recv();
        if (!got) {
          ADD_FAILURE() << "closed early";
          co_return;
        }
        const int id = got->v >> 16;
        EXPECT_EQ(got->v & 0xffff, next[id]++);
      }
      for (int id = 0; id < kSenders; id += 2) senders[id].abort();
      { auto gone = std::move(tx); }
      while (auto got = co_await rx.recv()) {
        const int id = got->v >> 16;
        EXPECT_EQ(got->v & 0xffff, next[id]++) << "sender " << id;
      }
      for (int id = 0; id < kSenders; ++id) {
        auto joined = co_await std::move(senders[id]);
        if (id % 2 == 1) {
          EXPECT_TRUE(joined.has_value());
          EXPECT_EQ(next[id], kPerSender) << "sender " << id;
        } else {
          EXPECT_LE(next[id], kPerSender);
        }
      }
    }(&stats));
    ASSERT_EQ(stats.live.load(), 0) << "round " << round;
    ASSERT_EQ(stats.double_destroy.load(), 0);
  }
}

TEST(MpscHandoff, SendMovedAfterItWasPolledIsAProgrammingError) {
  auto rt = sluice::Runtime::current_thread();
  rt.block_on([]() -> sluice::Task<void> {
    auto [tx, rx] = mpsc::channel<int>(1);
    if (!(tx.try_send(1).has_value())) {
      ADD_FAILURE() << "tx.try_send(1).has_value()";
      co_return;
    }
    auto send = tx.send(2);
    auto s = co_await sluice::select_biased(sluice::by_ref(send), sluice::yield_now());
    EXPECT_EQ(s.index(), 1u);  // the send is queued
    EXPECT_THROW({ auto moved = std::move(send); }, std::logic_error);
    EXPECT_EQ(rx.try_recv().value(), 1);
    EXPECT_TRUE((co_await send).has_value());  // the original still completes
    EXPECT_EQ(rx.try_recv().value(), 2);
  }());
}

}  // namespace
