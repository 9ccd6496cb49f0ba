// IoDriver / IoRegistration: see include/sluice/detail/io_driver.hpp.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include <sluice/detail/io_driver.hpp>
#include <sluice/net/io_error.hpp>

namespace sluice::detail {

namespace {
constexpr std::uint64_t kReadyMask = 0xffff'ffffu;
constexpr unsigned kTickShift = 32;

std::uint32_t ready_bits(std::uint64_t state) noexcept {
  return static_cast<std::uint32_t>(state & kReadyMask);
}
std::uint32_t tick_of(std::uint64_t state) noexcept {
  return static_cast<std::uint32_t>(state >> kTickShift);
}
}  // namespace

// ---- IoRegistration ---------------------------------------------------------------------------

std::uint32_t IoRegistration::mask_for(Direction dir) noexcept {
  constexpr std::uint32_t kAlways = kError | kShutdown;
  return dir == Direction::kRead ? (kReadable | kReadClosed | kAlways)
                                 : (kWritable | kWriteClosed | kAlways);
}

ReadyEvent IoRegistration::readiness(Direction dir) const noexcept {
  std::uint64_t s = state_.load(mo::acquire);
  return ReadyEvent{tick_of(s), ready_bits(s) & mask_for(dir)};
}

Poll<ReadyEvent> IoRegistration::poll_ready(Context& cx, Direction dir) {
  ReadyEvent ev = readiness(dir);
  if (ev.ready != 0) return ev;
  AtomicWaker& cell = dir == Direction::kRead ? reader_ : writer_;
  cell.register_by_ref(cx.waker());  // ends with the protocol fence
  ev = readiness(dir);               // an event that raced the registration
  if (ev.ready != 0) return ev;
  return pending;
}

void IoRegistration::clear_readiness(ReadyEvent ev) noexcept {
  // kError goes too: the syscall that answered EAGAIN has consumed or not seen the error, and
  // the kernel raises EPOLLERR again for a new one. Closed bits are final and stay.
  const std::uint64_t clearable = ev.ready & (kReadable | kWritable | kError);
  if (clearable == 0) return;
  std::uint64_t cur = state_.load(mo::acquire);
  for (;;) {
    if (tick_of(cur) != ev.tick) return;  // a newer event: keep its readiness
    std::uint64_t next = cur & ~clearable;
    if (next == cur) return;
    if (state_.compare_exchange_weak(cur, next, mo::acq_rel, mo::acquire)) return;
  }
}

void IoRegistration::set_readiness(std::uint32_t bits) {
  std::uint64_t cur = state_.load(mo::relaxed);
  for (;;) {
    std::uint64_t tick = (tick_of(cur) + 1u) & kReadyMask;
    std::uint64_t next = (tick << kTickShift) | ready_bits(cur) | bits;
    if (state_.compare_exchange_weak(cur, next, mo::acq_rel, mo::relaxed)) break;
  }
  // The CAS above published the readiness: on x86 it is the fence of the AtomicWaker protocol.
  if ((bits & mask_for(Direction::kRead)) != 0) reader_.wake_after_rmw();
  if ((bits & mask_for(Direction::kWrite)) != 0) writer_.wake_after_rmw();
}

// ---- IoDriver ---------------------------------------------------------------------------------

IoDriver::IoDriver() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0)
    throw std::system_error(errno, std::system_category(), "sluice: epoll_create1");
}

IoDriver::~IoDriver() {
  // Every socket holds a shared_ptr to us, so none is left: only deferred frees remain.
  release_pending();
  ::close(epoll_fd_);
}

Result<IoRegistration*, std::error_code> IoDriver::add(int fd) {
  auto* reg = new IoRegistration(fd);
  {
    std::lock_guard lock(mu_);
    if (shut_down_) {
      delete reg;
      return Err(make_error_code(net::IoErrc::runtime_shutdown));
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = reg;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
      int err = errno;
      delete reg;
      return Err(std::error_code(err, std::system_category()));
    }
    reg->next_ = live_;
    if (live_ != nullptr) live_->prev_ = reg;
    live_ = reg;
  }
  live_count_.fetch_add(1, mo::relaxed);
  return reg;
}

void IoDriver::remove(IoRegistration* reg) noexcept {
  // Best effort: the fd is about to be closed, which removes it from the set anyway; DEL first
  // so that no event for it is produced from here on.
  epoll_event unused{};
  (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, reg->fd_, &unused);
  bool free_now;
  {
    std::lock_guard lock(mu_);
    if (reg->prev_ != nullptr) {
      reg->prev_->next_ = reg->next_;
    } else {
      live_ = reg->next_;
    }
    if (reg->next_ != nullptr) reg->next_->prev_ = reg->prev_;
    reg->prev_ = reg->next_ = nullptr;
    free_now = shut_down_;
    if (!free_now) {
      to_release_.push_back(reg);
      has_pending_.store(true, mo::relaxed);
    }
  }
  live_count_.fetch_sub(1, mo::relaxed);
  if (free_now) delete reg;
}

void IoDriver::release_pending() noexcept {
  if (!has_pending_.load(mo::relaxed)) return;
  std::vector<IoRegistration*> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(to_release_);
    has_pending_.store(false, mo::relaxed);
  }
  for (IoRegistration* reg : batch) delete reg;
}

void IoDriver::dispatch(void* registration, std::uint32_t epoll_events) {
  std::uint32_t bits = 0;
  if ((epoll_events & (EPOLLIN | EPOLLPRI)) != 0) bits |= IoRegistration::kReadable;
  if ((epoll_events & EPOLLOUT) != 0) bits |= IoRegistration::kWritable;
  if ((epoll_events & EPOLLRDHUP) != 0) bits |= IoRegistration::kReadClosed;
  if ((epoll_events & EPOLLHUP) != 0)
    bits |= IoRegistration::kReadClosed | IoRegistration::kWriteClosed;
  if ((epoll_events & EPOLLERR) != 0) bits |= IoRegistration::kError;
  if (bits != 0) static_cast<IoRegistration*>(registration)->set_readiness(bits);
}

void IoDriver::shutdown() {
  std::vector<Waker> wakers;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    for (IoRegistration* reg = live_; reg != nullptr; reg = reg->next_) {
      reg->state_.fetch_or(IoRegistration::kShutdown, mo::acq_rel);
      wakers.push_back(reg->reader_.take_waker());
      wakers.push_back(reg->writer_.take_waker());
    }
    for (IoRegistration* reg : to_release_) delete reg;
    to_release_.clear();
    has_pending_.store(false, mo::relaxed);
  }
  // Outside mu_: a wake may drop the last reference to a task whose socket then calls remove().
  for (auto& w : wakers) std::move(w).wake();
}

}  // namespace sluice::detail
