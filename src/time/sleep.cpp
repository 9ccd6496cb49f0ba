// Sleep: see include/sluice/sleep.hpp.
#include <stdexcept>

#include <sluice/coop.hpp>
#include <sluice/detail/driver.hpp>
#include <sluice/detail/time_driver.hpp>
#include <sluice/sleep.hpp>

namespace sluice {

namespace detail {
Instant deadline_after(std::chrono::nanoseconds d) noexcept {
  auto now = Instant::clock::now();
  constexpr auto kFarFuture = std::chrono::hours(24 * 365 * 30);
  if (d > std::chrono::duration_cast<std::chrono::nanoseconds>(kFarFuture)) return now + kFarFuture;
  if (d <= std::chrono::nanoseconds::zero()) return now;
  return now + std::chrono::duration_cast<Instant::duration>(d);
}
}  // namespace detail

using detail::TimeDriver;
using detail::TimerEntry;

Sleep::Sleep(Instant deadline) noexcept { entry_.deadline = deadline; }

Sleep::Sleep(Sleep&& other) noexcept { TimeDriver::move_entry(entry_, other.entry_); }

Sleep& Sleep::operator=(Sleep&& other) noexcept {
  if (this != &other) {
    TimeDriver::cancel_entry(entry_);
    entry_.waker.reset();
    TimeDriver::move_entry(entry_, other.entry_);
  }
  return *this;
}

Sleep::~Sleep() { TimeDriver::cancel_entry(entry_); }

bool Sleep::is_elapsed() const noexcept {
  return entry_.state.load(detail::mo::acquire) == TimerEntry::kFired;
}

void Sleep::reset(Instant deadline) { TimeDriver::reset_entry(entry_, deadline); }

bool Sleep::poll_elapsed(const Waker& waker) {
  switch (entry_.state.load(detail::mo::acquire)) {
    case TimerEntry::kFired:
      return true;
    case TimerEntry::kShutdown:
      throw std::logic_error("sluice: timer's runtime has shut down");
    case TimerEntry::kIdle: {
      detail::Driver* d = detail::current_driver();
      if (d == nullptr)
        throw std::logic_error("sluice::sleep must be polled inside a sluice runtime");
      if (entry_.deadline <= Instant::clock::now()) {
        entry_.state.store(TimerEntry::kFired, detail::mo::relaxed);
        return true;
      }
      return d->time().register_entry(entry_, waker);
    }
    default:
      return TimeDriver::poll_entry(entry_, waker);
  }
}

Poll<void> Sleep::poll(Context& cx) {
  auto coop = coop::poll_proceed(cx);
  if (!coop) return pending;
  if (!poll_elapsed(cx.waker())) return pending;
  coop->made_progress();
  return Poll<void>::ready();
}

Sleep sleep(std::chrono::nanoseconds duration) noexcept {
  return Sleep(detail::deadline_after(duration));
}

Sleep sleep_until(Instant deadline) noexcept { return Sleep(deadline); }

}  // namespace sluice
