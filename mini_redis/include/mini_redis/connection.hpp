/// @file
/// mini_redis::Connection: RESP2 frames over a TcpStream, buffered both ways (connection.rs).
///
/// Reading: bytes from the socket accumulate in a read buffer; read_frame() returns the next whole
/// frame, reading more only when the buffer holds none. try_read_buffered() returns a frame only
/// if one is already buffered, which lets a server answer a pipelined batch (redis-benchmark -P)
/// with one write. Writing: queue_frame() encodes into a write buffer; flush() writes it out;
/// write_frame() is both.
///
/// Errors: the peer closing between two frames is not an error (read_frame yields an empty
/// optional); closing in the middle of a frame is ConnectionError::Kind::reset; bytes that are
/// not RESP2 are Kind::protocol (reply with message() and close: the stream cannot be
/// resynchronised); socket errors are Kind::io with the std::error_code.
///
/// Example (a server's loop, simplified):
/// ```cpp
/// mini_redis::Connection conn(std::move(stream));
/// for (;;) {
///   auto frame = co_await conn.read_frame();
///   if (!frame || !*frame) break;                       // error, or the client is gone
///   conn.queue_frame(mini_redis::Frame::simple("PONG"));
///   auto flushed = co_await conn.flush();
///   if (!flushed) break;
/// }
/// ```
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <system_error>

#include <mini_redis/frame.hpp>
#include <mini_redis/frame_parser.hpp>

#include <sluice/net/tcp_stream.hpp>
#include <sluice/result.hpp>
#include <sluice/task.hpp>

namespace mini_redis {

/// Why a Connection could not produce a frame.
///
/// Example:
/// ```cpp
/// auto f = co_await conn.read_frame();
/// if (!f && f.error().kind() == mini_redis::ConnectionError::Kind::protocol)
///   co_await conn.write_frame(mini_redis::Frame::error(f.error().message()));
/// ```
class ConnectionError {
 public:
  /// Which failure this is.
  enum class Kind {
    io,        ///< the socket failed: io_error() says how
    protocol,  ///< the peer sent bytes that are not RESP2: frame_error() says which
    reset,     ///< the peer closed the connection in the middle of a frame
  };

  /// A socket error.
  static ConnectionError io(std::error_code ec) {
    return ConnectionError(Kind::io, ec, FrameError::incomplete());
  }
  /// A RESP2 protocol error.
  static ConnectionError protocol(FrameError e) { return ConnectionError(Kind::protocol, {}, e); }
  /// The stream ended inside a frame.
  static ConnectionError reset() {
    return ConnectionError(Kind::reset, {}, FrameError::incomplete());
  }

  /// io, protocol or reset.
  Kind kind() const noexcept { return kind_; }
  /// For Kind::io.
  std::error_code io_error() const noexcept { return io_; }
  /// For Kind::protocol.
  const FrameError& frame_error() const noexcept { return frame_; }
  /// "protocol error; invalid bulk length", "connection reset by peer", or the socket error.
  std::string message() const;

 private:
  ConnectionError(Kind kind, std::error_code io, FrameError frame)
      : kind_(kind), io_(io), frame_(frame) {}
  Kind kind_;
  std::error_code io_;
  FrameError frame_ = FrameError::incomplete();
};

/// What read_frame and try_read_buffered yield: a frame, nothing (end of stream / nothing
/// buffered), or an error.
using FrameResult = sluice::Result<std::optional<Frame>, ConnectionError>;

/// A TcpStream with a read buffer, a RESP2 parser and a write buffer. Move-only. One task reads
/// and writes it at a time (a Subscriber or a server connection loop).
class Connection {
 public:
  /// Takes the stream. `options`: a server accepts inline commands (the default); a client
  /// should turn them off (a reply never is one).
  ///
  /// Example:
  /// ```cpp
  /// mini_redis::Connection conn(std::move(stream));
  /// ```
  explicit Connection(sluice::net::TcpStream stream, ParserOptions options = {});

  /// Takes over `o`'s socket and buffers; `o` must not be used afterwards.
  Connection(Connection&&) noexcept = default;
  /// Closes the socket held now, then takes over `o`'s socket and buffers.
  Connection& operator=(Connection&&) noexcept = default;

  /// The next frame: reads from the socket until one is complete. Empty optional: the peer
  /// closed the connection cleanly (between frames). Cancel-safety: cancel-safe; bytes read
  /// before the cancel stay buffered for the next call.
  ///
  /// Example:
  /// ```cpp
  /// FrameResult f = co_await conn.read_frame();
  /// ```
  sluice::Task<FrameResult> read_frame();

  /// The next frame if it is already buffered; never touches the socket. Empty optional: none
  /// buffered (yet).
  ///
  /// Example:
  /// ```cpp
  /// while (true) { auto more = conn.try_read_buffered(); if (!more || !*more) break; ... }
  /// ```
  FrameResult try_read_buffered();

  /// Encodes `frame` into the write buffer (no I/O).
  ///
  /// Example:
  /// ```cpp
  /// conn.queue_frame(mini_redis::Frame::simple("OK"));
  /// ```
  void queue_frame(const Frame& frame) { write_frame(out_, frame); }

  /// Writes the whole write buffer. Cancel-safety: not cancel-safe in the sense that a prefix
  /// may already be on the wire when it is cancelled; what was not written stays queued (and
  /// is never sent twice), so a later flush() completes the stream of frames.
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await conn.flush();
  /// ```
  sluice::Task<sluice::net::IoResult<void>> flush();

  /// queue_frame + flush.
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await conn.write_frame(mini_redis::Frame::simple("PONG"));
  /// ```
  sluice::Task<sluice::net::IoResult<void>> write_frame(const Frame& frame);

  /// Bytes waiting in the write buffer.
  std::size_t queued_bytes() const noexcept { return out_.size(); }

  /// The socket (e.g. for peer_addr or shutdown).
  sluice::net::TcpStream& stream() noexcept { return stream_; }

 private:
  static void write_frame(std::string& out, const Frame& frame) {
    mini_redis::write_frame(out, frame);
  }

  sluice::net::TcpStream stream_;
  FrameParser parser_;
  std::string in_;  // read buffer; bytes before in_start_ were consumed
  std::size_t in_start_ = 0;
  std::string out_;  // write buffer
};

}  // namespace mini_redis
