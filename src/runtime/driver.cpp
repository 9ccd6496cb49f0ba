// Driver: epoll + eventfd park/unpark and the timer wheel. See include/sluice/detail/driver.hpp.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <system_error>

#include <sluice/detail/driver.hpp>
#include <sluice/detail/io_driver.hpp>
#include <sluice/detail/time_driver.hpp>

namespace sluice::detail {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::nanoseconds;

/// epoll_event.data.u64 of the eventfd. Sockets use the address of their IoRegistration
/// (never 0).
constexpr std::uint64_t kWakeToken = 0;
constexpr int kMaxEvents = 64;

thread_local Driver* t_current_driver = nullptr;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

/// Milliseconds for epoll_wait until `deadline`, rounded up so we never wake before it.
int wait_ms(Clock::time_point now, Clock::time_point deadline) noexcept {
  if (deadline <= now) return 0;
  auto ns = std::chrono::duration_cast<nanoseconds>(deadline - now).count();
  auto ms = ns / 1'000'000 + (ns % 1'000'000 != 0 ? 1 : 0);
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

/// now + d without overflow.
Clock::time_point saturating_add(Clock::time_point now, nanoseconds d) noexcept {
  if (d <= nanoseconds::zero()) return now;
  if (d > Clock::time_point::max() - now) return Clock::time_point::max();
  return now + std::chrono::duration_cast<Clock::duration>(d);
}
}  // namespace

Driver::Driver() : io_(std::make_shared<IoDriver>()) {
  epoll_fd_ = io_->epoll_fd();
  event_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (event_fd_ < 0) throw_errno("sluice: eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = kWakeToken;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev) < 0) {
    int err = errno;
    ::close(event_fd_);
    throw std::system_error(err, std::generic_category(), "sluice: epoll_ctl(eventfd)");
  }
  time_ = std::make_unique<TimeDriver>(this);
}

Driver::~Driver() {
  shutdown();
  time_.reset();
  ::close(event_fd_);  // the epoll fd belongs to io_ (sockets may still hold it)
}

void Driver::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  time_->shutdown();
  io_->shutdown();
}

void Driver::unpark() noexcept {
  auto prev = state_.fetch_or(kNotified, mo::acq_rel);
  if ((prev & kNotified) != 0) return;  // a wake-up is already pending
  if ((prev & kParked) == 0) return;    // nobody blocked: the next park() sees kNotified
  std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: the fd is readable anyway.
  [[maybe_unused]] auto n = ::write(event_fd_, &one, sizeof one);
}

void Driver::drain_eventfd() noexcept {
  std::uint64_t value = 0;
  [[maybe_unused]] auto n = ::read(event_fd_, &value, sizeof value);
}

void Driver::park(std::optional<nanoseconds> timeout) {
  io_->release_pending();  // sockets closed since the last park: no event for them is in flight
  if (timeout && *timeout <= nanoseconds::zero() && io_->registrations() == 0) {
    // A maintenance poll with only the eventfd registered: there is no fd event to collect, and
    // the eventfd only says "unparked", which a caller that is not asleep does not need. Run the
    // timers and skip the syscall (epoll_wait cost ~1 us here, every event_interval ticks). A
    // pending kNotified stays set for the next blocking park, which then returns at once.
    time_->process(Clock::now());
    return;
  }
  auto prev = state_.fetch_or(kParked, mo::acq_rel);
  bool notified = (prev & kNotified) != 0;
  auto start = Clock::now();
  std::optional<Clock::time_point> until;  // the caller's own deadline
  if (timeout) until = saturating_add(start, *timeout);
  bool just_poll = timeout && *timeout <= nanoseconds::zero();

  epoll_event events[kMaxEvents];
  for (;;) {
    auto now = Clock::now();
    int ms = 0;
    if (!notified && !just_poll) {
      std::optional<std::uint64_t> limit;
      if (until) limit = time_->deadline_to_tick(*until);
      std::optional<std::uint64_t> tick = time_->prepare_park(limit);
      // Whichever comes first: the caller's deadline or the next timer's tick.
      std::optional<Clock::time_point> wake_at = until;
      if (tick) {
        auto t = time_->tick_to_instant(*tick);
        if (!wake_at || t < *wake_at) wake_at = t;
      }
      ms = wake_at ? wait_ms(now, *wake_at) : -1;
      // An unpark() between our fetch_or and prepare_park() set kNotified without writing the
      // eventfd only if kParked was clear, which it is not; so the eventfd covers it.
    }
    int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, ms);
    bool io_event = false;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kWakeToken) {
        drain_eventfd();
        notified = true;
        unpark_wakeups_.fetch_add(1, mo::relaxed);
      } else {
        IoDriver::dispatch(events[i].data.ptr, events[i].events);
        io_event = true;
      }
    }
    now = Clock::now();
    std::size_t fired = time_->process(now);
    if (notified || io_event || fired > 0 || ms == 0 || (until && now >= *until)) break;
    if ((state_.load(mo::acquire) & kNotified) != 0) break;
    // Otherwise: interrupted (EINTR) or woken before anything was due; wait again.
  }
  state_.store(0, mo::release);
}

Driver* current_driver() noexcept { return t_current_driver; }

DriverScope::DriverScope(Driver* d) noexcept : prev_(t_current_driver) { t_current_driver = d; }

DriverScope::~DriverScope() { t_current_driver = prev_; }

}  // namespace sluice::detail
