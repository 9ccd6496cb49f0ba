/// @file
/// sluice::timeout / timeout_at: run a future with a deadline.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::oneshot::channel<int>();
/// auto r = co_await sluice::timeout(std::chrono::milliseconds(10), std::move(rx));
/// if (r.is_err()) std::puts("did not receive value within 10 ms");
/// ```
///
/// Cancel safety: that of the inner future.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/future.hpp>
#include <sluice/instant.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>
#include <sluice/sleep.hpp>

namespace sluice {

/// The error of a Timeout whose deadline came first.
///
/// Example:
/// ```cpp
/// auto r = co_await sluice::timeout(std::chrono::milliseconds(1),
///                                   sluice::sleep(std::chrono::seconds(1)));
/// assert(r.is_err() && std::string(r.error().what()) == "deadline has elapsed");
/// ```
struct Elapsed {
  /// The (stateless) error value.
  Elapsed() noexcept = default;
  /// Copies nothing (Elapsed has no state). Not trivially copyable on purpose: g++ 12 warns
  /// (-Wmaybe-uninitialized) when a trivially copyable Result<int, Elapsed> holding the error
  /// is copied bytewise.
  Elapsed(const Elapsed&) noexcept {}
  /// Copies nothing, as the copy constructor.
  Elapsed& operator=(const Elapsed&) noexcept { return *this; }
  /// "deadline has elapsed".
  const char* what() const noexcept { return "deadline has elapsed"; }
  /// Always true: all Elapsed errors are equal.
  friend bool operator==(const Elapsed&, const Elapsed&) noexcept { return true; }
};

/// Future returned by timeout() / timeout_at(): the inner future's output, or Elapsed.
///
/// Each poll polls the inner future first, then the deadline. When the deadline wins, the inner
/// future is destroyed right then (it is cancelled) and the Timeout completes with Elapsed. If
/// the inner future used up the task's coop budget, the deadline is still checked (polled
/// without budget) so a busy inner future cannot hide an elapsed deadline.
///
/// Example:
/// ```cpp
/// sluice::Timeout<sluice::Task<int>> t = sluice::timeout(std::chrono::seconds(1), compute());
/// sluice::Result<int, sluice::Elapsed> r = co_await t;
/// ```
///
/// Cancel safety: that of the inner future F.
template <Future F>
class [[nodiscard]] Timeout {
 public:
  /// F's output, or Elapsed when the deadline came first.
  using Output = Result<future_output_t<F>, Elapsed>;

  /// Wraps `fut`; `delay` is the deadline.
  Timeout(F fut, Sleep delay) : inner_(std::in_place, std::move(fut)), delay_(std::move(delay)) {}

  /// The inner future (it must not have been cancelled by the deadline yet).
  ///
  /// Example:
  /// ```cpp
  /// auto t = sluice::timeout(d, rx.recv());
  /// auto& recv = t.get_mut();
  /// ```
  F& get_mut() {
    if (!inner_)
      throw std::logic_error("sluice::Timeout: the inner future was cancelled by the deadline");
    return *inner_;
  }
  /// The inner future, read-only (same precondition as get_mut()).
  ///
  /// Example:
  /// ```cpp
  /// const auto& recv = t.get_ref();
  /// ```
  const F& get_ref() const {
    if (!inner_)
      throw std::logic_error("sluice::Timeout: the inner future was cancelled by the deadline");
    return *inner_;
  }
  /// The deadline.
  ///
  /// Example:
  /// ```cpp
  /// auto when = t.deadline();
  /// ```
  Instant deadline() const noexcept { return delay_.deadline(); }

  /// Polls the inner future, then the deadline. Throws std::logic_error if polled after it
  /// completed with Elapsed.
  Poll<Output> poll(Context& cx) {
    if (!inner_) throw std::logic_error("sluice::Timeout polled after its deadline elapsed");
    bool had_budget = coop::has_budget_remaining(cx);
    {
      auto p = inner_->poll(cx);
      if (p.is_ready()) {
        if constexpr (std::is_void_v<future_output_t<F>>) {
          return Output();
        } else {
          return Output(std::move(p).value());
        }
      }
    }
    bool elapsed;
    if (had_budget && !coop::has_budget_remaining(cx)) {
      elapsed = delay_.poll_elapsed(cx.waker());  // the inner future exhausted the budget
    } else {
      elapsed = delay_.poll(cx).is_ready();
    }
    if (!elapsed) return pending;
    inner_.reset();  // cancel the inner future now
    return Output(Err(Elapsed{}));
  }

 private:
  std::optional<F> inner_;
  Sleep delay_;
};

/// Runs `fut` with a time limit of `duration` from now: the result is its output, or Elapsed
/// (and `fut` is destroyed) if the limit passes first. Takes any Future, including Task<T>, by
/// value.
///
/// Example:
/// ```cpp
/// auto r = co_await sluice::timeout(std::chrono::milliseconds(50), rx.recv());
/// if (!r) std::puts("timed out");
/// ```
///
/// Cancel safety: that of `fut`.
template <Future F>
Timeout<std::decay_t<F>> timeout(std::chrono::nanoseconds duration, F&& fut) {
  return Timeout<std::decay_t<F>>(std::forward<F>(fut), sleep(duration));
}

/// Like timeout(), with an absolute deadline.
///
/// Example:
/// ```cpp
/// auto deadline = sluice::Instant::clock::now() + std::chrono::seconds(1);
/// auto r = co_await sluice::timeout_at(deadline, fetch());
/// ```
///
/// Cancel safety: that of `fut`.
template <Future F>
Timeout<std::decay_t<F>> timeout_at(Instant deadline, F&& fut) {
  return Timeout<std::decay_t<F>>(std::forward<F>(fut), sleep_until(deadline));
}

}  // namespace sluice
