// Tests of sluice::join, try_join and join_all (include/sluice/join.hpp), driven by MockTask.
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/coop.hpp>
#include <sluice/join.hpp>
#include <sluice/result.hpp>
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

static_assert(sluice::Future<sluice::Join<ReadyVoid, ReadyValue<int>>>);

TEST(Join, ReadyFuturesGiveTupleInArgumentOrderVoidAsMonostate) {
  auto t = spawn(sluice::join(ReadyValue<int>{1}, ReadyVoid{}, ReadyValue<std::string>{"x"}));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  static_assert(std::is_same_v<decltype(p)::Output, std::tuple<int, std::monostate, std::string>>);
  EXPECT_EQ(std::get<0>(p.value()), 1);
  EXPECT_EQ(std::get<2>(p.value()), "x");
  EXPECT_THROW((void)t.poll(), std::logic_error);
}

TEST(Join, PollsEveryUnfinishedBranchWithRotatingStart) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  auto [b, fb] = probe<int>(1, log);
  auto [c, fc] = probe<int>(2, log);
  auto t = spawn(sluice::join(std::move(fa), std::move(fb), std::move(fc)));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(log->polls, (std::vector<int>{0, 1, 2}));
  log->polls.clear();
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(log->polls, (std::vector<int>{1, 2, 0}));  // fair rotation
  log->polls.clear();

  b->fire(20);
  EXPECT_TRUE(t.is_woken());  // a branch's wake reaches the join's waker
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(log->polls, (std::vector<int>{2, 0, 1}));
  EXPECT_EQ(log->destroyed, (std::vector<int>{1}));  // finished branch destroyed at once
  log->polls.clear();

  a->fire(10);
  c->fire(30);
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(log->polls, (std::vector<int>{0, 2}));  // the finished branch is not polled again
  EXPECT_EQ(p.value(), std::make_tuple(10, 20, 30));
  for (int id = 0; id < 3; ++id) EXPECT_EQ(log->destroyed_count(id), 1);
  EXPECT_EQ(t.waker_ref_count(), 0u);
}

TEST(Join, DroppingJoinCancelsEveryBranchOnce) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  auto [b, fb] = probe<int>(1, log);
  auto t = spawn(sluice::join(std::move(fa), std::move(fb)));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(t.waker_ref_count(), 2u);
  a->fire(1);
  EXPECT_TRUE(t.poll().is_pending());
  t.drop_future();
  EXPECT_EQ(log->destroyed_count(0), 1);
  EXPECT_EQ(log->destroyed_count(1), 1);
  EXPECT_EQ(t.waker_ref_count(), 0u);
}

sluice::Task<int> add_after(ProbeFuture<int> f, int k) { co_return co_await f + k; }

sluice::Task<int> join_in_task(ProbeFuture<int> fa, ProbeFuture<int> fb) {
  auto [x, y] = co_await sluice::join(add_after(std::move(fa), 1), add_after(std::move(fb), 2));
  co_return x* y;
}

TEST(Join, JoinsTasksInsideATask) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  auto [b, fb] = probe<int>(1, log);
  auto t = spawn(join_in_task(std::move(fa), std::move(fb)));
  EXPECT_TRUE(t.poll().is_pending());
  b->fire(3);
  EXPECT_TRUE(t.is_woken());
  EXPECT_TRUE(t.poll().is_pending());
  a->fire(4);
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value(), (4 + 1) * (3 + 2));
}

TEST(Join, MoveOnlyOutputs) {
  auto t =
      spawn(sluice::join(ReadyValue<std::unique_ptr<int>>{std::make_unique<int>(5)}, ReadyVoid{}));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(*std::get<0>(p.value()), 5);
}

TEST(Join, BudgetExhaustedBranchesYieldAndWake) {
  auto t = spawn(sluice::join(sluice::coop::consume_budget(), sluice::coop::consume_budget()));
  sluice::coop::Budget one = sluice::coop::Budget::initial();
  while (one.remaining() > 1) (void)one.try_spend();
  EXPECT_TRUE(t.poll_with_budget(one).is_pending());  // one branch spent the last unit
  EXPECT_TRUE(t.is_woken());                          // the other woke the task
  EXPECT_TRUE(t.poll().is_ready());
}

