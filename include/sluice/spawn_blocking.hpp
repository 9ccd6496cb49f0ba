/// @file
/// sluice::spawn_blocking(fn): run a blocking function on the runtime's blocking thread pool.
///
/// The pool is bounded (Builder::max_blocking_threads, default 512); threads are created on demand
/// and exit after Builder::thread_keep_alive (default 10 s) without work. An exception thrown by
/// `fn` is reported through the JoinHandle (JoinError::is_exception()).
///
/// Example:
/// ```cpp
/// sluice::JoinHandle<std::string> h = sluice::spawn_blocking([] { return read_file("x"); });
/// auto text = (co_await std::move(h)).value();
/// ```
#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>

#include <sluice/detail/runtime_context.hpp>
#include <sluice/detail/task_cell.hpp>
#include <sluice/join_handle.hpp>

namespace sluice {

/// @cond
namespace detail {
/// The future of a blocking task: its single poll runs the function.
template <class Fn>
class BlockingFuture {
 public:
  using Output = std::invoke_result_t<Fn&>;
  explicit BlockingFuture(Fn fn) : fn_(std::move(fn)) {}
  Poll<Output> poll(Context&) {
    if constexpr (std::is_void_v<Output>) {
      fn_();
      return Poll<void>::ready();
    } else {
      return Poll<Output>(fn_());
    }
  }

 private:
  Fn fn_;
};

template <class Fn>
JoinHandle<std::invoke_result_t<std::decay_t<Fn>&>> spawn_blocking_on(RuntimeCore& core, Fn&& fn) {
  using Fut = BlockingFuture<std::decay_t<Fn>>;
  auto* cell = new TaskCell<Fut>(Fut(std::forward<Fn>(fn)), blocking_scheduler());
  core_spawn_blocking(core, cell);
  return JoinHandle<typename Fut::Output>(cell);
}
}  // namespace detail
/// @endcond

/// Runs `fn()` on the blocking pool of the current runtime; returns its JoinHandle.
/// Aborting it before it started cancels it; once running it runs to completion.
///
/// Errors: throws std::logic_error outside a runtime.
///
/// Example:
/// ```cpp
/// auto h = sluice::spawn_blocking([] { std::this_thread::sleep_for(1ms); return 7; });
/// ```
template <class Fn>
JoinHandle<std::invoke_result_t<std::decay_t<Fn>&>> spawn_blocking(Fn&& fn) {
  detail::RuntimeCore* core = detail::current_core();
  if (!core)
    throw std::logic_error(
        "sluice::spawn_blocking called outside a runtime (use Runtime::spawn_blocking)");
  return detail::spawn_blocking_on(*core, std::forward<Fn>(fn));
}

}  // namespace sluice
