// mini_redis::BlockingClient / BlockingSubscriber from plain std::threads, against a real
// redis-server.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/blocking_client.hpp>

#include "support/child_process.hpp"

namespace {

using mini_redis::BlockingClient;
using mini_redis::BlockingSubscriber;
using mini_redis::ClientError;
using mini_redis::Message;
using namespace std::chrono_literals;

std::string addr_of(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

TEST(MiniRedisBlockingClient, EightThreadsEachWithTheirOwnClient) {
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  constexpr int kThreads = 8;
  constexpr int kKeys = 50;
  std::vector<int> matched(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = BlockingClient::connect(addr_of(redis->port()));
      ASSERT_TRUE(c);
      for (int i = 0; i < kKeys; ++i) {
        std::string key = "t" + std::to_string(t) + ":" + std::to_string(i);
        auto s = c->set(key, "v" + std::to_string(i));
        EXPECT_TRUE(s);
        auto v = c->get(key);
        if (v && *v && **v == "v" + std::to_string(i)) ++matched[static_cast<std::size_t>(t)];
      }
      auto missing = c->get("nope");
      EXPECT_TRUE(missing && !*missing);
      auto pong = c->ping();
      EXPECT_TRUE(pong && *pong == "PONG");
    });
  }
  for (auto& th : threads) th.join();
  for (int m : matched) EXPECT_EQ(m, kKeys);
}

TEST(MiniRedisBlockingClient, ExpiryErrorsAndSubscriberAcrossThreads) {
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  auto c = BlockingClient::connect(addr_of(redis->port()));
  ASSERT_TRUE(c);
  auto e = c->set_expires("e", "x", 300ms);
  EXPECT_TRUE(e);
  std::this_thread::sleep_for(1s);
  auto gone = c->get("e");
  EXPECT_TRUE(gone && !*gone);

  auto lpush = c->execute(
      mini_redis::Frame::array({mini_redis::Frame::bulk("lpush"), mini_redis::Frame::bulk("l"),
                                mini_redis::Frame::bulk("x")}));
  EXPECT_TRUE(lpush);
  auto wrong = c->get("l");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind(), ClientError::Kind::server);

  auto subc = BlockingClient::connect(addr_of(redis->port()));
  ASSERT_TRUE(subc);
  auto sub = std::move(*subc).subscribe({"ch"});
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->subscribed_channels(), std::vector<std::string>{"ch"});
  auto none = sub->next_message_timeout(50ms);
  EXPECT_FALSE(none);  // timed out, nothing lost

  std::thread publisher([&] {
    auto p = BlockingClient::connect(addr_of(redis->port()));
    ASSERT_TRUE(p);
    for (int i = 0; i < 10; ++i) {
      auto n = p->publish("ch", std::to_string(i));
      EXPECT_TRUE(n && *n == 1);
    }
  });
  for (int i = 0; i < 10; ++i) {
    auto m = sub->next_message();
    ASSERT_TRUE(m && *m);
    EXPECT_EQ(**m, (Message{"ch", std::to_string(i)}));
  }
  publisher.join();
  auto u = sub->unsubscribe({});
  EXPECT_TRUE(u);
  EXPECT_TRUE(sub->subscribed_channels().empty());

  auto refused = BlockingClient::connect(addr_of(sluice::test::free_loopback_port()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind(), ClientError::Kind::io);
}

}  // namespace
