// Stress tests of detail::BlockList: 4 producer threads x 1M values (divided by env
// SLUICE_STRESS_DIV) with one consumer spinning on pop(); every value arrives exactly once and in
// per-producer order; the last producer closes the list; unread values are destroyed once.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/block_list.hpp>

namespace {

using sluice::detail::BlockList;
using sluice::detail::PopStatus;

std::uint64_t stress_div() {
  const char* e = std::getenv("SLUICE_STRESS_DIV");
  const long d = e ? std::strtol(e, nullptr, 10) : 1;
  return d < 1 ? 1 : static_cast<std::uint64_t>(d);
}

constexpr int kProducers = 4;

std::uint64_t encode(std::uint64_t producer, std::uint64_t seq) { return producer << 48 | seq; }

// Producers push (producer, seq) pairs; the last one to finish closes, as the channel's last
// sender does. The consumer checks order and count until it sees Closed.
template <class T, class Make, class Decode>
void run_mpsc(std::uint64_t per_producer, Make make, Decode decode) {
  BlockList<T> list;
  std::atomic<int> senders{kProducers};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (std::uint64_t i = 0; i < per_producer; ++i) list.push(make(encode(p, i)));
      if (senders.fetch_sub(1, std::memory_order_acq_rel) == 1) list.close();
    });
  }
  std::array<std::uint64_t, kProducers> next{};
  std::uint64_t received = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t idle_spins = 0;
  for (;;) {
    auto r = list.pop();
    if (r.has_value()) {
      const std::uint64_t v = decode(r.value());
      const std::uint64_t p = v >> 48;
      const std::uint64_t seq = v & ((std::uint64_t{1} << 48) - 1);
      if (p >= kProducers || seq != next[p]) {
        ++out_of_order;
      } else {
        ++next[p];
      }
      ++received;
      continue;
    }
    if (r.status() == PopStatus::Closed) break;
    if (++idle_spins % 64 == 0) std::this_thread::yield();
  }
  for (auto& t : producers) t.join();
  EXPECT_EQ(out_of_order, 0u);
  EXPECT_EQ(received, per_producer * kProducers);
  for (int p = 0; p < kProducers; ++p) EXPECT_EQ(next[p], per_producer) << "producer " << p;
  EXPECT_EQ(list.pop().status(), PopStatus::Closed);
  EXPECT_TRUE(list.is_empty());
  // Drained: the memory is back to a small constant (head, spares, blocks not yet released).
  EXPECT_LE(list.allocated_blocks(), 16u);
}

TEST(BlockListStress, FourProducersOneConsumerExactlyOnceInOrder) {
  const std::uint64_t per = 1'000'000 / stress_div();
  run_mpsc<std::uint64_t>(
      per, [](std::uint64_t v) { return v; }, [](std::uint64_t v) { return v; });
}

TEST(BlockListStress, MoveOnlyHeapValues) {
  const std::uint64_t per = 250'000 / stress_div();
  run_mpsc<std::unique_ptr<std::uint64_t>>(
      per, [](std::uint64_t v) { return std::make_unique<std::uint64_t>(v); },
      [](const std::unique_ptr<std::uint64_t>& p) { return *p; });
}

struct Counted {
  Counted(std::atomic<long>* live, std::uint64_t v) : live_(live), v_(v) {
    live_->fetch_add(1, std::memory_order_relaxed);
  }
  Counted(Counted&& o) noexcept : live_(o.live_), v_(o.v_) {
    live_->fetch_add(1, std::memory_order_relaxed);
  }
  ~Counted() { live_->fetch_sub(1, std::memory_order_relaxed); }
  std::atomic<long>* live_;
  std::uint64_t v_;
};

// The consumer stops half way; destroying the list drops every unread value exactly once.
TEST(BlockListStress, DestructionWithUnreadValuesAfterConcurrentPushes) {
  const std::uint64_t per = 200'000 / stress_div();
  std::atomic<long> live{0};
  {
    BlockList<Counted> list;
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
      producers.emplace_back([&, p] {
        for (std::uint64_t i = 0; i < per; ++i) list.push(Counted(&live, encode(p, i)));
      });
    }
    std::uint64_t received = 0;
    while (received < per * kProducers / 2) {
      auto r = list.pop();
      if (r.has_value()) {
        ++received;
      } else {
        std::this_thread::yield();
      }
    }
    for (auto& t : producers) t.join();
    EXPECT_EQ(live.load(), static_cast<long>(per * kProducers - received));
  }
  EXPECT_EQ(live.load(), 0);
}

// Bursts: producers push in bursts while the consumer drains; block recycling runs under
// contention; at the end the memory is back to a small constant.
TEST(BlockListStress, BurstsRecycleBlocks) {
  const std::uint64_t bursts = 200 / stress_div() + 1;
  constexpr std::uint64_t kBurst = 1000;
  run_mpsc<std::uint64_t>(
      bursts * kBurst,
      [](std::uint64_t v) {
        if ((v & 0xffff) % kBurst == 0) std::this_thread::yield();
        return v;
      },
      [](std::uint64_t v) { return v; });
}

}  // namespace
