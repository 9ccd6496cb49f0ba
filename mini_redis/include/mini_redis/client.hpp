/// @file
/// mini_redis::Client: one connection to a Redis (or mini-redis) server, one request at a time
/// (mini-redis's client.rs). Each method writes one command, flushes, and reads its reply.
///
/// A Client is move-only and used by one task at a time: methods take it by reference and need
/// it to stay alive (and unshared) until the returned future completes. To share one connection
/// between many tasks, use BufferedClient (buffered_client.hpp); from plain threads, use
/// BlockingClient (blocking_client.hpp).
///
/// Cancel safety (every request method): not cancel-safe. Dropping the future after the command
/// was written leaves its reply unread on the connection, so the next request would read it;
/// drop the Client after cancelling a request.
///
/// Example:
/// ```cpp
/// auto c = co_await mini_redis::Client::connect("127.0.0.1:6379");
/// if (!c) { std::cerr << c.error().to_string() << "\n"; co_return; }
/// auto ok = co_await c->set("hello", "world");
/// auto v = co_await c->get("hello");             // ClientResult<std::optional<std::string>>
/// if (v && *v) std::cout << **v << "\n";         // world
/// ```
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <mini_redis/client_error.hpp>
#include <mini_redis/command.hpp>
#include <mini_redis/connection.hpp>
#include <mini_redis/frame.hpp>

#include <sluice/net/socket_addr.hpp>
#include <sluice/task.hpp>

namespace mini_redis {

class Subscriber;

/// A connection to a server (see client.hpp).
///
/// Example:
/// ```cpp
/// auto c = co_await mini_redis::Client::connect(sluice::net::SocketAddr::v4_loopback(6379));
/// auto pong = co_await c->ping();                // "PONG"
/// ```
class Client {
 public:
  /// Connects to `addr`. Errors: io (connection refused, ...).
  /// Cancel safety: cancel-safe (nothing is connected yet, or the half-made socket is closed).
  ///
  /// Example:
  /// ```cpp
  /// auto addr = *sluice::net::SocketAddr::parse("[::1]:6379");
  /// auto c = co_await mini_redis::Client::connect(addr);
  /// ```
  static sluice::Task<ClientResult<Client>> connect(sluice::net::SocketAddr addr);

  /// Connects to "host:port". A numeric host is used as is; a name ("localhost") is resolved
  /// with getaddrinfo, which blocks the calling thread while it runs. Errors: io
  /// (std::errc::invalid_argument for text that is not host:port, std::errc::host_unreachable
  /// when the name does not resolve, or the connect error). Cancel safety: as
  /// connect(SocketAddr).
  ///
  /// Example:
  /// ```cpp
  /// auto c = co_await mini_redis::Client::connect("localhost:6379");
  /// ```
  static sluice::Task<ClientResult<Client>> connect(std::string addr);

  /// Wraps an already connected Connection (its parser should not accept inline commands).
  ///
  /// Example:
  /// ```cpp
  /// mini_redis::Client c(mini_redis::Connection(std::move(stream), {.inline_commands = false}));
  /// ```
  explicit Client(Connection conn) : conn_(std::move(conn)) {}
  /// Takes over `o`'s connection; `o` must not be used afterwards.
  Client(Client&&) noexcept = default;
  /// Closes the connection held now, then takes over `o`'s.
  Client& operator=(Client&&) noexcept = default;

  /// PING [message]: "PONG" without a message, else the message echoed back.
  ///
  /// Example:
  /// ```cpp
  /// auto pong = co_await c.ping();                 // "PONG"
  /// auto hi = co_await c.ping("hi");               // "hi"
  /// ```
  sluice::Task<ClientResult<std::string>> ping(std::optional<std::string> message = std::nullopt);

  /// GET key: the value, or an empty optional when the key does not exist. Errors: server
  /// (e.g. WRONGTYPE when the key holds a list), protocol, io.
  ///
  /// Example:
  /// ```cpp
  /// auto v = co_await c.get("k");
  /// if (v && !*v) std::puts("(nil)");
  /// ```
  sluice::Task<ClientResult<std::optional<std::string>>> get(std::string key);

  /// SET key value (no expiry).
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await c.set("k", "v");
  /// ```
  sluice::Task<ClientResult<void>> set(std::string key, std::string value);

  /// SET key value PX ms: the key disappears after `expires`.
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await c.set_expires("k", "v", std::chrono::milliseconds(300));
  /// ```
  sluice::Task<ClientResult<void>> set_expires(std::string key, std::string value,
                                               std::chrono::milliseconds expires);

  /// PUBLISH channel message: the number of subscribers that received it.
  ///
  /// Example:
  /// ```cpp
  /// auto n = co_await c.publish("news", "hello");  // 2 with two subscribers
  /// ```
  sluice::Task<ClientResult<std::int64_t>> publish(std::string channel, std::string message);

  /// Sends any command frame (an array of bulk strings) and returns the reply frame; an error
  /// reply is ClientError::Kind::server. For commands this class has no method for.
  ///
  /// Example:
  /// ```cpp
  /// auto n = co_await c.execute(mini_redis::Frame::array(
  ///     {mini_redis::Frame::bulk("lpush"), mini_redis::Frame::bulk("l"),
  ///      mini_redis::Frame::bulk("x")}));          // Frame::integer(1)
  /// ```
  sluice::Task<ClientResult<Frame>> execute(Frame command);

  /// Sends a Command (Get, Set, Publish, ...; see command.hpp) and returns the reply frame: the
  /// same as `execute(command.to_frame())`. Lets a program pass commands around as values, as
  /// the tutorial's manager task does.
  ///
  /// Cancel safety: not cancel-safe, like every request method (see the file comment).
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await c.execute(mini_redis::Set{"k", "v"});   // Frame::simple("OK")
  /// ```
  sluice::Task<ClientResult<Frame>> execute(const Command& command) {
    return execute(command.to_frame());
  }

  /// SUBSCRIBE channels...: turns the client into a Subscriber (it can then only receive
  /// messages and change its subscriptions). Takes the client by value, as mini-redis's
  /// `subscribe(self, ...)` consumes it. Errors: protocol when a confirmation does not match.
  ///
  /// Example:
  /// ```cpp
  /// auto sub = co_await mini_redis::Client::subscribe(std::move(c), {"news"});
  /// ```
  static sluice::Task<ClientResult<Subscriber>> subscribe(Client client,
                                                          std::vector<std::string> channels);

  /// The underlying connection (for tests and for building other clients).
  Connection& connection() noexcept { return conn_; }

 private:
  friend class Subscriber;
  /// Reads one reply: error replies become ClientError::server; end of stream is protocol.
  sluice::Task<ClientResult<Frame>> read_response();

  Connection conn_;
};

}  // namespace mini_redis
