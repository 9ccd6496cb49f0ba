// An mpsc::Receiver is move-only: there is one receiver per channel.
// expect-gcc: use of deleted function
// expect-clang: call to (implicitly-deleted copy|deleted) constructor
#include <sluice/sync/mpsc.hpp>

int main() {
  auto [tx, rx] = sluice::mpsc::channel<int>(1);
  sluice::mpsc::Receiver<int> copy = rx;  // must not compile
  (void)copy;
}
