// Copying a sluice::Task must not compile: a Task owns its coroutine frame (move-only, like
// Rust futures). Move it instead: `auto u = std::move(t);`.
// expect: [Tt]ask
// expect-gcc: use of deleted function
// expect-clang: call to deleted constructor
#include <sluice/task.hpp>

sluice::Task<int> make() { co_return 1; }

void copy_it() {
  auto t = make();
  auto u = t;  // error: Task(const Task&) is deleted
  (void)u;
}
