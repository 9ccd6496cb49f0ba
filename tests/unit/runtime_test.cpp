// Runtime, Builder, Handle, spawn, yield_now, spawn_blocking, shutdown (engineer S).
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/runtime.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/yield_now.hpp>

#include "support/runtime_helpers.hpp"

namespace {

using sluice::Builder;
using sluice::JoinHandle;
using sluice::Runtime;
using sluice::Task;
using namespace std::chrono_literals;

Task<int> value(int v) { co_return v; }
Task<int> thrower(std::string msg) {
  throw std::runtime_error(msg);
  co_return 0;
}
Task<void> log_twice(std::vector<std::string>* log, std::string name) {
  log->push_back(name + "1");
  co_await sluice::yield_now();
  log->push_back(name + "2");
}
Task<void> log_once(std::vector<std::string>* log, std::string name) {
  log->push_back(name);
  co_return;
}

std::vector<Runtime> both_flavours() {
  std::vector<Runtime> v;
  v.push_back(Runtime::current_thread());
  v.push_back(Builder::multi_thread().worker_threads(2).build());
  return v;
}

TEST(Runtime, BlockOnReturnsValueOnBothFlavours) {
  for (auto& rt : both_flavours()) {
    EXPECT_EQ(rt.block_on(value(42)), 42);
    auto t = value(7);
    EXPECT_EQ(rt.block_on(t), 7);  // lvalue: polled in place
  }
}

TEST(Runtime, BlockOnRethrows) {
  for (auto& rt : both_flavours()) {
    EXPECT_THROW(
        {
          try {
            rt.block_on(thrower("boom"));
          } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), "boom");
            throw;
          }
        },
        std::runtime_error);
    EXPECT_EQ(rt.block_on(value(1)), 1);  // still usable
  }
}

TEST(Runtime, SpawnOutsideRuntimeThrows) {
  EXPECT_THROW((void)sluice::spawn(value(1)), std::logic_error);
  EXPECT_THROW((void)sluice::spawn_blocking([] { return 1; }), std::logic_error);
  EXPECT_THROW((void)sluice::Handle::current(), std::logic_error);
  EXPECT_FALSE(sluice::Handle::try_current().has_value());
}

Task<int> spawn_and_join(int n) {
  std::vector<JoinHandle<int>> hs;
  for (int i = 0; i < n; ++i) hs.push_back(sluice::spawn(value(i)));
  int sum = 0;
  for (auto& h : hs) sum += (co_await std::move(h)).value();
  co_return sum;
}

TEST(Runtime, SpawnInsideTasksAndJoin) {
  for (auto& rt : both_flavours()) EXPECT_EQ(rt.block_on(spawn_and_join(100)), 4950);
}

TEST(Runtime, RuntimeSpawnFromOutsideAndHandleFromAnotherThread) {
  for (auto& rt : both_flavours()) {
    auto h1 = rt.spawn(value(3));
    sluice::Handle handle = rt.handle();
    JoinHandle<int> h2;
    std::thread([&] { h2 = handle.spawn(value(4)); }).join();
    EXPECT_EQ(rt.block_on(std::move(h1)).value(), 3);
    EXPECT_EQ(rt.block_on(std::move(h2)).value(), 4);
  }
}

Task<bool> handle_current_works() {
  auto h = sluice::Handle::current();
  auto j = h.spawn(value(5));
  co_return (co_await std::move(j)).value() == 5;
}

TEST(Runtime, HandleCurrentInsideRuntime) {
  for (auto& rt : both_flavours()) EXPECT_TRUE(rt.block_on(handle_current_works()));
}

TEST(Runtime, CurrentThreadRunsSpawnedTasksInFifoOrder) {
  auto rt = Runtime::current_thread();
  std::vector<std::string> log;
  // Spawned from outside (inject queue) ...
  auto a = rt.spawn(log_once(&log, "a"));
  auto b = rt.spawn(log_once(&log, "b"));
  rt.block_on(std::move(b)).value();
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
  (void)rt.block_on(std::move(a));
}

Task<void> spawn_three(std::vector<std::string>* log) {
  auto x = sluice::spawn(log_once(log, "x"));
  auto y = sluice::spawn(log_once(log, "y"));
  auto z = sluice::spawn(log_once(log, "z"));
  log->push_back("spawned");
  (void)co_await std::move(z);
  (void)co_await std::move(x);
  (void)co_await std::move(y);
}

