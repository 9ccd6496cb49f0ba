// A tour of the sluice runtime in one screen (was the first `make demo`).
//
// Spawns workers that sleep for different times on a 2-worker multi-thread runtime, joins them,
// races a slow future against a timeout, and shows that a task that throws reports it through
// its JoinHandle while the runtime keeps running. Then the tutorial's pattern: a manager task
// owns a resource (here a map; in mini-redis a connection) and serves commands sent over an mpsc
// channel, each carrying a oneshot sender for its reply. The output is deterministic (checked by
// the example.runtime_tour test).
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sluice/join.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/task.hpp>
#include <sluice/timeout.hpp>

using namespace std::chrono_literals;

namespace {

sluice::Task<std::string> worker(int id, std::chrono::milliseconds nap) {
  co_await sluice::sleep(nap);
  co_return "worker " + std::to_string(id) + " slept " + std::to_string(nap.count()) + " ms";
}

sluice::Task<int> slow_answer() {
  co_await sluice::sleep(10s);
  co_return 42;
}

sluice::Task<int> fails() {
  co_await sluice::sleep(1ms);
  throw std::runtime_error("boom");
}

// ---- the manager-task pattern -------------------------------------------------------------------

struct Command {
  enum Kind { Get, Set } kind;
  std::string key;
  std::string value;  // Set only
  sluice::oneshot::Sender<std::optional<std::string>> reply;
};

/// Owns the map; the only task that touches it. Ends when every Sender is gone.
sluice::Task<void> manager(sluice::mpsc::Receiver<Command> rx) {
  std::map<std::string, std::string> db;
  while (auto cmd = co_await rx.recv()) {
    std::optional<std::string> out;
    if (cmd->kind == Command::Get) {
      if (auto it = db.find(cmd->key); it != db.end()) out = it->second;
    } else {
      db[cmd->key] = cmd->value;
    }
    (void)cmd->reply.send(std::move(out));  // the caller may have gone: ignore
  }
}

sluice::Task<std::optional<std::string>> request(sluice::mpsc::Sender<Command> tx,
                                                 Command::Kind kind, std::string key,
                                                 std::string value) {
  auto [reply_tx, reply_rx] = sluice::oneshot::channel<std::optional<std::string>>();
  Command cmd{kind, std::move(key), std::move(value), std::move(reply_tx)};
  if (!co_await tx.send(std::move(cmd))) co_return std::nullopt;  // manager gone
  auto r = co_await std::move(reply_rx);
  co_return r ? std::move(*r) : std::nullopt;
}

sluice::Task<void> channels() {
  auto [tx, rx] = sluice::mpsc::channel<Command>(32);
  auto mgr = sluice::spawn(manager(std::move(rx)));

  (void)co_await request(tx, Command::Set, "foo", "bar");
  auto got = co_await request(tx, Command::Get, "foo", "");
  std::printf("GOT = %s\n", got ? got->c_str() : "(nil)");

  // 100 concurrent clients share the one manager through copies of the Sender.
  std::vector<sluice::JoinHandle<std::optional<std::string>>> clients;
  for (int i = 0; i < 100; ++i) {
    clients.push_back(
        sluice::spawn(request(tx, Command::Set, "k" + std::to_string(i), std::to_string(i * i))));
  }
  for (auto& c : clients) (void)co_await std::move(c);
  auto k7 = co_await request(tx, Command::Get, "k7", "");
  std::printf("100 clients done; k7 = %s\n", k7 ? k7->c_str() : "(nil)");

  { auto last = std::move(tx); }  // the last Sender goes: the manager's recv() yields nullopt
  (void)co_await std::move(mgr);
  std::printf("manager stopped after the last sender was dropped\n");
}

sluice::Task<int> run() {
  // 1. Spawn: tasks run concurrently on the workers; JoinHandles give their outputs back.
  std::vector<sluice::JoinHandle<std::string>> handles;
  for (int i = 0; i < 4; ++i)
    handles.push_back(sluice::spawn(worker(i, std::chrono::milliseconds(5 * (4 - i)))));
  for (auto& h : handles) {
    auto r = co_await std::move(h);
    std::printf("joined: %s\n", r.value().c_str());
  }

  // 2. join: run futures concurrently inside this task and wait for all of them.
  auto [a, b] = co_await sluice::join(worker(10, 2ms), worker(11, 1ms));
  std::printf("join: [%s] [%s]\n", a.c_str(), b.c_str());

  // 3. timeout: the slow future is cancelled (destroyed) when the deadline passes.
  auto t = co_await sluice::timeout(20ms, slow_answer());
  std::printf("timeout: %s\n", t ? "finished" : "elapsed, slow_answer cancelled");

  // 4. select: the first branch to finish wins; the loser is cancelled.
  auto s = co_await sluice::select(slow_answer(), worker(12, 3ms));
  std::printf("select: branch %zu won: %s\n", s.index(), s.get<1>().c_str());

  // 5. A task that throws: its JoinHandle reports the exception; the runtime keeps running.
  auto bad = co_await sluice::spawn(fails());
  if (!bad && bad.error().is_exception())
    std::printf("failed task reported: %s\n", bad.error().what().c_str());
  auto after = co_await sluice::spawn(worker(13, 1ms));
  std::printf("still running: %s\n", after.value().c_str());

  // 6. Channels: mpsc of commands, oneshot replies (the Tokio tutorial's manager task).
  co_await channels();
  co_return 0;
}

}  // namespace

int main() {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  return rt.block_on(run());
}
