// Unit tests of detail::BlockList: order, block boundaries (31/32/33 ...), is_empty at block
// boundaries (Tokio #6603), close then drain, Inconsistent while a sender is still writing,
// destruction of unread values, move-only and non-default-constructible values, and the memory
// kept after a burst.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/block_list.hpp>

namespace {

using sluice::detail::BlockList;
using sluice::detail::kBlockCap;
using sluice::detail::PopStatus;

static_assert(kBlockCap == 32);

// Pops `n` values and checks they are first, first+1, ...
void expect_pops(BlockList<int>& list, int first, int n) {
  for (int i = 0; i < n; ++i) {
    auto r = list.pop();
    ASSERT_EQ(r.status(), PopStatus::Value) << "at " << first + i;
    EXPECT_EQ(r.value(), first + i);
  }
}

TEST(BlockList, NewListIsEmpty) {
  BlockList<int> list;
  EXPECT_TRUE(list.is_empty());
  EXPECT_EQ(list.pop().status(), PopStatus::Empty);
  EXPECT_EQ(list.allocated_blocks(), 1u);
}

TEST(BlockList, PopReturnsValuesInPushOrder) {
  BlockList<int> list;
  for (int i = 0; i < 5; ++i) list.push(int{i});
  EXPECT_FALSE(list.is_empty());
  expect_pops(list, 0, 5);
  EXPECT_TRUE(list.is_empty());
  EXPECT_EQ(list.pop().status(), PopStatus::Empty);
}

class BlockBoundary : public ::testing::TestWithParam<int> {};

TEST_P(BlockBoundary, AllValuesComeBackAcrossBlocks) {
  const int n = GetParam();
  BlockList<int> list;
  for (int i = 0; i < n; ++i) list.push(int{i});
  expect_pops(list, 0, n);
  EXPECT_EQ(list.pop().status(), PopStatus::Empty);
  EXPECT_TRUE(list.is_empty());
  // The list keeps working after crossing the boundary.
  list.push(1000);
  EXPECT_FALSE(list.is_empty());
  expect_pops(list, 1000, 1);
}

TEST_P(BlockBoundary, InterleavedPushPop) {
  const int n = GetParam();
  BlockList<int> list;
  for (int i = 0; i < n; ++i) {
    list.push(int{i});
    EXPECT_FALSE(list.is_empty());
    expect_pops(list, i, 1);
    EXPECT_TRUE(list.is_empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, BlockBoundary,
                         ::testing::Values(1, 31, 32, 33, 63, 64, 65, 97, 1000));

// Tokio #6603: once exactly a block was read, the head still points at the old block; is_empty
// must look at the position, not at the stale block.
TEST(BlockList, IsEmptyAtBlockBoundaries) {
  BlockList<int> list;
  for (int i = 0; i < 32; ++i) list.push(int{i});
  expect_pops(list, 0, 32);
  EXPECT_TRUE(list.is_empty());
  list.push(32);
  EXPECT_FALSE(list.is_empty());
  expect_pops(list, 32, 1);
  EXPECT_TRUE(list.is_empty());

  for (int i = 33; i < 64; ++i) list.push(int{i});
  expect_pops(list, 33, 31);  // read up to 63: the next position starts block 2
  EXPECT_TRUE(list.is_empty());
  list.push(64);
  list.push(65);
  EXPECT_FALSE(list.is_empty());
  expect_pops(list, 64, 1);
  EXPECT_FALSE(list.is_empty());
  expect_pops(list, 65, 1);
  EXPECT_TRUE(list.is_empty());
}

TEST(BlockList, CloseOnEmptyListIsClosedAndEmpty) {
  BlockList<int> list;
  list.close();
  EXPECT_TRUE(list.is_empty());
  EXPECT_EQ(list.pop().status(), PopStatus::Closed);
  EXPECT_EQ(list.pop().status(), PopStatus::Closed);
}

TEST(BlockList, CloseThenDrain) {
  BlockList<int> list;
  for (int i = 0; i < 5; ++i) list.push(int{i});
  list.close();
  EXPECT_FALSE(list.is_empty());
  expect_pops(list, 0, 5);
  EXPECT_TRUE(list.is_empty());
  EXPECT_EQ(list.pop().status(), PopStatus::Closed);
  EXPECT_EQ(list.pop().status(), PopStatus::Closed);
}

class CloseAt : public ::testing::TestWithParam<int> {};

TEST_P(CloseAt, ClosedAfterTheLastValueAtAnyOffset) {
  const int n = GetParam();
  BlockList<int> list;
  for (int i = 0; i < n; ++i) list.push(int{i});
  list.close();  // the closing claim lands on position n (31: end of block 0, 32: start of block 1)
  expect_pops(list, 0, n);
  EXPECT_TRUE(list.is_empty());
  EXPECT_EQ(list.pop().status(), PopStatus::Closed);
}

INSTANTIATE_TEST_SUITE_P(Sizes, CloseAt, ::testing::Values(0, 1, 30, 31, 32, 33, 63, 64, 65));

// Counts live objects: constructions (including moves) minus destructions.
struct Counted {
  explicit Counted(std::atomic<int>* live, int v) : live_(live), v_(v) { live_->fetch_add(1); }
  Counted(Counted&& o) noexcept : live_(o.live_), v_(o.v_) { live_->fetch_add(1); }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  ~Counted() { live_->fetch_sub(1); }
  std::atomic<int>* live_;
  int v_;
};

TEST(BlockList, DestructionDropsEveryUnreadValueExactlyOnce) {
  std::atomic<int> live{0};
  {
    BlockList<Counted> list;
    for (int i = 0; i < 100; ++i) list.push(Counted(&live, i));
    EXPECT_EQ(live.load(), 100);
    for (int i = 0; i < 40; ++i) {
      auto r = list.pop();
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r.value().v_, i);
    }
    EXPECT_EQ(live.load(), 60);  // popped values (and moved-from slots) are gone
  }
  EXPECT_EQ(live.load(), 0);
}

TEST(BlockList, DestructionAfterCloseAndPartialDrain) {
  std::atomic<int> live{0};
  {
    BlockList<Counted> list;
    for (int i = 0; i < 70; ++i) list.push(Counted(&live, i));
    list.close();
    for (int i = 0; i < 33; ++i) ASSERT_TRUE(list.pop().has_value());
    EXPECT_EQ(live.load(), 37);
  }
  EXPECT_EQ(live.load(), 0);
}

TEST(BlockList, DestructionOfAFullyReadListDestroysNothingTwice) {
  std::atomic<int> live{0};
  {
    BlockList<Counted> list;
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < 50; ++i) list.push(Counted(&live, i));
      for (int i = 0; i < 50; ++i) ASSERT_TRUE(list.pop().has_value());
    }
    EXPECT_EQ(live.load(), 0);
  }
  EXPECT_EQ(live.load(), 0);
}

