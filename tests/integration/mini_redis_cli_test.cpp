// mini-redis-cli against a real redis-server. The program is found next to the test binary:
// build/<preset>/tests/sluice_integration_tests -> build/<preset>/bin/mini-redis-cli.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <mini_redis/blocking_client.hpp>

#include "support/child_process.hpp"

namespace {

using namespace std::chrono_literals;
using sluice::test::run_capture;

std::string cli_path() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  auto p = exe.parent_path().parent_path() / "bin" / "mini-redis-cli";
  return std::filesystem::exists(p) ? p.string() : std::string();
}

#define CLI_OR_SKIP(var)                                                               \
  const std::string var = cli_path();                                                  \
  if (var.empty()) GTEST_SKIP() << "mini-redis-cli not built next to the test binary"; \
  static_assert(true)

TEST(MiniRedisCli, SetGetMissingPingPublish) {
  CLI_OR_SKIP(cli);
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  const std::string port = std::to_string(redis->port());

  auto set = run_capture({cli, "--port", port, "set", "k", "hello world"});
  EXPECT_EQ(set.status, 0);
  EXPECT_EQ(set.output, "OK\n");
  auto get = run_capture({cli, "--host", "127.0.0.1", "--port", port, "get", "k"});
  EXPECT_EQ(get.status, 0);
  EXPECT_EQ(get.output, "\"hello world\"\n");
  auto missing = run_capture({cli, "--port", port, "get", "missing"});
  EXPECT_EQ(missing.status, 0);
  EXPECT_EQ(missing.output, "(nil)\n");
  auto ping = run_capture({cli, "--port", port, "ping"});
  EXPECT_EQ(ping.output, "PONG\n");
  auto echo = run_capture({cli, "--port", port, "ping", "a\"b\n"});
  EXPECT_EQ(echo.output, "\"a\\\"b\\n\"\n");
  auto pub = run_capture({cli, "--port", port, "publish", "ch", "m"});
  EXPECT_EQ(pub.status, 0);
  EXPECT_EQ(pub.output, "Publish OK (0 subscribers)\n");

  auto exp = run_capture({cli, "--port", port, "set", "e", "v", "300"});
  EXPECT_EQ(exp.output, "OK\n");
  std::this_thread::sleep_for(1s);
  auto expired = run_capture({cli, "--port", port, "get", "e"});
  EXPECT_EQ(expired.output, "(nil)\n");
}

TEST(MiniRedisCli, UsageErrorsExit2AndServerOrConnectionErrorsExit1) {
  CLI_OR_SKIP(cli);
  EXPECT_EQ(run_capture({cli}).status, 2);
  EXPECT_EQ(run_capture({cli, "frobnicate"}).status, 2);
  EXPECT_EQ(run_capture({cli, "get"}).status, 2);
  EXPECT_EQ(run_capture({cli, "set", "k", "v", "soon"}).status, 2);
  EXPECT_EQ(run_capture({cli, "--port", "notaport", "ping"}).status, 2);
  const std::string closed = std::to_string(sluice::test::free_loopback_port());
  auto refused = run_capture({cli, "--port", closed, "ping"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_EQ(refused.output, "");

  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  auto c = mini_redis::BlockingClient::connect("127.0.0.1:" + std::to_string(redis->port()));
  ASSERT_TRUE(c);
  auto pushed = c->execute(
      mini_redis::Frame::array({mini_redis::Frame::bulk("lpush"), mini_redis::Frame::bulk("l"),
                                mini_redis::Frame::bulk("x")}));
  ASSERT_TRUE(pushed);
  auto wrong = run_capture({cli, "--port", std::to_string(redis->port()), "get", "l"});
  EXPECT_EQ(wrong.status, 1);
}

TEST(MiniRedisCli, SubscribePrintsMessagesUntilInterrupted) {
  CLI_OR_SKIP(cli);
  if (!sluice::test::on_path("timeout")) GTEST_SKIP() << "coreutils timeout missing";
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed or did not start";
  const std::string port = std::to_string(redis->port());
  std::thread publisher([&] {
    auto c = mini_redis::BlockingClient::connect("127.0.0.1:" + port);
    ASSERT_TRUE(c);
    // Wait until the cli has subscribed (a publish reaches one subscriber).
    auto until = std::chrono::steady_clock::now() + 3s;
    for (;;) {
      auto n = c->publish("news", "probe");
      if ((n && *n == 1) || std::chrono::steady_clock::now() > until) break;
      std::this_thread::sleep_for(10ms);
    }
    for (int i = 0; i < 3; ++i) {
      auto n = c->publish("news", "m" + std::to_string(i));
      EXPECT_TRUE(n && *n == 1);
    }
  });
  // SIGINT after 2 s, like Ctrl-C.
  auto out = run_capture({"timeout", "-s", "INT", "2", cli, "--port", port, "subscribe", "news"});
  publisher.join();
  EXPECT_EQ(out.output,
            "got message from the channel: news; message = \"probe\"\n"
            "got message from the channel: news; message = \"m0\"\n"
            "got message from the channel: news; message = \"m1\"\n"
            "got message from the channel: news; message = \"m2\"\n");
}

}  // namespace
