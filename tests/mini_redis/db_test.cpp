// mini_redis::Db: values, expiry, the purge task and its guard, thread safety.
// Pub/sub: db_pubsub_test.cpp.
//
// Timing: a test asserts "present right after set" only for expiries of at least 500 ms, and
// "absent" or "purged" only well after the expiry (or through eventually(), which waits up to
// seconds), so a loaded machine or a sanitizer build slows the tests down without failing them.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/db.hpp>

#include <sluice/runtime.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/task.hpp>
#include <sluice/yield_now.hpp>

namespace {

using namespace std::chrono_literals;
using mini_redis::Db;
using mini_redis::DbDropGuard;
using Clock = std::chrono::steady_clock;

sluice::Runtime two_workers() { return sluice::Builder::multi_thread().worker_threads(2).build(); }

/// Sleeps inside the runtime (so that a current-thread runtime runs its tasks meanwhile).
sluice::Task<void> nap(std::chrono::milliseconds d) {
  auto s = sluice::sleep(d);
  co_await s;
}

/// True as soon as pred() holds; false if it still does not after `limit`.
sluice::Task<bool> eventually(std::function<bool()> pred, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    const bool ok = pred();
    if (ok) co_return true;
    if (Clock::now() >= deadline) co_return false;
    auto s = sluice::sleep(5ms);
    co_await s;
  }
}

// ---------------------------------------------------------------------------------------------
// Values

TEST(Db, SetGetAndOverwrite) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  EXPECT_EQ(db.get("k"), std::nullopt);
  db.set("k", "v1", std::nullopt);
  EXPECT_EQ(db.get("k"), "v1");
  db.set("k", "v2", std::nullopt);
  EXPECT_EQ(db.get("k"), "v2");
  db.set("other", "", std::nullopt);
  EXPECT_EQ(db.get("other"), "");  // an empty value is a value, not absence
  EXPECT_EQ(db.len(), 2u);
  Db copy = db;  // copies share the keyspace
  copy.set("k", "v3", std::nullopt);
  EXPECT_EQ(db.get("k"), "v3");
  EXPECT_EQ(db.len(), 2u);
}

TEST(Db, KeysAndValuesAreBinarySafe) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  const std::string nul_crlf("a\0b\r\nc\r\n\0", 9);
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  const std::string key_with_nul("k\0ey", 4);
  db.set("nul", nul_crlf, std::nullopt);
  db.set("bytes", all_bytes, std::nullopt);
  db.set(key_with_nul, "x", std::nullopt);
  db.set("k", "y", std::nullopt);  // a prefix of key_with_nul up to its \0: another key
  EXPECT_EQ(db.get("nul"), nul_crlf);
  EXPECT_EQ(db.get("nul")->size(), 9u);
  EXPECT_EQ(db.get("bytes"), all_bytes);
  EXPECT_EQ(db.get(key_with_nul), "x");
  EXPECT_EQ(db.get("k"), "y");
  EXPECT_EQ(db.len(), 4u);
}

// ---------------------------------------------------------------------------------------------
// Expiry

TEST(Db, LongExpiryIsPresentRightAfterSetAndAbsentWellAfter) {
  auto rt = two_workers();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  db.set("k", "v", 600ms);
  EXPECT_EQ(db.get("k"), "v");
  rt.block_on(nap(1500ms));
  EXPECT_EQ(db.get("k"), std::nullopt);
}

TEST(Db, ExpiredKeyReadsAbsentBeforeThePurgeTaskRemovesIt) {
  // A current-thread runtime runs its tasks only inside block_on: the purge task cannot run
  // while this thread sleeps, so the key is still stored when it is read.
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  db.set("k", "v", 50ms);
  db.set("keep", "v", std::nullopt);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(db.get("k"), std::nullopt);
  EXPECT_EQ(db.len(), 2u);  // expired but not purged; reading did not remove it
  EXPECT_EQ(db.purged_count(), 0u);
  const bool purged = rt.block_on(eventually([&] { return db.len() == 1; }, 5s));
  EXPECT_TRUE(purged);
  EXPECT_EQ(db.purged_count(), 1u);
  EXPECT_EQ(db.get("keep"), "v");
}

