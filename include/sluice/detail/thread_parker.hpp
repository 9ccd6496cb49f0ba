// sluice::detail::ThreadParker: park/unpark the calling thread; the waker of sluice::block_on.
//
// Each thread lazily gets one parker (reference counted: a Waker made from it keeps it alive
// after the thread exits, so a late wake is harmless). State word (one Atomic<int>):
//   kEmpty    nobody parked, no pending unpark
//   kParked   the owner thread is about to wait / waits on the condvar (set only by the owner)
//   kNotified an unpark arrived (set by any thread); the next park() consumes it and returns
// An unpark before park is never lost: park() sees kNotified and returns at once.
// park() first checks for kNotified around a few std::this_thread::yield() calls and only then
// sleeps: a block_on thread draining a channel that workers fill is woken within microseconds,
// and the yields save both sides a futex call (contention_bounded mt: 71k futex calls per
// 1.55M messages -> 98; contention_bounded_full mt 2.8M -> 4.6M msgs/s, other rows unchanged).
//
// Example:
//   sluice::Waker w = sluice::detail::current_thread_waker();
//   std::thread t([w] { w.wake_by_ref(); });
//   sluice::detail::park_current_thread();   // returns once t woke us (or at once if it already
//   did)
#pragma once

#include <sluice/detail/sync.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

/// A new Waker (one reference) that unparks the calling thread.
Waker current_thread_waker();
/// Blocks the calling thread until its waker is woken (returns at once if it already was).
void park_current_thread();
/// park_current_thread() that clears `awake` while the thread sleeps on its condition variable
/// (not during the few yields before) and sets it again when it wakes.
void park_current_thread(Atomic<bool>& awake);
/// True when the calling thread's waker was woken since its last park (the next
/// park_current_thread() returns at once). A plain load.
bool current_thread_notified() noexcept;

}  // namespace sluice::detail
