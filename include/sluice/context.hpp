/// @file
/// sluice::Context: what a future receives when it is polled: the waker to register, and the
/// cooperative budget of the task that polls it.
///
/// Example (inside a leaf future's poll):
/// ```cpp
/// sluice::Poll<int> poll(sluice::Context& cx) {
///   if (!ready_) { waker_ = cx.waker(); return sluice::pending; }
///   return value_;
/// }
/// ```
#pragma once

#include <sluice/coop_budget.hpp>
#include <sluice/waker.hpp>

namespace sluice {

/// The context of one poll: a waker and the polling task's budget. Lives for one poll only.
class Context {
 public:
  /// A context lending `waker` and `budget`; both must outlive it. Runtimes make one per
  /// poll; hand-written combinators make one to poll an inner future with another waker or
  /// budget (see coop::Unconstrained).
  Context(const Waker& waker, coop::Budget& budget) noexcept : waker_(&waker), budget_(&budget) {}

  /// The waker to clone and keep when returning pending.
  const Waker& waker() const noexcept { return *waker_; }
  /// The cooperative budget of the polling task.
  coop::Budget& budget() const noexcept { return *budget_; }

 private:
  const Waker* waker_;
  coop::Budget* budget_;
};

}  // namespace sluice
