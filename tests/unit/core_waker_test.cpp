// Tests of sluice::Waker (include/sluice/waker.hpp) through a counting vtable.
#include <utility>

#include <gtest/gtest.h>

#include <sluice/waker.hpp>

namespace {

struct Counts {
  int clones = 0;
  int wakes = 0;
  int wakes_by_ref = 0;
  int drops = 0;
  int live() const { return 1 + clones - drops - wakes; }  // 1 = the first Waker's reference
};

void* c_clone(void* d) {
  ++static_cast<Counts*>(d)->clones;
  return d;
}
void c_wake(void* d) { ++static_cast<Counts*>(d)->wakes; }
void c_wake_by_ref(void* d) { ++static_cast<Counts*>(d)->wakes_by_ref; }
void c_drop(void* d) { ++static_cast<Counts*>(d)->drops; }
constexpr sluice::RawWakerVTable kVT{&c_clone, &c_wake, &c_wake_by_ref, &c_drop};

TEST(Waker, CopyClonesDestroyDrops) {
  Counts c;
  {
    sluice::Waker w(&c, &kVT);
    EXPECT_EQ(c.clones, 0);
    {
      sluice::Waker w2 = w;
      EXPECT_EQ(c.clones, 1);
      EXPECT_TRUE(w2.will_wake(w));
      EXPECT_EQ(w2.data(), &c);
      EXPECT_EQ(w2.vtable(), &kVT);
    }
    EXPECT_EQ(c.drops, 1);
  }
  EXPECT_EQ(c.drops, 2);
  EXPECT_EQ(c.live(), 0);
}

TEST(Waker, MoveTransfersWithoutCloning) {
  Counts c;
  sluice::Waker w(&c, &kVT);
  sluice::Waker w2 = std::move(w);
  EXPECT_TRUE(w.is_empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_FALSE(w2.is_empty());
  sluice::Waker w3;
  w3 = std::move(w2);
  EXPECT_EQ(c.clones, 0);
  EXPECT_EQ(c.drops, 0);
  w3.reset();
  EXPECT_EQ(c.drops, 1);
  EXPECT_TRUE(w3.is_empty());
  w3.reset();  // idempotent
  EXPECT_EQ(c.drops, 1);
}

TEST(Waker, WakeConsumesWakeByRefDoesNot) {
  Counts c;
  sluice::Waker w(&c, &kVT);
  w.wake_by_ref();
  w.wake_by_ref();
  EXPECT_EQ(c.wakes_by_ref, 2);
  EXPECT_FALSE(w.is_empty());
  std::move(w).wake();
  EXPECT_EQ(c.wakes, 1);
  EXPECT_EQ(c.drops, 0);  // wake releases the reference itself: no separate drop
  EXPECT_TRUE(w.is_empty());
  std::move(w).wake();  // empty: nothing
  EXPECT_EQ(c.wakes, 1);
  EXPECT_EQ(c.live(), 0);
}

TEST(Waker, CopyAssignSkipsCloneForSameTargetAndReplacesOther) {
  Counts a, b;
  sluice::Waker wa(&a, &kVT);
  sluice::Waker wa2 = wa;
  EXPECT_EQ(a.clones, 1);
  wa2 = wa;  // same target: no clone, no drop
  EXPECT_EQ(a.clones, 1);
  EXPECT_EQ(a.drops, 0);
  sluice::Waker wb(&b, &kVT);
  EXPECT_FALSE(wb.will_wake(wa));
  wa2 = wb;  // drops a's clone, clones b
  EXPECT_EQ(a.drops, 1);
  EXPECT_EQ(b.clones, 1);
  EXPECT_TRUE(wa2.will_wake(wb));
  sluice::Waker& self = wa2;
  wa2 = self;  // self-assignment is harmless
  EXPECT_EQ(b.clones, 1);
}

TEST(Waker, EmptyWakerDoesNothing) {
  sluice::Waker w;
  EXPECT_TRUE(w.is_empty());
  w.wake_by_ref();
  sluice::Waker copy = w;
  EXPECT_TRUE(copy.is_empty());
  std::move(copy).wake();
  EXPECT_TRUE(w.will_wake(sluice::Waker{}));
}

TEST(Waker, NoopWakerIsValidAndInert) {
  const sluice::Waker& n = sluice::Waker::noop();
  EXPECT_FALSE(n.is_empty());
  n.wake_by_ref();
  sluice::Waker c = n;
  EXPECT_TRUE(c.will_wake(n));
  std::move(c).wake();
  EXPECT_TRUE(&sluice::Waker::noop() == &n);
}

TEST(Waker, Swap) {
  Counts a, b;
  sluice::Waker wa(&a, &kVT), wb(&b, &kVT);
  wa.swap(wb);
  EXPECT_EQ(wa.data(), &b);
  EXPECT_EQ(wb.data(), &a);
  EXPECT_EQ(a.clones + b.clones, 0);
}

}  // namespace
