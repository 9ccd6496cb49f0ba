// Waiting on a shutdown signal (a sluice::watch::Receiver<bool>), shared by the accept loop and
// the connection handlers. Private to the server.
#pragma once

#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>

namespace mini_redis::detail {

/// Completes once the watched value is true, or once every sender of the channel is gone.
/// `rx` must outlive the returned task.
///
/// Example:
///   auto fut = sluice::select_biased(shutdown_requested(rx), conn.read_frame());
///
/// Cancel safety: cancel safe (it only marks values it has seen; a true value stays true).
sluice::Task<void> shutdown_requested(sluice::watch::Receiver<bool>& rx);

}  // namespace mini_redis::detail
