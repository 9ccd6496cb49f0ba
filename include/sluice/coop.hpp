/// @file
/// Cooperative scheduling: the hook every channel operation calls so that busy tasks yield.
///
/// A leaf future that is about to complete calls `coop::poll_proceed(cx)`. When the task's budget
/// (coop_budget.hpp) is exhausted it returns an empty optional after waking the task: the future
/// answers pending and the task is polled again after the others on its worker had their turn.
/// Otherwise it returns a token; call `made_progress()` on it once the operation completed, or
/// let it go out of scope to give the unit back when the operation ended pending anyway.
///
/// Example (inside a leaf future):
/// ```cpp
/// sluice::Poll<T> poll(sluice::Context& cx) {
///   auto coop = sluice::coop::poll_proceed(cx);
///   if (!coop) return sluice::pending;
///   if (auto v = try_take()) { coop->made_progress(); return std::move(*v); }
///   register_waker(cx.waker());
///   return sluice::pending;            // unit refunded by ~RestoreOnPending
/// }
/// ```
#pragma once

#include <optional>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/future.hpp>

/// @namespace sluice::coop
/// @brief Cooperative scheduling: the per-poll budget that makes a task draining a busy
/// channel yield to the other tasks of its worker.
namespace sluice::coop {

/// Token returned by poll_proceed: refunds its unit unless made_progress() was called.
class [[nodiscard]] RestoreOnPending {
 public:
  /// A token for one unit already spent from `b`.
  explicit RestoreOnPending(Budget& b) noexcept : budget_(&b) {}
  /// Takes over `o`'s unit; `o` refunds nothing.
  RestoreOnPending(RestoreOnPending&& o) noexcept : budget_(std::exchange(o.budget_, nullptr)) {}
  RestoreOnPending(const RestoreOnPending&) = delete;
  RestoreOnPending& operator=(const RestoreOnPending&) = delete;
  RestoreOnPending& operator=(RestoreOnPending&&) = delete;
  /// Refunds the unit unless made_progress() was called.
  ~RestoreOnPending() {
    if (budget_) budget_->refund();
  }
  /// The operation completed: keep the unit spent.
  void made_progress() noexcept { budget_ = nullptr; }

 private:
  Budget* budget_;
};

/// Spends one unit of the polling task's budget, or wakes the task and returns nullopt when
/// the budget is exhausted (the caller must then answer pending).
inline std::optional<RestoreOnPending> poll_proceed(Context& cx) {
  if (cx.budget().try_spend()) return std::optional<RestoreOnPending>(std::in_place, cx.budget());
  cx.waker().wake_by_ref();
  return std::nullopt;
}

/// True when the polling task may still complete operations this poll.
inline bool has_budget_remaining(const Context& cx) noexcept { return cx.budget().has_remaining(); }

/// Future that spends one unit of budget, yielding first when there is none left.
///
/// Example (a CPU loop that must not starve its worker):
/// ```cpp
/// for (auto& item : items) { work(item); co_await sluice::coop::consume_budget(); }
/// ```
///
/// Cancel safety: cancel safe (it holds nothing).
class [[nodiscard]] ConsumeBudget {
 public:
  using Output = void;  ///< Completes with nothing.
  /// Ready after spending one unit; pending (task woken to run again later) when the budget
  /// is exhausted.
  Poll<void> poll(Context& cx) {
    auto token = poll_proceed(cx);
    if (!token) return pending;
    token->made_progress();
    return Poll<void>::ready();
  }
};

/// Returns a ConsumeBudget future.
inline ConsumeBudget consume_budget() noexcept { return {}; }

/// Future adaptor that polls `F` with an unconstrained budget: it never yields for budget.
///
/// Example:
/// ```cpp
/// co_await sluice::coop::unconstrained(rx.recv());
/// ```
///
/// Cancel safety: that of F.
template <Future F>
class [[nodiscard]] Unconstrained {
 public:
  using Output = future_output_t<F>;  ///< F's output, unchanged.
  /// Takes ownership of `f`.
  explicit Unconstrained(F f) : inner_(std::move(f)) {}
  /// Polls F with the caller's waker and a fresh unconstrained budget.
  Poll<Output> poll(Context& cx) {
    Budget b = Budget::unconstrained();
    Context inner_cx(cx.waker(), b);
    detail::ContextInternals::set_deferred(inner_cx, detail::ContextInternals::deferred(cx));
    return inner_.poll(inner_cx);
  }

 private:
  F inner_;
};

/// Wraps a future so that it is polled without a budget.
template <Future F>
Unconstrained<std::decay_t<F>> unconstrained(F&& f) {
  return Unconstrained<std::decay_t<F>>(std::forward<F>(f));
}

}  // namespace sluice::coop