TEST(Runtime, CurrentThreadFifoFromInsideBlockOn) {
  auto rt = Runtime::current_thread();
  std::vector<std::string> log;
  rt.block_on(spawn_three(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"spawned", "x", "y", "z"}));
}

Task<void> two_yielders(std::vector<std::string>* log) {
  auto a = sluice::spawn(log_twice(log, "a"));
  auto b = sluice::spawn(log_twice(log, "b"));
  (void)co_await std::move(a);
  (void)co_await std::move(b);
}

TEST(Runtime, YieldNowLetsAnotherTaskRun) {
  auto rt = Runtime::current_thread();
  std::vector<std::string> log;
  rt.block_on(two_yielders(&log));
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1", "a2", "b2"}));
}

TEST(Runtime, YieldNowInBlockOnRoot) {
  for (auto& rt : both_flavours()) {
    rt.block_on([]() -> Task<void> {
      for (int i = 0; i < 10; ++i) co_await sluice::yield_now();
    }());
  }
}

Task<void> set_flag(std::atomic<bool>* flag) {
  co_await sluice::yield_now();
  flag->store(true);
}
Task<void> wait_flag(std::atomic<bool>* flag) {
  while (!flag->load()) co_await sluice::yield_now();
}

TEST(Runtime, DetachedTaskStillRuns) {
  for (auto& rt : both_flavours()) {
    std::atomic<bool> flag{false};
    { auto h = rt.spawn(set_flag(&flag)); }  // dropped: detached
    rt.block_on(wait_flag(&flag));
    EXPECT_TRUE(flag.load());
  }
}

Task<void> check_cannot_block(bool* threw, std::string* msg) {
  try {
    sluice::detail::assert_can_block("blocking_recv");
  } catch (const std::logic_error& e) {
    *threw = true;
    *msg = e.what();
  }
  co_return;
}

TEST(Runtime, AssertCanBlockThrowsOnWorkerAndInBlockOn) {
  EXPECT_NO_THROW(sluice::detail::assert_can_block("x"));
  EXPECT_FALSE(sluice::detail::on_runtime_thread());
  for (auto& rt : both_flavours()) {
    bool threw = false;
    std::string msg;
    rt.block_on(check_cannot_block(&threw, &msg));  // inside block_on
    EXPECT_TRUE(threw);
    EXPECT_NE(msg.find("cannot call blocking_recv from a runtime thread"), std::string::npos)
        << msg;
    threw = false;
    (void)rt.block_on(
        rt.spawn(check_cannot_block(&threw, &msg)));  // on a worker / in the driver loop
    EXPECT_TRUE(threw);
  }
}

Task<int> nested_block_on(Runtime* rt) { co_return rt->block_on(value(1)); }
Task<int> nested_free_block_on() { co_return sluice::block_on(value(1)); }

TEST(Runtime, NestedBlockOnThrows) {
  for (auto& rt : both_flavours()) {
    auto other = Runtime::current_thread();
    EXPECT_THROW(rt.block_on(nested_block_on(&other)), std::logic_error);
    EXPECT_THROW(rt.block_on(nested_block_on(&rt)), std::logic_error);
    EXPECT_THROW(rt.block_on(nested_free_block_on()), std::logic_error);
    auto h = rt.spawn(nested_free_block_on());  // on a worker: reported through the JoinHandle
    auto r = rt.block_on(std::move(h));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_exception());
    EXPECT_NE(r.error().what().find("cannot call sluice::block_on"), std::string::npos);
  }
}

Task<std::string> thread_name_of_task() {
  char buf[32] = {};
  pthread_getname_np(pthread_self(), buf, sizeof buf);
  co_return std::string(buf);
}

TEST(Runtime, BuilderOptions) {
  EXPECT_THROW(Builder::multi_thread().worker_threads(0), std::invalid_argument);
  EXPECT_THROW(Builder::multi_thread().max_blocking_threads(0), std::invalid_argument);
  EXPECT_THROW(Builder::multi_thread().event_interval(0), std::invalid_argument);
  EXPECT_THROW(Builder::multi_thread().global_queue_interval(0), std::invalid_argument);
  auto rt = Builder::multi_thread()
                .worker_threads(3)
                .thread_name("tw")
                .event_interval(7)
                .global_queue_interval(5)
                .max_blocking_threads(2)
                .thread_keep_alive(1s)
                .enable_all()
                .build();
  EXPECT_EQ(rt.num_workers(), 3u);
  auto name = rt.block_on(rt.spawn(thread_name_of_task())).value();
  EXPECT_EQ(name.substr(0, 3), "tw-") << name;
  EXPECT_EQ(rt.block_on(spawn_and_join(200)), 19900);
  EXPECT_EQ(Runtime::current_thread().num_workers(), 0u);
  EXPECT_GE(Runtime::multi_thread().num_workers(), 1u);
}

