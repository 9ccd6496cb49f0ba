// sluice::detail::IoDriver and IoRegistration: the readiness half of the runtime's driver.
//
// Every socket (TcpListener, TcpStream) is registered once, edge-triggered, for both directions
// (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET). epoll_event.data.ptr points to its IoRegistration,
// which keeps:
//   - a state word: readiness bits (low 32) and a tick (high 32) that the driver bumps on every
//     event it delivers; and
//   - two AtomicWakers: the task waiting to read, the task waiting to write.
//
// An operation (see PollEvented) loops: poll_ready(direction) -> syscall -> on EAGAIN
// clear_readiness(event) and poll again. clear_readiness only clears when the tick is still the
// one the operation saw, so an event that arrives between the syscall and the clear is never lost
// (Tokio's ScheduledIo does the same). A new registration starts optimistically ready in both
// directions: the first read or write just tries the syscall, which saves one trip through
// epoll_wait for a fresh connection (a wrong guess costs one EAGAIN).
//
// Lifetime: the driver thread may be dispatching an event that epoll_wait returned for a
// registration whose socket is being closed on another thread. remove() therefore unlinks it
// and defers the free to release_pending(), which the parking thread calls before its next
// epoll_wait: by then no event for it can be in flight. Once the driver is shut down nothing
// dispatches and remove() frees at once. The IoDriver (and the epoll fd) are shared with every
// registration, so a socket may outlive its runtime: its operations then fail with
// IoErrc::runtime_shutdown.
//
// Example (what TcpStream does):
//   auto io = sluice::detail::current_driver()->io();
//   auto reg = io->add(fd);                        // Result<IoRegistration*, std::error_code>
//   auto ev = reg->poll_ready(cx, sluice::detail::Direction::kRead);   // Poll<ReadyEvent>
//   ... ::read(fd, ...) == EAGAIN  ->  reg->clear_readiness(*ev);
//   io->remove(reg);  ::close(fd);
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

#include <sluice/context.hpp>
#include <sluice/detail/atomic_waker.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>

namespace sluice::detail {

/// Which waker an operation waits on.
enum class Direction : std::uint8_t { kRead, kWrite };

/// Readiness seen by poll_ready: the bits, and the tick they were seen at (for clear_readiness).
struct ReadyEvent {
  std::uint32_t tick = 0;
  std::uint32_t ready = 0;
};

/// Per-fd readiness and wakers. Created and freed only by IoDriver.
class IoRegistration {
 public:
  static constexpr std::uint32_t kReadable = 1;
  static constexpr std::uint32_t kWritable = 2;
  static constexpr std::uint32_t kReadClosed = 4;   // peer shut down its write half (EPOLLRDHUP)
  static constexpr std::uint32_t kWriteClosed = 8;  // EPOLLHUP: both halves gone
  static constexpr std::uint32_t kError = 16;       // EPOLLERR: the syscall reports which
  static constexpr std::uint32_t kShutdown = 32;    // the runtime's driver shut down

  IoRegistration(const IoRegistration&) = delete;
  IoRegistration& operator=(const IoRegistration&) = delete;

  /// The registered fd.
  int fd() const noexcept { return fd_; }

  /// Ready when `dir` has readiness (or closed / error / shutdown bits); otherwise registers
  /// cx.waker() for `dir` and answers pending. Spends no coop budget (the caller does).
  /// One task per direction at a time (a second one's waker would replace the first's).
  Poll<ReadyEvent> poll_ready(Context& cx, Direction dir);

  /// Readiness of `dir` right now, without registering (tick included).
  ReadyEvent readiness(Direction dir) const noexcept;

  /// The syscall answered EAGAIN after `ev`: clears ev's readable/writable/error bits unless
  /// the driver delivered a newer event meanwhile. Closed and shutdown bits stay.
  void clear_readiness(ReadyEvent ev) noexcept;

  /// True once the driver shut down (operations must fail with IoErrc::runtime_shutdown).
  bool is_shutdown() const noexcept {
    return (static_cast<std::uint32_t>(state_.load(mo::acquire)) & kShutdown) != 0;
  }

 private:
  friend class IoDriver;
  explicit IoRegistration(int fd) noexcept : fd_(fd) {}

  /// Driver side: ORs `bits` in, bumps the tick, wakes the directions they concern.
  void set_readiness(std::uint32_t bits);

  static std::uint32_t mask_for(Direction dir) noexcept;

  Atomic<std::uint64_t> state_{kReadable | kWritable};  // optimistic start, tick 0
  AtomicWaker reader_;
  AtomicWaker writer_;
  int fd_;
  // The driver's list of live registrations (guarded by IoDriver::mu_).
  IoRegistration* prev_ = nullptr;
  IoRegistration* next_ = nullptr;
};

/// The epoll set and its registrations; shared by the Driver and every registered socket.
class IoDriver {
 public:
  /// Creates the epoll set. Throws std::system_error when the kernel refuses.
  IoDriver();
  /// Frees what is left (after shutdown) and closes the epoll fd.
  ~IoDriver();
  IoDriver(const IoDriver&) = delete;
  IoDriver& operator=(const IoDriver&) = delete;

  /// The epoll fd (the Driver adds its eventfd to it and waits on it).
  int epoll_fd() const noexcept { return epoll_fd_; }

  /// Registers a non-blocking `fd` for both directions, edge-triggered. Errors: epoll_ctl's,
  /// or IoErrc::runtime_shutdown once the driver shut down.
  Result<IoRegistration*, std::error_code> add(int fd);

  /// Deregisters (EPOLL_CTL_DEL) before the caller closes the fd. The registration is freed at
  /// the next release_pending(), or now when the driver is shut down. Any thread.
  void remove(IoRegistration* reg) noexcept;

  /// Parking thread only, before epoll_wait: frees the registrations remove() deferred.
  void release_pending() noexcept;

  /// Parking thread only: delivers one epoll event to the registration it names.
  static void dispatch(void* registration, std::uint32_t epoll_events);

  /// Marks every live registration shut down and wakes its tasks. Idempotent.
  void shutdown();

  /// Number of live registrations (relaxed; the Driver skips epoll_wait on a zero-timeout
  /// park while it is 0).
  std::size_t registrations() const noexcept { return live_count_.load(mo::relaxed); }

 private:
  int epoll_fd_ = -1;
  mutable std::mutex mu_;
  IoRegistration* live_ = nullptr;           // intrusive list, guarded by mu_
  std::vector<IoRegistration*> to_release_;  // guarded by mu_
  bool shut_down_ = false;                   // guarded by mu_
  Atomic<std::size_t> live_count_{0};
  Atomic<bool> has_pending_{false};  // to_release_ non-empty (skips the lock when not)
};

}  // namespace sluice::detail
