// Stress test of detail::LocalQueue: one owner pushes (overflowing into an InjectQueue) and pops
// 1M nodes while three stealer threads steal from it and from each other; every node must be
// seen exactly once. Iterations are divided by env SLUICE_STRESS_DIV (default 1).
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sluice/detail/local_queue.hpp"

namespace {

using sluice::detail::InjectQueue;
using sluice::detail::LocalQueue;

struct Node {
  Node* queue_next = nullptr;
  std::uint32_t id = 0;
};

std::size_t stress_div() {
  const char* s = std::getenv("SLUICE_STRESS_DIV");
  const long v = s != nullptr ? std::atol(s) : 1;
  return v > 0 ? static_cast<std::size_t>(v) : 1;
}

template <std::uint32_t Cap>
void run_stress(std::size_t total, unsigned pop_every) {
  constexpr int kStealers = 3;
  std::vector<Node> nodes(total);
  for (std::size_t i = 0; i < total; ++i) nodes[i].id = static_cast<std::uint32_t>(i);
  std::unique_ptr<std::atomic<std::uint8_t>[]> seen(new std::atomic<std::uint8_t>[total]);
  for (std::size_t i = 0; i < total; ++i) seen[i].store(0, std::memory_order_relaxed);
  std::atomic<std::size_t> seen_total{0};
  auto record = [&](Node* n) {
    seen[n->id].fetch_add(1, std::memory_order_relaxed);
    seen_total.fetch_add(1, std::memory_order_relaxed);
  };

  LocalQueue<Node, Cap> owner_q;
  InjectQueue<Node> inject;
  std::array<LocalQueue<Node, Cap>, kStealers> thief_q;
  std::atomic<bool> done{false};
  std::array<std::size_t, kStealers> stolen{};  // nodes the thieves got from the owner's queue

  std::vector<std::thread> thieves;
  for (int t = 0; t < kStealers; ++t) {
    thieves.emplace_back([&, t] {
      auto& mine = thief_q[static_cast<std::size_t>(t)];
      auto& other = thief_q[static_cast<std::size_t>((t + 1) % kStealers)];
      for (;;) {
        const bool finished = done.load(std::memory_order_acquire);
        bool found = false;
        const std::uint32_t before = mine.len();
        if (Node* n = owner_q.steal_into(mine)) {
          record(n);
          stolen[static_cast<std::size_t>(t)] += 1 + mine.len() - before;
          found = true;
        }
        if (Node* n = other.steal_into(mine)) {
          record(n);
          found = true;
        }
        // Keep some items around so that other thieves can steal from this queue too.
        for (int k = 0; k < 2; ++k) {
          if (Node* n = mine.pop()) {
            record(n);
            found = true;
          }
        }
        if (finished) break;
        if (!found) std::this_thread::yield();  // let the owner run on a busy machine
      }
      while (Node* n = mine.pop()) record(n);
    });
  }

  for (std::size_t i = 0; i < total; ++i) {
    owner_q.push_back_or_overflow(&nodes[i], inject);
    if (i % pop_every == 0) {
      if (Node* n = owner_q.pop()) record(n);
    }
    if (i % 64 == 0) {
      if (Node* n = inject.pop()) record(n);
    }
    // The machine may have fewer cores than threads: give the thieves time slices while the
    // owner is mid-stream, so that steals really race with pushes and pops.
    if (i % 512 == 0) std::this_thread::yield();
  }
  while (Node* n = owner_q.pop()) record(n);
  while (Node* n = inject.pop()) record(n);
  done.store(true, std::memory_order_release);
  for (auto& th : thieves) th.join();
  // A thief may have stolen from a thief that had already drained and exited.
  for (auto& q : thief_q) {
    while (Node* n = q.pop()) record(n);
  }

  EXPECT_EQ(seen_total.load(), total);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < total; ++i) {
    if (seen[i].load(std::memory_order_relaxed) != 1) bad += 1;
  }
  EXPECT_EQ(bad, 0u) << "nodes not seen exactly once";
  EXPECT_TRUE(owner_q.is_empty());
  EXPECT_TRUE(inject.is_empty());
  std::size_t stolen_total = 0;
  for (std::size_t s : stolen) stolen_total += s;
  ::testing::Test::RecordProperty("stolen_from_owner", static_cast<int>(stolen_total));
}

TEST(LocalQueueStress, OneOwnerThreeStealersDefaultCapacity) {
  run_stress<256>(1'000'000 / stress_div(), 2);
}

TEST(LocalQueueStress, OneOwnerThreeStealersTinyRingOverflowsOften) {
  run_stress<8>(1'000'000 / stress_div(), 3);
}

}  // namespace
