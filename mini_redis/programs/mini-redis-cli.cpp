// mini-redis-cli: one command against a Redis / mini-redis server (mini-redis's cli.rs).
//
//   mini-redis-cli [--host H] [--port N] <command>
//     ping [MESSAGE]                 prints PONG, or "MESSAGE"
//     get KEY                        prints "value", or (nil)
//     set KEY VALUE [EXPIRES_MS]     prints OK
//     publish CHANNEL MESSAGE        prints Publish OK (N subscribers)
//     subscribe CHANNEL...           prints each message as it arrives, until Ctrl-C:
//                                    got message from the channel: CHANNEL; message = "TEXT"
//
// Defaults: --host 127.0.0.1 --port 6379. Values are printed as redis-cli does
// (mini_redis::quote: in double quotes; \n \r \t \a \b \" \\ escaped, other non-printable
// bytes as \xHH). Exit status: 0 on success, 1 on a connection or server error (the message
// goes to stderr as "error: ..."), 2 on a usage error.
//
// Example:
//   $ mini-redis-cli set hello world && mini-redis-cli get hello
//   OK
//   "world"
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <mini_redis/blocking_client.hpp>
#include <mini_redis/frame.hpp>

namespace {

constexpr const char* kUsage =
    "usage: mini-redis-cli [--host H] [--port N] <command>\n"
    "  ping [MESSAGE]\n"
    "  get KEY\n"
    "  set KEY VALUE [EXPIRES_MS]\n"
    "  publish CHANNEL MESSAGE\n"
    "  subscribe CHANNEL...\n";

int usage(const std::string& why) {
  std::cerr << "mini-redis-cli: " << why << "\n" << kUsage;
  return 2;
}

int fail(const mini_redis::ClientError& e) {
  std::cerr << "error: " << e.to_string() << "\n";
  return 1;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::size_t i = 0;
  while (i < args.size() && args[i].rfind("--", 0) == 0) {
    const std::string opt = args[i];
    if (opt == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= args.size()) return usage(opt + " needs a value");
    if (opt == "--host") {
      host = args[i + 1];
    } else if (opt == "--port") {
      if (!parse_number(args[i + 1], port) || port == 0) return usage("bad port: " + args[i + 1]);
    } else {
      return usage("unknown option " + opt);
    }
    i += 2;
  }
  if (i >= args.size()) return usage("no command");
  const std::string cmd = args[i];
  std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i + 1), args.end());

  // Check the arguments before connecting, so usage errors never depend on the server.
  std::optional<std::chrono::milliseconds> expires;
  if (cmd == "ping") {
    if (rest.size() > 1) return usage("ping takes at most one MESSAGE");
  } else if (cmd == "get") {
    if (rest.size() != 1) return usage("get takes KEY");
  } else if (cmd == "set") {
    if (rest.size() != 2 && rest.size() != 3) return usage("set takes KEY VALUE [EXPIRES_MS]");
    if (rest.size() == 3) {
      std::int64_t ms = 0;
      if (!parse_number(rest[2], ms) || ms <= 0) return usage("bad EXPIRES_MS: " + rest[2]);
      expires = std::chrono::milliseconds(ms);
    }
  } else if (cmd == "publish") {
    if (rest.size() != 2) return usage("publish takes CHANNEL MESSAGE");
  } else if (cmd == "subscribe") {
    if (rest.empty()) return usage("subscribe takes at least one CHANNEL");
  } else {
    return usage("unknown command " + cmd);
  }

  const std::string addr = host.find(':') != std::string::npos && host.front() != '['
                               ? "[" + host + "]:" + std::to_string(port)  // a bare IPv6 address
                               : host + ":" + std::to_string(port);
  auto client = mini_redis::BlockingClient::connect(addr);
  if (!client) return fail(client.error());

  if (cmd == "ping") {
    std::optional<std::string> msg;
    if (!rest.empty()) msg = rest[0];
    auto r = client->ping(msg);
    if (!r) return fail(r.error());
    std::cout << (msg ? mini_redis::quote(*r) : *r) << "\n";
  } else if (cmd == "get") {
    auto r = client->get(rest[0]);
    if (!r) return fail(r.error());
    std::cout << (*r ? mini_redis::quote(**r) : std::string("(nil)")) << "\n";
  } else if (cmd == "set") {
    auto r =
        expires ? client->set_expires(rest[0], rest[1], *expires) : client->set(rest[0], rest[1]);
    if (!r) return fail(r.error());
    std::cout << "OK\n";
  } else if (cmd == "publish") {
    auto r = client->publish(rest[0], rest[1]);
    if (!r) return fail(r.error());
    std::cout << "Publish OK (" << *r << " subscriber" << (*r == 1 ? "" : "s") << ")\n";
  } else {  // subscribe: until Ctrl-C (the default SIGINT action ends the process) or EOF
    auto sub = std::move(*client).subscribe(rest);
    if (!sub) return fail(sub.error());
    for (;;) {
      auto m = sub->next_message();
      if (!m) return fail(m.error());
      if (!*m) break;  // the server closed the connection
      std::cout << "got message from the channel: " << (*m)->channel
                << "; message = " << mini_redis::quote((*m)->content) << std::endl;
    }
  }
  return 0;
}
