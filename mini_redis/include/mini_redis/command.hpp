/// @file
/// mini_redis::Command: the commands mini-redis understands, as plain data, read from and
/// written to frames. Applying them to a database is the server's business, not this file's.
///
/// ```text
/// PING [message]                       Ping{message}
/// GET key                              Get{key}
/// SET key value [EX seconds|PX ms]     Set{key, value, expire}
/// PUBLISH channel message              Publish{channel, message}
/// SUBSCRIBE channel [channel ...]      Subscribe{channels}
/// UNSUBSCRIBE [channel ...]            Unsubscribe{channels}   (none: all)
/// anything else                        Unknown{name}
/// ```
///
/// Command names and options are case-insensitive. A known command with bad arguments is a
/// CommandError whose message is the reply Redis gives ("ERR wrong number of arguments for 'get'
/// command", "ERR syntax error", ...); an unknown one parses (to Unknown) so that the server can
/// answer "ERR unknown command 'foo'" and carry on.
///
/// Example:
/// ```cpp
/// auto cmd = mini_redis::Command::from_frame(frame);       // ["set", "k", "v", "ex", "10"]
/// if (!cmd) return write_frame(out, cmd.error().to_frame());
/// if (auto* set = cmd->get_if<mini_redis::Set>()) db.set(set->key, set->value, set->expire);
/// ```
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <mini_redis/frame.hpp>
#include <mini_redis/parse.hpp>

#include <sluice/result.hpp>

namespace mini_redis {

/// Why a frame is not a valid command. message() is the error reply, "ERR" prefix included.
///
/// Example:
/// ```cpp
/// auto r = mini_redis::Command::from_frame(mini_redis::Frame::array({
///     mini_redis::Frame::bulk("GET")}));
/// assert(r.error().kind() == mini_redis::CommandError::Kind::wrong_arity);
/// r.error().message();   // "ERR wrong number of arguments for 'get' command"
/// ```
class CommandError {
 public:
  /// What is wrong with the frame; message() has the matching Redis error text.
  enum class Kind : std::uint8_t {
    /// Not an array of strings ("ERR protocol error; expected array, got ...") or an empty array
    /// ("ERR empty command").
    protocol,
    /// Too few or too many arguments.
    wrong_arity,
    /// An unknown option, or an option given twice ("ERR syntax error").
    syntax,
    /// An argument that must be an integer is not one.
    not_integer,
    /// EX / PX with a value <= 0, or one whose milliseconds overflow int64.
    invalid_expire,
  };

  /// An error of `kind` whose reply text is `message` ("ERR" prefix included).
  CommandError(Kind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  /// What is wrong.
  Kind kind() const noexcept { return kind_; }
  /// The text of the error reply, e.g. "ERR syntax error".
  const std::string& message() const noexcept { return message_; }
  /// The error reply to send: Frame::error(message()).
  Frame to_frame() const { return Frame::error(message_); }

 private:
  Kind kind_;
  std::string message_;
};

/// PING [message]: the server answers PONG, or the message as a bulk string.
/// Example: `Ping{}.to_frame()` is ["ping"]; `Ping{"hi"}.to_frame()` is ["ping", "hi"].
struct Ping {
  std::optional<std::string> message;  ///< Echoed back instead of PONG when present.

  /// Reads the arguments after the name (at most one). Errors: wrong_arity, protocol.
  static sluice::Result<Ping, CommandError> parse_args(Parse& args);
  /// The command as a client sends it: an array of bulk strings.
  Frame to_frame() const;
  /// Member-wise equality.
  friend bool operator==(const Ping&, const Ping&) = default;
};

/// GET key. Example: `Get{"hello"}.to_frame()` is ["get", "hello"].
struct Get {
  std::string key;  ///< The key to read.

  /// Reads exactly one argument. Errors: wrong_arity, protocol.
  static sluice::Result<Get, CommandError> parse_args(Parse& args);
  /// ["get", key], as bulk strings.
  Frame to_frame() const;
  /// Member-wise equality.
  friend bool operator==(const Get&, const Get&) = default;
};

/// SET key value [EX seconds | PX milliseconds]: `expire` is how long the key lives (none:
/// forever). to_frame always writes the expiry as `PX <ms>`.
///
/// Example:
/// ```cpp
/// using namespace std::chrono_literals;
/// mini_redis::Set{"k", "v", 10s}.to_frame();   // ["set", "k", "v", "px", "10000"]
/// ```
struct Set {
  std::string key;                                                 ///< The key to write.
  std::string value;                                               ///< The value (binary-safe).
  std::optional<std::chrono::milliseconds> expire = std::nullopt;  ///< Time to live; none: forever.

  /// Reads key, value, then options. Errors: wrong_arity (fewer than 2 arguments), syntax
  /// (unknown option, EX/PX twice or without a value), not_integer, invalid_expire, protocol.
  static sluice::Result<Set, CommandError> parse_args(Parse& args);
  /// ["set", key, value] plus ["px", milliseconds] when `expire` is set.
  Frame to_frame() const;
  /// Member-wise equality.
  friend bool operator==(const Set&, const Set&) = default;
};

/// PUBLISH channel message. Example: `Publish{"news", "hi"}.to_frame()`.
struct Publish {
  std::string channel;  ///< The channel to publish on.
  std::string message;  ///< What every subscriber of `channel` receives.

