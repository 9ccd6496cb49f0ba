/// @file
/// sluice::Poll<T>: the answer of one poll of a future: ready with a value, or pending.
///
/// Pending means the future has registered the Context's waker and will wake it when progress is
/// possible. `return sluice::pending;` converts to any Poll<T>; a T converts to a ready Poll<T>.
///
/// Example:
/// ```cpp
/// sluice::Poll<int> p = 7;              // ready
/// sluice::Poll<int> q = sluice::pending;
/// assert(p.is_ready() && p.value() == 7 && q.is_pending());
/// ```
#pragma once

#include <optional>
#include <utility>

namespace sluice {

/// Tag converting to a pending Poll of any type.
struct PendingTag {
  /// Explicit and taking a dummy int, so that `{}` never converts to a PendingTag: use
  /// sluice::pending.
  explicit constexpr PendingTag(int) {}
};
/// `return sluice::pending;` from any poll function.
inline constexpr PendingTag pending{0};

/// Result of polling a future that outputs T: ready with a T, or pending.
///
/// Both conversions are implicit so that a poll function can `return value;` or
/// `return sluice::pending;`.
template <class T>
class [[nodiscard]] Poll {
 public:
  /// The type of the value a ready Poll holds.
  using Output = T;
  /// A pending Poll (from `sluice::pending`).
  constexpr Poll(PendingTag) noexcept {}  // NOLINT(google-explicit-constructor)
  /// A ready Poll holding a T made from `v` (any U a T can be constructed from, other than
  /// a Poll or PendingTag).
  template <class U = T>
    requires std::is_constructible_v<T, U&&> &&(!std::is_same_v<std::remove_cvref_t<U>, Poll>)&&(
        !std::is_same_v<std::remove_cvref_t<U>, PendingTag>)constexpr Poll(U&& v)
        : v_(std::in_place, std::forward<U>(v)) {}  // NOLINT

    /// A ready Poll holding `v`.
    static Poll ready(T v) { return Poll(std::move(v)); }

    /// True when the future completed and this Poll holds its value.
    constexpr bool is_ready() const noexcept { return v_.has_value(); }
    /// True when the future has not completed (its waker is registered).
    constexpr bool is_pending() const noexcept { return !v_.has_value(); }
    /// Same as is_ready().
    constexpr explicit operator bool() const noexcept { return is_ready(); }

    ///@{
    /// @brief The value of a ready Poll (undefined when pending); the rvalue overload moves
    /// it out.
    T& value() & noexcept { return *v_; }
    const T& value() const& noexcept { return *v_; }
    T&& value() && noexcept { return std::move(*v_); }
    ///@}

   private:
    std::optional<T> v_;
};

/// Result of polling a future that outputs nothing.
template <>
class [[nodiscard]] Poll<void> {
 public:
  /// Nothing: a ready Poll<void> only says that the future completed.
  using Output = void;
  /// A pending Poll (from `sluice::pending`).
  constexpr Poll(PendingTag) noexcept {}  // NOLINT(google-explicit-constructor)
  /// A ready Poll<void>.
  static constexpr Poll ready() noexcept { return Poll(true); }
  /// True when the future completed.
  constexpr bool is_ready() const noexcept { return ready_; }
  /// True when the future has not completed (its waker is registered).
  constexpr bool is_pending() const noexcept { return !ready_; }
  /// Same as is_ready().
  constexpr explicit operator bool() const noexcept { return ready_; }
  /// Does nothing; lets generic code call value() on any Poll.
  constexpr void value() const noexcept {}

 private:
  constexpr explicit Poll(bool r) noexcept : ready_(r) {}
  bool ready_ = false;
};

}  // namespace sluice
