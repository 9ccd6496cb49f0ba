// The README quick start, verbatim from `#include <cstdio>` on (tests/integration/
// quick_start_test.cpp checks both the copy and the output): the Tokio tutorial's manager task.
// One task owns the Redis connection; others send it commands over an mpsc channel, each
// command carrying a oneshot Sender for the reply. Usage: example_quick_start [host:port]
#include <cstdio>

#include <mini_redis/mini_redis.hpp>

#include <sluice/sluice.hpp>
using namespace sluice;
using namespace mini_redis;  // Client, Command (Get, Set, ...), Frame

struct Request {
  Command command;
  oneshot::Sender<ClientResult<Frame>> resp;  // where the manager sends the reply
};

Task<void> manager(mpsc::Receiver<Request> rx, Client client) {  // the one user of `client`
  while (auto req = co_await rx.recv()) {  // nullopt once every Sender is gone
    auto reply = co_await client.execute(req->command.to_frame());
    (void)req->resp.send(std::move(reply));  // fails only if the requester is gone
  }
}

int main(int argc, char** argv) {
  return Runtime::multi_thread().block_on([](std::string addr) -> Task<int> {
    auto client = co_await Client::connect(addr);
    if (!client) co_return (std::printf("no Redis server at %s\n", addr.c_str()), 1);
    auto [tx, rx] = mpsc::channel<Request>(32);
    spawn(manager(std::move(rx), std::move(*client))).detach();
    for (Command command : {Command(Set{"foo", "bar"}), Command(Get{"foo"})}) {
      auto [resp_tx, resp_rx] = oneshot::channel<ClientResult<Frame>>();
      Request req{std::move(command), std::move(resp_tx)};
      (void)co_await tx.send(std::move(req));
      auto reply = co_await std::move(resp_rx);  // .value() throws if it holds an error
      std::printf("GOT = %s\n", reply.value().value().to_string().c_str());
    }
    co_return 0;
  }(argc > 1 ? argv[1] : "127.0.0.1:6379"));
}