TEST(BlockList, MoveOnlyValues) {
  BlockList<std::unique_ptr<std::string>> list;
  for (int i = 0; i < 40; ++i) list.push(std::make_unique<std::string>(std::to_string(i)));
  for (int i = 0; i < 40; ++i) {
    auto r = list.pop();
    ASSERT_TRUE(r.has_value());
    std::unique_ptr<std::string> v = std::move(r).value();
    EXPECT_EQ(*v, std::to_string(i));
  }
}

struct NoDefault {
  NoDefault() = delete;
  explicit NoDefault(int v) : v_(v) {}
  int v_;
};

TEST(BlockList, NonDefaultConstructibleValues) {
  BlockList<NoDefault> list;
  for (int i = 0; i < 33; ++i) list.push(NoDefault(i));
  for (int i = 0; i < 33; ++i) {
    auto r = list.pop();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r.value().v_, i);
  }
}

TEST(BlockList, LargeValuesKeepTheirContent) {
  BlockList<std::string> list;
  for (int i = 0; i < 100; ++i) list.push(std::string(100 + i, static_cast<char>('a' + i % 26)));
  for (int i = 0; i < 100; ++i) {
    auto r = list.pop();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r.value(), std::string(100 + i, static_cast<char>('a' + i % 26)));
  }
}

// A value whose move constructor waits for a gate: the sender that pushes it has claimed its
// position but not finished writing, so the receiver sees Inconsistent (not Empty).
struct Gated {
  Gated(std::atomic<bool>* open, int v) : open_(open), v_(v) {}
  Gated(Gated&& o) noexcept : open_(o.open_), v_(o.v_) {
    while (!open_->load(std::memory_order_acquire)) std::this_thread::yield();
  }
  std::atomic<bool>* open_;
  int v_;
};

TEST(BlockList, ClaimedButUnwrittenSlotIsInconsistent) {
  std::atomic<bool> open{false};
  BlockList<Gated> list;
  std::atomic<bool> started{false};
  std::thread sender([&] {
    Gated g(&open, 7);
    started.store(true);
    list.push(std::move(g));  // blocks inside the move until `open`
  });
  while (!started.load()) std::this_thread::yield();
  // Wait until the position is claimed: then the list is no longer empty.
  while (list.is_empty()) std::this_thread::yield();
  EXPECT_EQ(list.pop().status(), PopStatus::Inconsistent);
  EXPECT_FALSE(list.is_empty());
  open.store(true, std::memory_order_release);
  sender.join();
  auto r = list.pop();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r.value().v_, 7);
  EXPECT_EQ(list.pop().status(), PopStatus::Empty);
}

