/// @file
/// sluice::net::TcpStream: a TCP connection driven by the runtime's epoll driver.
///
/// Every operation is a future (or a plain call that never blocks): read, read_buf, write,
/// write_all, readable, writable; connect is a future too. Errors are std::error_code values
/// (io_error.hpp), never exceptions; the only throw is creating a socket outside a runtime
/// (std::logic_error, as sleep()). Sockets are non-blocking, close-on-exec; writes never raise
/// SIGPIPE (a closed peer gives std::errc::broken_pipe).
///
/// One task may read while another writes (each direction has its own waker). Two tasks reading
/// (or two writing) the same stream at once is not supported: the later waker replaces the first.
/// The futures borrow the stream (and the buffer): keep both alive until the future is done.
///
/// Example (an echo client):
/// ```cpp
/// sluice::Task<void> echo(sluice::net::SocketAddr addr) {
///   auto conn = co_await sluice::net::TcpStream::connect(addr);
///   if (!conn) { std::cerr << conn.error().message() << "\n"; co_return; }
///   auto w = co_await conn->write_all("hello\n");
///   char buf[64];
///   auto n = co_await conn->read(buf);           // IoResult<size_t>; 0 = the peer closed
///   if (w && n) std::cout << std::string_view(buf, *n);
/// }
/// ```
#pragma once

#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include <sluice/context.hpp>
#include <sluice/detail/poll_evented.hpp>
#include <sluice/net/io_error.hpp>
#include <sluice/net/socket_addr.hpp>
#include <sluice/poll.hpp>

namespace sluice::net {

/// Which half of a connection shutdown() closes.
enum class Shutdown {
  read = SHUT_RD,   ///< No more reads: later reads return 0.
  write = SHUT_WR,  ///< No more writes: sends FIN, the peer reads end of stream.
  both = SHUT_RDWR  ///< Both halves.
};

/// A contiguous growable byte container read_buf can append to (std::string,
/// std::vector<char>, std::vector<unsigned char>, std::vector<std::byte>).
template <class B>
concept GrowableByteBuffer = requires(B& b, std::size_t n) {
  { b.data() } -> std::convertible_to<const void*>;
  { b.size() } -> std::convertible_to<std::size_t>;
  { b.capacity() } -> std::convertible_to<std::size_t>;
  b.resize(n);
  b.reserve(n);
}
&&sizeof(typename B::value_type) == 1;

/// A TCP connection. Move-only; closes the socket when destroyed (see tcp_stream.hpp). Reads
/// and writes are futures that borrow the stream: keep it alive (and in place) until they
/// complete.
class TcpStream {
 public:
  class ConnectFuture;
  class ReadFuture;
  template <GrowableByteBuffer B>
  class ReadBufFuture;
  class WriteFuture;
  class WriteAllFuture;
  class ReadyFuture;

  /// Opens a connection to `addr`. Output: IoResult<TcpStream>.
  /// Cancel-safety: cancelling closes the half-open socket; nothing else happened.
  ///
  /// Example:
  /// ```cpp
  /// auto s = co_await sluice::net::TcpStream::connect(*sluice::net::SocketAddr::parse(
  ///     "127.0.0.1:6379"));
  /// ```
  static ConnectFuture connect(const SocketAddr& addr);

  /// connect() after SocketAddr::parse(text); an unparsable text answers
  /// std::errc::invalid_argument.
  ///
  /// Example:
  /// ```cpp
  /// auto s = co_await sluice::net::TcpStream::connect("127.0.0.1:6379");
  /// ```
  static ConnectFuture connect(std::string_view text);

  /// Adopts a connected socket (it is made non-blocking and registered with this thread's
  /// runtime). On error the fd is closed.
  ///
  /// Example:
  /// ```cpp
  /// auto s = sluice::net::TcpStream::from_fd(fd);
  /// ```
  static IoResult<TcpStream> from_fd(int fd);

  /// Takes over `o`'s socket; `o` must not be used afterwards.
  TcpStream(TcpStream&&) noexcept = default;
  /// Closes the socket held now, then takes over the other's.
  TcpStream& operator=(TcpStream&&) noexcept = default;

  /// Reads at most buf.size() bytes. Output: IoResult<size_t>, 0 when the peer closed its
  /// write half (or buf is empty). Cancel-safety: cancel-safe (no byte is consumed unless the
  /// future completes).
  ///
  /// Example:
  /// ```cpp
  /// char buf[4096];
  /// auto n = co_await stream.read(buf);
  /// ```
  ReadFuture read(std::span<char> buf) noexcept;
  /// read() into raw memory.
  ReadFuture read(void* data, std::size_t len) noexcept;

