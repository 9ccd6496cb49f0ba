// The real mini-redis-server program, driven by the real redis-cli and redis-benchmark: what a
// user sees. Skips only when redis-cli / redis-benchmark are not installed
// (scripts/install-deps.sh installs them).
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/child_process.hpp"

#ifndef MINI_REDIS_SERVER_PATH
#error "tests/CMakeLists.txt passes MINI_REDIS_SERVER_PATH when the mini-redis-server target exists"
#endif

namespace {

using namespace std::chrono_literals;
using sluice::test::Captured;
using sluice::test::ChildProcess;
using sluice::test::run_capture;

struct RunningServer {
  ChildProcess process;
  std::uint16_t port;
};

std::optional<RunningServer> start_server() {
  const std::uint16_t port = sluice::test::free_loopback_port();
  auto child = ChildProcess::spawn({MINI_REDIS_SERVER_PATH, "--port", std::to_string(port)});
  if (!child) return std::nullopt;
  if (!sluice::test::wait_for_port(port, 10s)) return std::nullopt;
  return RunningServer{std::move(*child), port};
}

Captured cli(std::uint16_t port, std::vector<std::string> args) {
  std::vector<std::string> argv{"redis-cli", "-p", std::to_string(port)};
  for (auto& a : args) argv.push_back(std::move(a));
  return run_capture(argv);
}

#define REQUIRE_REDIS_TOOLS()                                                             \
  do {                                                                                    \
    if (!sluice::test::on_path("redis-cli") || !sluice::test::on_path("redis-benchmark")) \
      GTEST_SKIP() << "redis-cli / redis-benchmark not installed";                        \
  } while (0)

TEST(MiniRedisServerCli, CommandsThroughRedisCli) {
  REQUIRE_REDIS_TOOLS();
  auto server = start_server();
  ASSERT_TRUE(server);
  const auto port = server->port;
  EXPECT_EQ(cli(port, {"PING"}).output, "PONG\n");
  EXPECT_EQ(cli(port, {"PING", "hi there"}).output, "hi there\n");
  EXPECT_EQ(cli(port, {"SET", "greeting", "hello world"}).output, "OK\n");
  EXPECT_EQ(cli(port, {"GET", "greeting"}).output, "hello world\n");
  EXPECT_EQ(cli(port, {"SET", "short", "v", "PX", "60000"}).output, "OK\n");
  EXPECT_EQ(cli(port, {"GET", "short"}).output, "v\n");
  EXPECT_EQ(cli(port, {"GET", "missing"}).output, "\n");  // nil prints as an empty line
  Captured unknown = cli(port, {"FOO", "bar"});
  EXPECT_NE(unknown.output.find("ERR unknown command 'FOO'"), std::string::npos) << unknown.output;
  Captured arity = cli(port, {"GET"});
  EXPECT_NE(arity.output.find("wrong number of arguments"), std::string::npos) << arity.output;
  EXPECT_EQ(cli(port, {"PUBLISH", "nobody", "listens"}).output, "0\n");
}

TEST(MiniRedisServerCli, SubscriberInTheBackgroundReceivesAPublish) {
  REQUIRE_REDIS_TOOLS();
  auto server = start_server();
  ASSERT_TRUE(server);
  const auto port = server->port;
  Captured subscriber;
  // redis-cli in subscribe mode never exits by itself: `timeout` ends it.
  std::thread background([&] {
    subscriber =
        run_capture({"timeout", "4", "redis-cli", "-p", std::to_string(port), "SUBSCRIBE", "news"});
  });
  // Publish until the subscriber is there (PUBLISH answers 1), then once more for good measure.
  std::string receivers;
  for (int i = 0; i < 200 && receivers != "1\n"; ++i) {
    receivers = cli(port, {"PUBLISH", "news", "hello subscriber"}).output;
    if (receivers != "1\n") std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(receivers, "1\n");
  background.join();
  EXPECT_NE(subscriber.output.find("subscribe\nnews\n1\n"), std::string::npos) << subscriber.output;
  EXPECT_NE(subscriber.output.find("message\nnews\nhello subscriber\n"), std::string::npos)
      << subscriber.output;
}

TEST(MiniRedisServerCli, RedisBenchmarkRunsPlainAndPipelined) {
  REQUIRE_REDIS_TOOLS();
  auto server = start_server();
  ASSERT_TRUE(server);
  const std::string port = std::to_string(server->port);
  for (const char* pipeline : {"1", "16"}) {
    Captured bench = run_capture({"redis-benchmark", "-p", port, "-t", "set,get", "-n", "2000",
                                  "-c", "10", "-P", pipeline, "-q"});
    EXPECT_EQ(bench.status, 0) << "-P " << pipeline;
    EXPECT_NE(bench.output.find("SET: "), std::string::npos) << bench.output;
    EXPECT_NE(bench.output.find("GET: "), std::string::npos) << bench.output;
    EXPECT_NE(bench.output.find("requests per second"), std::string::npos) << bench.output;
  }
  EXPECT_EQ(cli(server->port, {"PING"}).output, "PONG\n");
}

TEST(MiniRedisServerCli, SigtermAndSigintShutDownCleanly) {
  REQUIRE_REDIS_TOOLS();
  for (int sig : {SIGTERM, SIGINT}) {
    auto server = start_server();
    ASSERT_TRUE(server);
    EXPECT_EQ(cli(server->port, {"SET", "k", "v"}).output, "OK\n");
    server->process.signal(sig);
    EXPECT_EQ(server->process.wait_exit(5s), std::optional<int>(0)) << "signal " << sig;
  }
}

TEST(MiniRedisServerCli, BadArgumentsExitWithUsage) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{MINI_REDIS_SERVER_PATH, "--port", "notaport"},
        std::vector<std::string>{MINI_REDIS_SERVER_PATH, "--port"},
        std::vector<std::string>{MINI_REDIS_SERVER_PATH, "--bogus", "1"},
        std::vector<std::string>{MINI_REDIS_SERVER_PATH, "--max-connections", "0"}}) {
    Captured r = run_capture(args);
    EXPECT_EQ(r.status, 2) << args[1];
  }
}

}  // namespace
