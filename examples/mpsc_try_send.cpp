// try_send on a full channel returns at once with the value in a Full error.
// (The "try_send — Non-blocking Send" example of the seeds, with sluice's API.)
#include <cstdio>

#include <sluice/runtime.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>

namespace mpsc = sluice::mpsc;

sluice::Task<> run() {
  auto [tx, rx] = mpsc::channel<int>(2);  // small buffer
  (void)co_await tx.send(1);
  (void)co_await tx.send(2);

  // The buffer is full: try_send returns immediately with an error holding the value.
  auto r = tx.try_send(3);
  if (r.has_value()) {
    std::printf("Sent\n");
  } else if (r.error().is_full()) {
    std::printf("Channel full, couldn't send %d\n", r.error().value);
  } else {
    std::printf("Channel closed, couldn't send %d\n", r.error().value);
  }

  auto got = co_await rx.recv();
  if (got) {
    std::printf("Received: Some(%d)\n", *got);
  } else {
    std::printf("Received: None\n");
  }
}

int main() {
  auto rt = sluice::Runtime::current_thread();
  rt.block_on(run());
}
