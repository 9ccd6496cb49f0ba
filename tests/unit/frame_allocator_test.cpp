// The frame pool (detail/frame_allocator.hpp): blocks keep their contents while owned, and
// blocks freed on another thread are reused without corruption (magazines + depot).
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/frame_allocator.hpp>

namespace {

using sluice::detail::frame_alloc;
using sluice::detail::frame_free;

struct Block {
  void* p;
  std::size_t size;
  unsigned char fill;
};

void check_and_free(const std::vector<Block>& blocks) {
  for (const Block& b : blocks) {
    auto* bytes = static_cast<unsigned char*>(b.p);
    for (std::size_t i = 0; i < b.size; ++i)
      ASSERT_EQ(bytes[i], b.fill) << "size " << b.size << " byte " << i;
    frame_free(b.p, b.size);
  }
}

TEST(FrameAllocator, BlocksAreDistinctAndKeepTheirContents) {
  std::vector<Block> blocks;
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < 3000; ++i) {
      std::size_t size = 1 + (i * 37) % 1500;  // pooled and unpooled sizes
      auto fill = static_cast<unsigned char>(i);
      void* p = frame_alloc(size);
      std::memset(p, fill, size);
      blocks.push_back({p, size, fill});
    }
    check_and_free(blocks);
    blocks.clear();
  }
}

TEST(FrameAllocator, AllocateOnOneThreadFreeOnAnother) {
  // The spawner/worker pattern: one thread only allocates, the other only frees.
  for (int round = 0; round < 20; ++round) {
    std::vector<Block> blocks;
    for (std::size_t i = 0; i < 5000; ++i) {
      std::size_t size = 64 + (i % 4) * 64;
      auto fill = static_cast<unsigned char>(i * 7 + round);
      void* p = frame_alloc(size);
      std::memset(p, fill, size);
      blocks.push_back({p, size, fill});
    }
    std::thread t([&] { check_and_free(blocks); });
    t.join();
  }
}

}  // namespace
