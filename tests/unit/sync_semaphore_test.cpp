// sluice::Semaphore: permits, FIFO fairness, cancellation, close, owned permits.
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/semaphore.hpp>
#include <sluice/task.hpp>
#include <sluice/testing/mock_task.hpp>
#include <sluice/yield_now.hpp>

namespace {

using sluice::Semaphore;
using sluice::TryAcquireError;
namespace st = sluice::testing;

TEST(Semaphore, TryAcquireTakesAndGuardReturns) {
  Semaphore sem(2);
  {
    auto a = sem.try_acquire();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->num_permits(), 1u);
    EXPECT_EQ(sem.available_permits(), 1u);
    auto b = sem.try_acquire_many(2);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error(), TryAcquireError::NoPermits);
  }
  EXPECT_EQ(sem.available_permits(), 2u);
}

TEST(Semaphore, ForgetShrinksAndAddPermitsGrows) {
  Semaphore sem(2);
  {
    auto a = sem.try_acquire();
    a->forget();
  }
  EXPECT_EQ(sem.available_permits(), 1u);
  sem.add_permits(3);
  EXPECT_EQ(sem.available_permits(), 4u);
  EXPECT_EQ(sem.forget_permits(10), 4u);
  EXPECT_EQ(sem.available_permits(), 0u);
}

TEST(Semaphore, MergeAddsPermitsAndRejectsOtherSemaphores) {
  Semaphore sem(3), other(1);
  auto a = sem.try_acquire().value();
  auto b = sem.try_acquire_many(2).value();
  a.merge(std::move(b));
  EXPECT_EQ(a.num_permits(), 3u);
  EXPECT_EQ(b.num_permits(), 0u);
  auto c = other.try_acquire().value();
  EXPECT_THROW(a.merge(std::move(c)), std::invalid_argument);
}

TEST(Semaphore, AcquireWaitsAndIsWokenInFifoOrder) {
  Semaphore sem(1);
  auto held = sem.try_acquire().value();
  auto t1 = st::spawn(sem.acquire());
  auto t2 = st::spawn(sem.acquire());
  EXPECT_TRUE(t1.poll().is_pending());
  EXPECT_TRUE(t2.poll().is_pending());
  // A queued waiter blocks try_acquire even when a permit is released to it.
  { auto drop = std::move(held); }
  EXPECT_TRUE(t1.is_woken());
  EXPECT_FALSE(t2.is_woken());
  EXPECT_FALSE(sem.try_acquire());
  auto p1 = t1.poll();
  ASSERT_TRUE(p1.is_ready());
  ASSERT_TRUE(p1.value());
  { auto drop = std::move(p1).value().value(); }
  EXPECT_TRUE(t2.is_woken());
  EXPECT_TRUE(t2.poll().is_ready());
}

TEST(Semaphore, LargeRequestAtHeadIsNotStarvedBySmallOnes) {
  Semaphore sem(2);
  auto held = sem.try_acquire_many(2).value();
  auto big = st::spawn(sem.acquire_many(2));
  auto small = st::spawn(sem.acquire());
  EXPECT_TRUE(big.poll().is_pending());
  EXPECT_TRUE(small.poll().is_pending());
  { auto drop = std::move(held); }
  auto got = big.poll();  // keep the guard alive: dropping it would release both permits
  ASSERT_TRUE(got.is_ready());
  EXPECT_EQ(got.value()->num_permits(), 2u);
  EXPECT_TRUE(small.poll().is_pending());
}

TEST(Semaphore, CancelledWaiterGivesBackWhatItWasAssigned) {
  Semaphore sem(3);
  auto held = sem.try_acquire_many(2).value();
  auto big = st::spawn(sem.acquire_many(3));  // takes the 1 free permit, waits for 2 more
  auto next = st::spawn(sem.acquire());
  EXPECT_TRUE(big.poll().is_pending());
  EXPECT_TRUE(next.poll().is_pending());
  EXPECT_EQ(sem.available_permits(), 0u);
  big.drop_future();  // cancel: its assigned permit goes to `next`
  EXPECT_TRUE(next.is_woken());
  EXPECT_TRUE(next.poll().is_ready());
}

TEST(Semaphore, CloseFailsWaitersAndLaterAcquires) {
  Semaphore sem(1);
  auto held = sem.try_acquire().value();
  auto t = st::spawn(sem.acquire());
  EXPECT_TRUE(t.poll().is_pending());
  sem.close();
  EXPECT_TRUE(sem.is_closed());
  EXPECT_TRUE(t.is_woken());
  auto r = t.poll();
  ASSERT_TRUE(r.is_ready());
  EXPECT_FALSE(r.value());
  EXPECT_EQ(sem.try_acquire().error(), TryAcquireError::Closed);
  auto late = st::spawn(sem.acquire());
  auto lr = late.poll();
  ASSERT_TRUE(lr.is_ready());
  EXPECT_FALSE(lr.value());
}

TEST(Semaphore, OwnedPermitKeepsTheSemaphoreAlive) {
  auto sem = std::make_shared<Semaphore>(1);
  auto p = Semaphore::try_acquire_owned(sem);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->semaphore().get(), sem.get());
  EXPECT_FALSE(Semaphore::try_acquire_owned(sem));
  std::weak_ptr<Semaphore> weak = sem;
  sem.reset();
  EXPECT_FALSE(weak.expired());  // the permit holds it
  auto t = st::spawn(Semaphore::acquire_owned(weak.lock()));
  EXPECT_TRUE(t.poll().is_pending());
  { auto drop = std::move(p).value(); }
  auto r = t.poll();
  ASSERT_TRUE(r.is_ready());
  EXPECT_EQ(r.value()->num_permits(), 1u);
}

TEST(Semaphore, LimitsConcurrencyOnTheMultiThreadRuntime) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  auto sem = std::make_shared<Semaphore>(3);
  auto inside = std::make_shared<std::atomic<int>>(0);
  auto max_inside = std::make_shared<std::atomic<int>>(0);
  std::vector<sluice::JoinHandle<void>> hs;
  for (int i = 0; i < 64; ++i) {
    hs.push_back(rt.spawn([](std::shared_ptr<Semaphore> s, std::shared_ptr<std::atomic<int>> in,
                             std::shared_ptr<std::atomic<int>> mx) -> sluice::Task<void> {
      auto p = co_await s->acquire();
      int now = in->fetch_add(1) + 1;
      int prev = mx->load();
      while (now > prev && !mx->compare_exchange_weak(prev, now)) {
      }
      for (int k = 0; k < 3; ++k) co_await sluice::yield_now();
      in->fetch_sub(1);
    }(sem, inside, max_inside)));
  }
  for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)));
  EXPECT_LE(max_inside->load(), 3);
  EXPECT_GE(max_inside->load(), 1);
  EXPECT_EQ(sem->available_permits(), 3u);
}

}  // namespace