TEST(Db, ZeroOrNegativeExpiryExpiresAtOnceAndHugeExpiryIsClamped) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  db.set("zero", "v", 0ms);
  db.set("negative", "v", -5s);
  db.set("huge", "v", std::chrono::milliseconds::max());  // now + max would overflow
  EXPECT_EQ(db.get("zero"), std::nullopt);
  EXPECT_EQ(db.get("negative"), std::nullopt);
  EXPECT_EQ(db.get("huge"), "v");
  const bool purged = rt.block_on(eventually([&] { return db.len() == 1; }, 5s));
  EXPECT_TRUE(purged);
  EXPECT_EQ(db.get("huge"), "v");
}

TEST(Db, OverwriteReplacesTheOldExpiry) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  db.set("persist", "v1", 50ms);
  db.set("persist", "v2", std::nullopt);  // no expiry any more
  db.set("later", "v1", 50ms);
  db.set("later", "v2", 1h);  // a later expiry replaces the earlier one
  db.set("sooner", "v1", std::nullopt);
  db.set("sooner", "v2", 50ms);  // an expiry added by overwriting
  rt.block_on(nap(400ms));       // the purge task runs meanwhile
  EXPECT_EQ(db.get("persist"), "v2");
  EXPECT_EQ(db.get("later"), "v2");
  EXPECT_EQ(db.get("sooner"), std::nullopt);
  const bool purged = rt.block_on(eventually([&] { return db.len() == 2; }, 5s));
  EXPECT_TRUE(purged);
  EXPECT_EQ(db.purged_count(), 1u);  // only "sooner": the replaced expiries were dropped
  EXPECT_EQ(db.get("persist"), "v2");
  EXPECT_EQ(db.get("later"), "v2");
}

// ---------------------------------------------------------------------------------------------
// The purge task

TEST(DbPurge, RemovesExpiredKeysWithoutAnyRead) {
  auto rt = two_workers();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  db.set("a", "1", 30ms);
  db.set("b", "2", 40ms);
  db.set("c", "3", 30ms);  // same instant as "a" is possible: both must go
  db.set("keep", "4", std::nullopt);
  EXPECT_EQ(db.len(), 4u);
  const bool purged = rt.block_on(eventually([&] { return db.len() == 1; }, 5s));
  EXPECT_TRUE(purged);
  EXPECT_EQ(db.purged_count(), 3u);
  EXPECT_EQ(db.get("keep"), "4");
}

TEST(DbPurge, WakesEarlyWhenASoonerExpiryIsSet) {
  auto rt = two_workers();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  db.set("late", "v", 1h);
  rt.block_on(nap(100ms));  // the task now sleeps until the 1 h expiry
  const auto start = Clock::now();
  db.set("soon", "v", 30ms);
  const bool purged = rt.block_on(eventually([&] { return db.len() == 1; }, 5s));
  EXPECT_TRUE(purged) << "the purge task did not wake for the sooner expiry";
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(db.purged_count(), 1u);
  EXPECT_EQ(db.get("late"), "v");
}

TEST(DbPurge, WakesEarlyOnACurrentThreadRuntime) {
  auto rt = sluice::Runtime::current_thread();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  const bool purged = rt.block_on([](Db db) -> sluice::Task<bool> {
    db.set("late", "v", 1h);
    co_await nap(50ms);  // the task runs and sleeps until the 1 h expiry
    db.set("soon", "v", 30ms);
    auto check = eventually([db] { return db.len() == 1; }, 5s);  // not built inside co_await
    const bool ok = co_await check;
    co_return ok;
  }(db));
  EXPECT_TRUE(purged);
  EXPECT_EQ(db.purged_count(), 1u);
  EXPECT_EQ(db.get("late"), "v");
}

