// The accept loop and the graceful shutdown of mini_redis::run (see server.hpp).
//
// Shutdown bookkeeping, as in mini-redis: run() owns a watch::Sender<bool> whose receivers are
// handed to the connections (set to true to make them stop; dropped if run() itself is dropped,
// which they treat the same way), and the receiving side of an mpsc whose senders are held by
// the connection tasks: once its own sender is dropped, recv() answering "closed" means every
// connection task has ended.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

#include <mini_redis/server.hpp>

#include <sluice/select.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/semaphore.hpp>

#include "handler.hpp"
#include "shutdown.hpp"

namespace mini_redis {
namespace {

constexpr std::chrono::seconds kMaxBackoff{64};

// Accepts one connection; on errors waits 1, 2, 4 ... 64 s between attempts, then gives up with
// the last error (mini-redis's Listener::accept).
sluice::Task<sluice::net::IoResult<sluice::net::Accepted>> accept_with_backoff(
    sluice::net::TcpListener& listener) {
  std::chrono::seconds backoff{1};
  for (;;) {
    sluice::net::IoResult<sluice::net::Accepted> accepted = co_await listener.accept();
    if (accepted) co_return std::move(accepted);
    if (backoff > kMaxBackoff) co_return std::move(accepted);
    std::fprintf(stderr, "mini-redis: accept failed: %s; retrying in %llds\n",
                 accepted.error().message().c_str(), static_cast<long long>(backoff.count()));
    co_await sluice::sleep(backoff);
    backoff *= 2;
  }
}

}  // namespace

sluice::Task<sluice::net::IoResult<void>> run(sluice::net::TcpListener listener,
                                              ShutdownSignal shutdown, ServerConfig config) {
  DbDropGuard guard;
  Db db = guard.db();
  auto inner = run(std::move(listener), std::move(shutdown), std::move(db), config);
  sluice::net::IoResult<void> result = co_await inner;
  co_return result;
}

sluice::Task<sluice::net::IoResult<void>> run(sluice::net::TcpListener listener,
                                              ShutdownSignal shutdown, Db db, ServerConfig config) {
  auto limit =
      std::make_shared<sluice::Semaphore>(std::max<std::size_t>(1, config.max_connections));
  auto notify = sluice::watch::channel<bool>(false);
  sluice::watch::Sender<bool> notify_tx = std::move(notify.first);
  sluice::watch::Receiver<bool> notify_rx = std::move(notify.second);
  auto done = sluice::mpsc::channel<bool>(1);
  std::optional<sluice::mpsc::Sender<bool>> done_tx(std::move(done.tx));
  sluice::mpsc::Receiver<bool> done_rx = std::move(done.rx);

  sluice::net::IoResult<void> result;
  for (;;) {
    // The permit first: at the limit, the next client waits in the listen backlog.
    auto acquire = sluice::select_biased(detail::shutdown_requested(shutdown),
                                         sluice::Semaphore::acquire_owned(limit));
    auto acquired = co_await acquire;
    if (acquired.index() == 0) break;
    auto permit = std::move(acquired).get<1>();
    if (!permit) break;  // cannot happen: the semaphore is never closed

    auto accept =
        sluice::select_biased(detail::shutdown_requested(shutdown), accept_with_backoff(listener));
    auto accepted = co_await accept;
    if (accepted.index() == 0) break;
    sluice::net::IoResult<sluice::net::Accepted> conn = std::move(accepted).get<1>();
    if (!conn) {
      std::fprintf(stderr, "mini-redis: giving up accepting: %s\n", conn.error().message().c_str());
      result = sluice::Err(conn.error());
      break;
    }
    auto task = detail::serve_connection(std::move(conn->stream), db, notify_rx, *done_tx,
                                         std::move(*permit));
    sluice::spawn(std::move(task)).detach();
  }

  // Stop accepting: new clients are refused from now on.
  { sluice::net::TcpListener closing = std::move(listener); }
  (void)notify_tx.send(true);
  done_tx.reset();
  std::optional<bool> last = co_await done_rx.recv();  // empty once every connection has ended
  (void)last;
  co_return result;
}

}  // namespace mini_redis
