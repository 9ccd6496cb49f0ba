// The block_on thread of a multi-thread runtime runs the tasks it wakes while its future waits,
// and hands them to the workers after kBlockOnSlice (src/runtime/multi_thread.cpp, "The block_on
// thread"; docs/design/task-model.md).
//
// Each task first parks on a Gate (on a worker: it was spawned), then the block_on body opens
// the gate, which wakes it from the block_on thread. The body waits 50 ms after the task parked
// before opening it: a wake that came while the task's poll was still returning (its worker
// preempted in between) would make the worker re-run it at once; the attempts loop makes even
// that unlikely race harmless.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/task.hpp>

namespace {

using namespace std::chrono_literals;

// A one-shot gate: the task waiting on it parks (keeping its waker) until open() wakes it.
struct Gate {
  std::mutex mu;
  sluice::Waker waker;
  bool open_ = false;
  std::atomic<bool> parked{false};

  void open() {
    sluice::Waker w;
    {
      std::lock_guard lock(mu);
      open_ = true;
      w = std::move(waker);
    }
    if (!w.is_empty()) std::move(w).wake();
  }
};

class GateFuture {
 public:
  using Output = void;
  explicit GateFuture(Gate* g) noexcept : g_(g) {}
  sluice::Poll<void> poll(sluice::Context& cx) {
    std::lock_guard lock(g_->mu);
    if (g_->open_) return sluice::Poll<void>::ready();
    g_->waker = cx.waker();
    g_->parked.store(true);
    return sluice::pending;
  }

 private:
  Gate* g_;
};

// Waits at the gate, then (optionally) spins for `busy`, and returns the thread it resumed on.
sluice::Task<std::thread::id> wait_at(Gate* g, std::chrono::milliseconds busy) {
  co_await GateFuture(g);
  const auto me = std::this_thread::get_id();
  const auto until = std::chrono::steady_clock::now() + busy;
  while (std::chrono::steady_clock::now() < until) {
  }
  co_return me;
}

sluice::Task<void> wait_parked(const Gate& g) {
  while (!g.parked.load()) co_await sluice::sleep(1ms);
  co_await sluice::sleep(50ms);
}

TEST(RuntimeBlockOnThread, RunsATaskItWakes) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).enable_all().build();
  const auto main_id = std::this_thread::get_id();
  int on_block_on_thread = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    on_block_on_thread += rt.block_on([](std::thread::id main) -> sluice::Task<int> {
      Gate gate;
      auto h = sluice::spawn(wait_at(&gate, 0ms));
      co_await wait_parked(gate);
      gate.open();  // a wake from the block_on thread: queued there
      auto r = co_await std::move(h);
      co_return r.has_value() && *r == main ? 1 : 0;
    }(main_id));
  }
  EXPECT_GE(on_block_on_thread, 3) << "of 5 attempts";
}

TEST(RuntimeBlockOnThread, KeepsTasksItWokeThroughALongPollOfItsFuture) {
  // The body wakes two tasks (one lands in the thread's LIFO slot, the other in its stealable
  // queue), then gets the worker searching (another thread spawns a task that marks when it
  // ran: it starts on the worker) and keeps polling for 300 us more: longer than a spinning
  // watch's patience (3 us) and than a worker's recheck sleep (100 us), shorter than the stall
  // after which a worker steals from the block_on thread (1 ms). The worker must leave the
  // queued task alone. One worker: with two, the searcher wakes the other (it stops searching
  // to run the marker), and then the cores are full and every watch sleeps anyway.
  auto rt = sluice::Builder::multi_thread().worker_threads(1).enable_all().build();
  const auto main_id = std::this_thread::get_id();
  int both_on_block_on_thread = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    both_on_block_on_thread +=
        rt.block_on([](std::thread::id main, sluice::Handle handle) -> sluice::Task<int> {
          Gate gates[2];
          auto h0 = sluice::spawn(wait_at(&gates[0], 0ms));
          auto h1 = sluice::spawn(wait_at(&gates[1], 0ms));
          co_await wait_parked(gates[0]);
          co_await wait_parked(gates[1]);
          auto ran = std::make_shared<std::atomic<bool>>(false);
          gates[0].open();  // both queued on the block_on thread
          gates[1].open();
          std::thread outside([&] {
            auto marker =
                handle.spawn([](std::shared_ptr<std::atomic<bool>> r) -> sluice::Task<void> {
                  r->store(true);
                  co_return;
                }(ran));
          });
          outside.join();
          while (!ran->load()) {
          }
          const auto until = std::chrono::steady_clock::now() + 300us;
          while (std::chrono::steady_clock::now() < until) {
          }
          auto r0 = co_await std::move(h0);
          auto r1 = co_await std::move(h1);
          co_return r0.has_value() && *r0 == main&& r1.has_value() && *r1 == main ? 1 : 0;
        }(main_id, rt.handle()));
  }
  EXPECT_GE(both_on_block_on_thread, 3) << "of 5 attempts";
}

