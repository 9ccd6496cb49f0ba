// TimeDriver: see include/sluice/detail/time_driver.hpp.
#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include <sluice/detail/driver.hpp>
#include <sluice/detail/time_driver.hpp>

namespace sluice::detail {

namespace {
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr std::uint64_t kNsPerTick = 1'000'000;

struct Fired {
  std::chrono::steady_clock::time_point deadline;
  Waker waker;
};

/// Marks an entry that leaves the wheel. Stores state before driver (see timer_entry.hpp), and
/// must be the last touch of the entry by a thread other than its owner.
void release_entry(TimerEntry* e, std::uint8_t final_state) noexcept {
  e->state.store(final_state, mo::release);
  e->driver.store(nullptr, mo::release);
}

/// For an entry whose driver pointer is null: kFired -> true, kShutdown -> throws.
bool settled_state(const TimerEntry& e) {
  auto st = e.state.load(mo::acquire);
  if (st == TimerEntry::kShutdown) throw std::logic_error("sluice: timer's runtime has shut down");
  return st == TimerEntry::kFired;
}
}  // namespace

TimeDriver::TimeDriver(Driver* unparker) : unparker_(unparker), start_(Clock::now()) {}

TimeDriver::~TimeDriver() { shutdown(); }

std::uint64_t TimeDriver::deadline_to_tick(Instant t) const noexcept {
  if (t <= start_) return 0;
  auto ns = static_cast<std::uint64_t>(std::chrono::duration_cast<nanoseconds>(t - start_).count());
  std::uint64_t tick = ns / kNsPerTick + (ns % kNsPerTick != 0 ? 1 : 0);
  return std::min(tick, kMaxTick);
}

std::uint64_t TimeDriver::now_to_tick(Instant t) const noexcept {
  if (t <= start_) return 0;
  auto ns = static_cast<std::uint64_t>(std::chrono::duration_cast<nanoseconds>(t - start_).count());
  return std::min(ns / kNsPerTick, kMaxTick);
}

TimeDriver::Instant TimeDriver::tick_to_instant(std::uint64_t tick) const noexcept {
  return start_ + milliseconds(static_cast<milliseconds::rep>(std::min(tick, kMaxTick)));
}

void TimeDriver::throw_shutdown() {
  throw std::logic_error("sluice: timer's runtime has shut down");
}

bool TimeDriver::needs_unpark_locked(std::uint64_t when) const noexcept {
  return parked_ && (!park_tick_ || when < *park_tick_);
}

void TimeDriver::unpark_driver() noexcept {
  if (unparker_ != nullptr) unparker_->unpark();
}

bool TimeDriver::register_entry(TimerEntry& e, const Waker& w) {
  std::uint64_t when = deadline_to_tick(e.deadline);
  bool unpark = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_) throw_shutdown();
    if (when <= wheel_.elapsed()) {
      e.state.store(TimerEntry::kFired, mo::relaxed);
      return true;
    }
    e.when = when;
    e.waker = w;
    wheel_.insert(&e);
    e.state.store(TimerEntry::kRegistered, mo::relaxed);
    e.driver.store(this, mo::relaxed);
    unpark = needs_unpark_locked(when);
    if (unpark) parked_ = false;  // one unpark is enough until the driver parks again
  }
  if (unpark) unpark_driver();
  return false;
}

bool TimeDriver::poll_entry(TimerEntry& e, const Waker& w) {
  TimeDriver* d = e.driver.load(mo::acquire);
  if (d == nullptr) return settled_state(e);
  Waker old;
  {
    std::lock_guard<std::mutex> lock(d->mu_);
    if (e.driver.load(mo::relaxed) == nullptr) return settled_state(e);
    if (!e.waker.will_wake(w)) {
      old = std::move(e.waker);
      e.waker = w;
    }
  }
  return false;  // `old` is dropped here, outside the lock
}

