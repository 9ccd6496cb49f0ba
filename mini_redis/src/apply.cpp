// See apply.hpp.
#include "apply.hpp"

#include <cctype>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace mini_redis::detail {

Frame apply(Command&& cmd, Db& db) {
  return std::visit(
      [&db, &cmd](auto& c) -> Frame {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, Ping>) {
          if (c.message) return Frame::bulk(*c.message);
          return Frame::simple("PONG");
        } else if constexpr (std::is_same_v<C, Get>) {
          std::optional<std::string> v = db.get(c.key);
          if (!v) return Frame::null();
          return Frame::bulk(std::move(*v));
        } else if constexpr (std::is_same_v<C, Set>) {
          db.set(std::move(c.key), std::move(c.value), c.expire);  // moved: no copies per SET
          return Frame::simple("OK");
        } else if constexpr (std::is_same_v<C, Publish>) {
          const std::size_t n = db.publish(c.channel, std::move(c.message));
          return Frame::integer(static_cast<std::int64_t>(n));
        } else if constexpr (std::is_same_v<C, Unknown>) {
          return Frame::error(c.error_message());
        } else {
          // Subscribe / Unsubscribe: connection state, answered by the handler.
          return Frame::error("ERR '" + std::string(cmd.name()) + "' needs a connection");
        }
      },
      cmd.variant());
}

std::string command_name(const Frame& request) {
  if (!request.is_array() || request.as_array().empty()) return {};
  const Frame& first = request.as_array().front();
  if (!first.is_bulk() && !first.is_simple()) return {};
  std::string name = first.as_string();
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name;
}

std::optional<Frame> housekeeping_reply(const std::string& name, const Frame& request) {
  // redis-benchmark asks CONFIG GET save and CONFIG GET appendonly (and warns unless it gets a
  // name/value pair); interactive redis-cli asks COMMAND DOCS for its hints.
  if (name == "config") {
    Frame reply = Frame::array();
    const auto& args = request.as_array();
    if (args.size() >= 3 && command_name(Frame::array({args[1]})) == "get") {
      for (std::size_t i = 2; i < args.size(); ++i) {
        const std::string param = command_name(Frame::array({args[i]}));
        if (param == "save") {
          reply.push_bulk("save");
          reply.push_bulk("");
        } else if (param == "appendonly") {
          reply.push_bulk("appendonly");
          reply.push_bulk("no");
        }
      }
    }
    return reply;
  }
  if (name == "command") return Frame::array();
  if (name == "client") return Frame::simple("OK");
  return std::nullopt;
}

Frame protocol_error_reply(const std::string& message) {
  constexpr std::string_view prefix = "protocol error; ";
  std::string_view m = message;
  if (m.substr(0, prefix.size()) == prefix) m.remove_prefix(prefix.size());
  return Frame::error("ERR Protocol error: " + std::string(m));
}

}  // namespace mini_redis::detail
