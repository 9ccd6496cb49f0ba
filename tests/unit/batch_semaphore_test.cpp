// Unit tests of detail::BatchSemaphore: try_acquire, FIFO with mixed sizes (a large head request
// is not starved), no barging, cancellation while queued / after a partial / after a full grant,
// close, forget_permits, coop budget, moving a queued Acquire, more waiters than a wake batch,
// the hand-off hook (mpsc send of a task body).
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/batch_semaphore.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

using sluice::coop::Budget;
using sluice::detail::AcquireError;
using sluice::detail::BatchSemaphore;
using sluice::detail::TryAcquireError;
using sluice::testing::MockTask;
using sluice::testing::spawn;

using AcquireTask = MockTask<BatchSemaphore::Acquire>;

bool ready_ok(AcquireTask& t) {
  auto p = t.poll();
  return p.is_ready() && p.value().has_value();
}
bool ready_closed(AcquireTask& t) {
  auto p = t.poll();
  return p.is_ready() && p.value().is_err();
}

TEST(BatchSemaphore, TryAcquireTakesPermits) {
  BatchSemaphore sem(3);
  EXPECT_EQ(sem.available_permits(), 3u);
  EXPECT_TRUE(sem.try_acquire(2).has_value());
  EXPECT_EQ(sem.available_permits(), 1u);
  auto r = sem.try_acquire(2);
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error(), TryAcquireError::NoPermits);
  EXPECT_TRUE(sem.try_acquire(1).has_value());
  EXPECT_EQ(sem.available_permits(), 0u);
  EXPECT_TRUE(sem.try_acquire(0).has_value());
  sem.release(3);
  EXPECT_EQ(sem.available_permits(), 3u);
}

TEST(BatchSemaphore, AcquireIsReadyAtOnceWhenPermitsAreThereAndSpendsBudget) {
  BatchSemaphore sem(2);
  auto t = spawn(sem.acquire(2));
  Budget b = Budget::initial();
  auto p = t.poll_with_budget(b);
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().has_value());
  EXPECT_EQ(b.remaining(), Budget::kInitial - 1);
  EXPECT_EQ(sem.available_permits(), 0u);
  EXPECT_EQ(t.waker_ref_count(), 0u);
}

TEST(BatchSemaphore, AcquireZeroIsReadyAtOnce) {
  BatchSemaphore sem(0);
  auto t = spawn(sem.acquire(0));
  EXPECT_TRUE(ready_ok(t));
}

TEST(BatchSemaphore, PendingAcquireDoesNotSpendBudget) {
  BatchSemaphore sem(0);
  auto t = spawn(sem.acquire(1));
  Budget b = Budget::initial();
  EXPECT_TRUE(t.poll_with_budget(b).is_pending());
  EXPECT_EQ(b.remaining(), Budget::kInitial);
}

TEST(BatchSemaphore, ExhaustedBudgetYieldsWithoutTakingPermits) {
  BatchSemaphore sem(1);
  auto t = spawn(sem.acquire(1));
  Budget b = Budget::initial();
  while (b.try_spend()) {
  }
  EXPECT_TRUE(t.poll_with_budget(b).is_pending());
  EXPECT_TRUE(t.is_woken());  // asked to be polled again
  EXPECT_EQ(sem.available_permits(), 1u);
  EXPECT_TRUE(ready_ok(t));
  EXPECT_EQ(sem.available_permits(), 0u);
}

TEST(BatchSemaphore, WaiterIsWokenWhenPermitsAreReleased) {
  BatchSemaphore sem(0);
  auto t = spawn(sem.acquire(1));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 1u);
  EXPECT_FALSE(t.is_woken());
  sem.release(1);
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.waker_ref_count(), 0u);  // the waker was consumed by the wake
  EXPECT_TRUE(ready_ok(t));
  EXPECT_EQ(sem.available_permits(), 0u);
}