TEST(Runtime, SleepInsideTasksAndBlockOn) {
  for (auto& rt : both_flavours()) {
    auto start = std::chrono::steady_clock::now();
    rt.block_on([]() -> Task<void> {
      auto h = sluice::spawn([]() -> Task<int> {
        co_await sluice::sleep(5ms);
        co_return 1;
      }());
      co_await sluice::sleep(5ms);
      (void)co_await std::move(h);
    }());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 5ms);  // never early
  }
}

// ---- spawn_blocking
// ------------------------------------------------------------------------------

TEST(Runtime, SpawnBlockingReturnsValueOnAnotherThread) {
  for (auto& rt : both_flavours()) {
    auto me = std::this_thread::get_id();
    auto h = rt.spawn_blocking([] { return std::this_thread::get_id(); });
    auto r = rt.block_on(std::move(h));
    ASSERT_TRUE(r);
    EXPECT_NE(*r, me);
    auto v = rt.spawn_blocking([] {});
    EXPECT_TRUE(rt.block_on(std::move(v)));
  }
}

TEST(Runtime, SpawnBlockingCapturesException) {
  auto rt = Runtime::current_thread();
  auto r = rt.block_on(rt.spawn_blocking([]() -> int { throw std::runtime_error("blk"); }));
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_exception());
  EXPECT_EQ(r.error().what(), "blk");
}

Task<int> spawn_blocking_from_task() {
  auto h = sluice::spawn_blocking([] {
    // Blocking threads are in the runtime's context: Handle::current works, blocking is allowed.
    sluice::detail::assert_can_block("x");
    auto h2 = sluice::Handle::current().spawn(value(10));
    (void)h2;
    return 32;
  });
  co_return (co_await std::move(h)).value();
}

TEST(Runtime, SpawnBlockingFromTask) {
  for (auto& rt : both_flavours()) EXPECT_EQ(rt.block_on(spawn_blocking_from_task()), 32);
}

TEST(Runtime, MaxBlockingThreadsBoundsConcurrency) {
  auto rt = Builder::current_thread().max_blocking_threads(2).build();
  std::atomic<int> running{0}, max_running{0};
  std::vector<JoinHandle<void>> hs;
  for (int i = 0; i < 8; ++i) {
    hs.push_back(rt.spawn_blocking([&] {
      int now = running.fetch_add(1) + 1;
      int m = max_running.load();
      while (now > m && !max_running.compare_exchange_weak(m, now)) {
      }
      std::this_thread::sleep_for(2ms);
      running.fetch_sub(1);
    }));
  }
  for (auto& h : hs) EXPECT_TRUE(rt.block_on(std::move(h)));
  EXPECT_LE(max_running.load(), 2);
  EXPECT_GE(max_running.load(), 1);
}

TEST(Runtime, IdleBlockingThreadsExitAfterKeepAlive) {
  auto rt = Builder::current_thread().thread_keep_alive(1ms).build();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(rt.block_on(rt.spawn_blocking([] { return 1; })).value(), 1);
    std::this_thread::sleep_for(5ms);  // the thread times out and detaches itself
  }
}

// ---- shutdown
// ------------------------------------------------------------------------------------

TEST(Runtime, ShutdownDestroysPendingTasksAndCancelsLateSpawns) {
  for (int flavour = 0; flavour < 2; ++flavour) {
    sluice::test::LifeCounter lc;
    JoinHandle<int> pending;
    sluice::Handle handle = [&] {
      Runtime rt =
          flavour ? Builder::multi_thread().worker_threads(2).build() : Runtime::current_thread();
      pending = rt.spawn(sluice::test::Never(&lc));
      for (int i = 0; i < 10; ++i) (void)rt.spawn(sluice::test::Never(&lc));  // detached
      rt.block_on(sluice::yield_now());
      return rt.handle();
    }();  // ~Runtime
    EXPECT_EQ(lc.alive.load(), 0);
    EXPECT_TRUE(pending.is_finished());
    auto r = sluice::block_on(std::move(pending));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_cancelled());
    // A Handle outliving its runtime: spawns are cancelled at once.
    auto late = handle.spawn(sluice::test::Never(&lc));
    EXPECT_TRUE(late.is_finished());
    EXPECT_TRUE(sluice::block_on(std::move(late)).error().is_cancelled());
    auto late_blocking = handle.spawn_blocking([] { return 1; });
    EXPECT_TRUE(sluice::block_on(std::move(late_blocking)).error().is_cancelled());
    EXPECT_EQ(lc.alive.load(), 0);
  }
}