// Memory policy: after a burst is drained, at most a few blocks stay allocated (the head block,
// up to kReclaimTries spares, and the block block_tail lags on), and reuse needs no allocation.
TEST(BlockList, MemoryReturnsToASmallConstantAfterABurst) {
  BlockList<int> list;
  constexpr int kBurst = 10'000;
  for (int i = 0; i < kBurst; ++i) list.push(int{i});
  EXPECT_GE(list.allocated_blocks(), static_cast<std::size_t>(kBurst / 32));
  expect_pops(list, 0, kBurst);
  EXPECT_EQ(list.pop().status(), PopStatus::Empty);
  const std::size_t after_drain = list.allocated_blocks();
  EXPECT_LE(after_drain, 1u + BlockList<int>::kReclaimTries + 1u);

  // Steady traffic now runs on the kept blocks: no more allocations.
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 40; ++i) list.push(int{i});
    expect_pops(list, 0, 40);
  }
  EXPECT_LE(list.allocated_blocks(), after_drain);
  // And a second burst comes back down the same way.
  for (int i = 0; i < kBurst; ++i) list.push(int{i});
  expect_pops(list, 0, kBurst);
  EXPECT_LE(list.allocated_blocks(), 1u + BlockList<int>::kReclaimTries + 1u);
}

TEST(BlockList, TwoProducersOneConsumerSmall) {
  constexpr int kPer = 5000;
  BlockList<int> list;
  std::thread a([&] {
    for (int i = 0; i < kPer; ++i) list.push(int{i * 2});
  });
  std::thread b([&] {
    for (int i = 0; i < kPer; ++i) list.push(int{i * 2 + 1});
  });
  int next_even = 0;
  int next_odd = 1;
  int got = 0;
  while (got < 2 * kPer) {
    auto r = list.pop();
    if (!r.has_value()) {
      ASSERT_NE(r.status(), PopStatus::Closed);
      std::this_thread::yield();
      continue;
    }
    const int v = r.value();
    if (v % 2 == 0) {
      ASSERT_EQ(v, next_even);
      next_even += 2;
    } else {
      ASSERT_EQ(v, next_odd);
      next_odd += 2;
    }
    ++got;
  }
  a.join();
  b.join();
  list.close();
  EXPECT_EQ(list.pop().status(), PopStatus::Closed);
}

// --- the observed tail packed into the ready word (block.hpp) ----------------------------------

using sluice::detail::Block;

// Three words of bookkeeping: a 32-slot block of u64 is 280 bytes, which glibc serves from a
// 288-byte chunk (Tokio's 288-byte block takes a 304-byte chunk).
static_assert(sizeof(Block<std::uint64_t>) == 3 * sizeof(void*) + 32 * sizeof(std::uint64_t));

// Writes 0, 1, ... into every slot of `b` (which starts at `start`).
void fill(Block<int>& b, std::size_t start) {
  for (std::size_t i = 0; i < kBlockCap; ++i) b.write(start + i, static_cast<int>(i));
}

TEST(Block, NotReleasedHasNoObservedTail) {
  Block<int> b(64);
  std::size_t observed = 7;
  EXPECT_FALSE(b.observed_tail_position(observed));
  EXPECT_EQ(observed, 7u);
}

TEST(Block, ReleaseKeepsTheObservedTailAndTheReadyBits) {
  for (std::size_t tail :
       {std::size_t{96}, std::size_t{97}, std::size_t{1000}, std::size_t{1} << 29}) {
    Block<int> b(64);
    fill(b, 64);
    b.tx_release(tail);
    std::size_t observed = 0;
    ASSERT_TRUE(b.observed_tail_position(observed));
    EXPECT_EQ(observed, tail);
    EXPECT_TRUE(b.is_final());
    for (std::size_t i = 0; i < kBlockCap; ++i) {
      EXPECT_EQ(b.state_at(64 + i), sluice::detail::SlotState::Ready);
      EXPECT_EQ(b.value_at(64 + i), static_cast<int>(i));
    }
  }
}

TEST(Block, ObservedTailAtTheStartOfHighPositions) {
  const std::size_t start = (std::size_t{1} << 62) + 64;  // a long-lived channel
  Block<int> b(start);
  fill(b, start);
  b.tx_release(start + 40);
  std::size_t observed = 0;
  ASSERT_TRUE(b.observed_tail_position(observed));
  EXPECT_EQ(observed, start + 40);
}

TEST(Block, ObservedTailTooFarAheadIsReportedUnknown) {
  // Senders claimed more than 2^30 positions past the block before it was released (one of its
  // writers stalled): the offset does not fit, and the receiver must not guess a smaller tail.
  Block<int> b(0);
  fill(b, 0);
  b.tx_release((std::size_t{1} << 40) + 5);
  std::size_t observed = 0;
  ASSERT_TRUE(b.observed_tail_position(observed));
  EXPECT_EQ(observed, Block<int>::kUnknownTail);
  EXPECT_TRUE(b.is_final());  // the ready bits are untouched
}

TEST(Block, ReclaimClearsTheObservedTail) {
  Block<int> b(32);
  fill(b, 32);
  b.tx_release(70);
  b.reclaim();
  std::size_t observed = 0;
  EXPECT_FALSE(b.observed_tail_position(observed));
  b.set_start_index(128);
  fill(b, 128);
  b.tx_release(200);
  ASSERT_TRUE(b.observed_tail_position(observed));
  EXPECT_EQ(observed, 200u);
}

}  // namespace
