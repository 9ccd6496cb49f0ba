// `make demo`: a tour of the sluice runtime in one screen.
//
// Spawns workers that sleep for different times on a 2-worker multi-thread runtime, joins them,
// races a slow future against a timeout, and shows that a task that throws reports it through
// its JoinHandle while the runtime keeps running. The output is deterministic (checked by the
// example.demo test).
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <sluice/join.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/task.hpp>
#include <sluice/timeout.hpp>

using namespace std::chrono_literals;

namespace {

sluice::Task<std::string> worker(int id, std::chrono::milliseconds nap) {
  co_await sluice::sleep(nap);
  co_return "worker " + std::to_string(id) + " slept " + std::to_string(nap.count()) + " ms";
}

sluice::Task<int> slow_answer() {
  co_await sluice::sleep(10s);
  co_return 42;
}

sluice::Task<int> fails() {
  co_await sluice::sleep(1ms);
  throw std::runtime_error("boom");
}

sluice::Task<int> run() {
  // 1. Spawn: tasks run concurrently on the workers; JoinHandles give their outputs back.
  std::vector<sluice::JoinHandle<std::string>> handles;
  for (int i = 0; i < 4; ++i) handles.push_back(sluice::spawn(worker(i, std::chrono::milliseconds(5 * (4 - i)))));
  for (auto& h : handles) {
    auto r = co_await std::move(h);
    std::printf("joined: %s\n", r.value().c_str());
  }

  // 2. join: run futures concurrently inside this task and wait for all of them.
  auto [a, b] = co_await sluice::join(worker(10, 2ms), worker(11, 1ms));
  std::printf("join: [%s] [%s]\n", a.c_str(), b.c_str());

  // 3. timeout: the slow future is cancelled (destroyed) when the deadline passes.
  auto t = co_await sluice::timeout(20ms, slow_answer());
  std::printf("timeout: %s\n", t ? "finished" : "elapsed, slow_answer cancelled");

  // 4. select: the first branch to finish wins; the loser is cancelled.
  auto s = co_await sluice::select(slow_answer(), worker(12, 3ms));
  std::printf("select: branch %zu won: %s\n", s.index(), s.get<1>().c_str());

  // 5. A task that throws: its JoinHandle reports the exception; the runtime keeps running.
  auto bad = co_await sluice::spawn(fails());
  if (!bad && bad.error().is_exception()) std::printf("failed task reported: %s\n", bad.error().what().c_str());
  auto after = co_await sluice::spawn(worker(13, 1ms));
  std::printf("still running: %s\n", after.value().c_str());
  co_return 0;
}

}  // namespace

int main() {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  return rt.block_on(run());
}
