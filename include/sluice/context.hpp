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

/// @cond
namespace detail {
class DeferredWakes;
struct ContextInternals;
}  // namespace detail
/// @endcond

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
  friend struct detail::ContextInternals;
  const Waker* waker_;
  coop::Budget* budget_;
  detail::DeferredWakes* deferred_ = nullptr;  // set by the task poll (deferred_wakes.hpp)
};

/// @cond
namespace detail {
/// Runtime-only access to what a Context carries besides waker and budget.
///
/// Example: `ContextInternals::set_deferred(cx, &deferred);` in the task poll, and
/// `sem.release(1, ContextInternals::deferred(cx));` in the mpsc receiver.
struct ContextInternals {
  /// The list where wakes may wait until the poll ends, or null (wake at once).
  static DeferredWakes* deferred(const Context& cx) noexcept { return cx.deferred_; }
  /// Lends `d` (which must outlive cx) to the futures polled with cx.
  static void set_deferred(Context& cx, DeferredWakes* d) noexcept { cx.deferred_ = d; }
};
}  // namespace detail
/// @endcond

}  // namespace sluice