TEST(DbPurge, KeysSetAfterARoundOfPurgingArePurgedToo) {
  auto rt = two_workers();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  for (int round = 0; round < 3; ++round) {
    db.set("k" + std::to_string(round), "v", 20ms);
    const bool purged = rt.block_on(eventually([&] { return db.len() == 0; }, 5s));
    EXPECT_TRUE(purged) << "round " << round;
  }
  EXPECT_EQ(db.purged_count(), 3u);
}

// ---------------------------------------------------------------------------------------------
// The guard

TEST(DbGuard, DroppingTheGuardStopsThePurgeTask) {
  auto rt = sluice::Runtime::current_thread();
  std::optional<DbDropGuard> guard(std::in_place, rt.handle());
  Db db = guard->db();
  db.set("late", "v", 1h);
  rt.block_on(nap(20ms));  // the task is now waiting
  EXPECT_TRUE(db.purge_task_running());
  guard.reset();
  const bool stopped = rt.block_on(eventually([&] { return !db.purge_task_running(); }, 5s));
  EXPECT_TRUE(stopped);
  // The Db stays usable; expired keys read as absent but nobody removes them any more.
  db.set("k", "v", 10ms);
  rt.block_on(nap(200ms));
  EXPECT_EQ(db.get("k"), std::nullopt);
  EXPECT_EQ(db.len(), 2u);
  EXPECT_EQ(db.purged_count(), 0u);
}

TEST(DbGuard, DroppingTheGuardStopsThePurgeTaskOnAMultiThreadRuntime) {
  auto rt = two_workers();
  std::optional<Db> db;
  {
    DbDropGuard guard(rt.handle());
    db = guard.db();
    db->set("soon", "v", 20ms);
    const bool purged = rt.block_on(eventually([&] { return db->len() == 0; }, 5s));
    EXPECT_TRUE(purged);
    EXPECT_TRUE(db->purge_task_running());
  }
  const bool stopped = rt.block_on(eventually([&] { return !db->purge_task_running(); }, 5s));
  EXPECT_TRUE(stopped);
}

TEST(DbGuard, RuntimeShutdownDestroysThePurgeTask) {
  std::optional<Db> db;
  {
    auto rt = two_workers();
    DbDropGuard guard(rt.handle());
    db = guard.db();
    db->set("late", "v", 1h);
    rt.block_on(nap(20ms));
    rt.shutdown_timeout(1s);  // the task is destroyed while it waits; the guard outlives it
    EXPECT_FALSE(db->purge_task_running());
  }
  EXPECT_EQ(db->get("late"), "v");  // the state outlives both runtime and guard
}

TEST(DbGuard, GuardOnARuntimeThatHasShutDownHasNoPurgeTask) {
  auto rt = sluice::Runtime::current_thread();
  auto handle = rt.handle();
  rt.shutdown_background();
  DbDropGuard guard(handle);  // the spawn is cancelled at once
  EXPECT_FALSE(guard.db().purge_task_running());
}

TEST(DbGuard, DefaultConstructorUsesTheCurrentRuntime) {
  EXPECT_THROW({ DbDropGuard guard; }, std::logic_error);
  auto rt = sluice::Runtime::current_thread();
  const std::size_t purged = rt.block_on([]() -> sluice::Task<std::size_t> {
    DbDropGuard guard;
    Db db = guard.db();
    db.set("k", "v", 10ms);
    auto check = eventually([db] { return db.len() == 0; }, 5s);
    const bool gone = co_await check;
    EXPECT_TRUE(gone);
    co_return db.purged_count();
  }());
  EXPECT_EQ(purged, 1u);
}

