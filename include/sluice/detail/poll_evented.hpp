// sluice::detail::PollEvented: a non-blocking fd registered with the runtime's I/O driver; what
// TcpStream and TcpListener are made of.
//
// poll_io(cx, direction, op) is the one loop every socket operation runs: spend a unit of the
// task's coop budget, wait for readiness in `direction`, run the syscall `op`; on EAGAIN clear
// the readiness that was seen and wait again; anything else is the answer. So an operation never
// blocks the thread and never misses an edge (see io_driver.hpp).
//
// Example:
//   auto ev = sluice::detail::PollEvented::adopt(fd);        // registers; closes fd on failure
//   auto r = ev->poll_io(cx, sluice::detail::Direction::kRead,
//                        [&] { return ::read(ev->fd(), buf, len); });   // Poll<IoResult<size_t>>
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <memory>
#include <system_error>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/io_driver.hpp>
#include <sluice/net/io_error.hpp>
#include <sluice/poll.hpp>

namespace sluice::detail {

/// An fd plus its IoRegistration; closes the fd when destroyed. Move-only.
class PollEvented {
 public:
  /// Not open.
  PollEvented() noexcept = default;

  /// Takes ownership of `fd` (made non-blocking here) and registers it with the driver of the
  /// runtime this thread runs in. On error the fd is closed. Throws std::logic_error outside a
  /// runtime (like sleep()).
  static net::IoResult<PollEvented> adopt(int fd);

  PollEvented(PollEvented&& o) noexcept
      : io_(std::move(o.io_)),
        reg_(std::exchange(o.reg_, nullptr)),
        fd_(std::exchange(o.fd_, -1)) {}
  PollEvented& operator=(PollEvented&& o) noexcept {
    if (this != &o) {
      close();
      io_ = std::move(o.io_);
      reg_ = std::exchange(o.reg_, nullptr);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  PollEvented(const PollEvented&) = delete;
  PollEvented& operator=(const PollEvented&) = delete;
  ~PollEvented() { close(); }

  /// The fd, or -1 when not open.
  int fd() const noexcept { return fd_; }
  bool is_open() const noexcept { return fd_ >= 0; }
  /// The registration (null when not open).
  IoRegistration* registration() const noexcept { return reg_; }

  /// Deregisters and closes the fd. Idempotent.
  void close() noexcept;

  /// Waits for readiness in `dir` (ready: the event; error: runtime shut down). Spends no budget.
  Poll<net::IoResult<ReadyEvent>> poll_ready(Context& cx, Direction dir);

  /// The operation loop of the top of this file. `op` returns a ssize_t-like count, or -1 with
  /// errno set. `requested` (0: unknown) is the byte count asked of a read or write: when the
  /// kernel moved fewer (but some), the socket buffer was drained (or filled), so the readiness
  /// is cleared now instead of by the EAGAIN of the next call, saving that syscall. Safe with
  /// edge-triggered epoll: bytes arriving after the syscall raise a new edge, whose event bumps
  /// the tick, and clear_readiness never clears a newer tick (Tokio does the same).
  template <class Op>
  Poll<net::IoResult<std::size_t>> poll_io(Context& cx, Direction dir, Op&& op,
                                           std::size_t requested = 0) {
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    for (;;) {
      Poll<net::IoResult<ReadyEvent>> ready = poll_ready(cx, dir);
      if (ready.is_pending()) return pending;
      if (!ready.value()) {
        coop->made_progress();
        return net::IoResult<std::size_t>(Err(ready.value().error()));
      }
      const ReadyEvent ev = *ready.value();
      const auto n = op();
      if (n >= 0) {
        coop->made_progress();
        if (n > 0 && static_cast<std::size_t>(n) < requested) reg_->clear_readiness(ev);
        return static_cast<std::size_t>(n);
      }
      const int err = errno;
      if (err == EINTR) continue;
      if ((err == EAGAIN || err == EWOULDBLOCK) &&
          (ev.ready &
           (IoRegistration::kReadable | IoRegistration::kWritable | IoRegistration::kError)) != 0) {
        reg_->clear_readiness(ev);
        continue;
      }
      coop->made_progress();
      return net::IoResult<std::size_t>(Err(net::errno_code(err)));
    }
  }

 private:
  std::shared_ptr<IoDriver> io_;
  IoRegistration* reg_ = nullptr;
  int fd_ = -1;
};

}  // namespace sluice::detail
