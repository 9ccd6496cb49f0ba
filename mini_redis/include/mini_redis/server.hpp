/// @file
/// mini_redis::run: the mini-redis server (mini-redis's server.rs): an accept loop with a
/// connection limit, one task per connection, and a graceful shutdown.
///
/// Accept loop: before each accept the loop takes one permit of a Semaphore holding
/// ServerConfig::max_connections permits; the permit travels into the connection's task and is
/// released when that task ends, so at most max_connections clients are served at once (the
/// others wait in the kernel's listen backlog). An accept error is retried after 1, 2, 4 ... 64
/// seconds; after the 64 s wait has failed too, run() stops accepting and returns that error.
///
/// Connections: each one is served by its own task (PING, GET, SET, PUBLISH, SUBSCRIBE,
/// UNSUBSCRIBE; see handler.cpp). Replies to pipelined requests are written with one flush. A
/// client that stops reading blocks only its own task.
///
/// Shutdown: the signal is a sluice::watch::Receiver<bool> (ShutdownSignal). run() shuts down when
/// the watched value becomes true, or when every watch::Sender is gone. It then stops accepting,
/// tells every connection to stop (each finishes the request it is processing and flushes its
/// replies, giving a client that does not read at most about a second), waits until every
/// connection task has ended, and returns. watch::Sender::send is a plain call, so the trigger can
/// be a test coroutine or a plain std::thread (the program's sigwait thread).
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::watch::channel<bool>(false);
/// auto listener = sluice::net::TcpListener::bind("127.0.0.1:6379").value();
/// auto server = sluice::spawn(mini_redis::run(std::move(listener), rx));
/// ...
/// (void)tx.send(true);                       // from anywhere
/// auto result = co_await std::move(server);  // every connection has ended
/// ```
#pragma once

#include <cstddef>

#include <mini_redis/db.hpp>

#include <sluice/net/io_error.hpp>
#include <sluice/net/tcp_listener.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>

/// @namespace mini_redis
/// @brief The Redis-protocol example built on sluice: RESP2 frames and their parser, commands,
/// Connection, the server (run) and its Db, and the clients (Client, Subscriber,
/// BufferedClient, BlockingClient).
namespace mini_redis {

/// Settings of one server.
///
/// Example:
/// ```cpp
/// mini_redis::ServerConfig config;
/// config.max_connections = 2;   // a third client waits until one of the first two leaves
/// ```
struct ServerConfig {
  /// How many connections are served at the same time (at least 1; 0 is treated as 1).
  std::size_t max_connections = 250;
};

/// What tells run() to shut down: the watched value turning true, or every sender being dropped.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::watch::channel<bool>(false);
/// mini_redis::ShutdownSignal signal = rx;     // receivers are copyable
/// (void)tx.send(true);                        // shut down
/// ```
using ShutdownSignal = sluice::watch::Receiver<bool>;

/// Serves `listener` until `shutdown` fires, on a Db of its own (created, with its purge task,
/// when the returned task first runs, and dropped when it ends). Must run inside a sluice
/// runtime. Output: success after a shutdown, or the accept error that made it give up (also
/// only once every connection task has ended).
///
/// Example:
/// ```cpp
/// auto r = co_await mini_redis::run(std::move(listener), shutdown_rx);
/// ```
///
/// Cancel safety: dropping the returned task stops accepting at once and tells every connection
/// to stop (as a shutdown does), without waiting for them; connections still finish their
/// current request.
sluice::Task<sluice::net::IoResult<void>> run(sluice::net::TcpListener listener,
                                              ShutdownSignal shutdown, ServerConfig config = {});

/// run(listener, shutdown, config), but serving `db`, which the caller owns (keep its
/// DbDropGuard alive): a test can inspect the keyspace after run() has returned.
///
/// Example:
/// ```cpp
/// mini_redis::DbDropGuard guard;
/// auto r = co_await mini_redis::run(std::move(listener), shutdown_rx, guard.db());
/// auto v = guard.db().get("key");
/// ```
///
/// Cancel safety: as the other run().
sluice::Task<sluice::net::IoResult<void>> run(sluice::net::TcpListener listener,
                                              ShutdownSignal shutdown, Db db,
                                              ServerConfig config = {});

}  // namespace mini_redis
