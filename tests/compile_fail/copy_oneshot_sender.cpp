// Copying a oneshot::Sender must not compile: one value is sent, once.
// expect: [Ss]ender
// expect-gcc: use of deleted function
// expect-clang: call to deleted constructor
#include <sluice/sync/oneshot.hpp>

void copy_it() {
  auto [tx, rx] = sluice::oneshot::channel<int>();
  auto t2 = tx;  // error: Sender(const Sender&) is deleted
  (void)t2;
}