TEST(BatchSemaphore, FifoOrderWithMixedSizes) {
  BatchSemaphore sem(0);
  auto a = spawn(sem.acquire(3));
  auto b = spawn(sem.acquire(1));
  auto c = spawn(sem.acquire(2));
  ASSERT_TRUE(a.poll().is_pending());
  ASSERT_TRUE(b.poll().is_pending());
  ASSERT_TRUE(c.poll().is_pending());

  sem.release(1);  // goes to a (3 needed): b, although it needs only 1, must wait behind a
  EXPECT_FALSE(a.is_woken());
  EXPECT_FALSE(b.is_woken());
  EXPECT_TRUE(b.poll().is_pending());
  EXPECT_EQ(sem.available_permits(), 0u);

  sem.release(2);  // a complete
  EXPECT_TRUE(a.is_woken());
  EXPECT_FALSE(b.is_woken());
  EXPECT_TRUE(ready_ok(a));

  sem.release(2);  // b (1) then 1 of c's 2
  EXPECT_TRUE(b.is_woken());
  EXPECT_FALSE(c.is_woken());
  EXPECT_TRUE(ready_ok(b));
  EXPECT_TRUE(c.poll().is_pending());

  sem.release(2);  // c complete, 1 left over for the pool
  EXPECT_TRUE(c.is_woken());
  EXPECT_TRUE(ready_ok(c));
  EXPECT_EQ(sem.available_permits(), 1u);
}

TEST(BatchSemaphore, OneReleaseServesSeveralWaitersInOrder) {
  BatchSemaphore sem(0);
  std::vector<AcquireTask> tasks;
  for (int i = 0; i < 5; ++i) tasks.push_back(spawn(sem.acquire(1)));
  for (auto& t : tasks) ASSERT_TRUE(t.poll().is_pending());
  sem.release(3);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(tasks[i].is_woken(), i < 3) << i;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ready_ok(tasks[i]));
  for (int i = 3; i < 5; ++i) EXPECT_TRUE(tasks[i].poll().is_pending());
}

TEST(BatchSemaphore, TryAcquireDoesNotBargeAheadOfAQueuedWaiter) {
  BatchSemaphore sem(1);
  auto big = spawn(sem.acquire(3));
  ASSERT_TRUE(big.poll().is_pending());  // took the 1 available, waits for 2 more
  EXPECT_EQ(sem.available_permits(), 0u);
  sem.release(1);
  EXPECT_EQ(sem.available_permits(), 0u);  // assigned to the waiter, not to the pool
  auto r = sem.try_acquire(1);
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error(), TryAcquireError::NoPermits);
  // A new acquire queues behind it too.
  auto small = spawn(sem.acquire(1));
  EXPECT_TRUE(small.poll().is_pending());
  sem.release(1);
  EXPECT_TRUE(ready_ok(big));
  EXPECT_FALSE(small.is_woken());
}

TEST(BatchSemaphore, CancelWhileQueuedReleasesTheWakerAndKeepsOrder) {
  BatchSemaphore sem(0);
  auto a = spawn(sem.acquire(1));
  auto b = spawn(sem.acquire(1));
  ASSERT_TRUE(a.poll().is_pending());
  ASSERT_TRUE(b.poll().is_pending());
  a.drop_future();
  EXPECT_EQ(a.waker_ref_count(), 0u);
  sem.release(1);
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(ready_ok(b));
  EXPECT_EQ(sem.available_permits(), 0u);
}

TEST(BatchSemaphore, CancelAfterPartialGrantGivesThePermitsToTheNextWaiter) {
  BatchSemaphore sem(0);
  auto a = spawn(sem.acquire(3));
  auto b = spawn(sem.acquire(2));
  ASSERT_TRUE(a.poll().is_pending());
  ASSERT_TRUE(b.poll().is_pending());
  sem.release(2);  // both to a (partial)
  EXPECT_FALSE(a.is_woken());
  EXPECT_FALSE(b.is_woken());
  a.drop_future();  // a's 2 permits go to b
  EXPECT_EQ(a.waker_ref_count(), 0u);
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(ready_ok(b));
  EXPECT_EQ(sem.available_permits(), 0u);
}

TEST(BatchSemaphore, CancelAfterPartialGrantWithNoOtherWaiterRefillsThePool) {
  BatchSemaphore sem(1);
  auto a = spawn(sem.acquire(4));
  ASSERT_TRUE(a.poll().is_pending());
  sem.release(2);
  EXPECT_EQ(sem.available_permits(), 0u);
  a.drop_future();
  EXPECT_EQ(sem.available_permits(), 3u);
}

