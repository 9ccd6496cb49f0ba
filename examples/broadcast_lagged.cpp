// The lagged receiver from the channels lesson: a broadcast channel of capacity 2 receives three
// values before anyone reads; the third overwrites the first, so the receiver's first recv()
// reports that it missed 1 message. It then reads the two values still kept.
#include <cstdio>

#include <sluice/runtime.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/task.hpp>

namespace {

sluice::Task<void> run() {
  auto [tx, rx] = sluice::broadcast::channel<int>(2);  // tiny buffer

  (void)tx.send(1);
  (void)tx.send(2);
  (void)tx.send(3);  // this overwrites message 1

  auto r = co_await rx.recv();
  if (r) {
    std::printf("Got: %d\n", *r);
  } else if (r.error().is_lagged()) {
    std::printf("Missed %llu messages!\n",
                static_cast<unsigned long long>(r.error().lagged_count()));
  } else {
    std::printf("Channel closed\n");
  }

  // Beyond the seed: the receiver continues from the oldest value still kept.
  { auto drop = std::move(tx); }
  for (auto v = co_await rx.recv(); v; v = co_await rx.recv()) std::printf("Got: %d\n", *v);
  std::printf("Channel closed\n");
}

}  // namespace

int main() {
  auto rt = sluice::Runtime::current_thread();
  rt.block_on(run());
  return 0;
}
