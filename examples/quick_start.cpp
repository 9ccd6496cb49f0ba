// The README quick start, verbatim from `#include <cstdio>` on (tests/integration/
// quick_start_test.cpp checks both the copy and the output): the Tokio tutorial's manager task.
// One task owns the Redis connection; others send it commands over an mpsc channel, each
// command carrying a oneshot Sender for the reply. Usage: example_quick_start [host:port]
#include <cstdio>

#include <mini_redis/mini_redis.hpp>

#include <sluice/sluice.hpp>
using namespace sluice;

using Reply = mini_redis::ClientResult<std::optional<std::string>>;
struct Command {  // GET key, or SET key value when `value` is set
  std::string key;
  std::optional<std::string> value;
  oneshot::Sender<Reply> resp;
};

Task<void> manager(mpsc::Receiver<Command> rx, mini_redis::Client client) {
  while (auto cmd = co_await rx.recv()) {  // nullopt once every Sender is gone
    Reply reply = cmd->value;              // SET answers with the value it stored
    if (!cmd->value)
      reply = co_await client.get(cmd->key);
    else if (auto done = co_await client.set(cmd->key, *cmd->value); !done)
      reply = Err(done.error());
    (void)cmd->resp.send(std::move(reply));  // the requester may be gone
  }
}

int main(int argc, char** argv) {
  return Runtime::multi_thread().block_on([](std::string addr) -> Task<int> {
    auto client = co_await mini_redis::Client::connect(addr);
    if (!client) co_return (std::printf("no Redis server at %s\n", addr.c_str()), 1);
    auto [tx, rx] = mpsc::channel<Command>(32);
    spawn(manager(std::move(rx), std::move(*client))).detach();
    std::optional<std::string> values[] = {"bar", std::nullopt};  // SET foo bar, then GET foo
    for (auto& value : values) {
      auto [resp_tx, resp_rx] = oneshot::channel<Reply>();
      Command cmd{"foo", value, std::move(resp_tx)};
      (void)co_await tx.send(std::move(cmd));
      auto reply = co_await std::move(resp_rx);  // .value() throws if it holds an error
      std::printf("GOT = %s\n", reply.value().value().value_or("(nil)").c_str());
    }
    co_return 0;
  }(argc > 1 ? argv[1] : "127.0.0.1:6379"));
}