TEST(BatchSemaphore, CancelAfterFullGrantBeforePollGivesEverythingBack) {
  BatchSemaphore sem(0);
  auto a = spawn(sem.acquire(2));
  auto b = spawn(sem.acquire(1));
  ASSERT_TRUE(a.poll().is_pending());
  ASSERT_TRUE(b.poll().is_pending());
  sem.release(2);
  EXPECT_TRUE(a.is_woken());
  a.drop_future();  // woken but never polled again: its 2 permits are returned
  EXPECT_TRUE(b.is_woken());
  EXPECT_TRUE(ready_ok(b));
  EXPECT_EQ(sem.available_permits(), 1u);
}

TEST(BatchSemaphore, CompletedAcquireKeepsItsPermitsWhenDestroyed) {
  BatchSemaphore sem(2);
  {
    auto a = spawn(sem.acquire(2));
    EXPECT_TRUE(ready_ok(a));
  }
  EXPECT_EQ(sem.available_permits(), 0u);  // the caller owns them now
}

TEST(BatchSemaphore, NeverPolledAcquireTakesNothing) {
  BatchSemaphore sem(2);
  { auto a = sem.acquire(2); }
  EXPECT_EQ(sem.available_permits(), 2u);
}

TEST(BatchSemaphore, CloseWakesWaitersWithClosedAndReturnsPartialPermits) {
  BatchSemaphore sem(1);
  auto a = spawn(sem.acquire(2));
  auto b = spawn(sem.acquire(1));
  ASSERT_TRUE(a.poll().is_pending());  // holds 1 of 2
  ASSERT_TRUE(b.poll().is_pending());
  EXPECT_FALSE(sem.is_closed());
  sem.close();
  EXPECT_TRUE(sem.is_closed());
  EXPECT_TRUE(a.is_woken());
  EXPECT_TRUE(b.is_woken());
  EXPECT_EQ(a.waker_ref_count(), 0u);
  EXPECT_EQ(b.waker_ref_count(), 0u);
  EXPECT_TRUE(ready_closed(a));
  EXPECT_TRUE(ready_closed(b));
  EXPECT_EQ(sem.available_permits(), 1u);  // a's partial permit came back

  auto r = sem.try_acquire(1);
  ASSERT_TRUE(r.is_err());
  EXPECT_EQ(r.error(), TryAcquireError::Closed);
  auto c = spawn(sem.acquire(1));
  EXPECT_TRUE(ready_closed(c));
}

TEST(BatchSemaphore, CancelAfterCloseReturnsPartialPermits) {
  BatchSemaphore sem(1);
  auto a = spawn(sem.acquire(2));
  ASSERT_TRUE(a.poll().is_pending());
  sem.close();
  a.drop_future();  // woken by close, never polled
  EXPECT_EQ(sem.available_permits(), 1u);
}

TEST(BatchSemaphore, ReleaseAfterCloseStillCounts) {
  BatchSemaphore sem(0);
  sem.close();
  sem.release(2);
  EXPECT_EQ(sem.available_permits(), 2u);
  EXPECT_TRUE(sem.is_closed());
}

TEST(BatchSemaphore, ForgetPermits) {
  BatchSemaphore sem(5);
  EXPECT_EQ(sem.forget_permits(3), 3u);
  EXPECT_EQ(sem.available_permits(), 2u);
  EXPECT_EQ(sem.forget_permits(10), 2u);
  EXPECT_EQ(sem.available_permits(), 0u);
  EXPECT_EQ(sem.forget_permits(0), 0u);
  sem.release(1);
  sem.close();
  EXPECT_EQ(sem.forget_permits(1), 1u);
  EXPECT_TRUE(sem.is_closed());  // forgetting keeps the closed bit
}

