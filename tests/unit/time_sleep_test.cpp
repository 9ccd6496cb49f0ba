// Sleep driven by hand: a Driver, a DriverScope, polls with a counting waker, park() between.
#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/driver.hpp>
#include <sluice/detail/time_driver.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/time.hpp>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using sluice::detail::Driver;
using sluice::detail::DriverScope;

/// A waker that appends (id, now) to a log when woken: to check firing order and "never early".
struct WakeLog {
  std::mutex mu;
  std::vector<std::pair<int, Clock::time_point>> wakes;
  struct Target {
    WakeLog* log;
    int id;
  };
  std::vector<std::unique_ptr<Target>> targets;

  static void* clone(void* d) { return d; }
  static void wake(void* d) {
    auto* t = static_cast<Target*>(d);
    auto now = Clock::now();
    std::lock_guard<std::mutex> lock(t->log->mu);
    t->log->wakes.emplace_back(t->id, now);
  }
  static void drop(void*) {}
  static constexpr sluice::RawWakerVTable kVTable{&clone, &wake, &wake, &drop};

  sluice::Waker waker(int id) {
    targets.push_back(std::make_unique<Target>(Target{this, id}));
    return sluice::Waker(targets.back().get(), &kVTable);
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return wakes.size();
  }
};

sluice::Poll<void> poll_with(sluice::Sleep& s, const sluice::Waker& w) {
  sluice::coop::Budget b = sluice::coop::Budget::initial();
  sluice::Context cx(w, b);
  return s.poll(cx);
}

TEST(Sleep, FiresInDeadlineOrderNeverEarly) {
  Driver d;
  DriverScope scope(&d);
  WakeLog log;
  // Offsets start 200 ms out so that creating and polling the sleeps on a loaded machine under a
  // sanitizer (seen: over 1 ms in CI) never lets one come due before it is registered.
  auto base = Clock::now() + 200ms;
  // Deliberately unsorted, with two deadlines inside one tick.
  std::vector<std::chrono::microseconds> offsets{7000us,  1000us, 3500us, 3200us,
                                                 12000us, 1500us, 65000us};
  std::vector<sluice::Sleep> sleeps;
  for (auto off : offsets) sleeps.push_back(sluice::sleep_until(base + off));
  for (std::size_t i = 0; i < sleeps.size(); ++i) {
    ASSERT_TRUE(poll_with(sleeps[i], log.waker(static_cast<int>(i))).is_pending());
  }
  while (log.size() < sleeps.size()) d.park(std::nullopt);
  std::vector<std::chrono::microseconds> fired;
  for (auto& [id, at] : log.wakes) {
    EXPECT_GE(at, sleeps[static_cast<std::size_t>(id)].deadline()) << "fired early";
    fired.push_back(offsets[static_cast<std::size_t>(id)]);
  }
  EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end()));
  for (auto& s : sleeps) EXPECT_TRUE(s.is_elapsed());
}

TEST(Sleep, ReadyAtOnceWhenDeadlinePassed) {
  Driver d;
  DriverScope scope(&d);
  auto s = sluice::sleep(0ns);
  EXPECT_TRUE(poll_with(s, sluice::Waker::noop()).is_ready());
  EXPECT_TRUE(s.is_elapsed());
  auto past = sluice::sleep_until(Clock::now() - 1s);
  EXPECT_TRUE(poll_with(past, sluice::Waker::noop()).is_ready());
  EXPECT_EQ(d.time().size(), 0u);
  // Polling a completed Sleep again stays ready.
  EXPECT_TRUE(poll_with(s, sluice::Waker::noop()).is_ready());
}

TEST(Sleep, PollOutsideRuntimeThrows) {
  auto s = sluice::sleep(1ms);
  try {
    (void)poll_with(s, sluice::Waker::noop());
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "sluice::sleep must be polled inside a sluice runtime");
  }
}

