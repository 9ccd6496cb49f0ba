// JoinHandle and JoinError (engineer S).
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/yield_now.hpp>

#include "support/runtime_helpers.hpp"

namespace {

using sluice::Builder;
using sluice::JoinHandle;
using sluice::Runtime;
using sluice::Task;

Task<int> value(int v) { co_return v; }
Task<int> thrower(std::string msg) {
  throw std::runtime_error(msg);
  co_return 0;
}
Task<int> throw_int() {
  throw 5;
  co_return 0;
}

std::vector<Runtime> both_flavours() {
  std::vector<Runtime> v;
  v.push_back(Runtime::current_thread());
  v.push_back(Builder::multi_thread().worker_threads(2).build());
  return v;
}

TEST(JoinHandle, ThrowingTaskGivesExceptionAndMessage) {
  for (auto& rt : both_flavours()) {
    auto r = rt.block_on(rt.spawn(thrower("kaboom")));
    ASSERT_TRUE(r.is_err());
    EXPECT_TRUE(r.error().is_exception());
    EXPECT_FALSE(r.error().is_cancelled());
    EXPECT_EQ(r.error().what(), "kaboom");
    EXPECT_THROW(r.error().rethrow(), std::runtime_error);
    auto r2 = rt.block_on(rt.spawn(throw_int()));
    ASSERT_TRUE(r2.is_err());
    EXPECT_EQ(r2.error().what(), "unknown exception");
    EXPECT_EQ(rt.block_on(value(1)), 1);  // the runtime keeps running
  }
}

TEST(JoinHandle, AbortBeforeStartIsCancelled) {
  for (auto& rt : both_flavours()) {
    sluice::test::LifeCounter lc;
    auto h = rt.spawn(sluice::test::Never(&lc));
    h.abort();
    auto r = rt.block_on(std::move(h));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_cancelled());
    EXPECT_EQ(r.error().what(), "task was cancelled");
    EXPECT_THROW(r.error().rethrow(), std::logic_error);
    EXPECT_EQ(lc.alive.load(), 0);
  }
}

Task<void> abort_while_pending(sluice::test::LifeCounter* lc, bool* cancelled) {
  auto h = sluice::spawn(sluice::test::Never(lc));
  co_await sluice::yield_now();  // let it run and park on Never
  co_await sluice::yield_now();
  h.abort();
  h.abort();  // twice: no effect
  auto r = co_await std::move(h);
  *cancelled = !r && r.error().is_cancelled();
}

TEST(JoinHandle, AbortWhilePendingIsCancelledAndDropsTheFuture) {
  for (auto& rt : both_flavours()) {
    sluice::test::LifeCounter lc;
    bool cancelled = false;
    rt.block_on(abort_while_pending(&lc, &cancelled));
    EXPECT_TRUE(cancelled);
    EXPECT_EQ(lc.alive.load(), 0);
    EXPECT_EQ(lc.destroyed.load(), lc.destroyed.load());
  }
}

TEST(JoinHandle, AbortAfterCompletionKeepsTheValue) {
  for (auto& rt : both_flavours()) {
    auto h = rt.spawn(value(9));
    rt.block_on([](JoinHandle<int>* h) -> Task<void> {
      while (!h->is_finished()) co_await sluice::yield_now();
    }(&h));
    EXPECT_TRUE(h.is_finished());
    h.abort();
    EXPECT_EQ(rt.block_on(std::move(h)).value(), 9);
  }
}

TEST(JoinHandle, PollWithMockTaskWakesOnCompletion) {
  auto rt = Runtime::current_thread();
  std::atomic<bool> flag{false};
  std::mutex mu;
  sluice::Waker slot;
  auto h = rt.spawn(sluice::test::WaitFlag(&flag, &mu, &slot));
  rt.block_on(sluice::yield_now());  // the task runs once and waits
  EXPECT_FALSE(h.is_finished());
  auto t = sluice::testing::spawn(std::move(h));
  EXPECT_TRUE(t.poll().is_pending());
  EXPECT_FALSE(t.is_woken());
  EXPECT_TRUE(t.poll().is_pending());  // same waker: not re-registered, still pending
  {
    std::lock_guard g(mu);
    flag.store(true);
  }
  slot.wake_by_ref();
  rt.block_on(sluice::yield_now());  // run the task to completion
  EXPECT_TRUE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_TRUE(p.value().has_value());
  EXPECT_THROW((void)t.poll(), std::logic_error);  // polled after completion
}

TEST(JoinHandle, SpendsCoopBudgetWhenReady) {
  auto rt = Runtime::current_thread();
  auto h = rt.spawn(value(1));
  rt.block_on(sluice::yield_now());
  auto t = sluice::testing::spawn(std::move(h));
  sluice::coop::Budget b = sluice::coop::Budget::initial();
  auto p = t.poll_with_budget(b);
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(b.remaining(), sluice::coop::Budget::kInitial - 1);
}

TEST(JoinHandle, EmptyHandleThrowsAndMoveWorks) {
  JoinHandle<int> empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_FALSE(empty.is_finished());
  empty.abort();  // no effect
  EXPECT_THROW((void)sluice::block_on(std::move(empty)), std::logic_error);
  auto rt = Runtime::current_thread();
  auto h = rt.spawn(value(4));
  JoinHandle<int> moved = std::move(h);
  EXPECT_FALSE(h.valid());  // NOLINT(bugprone-use-after-move)
  JoinHandle<int> assigned;
  assigned = std::move(moved);
  EXPECT_EQ(rt.block_on(std::move(assigned)).value(), 4);
}

struct Tracked {
  sluice::test::LifeCounter* lc;
  explicit Tracked(sluice::test::LifeCounter* c) : lc(c) { lc->alive.fetch_add(1); }
  Tracked(Tracked&& o) noexcept : lc(o.lc) { lc->alive.fetch_add(1); }
  ~Tracked() { lc->alive.fetch_sub(1); }
};
Task<Tracked> make_tracked(sluice::test::LifeCounter* lc) { co_return Tracked(lc); }

TEST(JoinHandle, UnreadOutputIsDestroyed) {
  for (auto& rt : both_flavours()) {
    sluice::test::LifeCounter lc;
    {
      auto h = rt.spawn(make_tracked(&lc));  // read by nobody: dropped with the handle
      rt.block_on([](JoinHandle<Tracked>* h) -> Task<void> {
        while (!h->is_finished()) co_await sluice::yield_now();
      }(&h));
    }
    (void)rt.spawn(make_tracked(&lc));  // detached: dropped by the completing thread
    rt.block_on(sluice::yield_now());
    rt.shutdown_timeout(std::chrono::seconds(5));
    EXPECT_EQ(lc.alive.load(), 0);
  }
}

}  // namespace