TEST(BatchSemaphore, TooManyPermitsIsAProgrammingError) {
  EXPECT_THROW(BatchSemaphore(BatchSemaphore::kMaxPermits + 1), std::logic_error);
  BatchSemaphore sem(BatchSemaphore::kMaxPermits);
  EXPECT_THROW(sem.release(1), std::logic_error);
  BatchSemaphore small(0);
  EXPECT_THROW((void)small.try_acquire(BatchSemaphore::kMaxPermits + 1), std::logic_error);
  EXPECT_THROW((void)small.acquire(BatchSemaphore::kMaxPermits + 1), std::logic_error);
}

TEST(BatchSemaphore, PollAfterCompletionThrows) {
  BatchSemaphore sem(1);
  auto t = spawn(sem.acquire(1));
  EXPECT_TRUE(ready_ok(t));
  EXPECT_THROW((void)t.poll(), std::logic_error);
}

TEST(BatchSemaphore, RepollWithAnotherWakerReplacesIt) {
  BatchSemaphore sem(0);
  auto t = spawn(sem.acquire(1));
  ASSERT_TRUE(t.poll().is_pending());
  sluice::testing::CountingWaker other;
  Budget b = Budget::unconstrained();
  t.enter_with_budget(b, [&](sluice::Context&, BatchSemaphore::Acquire& f) {
    sluice::Context cx2(other.waker(), b);
    EXPECT_TRUE(f.poll(cx2).is_pending());
  });
  EXPECT_EQ(t.waker_ref_count(), 0u);
  EXPECT_EQ(other.ref_count(), 1u);
  sem.release(1);
  EXPECT_EQ(other.wake_count(), 1u);
  EXPECT_FALSE(t.is_woken());
}

TEST(BatchSemaphore, MovingAQueuedAcquireKeepsItsPlace) {
  BatchSemaphore sem(0);
  sluice::testing::CountingWaker cw;
  Budget budget = Budget::unconstrained();
  sluice::Context cx(cw.waker(), budget);
  auto first = std::make_unique<BatchSemaphore::Acquire>(sem.acquire(2));
  auto second = std::make_unique<BatchSemaphore::Acquire>(sem.acquire(1));
  ASSERT_TRUE(first->poll(cx).is_pending());
  ASSERT_TRUE(second->poll(cx).is_pending());
  sem.release(1);  // partial to first
  auto moved = std::make_unique<BatchSemaphore::Acquire>(std::move(*first));
  first.reset();  // the moved-from shell owns nothing
  EXPECT_EQ(sem.available_permits(), 0u);
  sem.release(1);
  auto p = moved->poll(cx);
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().has_value());
  EXPECT_TRUE(second->poll(cx).is_pending());
  second.reset();
  EXPECT_EQ(sem.available_permits(), 0u);
  EXPECT_EQ(cw.ref_count(), 0u);
}

TEST(BatchSemaphore, MoreWaitersThanOneWakeBatch) {
  constexpr int kWaiters = 80;  // > WakeList capacity (32)
  BatchSemaphore sem(0);
  std::vector<AcquireTask> tasks;
  for (int i = 0; i < kWaiters; ++i) tasks.push_back(spawn(sem.acquire(1)));
  for (auto& t : tasks) ASSERT_TRUE(t.poll().is_pending());
  sem.release(kWaiters + 1);
  for (auto& t : tasks) EXPECT_TRUE(t.is_woken());
  for (auto& t : tasks) EXPECT_TRUE(ready_ok(t));
  EXPECT_EQ(sem.available_permits(), 1u);
}

TEST(BatchSemaphore, CloseWithMoreWaitersThanOneWakeBatch) {
  constexpr int kWaiters = 80;
  BatchSemaphore sem(0);
  std::vector<AcquireTask> tasks;
  for (int i = 0; i < kWaiters; ++i) tasks.push_back(spawn(sem.acquire(1)));
  for (auto& t : tasks) ASSERT_TRUE(t.poll().is_pending());
  sem.close();
  for (auto& t : tasks) EXPECT_TRUE(t.is_woken());
  for (auto& t : tasks) EXPECT_TRUE(ready_closed(t));
}

