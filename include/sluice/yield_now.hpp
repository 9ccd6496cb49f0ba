/// @file
/// sluice::yield_now(): let the other ready tasks of this worker run before continuing.
///
/// Example:
/// ```cpp
/// sluice::Task<void> busy() {
///   for (int i = 0; i < 1000; ++i) { step(i); co_await sluice::yield_now(); }
/// }
/// ```
#pragma once

#include <sluice/context.hpp>
#include <sluice/poll.hpp>

namespace sluice {

/// Leaf future: the first poll wakes its own task and answers pending (the scheduler puts the task
/// at the back of its run queue); the second poll is ready.
///
/// Example:
/// ```cpp
/// co_await sluice::yield_now();
/// ```
///
/// Cancel safety: cancel safe (it holds nothing).
class [[nodiscard]] YieldNow {
 public:
  using Output = void;  ///< Completes with nothing.
  /// Pending (after waking the task) the first time, ready the second.
  Poll<void> poll(Context& cx) {
    if (yielded_) return Poll<void>::ready();
    yielded_ = true;
    cx.waker().wake_by_ref();
    return pending;
  }

 private:
  bool yielded_ = false;
};

/// Returns a YieldNow future.
inline YieldNow yield_now() noexcept { return {}; }

}  // namespace sluice
