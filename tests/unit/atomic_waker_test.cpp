// Unit tests of detail::AtomicWaker: register / wake / take_waker / clear, re-arming the stored
// waker without a clone, dropping the replaced waker, and a wake racing registrations across
// threads.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include <sluice/detail/atomic_waker.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

using sluice::Waker;
using sluice::detail::AtomicWaker;
using sluice::testing::CountingWaker;

TEST(AtomicWaker, WakeWithNothingRegisteredDoesNothing) {
  AtomicWaker w;
  w.wake();
  EXPECT_TRUE(w.take_waker().is_empty());
}

TEST(AtomicWaker, RegisterThenWakeWakesOnceAndKeepsTheCloneUntilCleared) {
  CountingWaker cw;
  AtomicWaker w;
  w.register_by_ref(cw.waker());
  EXPECT_EQ(cw.ref_count(), 1u);
  EXPECT_EQ(cw.wake_count(), 0u);
  w.wake();
  EXPECT_EQ(cw.wake_count(), 1u);
  EXPECT_EQ(cw.ref_count(), 1u);  // woken by reference: the cell keeps its clone
  w.wake();                       // disarmed: nothing to wake until the next registration
  EXPECT_EQ(cw.wake_count(), 1u);
  w.clear();
  EXPECT_EQ(cw.ref_count(), 0u);
  w.wake();
  EXPECT_EQ(cw.wake_count(), 1u);
}

TEST(AtomicWaker, RegisteringTheSameWakerAgainSkipsTheClone) {
  CountingWaker cw;
  AtomicWaker w;
  w.register_by_ref(cw.waker());
  w.register_by_ref(cw.waker());
  w.register_by_ref(cw.waker());
  EXPECT_EQ(cw.ref_count(), 1u);
  w.wake();
  EXPECT_EQ(cw.wake_count(), 1u);
}

TEST(AtomicWaker, RegisteringAnotherWakerDropsTheOldOne) {
  CountingWaker a;
  CountingWaker b;
  AtomicWaker w;
  w.register_by_ref(a.waker());
  w.register_by_ref(b.waker());
  EXPECT_EQ(a.ref_count(), 0u);
  EXPECT_EQ(b.ref_count(), 1u);
  w.wake();
  EXPECT_EQ(a.wake_count(), 0u);
  EXPECT_EQ(b.wake_count(), 1u);
}

TEST(AtomicWaker, TakeWakerHandsOverACloneOnce) {
  CountingWaker cw;
  AtomicWaker w;
  w.register_by_ref(cw.waker());
  Waker taken = w.take_waker();
  ASSERT_FALSE(taken.is_empty());
  EXPECT_TRUE(taken.will_wake(cw.waker()));
  EXPECT_EQ(cw.ref_count(), 2u);           // the cell's and ours
  EXPECT_TRUE(w.take_waker().is_empty());  // disarmed
  w.wake();                                // nothing armed either
  EXPECT_EQ(cw.wake_count(), 0u);
  std::move(taken).wake();
  EXPECT_EQ(cw.wake_count(), 1u);
  EXPECT_EQ(cw.ref_count(), 1u);
  w.clear();
  EXPECT_EQ(cw.ref_count(), 0u);
}

TEST(AtomicWaker, ReRegisteringAfterAWakeArmsTheSameCloneAgain) {
  CountingWaker cw;
  AtomicWaker w;
  for (int i = 0; i < 3; ++i) {
    w.register_by_ref(cw.waker());
    EXPECT_EQ(cw.ref_count(), 1u);  // one clone, made by the first registration
    w.wake();
  }
  EXPECT_EQ(cw.wake_count(), 3u);
  w.clear();
  EXPECT_EQ(cw.ref_count(), 0u);
}

TEST(AtomicWaker, ClearDropsTheWakerAndDisarms) {
  CountingWaker cw;
  AtomicWaker w;
  w.register_by_ref(cw.waker());
  w.clear();
  EXPECT_EQ(cw.ref_count(), 0u);
  w.wake();
  EXPECT_EQ(cw.wake_count(), 0u);
  w.clear();  // clearing an empty cell does nothing
  w.register_by_ref(cw.waker());
  w.wake();
  EXPECT_EQ(cw.wake_count(), 1u);
}

TEST(AtomicWaker, DestructionDropsTheStoredWaker) {
  CountingWaker cw;
  {
    AtomicWaker w;
    w.register_by_ref(cw.waker());
    EXPECT_EQ(cw.ref_count(), 1u);
  }
  EXPECT_EQ(cw.ref_count(), 0u);
  EXPECT_EQ(cw.wake_count(), 0u);
}

TEST(AtomicWaker, EmptyWakerCanBeRegistered) {
  AtomicWaker w;
  w.register_by_ref(Waker{});
  w.wake();  // nothing to wake, nothing crashes
  CountingWaker cw;
  w.register_by_ref(cw.waker());
  w.wake();
  EXPECT_EQ(cw.wake_count(), 1u);
}

// A waker whose clone throws: the registration fails, the cell stays usable.
void* throwing_clone(void*) { throw std::runtime_error("clone failed"); }
void nop(void*) {}
constexpr sluice::RawWakerVTable kThrowingVTable{&throwing_clone, &nop, &nop, &nop};

TEST(AtomicWaker, ThrowingCloneLeavesTheCellUsable) {
  AtomicWaker w;
  Waker bad(nullptr, &kThrowingVTable);
  EXPECT_THROW(w.register_by_ref(bad), std::runtime_error);
  CountingWaker cw;
  w.register_by_ref(cw.waker());
  w.wake();
  EXPECT_EQ(cw.wake_count(), 1u);
}

// The receiver's pattern: register, then re-check the condition; a sender publishes, then wakes.
// A lost wake would leave the consumer waiting forever (bounded here so the test fails instead).
TEST(AtomicWaker, WakeRacingRegisterIsNeverLost) {
  constexpr int kRounds = 20000;
  AtomicWaker cell;
  std::atomic<int> published{0};
  std::thread producer([&] {
    for (int i = 1; i <= kRounds; ++i) {
      published.store(i, std::memory_order_release);
      cell.wake();
      if (i % 64 == 0) std::this_thread::yield();  // sometimes let the consumer catch up
    }
  });
  CountingWaker cw;
  int seen = 0;
  bool lost = false;
  // Hang guard only (a lost wake never comes): not a timing assertion.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (seen < kRounds && !lost) {
    cell.register_by_ref(cw.waker());
    const int now = published.load(std::memory_order_acquire);
    if (now > seen) {
      seen = now;
      continue;
    }
    // Nothing new: a wake must come (the producer publishes before it wakes).
    while (!cw.take_woken()) {
      if (std::chrono::steady_clock::now() > give_up) {
        lost = true;
        break;
      }
      std::this_thread::yield();
    }
  }
  producer.join();
  EXPECT_FALSE(lost) << "lost wake after value " << seen;
  EXPECT_EQ(seen, kRounds);
}

}  // namespace
