// The actor pattern (tutorial seeds 000-002, "Channels": the manager task and its Command enum
// with a Responder; seed 004: "this is how you build an actor"): one task owns a key-value map
// and is the only code that touches it. Other tasks send it Get / Set commands over an mpsc
// channel, through their own copies of the Sender; each command carries the oneshot Sender on
// which the actor replies.
//
// Four client tasks run concurrently on a two-worker runtime. Each keeps its replies as lines
// and main prints them client by client, so the output does not depend on scheduling. Then
// main drops the last Sender: the actor's recv() returns nullopt, the actor loop ends, and its
// task finishes with the final size of the map.
//
// Differences from the tutorial: the map stands in for the mini-redis connection; Set replies
// with the previous value (as HashMap::insert returns it) instead of (); a requester that finds
// the actor gone gets oneshot::RecvError, like awaiting a responder the actor dropped.
#include <cstdio>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <sluice/result.hpp>
#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/task.hpp>

namespace {

namespace mpsc = sluice::mpsc;
namespace oneshot = sluice::oneshot;

/// Provided by the requester and used by the actor to send the reply back.
template <class T>
using Responder = oneshot::Sender<T>;

/// Reads `key`; replies with its value, or nullopt.
struct Get {
  std::string key;
  Responder<std::optional<std::string>> resp;
};

/// Stores `val` under `key`; replies with the value it replaced, or nullopt.
struct Set {
  std::string key;
  std::string val;
  Responder<std::optional<std::string>> resp;
};

/// Every kind of request, multiplexed over one channel.
using Command = std::variant<Get, Set>;

/// The actor: owns the map, serves commands until every Sender is gone, returns the final size.
sluice::Task<std::size_t> actor(mpsc::Receiver<Command> rx) {
  std::unordered_map<std::string, std::string> db;
  while (auto cmd = co_await rx.recv()) {
    std::visit(
        [&](auto& c) {
          using C = std::decay_t<decltype(c)>;
          std::optional<std::string> reply;
          if constexpr (std::is_same_v<C, Get>) {
            if (auto it = db.find(c.key); it != db.end()) reply = it->second;
          } else {
            auto [it, inserted] = db.try_emplace(c.key, c.val);
            if (!inserted) reply = std::exchange(it->second, c.val);
          }
          (void)c.resp.send(std::move(reply));  // the requester may have gone: ignore
        },
        *cmd);
  }
  std::printf("actor: every Sender dropped, recv() returned nullopt; stopping with %zu keys\n",
              db.size());
  co_return db.size();
}

/// What a requester gets back: the reply, or RecvError when the actor is gone (it dropped the
/// responder without replying, or the command could not even be sent).
using Reply = sluice::Result<std::optional<std::string>, oneshot::RecvError>;

/// Sends `cmd` to the actor and awaits the reply on `resp`.
sluice::Task<Reply> request(mpsc::Sender<Command> tx, Command cmd,
                            oneshot::Receiver<std::optional<std::string>> resp) {
  // The result goes into a named local, not straight into `if (!co_await ...)`: g++ 12.2 skips
  // the whole body of a coroutine that has no local variable and a co_await in an if or while
  // condition (it jumps to the final suspend on the first resume).
  auto sent = co_await tx.send(std::move(cmd));
  if (!sent) co_return sluice::Err(oneshot::RecvError{});
  co_return co_await std::move(resp);
}

// get() and set() are plain functions: the Command aggregate is built here, outside any
// co_await expression (STYLE.md habit 11), and moved into request()'s frame.

/// GET key.
sluice::Task<Reply> get(mpsc::Sender<Command> tx, std::string key) {
  auto [resp_tx, resp_rx] = oneshot::channel<std::optional<std::string>>();
  Command cmd{Get{std::move(key), std::move(resp_tx)}};
  return request(std::move(tx), std::move(cmd), std::move(resp_rx));
}

/// SET key val.
sluice::Task<Reply> set(mpsc::Sender<Command> tx, std::string key, std::string val) {
  auto [resp_tx, resp_rx] = oneshot::channel<std::optional<std::string>>();
  Command cmd{Set{std::move(key), std::move(val), std::move(resp_tx)}};
  return request(std::move(tx), std::move(cmd), std::move(resp_rx));
}

/// "\"value\"", "nil", or "(actor gone)".
std::string show(const Reply& r) {
  if (!r) return "(actor gone)";
  return *r ? "\"" + **r + "\"" : "nil";
}

/// One client: sets its key twice and reads it back, through its own copy of the Sender.
/// Returns its lines instead of printing them, so main can print them in client order.
sluice::Task<std::vector<std::string>> client(mpsc::Sender<Command> tx, int id) {
  const std::string key = "client-" + std::to_string(id);
  const std::string v1 = "v" + std::to_string(id);
  const std::string v2 = v1 + "-updated";
  std::vector<std::string> lines;
  auto prev = co_await set(tx, key, v1);
  lines.push_back("SET " + key + " " + v1 + " -> previous " + show(prev));
  auto got = co_await get(tx, key);
  lines.push_back("GET " + key + " -> " + show(got));
  auto prev2 = co_await set(tx, key, v2);
  lines.push_back("SET " + key + " " + v2 + " -> previous " + show(prev2));
  co_return lines;
}

sluice::Task<int> run() {
  auto [tx, rx] = mpsc::channel<Command>(32);
  auto actor_handle = sluice::spawn(actor(std::move(rx)));

  std::vector<sluice::JoinHandle<std::vector<std::string>>> clients;
  for (int id = 0; id < 4; ++id) clients.push_back(sluice::spawn(client(tx, id)));  // tx copied
  for (std::size_t id = 0; id < clients.size(); ++id) {
    auto lines = co_await std::move(clients[id]);
    if (!lines) co_return 1;
    for (const auto& line : *lines) std::printf("[client %zu] %s\n", id, line.c_str());
  }

  for (std::string key : {"client-2", "nobody"}) {
    auto got = co_await get(tx, key);
    std::printf("[main] GET %s -> %s\n", key.c_str(), show(got).c_str());
  }

  // Clean shutdown: the clients' copies are gone with their tasks; dropping main's copy, the
  // last one, closes the channel. The actor drains what is queued, then its recv() returns
  // nullopt and the task ends.
  std::printf("[main] dropping the last Sender\n");
  { auto last = std::move(tx); }
  auto keys = co_await std::move(actor_handle);
  if (!keys) co_return 1;
  std::printf("[main] actor task ended; it held %zu keys\n", *keys);
  co_return 0;
}

}  // namespace

int main() {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  return rt.block_on(run());
}
