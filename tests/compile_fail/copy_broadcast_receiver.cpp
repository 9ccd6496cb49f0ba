// Copying a broadcast::Receiver must not compile: each receiver owns its cursor. Use
// `rx.resubscribe()` for a new receiver at the tail, or `tx.subscribe()`.
// expect: [Rr]eceiver
// expect-gcc: use of deleted function
// expect-clang: call to deleted constructor
#include <sluice/sync/broadcast.hpp>

void copy_it() {
  auto [tx, rx] = sluice::broadcast::channel<int>(4);
  auto r2 = rx;  // error: Receiver(const Receiver&) is deleted
  (void)r2;
}
