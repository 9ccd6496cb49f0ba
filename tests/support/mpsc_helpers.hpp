// Test helpers for the mpsc channels: a value type that counts its live instances and catches
// double destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace sluice::test {

/// A value that counts live instances (moved-from ones included) in its Stats and detects being
/// destroyed twice (a poisoned magic word).
struct Counted {
  struct Stats {
    std::atomic<int> live{0};
    std::atomic<int> double_destroy{0};
  };
  static constexpr std::uint32_t kAlive = 0xA11CEu;
  static constexpr std::uint32_t kDead = 0xDEADu;

  Counted(Stats* s, int value) : stats(s), v(value) { stats->live.fetch_add(1); }
  Counted(Counted&& o) noexcept : stats(o.stats), v(o.v) { stats->live.fetch_add(1); }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  Counted& operator=(Counted&&) = delete;
  ~Counted() {
    if (magic != kAlive) {
      stats->double_destroy.fetch_add(1);
      return;
    }
    magic = kDead;
    stats->live.fetch_sub(1);
  }

  Stats* stats;
  int v;
  std::uint32_t magic = kAlive;
};

}  // namespace sluice::test
