// The README quick start, verbatim (kept in sync by hand; checked by example.quick_start).
#include <cstdio>

#include <sluice/sluice.hpp>
using namespace std::chrono_literals;

sluice::Task<int> worker(int id) {
  co_await sluice::sleep(10ms * id);
  co_return id* id;
}

int main() {
  auto rt = sluice::Runtime::multi_thread();  // one worker per core
  return rt.block_on([]() -> sluice::Task<int> {
    auto h = sluice::spawn(worker(3));  // runs concurrently
    auto t = co_await sluice::timeout(1s, worker(2));
    auto r = co_await std::move(h);                // Result<int, JoinError>
    std::printf("%d %d\n", t.value(), r.value());  // 4 9
    co_return 0;
  }());
}
