// Copying a oneshot::Receiver must not compile: the channel carries one value to one receiver
// (move-only, like Tokio's). Move it instead: `auto r2 = std::move(rx);`.
// expect: [Rr]eceiver
// expect-gcc: use of deleted function
// expect-clang: call to deleted constructor
#include <sluice/sync/oneshot.hpp>

void copy_it() {
  auto [tx, rx] = sluice::oneshot::channel<int>();
  auto r2 = rx;  // error: Receiver(const Receiver&) is deleted
  (void)r2;
}