TEST(Runtime, ShutdownTimeoutDetachesLongBlockingTasks) {
  std::atomic<bool> release{false};
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  {
    auto rt = Runtime::current_thread();
    auto h = rt.spawn_blocking([&] {
      started.store(true);
      while (!release.load()) std::this_thread::sleep_for(1ms);
      finished.store(true);
    });
    // A queued blocking task that has not started is cancelled by shutdown; wait for this one to
    // run.
    while (!started.load()) std::this_thread::sleep_for(1ms);
    rt.shutdown_timeout(1ms);  // returns although the task still runs
    EXPECT_FALSE(finished.load());
    rt.shutdown_timeout(1ms);  // idempotent
  }
  release.store(true);
  while (!finished.load()) std::this_thread::sleep_for(1ms);
}

TEST(Runtime, MoveAssignShutsDownTheOldRuntime) {
  sluice::test::LifeCounter lc;
  auto rt = Runtime::current_thread();
  (void)rt.spawn(sluice::test::Never(&lc));
  rt = Runtime::current_thread();
  EXPECT_EQ(lc.alive.load(), 0);
  EXPECT_EQ(rt.block_on(value(2)), 2);
}

// Patient stealing (multi_thread.cpp) must not cost parallelism where it matters.

Task<void> set_flag_now(std::atomic<bool>* flag) {
  flag->store(true);
  co_return;
}

// The task queued behind a poll that does not return is taken by the idle worker: the parent
// spawns two children (the second pushes the first out of the LIFO slot into the stealable
// queue) and then blocks its worker until the first one ran elsewhere (or 10 s passed).
Task<bool> block_until_child_ran(std::atomic<bool>* ran, std::atomic<bool>* second_ran) {
  JoinHandle<void> first = sluice::spawn(set_flag_now(ran));
  JoinHandle<void> second = sluice::spawn(set_flag_now(second_ran));
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!ran->load() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  const bool ran_meanwhile = ran->load();
  auto joined_first = co_await first;
  auto joined_second = co_await second;
  co_return ran_meanwhile && !joined_first.is_err() && !joined_second.is_err();
}

TEST(Runtime, IdleWorkerTakesATaskQueuedBehindALongPoll) {
  auto rt = Builder::multi_thread().worker_threads(2).build();
  std::atomic<bool> ran{false};
  std::atomic<bool> second_ran{false};
  auto parent = rt.spawn(block_until_child_ran(&ran, &second_ran));
  auto r = rt.block_on(std::move(parent));
  ASSERT_FALSE(r.is_err());
  EXPECT_TRUE(r.value());
  EXPECT_TRUE(second_ran.load());
}

// The same while the block_on thread is busy (it yields in a loop, so it never sleeps): with a
// worker in a long poll, the searching one and the block_on thread, three threads want the
// two cores, and the patient steal watches by sleeping instead of spinning (multi_thread.cpp,
// "oversubscribed"). The queued task must still be taken, after a recheck or two.
Task<bool> yield_until(std::atomic<bool>* flag, JoinHandle<bool> parent) {
  while (!flag->load()) co_await sluice::yield_now();
  auto r = co_await std::move(parent);
  co_return !r.is_err() && r.value();
}

TEST(Runtime, IdleWorkerTakesATaskQueuedBehindALongPollWhileBlockOnIsBusy) {
  auto rt = Builder::multi_thread().worker_threads(2).build();
  std::atomic<bool> ran{false};
  std::atomic<bool> second_ran{false};
  auto parent = rt.spawn(block_until_child_ran(&ran, &second_ran));
  EXPECT_TRUE(rt.block_on(yield_until(&ran, std::move(parent))));
  EXPECT_TRUE(second_ran.load());
}

}  // namespace
