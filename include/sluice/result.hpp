/// @file
/// sluice::Result<T, E>: a value or an error, returned wherever Tokio returns `Result`.
///
/// C++20 has no std::expected, so sluice carries its own small one. Errors are values: a failed
/// `send` hands the message back inside the error instead of throwing.
///
/// Example:
/// ```cpp
/// sluice::Result<int, std::string> parse(std::string_view s) {
///   if (s.empty()) return sluice::Err(std::string("empty"));
///   return 42;
/// }
/// auto r = parse("x");
/// if (r) std::cout << *r;            // 42
/// else std::cout << r.error();
/// ```
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <sluice/detail/describe_error.hpp>

namespace sluice {

/// Wraps an error value so that `return Err(e);` builds the error side of a Result.
template <class E>
struct ErrValue {
  E value;  ///< The error, moved into the Result it converts to.
};

/// Makes the error side of a Result: `return sluice::Err(SendError<T>{std::move(v)});`.
template <class E>
ErrValue<std::decay_t<E>> Err(E&& e) {
  return ErrValue<std::decay_t<E>>{std::forward<E>(e)};
}

/// Thrown by Result::value() when the Result holds an error; what() names the error when it can
/// describe itself (it has `message()` or `what()`, or is a string), like Rust's `unwrap`.
///
/// Example:
/// ```cpp
/// using Timeout = sluice::Result<int, std::error_code>;
/// Timeout r = sluice::Err(std::make_error_code(std::errc::timed_out));
/// try {
///   (void)r.value();
/// } catch (const sluice::BadResultAccess& e) {
///   std::puts(e.what());  // sluice::Result: value() called on an error: Connection timed out
/// }
/// ```
class BadResultAccess : public std::logic_error {
 public:
  /// what(): "sluice::Result: value() called on an error".
  BadResultAccess() : BadResultAccess(std::string()) {}
  /// what(): "sluice::Result: value() called on an error: " then `error` (nothing after
  /// "error" when `error` is empty).
  explicit BadResultAccess(const std::string& error)
      : std::logic_error(error.empty() ? std::string("sluice::Result: value() called on an error")
                                       : "sluice::Result: value() called on an error: " + error) {}
};

/// @cond
namespace detail {
/// Throws BadResultAccess describing `e`; out of line and cold so value()'s check stays small.
template <class E>
[[noreturn, gnu::cold, gnu::noinline]] void throw_bad_result_access(const E& e) {
  throw BadResultAccess(describe_error(e));
}
}  // namespace detail
/// @endcond

/// A value of type T or an error of type E.
///
/// Example:
/// ```cpp
/// sluice::Result<int, Err> r = 5;
/// assert(r.has_value() && *r == 5);
/// ```
template <class T, class E>
class [[nodiscard]] Result {
 public:
  using value_type = T;  ///< The success type.
  using error_type = E;  ///< The error type.

  /// A Result holding a value-initialised T.
  Result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  /// A Result holding a T made from `v`; implicit, so a function can `return value;`.
  template <class U = T>
    requires std::is_constructible_v<T, U&&> &&(!std::is_same_v<std::remove_cvref_t<U>, Result>)&&(
        !std::is_same_v<std::remove_cvref_t<U>, ErrValue<E>>)Result(U&& v)
        : v_(std::in_place_index<0>, std::forward<U>(v)) {}  // NOLINT: implicit like expected
    /// A Result holding the error in `e`: `return sluice::Err(error);`.
    template <class G>
      requires std::is_constructible_v<E, G&&> Result(ErrValue<G> e)
          : v_(std::in_place_index<1>, std::move(e.value)) {}  // NOLINT

      /// True when the Result holds a value.
      bool has_value() const noexcept { return v_.index() == 0; }
      /// Same as has_value().
      explicit operator bool() const noexcept { return has_value(); }
      /// True when the Result holds an error.
      bool is_err() const noexcept { return v_.index() == 1; }

