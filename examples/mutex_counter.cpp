// The seeds' "don't use channels when a mutex works": ten tasks increment a shared counter
// through an async Mutex (tokio::sync::Mutex in the original).
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include <sluice/runtime.hpp>
#include <sluice/spawn.hpp>
#include <sluice/sync/mutex.hpp>
#include <sluice/task.hpp>

sluice::Task<void> simple_counter() {
  auto counter = std::make_shared<sluice::Mutex<std::uint64_t>>(0);

  std::vector<sluice::JoinHandle<void>> handles;
  for (int i = 0; i < 10; ++i) {
    handles.push_back(
        sluice::spawn([](std::shared_ptr<sluice::Mutex<std::uint64_t>> c) -> sluice::Task<void> {
          auto lock = co_await c->lock();
          *lock += 1;
        }(counter)));
  }

  for (auto& h : handles) (co_await std::move(h)).value();

  auto lock = co_await counter->lock();
  std::printf("Counter: %llu\n", static_cast<unsigned long long>(*lock));
}

int main() {
  auto rt = sluice::Runtime::multi_thread();
  rt.block_on(simple_counter());
}
