// Tests of the cooperative budget (coop_budget.hpp, coop.hpp), driven by MockTask.
#include <gtest/gtest.h>

#include <sluice/coop.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

using sluice::coop::Budget;
using sluice::testing::spawn;

// A leaf that completes immediately, spending budget like a channel operation would.
struct BudgetedOp {
  using Output = int;
  int* completed;
  sluice::Poll<int> poll(sluice::Context& cx) {
    auto coop = sluice::coop::poll_proceed(cx);
    if (!coop) return sluice::pending;
    coop->made_progress();
    return ++*completed;
  }
};

// A leaf that is never ready: poll_proceed's unit must be refunded.
struct NeverReady {
  using Output = void;
  sluice::Poll<void> poll(sluice::Context& cx) {
    auto coop = sluice::coop::poll_proceed(cx);
    if (!coop) return sluice::pending;
    return sluice::pending;  // token destroyed without made_progress(): refund
  }
};

sluice::Task<int> drain(int* completed, int n) {
  for (int i = 0; i < n; ++i) {
    auto op = BudgetedOp{completed};
    co_await op;
  }
  co_return *completed;
}

TEST(Coop, BudgetBasics) {
  Budget b = Budget::initial();
  EXPECT_TRUE(b.is_constrained());
  EXPECT_EQ(b.remaining(), 128);
  for (int i = 0; i < 128; ++i) EXPECT_TRUE(b.try_spend());
  EXPECT_FALSE(b.has_remaining());
  EXPECT_FALSE(b.try_spend());
  b.refund();
  EXPECT_EQ(b.remaining(), 1);
  Budget u = Budget::unconstrained();
  EXPECT_FALSE(u.is_constrained());
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(u.try_spend());
  EXPECT_TRUE(u.has_remaining());
  u.refund();
  EXPECT_EQ(u.remaining(), 0);
}

TEST(Coop, ExhaustsAfter128CompletionsAndWakes) {
  int completed = 0;
  auto t = spawn(drain(&completed, 300));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(completed, 128);
  EXPECT_TRUE(t.is_woken());  // yielded, not parked: it asked to be polled again
  EXPECT_EQ(t.wake_count(), 1u);
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(completed, 256);
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value(), 300);
  EXPECT_EQ(t.wake_count(), 2u);
}

TEST(Coop, RefundOnPending) {
  auto t = spawn(NeverReady{});
  Budget b = Budget::initial();
  EXPECT_TRUE(t.poll_with_budget(b).is_pending());
  EXPECT_EQ(b.remaining(), 128);
  EXPECT_FALSE(t.is_woken());
}

TEST(Coop, PollProceedOnExhaustedBudgetWakesAndSpendsNothing) {
  int completed = 0;
  auto t = spawn(BudgetedOp{&completed});
  Budget b = Budget::initial();
  while (b.try_spend()) {
  }
  EXPECT_TRUE(t.poll_with_budget(b).is_pending());
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(completed, 0);
  EXPECT_EQ(b.remaining(), 0);
}

TEST(Coop, UnconstrainedNeverYields) {
  int completed = 0;
  auto t = spawn(sluice::coop::unconstrained(drain(&completed, 1000)));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value(), 1000);
  EXPECT_FALSE(t.is_woken());
  auto u = spawn(drain(&completed, 500));
  EXPECT_TRUE(u.poll_with_budget(Budget::unconstrained()).is_ready());
}

sluice::Task<int> cpu_loop(int n) {
  int done = 0;
  for (int i = 0; i < n; ++i) {
    ++done;
    co_await sluice::coop::consume_budget();
  }
  co_return done;
}

TEST(Coop, ConsumeBudgetSpendsOneAndYieldsAtZero) {
  auto one = spawn(sluice::coop::consume_budget());
  Budget b = Budget::initial();
  EXPECT_TRUE(one.poll_with_budget(b).is_ready());
  EXPECT_EQ(b.remaining(), 127);

  auto t = spawn(cpu_loop(200));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value(), 200);
}

TEST(Coop, HasBudgetRemaining) {
  Budget b = Budget::initial();
  sluice::Context cx(sluice::Waker::noop(), b);
  EXPECT_TRUE(sluice::coop::has_budget_remaining(cx));
  while (b.try_spend()) {
  }
  EXPECT_FALSE(sluice::coop::has_budget_remaining(cx));
}

}  // namespace
