// Bounded vs unbounded: a bounded send is a future (it may wait for room); an unbounded send is
// a plain call that never waits. (The "Bounded vs Unbounded" example of the seeds.)
#include <cstdio>
#include <optional>

#include <sluice/runtime.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>

namespace mpsc = sluice::mpsc;

void print(const char* name, const std::optional<int>& v) {
  if (v) {
    std::printf("%s: Some(%d)\n", name, *v);
  } else {
    std::printf("%s: None\n", name);
  }
}

sluice::Task<> run() {
  // Bounded: a sender waits when the buffer is full.
  auto [tx, rx] = mpsc::channel<int>(10);
  // Unbounded: never waits, can use unlimited memory.
  auto [utx, urx] = mpsc::unbounded_channel<int>();

  // The bounded send is awaited (it might wait) ...
  if ((co_await tx.send(1)).is_err()) std::printf("bounded send failed\n");
  // ... the unbounded send is a plain call: no co_await.
  if (utx.send(1).is_err()) std::printf("unbounded send failed\n");

  print("bounded", co_await rx.recv());
  print("unbounded", co_await urx.recv());
}

int main() {
  auto rt = sluice::Runtime::current_thread();
  rt.block_on(run());
}
