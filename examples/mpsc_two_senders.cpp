// Two senders, one receiver: the channel ends once both senders are gone.
// (The "mpsc — The Workhorse" example of the seeds, with sluice's API.)
#include <cstdio>
#include <string>

#include <sluice/runtime.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>

namespace mpsc = sluice::mpsc;

sluice::Task<> send_one(mpsc::Sender<std::string> tx, std::string msg) {
  auto r = co_await tx.send(std::move(msg));
  if (r.is_err()) std::printf("send failed: %s\n", r.error().what());
}

sluice::Task<> run() {
  // Buffer size of 32: a sender waits when it is full.
  auto [tx, rx] = mpsc::channel<std::string>(32);
  auto tx2 = tx;  // multiple senders: copy = clone

  auto h1 = sluice::spawn(send_one(std::move(tx), "from sender 1"));
  auto h2 = sluice::spawn(send_one(std::move(tx2), "from sender 2"));

  // Receive until all senders are dropped.
  while (auto msg = co_await rx.recv()) std::printf("Got: %s\n", msg->c_str());
  std::printf("Channel closed — all senders dropped\n");
}

int main() {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  rt.block_on(run());
}
