// SocketAddr: see include/sluice/net/socket_addr.hpp.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

#include <sluice/net/socket_addr.hpp>

namespace sluice::net {

namespace {
sockaddr_in* as_v4(sockaddr_storage& s) noexcept { return reinterpret_cast<sockaddr_in*>(&s); }
const sockaddr_in* as_v4(const sockaddr_storage& s) noexcept {
  return reinterpret_cast<const sockaddr_in*>(&s);
}
sockaddr_in6* as_v6(sockaddr_storage& s) noexcept { return reinterpret_cast<sockaddr_in6*>(&s); }
const sockaddr_in6* as_v6(const sockaddr_storage& s) noexcept {
  return reinterpret_cast<const sockaddr_in6*>(&s);
}

std::optional<std::uint16_t> parse_port(std::string_view s) noexcept {
  if (s.empty() || s.size() > 5) return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

SocketAddr make_v4(std::uint32_t host_order, std::uint16_t port) noexcept {
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(host_order);
  return *SocketAddr::from_raw(reinterpret_cast<const sockaddr*>(&sin), sizeof sin);
}
}  // namespace

SocketAddr::SocketAddr() noexcept : storage_{} { as_v4(storage_)->sin_family = AF_INET; }

std::optional<SocketAddr> SocketAddr::parse(std::string_view text) {
  SocketAddr out;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    auto port = parse_port(text.substr(close + 2));
    std::string host(text.substr(1, close - 1));
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    if (!port || ::inet_pton(AF_INET6, host.c_str(), &sin6.sin6_addr) != 1) return std::nullopt;
    sin6.sin6_port = htons(*port);
    std::memcpy(&out.storage_, &sin6, sizeof sin6);
    return out;
  }
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto port = parse_port(text.substr(colon + 1));
  if (!port) return std::nullopt;
  std::string host(text.substr(0, colon));
  if (host == "localhost") return v4_loopback(*port);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  if (::inet_pton(AF_INET, host.c_str(), &sin.sin_addr) != 1) return std::nullopt;
  sin.sin_port = htons(*port);
  std::memcpy(&out.storage_, &sin, sizeof sin);
  return out;
}

SocketAddr SocketAddr::v4_loopback(std::uint16_t port) noexcept {
  return make_v4(INADDR_LOOPBACK, port);
}

SocketAddr SocketAddr::v4_any(std::uint16_t port) noexcept { return make_v4(INADDR_ANY, port); }

std::optional<SocketAddr> SocketAddr::from_raw(const sockaddr* sa, socklen_t len) noexcept {
  SocketAddr out;
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    std::memcpy(&out.storage_, sa, sizeof(sockaddr_in));
    return out;
  }
  if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    std::memcpy(&out.storage_, sa, sizeof(sockaddr_in6));
    return out;
  }
  return std::nullopt;
}

std::uint16_t SocketAddr::port() const noexcept {
  return ntohs(is_ipv6() ? as_v6(storage_)->sin6_port : as_v4(storage_)->sin_port);
}

void SocketAddr::set_port(std::uint16_t port) noexcept {
  if (is_ipv6()) {
    as_v6(storage_)->sin6_port = htons(port);
  } else {
    as_v4(storage_)->sin_port = htons(port);
  }
}

socklen_t SocketAddr::raw_len() const noexcept {
  return is_ipv6() ? static_cast<socklen_t>(sizeof(sockaddr_in6))
                   : static_cast<socklen_t>(sizeof(sockaddr_in));
}

std::string SocketAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_ipv6()) {
    ::inet_ntop(AF_INET6, &as_v6(storage_)->sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(port());
  }
  ::inet_ntop(AF_INET, &as_v4(storage_)->sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(port());
}

bool operator==(const SocketAddr& a, const SocketAddr& b) noexcept {
  if (a.storage_.ss_family != b.storage_.ss_family) return false;
  if (a.is_ipv6()) {
    return std::memcmp(&as_v6(a.storage_)->sin6_addr, &as_v6(b.storage_)->sin6_addr,
                       sizeof(in6_addr)) == 0 &&
           a.port() == b.port();
  }
  return as_v4(a.storage_)->sin_addr.s_addr == as_v4(b.storage_)->sin_addr.s_addr &&
         a.port() == b.port();
}

}  // namespace sluice::net