using SResult = sluice::Result<int, std::string>;
using VResult = sluice::Result<void, std::string>;

TEST(TryJoin, AllOkGivesTupleOfValues) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<SResult>(0, log);
  auto [b, fb] = probe<VResult>(1, log);
  auto t = spawn(sluice::try_join(std::move(fa), std::move(fb)));
  static_assert(std::is_same_v<decltype(t)::Output,
                               sluice::Result<std::tuple<int, std::monostate>, std::string>>);
  EXPECT_TRUE(t.poll().is_pending());
  a->fire(SResult(7));
  b->fire(VResult());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  ASSERT_TRUE(p.value().has_value());
  EXPECT_EQ(std::get<0>(*p.value()), 7);
}

TEST(TryJoin, FirstErrorShortCircuitsAndDestroysOthersAtOnce) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<SResult>(0, log);
  auto [b, fb] = probe<SResult>(1, log);
  auto [c, fc] = probe<SResult>(2, log);
  auto t = spawn(sluice::try_join(std::move(fa), std::move(fb), std::move(fc)));
  EXPECT_TRUE(t.poll().is_pending());
  a->fire(SResult(1));  // ok, kept
  EXPECT_TRUE(t.poll().is_pending());
  b->fire(sluice::Err(std::string("boom")));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  ASSERT_TRUE(p.value().is_err());
  EXPECT_EQ(p.value().error(), "boom");
  EXPECT_EQ(log->destroyed_count(2), 1);  // the pending branch was cancelled before ready
  EXPECT_EQ(t.waker_ref_count(), 0u);
  t.drop_future();
  for (int id = 0; id < 3; ++id) EXPECT_EQ(log->destroyed_count(id), 1);
}

TEST(TryJoin, ErrorOnFirstPollSkipsNothingAlreadyDone) {
  auto t = spawn(sluice::try_join(ReadyValue<SResult>{SResult(1)},
                                  ReadyValue<SResult>{sluice::Err(std::string("e"))}));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value().error(), "e");
  EXPECT_THROW((void)t.poll(), std::logic_error);
}

TEST(JoinAll, OutputsInVectorOrder) {
  auto log = std::make_shared<Log>();
  std::vector<std::shared_ptr<Probe<int>>> ps;
  std::vector<ProbeFuture<int>> fs;
  for (int i = 0; i < 5; ++i) {
    auto [p, f] = probe<int>(i, log);
    ps.push_back(p);
    fs.push_back(std::move(f));
  }
  log->destroyed.clear();  // moved-from shells are not counted anyway
  auto t = spawn(sluice::join_all(std::move(fs)));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_EQ(log->polls.size(), 5u);
  for (int i = 4; i >= 0; --i) {
    ps[i]->fire(i * 10);
    EXPECT_TRUE(t.is_woken());
    auto p = t.poll();
    if (i > 0) {
      EXPECT_TRUE(p.is_pending());
    } else {
      ASSERT_TRUE(p.is_ready());
      EXPECT_EQ(p.value(), (std::vector<int>{0, 10, 20, 30, 40}));
    }
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(log->destroyed_count(i), 1);
}

TEST(JoinAll, EmptyVectorIsReadyAtOnce) {
  auto t = spawn(sluice::join_all(std::vector<ReadyVoid>{}));
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().empty());
}

TEST(Join, ByRefDoesNotConsume) {
  auto log = std::make_shared<Log>();
  auto [a, fa] = probe<int>(0, log);
  {
    auto t = spawn(sluice::join(sluice::by_ref(fa), ReadyVoid{}));
    EXPECT_TRUE(t.poll().is_pending());
  }
  EXPECT_EQ(log->destroyed_count(0), 0);  // the lent future survives the join
  a->fire(9);
  auto t2 = spawn(sluice::join(sluice::by_ref(fa)));
  EXPECT_EQ(std::get<0>(t2.poll().value()), 9);
}

}  // namespace
