// The README quick start, verbatim (kept in sync by hand; checked by example.quick_start):
// the Tokio tutorial's manager task. One task owns the Redis connection; others send it
// commands over an mpsc channel, each command carrying a oneshot Sender for the reply.
#include <cstdio>

#include <mini_redis/mini_redis.hpp>

#include <sluice/sluice.hpp>

using Reply = mini_redis::ClientResult<std::optional<std::string>>;
struct Command {  // GET key, or SET key value when `value` is set
  std::string key;
  std::optional<std::string> value;
  sluice::oneshot::Sender<Reply> resp;
};

sluice::Task<void> manager(sluice::mpsc::Receiver<Command> rx, mini_redis::Client client) {
  while (auto cmd = co_await rx.recv()) {  // nullopt once every Sender is gone
    if (!cmd->value) {
      (void)cmd->resp.send(co_await client.get(cmd->key));  // the requester may be gone
      continue;
    }
    auto done = co_await client.set(cmd->key, *cmd->value);
    (void)cmd->resp.send(done ? Reply(cmd->value) : sluice::Err(done.error()));
  }
}

int main() {
  auto rt = sluice::Runtime::multi_thread();
  return rt.block_on([]() -> sluice::Task<int> {
    // A mini-redis server in this process (the tutorial connects to 127.0.0.1:6379).
    auto listener = sluice::net::TcpListener::bind("127.0.0.1:0").value();
    auto addr = listener.local_addr().value();
    auto [stop, stop_rx] = sluice::watch::channel<bool>(false);
    sluice::spawn(mini_redis::run(std::move(listener), stop_rx)).detach();

    auto [tx, rx] = sluice::mpsc::channel<Command>(32);
    auto client = co_await mini_redis::Client::connect(addr);
    sluice::spawn(manager(std::move(rx), std::move(client.value()))).detach();
    std::optional<std::string> values[] = {"bar", std::nullopt};  // SET foo bar, then GET foo
    for (auto& value : values) {
      auto [resp_tx, resp_rx] = sluice::oneshot::channel<Reply>();
      Command cmd{"foo", value, std::move(resp_tx)};
      (void)co_await tx.send(std::move(cmd));
      auto reply = co_await std::move(resp_rx);
      std::printf("GOT = %s\n", reply.value().value().value_or("(nil)").c_str());
    }
    co_return 0;
  }());
}
