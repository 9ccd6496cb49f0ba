// The README quick start, verbatim from `#include <cstdio>` on (tests/integration/
// quick_start_test.cpp checks both the copy and the output): the Tokio tutorial's manager task.
// One task owns the Redis connection; others send it commands over an mpsc channel, each
// command carrying a oneshot Sender for the reply. Usage: example_quick_start [host:port]
// Request is a std::pair, not an aggregate struct: g++ 12 destroys an aggregate temporary built
// inside a co_await twice (docs/design/task-model.md); a constructed one is fine.
#include <cstdio>

#include <mini_redis/mini_redis.hpp>  // mini-redis's Client, Command, Frame; and all of sluice
using namespace sluice;
using namespace mini_redis;

using Request = std::pair<Command, oneshot::Sender<ClientResult<Frame>>>;  // command + reply sender
Task<void> manager(mpsc::Receiver<Request> rx, Client client) {  // the one user of `client`
  while (auto req = co_await rx.recv()) (void)req->second.send(co_await client.execute(req->first));
}
Task<void> run(std::string addr) {  // .value(): Rust's unwrap (run_main prints why, exits 1)
  auto [tx, rx] = mpsc::channel<Request>(32);
  spawn(manager(std::move(rx), (co_await Client::connect(addr)).value())).detach();
  for (Command command : {Command(Set{"foo", "bar"}), Command(Get{"foo"})}) {
    auto [resp_tx, resp_rx] = oneshot::channel<ClientResult<Frame>>();
    (void)co_await tx.send(Request{std::move(command), std::move(resp_tx)});
    std::printf("GOT = %s\n", (co_await std::move(resp_rx)).value().value().to_string().c_str());
  }
}
int main(int argc, char** argv) { return run_main(run(argc > 1 ? argv[1] : "127.0.0.1:6379")); }
