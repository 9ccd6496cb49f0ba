// The fuzz target's properties (fuzz/resp_frame_property.hpp) on the seed corpus
// (fuzz/corpus/resp_frame/) and on a few hand-written inputs, in every build: what the fuzzer
// checks under clang also runs under g++, ASan and UBSan.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../../fuzz/resp_frame_property.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

fs::path corpus_dir() {
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "fuzz" / "corpus" /
         "resp_frame";
}

TEST(RespCorpus, SeedCorpusSatisfiesTheFuzzProperties) {
  const fs::path dir = corpus_dir();
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(mini_redis_fuzz::check_resp_properties(bytes), "") << entry.path();
    ++files;
  }
  EXPECT_GE(files, 12u);
}

TEST(RespCorpus, HandWrittenInputsSatisfyTheFuzzProperties) {
  const std::vector<std::string> inputs = {
      "",
      "\r\n",
      "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
      "PING\r\nset k v px 100\r\n",
      "+a\rb\r\n",
      "$3\r\na\r\n\r\n",
      "*3\r\n:1\r\n*-1\r\n$-1\r\n",
      "*1\r\n*1\r\n*1\r\n",
      "-ERR\r\n:9223372036854775807\r\n:-9223372036854775808\r\n",
      ":9223372036854775808\r\n",
      "$600000000\r\n",
      "*5\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nEX\r\n:10\r\n",
      "\x00\xff\r\n"s,
      std::string(70000, 'x'),
  };
  for (const auto& in : inputs) {
    EXPECT_EQ(mini_redis_fuzz::check_resp_properties(in), "") << ::testing::PrintToString(in);
  }
}

}  // namespace
