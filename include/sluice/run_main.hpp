/// @file
/// sluice::run_main(fut): what `#[tokio::main]` does, for `int main`. Builds a multi-thread
/// runtime, runs the program's top-level future on it, and turns the outcome into main's exit
/// status:
/// - output `void`: 0; output `int`: that int;
/// - output `Result<T, E>` (Rust's `fn main() -> Result<..>`): 0 on success; on an error, prints
///   "error: " and the error's description (its `message()` or `what()`) to stderr, returns 1;
/// - an exception out of the future (or out of building the runtime): prints "error: " and its
///   `what()` to stderr, returns 1. So `.value()` on a failed Result is Rust's `.unwrap()`: the
///   program stops with a line saying why (see BadResultAccess).
///
/// Example:
/// ```cpp
/// sluice::Task<void> run(std::string addr) {
///   auto client = (co_await mini_redis::Client::connect(addr)).value();  // "error: ..." if not
///   ...
/// }
/// int main() { return sluice::run_main(run("127.0.0.1:6379")); }
/// ```
#pragma once

#include <cstdio>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include <sluice/detail/describe_error.hpp>
#include <sluice/future.hpp>
#include <sluice/result.hpp>
#include <sluice/runtime.hpp>

namespace sluice {

/// @cond
namespace detail {
template <class T>
inline constexpr bool is_result_v = false;
template <class T, class E>
inline constexpr bool is_result_v<Result<T, E>> = true;

/// Prints "error: <text>" to stderr (just "error" when there is no text) and returns 1.
inline int report_main_error(const std::string& text) {
  if (text.empty()) {
    std::fputs("error\n", stderr);
  } else {
    std::fprintf(stderr, "error: %s\n", text.c_str());
  }
  return 1;
}
}  // namespace detail
/// @endcond

/// Runs `fut` to completion on a new multi-thread runtime (Runtime::multi_thread(): one worker
/// per core) and returns main's exit status: 0 for a `void` output, the value of an `int`
/// output, 0 or 1 for a Result output (an error is printed as "error: <description>" on
/// stderr); an exception is printed as "error: <what()>" and gives 1. The runtime shuts down
/// before it returns, so detached tasks still running then are dropped (as when Tokio's main
/// returns).
///
/// Cancel-safety: not a future; it is the outermost caller, on the main thread.
///
/// Example:
/// ```cpp
/// sluice::Task<int> run(int argc) { co_return argc > 1 ? 0 : 2; }
/// int main(int argc, char**) { return sluice::run_main(run(argc)); }
/// ```
template <Future F>
int run_main(F&& fut) {
  using T = future_output_t<F>;
  static_assert(std::is_void_v<T> || std::is_same_v<T, int> || detail::is_result_v<T>,
                "run_main: the future's output must be void, int or a sluice::Result");
  try {
    auto runtime = Runtime::multi_thread();
    if constexpr (std::is_void_v<T>) {
      runtime.block_on(std::forward<F>(fut));
      return 0;
    } else if constexpr (std::is_same_v<T, int>) {
      return runtime.block_on(std::forward<F>(fut));
    } else {
      T result = runtime.block_on(std::forward<F>(fut));
      return result ? 0 : detail::report_main_error(detail::describe_error(result.error()));
    }
  } catch (const std::exception& e) {
    return detail::report_main_error(e.what());
  } catch (...) {
    return detail::report_main_error("an exception that is not a std::exception");
  }
}

}  // namespace sluice
