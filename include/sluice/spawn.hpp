/// @file
/// sluice::spawn(fut): run a future as a new task on the current runtime.
///
/// Example (inside a task or Runtime::block_on):
/// ```cpp
/// sluice::JoinHandle<int> h = sluice::spawn(compute());
/// int v = (co_await std::move(h)).value();
/// ```
#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>

#include <sluice/detail/runtime_context.hpp>
#include <sluice/detail/task_cell.hpp>
#include <sluice/future.hpp>
#include <sluice/join_handle.hpp>

namespace sluice {

/// @cond
namespace detail {
/// Spawns `f` on `core` (one allocation: the task cell).
template <Future F>
JoinHandle<future_output_t<F>> spawn_on(RuntimeCore& core, F&& f) {
  using Fd = std::remove_cvref_t<F>;
  auto* cell = new TaskCell<Fd>(std::forward<F>(f), core_scheduler(core));
  core_spawn(core, cell);
  return JoinHandle<future_output_t<F>>(cell);
}
}  // namespace detail
/// @endcond

/// Spawns `f` (any Future, such as a Task) on the runtime this thread runs in (a worker thread, a
/// blocking-pool thread, or inside Runtime::block_on) and returns its JoinHandle. The task starts
/// running without being awaited; dropping the JoinHandle detaches it.
///
/// Errors: throws std::logic_error when called outside a runtime. If the runtime is shutting down
/// the task is cancelled at once (its JoinHandle yields JoinError::cancelled()).
///
/// Example:
/// ```cpp
/// auto h = sluice::spawn([]() -> sluice::Task<int> { co_return 1; }());
/// ```
template <Future F>
JoinHandle<future_output_t<F>> spawn(F&& f) {
  detail::RuntimeCore* core = detail::current_core();
  if (!core)
    throw std::logic_error(
        "sluice::spawn called outside a runtime (use Runtime::spawn, or call it from a task)");
  return detail::spawn_on(*core, std::forward<F>(f));
}

}  // namespace sluice
