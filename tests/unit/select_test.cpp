// Tests of sluice::select, select_biased, Selected and by_ref (include/sluice/select.hpp).
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/coop.hpp>
#include <sluice/select.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>

#include "support/probe_future.hpp"

namespace {

using sluice::testing::spawn;

using sluice::test::Log;
using sluice::test::probe;
using sluice::test::Probe;
using sluice::test::ProbeFuture;
using sluice::test::ReadyValue;
using sluice::test::ReadyVoid;

static_assert(sluice::Future<sluice::Select<ReadyVoid, ReadyValue<int>>>);
static_assert(sluice::Future<sluice::SelectBiased<sluice::Task<int>>>);

TEST(SelectBiased, FirstReadyBranchInArgumentOrderWins) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  auto t = spawn(sluice::select_biased(std::move(fa), ReadyValue<std::string>{"b"}, ReadyVoid{}));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().index(), 1u);
  EXPECT_TRUE(p.value().is<1>());
  EXPECT_EQ(p.value().get<1>(), "b");
  EXPECT_EQ(p.value().get_if<0>(), nullptr);
  EXPECT_THROW((void)p.value().get<0>(), std::bad_variant_access);
  EXPECT_EQ(log->polls, (std::vector<int>{0}));
  EXPECT_EQ(log->destroyed_count(0), 1);  // loser cancelled
  EXPECT_EQ(t.waker_ref_count(), 0u);     // and it released the waker it registered
  EXPECT_THROW((void)t.poll(), std::logic_error);
}

TEST(SelectBiased, EarlierBranchWinsTies) {
  for (int i = 0; i < 50; ++i) {
    auto t = spawn(sluice::select_biased(ReadyValue<int>{1}, ReadyValue<int>{2}));
    EXPECT_EQ(t.poll().value().index(), 0u);
  }
}

TEST(Select, FairStartLetsEveryReadyBranchWin) {
  int wins[3] = {0, 0, 0};
  for (int i = 0; i < 600; ++i) {
    auto t = spawn(sluice::select(ReadyValue<int>{0}, ReadyValue<int>{1}, ReadyValue<int>{2}));
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    ++wins[p.value().index()];
  }
  for (int w : wins) EXPECT_GT(w, 0);  // P(failure) < 3 * (2/3)^600
}

TEST(Select, WakeUpPropagatesAndLosersAreDestroyedBeforeReady) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  auto [b, fb] = probe<std::string>(1, log);
  auto [c, fc] = probe<int>(2, log);
  auto t = spawn(sluice::select(std::move(fa), std::move(fb), std::move(fc)));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(log->polls.size(), 3u);  // every branch polled
  EXPECT_EQ(t.waker_ref_count(), 3u);
  EXPECT_FALSE(t.is_woken());
  b->fire("won");
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().index(), 1u);
  EXPECT_EQ(std::move(p.value()).get<1>(), "won");
  // The select future still exists (the MockTask owns it), yet every branch is gone.
  ASSERT_TRUE(t.has_future());
  for (int id = 0; id < 3; ++id) EXPECT_EQ(log->destroyed_count(id), 1);
  EXPECT_EQ(t.waker_ref_count(), 0u);
  t.drop_future();
  for (int id = 0; id < 3; ++id) EXPECT_EQ(log->destroyed_count(id), 1);  // exactly once
}

TEST(Select, DroppingSelectCancelsAllBranches) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  auto [b, fb] = probe<int>(1, log);
  auto t = spawn(sluice::select(std::move(fa), std::move(fb)));
  EXPECT_TRUE(t.poll().is_pending());
  t.drop_future();
  EXPECT_EQ(log->destroyed_count(0), 1);
  EXPECT_EQ(log->destroyed_count(1), 1);
  EXPECT_EQ(t.waker_ref_count(), 0u);
}

TEST(Select, ExhaustedBudgetYieldsWithoutPollingBranches) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  a->value = 1;  // ready, but must not be polled
  auto t = spawn(sluice::select(std::move(fa), ReadyVoid{}));
  sluice::coop::Budget empty = sluice::coop::Budget::initial();
  while (empty.try_spend()) {
  }
  EXPECT_TRUE(t.poll_with_budget(empty).is_pending());
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(log->polls.empty());
  EXPECT_EQ(empty.remaining(), 0u);
  EXPECT_TRUE(t.poll().is_ready());  // next poll, fresh budget
}

