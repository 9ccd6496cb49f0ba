// Unit tests of detail/task_waker.hpp: waker_task() recognises a task's waker, and the split
// wake (notify_task_by_ref) marks the task notified at once but queues it only when its second
// half is woken or dropped, exactly once. A fake scheduler records what is queued.
#include <cstddef>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/task_waker.hpp>
#include <sluice/testing/mock_task.hpp>

namespace {

using sluice::Waker;
using sluice::detail::notify_task_by_ref;
using sluice::detail::Scheduler;
using sluice::detail::TaskHeader;
using sluice::detail::TaskVTable;
using sluice::detail::waker_task;
namespace bits = sluice::detail::task_bits;

struct FakeScheduler final : Scheduler {
  std::vector<TaskHeader*> queued;
  void schedule(TaskHeader* t) override { queued.push_back(t); }
  void yield(TaskHeader* t, bool) override { queued.push_back(t); }
  bool release(TaskHeader*) noexcept override { return false; }
};

constexpr TaskVTable kNoVTable{};  // never called: the tests keep references alive

// An idle task (polled once and left pending), as a semaphore waiter's task is.
struct IdleTask {
  FakeScheduler sched;
  TaskHeader header{&kNoVTable, &sched};
  IdleTask() {
    EXPECT_EQ(header.state.transition_to_running(), sluice::detail::ToRunning::kSuccess);
    EXPECT_EQ(header.state.transition_to_idle(), sluice::detail::ToIdle::kOkDoNothing);
  }
  std::size_t refs() const { return header.state.load() >> bits::kRefShift; }
  bool notified() const { return (header.state.load() & bits::kNotified) != 0; }
};

TEST(TaskWaker, WakerTaskRecognisesOnlyATasksWaker) {
  IdleTask t;
  t.header.state.ref_inc();  // the reference the Waker below adopts
  Waker task_waker(&t.header, &sluice::detail::kTaskWakerVTable);
  EXPECT_EQ(waker_task(task_waker), &t.header);
  sluice::testing::CountingWaker other;
  EXPECT_EQ(waker_task(other.waker()), nullptr);
  EXPECT_EQ(waker_task(Waker{}), nullptr);
}

TEST(TaskWaker, SplitWakeNotifiesAtOnceAndQueuesOnTheSecondHalf) {
  IdleTask t;
  const std::size_t refs = t.refs();
  Waker later = notify_task_by_ref(&t.header);
  ASSERT_FALSE(later.is_empty());
  EXPECT_TRUE(t.notified());
  EXPECT_EQ(t.refs(), refs + 1);  // the queue's reference, taken by the same CAS
  EXPECT_TRUE(t.sched.queued.empty());
  std::move(later).wake();
  ASSERT_EQ(t.sched.queued.size(), 1u);
  EXPECT_EQ(t.sched.queued[0], &t.header);
  EXPECT_EQ(t.refs(), refs + 1);  // handed to the queue
}

TEST(TaskWaker, DroppingTheSecondHalfStillQueuesTheTask) {
  IdleTask t;
  { Waker later = notify_task_by_ref(&t.header); }
  EXPECT_EQ(t.sched.queued.size(), 1u);  // NOTIFIED is set: nobody else would queue it
}

TEST(TaskWaker, NothingToQueueForANotifiedOrRunningTask) {
  IdleTask t;
  Waker first = notify_task_by_ref(&t.header);
  const std::size_t refs = t.refs();
  EXPECT_TRUE(notify_task_by_ref(&t.header).is_empty());  // already notified
  EXPECT_EQ(t.refs(), refs);
  std::move(first).wake();

  IdleTask r2;
  Waker w = notify_task_by_ref(&r2.header);
  std::move(w).wake();
  ASSERT_EQ(r2.header.state.transition_to_running(), sluice::detail::ToRunning::kSuccess);
  EXPECT_TRUE(notify_task_by_ref(&r2.header).is_empty());  // running: marked, not queued
  EXPECT_TRUE(r2.notified());
  EXPECT_EQ(r2.sched.queued.size(), 1u);  // only the first wake's entry
}

TEST(TaskWaker, ACloneOfTheSecondHalfIsAPlainTaskWaker) {
  IdleTask t;
  const std::size_t refs = t.refs();
  Waker later = notify_task_by_ref(&t.header);
  Waker copy = later;  // a new reference; waking it finds the task notified already
  EXPECT_EQ(t.refs(), refs + 2);
  std::move(copy).wake();
  EXPECT_EQ(t.refs(), refs + 1);
  EXPECT_TRUE(t.sched.queued.empty());
  std::move(later).wake();
  EXPECT_EQ(t.sched.queued.size(), 1u);
}

}  // namespace