  /// Reads exactly two arguments. Errors: wrong_arity, protocol.
  static sluice::Result<Publish, CommandError> parse_args(Parse& args);
  /// ["publish", channel, message].
  Frame to_frame() const;
  /// Member-wise equality.
  friend bool operator==(const Publish&, const Publish&) = default;
};

/// SUBSCRIBE channel [channel ...]: at least one channel.
/// Example: `Subscribe{{"a", "b"}}.to_frame()` is ["subscribe", "a", "b"].
struct Subscribe {
  std::vector<std::string> channels;  ///< The channels to subscribe to (at least one).

  /// Reads one or more channels. Errors: wrong_arity, protocol.
  static sluice::Result<Subscribe, CommandError> parse_args(Parse& args);
  /// ["subscribe", channels...].
  Frame to_frame() const;
  /// Member-wise equality.
  friend bool operator==(const Subscribe&, const Subscribe&) = default;
};

/// UNSUBSCRIBE [channel ...]: no channel means every channel the client is subscribed to.
/// Example: `Unsubscribe{}.to_frame()` is ["unsubscribe"].
struct Unsubscribe {
  std::vector<std::string> channels;  ///< The channels to leave; empty: all of them.

  /// Reads zero or more channels. Errors: protocol.
  static sluice::Result<Unsubscribe, CommandError> parse_args(Parse& args);
  /// ["unsubscribe", channels...].
  Frame to_frame() const;
  /// Member-wise equality.
  friend bool operator==(const Unsubscribe&, const Unsubscribe&) = default;
};

/// A command this server does not implement; `name` as the client spelled it. Its arguments
/// are not kept, so to_frame() is just [name].
/// Example: `Unknown{"FLUSHALL"}.error_message() == "ERR unknown command 'FLUSHALL'"`.
struct Unknown {
  std::string name;  ///< The command name, as the client spelled it.

  /// The reply Redis gives: "ERR unknown command '<name>'".
  std::string error_message() const;
  /// [name], as a bulk string (the arguments were not kept).
  Frame to_frame() const;
  /// Member-wise equality.
  friend bool operator==(const Unknown&, const Unknown&) = default;
};

/// One command: a std::variant of Ping, Get, Set, Publish, Subscribe, Unsubscribe and Unknown,
/// read from a frame with from_frame.
///
/// Example:
/// ```cpp
/// auto cmd = mini_redis::Command::from_frame(frame);
/// if (!cmd) { reply(cmd.error().to_frame()); return; }
/// std::visit([](auto& c) { apply(c); }, cmd->variant());
/// // or: if (const mini_redis::Get* get = cmd->get_if<mini_redis::Get>()) ...
/// ```
class Command {
 public:
  /// One alternative per command struct.
  using Variant = std::variant<Ping, Get, Set, Publish, Subscribe, Unsubscribe, Unknown>;

  /// A command from one of the structs: `Command c = Get{"k"};`.
  template <class C>
    requires(std::is_constructible_v<Variant, C&&> &&
             !std::is_same_v<std::remove_cvref_t<C>, Command>)
  Command(C&& c) : v_(std::forward<C>(c)) {}  // NOLINT: implicit, like the variant

  /// Reads a command from a frame: an array whose first element (a simple or bulk string) is
  /// the name, matched case-insensitively, and the rest its arguments. Unknown names give
  /// Unknown. Errors: see CommandError::Kind.
  static sluice::Result<Command, CommandError> from_frame(Frame frame);

  /// The frame a client sends for this command: an array of bulk strings, name in lower case.
  /// Command::from_frame(c.to_frame()) == c, except for Unknown, whose arguments were dropped.
  Frame to_frame() const;

  /// "ping", "get", "set", "publish", "subscribe", "unsubscribe", or Unknown's name as given.
  /// (a view into this command for Unknown).
  std::string_view name() const;

  /// True when this holds a C. Example: `cmd.is<mini_redis::Ping>()`.
  template <class C>
  bool is() const noexcept {
    return std::holds_alternative<C>(v_);
  }
  ///@{
  /// @brief The C this holds, or nullptr.
  /// Example: `if (auto* g = cmd.get_if<Get>()) use(g->key);`.
  template <class C>
  const C* get_if() const noexcept {
    return std::get_if<C>(&v_);
  }
  template <class C>
  C* get_if() noexcept {
    return std::get_if<C>(&v_);
  }
  ///@}

  ///@{
  /// @brief The variant, for std::visit; the rvalue overload moves it out.
  const Variant& variant() const& noexcept { return v_; }
  Variant& variant() & noexcept { return v_; }
  Variant&& variant() && noexcept { return std::move(v_); }
  ///@}

  /// Same command with the same arguments.
  friend bool operator==(const Command&, const Command&) = default;

 private:
  Variant v_;
};

}  // namespace mini_redis
