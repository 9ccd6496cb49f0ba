// Tests of sluice::testing::MockTask and CountingWaker (include/sluice/testing/mock_task.hpp).
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/coop.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

using sluice::testing::CountingWaker;
using sluice::testing::spawn;

// A leaf that keeps a clone of the waker while pending; ready once `flag` is set.
struct Gate {
  std::shared_ptr<bool> open = std::make_shared<bool>(false);
  std::shared_ptr<sluice::Waker> saved = std::make_shared<sluice::Waker>();
};
struct GateFuture {
  using Output = int;
  std::shared_ptr<bool> open;
  std::shared_ptr<sluice::Waker> saved;
  sluice::Waker mine;  // dropped when the future is destroyed
  sluice::Poll<int> poll(sluice::Context& cx) {
    if (*open) return 5;
    mine = cx.waker();
    *saved = cx.waker();
    return sluice::pending;
  }
};

TEST(CountingWaker, CountsClonesAndWakes) {
  CountingWaker cw;
  EXPECT_EQ(cw.ref_count(), 0u);
  EXPECT_EQ(cw.wake_count(), 0u);
  EXPECT_FALSE(cw.is_woken());
  {
    sluice::Waker a = cw.waker();
    sluice::Waker b = a;
    EXPECT_EQ(cw.ref_count(), 2u);
    b.wake_by_ref();
    EXPECT_EQ(cw.wake_count(), 1u);
    EXPECT_EQ(cw.ref_count(), 2u);
    std::move(b).wake();  // consumes b
    EXPECT_TRUE(b.is_empty());
    EXPECT_EQ(cw.wake_count(), 2u);
    EXPECT_EQ(cw.ref_count(), 1u);
  }
  EXPECT_EQ(cw.ref_count(), 0u);
  EXPECT_TRUE(cw.take_woken());
  EXPECT_FALSE(cw.is_woken());
  EXPECT_TRUE(cw.waker().will_wake(cw.waker()));
}

TEST(CountingWaker, CloneMayOutliveOwner) {
  sluice::Waker w;
  {
    CountingWaker cw;
    w = cw.waker();
  }
  w.wake_by_ref();  // state still alive (ASan checks)
  std::move(w).wake();
}

TEST(CountingWaker, WakesFromOtherThreadsAreCounted) {
  CountingWaker cw;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([w = cw.waker()]() mutable {
      for (int i = 0; i < 999; ++i) w.wake_by_ref();
      sluice::Waker c = w;
      std::move(c).wake();
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(cw.wake_count(), 4000u);
  EXPECT_EQ(cw.ref_count(), 0u);
}

TEST(MockTask, PendingThenWokenThenReady) {
  Gate g;
  auto t = spawn(GateFuture{g.open, g.saved, {}});
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_FALSE(t.is_woken());
  EXPECT_EQ(t.waker_ref_count(), 2u);
  *g.open = true;
  g.saved->wake_by_ref();
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(t.wake_count(), 1u);
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value(), 5);
  EXPECT_FALSE(t.is_woken());  // cleared by the poll
}

TEST(MockTask, DropFutureReleasesItsWaker) {
  Gate g;
  auto t = spawn(GateFuture{g.open, g.saved, {}});
  EXPECT_TRUE(t.poll().is_pending());
  g.saved->reset();
  EXPECT_EQ(t.waker_ref_count(), 1u);
  EXPECT_TRUE(t.has_future());
  t.drop_future();
  EXPECT_FALSE(t.has_future());
  EXPECT_EQ(t.waker_ref_count(), 0u);
  EXPECT_THROW((void)t.poll(), std::logic_error);
  t.reset();  // idempotent
}

TEST(MockTask, BudgetIsFreshEachPollAndCanBeChosen) {
  auto t = spawn(sluice::coop::consume_budget());
  sluice::coop::Budget b = sluice::coop::Budget::initial();
  EXPECT_TRUE(t.poll_with_budget(b).is_ready());
  EXPECT_EQ(b.remaining(), sluice::coop::Budget::kInitial - 1);

  auto u = spawn(sluice::coop::consume_budget());
  sluice::coop::Budget empty = sluice::coop::Budget::initial();
  while (empty.try_spend()) {
  }
  EXPECT_TRUE(u.poll_with_budget(empty).is_pending());
  EXPECT_TRUE(u.is_woken());  // exhausted budget wakes the task before answering pending
  EXPECT_TRUE(u.poll().is_ready());
}

TEST(MockTask, EnterGivesContextAndFuture) {
  auto t = spawn(sluice::coop::consume_budget());
  int r = t.enter([](sluice::Context& cx, sluice::coop::ConsumeBudget& f) {
    EXPECT_EQ(cx.budget().remaining(), sluice::coop::Budget::kInitial);
    return f.poll(cx).is_ready() ? 1 : 0;
  });
  EXPECT_EQ(r, 1);
}

sluice::Task<int> answer() { co_return 42; }

TEST(MockTask, PollsTasks) {
  auto t = spawn(answer());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value(), 42);
  EXPECT_THROW((void)t.poll(), std::logic_error);  // Task's own rule
}

TEST(MockTask, IsMovable) {
  Gate g;
  auto t = spawn(GateFuture{g.open, g.saved, {}});
  EXPECT_TRUE(t.poll().is_pending());
  auto t2 = std::move(t);
  *g.open = true;
  std::move(*g.saved).wake();
  EXPECT_TRUE(t2.is_woken());
  EXPECT_EQ(t2.poll().value(), 5);
}

}  // namespace
