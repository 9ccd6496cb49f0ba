// mini_redis::Client: see client.hpp.
#include <netdb.h>
#include <sys/socket.h>

#include <charconv>
#include <utility>

#include <mini_redis/client.hpp>
#include <mini_redis/command.hpp>
#include <mini_redis/subscriber.hpp>

#include <sluice/net/tcp_stream.hpp>

#include "client_reply.hpp"

namespace mini_redis {

namespace {

/// "host:port" -> an address: numeric forms via SocketAddr::parse, names via getaddrinfo.
sluice::Result<sluice::net::SocketAddr, std::error_code> resolve(const std::string& text) {
  if (auto a = sluice::net::SocketAddr::parse(text)) return *a;
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return sluice::Err(std::make_error_code(std::errc::invalid_argument));
  std::uint16_t port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last)
    return sluice::Err(std::make_error_code(std::errc::invalid_argument));
  const std::string host = text.substr(0, colon);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr)
    return sluice::Err(std::make_error_code(std::errc::host_unreachable));
  auto addr = sluice::net::SocketAddr::from_raw(res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  if (!addr) return sluice::Err(std::make_error_code(std::errc::address_family_not_supported));
  addr->set_port(port);
  return *addr;
}

}  // namespace

sluice::Task<ClientResult<Client>> Client::connect(sluice::net::SocketAddr addr) {
  sluice::net::IoResult<sluice::net::TcpStream> stream =
      co_await sluice::net::TcpStream::connect(addr);
  if (!stream) co_return sluice::Err(ClientError::io(stream.error()));
  (void)stream->set_nodelay(true);  // requests are small; do not wait for Nagle
  ParserOptions options;
  options.inline_commands = false;
  co_return Client(Connection(std::move(*stream), options));
}

sluice::Task<ClientResult<Client>> Client::connect(std::string addr) {
  auto resolved = resolve(addr);
  if (!resolved) co_return sluice::Err(ClientError::io(resolved.error()));
  ClientResult<Client> c = co_await connect(*resolved);
  co_return c;
}

sluice::Task<ClientResult<Frame>> Client::read_response() {
  FrameResult r = co_await conn_.read_frame();
  co_return detail::to_reply(std::move(r));
}

sluice::Task<ClientResult<Frame>> Client::execute(Frame command) {
  sluice::net::IoResult<void> w = co_await conn_.write_frame(command);
  if (!w) co_return sluice::Err(ClientError::io(w.error()));
  ClientResult<Frame> reply = co_await read_response();
  co_return reply;
}

sluice::Task<ClientResult<std::string>> Client::ping(std::optional<std::string> message) {
  Ping cmd{std::move(message)};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_string(std::move(*reply));
}

sluice::Task<ClientResult<std::optional<std::string>>> Client::get(std::string key) {
  Get cmd{std::move(key)};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_optional_string(std::move(*reply));
}

sluice::Task<ClientResult<void>> Client::set(std::string key, std::string value) {
  Set cmd{std::move(key), std::move(value), std::nullopt};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_ok(*reply);
}

sluice::Task<ClientResult<void>> Client::set_expires(std::string key, std::string value,
                                                     std::chrono::milliseconds expires) {
  Set cmd{std::move(key), std::move(value), expires};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_ok(*reply);
}

sluice::Task<ClientResult<std::int64_t>> Client::publish(std::string channel, std::string message) {
  Publish cmd{std::move(channel), std::move(message)};
  ClientResult<Frame> reply = co_await execute(cmd.to_frame());
  if (!reply) co_return sluice::Err(std::move(reply).error());
  co_return detail::decode_integer(*reply);
}

sluice::Task<ClientResult<Subscriber>> Client::subscribe(Client client,
                                                         std::vector<std::string> channels) {
  Subscriber sub(std::move(client));
  ClientResult<void> r = co_await sub.do_subscribe(std::move(channels));
  if (!r) co_return sluice::Err(std::move(r).error());
  co_return std::move(sub);
}

}  // namespace mini_redis
