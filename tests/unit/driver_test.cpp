// Driver: park/unpark over epoll + eventfd, timeouts, and park honouring the earliest timer.
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include <sluice/detail/driver.hpp>
#include <sluice/detail/time_driver.hpp>
#include <sluice/sleep.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using sluice::detail::Driver;
using sluice::detail::DriverScope;

TEST(Driver, ParkWithZeroTimeoutReturnsAtOnce) {
  Driver d;
  d.park(std::chrono::nanoseconds::zero());
  SUCCEED();
}

TEST(Driver, ParkTimeoutIsNeverEarly) {
  Driver d;
  auto start = Clock::now();
  d.park(3ms);
  EXPECT_GE(Clock::now() - start, 3ms);
}

TEST(Driver, UnparkBeforeParkMakesParkReturn) {
  Driver d;
  d.unpark();
  d.park(std::nullopt);  // would block forever if the wake-up were lost
  SUCCEED();
}

TEST(Driver, UnparksCoalesce) {
  Driver d;
  d.unpark();
  d.unpark();
  d.unpark();
  d.park(std::nullopt);
  // The coalesced wake-up is consumed: a timed park now waits for its timeout.
  auto start = Clock::now();
  d.park(2ms);
  EXPECT_GE(Clock::now() - start, 2ms);
}

TEST(Driver, UnparkFromAnotherThreadWakesParkedThread) {
  Driver d;
  std::atomic<bool> returned{false};
  std::thread t([&] {
    d.park(std::nullopt);
    returned.store(true);
  });
  // Keep unparking until the parker returned: no sleep-based assumption about when it blocked.
  while (!returned.load()) {
    d.unpark();
    std::this_thread::sleep_for(1ms);
  }
  t.join();
  EXPECT_TRUE(returned.load());
}

TEST(Driver, ManyParkUnparkRoundsLoseNoWakeup) {
  // Ping-pong: each round the parker blocks with no timeout until the main thread's unpark.
  // A lost wake-up hangs the test (ctest timeout).
  Driver d;
  constexpr int kRounds = 2000;
  std::atomic<int> go{0};
  std::atomic<int> ack{0};
  std::thread t([&] {
    for (int i = 1; i <= kRounds; ++i) {
      while (go.load(std::memory_order_acquire) < i) d.park(std::nullopt);
      ack.store(i, std::memory_order_release);
    }
  });
  for (int i = 1; i <= kRounds; ++i) {
    go.store(i, std::memory_order_release);
    d.unpark();
    while (ack.load(std::memory_order_acquire) < i) std::this_thread::yield();
  }
  t.join();
  EXPECT_EQ(ack.load(), kRounds);
}

TEST(Driver, CurrentDriverScope) {
  EXPECT_EQ(sluice::detail::current_driver(), nullptr);
  Driver a;
  Driver b;
  {
    DriverScope sa(&a);
    EXPECT_EQ(sluice::detail::current_driver(), &a);
    {
      DriverScope sb(&b);
      EXPECT_EQ(sluice::detail::current_driver(), &b);
    }
    EXPECT_EQ(sluice::detail::current_driver(), &a);
  }
  EXPECT_EQ(sluice::detail::current_driver(), nullptr);
}

TEST(Driver, ParkWithoutTimeoutWakesForEarliestTimer) {
  Driver d;
  DriverScope scope(&d);
  auto deadline = Clock::now() + 5ms;
  auto s = sluice::sleep_until(deadline);
  auto t = sluice::testing::spawn(std::move(s));
  ASSERT_TRUE(t.poll().is_pending());
  while (!t.is_woken()) d.park(std::nullopt);  // no timeout: only the timer can end this
  EXPECT_GE(Clock::now(), deadline);
  EXPECT_TRUE(t.poll().is_ready());
}

TEST(Driver, TimerRegisteredFromAnotherThreadUnparksLongPark) {
  Driver d;
  sluice::testing::CountingWaker cw;
  std::atomic<bool> registered{false};
  std::optional<sluice::Sleep> s;
  std::thread other([&] {
    DriverScope scope(&d);
    s.emplace(sluice::sleep(20ms));
    sluice::coop::Budget b = sluice::coop::Budget::unconstrained();
    sluice::Context cx(cw.waker(), b);
    EXPECT_TRUE(s->poll(cx).is_pending());
    registered.store(true);
  });
  // The parker has no timeout of its own: either it saw the timer when it parked, or the
  // registration unparked it. A missed unpark hangs the test (ctest timeout).
  while (cw.wake_count() == 0) d.park(std::nullopt);
  other.join();
  EXPECT_TRUE(registered.load());
  EXPECT_TRUE(s->is_elapsed());
  EXPECT_GE(Clock::now(), s->deadline());
}

TEST(Driver, ShutdownReleasesTimersAndSleepOutlivesDriver) {
  std::optional<sluice::Sleep> s;
  sluice::testing::CountingWaker cw;
  {
    Driver d;
    DriverScope scope(&d);
    s.emplace(sluice::sleep(1h));
    sluice::coop::Budget b = sluice::coop::Budget::unconstrained();
    sluice::Context cx(cw.waker(), b);
    EXPECT_TRUE(s->poll(cx).is_pending());
    EXPECT_EQ(cw.ref_count(), 1u);
    EXPECT_EQ(d.time().size(), 1u);
    d.shutdown();
    EXPECT_EQ(d.time().size(), 0u);
    EXPECT_EQ(cw.ref_count(), 0u);  // waker released
  }
  sluice::coop::Budget b = sluice::coop::Budget::unconstrained();
  sluice::Context cx(cw.waker(), b);
  EXPECT_THROW((void)s->poll(cx), std::logic_error);
  s.reset();  // destroying it after the driver is gone is fine
}

}  // namespace
