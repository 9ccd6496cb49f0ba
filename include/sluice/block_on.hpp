/// @file
/// sluice::block_on(fut): run a future to completion on the calling (plain) thread.
///
/// The thread polls the future with a thread waker and sleeps between polls until woken (a wake
/// that arrives before the thread sleeps is not lost). No runtime is needed; timers (sleep) are
/// only available inside a runtime, so use Runtime::block_on for futures that sleep.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::oneshot::channel<int>();
/// std::thread t([tx = std::move(tx)]() mutable { tx.send(5); });
/// auto r = sluice::block_on(std::move(rx));   // 5
/// t.join();
/// ```
#pragma once

#include <type_traits>
#include <utility>

#include <sluice/coop_budget.hpp>
#include <sluice/detail/runtime_context.hpp>
#include <sluice/detail/thread_parker.hpp>
#include <sluice/future.hpp>

namespace sluice {

/// @cond
namespace detail {
/// RAII for the free block_on: asserts the thread may block, then counts it as inside block_on.
class FreeBlockOnScope {
 public:
  FreeBlockOnScope();
  ~FreeBlockOnScope();
  FreeBlockOnScope(const FreeBlockOnScope&) = delete;
  FreeBlockOnScope& operator=(const FreeBlockOnScope&) = delete;
};
}  // namespace detail
/// @endcond

/// Runs `f` (any Future or Task) to completion on the calling thread and returns its output;
/// rethrows the exception the future threw. An lvalue future is polled in place.
///
/// Errors: throws std::logic_error("sluice: cannot call sluice::block_on from a runtime thread
/// ...") on a runtime worker thread, inside Runtime::block_on or inside another block_on.
///
/// Example:
/// ```cpp
/// int v = sluice::block_on([]() -> sluice::Task<int> { co_return 3; }());
/// ```
template <Future F>
future_output_t<F> block_on(F&& f) {
  using Fd = std::remove_cvref_t<F>;
  using T = future_output_t<F>;
  detail::FreeBlockOnScope scope;
  std::conditional_t<std::is_lvalue_reference_v<F>, Fd&, Fd> fut(std::forward<F>(f));
  Waker waker = detail::current_thread_waker();
  for (;;) {
    coop::Budget budget = coop::Budget::initial();
    Context cx(waker, budget);
    Poll<T> p = fut.poll(cx);
    if (p.is_ready()) {
      if constexpr (std::is_void_v<T>) {
        return;
      } else {
        return std::move(p).value();
      }
    }
    detail::park_current_thread();
  }
}

}  // namespace sluice