TEST(Sleep, CancelBeforeFiringReleasesWakerAndEntry) {
  Driver d;
  DriverScope scope(&d);
  sluice::testing::CountingWaker cw;
  {
    auto s = sluice::sleep(50ms);
    ASSERT_TRUE(poll_with(s, cw.waker()).is_pending());
    EXPECT_EQ(cw.ref_count(), 1u);
    EXPECT_EQ(d.time().size(), 1u);
  }
  EXPECT_EQ(cw.ref_count(), 0u);
  EXPECT_EQ(d.time().size(), 0u);
  d.park(60ms);
  EXPECT_EQ(cw.wake_count(), 0u);
}

TEST(Sleep, RepollWithSameWakerDoesNotClone) {
  Driver d;
  DriverScope scope(&d);
  sluice::testing::CountingWaker a;
  sluice::testing::CountingWaker b;
  auto s = sluice::sleep(1h);
  ASSERT_TRUE(poll_with(s, a.waker()).is_pending());
  ASSERT_TRUE(poll_with(s, a.waker()).is_pending());
  EXPECT_EQ(a.ref_count(), 1u);
  ASSERT_TRUE(poll_with(s, b.waker()).is_pending());  // a new waker replaces the old one
  EXPECT_EQ(a.ref_count(), 0u);
  EXPECT_EQ(b.ref_count(), 1u);
}

TEST(Sleep, ResetEarlierAndLater) {
  Driver d;
  DriverScope scope(&d);
  sluice::testing::CountingWaker cw;
  auto s = sluice::sleep(1h);
  ASSERT_TRUE(poll_with(s, cw.waker()).is_pending());
  auto earlier = Clock::now() + 30ms;
  s.reset(earlier);
  EXPECT_EQ(s.deadline(), earlier);
  while (!cw.is_woken()) d.park(std::nullopt);
  EXPECT_GE(Clock::now(), earlier);
  EXPECT_TRUE(poll_with(s, cw.waker()).is_ready());

  // Reset after completion: pending again, until the new deadline.
  auto later = Clock::now() + 40ms;
  s.reset(later);
  EXPECT_FALSE(s.is_elapsed());
  cw.take_woken();
  ASSERT_TRUE(poll_with(s, cw.waker()).is_pending());
  s.reset(later + 3ms);  // later still
  while (!cw.take_woken()) d.park(std::nullopt);
  EXPECT_GE(Clock::now(), later + 3ms);
  EXPECT_TRUE(poll_with(s, cw.waker()).is_ready());
}

TEST(Sleep, ResetToPastWakesRegisteredSleep) {
  Driver d;
  DriverScope scope(&d);
  sluice::testing::CountingWaker cw;
  auto s = sluice::sleep(1h);
  ASSERT_TRUE(poll_with(s, cw.waker()).is_pending());
  d.park(2ms);  // let the wheel advance past "now"
  s.reset(Clock::now() - 1s);
  EXPECT_TRUE(cw.is_woken());
  EXPECT_TRUE(poll_with(s, cw.waker()).is_ready());
  EXPECT_EQ(d.time().size(), 0u);
}

TEST(Sleep, MoveWhileRegisteredKeepsTimer) {
  Driver d;
  DriverScope scope(&d);
  sluice::testing::CountingWaker cw;
  auto a = sluice::sleep(30ms);
  ASSERT_TRUE(poll_with(a, cw.waker()).is_pending());
  sluice::Sleep b(std::move(a));
  EXPECT_EQ(d.time().size(), 1u);
  std::optional<sluice::Sleep> c;
  c.emplace(sluice::sleep(1h));
  ASSERT_TRUE(poll_with(*c, sluice::Waker::noop()).is_pending());
  EXPECT_EQ(d.time().size(), 2u);
  *c = std::move(b);  // cancels c's own timer, takes b's
  EXPECT_EQ(d.time().size(), 1u);
  while (!cw.is_woken()) d.park(std::nullopt);
  EXPECT_TRUE(c->is_elapsed());
  EXPECT_GE(Clock::now(), c->deadline());
}

