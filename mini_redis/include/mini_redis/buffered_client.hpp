/// @file
/// mini_redis::BufferedClient: one connection shared by many tasks, the Tokio tutorial's
/// "Channels" pattern (a manager task owns the connection and is fed by an mpsc channel of
/// commands, each carrying a oneshot Sender for its reply), and pipelined.
///
/// The manager writes every command waiting in the channel (the first one, then as many more
/// as are already queued), flushes once, and remembers the reply Senders in FIFO order. While
/// replies are outstanding it waits for whichever comes first, the next reply
/// (Connection::read_frame, cancel-safe) or the next command (mpsc recv, cancel-safe), so many
/// requests from many tasks are in flight on the one connection at once. Redis answers in
/// order, so the n-th reply goes to the n-th Sender.
///
/// Handles are cheap to copy (each holds a clone of the mpsc Sender). When the last handle is
/// dropped, the manager answers what is in flight and exits, closing the connection. When the
/// connection fails (socket error, server gone), every request in flight and every later one
/// fails with that ClientError, none hangs.
///
/// Cancel safety (every request method): cancel-safe for the connection. A request dropped
/// before it entered the channel is never sent; one dropped after still executes on the server
/// and its reply is discarded, so the requests after it still get their own replies.
///
/// Example:
/// ```cpp
/// auto c = co_await mini_redis::BufferedClient::connect("127.0.0.1:6379");
/// if (!c) co_return;
/// mini_redis::BufferedClient copy = *c;                        // same connection
/// auto h = sluice::spawn([](mini_redis::BufferedClient c) -> sluice::Task<void> {
///   auto r = co_await c.set("a", "1");
/// }(copy));
/// auto v = co_await c->get("b");
/// ```
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <mini_redis/client.hpp>
#include <mini_redis/client_error.hpp>
#include <mini_redis/frame.hpp>

#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/task.hpp>

namespace mini_redis {

/// A copyable handle to a pipelining connection manager (see buffered_client.hpp).
///
/// Example:
/// ```cpp
/// auto c = mini_redis::BufferedClient::start(std::move(client));   // inside a runtime
/// auto r = co_await c.set("k", "v");
/// ```
class BufferedClient {
 public:
  /// Tuning knobs.
  /// Example: `BufferedClient::start(std::move(c), {.channel_capacity = 64})`.
  struct Options {
    /// Commands waiting for the manager; senders wait when it is full (backpressure).
    std::size_t channel_capacity = 1024;
    /// The most requests written but not yet answered; the manager stops taking commands
    /// while that many are outstanding.
    std::size_t max_in_flight = 4096;
  };

  /// Counters kept by the manager, readable from any thread.
  /// Example: `c.stats()->flushes.load()`.
  struct Stats {
    std::atomic<std::size_t> max_in_flight{0};  ///< most requests outstanding at once
    std::atomic<std::uint64_t> requests{0};     ///< commands written
    std::atomic<std::uint64_t> flushes{0};      ///< writes (one per batch)
    std::atomic<bool> manager_exited{false};    ///< the manager task has finished
  };

  /// Connects (Client::connect) and starts the manager on the current runtime. Errors: as
  /// Client::connect. Cancel safety: cancel-safe (no manager is started until it completes).
  ///
  /// Example:
  /// ```cpp
  /// auto c = co_await mini_redis::BufferedClient::connect("127.0.0.1:6379");
  /// ```
  static sluice::Task<ClientResult<BufferedClient>> connect(std::string addr, Options options);
  /// connect() with the default Options.
  static sluice::Task<ClientResult<BufferedClient>> connect(std::string addr);

  /// Starts a manager task that owns `client`'s connection (sluice::spawn: call it inside a
  /// runtime) and returns the first handle.
  ///
  /// Example:
  /// ```cpp
  /// mini_redis::BufferedClient c = mini_redis::BufferedClient::start(std::move(*client));
  /// ```
  static BufferedClient start(Client client, Options options);
  /// start() with the default Options.
  static BufferedClient start(Client client);

  /// Another handle to the same connection (clones the command channel's Sender).
  BufferedClient(const BufferedClient&) = default;
  /// Takes over `o`'s handle; `o` must not be used afterwards.
  BufferedClient(BufferedClient&&) noexcept = default;
  /// Drops this handle, then becomes a handle to `o`'s connection.
  BufferedClient& operator=(const BufferedClient&) = default;
  /// Drops this handle, then takes over `o`'s.
  BufferedClient& operator=(BufferedClient&&) noexcept = default;

  /// GET key; as Client::get. Cancel safety: see buffered_client.hpp.
  /// Example: `auto v = co_await c.get("k");`
  sluice::Task<ClientResult<std::optional<std::string>>> get(std::string key);
  /// SET key value; as Client::set. Cancel safety: see buffered_client.hpp.
  /// Example: `auto r = co_await c.set("k", "v");`
  sluice::Task<ClientResult<void>> set(std::string key, std::string value);
  /// SET key value PX ms; as Client::set_expires. Cancel safety: see buffered_client.hpp.
  /// Example: `auto r = co_await c.set_expires("k", "v", std::chrono::seconds(1));`
  sluice::Task<ClientResult<void>> set_expires(std::string key, std::string value,
                                               std::chrono::milliseconds expires);
  /// PUBLISH channel message; as Client::publish. Cancel safety: see buffered_client.hpp.
  /// Example: `auto n = co_await c.publish("news", "hi");`
  sluice::Task<ClientResult<std::int64_t>> publish(std::string channel, std::string message);
  /// PING [message]; as Client::ping. Cancel safety: see buffered_client.hpp.
  /// Example: `auto p = co_await c.ping();`
  sluice::Task<ClientResult<std::string>> ping(std::optional<std::string> message = std::nullopt);
  /// Any command that gets exactly one reply (not SUBSCRIBE); as Client::execute.
  /// Cancel safety: see buffered_client.hpp.
  /// Example: `auto r = co_await c.execute(Frame::array({Frame::bulk("dbsize")}));`
  sluice::Task<ClientResult<Frame>> execute(Frame command);

  /// The most requests the manager has had outstanding at once (> 1 means it pipelined).
  /// Example: `EXPECT_GT(c.max_in_flight(), 1u);`
  std::size_t max_in_flight() const noexcept;
  /// The manager's counters; the pointer stays valid after every handle is gone.
  /// Example: `auto s = c.stats();` then, once every handle is dropped and the manager has
  /// answered what was in flight, `s->manager_exited.load()` is true.
  std::shared_ptr<const Stats> stats() const noexcept;

  /// One queued command and where its reply goes (an implementation detail of the manager).
  struct Request {
    Frame command;                                       ///< The command to write.
    sluice::oneshot::Sender<ClientResult<Frame>> reply;  ///< Receives its reply or error.
  };
  /// State shared by the handles and the manager (implementation detail).
  struct Shared;

 private:
  BufferedClient(sluice::mpsc::Sender<Request> tx, std::shared_ptr<Shared> shared)
      : tx_(std::move(tx)), shared_(std::move(shared)) {}

  sluice::mpsc::Sender<Request> tx_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace mini_redis
