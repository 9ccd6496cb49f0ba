/// @file
/// sluice::coop::Budget: how many operations a task may complete in one poll before it must yield.
///
/// Every poll of a spawned task starts with Budget::initial() (128 units). Each channel operation
/// that completes spends one unit; once it reaches zero, operations answer pending after waking
/// the task, so a task draining a busy channel gives the other tasks on its worker a turn.
/// See coop.hpp for the functions leaf futures call.
///
/// Example:
/// ```cpp
/// sluice::coop::Budget b = sluice::coop::Budget::initial();
/// sluice::Context cx(sluice::Waker::noop(), b);
/// ```
#pragma once

#include <cstdint>

namespace sluice::coop {

/// A per-poll operation budget; unconstrained budgets never run out.
class Budget {
 public:
  /// Units a task gets per poll (Tokio's figure).
  static constexpr std::uint16_t kInitial = 128;

  /// A fresh budget of kInitial units.
  static constexpr Budget initial() noexcept { return Budget(kInitial, true); }
  /// A budget that never runs out (plain threads, `unconstrained`).
  static constexpr Budget unconstrained() noexcept { return Budget(0, false); }

  /// Spends one unit; false (and nothing spent) when the budget is exhausted.
  constexpr bool try_spend() noexcept {
    if (!constrained_) return true;
    if (remaining_ == 0) return false;
    --remaining_;
    return true;
  }
  /// Gives one unit back (an operation that ended pending did not really spend it).
  constexpr void refund() noexcept {
    if (constrained_) ++remaining_;
  }
  /// True unless this is a constrained budget at zero.
  constexpr bool has_remaining() const noexcept { return !constrained_ || remaining_ > 0; }
  /// True for budgets made by initial().
  constexpr bool is_constrained() const noexcept { return constrained_; }
  /// Units left (0 for unconstrained budgets).
  constexpr std::uint16_t remaining() const noexcept { return remaining_; }

 private:
  constexpr Budget(std::uint16_t r, bool c) noexcept : remaining_(r), constrained_(c) {}
  std::uint16_t remaining_;
  bool constrained_;
};

}  // namespace sluice::coop
