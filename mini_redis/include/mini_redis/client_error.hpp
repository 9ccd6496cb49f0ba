/// @file
/// mini_redis::ClientError: why a client request failed. Shared by Client, Subscriber,
/// BufferedClient and BlockingClient. Errors are values (sluice::Result), never exceptions.
///
/// Three kinds:
/// - `io`: the socket failed (connect refused, reset, ...): io_error() is the std::error_code;
/// - `protocol`: the server sent something a client cannot use: bytes that are not RESP2, a
///   reply of the wrong type, or the connection closed while a reply was awaited;
/// - `server`: the server answered with an error reply (-ERR ..., -WRONGTYPE ...): message()
///   is the server's text, without the leading '-'.
///
/// Example:
/// ```cpp
/// auto v = co_await client.get("k");
/// if (!v && v.error().kind() == mini_redis::ClientError::Kind::server)
///   std::cerr << "redis said: " << v.error().message() << "\n";
/// ```
#pragma once

#include <string>
#include <system_error>
#include <utility>

#include <mini_redis/connection.hpp>

namespace mini_redis {

/// Why a client request failed: a socket error, an unusable reply, or an error reply (see
/// client_error.hpp).
///
/// Example:
/// ```cpp
/// mini_redis::ClientError e = mini_redis::ClientError::server("ERR unknown command");
/// assert(e.kind() == mini_redis::ClientError::Kind::server);
/// ```
class ClientError {
 public:
  /// Which of the three failures this is.
  enum class Kind {
    io,        ///< a socket error: io_error()
    protocol,  ///< an unusable reply, or the connection closed mid-request: message()
    server,    ///< an error reply from the server: message() is its text
  };

  /// A socket error. Example: `ClientError::io(std::make_error_code(std::errc::timed_out))`.
  static ClientError io(std::error_code ec) { return ClientError(Kind::io, ec, ec.message()); }
  /// A reply the client cannot use. Example: `ClientError::protocol("unexpected frame: :1")`.
  static ClientError protocol(std::string message) {
    return ClientError(Kind::protocol, {}, std::move(message));
  }
  /// An error reply. Example: `ClientError::server("ERR syntax error")`.
  static ClientError server(std::string message) {
    return ClientError(Kind::server, {}, std::move(message));
  }
  /// From a Connection failure: io stays io; protocol and reset become protocol.
  /// Example: `auto e = ClientError::from(frame_result.error());`
  static ClientError from(const ConnectionError& e) {
    if (e.kind() == ConnectionError::Kind::io) return io(e.io_error());
    return protocol(e.message());
  }

  /// io, protocol or server.
  Kind kind() const noexcept { return kind_; }
  /// For Kind::io; empty otherwise.
  std::error_code io_error() const noexcept { return io_; }
  /// Human-readable text: the socket error's message, the protocol problem, or the server's
  /// error reply.
  const std::string& message() const noexcept { return message_; }
  /// "io error: ...", "protocol error: ...", or the server's text as is.
  std::string to_string() const {
    switch (kind_) {
      case Kind::io:
        return "io error: " + message_;
      case Kind::protocol:
        return "protocol error: " + message_;
      case Kind::server:
        break;
    }
    return message_;
  }

 private:
  ClientError(Kind kind, std::error_code ec, std::string message)
      : kind_(kind), io_(ec), message_(std::move(message)) {}
  Kind kind_;
  std::error_code io_;
  std::string message_;
};

/// What every client call yields: a T or a ClientError.
template <class T>
using ClientResult = sluice::Result<T, ClientError>;

}  // namespace mini_redis
