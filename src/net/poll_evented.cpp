// PollEvented: see include/sluice/detail/poll_evented.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

#include <sluice/detail/driver.hpp>
#include <sluice/detail/poll_evented.hpp>

namespace sluice::detail {

net::IoResult<PollEvented> PollEvented::adopt(int fd) {
  Driver* driver = current_driver();
  if (driver == nullptr) {
    ::close(fd);
    throw std::logic_error("sluice: sockets must be created inside a sluice runtime");
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ((flags & O_NONBLOCK) == 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) {
    int err = errno;
    ::close(fd);
    return Err(net::errno_code(err));
  }
  auto reg = driver->io()->add(fd);
  if (!reg) {
    ::close(fd);
    return Err(reg.error());
  }
  PollEvented out;
  out.io_ = driver->io();
  out.reg_ = *reg;
  out.fd_ = fd;
  return out;
}

void PollEvented::close() noexcept {
  if (fd_ < 0) return;
  io_->remove(std::exchange(reg_, nullptr));
  ::close(std::exchange(fd_, -1));
  io_.reset();
}

Poll<net::IoResult<ReadyEvent>> PollEvented::poll_ready(Context& cx, Direction dir) {
  if (reg_ == nullptr) return net::IoResult<ReadyEvent>(Err(net::errno_code(EBADF)));
  Poll<ReadyEvent> r = reg_->poll_ready(cx, dir);
  if (r.is_pending()) return pending;
  if ((r.value().ready & IoRegistration::kShutdown) != 0) {
    return net::IoResult<ReadyEvent>(Err(make_error_code(net::IoErrc::runtime_shutdown)));
  }
  return net::IoResult<ReadyEvent>(r.value());
}

}  // namespace sluice::detail