      ///@{
      /// @brief The value; throws BadResultAccess when this is an error. The rvalue overload
      /// moves it out.
      T& value() & {
        check();
        return std::get<0>(v_);
      }
      const T& value() const& {
        check();
        return std::get<0>(v_);
      }
      T&& value() && {
        check();
        return std::get<0>(std::move(v_));
      }
      ///@}
      ///@{
      /// @brief The value without a check: undefined when this is an error (test the Result
      /// first, as with std::optional).
      T& operator*() & noexcept { return *std::get_if<0>(&v_); }
      const T& operator*() const& noexcept { return *std::get_if<0>(&v_); }
      T&& operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
      ///@}
      ///@{
      /// @brief Member access to the value; null when this is an error.
      T* operator->() noexcept { return std::get_if<0>(&v_); }
      const T* operator->() const noexcept { return std::get_if<0>(&v_); }
      ///@}

      ///@{
      /// @brief The error; undefined when this holds a value (check is_err() first). The
      /// rvalue overload moves it out.
      E& error() & noexcept { return *std::get_if<1>(&v_); }
      const E& error() const& noexcept { return *std::get_if<1>(&v_); }
      E&& error() && noexcept { return std::move(*std::get_if<1>(&v_)); }
      ///@}

      /// The value, or `fallback` when this is an error.
      template <class U>
      T value_or(U&& fallback) && {
        return has_value() ? std::move(**this) : static_cast<T>(std::forward<U>(fallback));
      }

     private:
      void check() const {
        if (!has_value()) detail::throw_bad_result_access(*std::get_if<1>(&v_));
      }
      std::variant<T, E> v_;
};

/// Result with no value: success, or an error E.
///
/// Example:
/// ```cpp
/// sluice::Result<void, SendError<int>> r = tx.try_send(1);
/// if (!r) handle(r.error());
/// ```
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  using value_type = void;  ///< No success value.
  using error_type = E;     ///< The error type.

  /// Success: `return {};`.
  Result() noexcept : v_(std::in_place_index<0>) {}
  /// A Result holding the error in `e`: `return sluice::Err(error);`.
  template <class G>
    requires std::is_constructible_v<E, G&&> Result(ErrValue<G> e)
        : v_(std::in_place_index<1>, std::move(e.value)) {}  // NOLINT

    /// Copies and moves member by member (the index, then the error if there is one), never as
    /// one block: a Result is often just written by small stores, and one wide load of it
    /// would stall until they reach the cache. Declaring these also makes Result returned in
    /// memory, built in place by the callee, instead of assembled in registers.
    Result(const Result& o) requires(std::is_copy_constructible_v<E>) : v_(std::in_place_index<0>) {
      if (o.is_err()) v_.template emplace<1>(*std::get_if<1>(&o.v_));
    }
    /// See the copy constructor.
    Result(Result&& o) noexcept(std::is_nothrow_move_constructible_v<E>)
        : v_(std::in_place_index<0>) {
      if (o.is_err()) v_.template emplace<1>(std::move(*std::get_if<1>(&o.v_)));
    }
    /// Assigns member by member (see the copy constructor).
    Result& operator=(const Result& o) requires(std::is_copy_constructible_v<E>) {
      if (this != &o) {
        if (o.is_err()) {
          v_.template emplace<1>(*std::get_if<1>(&o.v_));
        } else {
          v_.template emplace<0>();
        }
      }
      return *this;
    }
    /// See operator=(const Result&).
    Result& operator=(Result&& o) noexcept(std::is_nothrow_move_constructible_v<E>) {
      if (this != &o) {
        if (o.is_err()) {
          v_.template emplace<1>(std::move(*std::get_if<1>(&o.v_)));
        } else {
          v_.template emplace<0>();
        }
      }
      return *this;
    }
    ~Result() = default;

    /// True on success.
    bool has_value() const noexcept { return v_.index() == 0; }
    /// Same as has_value().
    explicit operator bool() const noexcept { return has_value(); }
    /// True when the Result holds an error.
    bool is_err() const noexcept { return v_.index() == 1; }
    /// Throws BadResultAccess (naming the error, see BadResultAccess) when this is an error.
    void value() const {
      if (!has_value()) detail::throw_bad_result_access(*std::get_if<1>(&v_));
    }
    ///@{
    /// @brief The error; undefined on success (check is_err() first). The rvalue overload
    /// moves it out.
    E& error() & noexcept { return *std::get_if<1>(&v_); }
    const E& error() const& noexcept { return *std::get_if<1>(&v_); }
    E&& error() && noexcept { return std::move(*std::get_if<1>(&v_)); }
    ///@}

   private:
    std::variant<std::monostate, E> v_;
};

}  // namespace sluice
