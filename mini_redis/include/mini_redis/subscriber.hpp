/// @file
/// mini_redis::Subscriber: a Client in pub/sub mode (mini-redis's client::Subscriber). Made by
/// Client::subscribe; receives the messages published on its channels, and can subscribe to
/// more channels or unsubscribe.
///
/// While a SUBSCRIBE or UNSUBSCRIBE waits for its confirmations, messages published on channels
/// already subscribed may arrive first: they are kept, in order, and next_message returns them
/// before reading the socket again, so no message is lost or reordered.
///
/// Example:
/// ```cpp
/// auto sub = co_await mini_redis::Client::subscribe(std::move(client), {"news"});
/// for (;;) {
///   auto m = co_await sub->next_message();
///   if (!m || !*m) break;                           // error, or the server closed
///   std::cout << (*m)->channel << ": " << (*m)->content << "\n";
/// }
/// ```
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <mini_redis/client.hpp>
#include <mini_redis/client_error.hpp>

#include <sluice/task.hpp>

namespace mini_redis {

/// One published message.
/// Example: `Message{"news", "hello"}`.
struct Message {
  std::string channel;  ///< The channel it was published on.
  std::string content;  ///< The published bytes.
  /// Same channel and same content.
  friend bool operator==(const Message&, const Message&) = default;
};

/// A client in subscribed state (see subscriber.hpp): it receives messages and can change its
/// subscriptions, nothing else. Move-only; one task at a time.
///
/// Example:
/// ```cpp
/// auto sub = co_await mini_redis::Client::subscribe(std::move(c), {"a", "b"});
/// sub->subscribed_channels();                      // {"a", "b"}
/// ```
class Subscriber {
 public:
  /// Takes over `o`'s connection and subscriptions; `o` must not be used afterwards.
  Subscriber(Subscriber&&) noexcept = default;
  /// Closes the connection held now, then takes over `o`'s.
  Subscriber& operator=(Subscriber&&) noexcept = default;

  /// The next message; an empty optional when the server closed the connection.
  /// Errors: io, protocol (a frame that is not a message).
  /// Cancel safety: cancel-safe. A message is taken from the connection only when the future
  /// completes with it (Connection::read_frame is cancel-safe).
  ///
  /// Example:
  /// ```cpp
  /// auto m = co_await sub.next_message();
  /// if (m && *m) handle((*m)->channel, (*m)->content);
  /// ```
  sluice::Task<ClientResult<std::optional<Message>>> next_message();

  /// SUBSCRIBE more channels; waits for their confirmations.
  /// Cancel safety: not cancel-safe (confirmations left unread would confuse later calls).
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await sub.subscribe({"c"});
  /// ```
  sluice::Task<ClientResult<void>> subscribe(std::vector<std::string> channels);

  /// UNSUBSCRIBE channels (empty: every channel); waits for the confirmations and updates
  /// subscribed_channels(). Cancel safety: not cancel-safe.
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await sub.unsubscribe({"a"});
  /// auto all = co_await sub.unsubscribe({});
  /// ```
  sluice::Task<ClientResult<void>> unsubscribe(std::vector<std::string> channels);

  /// The channels currently subscribed, in subscription order.
  ///
  /// Example:
  /// ```cpp
  /// for (const auto& ch : sub.subscribed_channels()) std::cout << ch << "\n";
  /// ```
  const std::vector<std::string>& subscribed_channels() const noexcept { return channels_; }

 private:
  friend class Client;
  explicit Subscriber(Client client) : client_(std::move(client)) {}
  /// Sends SUBSCRIBE and reads one confirmation per channel (messages that arrive meanwhile
  /// go to pending_).
  sluice::Task<ClientResult<void>> do_subscribe(std::vector<std::string> channels);

  Client client_;
  std::vector<std::string> channels_;
  std::deque<Message> pending_;  // messages read while waiting for confirmations
};

}  // namespace mini_redis