// Hand-off hook (the mpsc Send of a task body): run by the release that serves the waiter in
// full, under the lock, once; its permits are then spent and a later destroy gives nothing back.
struct HandoffProbe {
  int runs = 0;
  std::size_t permits_seen = 99;  // available permits while the hook ran (0: under the lock)
  BatchSemaphore* sem = nullptr;
  static void hook(void* self, sluice::detail::semaphore_impl::WakeList&) noexcept {
    auto* p = static_cast<HandoffProbe*>(self);
    ++p->runs;
    p->permits_seen = p->sem->available_permits();
  }
};

// A semaphore with `permits`, a probe on it, and a Context whose waker counts wakes.
struct HandoffSetup {
  explicit HandoffSetup(std::size_t permits) : sem(permits) { probe.sem = &sem; }
  BatchSemaphore::Acquire acquire(std::size_t n) {
    auto a = sem.acquire(n);
    a.set_handoff(&HandoffProbe::hook, &probe);
    return a;
  }
  BatchSemaphore sem;
  HandoffProbe probe;
  sluice::testing::CountingWaker cw;
  Budget budget = Budget::unconstrained();
  sluice::Context cx{cw.waker(), budget};
};

TEST(BatchSemaphore, HandoffRunsOnFullGrantAndItsPermitsAreSpent) {
  HandoffSetup h(0);
  auto a = std::make_unique<BatchSemaphore::Acquire>(h.acquire(2));
  ASSERT_TRUE(a->poll(h.cx).is_pending());
  h.sem.release(1);  // partial: no hand-off yet
  EXPECT_EQ(h.probe.runs, 0);
  h.sem.release(2);  // serves it in full (1 more) and puts 1 in the pool
  EXPECT_EQ(h.probe.runs, 1);
  EXPECT_EQ(h.probe.permits_seen, 0u);
  EXPECT_EQ(h.cw.wake_count(), 1u);
  a.reset();  // destroyed before it was polled again: the permits went with the hand-off
  EXPECT_EQ(h.sem.available_permits(), 1u);
  EXPECT_EQ(h.probe.runs, 1);
}

TEST(BatchSemaphore, HandedOffAcquireReportsIt) {
  HandoffSetup h(0);
  auto a = h.acquire(1);
  ASSERT_TRUE(a.poll(h.cx).is_pending());
  EXPECT_FALSE(a.handed_off());
  h.sem.release(1);
  auto p = a.poll(h.cx);
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().has_value());
  EXPECT_TRUE(a.handed_off());
  EXPECT_EQ(h.sem.available_permits(), 0u);
}

TEST(BatchSemaphore, HandoffDoesNotRunWhenPermitsAreThereOrOnClose) {
  HandoffSetup h(1);
  auto a = h.acquire(1);
  ASSERT_TRUE(a.poll(h.cx).is_ready());  // fast path: the caller uses its permit itself
  EXPECT_FALSE(a.handed_off());
  auto b = std::make_unique<BatchSemaphore::Acquire>(h.acquire(1));
  ASSERT_TRUE(b->poll(h.cx).is_pending());
  h.sem.close();
  auto p = b->poll(h.cx);
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().is_err());
  EXPECT_EQ(h.probe.runs, 0);
  // set_handoff after the first poll is a programming error.
  auto c = h.sem.acquire(1);
  (void)c.poll(h.cx);
  EXPECT_THROW(c.set_handoff(&HandoffProbe::hook, &h.probe), std::logic_error);
}

TEST(BatchSemaphore, HandoffKeepsFifoOrderWithOtherWaiters) {
  HandoffSetup h(0);
  auto plain = h.sem.acquire(1);
  auto handing = h.acquire(1);
  ASSERT_TRUE(plain.poll(h.cx).is_pending());
  ASSERT_TRUE(handing.poll(h.cx).is_pending());
  h.sem.release(1);  // the head (plain) first
  EXPECT_EQ(h.probe.runs, 0);
  h.sem.release(1);
  EXPECT_EQ(h.probe.runs, 1);
  EXPECT_TRUE(plain.poll(h.cx).is_ready());
  EXPECT_TRUE(handing.poll(h.cx).is_ready());
  EXPECT_FALSE(plain.handed_off());
  EXPECT_TRUE(handing.handed_off());
}

}  // namespace
