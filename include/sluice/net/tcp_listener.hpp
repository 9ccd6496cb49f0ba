/// @file
/// sluice::net::TcpListener: a listening TCP socket; accept() is a future.
///
/// bind() is a plain call (binding never waits): SO_REUSEADDR on, listen backlog 1024, the
/// socket registered with the runtime this thread runs in (std::logic_error outside one).
/// Errors are std::error_code values: an address in use is std::errc::address_in_use; accept
/// errors such as EMFILE (too many open files) are returned, and the listener stays usable.
///
/// Example (an echo server):
/// ```cpp
/// sluice::Task<void> serve() {
///   auto listener = sluice::net::TcpListener::bind("127.0.0.1:0");
///   if (!listener) co_return;
///   std::cout << "listening on " << listener->local_addr()->to_string() << "\n";
///   for (;;) {
///     auto accepted = co_await listener->accept();
///     if (!accepted) continue;                        // e.g. EMFILE: try again
///     sluice::spawn(echo(std::move(accepted->stream))).detach();
///   }
/// }
/// ```
#pragma once

#include <string_view>

#include <sluice/context.hpp>
#include <sluice/detail/poll_evented.hpp>
#include <sluice/net/io_error.hpp>
#include <sluice/net/socket_addr.hpp>
#include <sluice/net/tcp_stream.hpp>
#include <sluice/poll.hpp>

namespace sluice::net {

/// What accept() yields: the new connection and the peer's address.
struct Accepted {
  TcpStream stream;  ///< The accepted connection, registered with the runtime.
  SocketAddr peer;   ///< The address of the remote end.
};

/// A listening socket. Move-only; closes the socket when destroyed.
class TcpListener {
 public:
  class AcceptFuture;

  /// Binds and listens on `addr` (port 0: the kernel picks a free port; see local_addr()).
  ///
  /// Example:
  /// ```cpp
  /// auto l = sluice::net::TcpListener::bind(sluice::net::SocketAddr::v4_loopback(0));
  /// ```
  static IoResult<TcpListener> bind(const SocketAddr& addr);
  /// bind() after SocketAddr::parse(text); an unparsable text answers std::errc::invalid_argument.
  ///
  /// Example:
  /// ```cpp
  /// auto l = sluice::net::TcpListener::bind("0.0.0.0:6379");
  /// ```
  static IoResult<TcpListener> bind(std::string_view text);

  /// Adopts a listening socket (made non-blocking, registered). On error the fd is closed.
  ///
  /// Example:
  /// ```cpp
  /// auto l = sluice::net::TcpListener::from_fd(fd);
  /// ```
  static IoResult<TcpListener> from_fd(int fd);

  /// Takes over `o`'s socket; `o` must not be used afterwards.
  TcpListener(TcpListener&&) noexcept = default;
  /// Closes the socket held now, then takes over the other's.
  TcpListener& operator=(TcpListener&&) noexcept = default;

  /// Waits for the next connection. Output: IoResult<Accepted>. Cancel-safety: cancel-safe
  /// (a connection is only taken from the kernel when the future completes).
  ///
  /// Example:
  /// ```cpp
  /// auto a = co_await listener.accept();
  /// if (a) std::cout << "from " << a->peer.to_string() << "\n";
  /// ```
  AcceptFuture accept() noexcept;

  /// For hand-written futures: accept() as a poll function.
  Poll<IoResult<Accepted>> poll_accept(Context& cx);

  /// The bound address (with the real port when bound to port 0).
  ///
  /// Example:
  /// ```cpp
  /// auto port = listener.local_addr()->port();
  /// ```
  IoResult<SocketAddr> local_addr() const;

  /// The socket fd (still owned by the listener).
  int native_handle() const noexcept { return io_.fd(); }

 private:
  explicit TcpListener(detail::PollEvented io) noexcept : io_(std::move(io)) {}
  detail::PollEvented io_;
};

/// Future of TcpListener::accept. Output: IoResult<Accepted>. Cancel-safe.
class TcpListener::AcceptFuture {
 public:
  using Output = IoResult<Accepted>;  ///< The new connection, or the accept error.
  /// An accept on `l`, which must outlive this future (use TcpListener::accept()).
  explicit AcceptFuture(TcpListener& l) noexcept : l_(&l) {}
  /// Same as TcpListener::poll_accept().
  Poll<Output> poll(Context& cx) { return l_->poll_accept(cx); }

 private:
  TcpListener* l_;
};

inline TcpListener::AcceptFuture TcpListener::accept() noexcept { return AcceptFuture(*this); }

}  // namespace sluice::net
