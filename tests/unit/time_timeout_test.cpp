// timeout / timeout_at driven by hand (Driver + DriverScope + counting waker + park).
#include <chrono>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include <sluice/detail/driver.hpp>
#include <sluice/detail/time_driver.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/time.hpp>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using sluice::detail::Driver;
using sluice::detail::DriverScope;

/// Polls `f` until ready, parking the driver while it is pending; returns its output.
template <class F>
auto drive(Driver& d, F& f) {
  sluice::testing::CountingWaker cw;
  for (;;) {
    sluice::coop::Budget b = sluice::coop::Budget::initial();
    sluice::Context cx(cw.waker(), b);
    auto p = f.poll(cx);
    if (p.is_ready()) return std::move(p).value();
    d.park(std::chrono::nanoseconds::zero());  // like a scheduler's periodic driver check
    while (!cw.take_woken()) d.park(std::nullopt);
  }
}

/// A leaf that never completes and counts its destructions.
struct Never {
  using Output = int;
  int* destroyed;
  explicit Never(int* c) : destroyed(c) {}
  Never(Never&& o) noexcept : destroyed(std::exchange(o.destroyed, nullptr)) {}
  ~Never() {
    if (destroyed) ++*destroyed;
  }
  sluice::Poll<int> poll(sluice::Context&) { return sluice::pending; }
};

/// A leaf that is ready with 7 on the first poll.
struct Ready7 {
  using Output = int;
  sluice::Poll<int> poll(sluice::Context&) { return 7; }
};

/// A leaf that uses up the whole coop budget and stays pending.
struct BudgetHog {
  using Output = void;
  sluice::Poll<void> poll(sluice::Context& cx) {
    while (cx.budget().try_spend()) {
    }
    cx.waker().wake_by_ref();
    return sluice::pending;
  }
};

TEST(Timeout, InnerReadyFirstGivesValue) {
  Driver d;
  DriverScope scope(&d);
  auto t = sluice::timeout(1s, Ready7{});
  static_assert(std::is_same_v<decltype(t)::Output, sluice::Result<int, sluice::Elapsed>>);
  auto r = drive(d, t);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 7);
}

TEST(Timeout, DeadlineFirstGivesElapsedAndDestroysInnerRightThen) {
  Driver d;
  DriverScope scope(&d);
  int destroyed = 0;
  auto start = Clock::now();
  auto t = sluice::timeout(30ms, Never(&destroyed));
  EXPECT_EQ(destroyed, 0);  // moves do not count
  sluice::testing::CountingWaker cw;
  sluice::coop::Budget b = sluice::coop::Budget::initial();
  sluice::Context cx(cw.waker(), b);
  ASSERT_TRUE(t.poll(cx).is_pending());
  while (!cw.take_woken()) d.park(std::nullopt);
  auto r = t.poll(cx);
  ASSERT_TRUE(r.is_ready());
  EXPECT_TRUE(r.value().is_err());
  EXPECT_EQ(destroyed, 1);  // cancelled when the deadline won, not when `t` dies
  EXPECT_GE(Clock::now() - start, 30ms);
  EXPECT_STREQ(r.value().error().what(), "deadline has elapsed");
  EXPECT_THROW((void)t.poll(cx), std::logic_error);
  EXPECT_THROW((void)t.get_mut(), std::logic_error);
}

TEST(Timeout, DroppingTimeoutCancelsBoth) {
  Driver d;
  DriverScope scope(&d);
  int destroyed = 0;
  sluice::testing::CountingWaker cw;
  {
    auto t = sluice::timeout(1h, Never(&destroyed));
    sluice::coop::Budget b = sluice::coop::Budget::initial();
    sluice::Context cx(cw.waker(), b);
    ASSERT_TRUE(t.poll(cx).is_pending());
    EXPECT_EQ(d.time().size(), 1u);
  }
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(d.time().size(), 0u);
  EXPECT_EQ(cw.ref_count(), 0u);
}

sluice::Task<int> sleepy_answer(std::chrono::milliseconds d) {
  co_await sluice::sleep(d);
  co_return 42;
}

TEST(Timeout, WorksOnTasks) {
  Driver d;
  DriverScope scope(&d);
  {
    auto fast = sluice::timeout(1s, sleepy_answer(2ms));
    auto r = drive(d, fast);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, 42);
  }
  EXPECT_EQ(d.time().size(), 0u);

  auto slow = sluice::timeout_at(Clock::now() + 2ms, sleepy_answer(1h));
  auto r2 = drive(d, slow);
  EXPECT_TRUE(r2.is_err());
  EXPECT_EQ(d.time().size(), 0u);  // the inner task's sleep was cancelled with it
}

sluice::Task<std::string> awaits_timeout_inside_task() {
  auto t = sluice::timeout(2ms, sluice::sleep(1h));
  auto r = co_await t;
  co_return r.is_err() ? std::string(r.error().what()) : std::string("value");
}

TEST(Timeout, AwaitedInsideTask) {
  Driver d;
  DriverScope scope(&d);
  auto task = awaits_timeout_inside_task();
  EXPECT_EQ(drive(d, task), "deadline has elapsed");
}

TEST(Timeout, VoidInnerFuture) {
  Driver d;
  DriverScope scope(&d);
  auto t = sluice::timeout(1s, sluice::sleep(1ms));
  static_assert(std::is_same_v<decltype(t)::Output, sluice::Result<void, sluice::Elapsed>>);
  auto r = drive(d, t);
  EXPECT_TRUE(r.has_value());
}

TEST(Timeout, DeadlineCheckedEvenWhenInnerExhaustsBudget) {
  Driver d;
  DriverScope scope(&d);
  auto t = sluice::timeout(2ms, BudgetHog{});
  auto r = drive(d, t);
  EXPECT_TRUE(r.is_err());
}

TEST(Timeout, AccessorsAndDeadline) {
  Driver d;
  DriverScope scope(&d);
  auto when = Clock::now() + 1h;
  auto t = sluice::timeout_at(when, Ready7{});
  EXPECT_EQ(t.deadline(), when);
  (void)t.get_mut();
  (void)t.get_ref();
  EXPECT_EQ(sluice::Elapsed{}, sluice::Elapsed{});
}

}  // namespace
