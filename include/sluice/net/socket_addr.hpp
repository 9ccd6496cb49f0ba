/// @file
/// sluice::net::SocketAddr: an IPv4 or IPv6 address and a port.
///
/// parse() takes the numeric forms "127.0.0.1:6379" and "[::1]:6379", plus "localhost:6379"
/// (127.0.0.1). It does no DNS lookup: resolving other names may block, so it is left to the
/// caller (getaddrinfo inside sluice::spawn_blocking).
///
/// Example:
/// ```cpp
/// auto addr = sluice::net::SocketAddr::parse("127.0.0.1:6379");
/// assert(addr && addr->port() == 6379);
/// std::cout << addr->to_string();            // 127.0.0.1:6379
/// auto any = sluice::net::SocketAddr::v4_loopback(0);   // port 0: the kernel picks one
/// ```
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::net {

/// An IPv4 or IPv6 socket address (sockaddr_in / sockaddr_in6 inside).
class SocketAddr {
 public:
  /// 0.0.0.0:0.
  SocketAddr() noexcept;

  /// Parses "a.b.c.d:port", "[v6]:port" or "localhost:port"; nullopt when malformed.
  ///
  /// Example:
  /// ```cpp
  /// auto a = sluice::net::SocketAddr::parse("[::1]:80");   // a->is_ipv6()
  /// ```
  static std::optional<SocketAddr> parse(std::string_view text);

  /// 127.0.0.1:port.
  ///
  /// Example:
  /// ```cpp
  /// auto a = sluice::net::SocketAddr::v4_loopback(6379);
  /// ```
  static SocketAddr v4_loopback(std::uint16_t port) noexcept;

  /// 0.0.0.0:port (every IPv4 interface).
  ///
  /// Example:
  /// ```cpp
  /// auto a = sluice::net::SocketAddr::v4_any(6379);
  /// ```
  static SocketAddr v4_any(std::uint16_t port) noexcept;

  /// Copies a kernel sockaddr (AF_INET or AF_INET6); nullopt for other families.
  ///
  /// Example:
  /// ```cpp
  /// sockaddr_storage ss; socklen_t len = sizeof ss;
  /// ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  /// auto a = sluice::net::SocketAddr::from_raw(reinterpret_cast<sockaddr*>(&ss), len);
  /// ```
  static std::optional<SocketAddr> from_raw(const sockaddr* sa, socklen_t len) noexcept;

  /// The port, host byte order.
  std::uint16_t port() const noexcept;
  /// Replaces the port.
  void set_port(std::uint16_t port) noexcept;
  /// True for an IPv4 address (AF_INET).
  bool is_ipv4() const noexcept { return storage_.ss_family == AF_INET; }
  /// True for an IPv6 address (AF_INET6).
  bool is_ipv6() const noexcept { return storage_.ss_family == AF_INET6; }

  /// "127.0.0.1:6379" or "[::1]:6379".
  std::string to_string() const;

  /// For the socket calls: the sockaddr (pass raw_len() with it).
  const sockaddr* raw() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  /// Length of raw(): sizeof(sockaddr_in6) for IPv6, sizeof(sockaddr_in) otherwise.
  socklen_t raw_len() const noexcept;

  /// Same family, same address and same port (IPv6 flow info and scope id are not compared).
  friend bool operator==(const SocketAddr& a, const SocketAddr& b) noexcept;

 private:
  sockaddr_storage storage_;
};

}  // namespace sluice::net
