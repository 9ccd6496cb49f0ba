// Command: reading each command's arguments off a Parse, and writing commands as frames.
#include <limits>

#include <mini_redis/command.hpp>

namespace mini_redis {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// ASCII case-insensitive comparison with a lower-case literal.
bool equals_lower(std::string_view s, std::string_view lower_literal) {
  if (s.size() != lower_literal.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (lower(s[i]) != lower_literal[i]) return false;
  }
  return true;
}

CommandError wrong_arity(std::string_view command) {
  return CommandError(CommandError::Kind::wrong_arity,
                      "ERR wrong number of arguments for '" + std::string(command) + "' command");
}

CommandError syntax_error() { return CommandError(CommandError::Kind::syntax, "ERR syntax error"); }

// A Parse failure while reading a known command's arguments: running out of them is a wrong
// arity; anything else (an argument that is not a string) a protocol error.
CommandError from_parse(const ParseError& e, std::string_view command) {
  if (e.is_end_of_stream()) return wrong_arity(command);
  return CommandError(CommandError::Kind::protocol, "ERR " + e.message());
}

Frame command_frame(std::string_view name, std::size_t args) {
  std::vector<Frame> items;
  items.reserve(1 + args);
  items.push_back(Frame::bulk(std::string(name)));
  return Frame::array(std::move(items));
}

// Reads the remaining arguments as strings (SUBSCRIBE / UNSUBSCRIBE).
sluice::Result<std::vector<std::string>, CommandError> rest_as_strings(Parse& args,
                                                                       std::string_view command) {
  std::vector<std::string> out;
  out.reserve(args.remaining());
  while (args.remaining() > 0) {
    auto s = args.next_string();
    if (!s) return sluice::Err(from_parse(s.error(), command));
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace

// --- PING -------------------------------------------------------------------------------------

sluice::Result<Ping, CommandError> Ping::parse_args(Parse& args) {
  if (args.remaining() > 1) return sluice::Err(wrong_arity("ping"));
  Ping ping;
  if (args.remaining() == 1) {
    auto msg = args.next_string();
    if (!msg) return sluice::Err(from_parse(msg.error(), "ping"));
    ping.message = std::move(*msg);
  }
  return ping;
}

Frame Ping::to_frame() const {
  Frame f = command_frame("ping", message ? 1 : 0);
  if (message) f.push_bulk(*message);
  return f;
}

// --- GET --------------------------------------------------------------------------------------

sluice::Result<Get, CommandError> Get::parse_args(Parse& args) {
  if (args.remaining() != 1) return sluice::Err(wrong_arity("get"));
  auto key = args.next_string();
  if (!key) return sluice::Err(from_parse(key.error(), "get"));
  return Get{std::move(*key)};
}

Frame Get::to_frame() const {
  Frame f = command_frame("get", 1);
  f.push_bulk(key);
  return f;
}

// --- SET --------------------------------------------------------------------------------------

sluice::Result<Set, CommandError> Set::parse_args(Parse& args) {
  if (args.remaining() < 2) return sluice::Err(wrong_arity("set"));
  auto key = args.next_string();
  if (!key) return sluice::Err(from_parse(key.error(), "set"));
  auto value = args.next_bytes();
  if (!value) return sluice::Err(from_parse(value.error(), "set"));
  Set set{std::move(*key), std::move(*value), std::nullopt};

  while (args.remaining() > 0) {
    auto option = args.next_string();
    if (!option) return sluice::Err(from_parse(option.error(), "set"));
    const bool ex = equals_lower(*option, "ex");
    if (!ex && !equals_lower(*option, "px")) return sluice::Err(syntax_error());
    if (set.expire || args.remaining() == 0) return sluice::Err(syntax_error());
    auto amount = args.next_int();
    if (!amount) {
      return sluice::Err(CommandError(CommandError::Kind::not_integer,
                                      "ERR value is not an integer or out of range"));
    }
    const std::int64_t n = *amount;
    constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000;
    if (n <= 0 || (ex && n > kMaxSeconds)) {
      return sluice::Err(CommandError(CommandError::Kind::invalid_expire,
                                      "ERR invalid expire time in 'set' command"));
    }
    set.expire = std::chrono::milliseconds(ex ? n * 1000 : n);
  }
  return set;
}

Frame Set::to_frame() const {
  Frame f = command_frame("set", expire ? 4 : 2);
  f.push_bulk(key);
  f.push_bulk(value);
  if (expire) {
    // As a bulk string, not an integer frame: Redis reads only bulk strings in a request.
    f.push_bulk("px");
    f.push_bulk(std::to_string(expire->count()));
  }
  return f;
}

// --- PUBLISH ----------------------------------------------------------------------------------

sluice::Result<Publish, CommandError> Publish::parse_args(Parse& args) {
  if (args.remaining() != 2) return sluice::Err(wrong_arity("publish"));
  auto channel = args.next_string();
  if (!channel) return sluice::Err(from_parse(channel.error(), "publish"));
  auto message = args.next_bytes();
  if (!message) return sluice::Err(from_parse(message.error(), "publish"));
  return Publish{std::move(*channel), std::move(*message)};
}

Frame Publish::to_frame() const {
  Frame f = command_frame("publish", 2);
  f.push_bulk(channel);
  f.push_bulk(message);
  return f;
}

// --- SUBSCRIBE / UNSUBSCRIBE ------------------------------------------------------------------

sluice::Result<Subscribe, CommandError> Subscribe::parse_args(Parse& args) {
  if (args.remaining() == 0) return sluice::Err(wrong_arity("subscribe"));
  auto channels = rest_as_strings(args, "subscribe");
  if (!channels) return sluice::Err(std::move(channels).error());
  return Subscribe{std::move(*channels)};
}

Frame Subscribe::to_frame() const {
  Frame f = command_frame("subscribe", channels.size());
  for (const auto& c : channels) f.push_bulk(c);
  return f;
}

sluice::Result<Unsubscribe, CommandError> Unsubscribe::parse_args(Parse& args) {
  auto channels = rest_as_strings(args, "unsubscribe");
  if (!channels) return sluice::Err(std::move(channels).error());
  return Unsubscribe{std::move(*channels)};
}

Frame Unsubscribe::to_frame() const {
  Frame f = command_frame("unsubscribe", channels.size());
  for (const auto& c : channels) f.push_bulk(c);
  return f;
}

// --- Unknown ----------------------------------------------------------------------------------

std::string Unknown::error_message() const { return "ERR unknown command '" + name + "'"; }

Frame Unknown::to_frame() const { return command_frame(name, 0); }

// --- Command ----------------------------------------------------------------------------------

namespace {

template <class C>
sluice::Result<Command, CommandError> parse_as(Parse& args) {
  auto c = C::parse_args(args);
  if (!c) return sluice::Err(std::move(c).error());
  return Command(std::move(*c));
}

}  // namespace

sluice::Result<Command, CommandError> Command::from_frame(Frame frame) {
  auto parse = Parse::from_frame(std::move(frame));
  if (!parse) {
    return sluice::Err(
        CommandError(CommandError::Kind::protocol, "ERR " + parse.error().message()));
  }
  Parse& args = *parse;
  if (args.remaining() == 0) {
    return sluice::Err(CommandError(CommandError::Kind::protocol, "ERR empty command"));
  }
  auto name = args.next_string();
  if (!name) {
    return sluice::Err(CommandError(CommandError::Kind::protocol, "ERR " + name.error().message()));
  }
  const std::string& n = *name;
  if (equals_lower(n, "get")) return parse_as<Get>(args);
  if (equals_lower(n, "set")) return parse_as<Set>(args);
  if (equals_lower(n, "publish")) return parse_as<Publish>(args);
  if (equals_lower(n, "subscribe")) return parse_as<Subscribe>(args);
  if (equals_lower(n, "unsubscribe")) return parse_as<Unsubscribe>(args);
  if (equals_lower(n, "ping")) return parse_as<Ping>(args);
  return Command(Unknown{std::move(*name)});
}

Frame Command::to_frame() const {
  return std::visit([](const auto& c) { return c.to_frame(); }, v_);
}

std::string_view Command::name() const {
  struct Names {
    std::string_view operator()(const Ping&) const { return "ping"; }
    std::string_view operator()(const Get&) const { return "get"; }
    std::string_view operator()(const Set&) const { return "set"; }
    std::string_view operator()(const Publish&) const { return "publish"; }
    std::string_view operator()(const Subscribe&) const { return "subscribe"; }
    std::string_view operator()(const Unsubscribe&) const { return "unsubscribe"; }
    std::string_view operator()(const Unknown& u) const { return u.name; }
  };
  return std::visit(Names{}, v_);
}

}  // namespace mini_redis
