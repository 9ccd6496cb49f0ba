// Interval driven by hand: tick sequences for Burst / Delay / Skip with real small periods.
// Assertions are on the relations between the returned Instants, not on wall-clock durations.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include <sluice/detail/driver.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/time.hpp>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using sluice::Instant;
using sluice::MissedTickBehavior;
using sluice::detail::Driver;
using sluice::detail::DriverScope;

/// Awaits one tick: polls until ready, parking the driver meanwhile.
Instant tick(Driver& d, sluice::Interval& iv) {
  sluice::testing::CountingWaker cw;
  for (;;) {
    auto fut = iv.tick();
    sluice::coop::Budget b = sluice::coop::Budget::initial();
    sluice::Context cx(cw.waker(), b);
    auto p = fut.poll(cx);
    if (p.is_ready()) return p.value();
    while (!cw.take_woken()) d.park(std::nullopt);
  }
}

TEST(Interval, FirstTickImmediateThenEveryPeriod) {
  Driver d;
  DriverScope scope(&d);
  auto before = Clock::now();
  auto iv = sluice::interval(10ms);
  EXPECT_EQ(iv.period(), 10ms);
  EXPECT_EQ(iv.missed_tick_behavior(), MissedTickBehavior::Burst);
  auto t0 = tick(d, iv);
  EXPECT_GE(t0, before);
  EXPECT_LE(t0, Clock::now());
  auto t1 = tick(d, iv);
  EXPECT_GE(Clock::now(), t1);  // never early
  auto t2 = tick(d, iv);
  EXPECT_EQ(t1 - t0, 10ms);
  EXPECT_EQ(t2 - t1, 10ms);
}

TEST(Interval, IntervalAtStartsAtStart) {
  Driver d;
  DriverScope scope(&d);
  auto start = Clock::now() + 5ms;
  auto iv = sluice::interval_at(start, 5ms);
  EXPECT_EQ(tick(d, iv), start);
  EXPECT_GE(Clock::now(), start);
  EXPECT_EQ(tick(d, iv), start + 5ms);
}

TEST(Interval, BurstFiresMissedTicksBackToBack) {
  Driver d;
  DriverScope scope(&d);
  auto iv = sluice::interval(10ms);
  auto t0 = tick(d, iv);
  std::this_thread::sleep_for(35ms);  // miss three ticks
  auto t1 = tick(d, iv);
  auto t2 = tick(d, iv);
  auto t3 = tick(d, iv);
  auto t4 = tick(d, iv);
  // The schedule stays on t0 + k * period.
  EXPECT_EQ(t1, t0 + 10ms);
  EXPECT_EQ(t2, t0 + 20ms);
  EXPECT_EQ(t3, t0 + 30ms);
  EXPECT_EQ(t4, t0 + 40ms);
}

TEST(Interval, DelayShiftsTheSchedule) {
  Driver d;
  DriverScope scope(&d);
  auto iv = sluice::interval(10ms);
  iv.set_missed_tick_behavior(MissedTickBehavior::Delay);
  EXPECT_EQ(iv.missed_tick_behavior(), MissedTickBehavior::Delay);
  auto t0 = tick(d, iv);
  std::this_thread::sleep_for(35ms);
  auto late_seen = Clock::now();
  auto t1 = tick(d, iv);  // the missed tick, returned at once with its scheduled instant
  auto t2 = tick(d, iv);  // now + period, measured when t1 was observed
  auto t3 = tick(d, iv);
  EXPECT_EQ(t1, t0 + 10ms);
  EXPECT_GE(t2, late_seen + 10ms);
  EXPECT_GE(t3, t2 + 10ms);  // exactly 10 ms unless this thread was late again
}

TEST(Interval, SkipJumpsToNextMultipleOfPeriod) {
  Driver d;
  DriverScope scope(&d);
  auto iv = sluice::interval(10ms);
  iv.set_missed_tick_behavior(MissedTickBehavior::Skip);
  auto t0 = tick(d, iv);
  std::this_thread::sleep_for(35ms);
  auto late_seen = Clock::now();
  auto t1 = tick(d, iv);
  auto t2 = tick(d, iv);
  EXPECT_EQ(t1, t0 + 10ms);
  EXPECT_EQ((t2 - t0) % 10ms, 0ns);  // still on the t0 + k * period grid
  EXPECT_GT(t2, late_seen);          // the first grid point after the late tick was seen
  EXPECT_GE(t2, t0 + 40ms);
}

TEST(Interval, ResetRestartsFromNow) {
  Driver d;
  DriverScope scope(&d);
  auto iv = sluice::interval(10ms);
  auto t0 = tick(d, iv);
  std::this_thread::sleep_for(3ms);
  auto before_reset = Clock::now();
  iv.reset();
  auto t1 = tick(d, iv);
  EXPECT_GE(t1, before_reset + 10ms);
  EXPECT_GT(t1, t0 + 10ms);
}

TEST(Interval, CancelledTickIsNotConsumed) {
  Driver d;
  DriverScope scope(&d);
  auto iv = sluice::interval(50ms);
  auto t0 = tick(d, iv);
  {
    auto fut = iv.tick();
    sluice::coop::Budget b = sluice::coop::Budget::initial();
    sluice::Context cx(sluice::Waker::noop(), b);
    EXPECT_TRUE(fut.poll(cx).is_pending());
  }  // cancelled
  EXPECT_EQ(tick(d, iv), t0 + 50ms);
}

TEST(Interval, ZeroPeriodThrows) {
  EXPECT_THROW((void)sluice::interval(0ms), std::invalid_argument);
  EXPECT_THROW((void)sluice::interval_at(Clock::now(), -1ms), std::invalid_argument);
}

}  // namespace