void TimeDriver::reset_entry(TimerEntry& e, Instant deadline) {
  TimeDriver* d = e.driver.load(mo::acquire);
  if (d != nullptr) {
    Waker to_wake;
    bool fired = false;
    bool unpark = false;
    {
      std::lock_guard<std::mutex> lock(d->mu_);
      if (e.driver.load(mo::relaxed) != nullptr) {
        e.deadline = deadline;
        d->wheel_.remove(&e);
        std::uint64_t when = d->deadline_to_tick(deadline);
        if (when <= d->wheel_.elapsed()) {
          to_wake = std::move(e.waker);
          release_entry(&e, TimerEntry::kFired);
          fired = true;
        } else {
          e.when = when;
          d->wheel_.insert(&e);
          unpark = d->needs_unpark_locked(when);
          if (unpark) d->parked_ = false;
        }
        d = fired ? nullptr : d;
      } else {
        d = nullptr;  // fired or shut down meanwhile: treat as unregistered below
      }
    }
    if (fired) {
      std::move(to_wake).wake();
      return;
    }
    if (d != nullptr) {
      if (unpark) d->unpark_driver();
      return;
    }
  }
  // Not registered: idle, fired or shut down. Nobody else references the entry now.
  e.deadline = deadline;
  e.waker.reset();
  if (e.state.load(mo::acquire) != TimerEntry::kShutdown)
    e.state.store(TimerEntry::kIdle, mo::relaxed);
}

void TimeDriver::cancel_entry(TimerEntry& e) noexcept {
  TimeDriver* d = e.driver.load(mo::acquire);
  if (d == nullptr) return;
  Waker old;
  {
    std::lock_guard<std::mutex> lock(d->mu_);
    if (e.driver.load(mo::relaxed) == nullptr) return;
    d->wheel_.remove(&e);
    old = std::move(e.waker);
    e.state.store(TimerEntry::kIdle, mo::relaxed);
    e.driver.store(nullptr, mo::relaxed);
  }
}

void TimeDriver::move_entry(TimerEntry& dst, TimerEntry& src) noexcept {
  TimeDriver* d = src.driver.load(mo::acquire);
  if (d != nullptr) {
    std::lock_guard<std::mutex> lock(d->mu_);
    if (src.driver.load(mo::relaxed) != nullptr) {
      dst.deadline = src.deadline;
      dst.when = src.when;
      dst.waker = std::move(src.waker);
      d->wheel_.replace(&src, &dst);
      dst.state.store(TimerEntry::kRegistered, mo::relaxed);
      dst.driver.store(d, mo::relaxed);
      src.state.store(TimerEntry::kIdle, mo::relaxed);
      src.driver.store(nullptr, mo::relaxed);
      return;
    }
  }
  dst.deadline = src.deadline;
  dst.waker = std::move(src.waker);
  dst.state.store(src.state.load(mo::acquire), mo::relaxed);
  src.state.store(TimerEntry::kIdle, mo::relaxed);
}

std::optional<std::uint64_t> TimeDriver::prepare_park(std::optional<std::uint64_t> limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<std::uint64_t> tick = wheel_.next_deadline();
  if (limit && (!tick || *limit < *tick)) tick = limit;
  park_tick_ = tick;
  parked_ = true;
  return tick;
}

std::size_t TimeDriver::process(Instant now) {
  std::vector<Fired> fired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    parked_ = false;
    park_tick_.reset();
    wheel_.advance(now_to_tick(now), [&](TimerEntry* e) {
      fired.push_back(Fired{e->deadline, std::move(e->waker)});
      release_entry(e, TimerEntry::kFired);
    });
  }
  // The wheel yields ticks in order; within a tick, order by the exact deadline.
  if (fired.size() > 1) {
    std::stable_sort(fired.begin(), fired.end(),
                     [](const Fired& a, const Fired& b) { return a.deadline < b.deadline; });
  }
  for (auto& f : fired) std::move(f.waker).wake();
  return fired.size();
}

void TimeDriver::shutdown() {
  std::vector<Waker> wakers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_) return;
    shutdown_ = true;
    parked_ = false;
    wheel_.drain([&](TimerEntry* e) {
      wakers.push_back(std::move(e->waker));
      release_entry(e, TimerEntry::kShutdown);
    });
  }
  for (auto& w : wakers) std::move(w).wake();
}

bool TimeDriver::is_shutdown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutdown_;
}

std::size_t TimeDriver::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wheel_.size();
}

std::optional<std::uint64_t> TimeDriver::next_deadline() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wheel_.next_deadline();
}

std::uint64_t TimeDriver::elapsed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wheel_.elapsed();
}

}  // namespace sluice::detail