  /// Appends what one read returns to `buf`, growing it (at least 4 KiB of room, at most 64 KiB
  /// per call). Output: IoResult<size_t>, 0 at end of stream. Cancel-safety:
  /// cancel-safe (buf keeps its size when cancelled).
  ///
  /// Example:
  /// ```cpp
  /// std::string in;
  /// while (true) { auto n = co_await stream.read_buf(in); if (!n || *n == 0) break; }
  /// ```
  template <GrowableByteBuffer B>
  ReadBufFuture<B> read_buf(B& buf) noexcept;

  /// Writes some prefix of `data` (at least one byte unless data is empty). Output:
  /// IoResult<size_t>. Cancel-safety: cancel-safe (nothing is written unless it completes).
  ///
  /// Example:
  /// ```cpp
  /// auto n = co_await stream.write("PING\r\n");
  /// ```
  WriteFuture write(std::string_view data) noexcept;

  /// Writes all of `data`. Output: IoResult<void>. Cancel-safety: NOT cancel-safe: a cancelled
  /// write_all may have written a prefix (use write() to know how much).
  ///
  /// Example:
  /// ```cpp
  /// if (auto r = co_await stream.write_all(reply); !r) co_return;
  /// ```
  WriteAllFuture write_all(std::string_view data) noexcept;

  /// Completes when the socket is readable (or closed / in error). Output: IoResult<void>.
  /// Cancel-safety: cancel-safe.
  ///
  /// Example:
  /// ```cpp
  /// co_await stream.readable();  auto n = stream.try_read(buf);
  /// ```
  ReadyFuture readable() noexcept;
  /// Completes when the socket is writable (or closed / in error). Cancel-safe.
  ///
  /// Example:
  /// ```cpp
  /// co_await stream.writable();  auto n = stream.try_write("x");
  /// ```
  ReadyFuture writable() noexcept;

  /// One non-blocking read: std::errc::operation_would_block when nothing is there.
  ///
  /// Example:
  /// ```cpp
  /// auto n = stream.try_read(buf);
  /// ```
  IoResult<std::size_t> try_read(std::span<char> buf);
  /// One non-blocking write: std::errc::operation_would_block when the buffer is full.
  ///
  /// Example:
  /// ```cpp
  /// auto n = stream.try_write("x");
  /// ```
  IoResult<std::size_t> try_write(std::string_view data);

  /// For hand-written futures: read() as a poll function.
  Poll<IoResult<std::size_t>> poll_read(Context& cx, std::span<char> buf);
  /// For hand-written futures: write() as a poll function.
  Poll<IoResult<std::size_t>> poll_write(Context& cx, std::string_view data);

  /// Shuts down one or both halves (Shutdown::write sends FIN: the peer reads 0). A plain call:
  /// it never waits.
  ///
  /// Example:
  /// ```cpp
  /// (void)stream.shutdown(sluice::net::Shutdown::write);
  /// ```
  IoResult<void> shutdown(Shutdown how = Shutdown::write);

  /// TCP_NODELAY on or off (off: Nagle's algorithm batches small writes).
  ///
  /// Example:
  /// ```cpp
  /// (void)stream.set_nodelay(true);
  /// ```
  IoResult<void> set_nodelay(bool on);
  /// Whether TCP_NODELAY is on.
  IoResult<bool> nodelay() const;

  /// The remote address.
  ///
  /// Example:
  /// ```cpp
  /// std::cout << stream.peer_addr()->to_string();
  /// ```
  IoResult<SocketAddr> peer_addr() const;
  /// The local address.
  IoResult<SocketAddr> local_addr() const;

  /// The socket fd (still owned by the stream).
  int native_handle() const noexcept { return io_.fd(); }

 private:
  explicit TcpStream(detail::PollEvented io) noexcept : io_(std::move(io)) {}
  friend class TcpListener;

  detail::PollEvented io_;
};

/// Future of TcpStream::read. Output: IoResult<size_t>. Cancel-safe.
class TcpStream::ReadFuture {
 public:
  using Output = IoResult<std::size_t>;  ///< Bytes read (0: end of stream), or the error.
  /// A read from `s` into `buf`; both must outlive the future (use TcpStream::read()).
  ReadFuture(TcpStream& s, std::span<char> buf) noexcept : s_(&s), buf_(buf) {}
  /// Same as TcpStream::poll_read().
  Poll<Output> poll(Context& cx) { return s_->poll_read(cx, buf_); }

