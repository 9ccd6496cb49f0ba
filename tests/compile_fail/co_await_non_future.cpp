// Inside a sluice::Task, `co_await` accepts only a sluice::Future or another sluice::Task; any
// other type must be rejected with the readable static_assert message of task.hpp.
// expect: sluice::Task can only co_await a sluice::Future
#include <sluice/task.hpp>

struct NotAFuture {
  int poll() { return 0; }  // wrong shape: no Output, wrong signature
};

sluice::Task<void> body() {
  NotAFuture x;
  co_await x;
}
