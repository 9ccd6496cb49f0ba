// sluice::detail::Driver: what a runtime thread sleeps in: epoll + an eventfd for wake-ups + the
// timer wheel (TimeDriver). One per Runtime.
//
// park(timeout) blocks in epoll_wait until unpark(), an fd event, `timeout`, or the earliest timer
// deadline (whichever comes first; the wait is rounded UP to whole milliseconds so a timer is never
// fired early), then fires every expired timer. Only one thread parks at a time (the scheduler
// guarantees it); unpark() may be called from any thread and never loses a wake-up: an unpark that
// arrives before park() makes that park() return at once.
//
// I/O: the epoll set (owned by an IoDriver, shared with every socket: io_driver.hpp) is
// edge-triggered. The eventfd is registered with token 0; every socket with the address of its
// IoRegistration, to which park() delivers the events (readiness bits + reader/writer wakers).
//
// Example (driving timers by hand, without a scheduler):
//   sluice::detail::Driver driver;
//   sluice::detail::DriverScope scope(&driver);   // current_driver() == &driver on this thread
//   auto s = sluice::sleep(std::chrono::milliseconds(5));
//   sluice::coop::Budget b = sluice::coop::Budget::unconstrained();
//   sluice::Context cx(sluice::Waker::noop(), b);
//   while (s.poll(cx).is_pending()) driver.park(std::nullopt);
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include <sluice/detail/sync.hpp>

namespace sluice::detail {

class TimeDriver;
class IoDriver;

/// epoll + eventfd + timer wheel; one per runtime. See the top of this file.
class Driver {
 public:
  /// Creates the epoll set, the eventfd and the timer wheel (its time origin is now).
  /// Throws std::system_error when the kernel refuses an fd.
  Driver();
  /// Calls shutdown() if it was not called, then closes the fds.
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  /// Blocks until unpark(), an fd event, `timeout` (nullopt: none of its own; zero: just poll) or
  /// the earliest timer deadline, then wakes every expired timer before returning.
  /// Only one thread at a time may call park().
  void park(std::optional<std::chrono::nanoseconds> timeout);

  /// Makes a concurrent or the next park() return promptly. Thread-safe; costs no syscall when
  /// nobody is parked or a wake-up is already pending.
  void unpark() noexcept;

  /// The timer wheel of this driver.
  TimeDriver& time() noexcept { return *time_; }

  /// The epoll set and socket registrations of this driver (shared: a socket keeps it alive).
  const std::shared_ptr<IoDriver>& io() const noexcept { return io_; }

  /// After all tasks are destroyed: releases every timer entry (marks it shut down, wakes its
  /// waker; later polls of such a Sleep throw std::logic_error) and shuts the I/O driver down
  /// (socket operations then fail with net::IoErrc::runtime_shutdown). Idempotent.
  void shutdown();

  /// Number of park() calls that returned because of the eventfd (for tests and stats).
  std::uint64_t unpark_wakeups() const noexcept { return unpark_wakeups_.load(mo::relaxed); }

 private:
  void drain_eventfd() noexcept;

  std::shared_ptr<IoDriver> io_;  // owns the epoll fd; its registrations() count is the number
                                  // of sockets: while 0, a zero-timeout park() skips epoll_wait
  int epoll_fd_ = -1;             // io_->epoll_fd()
  int event_fd_ = -1;
  std::unique_ptr<TimeDriver> time_;

  // Park/unpark state word.
  //   bit 0 kParked   : set by the parking thread before it computes its wait and blocks; cleared
  //                     (with kNotified) by that thread once epoll_wait returned.
  //   bit 1 kNotified : set by unpark() (any thread). The unpark that sets it while kParked is set
  //                     writes the eventfd; if kParked is clear, the next park() sees it and
  //                     does not block. Consumed (cleared) by the parking thread after epoll_wait.
  // No count: many unparks between two parks coalesce into one wake-up.
  static constexpr std::uint32_t kParked = 1;
  static constexpr std::uint32_t kNotified = 2;
  Atomic<std::uint32_t> state_{0};
  Atomic<std::uint64_t> unpark_wakeups_{0};
  bool shut_down_ = false;
};

/// The driver of the runtime this thread runs in, or null (thread-local).
Driver* current_driver() noexcept;

/// RAII: makes `d` the current_driver() of this thread; restores the previous one on destruction.
///
/// Example:
///   sluice::detail::DriverScope scope(&driver);
class DriverScope {
 public:
  explicit DriverScope(Driver* d) noexcept;
  ~DriverScope();
  DriverScope(const DriverScope&) = delete;
  DriverScope& operator=(const DriverScope&) = delete;

 private:
  Driver* prev_;
};

}  // namespace sluice::detail
