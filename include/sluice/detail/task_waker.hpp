// sluice::detail task wakers: the Waker of a spawned task (data = TaskHeader*, kTaskWakerVTable:
// clone = ref_inc, wake = transition_to_notified_by_val (+ schedule), wake_by_ref =
// transition_to_notified_by_ref (+ schedule), drop = ref_dec), and a wake split in two halves
// for a caller that holds a lock.
//
// Split wake (notify_task_by_ref): the first half, transition_to_notified_by_ref, is one CAS
// that marks the task NOTIFIED and, when it must be queued, adds the queue's reference; it may
// run under a lock, given the caller knows the task is alive (it holds no reference: the
// semaphore's hand-off waiter lives inside the task's own future, which cannot be destroyed
// while the semaphore's lock is held). The second half, queueing the task, is a Waker to wake
// after the unlock: its data is the TaskHeader* with bit 0 set, and its wake or its drop
// schedules the task (the task is NOTIFIED already: nobody else queues it). A clone of it is a
// plain task waker (a new reference, untagged data). Compared with keeping a clone of the
// task's waker in the waiter and waking it by value, this saves one RMW per wait.
//
// Example:
//   Waker later = notify_task_by_ref(task);   // under the lock; empty when nothing to queue
//   lock.unlock();
//   std::move(later).wake();                  // schedules the task
#pragma once

#include <cstdint>

#include <sluice/detail/scheduler.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

inline void* task_waker_clone(void* p) {
  static_cast<TaskHeader*>(p)->state.ref_inc();
  return p;
}
inline void task_waker_wake(void* p) {
  auto* t = static_cast<TaskHeader*>(p);
  switch (t->state.transition_to_notified_by_val()) {
    case NotifyByVal::kSubmit:
      t->scheduler->schedule(t);
      break;  // our ref becomes the queue's
    case NotifyByVal::kDealloc:
      t->vtable->dealloc(t);
      break;
    default:
      break;
  }
}
inline void task_waker_wake_by_ref(void* p) {
  auto* t = static_cast<TaskHeader*>(p);
  if (t->state.transition_to_notified_by_ref() == NotifyByRef::kSubmit) t->scheduler->schedule(t);
}
inline void task_waker_drop(void* p) { task_drop_reference(static_cast<TaskHeader*>(p)); }

/// The vtable of a task's Waker (data = TaskHeader*).
inline constexpr RawWakerVTable kTaskWakerVTable{&task_waker_clone, &task_waker_wake,
                                                 &task_waker_wake_by_ref, &task_waker_drop};

/// The task a Waker wakes when it is a spawned task's waker; null for any other waker.
///
/// Example: `if (TaskHeader* t = waker_task(cx.waker())) { ... }`
inline TaskHeader* waker_task(const Waker& w) noexcept {
  return w.vtable() == &kTaskWakerVTable ? static_cast<TaskHeader*>(w.data()) : nullptr;
}

namespace task_waker_impl {

inline constexpr std::uintptr_t kQueueTag = 1;  // data of a "queue it" waker (see the top)

inline bool is_queue_tagged(void* p) noexcept {
  return (reinterpret_cast<std::uintptr_t>(p) & kQueueTag) != 0;
}
inline TaskHeader* untag(void* p) noexcept {
  return reinterpret_cast<TaskHeader*>(reinterpret_cast<std::uintptr_t>(p) & ~kQueueTag);
}
inline void* queued_clone(void* p) { return task_waker_clone(untag(p)); }  // a plain task waker
inline void queued_wake(void* p) {
  if (is_queue_tagged(p)) {
    TaskHeader* t = untag(p);
    t->scheduler->schedule(t);  // NOTIFIED already; our reference becomes the queue's
  } else {
    task_waker_wake(p);
  }
}
inline void queued_wake_by_ref(void* p) { task_waker_wake_by_ref(untag(p)); }
inline void queued_drop(void* p) {
  // A tagged one must still queue the task: it is NOTIFIED and nobody else will.
  if (is_queue_tagged(p)) {
    queued_wake(p);
  } else {
    task_waker_drop(p);
  }
}
inline constexpr RawWakerVTable kQueueVTable{&queued_clone, &queued_wake, &queued_wake_by_ref,
                                             &queued_drop};

}  // namespace task_waker_impl

/// The first half of `task`'s wake_by_ref (see the top of this file), for a caller that knows
/// `task` is alive. Returns the second half: a Waker whose wake() (or drop) queues the task, or
/// an empty Waker when there is nothing to queue (already notified, running or complete).
///
/// Example:
///   Waker later = notify_task_by_ref(task);   // one CAS, under the caller's lock
///   std::move(later).wake();                  // after the unlock
inline Waker notify_task_by_ref(TaskHeader* task) noexcept {
  if (task->state.transition_to_notified_by_ref() != NotifyByRef::kSubmit) return Waker{};
  auto tagged = reinterpret_cast<std::uintptr_t>(task) | task_waker_impl::kQueueTag;
  return Waker(reinterpret_cast<void*>(tagged), &task_waker_impl::kQueueVTable);
}

}  // namespace sluice::detail
