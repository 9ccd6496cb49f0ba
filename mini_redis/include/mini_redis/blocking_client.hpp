/// @file
/// mini_redis::BlockingClient and BlockingSubscriber: Client and Subscriber for plain threads
/// (mini-redis's blocking_client.rs). Each owns a current-thread sluice runtime and runs every
/// call to completion on the calling thread with Runtime::block_on.
///
/// Do not call them from inside a runtime (a task, or block_on): block_on throws
/// std::logic_error there. Each object is used by one thread at a time; give each thread its
/// own BlockingClient, or share a BufferedClient inside one runtime instead.
///
/// Example:
/// ```cpp
/// auto c = mini_redis::BlockingClient::connect("127.0.0.1:6379");
/// if (!c) { std::cerr << c.error().to_string() << "\n"; return 1; }
/// auto ok = c->set("hello", "world");
/// auto v = c->get("hello");                       // ClientResult<std::optional<std::string>>
/// ```
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <mini_redis/client.hpp>
#include <mini_redis/client_error.hpp>
#include <mini_redis/subscriber.hpp>

#include <sluice/runtime.hpp>

namespace mini_redis {

class BlockingSubscriber;

/// Client, blocking: each call runs on the calling plain thread (see blocking_client.hpp).
/// Move-only.
///
/// Example:
/// ```cpp
/// auto c = mini_redis::BlockingClient::connect("127.0.0.1:6379");
/// auto pong = c->ping();                          // "PONG"
/// ```
class BlockingClient {
 public:
  /// Connects to "host:port" (Client::connect). Errors: io.
  /// Example: `auto c = mini_redis::BlockingClient::connect("127.0.0.1:6379");`
  static ClientResult<BlockingClient> connect(std::string addr);
  /// Connects to `addr`. Errors: io.
  /// Example: `auto c = BlockingClient::connect(sluice::net::SocketAddr::v4_loopback(6379));`
  static ClientResult<BlockingClient> connect(sluice::net::SocketAddr addr);

  /// Takes over `o`'s runtime and connection; `o` must not be used afterwards.
  BlockingClient(BlockingClient&&) noexcept = default;
  BlockingClient& operator=(BlockingClient&&) = delete;  // would drop the runtime first
  /// Closes the connection, then shuts its runtime down.
  ~BlockingClient();

  /// Client::ping. Example: `auto p = c.ping("hi");   // "hi"`
  ClientResult<std::string> ping(std::optional<std::string> message = std::nullopt);
  /// Client::get. Example: `auto v = c.get("k");   // empty optional when missing`
  ClientResult<std::optional<std::string>> get(std::string key);
  /// Client::set. Example: `auto r = c.set("k", "v");`
  ClientResult<void> set(std::string key, std::string value);
  /// Client::set_expires. Example: `auto r = c.set_expires("k", "v", 300ms);`
  ClientResult<void> set_expires(std::string key, std::string value,
                                 std::chrono::milliseconds expires);
  /// Client::publish. Example: `auto n = c.publish("news", "hi");   // subscribers reached`
  ClientResult<std::int64_t> publish(std::string channel, std::string message);
  /// Client::execute. Example: `auto r = c.execute(Frame::array({Frame::bulk("dbsize")}));`
  ClientResult<Frame> execute(Frame command);
  /// Client::subscribe: consumes this client (it is left empty; do not use it afterwards).
  /// Example: `auto sub = std::move(c).subscribe({"news"});`
  ClientResult<BlockingSubscriber> subscribe(std::vector<std::string> channels) &&;

 private:
  BlockingClient(std::unique_ptr<sluice::Runtime> rt, Client client);
  std::unique_ptr<sluice::Runtime> rt_;
  std::optional<Client> client_;  // destroyed before rt_ (the socket needs the runtime)
};

/// Subscriber, blocking: each call runs on the calling plain thread (see
/// blocking_client.hpp). Move-only.
///
/// Example:
/// ```cpp
/// auto sub = std::move(*c).subscribe({"news"});
/// while (auto m = sub->next_message()) {
///   if (!*m) break;                               // the server closed the connection
///   std::cout << (*m)->content << "\n";
/// }
/// ```
class BlockingSubscriber {
 public:
  /// Takes over `o`'s runtime and subscription; `o` must not be used afterwards.
  BlockingSubscriber(BlockingSubscriber&&) noexcept = default;
  BlockingSubscriber& operator=(BlockingSubscriber&&) = delete;  // would drop the runtime first
  /// Closes the connection, then shuts its runtime down.
  ~BlockingSubscriber();

  /// Subscriber::next_message, waiting as long as it takes.
  /// Example: `auto m = sub.next_message();`
  ClientResult<std::optional<Message>> next_message();
  /// Subscriber::next_message, giving up after `limit`: an empty optional on timeout (the
  /// wait is cancelled safely; no message is lost).
  /// Example: `auto m = sub.next_message_timeout(std::chrono::seconds(1));`
  std::optional<ClientResult<std::optional<Message>>> next_message_timeout(
      std::chrono::milliseconds limit);
  /// Subscriber::subscribe. Example: `auto r = sub.subscribe({"more"});`
  ClientResult<void> subscribe(std::vector<std::string> channels);
  /// Subscriber::unsubscribe (empty: all). Example: `auto r = sub.unsubscribe({});`
  ClientResult<void> unsubscribe(std::vector<std::string> channels);
  /// Subscriber::subscribed_channels. Example: `sub.subscribed_channels().size()`.
  const std::vector<std::string>& subscribed_channels() const noexcept;

 private:
  friend class BlockingClient;
  BlockingSubscriber(std::unique_ptr<sluice::Runtime> rt, Subscriber sub);
  std::unique_ptr<sluice::Runtime> rt_;
  std::optional<Subscriber> sub_;  // destroyed before rt_
};

}  // namespace mini_redis
