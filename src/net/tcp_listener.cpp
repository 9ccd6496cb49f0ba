// TcpListener: see include/sluice/net/tcp_listener.hpp.
#include <sys/socket.h>
#include <unistd.h>

#include <sluice/net/tcp_listener.hpp>

namespace sluice::net {

namespace {
constexpr int kBacklog = 1024;
}  // namespace

IoResult<TcpListener> TcpListener::bind(const SocketAddr& addr) {
  int fd =
      ::socket(addr.is_ipv6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Err(errno_code(errno));
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      ::bind(fd, addr.raw(), addr.raw_len()) < 0 || ::listen(fd, kBacklog) < 0) {
    int err = errno;
    ::close(fd);
    return Err(errno_code(err));
  }
  return from_fd(fd);
}

IoResult<TcpListener> TcpListener::bind(std::string_view text) {
  auto addr = SocketAddr::parse(text);
  if (!addr) return Err(std::make_error_code(std::errc::invalid_argument));
  return bind(*addr);
}

IoResult<TcpListener> TcpListener::from_fd(int fd) {
  auto io = detail::PollEvented::adopt(fd);
  if (!io) return Err(io.error());
  return TcpListener(std::move(*io));
}

Poll<IoResult<Accepted>> TcpListener::poll_accept(Context& cx) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  const int lfd = io_.fd();
  int conn = -1;
  Poll<IoResult<std::size_t>> r = io_.poll_io(cx, detail::Direction::kRead, [&] {
    len = sizeof ss;
    conn = ::accept4(lfd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    return conn;
  });
  if (r.is_pending()) return pending;
  if (!r.value()) return IoResult<Accepted>(Err(r.value().error()));
  auto peer = SocketAddr::from_raw(reinterpret_cast<sockaddr*>(&ss), len);
  auto stream = TcpStream::from_fd(conn);
  if (!stream) return IoResult<Accepted>(Err(stream.error()));
  return IoResult<Accepted>(Accepted{std::move(*stream), peer.value_or(SocketAddr())});
}

IoResult<SocketAddr> TcpListener::local_addr() const {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(io_.fd(), reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    return Err(errno_code(errno));
  }
  auto addr = SocketAddr::from_raw(reinterpret_cast<sockaddr*>(&ss), len);
  if (!addr) return Err(std::make_error_code(std::errc::address_family_not_supported));
  return *addr;
}

}  // namespace sluice::net
