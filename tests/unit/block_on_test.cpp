// sluice::block_on and the thread parker (engineer S).
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include <sluice/block_on.hpp>
#include <sluice/detail/thread_parker.hpp>
#include <sluice/runtime.hpp>
#include <sluice/yield_now.hpp>

#include "support/runtime_helpers.hpp"

namespace {

using sluice::Task;
using namespace std::chrono_literals;

Task<int> value(int v) { co_return v; }
Task<void> nothing() { co_return; }
Task<int> thrower() {
  throw std::runtime_error("bo");
  co_return 0;
}

TEST(BlockOn, ReturnsValuesAndRethrows) {
  EXPECT_EQ(sluice::block_on(value(3)), 3);
  sluice::block_on(nothing());
  EXPECT_THROW(sluice::block_on(thrower()), std::runtime_error);
  auto t = value(8);
  EXPECT_EQ(sluice::block_on(t), 8);  // lvalue polled in place
  EXPECT_TRUE(t.is_finished());
}

/// Wakes itself by_ref `n` times before being ready: the wake before park must not be lost.
struct SelfWake {
  using Output = int;
  int n;
  int polls = 0;
  sluice::Poll<int> poll(sluice::Context& cx) {
    ++polls;
    if (polls > n) return polls;
    cx.waker().wake_by_ref();
    return sluice::pending;
  }
};

TEST(BlockOn, WakeBeforeParkIsNotLost) {
  SelfWake f{5};
  EXPECT_EQ(sluice::block_on(f), 6);
  sluice::block_on(sluice::yield_now());
}

TEST(BlockOn, WokenFromAnotherThread) {
  std::atomic<bool> flag{false};
  std::mutex mu;
  sluice::Waker slot;
  std::thread t([&] {
    for (;;) {
      std::this_thread::sleep_for(1ms);
      std::lock_guard g(mu);
      if (!slot.is_empty()) {
        flag.store(true);
        slot.wake_by_ref();
        return;
      }
    }
  });
  sluice::block_on(sluice::test::WaitFlag(&flag, &mu, &slot));
  t.join();
  EXPECT_TRUE(flag.load());
}

TEST(BlockOn, ThreadWakerOutlivesItsThread) {
  sluice::Waker w;
  std::thread([&] { w = sluice::detail::current_thread_waker(); }).join();
  w.wake_by_ref();  // harmless: the parker is reference counted
  std::move(w).wake();
  EXPECT_TRUE(w.is_empty());
}

TEST(BlockOn, ParkReturnsAtOnceAfterUnpark) {
  auto w = sluice::detail::current_thread_waker();
  w.wake_by_ref();
  sluice::detail::park_current_thread();  // consumes the notification
  std::thread t([w] {
    std::this_thread::sleep_for(1ms);
    w.wake_by_ref();
  });
  sluice::detail::park_current_thread();
  t.join();
}

Task<int> nested() { co_return sluice::block_on(value(1)); }

TEST(BlockOn, NestedOrOnRuntimeThreadThrows) {
  try {
    sluice::block_on(nested());
    FAIL() << "nested block_on did not throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot call sluice::block_on from a runtime thread"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(sluice::detail::in_block_on());
  auto rt = sluice::Runtime::current_thread();
  EXPECT_THROW(rt.block_on(nested()), std::logic_error);
  EXPECT_EQ(sluice::block_on(value(2)), 2);  // state restored after the throws
}

TEST(BlockOn, RuntimeBlockOnInsideFreeBlockOnThrows) {
  auto rt = sluice::Runtime::current_thread();
  EXPECT_THROW(sluice::block_on(
                   [](sluice::Runtime* rt) -> Task<int> { co_return rt->block_on(value(1)); }(&rt)),
               std::logic_error);
}

TEST(BlockOn, TwoThreadsBlockOnOneCurrentThreadRuntime) {
  auto rt = sluice::Runtime::current_thread();
  std::atomic<bool> flag{false};
  std::mutex mu;
  sluice::Waker slot;
  int other = 0;
  std::thread t([&] { other = rt.block_on(rt.spawn(value(5))).value(); });
  std::thread setter([&] {
    std::this_thread::sleep_for(2ms);
    std::lock_guard g(mu);
    flag.store(true);
    slot.wake_by_ref();
  });
  rt.block_on(sluice::test::WaitFlag(&flag, &mu, &slot));
  t.join();
  setter.join();
  EXPECT_EQ(other, 5);
}

}  // namespace
