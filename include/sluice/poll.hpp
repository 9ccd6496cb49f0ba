// sluice::Poll<T>: the answer of one poll of a future: ready with a value, or pending.
//
// Pending means the future has registered the Context's waker and will wake it when progress is
// possible. `return sluice::pending;` converts to any Poll<T>; a T converts to a ready Poll<T>.
//
// Example:
//   sluice::Poll<int> p = 7;              // ready
//   sluice::Poll<int> q = sluice::pending;
//   assert(p.is_ready() && p.value() == 7 && q.is_pending());
#pragma once

#include <optional>
#include <utility>

namespace sluice {

/// Tag converting to a pending Poll of any type.
struct PendingTag {
  explicit constexpr PendingTag(int) {}
};
/// `return sluice::pending;` from any poll function.
inline constexpr PendingTag pending{0};

/// Result of polling a future that outputs T.
template <class T>
class [[nodiscard]] Poll {
 public:
  using Output = T;
  constexpr Poll(PendingTag) noexcept {}  // NOLINT(google-explicit-constructor)
  template <class U = T>
    requires std::is_constructible_v<T, U&&> &&(!std::is_same_v<std::remove_cvref_t<U>, Poll>)&&(
        !std::is_same_v<std::remove_cvref_t<U>, PendingTag>)constexpr Poll(U&& v)
        : v_(std::in_place, std::forward<U>(v)) {}  // NOLINT

    /// A ready Poll holding `v`.
    static Poll ready(T v) { return Poll(std::move(v)); }

    constexpr bool is_ready() const noexcept { return v_.has_value(); }
    constexpr bool is_pending() const noexcept { return !v_.has_value(); }
    constexpr explicit operator bool() const noexcept { return is_ready(); }

    /// The value of a ready Poll (undefined when pending).
    T& value() & noexcept { return *v_; }
    const T& value() const& noexcept { return *v_; }
    T&& value() && noexcept { return std::move(*v_); }

   private:
    std::optional<T> v_;
};

/// Result of polling a future that outputs nothing.
template <>
class [[nodiscard]] Poll<void> {
 public:
  using Output = void;
  constexpr Poll(PendingTag) noexcept {}  // NOLINT(google-explicit-constructor)
  /// A ready Poll<void>.
  static constexpr Poll ready() noexcept { return Poll(true); }
  constexpr bool is_ready() const noexcept { return ready_; }
  constexpr bool is_pending() const noexcept { return !ready_; }
  constexpr explicit operator bool() const noexcept { return ready_; }
  constexpr void value() const noexcept {}

 private:
  constexpr explicit Poll(bool r) noexcept : ready_(r) {}
  bool ready_ = false;
};

}  // namespace sluice
