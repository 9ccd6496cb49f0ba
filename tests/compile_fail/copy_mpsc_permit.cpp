// An mpsc::Permit is one slot: it cannot be copied.
// expect-gcc: use of deleted function
// expect-clang: call to (implicitly-deleted copy|deleted) constructor
#include <sluice/sync/mpsc.hpp>

int main() {
  auto [tx, rx] = sluice::mpsc::channel<int>(1);
  auto p = tx.try_reserve();
  sluice::mpsc::Permit<int> copy = *p;  // must not compile
  (void)copy;
}
