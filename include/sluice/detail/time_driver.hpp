// sluice::detail::TimeDriver: the thread-safe timer service of one Driver.
//
// Time is counted in ticks of 1 ms since the driver's start instant (steady_clock). A deadline
// becomes the tick that rounds it UP, and a tick fires once steady_clock has reached it, so a
// timer never fires before its deadline. Entries (TimerEntry, inside Sleep futures) are linked
// into a TimerWheel guarded by one mutex; they may be registered, reset or cancelled from any
// thread while the parked thread fires timers. Firing takes the wakers out under the lock and
// wakes them outside it, in deadline order. Wakers are never dropped under the lock either
// (dropping a task's last reference may destroy futures that cancel their own timers).
// When a registration makes the next deadline earlier than the one the parked thread sleeps
// toward, the Driver is unparked.
//
// Example (what Sleep does; see sleep.hpp):
//   auto& td = sluice::detail::current_driver()->time();
//   entry.deadline = deadline;
//   if (td.register_entry(entry, cx.waker())) { /* already elapsed */ }
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include <sluice/detail/timer_entry.hpp>
#include <sluice/detail/timer_wheel.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

class Driver;

/// Timers of one Driver: a mutex-guarded TimerWheel plus the park bookkeeping.
class TimeDriver {
 public:
  using Clock = std::chrono::steady_clock;
  using Instant = Clock::time_point;
  /// Largest tick handled; later deadlines are clamped to it (about 146 million years).
  static constexpr std::uint64_t kMaxTick = std::uint64_t{1} << 62;

  /// `unparker` is woken when a registration needs the parked thread to wake earlier (may be
  /// null in tests). The time origin is now.
  explicit TimeDriver(Driver* unparker);
  ~TimeDriver();
  TimeDriver(const TimeDriver&) = delete;
  TimeDriver& operator=(const TimeDriver&) = delete;

  /// The instant of tick 0.
  Instant start() const noexcept { return start_; }
  /// The first tick at or after `t` (deadline rounding: up).
  std::uint64_t deadline_to_tick(Instant t) const noexcept;
  /// The tick `t` lies in (rounding down: the current time).
  std::uint64_t now_to_tick(Instant t) const noexcept;
  /// The instant at which tick `tick` starts.
  Instant tick_to_instant(std::uint64_t tick) const noexcept;

  // ---- entry operations (any thread) ----

  /// Registers an idle entry whose `deadline` is set. Returns true when it is already due
  /// (the entry becomes kFired, not linked, nobody is woken). Throws std::logic_error after
  /// shutdown().
  bool register_entry(TimerEntry& e, const Waker& w);
  /// For an entry that was registered: true once it fired; otherwise stores `w` as its waker
  /// (if it would wake someone else) and returns false. Throws std::logic_error if the driver
  /// shut down while it was registered.
  static bool poll_entry(TimerEntry& e, const Waker& w);
  /// Moves the deadline. A registered entry is relinked (and fired at once, waking its waker, if
  /// the new deadline is already due); any other entry becomes idle and registers on next poll.
  static void reset_entry(TimerEntry& e, Instant deadline);
  /// Unlinks the entry if registered and drops its waker. No-op otherwise.
  static void cancel_entry(TimerEntry& e) noexcept;
  /// Moves `src`'s registration (or state) into the idle `dst`; `src` becomes idle.
  static void move_entry(TimerEntry& dst, TimerEntry& src) noexcept;

  // ---- driver side ----

  /// Before blocking: returns the tick to sleep until (the earliest deadline, capped at
  /// `limit`), or nullopt for "no timer and no limit", and records it so that an earlier
  /// registration unparks the driver. Call process() after waking.
  std::optional<std::uint64_t> prepare_park(std::optional<std::uint64_t> limit);
  /// Fires every entry due at `now` (waking their wakers outside the lock, ordered by deadline)
  /// and clears the park record. Returns how many fired.
  std::size_t process(Instant now);
  /// Marks every registered entry kShutdown, wakes their wakers; later registrations throw.
  void shutdown();
  bool is_shutdown() const;

  /// Number of registered entries (tests).
  std::size_t size() const;
  /// The earliest registered deadline tick (tests).
  std::optional<std::uint64_t> next_deadline() const;
  /// The wheel's current tick (tests).
  std::uint64_t elapsed() const;

 private:
  static void throw_shutdown();
  /// Unparks the driver if `when` is earlier than the tick the parked thread sleeps toward.
  /// Caller holds mu_; returns whether to unpark once unlocked.
  bool needs_unpark_locked(std::uint64_t when) const noexcept;
  void unpark_driver() noexcept;

  Driver* unparker_;
  const Instant start_;
  mutable std::mutex mu_;
  TimerWheel wheel_;                        // guarded by mu_
  std::optional<std::uint64_t> park_tick_;  // guarded by mu_; set while the driver is parked
  bool parked_ = false;                     // guarded by mu_
  bool shutdown_ = false;                   // guarded by mu_
};

}  // namespace sluice::detail
