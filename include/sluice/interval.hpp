/// @file
/// sluice::interval / interval_at / Interval: ticks at a fixed period.
///
/// Example:
/// ```cpp
/// sluice::Task<void> run() {
///   auto iv = sluice::interval(std::chrono::milliseconds(10));
///   co_await iv.tick();   // completes immediately
///   co_await iv.tick();   // 10 ms later
///   co_await iv.tick();   // 20 ms after the first
/// }
/// ```
///
/// Cancel safety: tick() is cancel safe.
#pragma once

#include <chrono>

#include <sluice/context.hpp>
#include <sluice/instant.hpp>
#include <sluice/poll.hpp>
#include <sluice/sleep.hpp>

namespace sluice {

/// What an Interval does when ticks were missed (the task was late to call tick()).
///
/// Example:
/// ```cpp
/// iv.set_missed_tick_behavior(sluice::MissedTickBehavior::Skip);
/// ```
enum class MissedTickBehavior {
  /// Default. Ticks as fast as possible until caught up: missed ticks fire back to back, and the
  /// schedule stays on start + k * period.
  Burst,
  /// The next tick is `period` after the moment the late tick was observed; the schedule
  /// shifts.
  Delay,
  /// Missed ticks are dropped: the next tick is the next start + k * period after now.
  Skip,
};

class Interval;

/// Future of one tick of an Interval (Output = the Instant the tick was scheduled for).
/// Borrows the Interval, which must outlive it and must not move meanwhile.
///
/// Example:
/// ```cpp
/// sluice::Instant when = co_await iv.tick();
/// ```
///
/// Cancel safety: cancel safe (a cancelled tick is not consumed).
class [[nodiscard]] IntervalTick {
 public:
  using Output = Instant;  ///< The instant the tick was scheduled for.
  /// A tick of `iv` (use Interval::tick()).
  explicit IntervalTick(Interval& iv) noexcept : iv_(&iv) {}
  /// Ready with the scheduled instant once the tick is due.
  Poll<Instant> poll(Context& cx);

 private:
  Interval* iv_;
};

/// A stream of ticks at a fixed period (Tokio's Interval). The first tick completes
/// immediately (at `start` for interval_at). Timers run on the sluice runtime that polls it.
///
/// Example:
/// ```cpp
/// auto iv = sluice::interval(std::chrono::seconds(1));
/// for (;;) { co_await iv.tick(); refresh(); }
/// ```
///
/// Cancel safety: tick() is cancel safe.
class Interval {
 public:
  /// Ticks at `start`, start + period, ...; throws std::invalid_argument if period is not
  /// positive (use interval() / interval_at()).
  Interval(Instant start, std::chrono::nanoseconds period);

  /// Future that completes at the next tick with the instant the tick was scheduled for.
  ///
  /// Example:
  /// ```cpp
  /// sluice::Instant t0 = co_await iv.tick();
  /// ```
  ///
  /// Cancel safety: cancel safe.
  IntervalTick tick() noexcept { return IntervalTick(*this); }

  /// Polls for the next tick (what tick() does).
  Poll<Instant> poll_tick(Context& cx);

  /// Restarts the schedule: the next tick is one period from now.
  ///
  /// Example:
  /// ```cpp
  /// iv.reset();   // next tick in `period`
  /// ```
  void reset();

  /// The current missed-tick policy (Burst by default).
  ///
  /// Example:
  /// ```cpp
  /// assert(iv.missed_tick_behavior() == sluice::MissedTickBehavior::Burst);
  /// ```
  MissedTickBehavior missed_tick_behavior() const noexcept { return behavior_; }
  /// Sets the missed-tick policy.
  ///
  /// Example:
  /// ```cpp
  /// iv.set_missed_tick_behavior(sluice::MissedTickBehavior::Delay);
  /// ```
  void set_missed_tick_behavior(MissedTickBehavior b) noexcept { behavior_ = b; }
  /// The period.
  ///
  /// Example:
  /// ```cpp
  /// assert(iv.period() == std::chrono::milliseconds(10));
  /// ```
  std::chrono::nanoseconds period() const noexcept { return period_; }

 private:
  Instant next_after_missed(Instant timeout, Instant now) const noexcept;

  Sleep delay_;
  std::chrono::nanoseconds period_;
  MissedTickBehavior behavior_ = MissedTickBehavior::Burst;
};

/// An Interval whose first tick completes immediately, then every `period`.
/// Throws std::invalid_argument if period is not positive.
///
/// Example:
/// ```cpp
/// auto iv = sluice::interval(std::chrono::milliseconds(100));
/// ```
///
/// Cancel safety: tick() is cancel safe.
Interval interval(std::chrono::nanoseconds period);

/// An Interval whose first tick completes at `start`, then every `period`.
/// Throws std::invalid_argument if period is not positive.
///
/// Example:
/// ```cpp
/// auto iv = sluice::interval_at(sluice::Instant::clock::now() + std::chrono::seconds(1),
///                               std::chrono::seconds(1));
/// ```
///
/// Cancel safety: tick() is cancel safe.
Interval interval_at(Instant start, std::chrono::nanoseconds period);

}  // namespace sluice