TEST(RuntimeBlockOnThread, AWorkerTakesTasksQueuedBehindAPollThatDoesNotEnd) {
  // As above, but the body spawns the marker (queued on the block_on thread, with a notify
  // that gets the worker looking) and then spins until the queued woken task has run: a worker
  // must take it once the block_on thread popped nothing for 1 ms. 10 s bound.
  auto rt = sluice::Builder::multi_thread().worker_threads(1).enable_all().build();
  const bool ran_meanwhile = rt.block_on([]() -> sluice::Task<bool> {
    Gate gates[2];
    auto ran = std::make_shared<std::atomic<int>>(0);
    auto wait_then_count = [](Gate* g, std::shared_ptr<std::atomic<int>> n) -> sluice::Task<void> {
      co_await GateFuture(g);
      n->fetch_add(1);
    };
    auto h0 = sluice::spawn(wait_then_count(&gates[0], ran));
    auto h1 = sluice::spawn(wait_then_count(&gates[1], ran));
    co_await wait_parked(gates[0]);
    co_await wait_parked(gates[1]);
    gates[0].open();  // both queued on the block_on thread (one in its LIFO slot)
    gates[1].open();
    auto marker = sluice::spawn([]() -> sluice::Task<void> { co_return; }());  // a worker wakes
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (ran->load() == 0 && std::chrono::steady_clock::now() < until) {
    }
    const bool ok = ran->load() == 1;  // the queued one, not the one in the LIFO slot
    auto r0 = co_await std::move(h0);
    auto r1 = co_await std::move(h1);
    auto rm = co_await std::move(marker);
    co_return ok&& r0.has_value() && r1.has_value() && rm.has_value();
  }());
  EXPECT_TRUE(ran_meanwhile);
}

TEST(RuntimeBlockOnThread, RunsTasksItSpawnsWhileItsFutureWaits) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).enable_all().build();
  const auto main_id = std::this_thread::get_id();
  int on_block_on_thread = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    on_block_on_thread += rt.block_on([](std::thread::id main) -> sluice::Task<int> {
      auto h = sluice::spawn(
          []() -> sluice::Task<std::thread::id> { co_return std::this_thread::get_id(); }());
      auto r = co_await std::move(h);
      co_return r.has_value() && *r == main ? 1 : 0;
    }(main_id));
  }
  EXPECT_GE(on_block_on_thread, 3) << "of 5 attempts";
}

TEST(RuntimeBlockOnThread, ATaskItSpawnsRunsWhileTheBodyBlocks) {
  // A body that spawns a task and then blocks its thread until the task ran (bad practice, but
  // it works in Tokio, where the task starts on a worker): the spawn told an idle worker, which
  // takes the task once the block_on thread popped nothing for 1 ms. 10 s bound.
  auto rt = sluice::Builder::multi_thread().worker_threads(2).enable_all().build();
  const auto main_id = std::this_thread::get_id();
  const int result = rt.block_on([](std::thread::id main) -> sluice::Task<int> {
    co_await sluice::sleep(20ms);  // the workers are parked: only the spawn's notify wakes one
    auto ran_on = std::make_shared<std::atomic<std::thread::id>>();
    auto h =
        sluice::spawn([](std::shared_ptr<std::atomic<std::thread::id>> r) -> sluice::Task<void> {
          r->store(std::this_thread::get_id());
          co_return;
        }(ran_on));
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (ran_on->load() == std::thread::id{} && std::chrono::steady_clock::now() < until) {
    }
    const std::thread::id where = ran_on->load();
    auto joined = co_await std::move(h);
    if (!joined.has_value()) co_return 3;
    if (where == std::thread::id{}) co_return 0;  // never ran
    co_return where != main ? 1 : 2;              // 2: ran on this thread (impossible)
  }(main_id));
  EXPECT_EQ(result, 1);
}

TEST(RuntimeBlockOnThread, HandsItsTasksToTheWorkersAfterASlice) {
  auto rt = sluice::Builder::multi_thread().worker_threads(2).enable_all().build();
  const auto main_id = std::this_thread::get_id();
  // Three tasks woken together by the block_on thread, each busy for 30 ms once woken: the
  // thread runs one, then (100 us later, long past) hands the other two to the workers.
  const int on_block_on_thread = rt.block_on([](std::thread::id main) -> sluice::Task<int> {
    std::vector<Gate> gates(3);
    std::vector<sluice::JoinHandle<std::thread::id>> hs;
    for (auto& g : gates) hs.push_back(sluice::spawn(wait_at(&g, 30ms)));
    for (auto& g : gates) co_await wait_parked(g);
    for (auto& g : gates) g.open();
    int n = 0;
    for (auto& h : hs) {
      auto r = co_await std::move(h);
      if (!r.has_value()) co_return -1;
      n += *r == main ? 1 : 0;
    }
    co_return n;
  }(main_id));
  EXPECT_LE(on_block_on_thread, 1);
  EXPECT_GE(on_block_on_thread, 0);
}

TEST(RuntimeBlockOnThread, ConcurrentBlockOnsBothComplete) {
  // Only one block_on at a time owns the queue; the other one just waits, as before.
  auto rt = sluice::Builder::multi_thread().worker_threads(2).enable_all().build();
  auto body = [](int base) -> sluice::Task<int> {
    int sum = 0;
    for (int i = 0; i < 200; ++i) {
      auto h = sluice::spawn([](int v) -> sluice::Task<int> { co_return v; }(base + i));
      auto r = co_await std::move(h);
      sum += r.has_value() ? *r : -100000;
    }
    co_return sum;
  };
  int other = 0;
  std::thread t([&] { other = rt.block_on(body(1000)); });
  const int mine = rt.block_on(body(0));
  t.join();
  EXPECT_EQ(mine, 199 * 200 / 2);
  EXPECT_EQ(other, 200 * 1000 + 199 * 200 / 2);
}

}  // namespace
