// The program every consumer test (find_package, add_subdirectory, pkg-config)
// builds and runs: it must compile against the installed headers, link
// libsluice.a and print "consumer ok 84".
#include <cstdio>

#include <sluice/context.hpp>
#include <sluice/coop_budget.hpp>
#include <sluice/task.hpp>
#include <sluice/waker.hpp>

namespace {

sluice::Task<int> answer() { co_return 42; }

sluice::Task<int> twice() {
  int a = co_await answer();
  co_return 2 * a;
}

}  // namespace

int main() {
  auto task = twice();
  auto budget = sluice::coop::Budget::initial();
  sluice::Context cx(sluice::Waker::noop(), budget);
  auto result = task.poll(cx);
  if (!result.is_ready() || result.value() != 84) {
    std::puts("consumer FAILED");
    return 1;
  }
  std::printf("consumer ok %d\n", result.value());
  return 0;
}
