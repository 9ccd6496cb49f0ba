// oneshot request-response, from the channels lesson (seed 004, "oneshot — Request-Response"):
// a db_worker task drains DbQuery requests from an mpsc channel; each request carries the
// oneshot Sender on which the worker answers. main sends two queries, one after the other, and
// awaits each answer before sending the next, so the output is deterministic.
//
// Differences from the seed: the two identical request blocks are one helper, ask(); the
// DbQuery is built in a named local before `co_await tx.send` (g++ 12 may destroy a temporary
// inside a co_await expression twice: STYLE.md habit 11); the worker's JoinHandle is dropped
// explicitly (detached, as an ignored tokio::spawn handle is). The worker ends when the last
// Sender goes and its recv() returns nullopt.
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <sluice/runtime.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/task.hpp>

namespace {

namespace mpsc = sluice::mpsc;
namespace oneshot = sluice::oneshot;

/// A query and where to send its rows back.
struct DbQuery {
  std::string sql;
  oneshot::Sender<std::vector<std::string>> respond_to;
};

/// Rust's {:?} rendering of a Vec<String>: ["a", "b"].
std::string debug(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
  return out + "]";
}

/// Answers every query until every Sender of the request channel is gone.
sluice::Task<void> db_worker(mpsc::Receiver<DbQuery> rx) {
  while (auto query = co_await rx.recv()) {
    // Simulate database work.
    co_await sluice::sleep(std::chrono::milliseconds(50));
    std::vector<std::string> results{"result for: " + query->sql};

    // Send the result back to the requester (it may have gone: ignore the error).
    (void)query->respond_to.send(std::move(results));
  }
}

/// Sends `sql` to the worker and waits for its answer; false if the worker or the answer is gone.
sluice::Task<bool> ask(mpsc::Sender<DbQuery> tx, std::string sql) {
  auto [resp_tx, resp_rx] = oneshot::channel<std::vector<std::string>>();
  DbQuery query{std::move(sql), std::move(resp_tx)};  // a named local, not a temporary in co_await
  if (!co_await tx.send(std::move(query))) co_return false;

  auto results = co_await std::move(resp_rx);
  if (!results) co_return false;
  std::printf("Query results: %s\n", debug(*results).c_str());
  co_return true;
}

sluice::Task<int> run() {
  auto [tx, rx] = mpsc::channel<DbQuery>(32);

  (void)sluice::spawn(db_worker(std::move(rx)));  // detached

  // Make a query and get the result back.
  if (!co_await ask(tx, "SELECT * FROM users")) co_return 1;

  // Make another query.
  if (!co_await ask(tx, "SELECT * FROM orders")) co_return 1;
  co_return 0;
}

}  // namespace

int main() {
  auto rt = sluice::Runtime::multi_thread();
  return rt.block_on(run());
}
