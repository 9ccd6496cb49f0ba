// The watch config reloader from the channels lesson: two workers react to configuration
// changes published on a watch channel; when the sender goes, changed() reports an error and
// the workers stop.
//
// Differences from the seed: instead of sleeping and hoping each worker ran in between, main
// waits after each update until both workers acknowledged it, through a second watch channel
// (a counter the workers bump, main waits on with wait_for). The output is the same.
#include <cstdint>
#include <cstdio>
#include <utility>

#include <sluice/runtime.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>

namespace {

struct Config {
  std::uint32_t max_connections;
  std::uint64_t timeout_ms;
};

using sluice::watch::Receiver;
using Acks = sluice::watch::Sender<int>;

/// Prints every configuration it sees.
sluice::Task<void> worker(Receiver<Config> rx, Acks acks) {
  for (;;) {
    if (!co_await rx.changed()) break;  // sender dropped
    const Config config = *rx.borrow();
    std::printf("[worker] Config updated: Config { max_connections: %u, timeout_ms: %llu }\n",
                config.max_connections, static_cast<unsigned long long>(config.timeout_ms));
    acks.send_modify([](int& n) { ++n; });
  }
}

/// Reports the timeout only.
sluice::Task<void> monitor(Receiver<Config> rx, Acks acks) {
  for (;;) {
    if (!co_await rx.changed()) break;
    const Config config = *rx.borrow();
    std::printf("[monitor] New timeout: %llums\n",
                static_cast<unsigned long long>(config.timeout_ms));
    acks.send_modify([](int& n) { ++n; });
  }
}

sluice::Task<void> run() {
  auto [tx, rx] = sluice::watch::channel<Config>(Config{100, 5000});
  auto [ack_tx, ack_rx] = sluice::watch::channel<int>(0);

  auto w1 = sluice::spawn(worker(rx, ack_tx));
  auto w2 = sluice::spawn(monitor(rx, ack_tx));
  { auto drop = std::move(ack_tx); }

  (void)tx.send(Config{200, 3000});
  (void)co_await ack_rx.wait_for([](int n) { return n >= 2; });

  (void)tx.send(Config{200, 1000});
  (void)co_await ack_rx.wait_for([](int n) { return n >= 4; });

  { auto drop = std::move(tx); }  // the workers' changed() now fails: they stop
  (void)co_await std::move(w1);
  (void)co_await std::move(w2);
}

}  // namespace

int main() {
  auto rt = sluice::Runtime::multi_thread();
  rt.block_on(run());
  return 0;
}