 private:
  TcpStream* s_;
  std::span<char> buf_;
};

/// Future of TcpStream::read_buf. Output: IoResult<size_t>. Cancel-safe.
template <GrowableByteBuffer B>
class TcpStream::ReadBufFuture {
 public:
  using Output = IoResult<std::size_t>;  ///< Bytes appended (0: end of stream), or the error.
  /// A read from `s` appending to `buf`; both must outlive the future (use
  /// TcpStream::read_buf()).
  ReadBufFuture(TcpStream& s, B& buf) noexcept : s_(&s), buf_(&buf) {}
  /// Grows `buf` to make room, polls one read into the new room, then shrinks `buf` back to
  /// its old size plus the bytes read (so `buf` keeps its size while pending).
  Poll<Output> poll(Context& cx) {
    constexpr std::size_t kMinRoom = 4096;
    // resize() zero-fills (C++20 has no resize-without-init): cap what one read may fill.
    constexpr std::size_t kMaxRoom = 64 * 1024;
    const std::size_t old = buf_->size();
    std::size_t room = buf_->capacity() - old;
    if (room < kMinRoom) {
      buf_->reserve(old + std::max(kMinRoom, old));  // at least doubles: amortised O(1)
      room = buf_->capacity() - old;
    }
    room = std::min(room, kMaxRoom);
    buf_->resize(old + room);
    auto* base = reinterpret_cast<char*>(const_cast<void*>(static_cast<const void*>(buf_->data())));
    Poll<Output> r = s_->poll_read(cx, std::span<char>(base + old, room));
    buf_->resize(old + (r.is_ready() && r.value() ? *r.value() : 0));
    return r;
  }

 private:
  TcpStream* s_;
  B* buf_;
};

/// Future of TcpStream::write. Output: IoResult<size_t>. Cancel-safe.
class TcpStream::WriteFuture {
 public:
  using Output = IoResult<std::size_t>;  ///< Bytes written, or the error.
  /// A write of `data` to `s`; both must outlive the future (use TcpStream::write()).
  WriteFuture(TcpStream& s, std::string_view data) noexcept : s_(&s), data_(data) {}
  /// Same as TcpStream::poll_write().
  Poll<Output> poll(Context& cx) { return s_->poll_write(cx, data_); }

 private:
  TcpStream* s_;
  std::string_view data_;
};

/// Future of TcpStream::write_all. Output: IoResult<void>. Not cancel-safe (see write_all).
class TcpStream::WriteAllFuture {
 public:
  using Output = IoResult<void>;  ///< Success once every byte is written, or the error.
  /// A write of all of `data` to `s`; both must outlive the future (use
  /// TcpStream::write_all()).
  WriteAllFuture(TcpStream& s, std::string_view data) noexcept : s_(&s), rest_(data) {}
  /// Writes until nothing is left or the socket would block. Errors: the socket's error, or
  /// IoErrc::write_zero when the kernel accepted zero bytes.
  Poll<Output> poll(Context& cx);

 private:
  TcpStream* s_;
  std::string_view rest_;
};

/// Future of TcpStream::readable / writable. Output: IoResult<void>. Cancel-safe.
class TcpStream::ReadyFuture {
 public:
  using Output = IoResult<void>;  ///< Success when ready, or the socket's error.
  /// Waits on `s` for direction `dir` (an implementation type: use TcpStream::readable() or
  /// writable()).
  ReadyFuture(TcpStream& s, detail::Direction dir) noexcept : s_(&s), dir_(dir) {}
  /// Ready once the driver reported the socket readable / writable (or closed, or in error).
  /// Spends one unit of coop budget when ready.
  Poll<Output> poll(Context& cx);

 private:
  TcpStream* s_;
  detail::Direction dir_;
};

/// Future of TcpStream::connect. Output: IoResult<TcpStream>. Cancelling closes the socket.
class TcpStream::ConnectFuture {
 public:
  using Output = IoResult<TcpStream>;  ///< The connected stream, or the error.
  /// A connection to `addr`; nullopt stands for an address that did not parse (use
  /// TcpStream::connect()).
  explicit ConnectFuture(std::optional<SocketAddr> addr) noexcept : addr_(addr) {}
  /// The first poll creates the socket and starts a non-blocking connect; later polls wait
  /// until it is writable and read SO_ERROR. Errors: std::errc::invalid_argument for an
  /// unparsable address, or the errno of socket() / connect() (e.g. connection_refused).
  Poll<Output> poll(Context& cx);

 private:
  std::optional<SocketAddr> addr_;  // nullopt: the text did not parse
  detail::PollEvented io_;          // open once connect() was issued
  bool started_ = false;
};

inline TcpStream::ReadFuture TcpStream::read(std::span<char> buf) noexcept { return {*this, buf}; }
inline TcpStream::ReadFuture TcpStream::read(void* data, std::size_t len) noexcept {
  return {*this, std::span<char>(static_cast<char*>(data), len)};
}
template <GrowableByteBuffer B>
TcpStream::ReadBufFuture<B> TcpStream::read_buf(B& buf) noexcept {
  return {*this, buf};
}
inline TcpStream::WriteFuture TcpStream::write(std::string_view data) noexcept {
  return {*this, data};
}
inline TcpStream::WriteAllFuture TcpStream::write_all(std::string_view data) noexcept {
  return {*this, data};
}
inline TcpStream::ReadyFuture TcpStream::readable() noexcept {
  return {*this, detail::Direction::kRead};
}
inline TcpStream::ReadyFuture TcpStream::writable() noexcept {
  return {*this, detail::Direction::kWrite};
}

}  // namespace sluice::net
