// Don't ignore send errors: once the receiver is gone, send fails and hands the value back.
// (The "Don't ignore send errors" example of the seeds, with sluice's API.)
#include <cstdio>
#include <string>

#include <sluice/runtime.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/task.hpp>

namespace mpsc = sluice::mpsc;

sluice::Task<> run() {
  auto [tx, rx] = mpsc::channel<std::string>(10);
  { auto dropped = std::move(rx); }  // the receiver is gone

  // This would silently discard the error: DON'T do this.
  //   (void)co_await tx.send("hello");

  // Handle the error (it holds the message that was not delivered).
  auto r = co_await tx.send("hello");
  if (r.is_err()) {
    std::printf("Receiver dropped — nobody is listening\n");
    std::printf("undelivered: %s (%s)\n", r.error().value.c_str(), r.error().what());
  }
}

int main() {
  auto rt = sluice::Runtime::current_thread();
  rt.block_on(run());
}