TEST(Select, SelectItselfSpendsNoBudget) {
  auto t = spawn(sluice::select_biased(ReadyVoid{}));
  sluice::coop::Budget b = sluice::coop::Budget::initial();
  EXPECT_TRUE(t.poll_with_budget(b).is_ready());
  EXPECT_EQ(b.remaining(), sluice::coop::Budget::kInitial);
}

TEST(Select, UnconstrainedBudgetAlwaysPolls) {
  auto t = spawn(sluice::select(ReadyValue<int>{3}));
  EXPECT_EQ(t.poll_with_budget(sluice::coop::Budget::unconstrained()).value().get<0>(), 3);
}

TEST(Select, ByRefFutureSurvivesLosingAndCanWinLater) {
  auto log = std::make_shared<Log>();
  auto [d, deadline] = probe<int>(100, log);
  int handled = 0;
  for (int round = 0; round < 3; ++round) {
    auto [m, msg] = probe<int>(round, log);
    auto t = spawn(sluice::select(sluice::by_ref(deadline), std::move(msg)));
    EXPECT_TRUE(t.poll().is_pending());
    m->fire(round);
    auto p = t.poll();
    ASSERT_TRUE(p.is_ready());
    EXPECT_EQ(p.value().index(), 1u);
    handled += p.value().get<1>();
  }
  EXPECT_EQ(handled, 0 + 1 + 2);
  EXPECT_EQ(log->destroyed_count(100), 0);  // the lent future was never cancelled
  auto [m, msg] = probe<int>(7, log);
  auto t = spawn(sluice::select(sluice::by_ref(deadline), std::move(msg)));
  EXPECT_TRUE(t.poll().is_pending());
  d->fire(-1);
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().index(), 0u);
  EXPECT_EQ(p.value().get<0>(), -1);
  EXPECT_EQ(log->destroyed_count(7), 1);
  EXPECT_EQ(log->destroyed_count(100), 0);
}

sluice::Task<int> wait_plus(ProbeFuture<int> f, int k) { co_return co_await f + k; }

TEST(Select, TaskBranchesLoserTaskAndItsLeafDestroyed) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  auto [b, fb] = probe<int>(1, log);
  auto t = spawn(sluice::select(wait_plus(std::move(fa), 10), wait_plus(std::move(fb), 20)));
  EXPECT_TRUE(t.poll().is_pending());
  a->fire(1);
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().index(), 0u);
  EXPECT_EQ(p.value().get<0>(), 11);
  EXPECT_EQ(log->destroyed_count(1), 1);  // the losing Task's leaf
  EXPECT_EQ(t.waker_ref_count(), 0u);
}

sluice::Task<std::string> select_in_task(ProbeFuture<int> fa, ProbeFuture<int> fb) {
  auto s = co_await sluice::select(std::move(fa), std::move(fb));
  co_return s.visit(
      [](auto index, int v) { return std::to_string(index()) + ":" + std::to_string(v); });
}

TEST(Select, InsideATaskAndVisit) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  auto [b, fb] = probe<int>(1, log);
  auto t = spawn(select_in_task(std::move(fa), std::move(fb)));
  EXPECT_TRUE(t.poll().is_pending());
  b->fire(5);
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value(), "1:5");
  EXPECT_EQ(log->destroyed_count(0), 1);
}

TEST(Selected, VoidBranchesAreMonostateAndVisitSeesIndex) {
  auto t = spawn(sluice::select_biased(ReadyVoid{}, ReadyValue<int>{1}));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  static_assert(std::is_same_v<decltype(p)::Output, sluice::Selected<std::monostate, int>>);
  int seen = -1;
  p.value().visit([&](auto index, auto&) { seen = static_cast<int>(index()); });
  EXPECT_EQ(seen, 0);
  EXPECT_EQ(p.value().as_variant().index(), 0u);
}

TEST(Select, MoveOnlyOutput) {
  auto t = spawn(sluice::select(ReadyValue<std::unique_ptr<int>>{std::make_unique<int>(4)}));
  auto p = t.poll();
  std::unique_ptr<int> v = std::move(p.value()).get<0>();
  EXPECT_EQ(*v, 4);
}

}  // namespace
