/// @file
/// sluice networking: TCP on the runtime's epoll driver.
///
/// ```text
/// net/socket_addr.hpp   SocketAddr (IPv4/IPv6 + port; parse "127.0.0.1:6379")
/// net/tcp_listener.hpp  TcpListener (bind, accept, local_addr)
/// net/tcp_stream.hpp    TcpStream (connect, read, read_buf, write, write_all, shutdown, ...)
/// net/io_error.hpp      IoResult<T> = Result<T, std::error_code>, IoErrc
/// ```
///
/// Example:
/// ```cpp
/// auto listener = sluice::net::TcpListener::bind("127.0.0.1:0");
/// auto accepted = co_await listener->accept();
/// ```
#pragma once

#include <sluice/net/io_error.hpp>
#include <sluice/net/socket_addr.hpp>
#include <sluice/net/tcp_listener.hpp>
#include <sluice/net/tcp_stream.hpp>

/// @namespace sluice::net
/// @brief TCP on the runtime's epoll driver: TcpListener, TcpStream, SocketAddr and the I/O
/// error codes.
