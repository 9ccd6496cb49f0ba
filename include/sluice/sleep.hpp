/// @file
/// sluice::sleep / sleep_until / Sleep: a future that completes at a deadline.
///
/// Example:
/// ```cpp
/// sluice::Task<void> run() {
///   co_await sluice::sleep(std::chrono::milliseconds(100));
///   std::puts("100 ms have elapsed");
/// }
/// ```
///
/// Cancel safety: cancel safe. Destroying a Sleep deregisters its timer.
#pragma once

#include <chrono>

#include <sluice/context.hpp>
#include <sluice/detail/timer_entry.hpp>
#include <sluice/instant.hpp>
#include <sluice/poll.hpp>

namespace sluice {

/// Future that completes (Output = void) once its deadline has been reached.
///
/// A Sleep finds the runtime's timer driver the first time it is polled (it must be polled inside
/// a sluice runtime: std::logic_error otherwise), registers its timer there (the timer lives
/// inside the Sleep: no allocation) and completes when the driver fires it, never before the
/// deadline; the timer resolution is 1 ms. Completing spends one unit of coop budget. Destroying
/// the Sleep cancels the timer. A Sleep outliving its runtime may be destroyed safely; polling
/// it then throws std::logic_error("sluice: timer's runtime has shut down").
/// A Sleep may be moved, even while registered. Polling it after it completed returns ready.
///
/// Example:
/// ```cpp
/// auto s = sluice::sleep(std::chrono::seconds(1));
/// s.reset(sluice::Instant::clock::now() + std::chrono::milliseconds(10));   // sooner
/// co_await s;
/// ```
///
/// Cancel safety: cancel safe.
class [[nodiscard]] Sleep {
 public:
  using Output = void;  ///< Completes with nothing.

  /// A Sleep that completes at `deadline` (use sleep() / sleep_until()).
  explicit Sleep(Instant deadline) noexcept;
  /// Takes over `other`'s deadline, waker and timer registration; `other` is left idle.
  Sleep(Sleep&& other) noexcept;
  /// Cancels this Sleep's timer, then takes over `other`'s as the move constructor does.
  Sleep& operator=(Sleep&& other) noexcept;
  Sleep(const Sleep&) = delete;
  Sleep& operator=(const Sleep&) = delete;
  /// Cancels the timer (no-op if it fired, was never polled, or its runtime is gone).
  ~Sleep();

  /// The instant at which this Sleep completes.
  ///
  /// Example:
  /// ```cpp
  /// auto s = sluice::sleep_until(d);
  /// assert(s.deadline() == d);
  /// ```
  Instant deadline() const noexcept { return entry_.deadline; }

  /// True once the timer driver fired this Sleep (or it was found already due when polled).
  ///
  /// Example:
  /// ```cpp
  /// co_await s;
  /// assert(s.is_elapsed());
  /// ```
  bool is_elapsed() const noexcept;

  /// Changes the deadline; a Sleep that already completed becomes pending again until the new
  /// deadline. A registered Sleep whose new deadline is already due is woken.
  ///
  /// Example:
  /// ```cpp
  /// s.reset(sluice::Instant::clock::now() + std::chrono::milliseconds(50));
  /// ```
  void reset(Instant deadline);

  /// Ready once the deadline is reached; otherwise registers cx.waker() and returns pending.
  /// Throws std::logic_error outside a sluice runtime or after the runtime shut down.
  Poll<void> poll(Context& cx);

  /// Like poll() without the coop budget (for combinators such as Timeout).
  bool poll_elapsed(const Waker& waker);

 private:
  detail::TimerEntry entry_;
};

/// A Sleep that completes after `duration` (huge durations mean "about 30 years").
///
/// Example:
/// ```cpp
/// co_await sluice::sleep(std::chrono::milliseconds(10));
/// ```
///
/// Cancel safety: cancel safe.
Sleep sleep(std::chrono::nanoseconds duration) noexcept;

/// A Sleep that completes at `deadline` (immediately if it has passed).
///
/// Example:
/// ```cpp
/// auto start = sluice::Instant::clock::now();
/// co_await sluice::sleep_until(start + std::chrono::milliseconds(10));
/// ```
///
/// Cancel safety: cancel safe.
Sleep sleep_until(Instant deadline) noexcept;

}  // namespace sluice
