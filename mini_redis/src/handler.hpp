// The per-connection task of the server (mini-redis's server.rs Handler). Private to the server.
#pragma once

#include <mini_redis/db.hpp>

#include <sluice/net/tcp_stream.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/semaphore.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>

namespace mini_redis::detail {

/// Serves one client until it leaves, breaks the protocol, or `shutdown` fires (then the request
/// being processed is finished and its replies flushed). `permit` (the connection limit) and
/// `done` (run() waits for every `done` sender to be gone) are released when the task ends.
///
/// Example:
///   auto task = serve_connection(std::move(stream), db, shutdown_rx, done_tx, std::move(permit));
///   sluice::spawn(std::move(task)).detach();
///
/// Cancel safety: dropping the task closes the connection; replies not yet written are lost.
sluice::Task<void> serve_connection(sluice::net::TcpStream stream, Db db,
                                    sluice::watch::Receiver<bool> shutdown,
                                    sluice::mpsc::Sender<bool> done,
                                    sluice::OwnedSemaphorePermit permit);

}  // namespace mini_redis::detail
