// `make demo` (examples/demo.cpp): runs the program and checks its output. Not an expectation
// file: which of GET and SET reaches the manager first, and the rates, vary from run to run.
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>

#include <gtest/gtest.h>

#include "support/child_process.hpp"

namespace {

std::filesystem::path demo_path() {
  // This test runs from build/<preset>/tests/; the demo is build/<preset>/examples/demo.
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" /
         "demo";
}

TEST(Demo, RunsTheTutorialThroughTheManagerTask) {
  auto exe = demo_path();
  if (!std::filesystem::exists(exe)) GTEST_SKIP() << exe << " not built (examples off)";
  sluice::test::Captured run = sluice::test::run_capture({exe.string()});
  EXPECT_EQ(run.status, 0) << run.output;
  const std::string& out = run.output;
  EXPECT_TRUE(
      std::regex_search(out, std::regex("redis: (a Redis server answers at 127\\.0\\.0\\.1:6379|"
                                        "nothing at 127\\.0\\.0\\.1:6379; started mini-redis "
                                        "in-process at 127\\.0\\.0\\.1:[0-9]+)\n")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("GOT \\(set foo bar\\) = OK\n"))) << out;
  // GET runs before or after SET: nil, "bar", or (with a real Redis) whatever foo held.
  EXPECT_TRUE(std::regex_search(out, std::regex("GOT \\(get foo\\) = (\\(nil\\)|\".*\")\n")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("1000 tasks, 2000 requests through the manager "
                                                "task: 1000/1000 correct, [0-9]+ requests/s\n")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("1000 tasks, 2000 requests through BufferedClient "
                                                "\\(pipelined manager\\): 1000/1000 correct, "
                                                "[0-9]+ requests/s\n")))
      << out;
  EXPECT_TRUE(std::regex_search(
      out, std::regex("pipelining: [0-9.]+x the one-request-at-a-time manager\n")))
      << out;
  if (out.find("started mini-redis in-process") != std::string::npos) {
    EXPECT_NE(out.find("mini-redis stopped cleanly\n"), std::string::npos) << out;
  }
}

}  // namespace