TEST(Sleep, SpendsBudgetOnlyWhenCompleting) {
  Driver d;
  DriverScope scope(&d);
  sluice::testing::CountingWaker cw;
  auto s = sluice::sleep(20ms);
  auto b = sluice::coop::Budget::initial();
  sluice::Context cx(cw.waker(), b);
  ASSERT_TRUE(s.poll(cx).is_pending());
  EXPECT_EQ(b.remaining(), sluice::coop::Budget::kInitial);  // refunded
  while (!cw.take_woken()) d.park(std::nullopt);
  ASSERT_TRUE(s.poll(cx).is_ready());
  EXPECT_EQ(b.remaining(), sluice::coop::Budget::kInitial - 1);
}

TEST(Sleep, ExhaustedBudgetYields) {
  Driver d;
  DriverScope scope(&d);
  sluice::testing::CountingWaker cw;
  auto s = sluice::sleep(0ns);
  auto b = sluice::coop::Budget::initial();
  while (b.try_spend()) {
  }
  sluice::Context cx(cw.waker(), b);
  EXPECT_TRUE(s.poll(cx).is_pending());
  EXPECT_TRUE(cw.is_woken());  // woke itself to be polled again
}

TEST(Sleep, ShutdownWhileRegisteredThenPollThrows) {
  Driver d;
  DriverScope scope(&d);
  sluice::testing::CountingWaker cw;
  auto s = sluice::sleep(1h);
  ASSERT_TRUE(poll_with(s, cw.waker()).is_pending());
  d.shutdown();
  EXPECT_EQ(cw.wake_count(), 1u);  // shutdown wakes waiters so they observe the error
  try {
    (void)poll_with(s, cw.waker());
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "sluice: timer's runtime has shut down");
  }
  auto fresh = sluice::sleep(1h);  // registering with a shut-down driver throws too
  EXPECT_THROW((void)poll_with(fresh, cw.waker()), std::logic_error);
}

TEST(Sleep, HugeDurationDoesNotOverflow) {
  Driver d;
  DriverScope scope(&d);
  auto s = sluice::sleep(std::chrono::nanoseconds::max());
  EXPECT_GT(s.deadline(), Clock::now() + std::chrono::hours(24 * 365 * 29));
  EXPECT_TRUE(poll_with(s, sluice::Waker::noop()).is_pending());
  auto m = sluice::sleep_until(Clock::time_point::max());
  EXPECT_TRUE(poll_with(m, sluice::Waker::noop()).is_pending());
  d.park(0ns);
  EXPECT_FALSE(s.is_elapsed());
  EXPECT_FALSE(m.is_elapsed());
}

TEST(Sleep, RegisterFromManyThreadsFireOnParker) {
  Driver d;
  WakeLog log;
  constexpr int kPerThread = 50;
  std::vector<std::vector<sluice::Sleep>> sleeps(3);
  std::vector<sluice::Waker> wakers;
  for (int i = 0; i < 3 * kPerThread; ++i) wakers.push_back(log.waker(i));
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      DriverScope scope(&d);
      for (int i = 0; i < kPerThread; ++i) {
        auto& s = sleeps[static_cast<std::size_t>(t)].emplace_back(
            sluice::sleep(std::chrono::microseconds(100 * ((i * 7 + t) % 40))));
        (void)poll_with(s, wakers[static_cast<std::size_t>(t * kPerThread + i)]);
      }
    });
  }
  for (auto& th : threads) th.join();
  while (d.time().size() > 0) d.park(std::nullopt);
  for (auto& [id, at] : log.wakes) {
    auto& s = sleeps[static_cast<std::size_t>(id / kPerThread)]
                    [static_cast<std::size_t>(id % kPerThread)];
    EXPECT_GE(at, s.deadline());
  }
  for (auto& v : sleeps)
    for (auto& s : v) EXPECT_TRUE(s.is_elapsed());
}

}  // namespace
