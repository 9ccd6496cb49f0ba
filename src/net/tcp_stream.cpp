// TcpStream: see include/sluice/net/tcp_stream.hpp.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sluice/net/tcp_stream.hpp>

namespace sluice::net {

namespace {
IoResult<SocketAddr> sock_name(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (rc < 0) return Err(errno_code(errno));
  auto addr = SocketAddr::from_raw(reinterpret_cast<sockaddr*>(&ss), len);
  if (!addr) return Err(std::make_error_code(std::errc::address_family_not_supported));
  return *addr;
}
}  // namespace

TcpStream::ConnectFuture TcpStream::connect(const SocketAddr& addr) { return ConnectFuture(addr); }

TcpStream::ConnectFuture TcpStream::connect(std::string_view text) {
  return ConnectFuture(SocketAddr::parse(text));
}

IoResult<TcpStream> TcpStream::from_fd(int fd) {
  auto io = detail::PollEvented::adopt(fd);
  if (!io) return Err(io.error());
  return TcpStream(std::move(*io));
}

Poll<IoResult<std::size_t>> TcpStream::poll_read(Context& cx, std::span<char> buf) {
  const int fd = io_.fd();
  return io_.poll_io(
      cx, detail::Direction::kRead, [&] { return ::recv(fd, buf.data(), buf.size(), 0); },
      buf.size());
}

Poll<IoResult<std::size_t>> TcpStream::poll_write(Context& cx, std::string_view data) {
  const int fd = io_.fd();
  return io_.poll_io(
      cx, detail::Direction::kWrite,
      [&] { return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL); }, data.size());
}

IoResult<std::size_t> TcpStream::try_read(std::span<char> buf) {
  for (;;) {
    auto n = ::recv(io_.fd(), buf.data(), buf.size(), 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      if (auto* reg = io_.registration())
        reg->clear_readiness(reg->readiness(detail::Direction::kRead));
    }
    return Err(errno_code(err));
  }
}

IoResult<std::size_t> TcpStream::try_write(std::string_view data) {
  for (;;) {
    auto n = ::send(io_.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    int err = errno;
    if (err == EAGAIN || err == EWOULDBLOCK) {
      if (auto* reg = io_.registration())
        reg->clear_readiness(reg->readiness(detail::Direction::kWrite));
    }
    return Err(errno_code(err));
  }
}

IoResult<void> TcpStream::shutdown(Shutdown how) {
  if (::shutdown(io_.fd(), static_cast<int>(how)) < 0) return Err(errno_code(errno));
  return {};
}

IoResult<void> TcpStream::set_nodelay(bool on) {
  int v = on ? 1 : 0;
  if (::setsockopt(io_.fd(), IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) < 0) {
    return Err(errno_code(errno));
  }
  return {};
}

IoResult<bool> TcpStream::nodelay() const {
  int v = 0;
  socklen_t len = sizeof v;
  if (::getsockopt(io_.fd(), IPPROTO_TCP, TCP_NODELAY, &v, &len) < 0) return Err(errno_code(errno));
  return v != 0;
}

IoResult<SocketAddr> TcpStream::peer_addr() const { return sock_name(io_.fd(), true); }
IoResult<SocketAddr> TcpStream::local_addr() const { return sock_name(io_.fd(), false); }

Poll<IoResult<void>> TcpStream::WriteAllFuture::poll(Context& cx) {
  while (!rest_.empty()) {
    Poll<IoResult<std::size_t>> r = s_->poll_write(cx, rest_);
    if (r.is_pending()) return pending;
    if (!r.value()) return IoResult<void>(Err(r.value().error()));
    if (*r.value() == 0) return IoResult<void>(Err(make_error_code(IoErrc::write_zero)));
    rest_.remove_prefix(*r.value());
  }
  return IoResult<void>();
}

Poll<IoResult<void>> TcpStream::ReadyFuture::poll(Context& cx) {
  auto coop = coop::poll_proceed(cx);
  if (!coop) return pending;
  Poll<IoResult<detail::ReadyEvent>> r = s_->io_.poll_ready(cx, dir_);
  if (r.is_pending()) return pending;
  coop->made_progress();
  if (!r.value()) return IoResult<void>(Err(r.value().error()));
  return IoResult<void>();
}

Poll<IoResult<TcpStream>> TcpStream::ConnectFuture::poll(Context& cx) {
  if (!addr_) return IoResult<TcpStream>(Err(std::make_error_code(std::errc::invalid_argument)));
  if (!started_) {
    started_ = true;
    int fd = ::socket(addr_->is_ipv6() ? AF_INET6 : AF_INET,
                      SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return IoResult<TcpStream>(Err(errno_code(errno)));
    int rc;
    do {
      rc = ::connect(fd, addr_->raw(), addr_->raw_len());
    } while (rc < 0 && errno == EINTR);
    if (rc < 0 && errno != EINPROGRESS) {
      int err = errno;
      ::close(fd);
      return IoResult<TcpStream>(Err(errno_code(err)));
    }
    auto io = detail::PollEvented::adopt(fd);
    if (!io) return IoResult<TcpStream>(Err(io.error()));
    io_ = std::move(*io);
  }
  // Connected (or failed) once the socket is writable; SO_ERROR tells which.
  for (;;) {
    Poll<IoResult<detail::ReadyEvent>> r = io_.poll_ready(cx, detail::Direction::kWrite);
    if (r.is_pending()) return pending;
    if (!r.value()) return IoResult<TcpStream>(Err(r.value().error()));
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(io_.fd(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err != 0) {
      io_.close();
      return IoResult<TcpStream>(Err(errno_code(err)));
    }
    // The optimistic "writable" of a fresh registration says nothing about a connect in
    // progress: getpeername fails with ENOTCONN until it completed.
    sockaddr_storage ss{};
    socklen_t sslen = sizeof ss;
    if (::getpeername(io_.fd(), reinterpret_cast<sockaddr*>(&ss), &sslen) == 0) break;
    if (errno != ENOTCONN) {
      int e = errno;
      io_.close();
      return IoResult<TcpStream>(Err(errno_code(e)));
    }
    io_.registration()->clear_readiness(*r.value());
  }
  return IoResult<TcpStream>(TcpStream(std::move(io_)));
}

}  // namespace sluice::net
