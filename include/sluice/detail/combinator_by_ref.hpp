/// @file
/// sluice::by_ref(fut): lend a future to a combinator without giving it away.
///
/// Lives in detail/ because join.hpp and select.hpp both use it; users include either of those.
#pragma once

#include <sluice/context.hpp>
#include <sluice/future.hpp>
#include <sluice/poll.hpp>

namespace sluice {

/// A future that polls another future owned elsewhere: the C++ analogue of passing `&mut fut`
/// to `tokio::select!`. Destroying a ByRef does nothing to the referenced future, so a select
/// that loses on it does not cancel it and the same future can be selected on again in the next
/// loop iteration, keeping its progress (a timer keeps its deadline, a Task keeps its state).
///
/// Rules: the referenced future must outlive the ByRef, and must not be polled again once it
/// returned ready (a Task throws std::logic_error if you do).
///
/// Example (a deadline over a whole loop, not per message):
/// ```cpp
/// auto deadline = sluice::sleep(std::chrono::seconds(5));
/// for (;;) {
///   auto s = co_await sluice::select(rx.recv(), sluice::by_ref(deadline));
///   if (s.index() == 1) break;               // timed out; `deadline` completed
///   auto msg = std::move(s).get<0>();
///   if (!msg) break;                         // channel closed
///   handle(*msg);
/// }
/// ```
///
/// Cancel safety: dropping a ByRef cancels nothing; the referenced future keeps its state.
template <Future F>
class [[nodiscard]] ByRef {
 public:
  using Output = future_output_t<F>;  ///< F's output.
  /// Lends `f`, which must outlive this ByRef (use by_ref()).
  explicit ByRef(F& f) noexcept : f_(&f) {}
  /// Polls the referenced future.
  Poll<Output> poll(Context& cx) { return f_->poll(cx); }

 private:
  F* f_;
};

/// Wraps a reference to `f` in a ByRef future (see ByRef).
template <Future F>
ByRef<F> by_ref(F& f) noexcept {
  return ByRef<F>(f);
}

}  // namespace sluice
