// `make demo`: the Tokio channels tutorial, for real, over TCP.
//
// 1. Finds a Redis: 127.0.0.1:6379 if a server answers PING there, else it starts the
//    mini-redis server in-process on a free loopback port (so it works on a fresh machine).
// 2. The tutorial's example: one task (the manager) owns the connection; other tasks send it
//    commands over an mpsc channel, each command carrying a oneshot sender for its reply. Two
//    tasks, one GET and one SET, print what they GOT.
// 3. 1000 tasks send commands through the same manager and the demo prints requests/s; then the
//    same 1000 tasks through mini_redis::BufferedClient, the same pattern with a manager that
//    pipelines (many requests in flight on the one connection).
//
// Against a real Redis it writes the keys foo and sluice-demo:0..999.
//
// The output varies (which of GET and SET runs first, the rates), so instead of an expectation
// file it is checked by tests/integration/demo_test.cpp.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <mini_redis/buffered_client.hpp>
#include <mini_redis/client.hpp>
#include <mini_redis/server.hpp>

#include <sluice/join_handle.hpp>
#include <sluice/net.hpp>
#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>
#include <sluice/timeout.hpp>

using namespace std::chrono_literals;

namespace {

// ---- the tutorial's types -----------------------------------------------------------------------

/// Provided by the requester and used by the manager task to send the reply back.
template <class T>
using Responder = sluice::oneshot::Sender<mini_redis::ClientResult<T>>;

struct Get {
  std::string key;
  Responder<std::optional<std::string>> resp;
};

struct Set {
  std::string key;
  std::string val;
  Responder<void> resp;
};

using Command = std::variant<Get, Set>;

/// The manager: the only task that touches the connection. Ends when every Sender is gone.
sluice::Task<void> manager(sluice::mpsc::Receiver<Command> rx, mini_redis::Client client) {
  for (;;) {
    std::optional<Command> cmd = co_await rx.recv();
    if (!cmd) break;
    if (auto* get = std::get_if<Get>(&*cmd)) {
      mini_redis::ClientResult<std::optional<std::string>> res = co_await client.get(get->key);
      (void)get->resp.send(std::move(res));  // the requester may have gone: ignore
    } else {
      auto& set = std::get<Set>(*cmd);
      mini_redis::ClientResult<void> res = co_await client.set(set.key, set.val);
      (void)set.resp.send(std::move(res));
    }
  }
}

std::string show(const mini_redis::ClientResult<std::optional<std::string>>& r) {
  if (!r) return "error: " + r.error().message();
  return *r ? "\"" + **r + "\"" : std::string("(nil)");
}

std::string show(const mini_redis::ClientResult<void>& r) {
  return r ? std::string("OK") : "error: " + r.error().message();
}

sluice::Task<void> get_task(sluice::mpsc::Sender<Command> tx, std::string key) {
  auto [resp_tx, resp_rx] =
      sluice::oneshot::channel<mini_redis::ClientResult<std::optional<std::string>>>();
  Command cmd = Get{key, std::move(resp_tx)};
  auto sent = co_await tx.send(std::move(cmd));
  if (!sent) co_return;
  auto res = co_await std::move(resp_rx);
  if (res) std::printf("GOT (get %s) = %s\n", key.c_str(), show(*res).c_str());
}

sluice::Task<void> set_task(sluice::mpsc::Sender<Command> tx, std::string key, std::string val) {
  auto [resp_tx, resp_rx] = sluice::oneshot::channel<mini_redis::ClientResult<void>>();
  Command cmd = Set{key, val, std::move(resp_tx)};
  auto sent = co_await tx.send(std::move(cmd));
  if (!sent) co_return;
  auto res = co_await std::move(resp_rx);
  if (res) std::printf("GOT (set %s %s) = %s\n", key.c_str(), val.c_str(), show(*res).c_str());
}

// ---- 1000 tasks -------------------------------------------------------------------------------

constexpr int kTasks = 1000;

/// One requester through the manager: SET its key, GET it back. True when the value matches.
sluice::Task<bool> round_trip(sluice::mpsc::Sender<Command> tx, int i) {
  std::string key = "sluice-demo:" + std::to_string(i);
  std::string val = "v" + std::to_string(i);
  auto [set_tx, set_rx] = sluice::oneshot::channel<mini_redis::ClientResult<void>>();
  Command set = Set{key, val, std::move(set_tx)};
  auto sent = co_await tx.send(std::move(set));
  if (!sent) co_return false;
  auto set_res = co_await std::move(set_rx);
  if (!set_res || !*set_res) co_return false;
  auto [get_tx, get_rx] =
      sluice::oneshot::channel<mini_redis::ClientResult<std::optional<std::string>>>();
  Command get = Get{key, std::move(get_tx)};
  auto sent2 = co_await tx.send(std::move(get));
  if (!sent2) co_return false;
  auto got = co_await std::move(get_rx);
  co_return got&&* got&&** got&&*** got == val;
}

/// The same requester through BufferedClient.
sluice::Task<bool> buffered_round_trip(mini_redis::BufferedClient client, int i) {
  std::string key = "sluice-demo:" + std::to_string(i);
  std::string val = "b" + std::to_string(i);
  auto set = co_await client.set(key, val);
  if (!set) co_return false;
  auto got = co_await client.get(key);
  co_return got&&* got&&** got == val;
}

template <class MakeTask>
sluice::Task<double> run_tasks(const char* what, MakeTask make) {
  auto start = std::chrono::steady_clock::now();
  std::vector<sluice::JoinHandle<bool>> tasks;
  tasks.reserve(kTasks);
  for (int i = 0; i < kTasks; ++i) tasks.push_back(sluice::spawn(make(i)));
  int ok = 0;
  for (auto& t : tasks) {
    auto r = co_await std::move(t);
    if (r && *r) ++ok;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rate = 2.0 * kTasks / secs;
  std::printf("%d tasks, %d requests %s: %d/%d correct, %.0f requests/s\n", kTasks, 2 * kTasks,
              what, ok, kTasks, rate);
  co_return rate;
}

// ---- finding a Redis --------------------------------------------------------------------------

/// A Client to 127.0.0.1:6379 if a Redis answers PING there within 500 ms.
sluice::Task<std::optional<mini_redis::Client>> local_redis() {
  auto connect = sluice::timeout(500ms, mini_redis::Client::connect("127.0.0.1:6379"));
  auto conn = co_await std::move(connect);
  if (!conn || !*conn) co_return std::nullopt;
  mini_redis::Client client = std::move(**conn);
  auto ping = sluice::timeout(500ms, client.ping());
  auto pong = co_await std::move(ping);
  if (!pong || !*pong) co_return std::nullopt;
  co_return std::optional<mini_redis::Client>(std::move(client));
}

sluice::Task<int> demo() {
  std::string addr = "127.0.0.1:6379";
  std::optional<mini_redis::Client> client = co_await local_redis();
  auto [stop_tx, stop_rx] = sluice::watch::channel<bool>(false);
  sluice::JoinHandle<sluice::net::IoResult<void>> server;
  if (client) {
    std::printf("redis: a Redis server answers at %s\n", addr.c_str());
  } else {
    auto listener = sluice::net::TcpListener::bind("127.0.0.1:0");
    if (!listener) {
      std::printf("cannot listen: %s\n", listener.error().message().c_str());
      co_return 1;
    }
    addr = listener->local_addr()->to_string();
    server = sluice::spawn(mini_redis::run(std::move(*listener), stop_rx));
    std::printf("redis: nothing at 127.0.0.1:6379; started mini-redis in-process at %s\n",
                addr.c_str());
    auto connected = co_await mini_redis::Client::connect(addr);
    if (!connected) {
      std::printf("cannot connect: %s\n", connected.error().message().c_str());
      co_return 1;
    }
    client.emplace(std::move(*connected));
  }

  // The tutorial: a manager task owning the connection, two tasks talking to it.
  auto [tx, rx] = sluice::mpsc::channel<Command>(32);
  auto manager_task = sluice::spawn(manager(std::move(rx), std::move(*client)));
  auto t1 = sluice::spawn(get_task(tx, "foo"));
  auto t2 = sluice::spawn(set_task(tx, "foo", "bar"));
  (void)co_await std::move(t1);
  (void)co_await std::move(t2);

  // 1000 tasks through the same manager, then through the pipelining BufferedClient.
  // The task makers are locals, not temporaries inside the co_await: g++ 12 may destroy such a
  // temporary twice (docs/design/task-model.md), which for a lambda holding a client is a
  // double release.
  auto via_manager = [&tx = tx](int i) { return round_trip(tx, i); };
  double one_by_one = co_await run_tasks("through the manager task", via_manager);
  {
    sluice::mpsc::Sender<Command> last = std::move(tx);
  }  // every Sender gone: the manager's recv() ends and it returns
  (void)co_await std::move(manager_task);

  auto buffered = co_await mini_redis::BufferedClient::connect(addr);
  if (!buffered) {
    std::printf("cannot connect: %s\n", buffered.error().message().c_str());
    co_return 1;
  }
  auto via_buffered = [client = *buffered](int i) { return buffered_round_trip(client, i); };
  double pipelined = co_await run_tasks("through BufferedClient (pipelined manager)", via_buffered);
  std::printf("pipelining: %.1fx the one-request-at-a-time manager\n", pipelined / one_by_one);

  if (server.valid()) {
    (void)stop_tx.send(true);  // graceful shutdown of the in-process server
    auto stopped = co_await std::move(server);
    std::printf("mini-redis stopped %s\n", stopped && *stopped ? "cleanly" : "with an error");
  }
  co_return 0;
}

}  // namespace

int main() {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  return rt.block_on(demo());
}
