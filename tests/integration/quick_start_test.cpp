// The README quick start (examples/quick_start.cpp): the README shows the program verbatim, and
// the program does what the README says against mini-redis-server and against a real Redis.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/child_process.hpp"

#ifndef MINI_REDIS_SERVER_PATH
#error "tests/CMakeLists.txt passes MINI_REDIS_SERVER_PATH when the mini-redis-server target exists"
#endif
#ifndef SLUICE_SOURCE_DIR
#error "tests/CMakeLists.txt passes SLUICE_SOURCE_DIR to the integration tests"
#endif

namespace {

using namespace std::chrono_literals;

std::filesystem::path quick_start_path() {
  // This test runs from build/<preset>/tests/; the example is build/<preset>/examples/.
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" /
         "example_quick_start";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string address(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

TEST(QuickStart, ReadmeShowsTheExampleVerbatim) {
  const std::filesystem::path source(SLUICE_SOURCE_DIR);
  const std::string example = read_file(source / "examples" / "quick_start.cpp");
  const std::string readme = read_file(source / "README.md");
  // The README block is the file from its first #include line on (the file's header comment
  // says where it is shown and is not part of the block).
  const auto code_start = example.find("\n#include <cstdio>\n");
  ASSERT_NE(code_start, std::string::npos);
  const std::string code = example.substr(code_start + 1);
  EXPECT_NE(readme.find("```cpp\n" + code + "```\n"), std::string::npos)
      << "README.md's quick start block differs from examples/quick_start.cpp; paste:\n"
      << code;
}

TEST(QuickStart, SetsAndGetsThroughTheManagerOnMiniRedis) {
  const auto exe = quick_start_path();
  if (!std::filesystem::exists(exe)) GTEST_SKIP() << exe << " not built (examples off)";
  const std::uint16_t port = sluice::test::free_loopback_port();
  auto server =
      sluice::test::ChildProcess::spawn({MINI_REDIS_SERVER_PATH, "--port", std::to_string(port)});
  ASSERT_TRUE(server);
  ASSERT_TRUE(sluice::test::wait_for_port(port, 10s));
  const auto run = sluice::test::run_capture({exe.string(), address(port)});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.output, "GOT = OK\nGOT = \"bar\"\n");
}

TEST(QuickStart, SetsAndGetsThroughTheManagerOnRealRedis) {
  const auto exe = quick_start_path();
  if (!std::filesystem::exists(exe)) GTEST_SKIP() << exe << " not built (examples off)";
  auto redis = sluice::test::RedisServer::start();
  if (!redis) GTEST_SKIP() << "redis-server not installed (scripts/install-deps.sh installs it)";
  const auto run = sluice::test::run_capture({exe.string(), address(redis->port())});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.output, "GOT = OK\nGOT = \"bar\"\n");
}

TEST(QuickStart, SaysWhyAndFailsWhenNoServerListens) {
  const auto exe = quick_start_path();
  if (!std::filesystem::exists(exe)) GTEST_SKIP() << exe << " not built (examples off)";
  const std::uint16_t port = sluice::test::free_loopback_port();  // nothing listens on it
  // The connect error reaches the user the way Rust's unwrap would report it: run_main prints
  // the error .value() threw, with the error's own text, and main returns 1.
  const auto run =
      sluice::test::run_capture({exe.string(), address(port)}, {}, sluice::test::StderrTo::output);
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.output, "error: sluice::Result: value() called on an error: Connection refused\n");
}

}  // namespace
