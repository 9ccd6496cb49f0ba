// mini_redis::BufferedClient against a real redis-server: many tasks sharing one pipelined
// connection, replies matched to their requesters, the manager's lifetime, cancelled requests
// and connection failures.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/buffered_client.hpp>
#include <mini_redis/client.hpp>

#include <sluice/runtime.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/task.hpp>
#include <sluice/timeout.hpp>

#include "support/child_process.hpp"

namespace {

using mini_redis::BufferedClient;
using mini_redis::ClientError;
using mini_redis::ClientResult;
using mini_redis::Frame;
using sluice::Task;
using namespace std::chrono_literals;

std::string addr_of(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

/// Waits (sleeping) until `flag` is true or `limit` passes; returns the flag.
Task<bool> eventually(const std::atomic<bool>& flag, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!flag.load() && std::chrono::steady_clock::now() < until) co_await sluice::sleep(5ms);
  const bool v = flag.load();
  co_return v;
}

/// One requester: sets its own keys, then reads them back; returns how many matched.
Task<int> requester(BufferedClient c, int id, int n) {
  int matched = 0;
  for (int i = 0; i < n; ++i) {
    std::string key = "k:" + std::to_string(id) + ":" + std::to_string(i);
    std::string value = "v-" + std::to_string(id) + "-" + std::to_string(i);
    ClientResult<void> s = co_await c.set(key, value);
    EXPECT_TRUE(s);
    ClientResult<std::optional<std::string>> v = co_await c.get(std::move(key));
    if (v && *v && **v == value) {
      ++matched;
    } else {
      ADD_FAILURE() << "task " << id << " request " << i << " got a wrong reply";
    }
  }
  co_return matched;
}

TEST(MiniRedisBufferedClient, ManyTasksShareOnePipelinedConnectionAndGetTheirOwnReplies) {
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  rt.block_on([](std::uint16_t p) -> Task<void> {
    constexpr int kTasks = 64;
    constexpr int kRequests = 100;
    ClientResult<BufferedClient> c = co_await BufferedClient::connect(addr_of(p));
    EXPECT_TRUE(c);
    if (!c) co_return;
    std::vector<sluice::JoinHandle<int>> handles;
    for (int t = 0; t < kTasks; ++t) handles.push_back(sluice::spawn(requester(*c, t, kRequests)));
    int total = 0;
    for (auto& h : handles) {
      auto r = co_await std::move(h);
      EXPECT_TRUE(r);
      if (r) total += *r;
    }
    EXPECT_EQ(total, kTasks * kRequests);
    auto stats = c->stats();
    EXPECT_EQ(stats->requests.load(), static_cast<std::uint64_t>(2 * kTasks * kRequests));
    // Pipelining: several requests were outstanding at once, and batches shared a flush.
    EXPECT_GT(c->max_in_flight(), 1u);
    std::printf("max in flight %zu, %llu requests in %llu flushes\n", c->max_in_flight(),
                static_cast<unsigned long long>(stats->requests.load()),
                static_cast<unsigned long long>(stats->flushes.load()));
    EXPECT_LT(stats->flushes.load(), stats->requests.load());
  }(redis->port()));
}

TEST(MiniRedisBufferedClient, PingPublishAndServerErrorsGoToTheirRequester) {
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  auto rt = sluice::Builder::current_thread().build();
  rt.block_on([](std::uint16_t p) -> Task<void> {
    ClientResult<BufferedClient> c = co_await BufferedClient::connect(addr_of(p));
    EXPECT_TRUE(c);
    if (!c) co_return;
    ClientResult<std::string> pong = co_await c->ping();
    EXPECT_TRUE(pong && *pong == "PONG");
    ClientResult<std::int64_t> n = co_await c->publish("nobody-listens", "x");
    EXPECT_TRUE(n && *n == 0);
    Frame lpush = Frame::array({Frame::bulk("lpush"), Frame::bulk("l"), Frame::bulk("x")});
    ClientResult<Frame> pushed = co_await c->execute(std::move(lpush));
    EXPECT_TRUE(pushed);
    // Three requests in flight together: the middle one fails, the others do not.
    BufferedClient c1 = *c;
    auto a = sluice::spawn(c1.set("s", "1"));
    auto b = sluice::spawn(c1.get("l"));
    auto d = sluice::spawn(c1.get("s"));
    auto ra = co_await std::move(a);
    auto rb = co_await std::move(b);
    auto rd = co_await std::move(d);
    EXPECT_TRUE(ra && *ra);
    EXPECT_TRUE(rb && !*rb);
    if (rb && !*rb) {
      EXPECT_EQ(rb->error().kind(), ClientError::Kind::server);
      EXPECT_EQ(rb->error().message().rfind("WRONGTYPE", 0), 0u);
    }
    EXPECT_TRUE(rd && *rd && **rd && ***rd == "1");
    ClientResult<void> ex = co_await c->set_expires("e", "x", 300ms);
    EXPECT_TRUE(ex);
    co_await sluice::sleep(1s);
    ClientResult<std::optional<std::string>> gone = co_await c->get("e");
    EXPECT_TRUE(gone && !*gone);
  }(redis->port()));
}

TEST(MiniRedisBufferedClient, ManagerExitsWhenEveryHandleIsDropped) {
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  auto rt = sluice::Builder::current_thread().build();
  rt.block_on([](std::uint16_t p) -> Task<void> {
    std::shared_ptr<const BufferedClient::Stats> stats;
    {
      ClientResult<BufferedClient> c = co_await BufferedClient::connect(addr_of(p));
      EXPECT_TRUE(c);
      if (!c) co_return;
      stats = c->stats();
      BufferedClient copy = *c;
      ClientResult<void> s = co_await copy.set("x", "y");
      EXPECT_TRUE(s);
      co_await sluice::sleep(20ms);
      EXPECT_FALSE(stats->manager_exited.load());  // a handle is still alive
    }
    const bool exited = co_await eventually(stats->manager_exited, 5000ms);
    EXPECT_TRUE(exited);
  }(redis->port()));
}

TEST(MiniRedisBufferedClient, ACancelledRequestStillRunsAndLaterRepliesStayMatched) {
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  auto rt = sluice::Builder::current_thread().build();
  rt.block_on([](std::uint16_t p) -> Task<void> {
    ClientResult<BufferedClient> c = co_await BufferedClient::connect(addr_of(p));
    EXPECT_TRUE(c);
    if (!c) co_return;
    ClientResult<void> s = co_await c->set("k", "v");
    EXPECT_TRUE(s);
    // BLPOP on an empty list blocks the server for 300 ms, then answers null. Give up after
    // 50 ms: the request was sent; its reply must be discarded, not handed to the next one.
    Frame blpop = Frame::array({Frame::bulk("blpop"), Frame::bulk("empty"), Frame::bulk("0.3")});
    auto slow = sluice::timeout(50ms, c->execute(std::move(blpop)));
    auto timed_out = co_await slow;
    EXPECT_FALSE(timed_out);
    ClientResult<std::optional<std::string>> v = co_await c->get("k");
    EXPECT_TRUE(v && *v);
    if (v && *v) {
      EXPECT_EQ(**v, "v");
    }
    // A request future dropped before it was ever polled is never sent.
    { auto never = c->set("never", "sent"); }
    ClientResult<std::optional<std::string>> none = co_await c->get("never");
    EXPECT_TRUE(none && !*none);
  }(redis->port()));
}

TEST(MiniRedisBufferedClient, ConnectToAClosedPortFails) {
  const std::uint16_t p = sluice::test::free_loopback_port();
  auto rt = sluice::Builder::current_thread().build();
  rt.block_on([](std::uint16_t port) -> Task<void> {
    ClientResult<BufferedClient> c = co_await BufferedClient::connect(addr_of(port));
    EXPECT_FALSE(c);
    if (!c) {
      EXPECT_EQ(c.error().kind(), ClientError::Kind::io);
    }
  }(p));
}

TEST(MiniRedisBufferedClient, ServerDeathFailsInFlightAndLaterRequestsWithoutHanging) {
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  auto rt = sluice::Builder::multi_thread().worker_threads(2).build();
  rt.block_on([](std::optional<sluice::test::RedisServer>* server) -> Task<void> {
    ClientResult<BufferedClient> c = co_await BufferedClient::connect(addr_of((*server)->port()));
    EXPECT_TRUE(c);
    if (!c) co_return;
    ClientResult<void> ok = co_await c->set("a", "b");
    EXPECT_TRUE(ok);
    // In flight across the kill: a BLPOP the server is still blocked on.
    Frame blpop = Frame::array({Frame::bulk("blpop"), Frame::bulk("empty"), Frame::bulk("5")});
    auto blocked = sluice::spawn(c->execute(std::move(blpop)));
    co_await sluice::sleep(100ms);
    server->reset();  // SIGTERM + wait: redis closes every connection
    auto first = sluice::timeout(5s, std::move(blocked));
    auto r = co_await first;
    EXPECT_TRUE(r);  // did not hang
    if (r) {
      EXPECT_TRUE(*r);  // the task itself finished
      if (*r) {
        EXPECT_FALSE(**r);  // ...with an error
      }
    }
    for (int i = 0; i < 3; ++i) {
      auto later = sluice::timeout(5s, c->get("a"));
      auto lr = co_await later;
      EXPECT_TRUE(lr);
      if (lr) {
        EXPECT_FALSE(*lr);
        if (!*lr) {
          EXPECT_TRUE(lr->error().kind() == ClientError::Kind::protocol ||
                      lr->error().kind() == ClientError::Kind::io)
              << lr->error().to_string();
        }
      }
    }
    const bool exited = co_await eventually(c->stats()->manager_exited, 5000ms);
    EXPECT_TRUE(exited);
  }(&redis));
}

}  // namespace
