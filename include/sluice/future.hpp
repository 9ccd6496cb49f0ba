/// @file
/// The leaf-future concept: anything with `using Output = T;` and `Poll<T> poll(Context&)`.
///
/// A future answers pending only after registering cx.waker() somewhere that will wake it; it
/// answers ready once, and must not be polled again afterwards. Destroying a future cancels it:
/// its destructor deregisters its waker. Every sluice wait point (channel operations, sleep,
/// socket reads, JoinHandle) is such a leaf; Task<T> coroutines are futures too, so spawn,
/// block_on, select, join and timeout accept either.
///
/// Example:
/// ```cpp
/// struct Ready42 {
///   using Output = int;
///   sluice::Poll<int> poll(sluice::Context&) { return 42; }
/// };
/// static_assert(sluice::Future<Ready42>);
/// ```
#pragma once

#include <concepts>
#include <type_traits>

#include <sluice/context.hpp>
#include <sluice/poll.hpp>

namespace sluice {

/// A type that can be polled to completion with a Context.
template <class F>
concept Future = requires(std::remove_cvref_t<F>& f, Context& cx) {
  typename std::remove_cvref_t<F>::Output;
  { f.poll(cx) } -> std::same_as<Poll<typename std::remove_cvref_t<F>::Output>>;
};

/// The type a future outputs when ready.
template <Future F>
using future_output_t = typename std::remove_cvref_t<F>::Output;

}  // namespace sluice