TEST(DbGuard, MovingTheGuardKeepsThePurgeTaskUntilTheNewOwnerDrops) {
  auto rt = sluice::Runtime::current_thread();
  std::optional<DbDropGuard> first(std::in_place, rt.handle());
  Db db = first->db();
  std::optional<DbDropGuard> second(std::in_place, std::move(*first));
  first.reset();  // a moved-from guard signals nothing
  db.set("k", "v", 10ms);
  const bool purged = rt.block_on(eventually([&] { return db.len() == 0; }, 5s));
  EXPECT_TRUE(purged);
  EXPECT_TRUE(db.purge_task_running());
  // Move-assigning over a live guard stops that guard's task.
  DbDropGuard other(rt.handle());
  Db other_db = other.db();
  other = std::move(*second);
  const bool stopped = rt.block_on(eventually([&] { return !other_db.purge_task_running(); }, 5s));
  EXPECT_TRUE(stopped);
  EXPECT_TRUE(db.purge_task_running());
  second.reset();
  EXPECT_TRUE(db.purge_task_running());  // `other` owns it now
}

// ---------------------------------------------------------------------------------------------
// Thread safety

/// One writer: its own keys (checked on read-back), a contended "shared" key, and every tenth
/// key also with a short expiry. Returns the number of wrong reads.
sluice::Task<int> writer(Db db, int id, int keys) {
  int wrong = 0;
  for (int k = 0; k < keys; ++k) {
    const std::string key = "t" + std::to_string(id) + ":" + std::to_string(k);
    const std::string value = "value-" + std::to_string(id * 100000 + k);
    db.set(key, value, std::nullopt);
    db.set("shared", "t" + std::to_string(id), std::nullopt);
    if (k % 10 == 0) db.set("e" + key, value, 20ms);
    const auto mine = db.get(key);
    if (mine != value) ++wrong;
    const auto shared = db.get("shared");
    if (!shared || shared->empty() || (*shared)[0] != 't') ++wrong;
    if (k % 16 == 0) co_await sluice::yield_now();
  }
  co_return wrong;
}

TEST(DbConcurrency, ManyTasksSetAndGetOnAMultiThreadRuntime) {
  constexpr int kTasks = 8;
  constexpr int kKeys = 300;
  auto rt = sluice::Builder::multi_thread().worker_threads(4).build();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  const int wrong = rt.block_on([](Db db) -> sluice::Task<int> {
    std::vector<sluice::JoinHandle<int>> hs;
    for (int id = 0; id < kTasks; ++id) hs.push_back(sluice::spawn(writer(db, id, kKeys)));
    int total = 0;
    for (auto& h : hs) {
      auto r = co_await std::move(h);
      total += r.value();
    }
    co_return total;
  }(db));
  EXPECT_EQ(wrong, 0);
  // Every expiring key goes; every other key stays with the value its writer gave it.
  const std::size_t expected = kTasks * kKeys + 1;
  const bool purged = rt.block_on(eventually([&] { return db.len() == expected; }, 10s));
  EXPECT_TRUE(purged) << db.len();
  EXPECT_EQ(db.purged_count(), static_cast<std::uint64_t>(kTasks * kKeys / 10));
  for (int id = 0; id < kTasks; ++id) {
    for (int k = 0; k < kKeys; k += 37)
      EXPECT_EQ(db.get("t" + std::to_string(id) + ":" + std::to_string(k)),
                "value-" + std::to_string(id * 100000 + k));
  }
}

TEST(DbConcurrency, PlainThreadsShareTheDbWithThePurgeTask) {
  constexpr int kThreads = 4;
  constexpr int kKeys = 200;
  auto rt = two_workers();
  DbDropGuard guard(rt.handle());
  Db db = guard.db();
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([db, t, &wrong]() mutable {
      for (int k = 0; k < kKeys; ++k) {
        const std::string key = std::to_string(t) + "/" + std::to_string(k);
        db.set(key, key, k % 2 == 0 ? std::optional(1ms) : std::nullopt);
        if (k % 2 == 1 && db.get(key) != key) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
  const std::size_t expected = kThreads * kKeys / 2;
  const bool purged = rt.block_on(eventually([&] { return db.len() == expected; }, 10s));
  EXPECT_TRUE(purged) << db.len();
  EXPECT_EQ(db.purged_count(), expected);
}

}  // namespace
