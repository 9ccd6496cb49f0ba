/// @file
/// sluice::JoinError: why a spawned task produced no value (it was cancelled, or it threw).
///
/// Example:
/// ```cpp
/// auto r = co_await std::move(handle);
/// if (!r && r.error().is_exception()) std::cerr << "task failed: " << r.error().what() << '\n';
/// ```
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

namespace sluice {

/// The error side of a JoinHandle's output: the task was aborted / shut down, or it threw.
///
/// Example:
/// ```cpp
/// h.abort();
/// auto r = co_await std::move(h);
/// assert(!r && r.error().is_cancelled());
/// ```
class JoinError {
 public:
  /// A task that was cancelled (JoinHandle::abort or runtime shutdown) before it completed.
  static JoinError cancelled() { return JoinError(nullptr); }
  /// A task whose future (or blocking function) threw `e`.
  static JoinError from_exception(std::exception_ptr e) { return JoinError(std::move(e)); }

  /// True when the task was cancelled.
  bool is_cancelled() const noexcept { return !exception_; }
  /// True when the task threw an exception (Tokio's is_panic).
  bool is_exception() const noexcept { return static_cast<bool>(exception_); }
  /// The exception the task threw (null when cancelled).
  const std::exception_ptr& exception() const noexcept { return exception_; }
  /// Rethrows the task's exception; throws std::logic_error("...cancelled") for a cancelled task.
  [[noreturn]] void rethrow() const {
    if (exception_) std::rethrow_exception(exception_);
    throw std::logic_error("sluice: task was cancelled");
  }
  /// "task was cancelled", or the what() of the exception the task threw
  /// ("unknown exception" when it was not derived from std::exception).
  const std::string& what() const noexcept { return what_; }

 private:
  explicit JoinError(std::exception_ptr e) : exception_(std::move(e)) {
    if (!exception_) {
      what_ = "task was cancelled";
      return;
    }
    try {
      std::rethrow_exception(exception_);
    } catch (const std::exception& ex) {
      what_ = ex.what();
    } catch (...) {
      what_ = "unknown exception";
    }
  }
  std::exception_ptr exception_;
  std::string what_;
};

}  // namespace sluice
