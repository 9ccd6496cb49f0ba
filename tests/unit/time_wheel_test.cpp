// TimerWheel: levels, slots, next expiration, cascading, removal, ranges beyond the wheel.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/timer_wheel.hpp>

namespace {

using sluice::detail::TimerEntry;
using sluice::detail::TimerWheel;
constexpr std::uint64_t kHour = 3'600'000;
constexpr std::uint64_t kRange = std::uint64_t{1} << 36;  // 64^6 ticks

TEST(TimerWheel, LevelFor) {
  EXPECT_EQ(TimerWheel::level_for(0, 1), 0u);
  EXPECT_EQ(TimerWheel::level_for(0, 63), 0u);
  EXPECT_EQ(TimerWheel::level_for(0, 64), 1u);
  EXPECT_EQ(TimerWheel::level_for(0, 4095), 1u);
  EXPECT_EQ(TimerWheel::level_for(0, 4096), 2u);
  EXPECT_EQ(TimerWheel::level_for(0, 262'143), 2u);
  EXPECT_EQ(TimerWheel::level_for(0, 262'144), 3u);
  EXPECT_EQ(TimerWheel::level_for(0, kHour), 3u);
  EXPECT_EQ(TimerWheel::level_for(0, 24 * kHour), 4u);
  EXPECT_EQ(TimerWheel::level_for(0, kRange - 1), 5u);
  EXPECT_EQ(TimerWheel::level_for(0, kRange), 5u);  // beyond the range: top level
  EXPECT_EQ(TimerWheel::level_for(0, kRange * 9), 5u);
  // Relative to elapsed: same 64-tick span is level 0 even across "round" numbers.
  EXPECT_EQ(TimerWheel::level_for(64, 127), 0u);
  EXPECT_EQ(TimerWheel::level_for(127, 128), 1u);
}

struct Fixture {
  TimerWheel wheel;
  std::vector<std::unique_ptr<TimerEntry>> entries;
  std::vector<std::uint64_t> fired_when;  // `when` of fired entries, in firing order
  std::vector<std::uint64_t> fired_at;    // the `now` of the advance() that fired them

  TimerEntry* add(std::uint64_t when) {
    entries.push_back(std::make_unique<TimerEntry>());
    entries.back()->when = when;
    wheel.insert(entries.back().get());
    return entries.back().get();
  }
  void advance(std::uint64_t now) {
    wheel.advance(now, [&](TimerEntry* e) {
      fired_when.push_back(e->when);
      fired_at.push_back(now);
    });
  }
};

TEST(TimerWheel, EachLevelFiresExactlyAtItsTick) {
  for (std::uint64_t when : {std::uint64_t{1}, std::uint64_t{63}, std::uint64_t{64},
                             std::uint64_t{4095}, std::uint64_t{4096}, 5 * kHour, 40 * 24 * kHour,
                             kRange - 1, kRange, kRange + 12'345, 3 * kRange + 7}) {
    SCOPED_TRACE(when);
    Fixture f;
    f.add(when);
    EXPECT_EQ(f.wheel.size(), 1u);
    // Within the wheel's range the next deadline is exact; beyond it the driver may be asked
    // to wake earlier (to re-cascade), never later.
    auto exact_or_early = [&] {
      auto nd = f.wheel.next_deadline();
      ASSERT_TRUE(nd);
      if (when - f.wheel.elapsed() < kRange) {
        ASSERT_EQ(*nd, when);
      } else {
        ASSERT_LE(*nd, when);
      }
    };
    exact_or_early();
    // Walk toward it in big strides, checking it never fires early.
    std::uint64_t now = 0;
    while (now + 1 < when) {
      now = std::min(when - 1, now + 1 + now / 3);
      f.advance(now);
      ASSERT_TRUE(f.fired_when.empty()) << "fired early at " << now;
      exact_or_early();
    }
    f.advance(when);
    ASSERT_EQ(f.fired_when.size(), 1u);
    EXPECT_EQ(f.fired_when[0], when);
    EXPECT_TRUE(f.wheel.empty());
    EXPECT_EQ(f.wheel.next_expiration(), std::nullopt);
    for (unsigned l = 0; l < TimerWheel::kLevels; ++l) EXPECT_EQ(f.wheel.occupied(l), 0u);
  }
}

TEST(TimerWheel, OccupiedBitsAndNextExpiration) {
  Fixture f;
  f.add(5);
  f.add(70);
  f.add(5000);
  EXPECT_EQ(f.wheel.occupied(0), std::uint64_t{1} << 5);
  EXPECT_EQ(f.wheel.occupied(1), std::uint64_t{1} << 1);  // 70 / 64 = 1
  EXPECT_EQ(f.wheel.occupied(2), std::uint64_t{1} << 1);  // 5000 / 4096 = 1
  auto exp = f.wheel.next_expiration();
  ASSERT_TRUE(exp);
  EXPECT_EQ(exp->level, 0u);
  EXPECT_EQ(exp->deadline, 5u);
  f.advance(5);
  exp = f.wheel.next_expiration();
  ASSERT_TRUE(exp);
  EXPECT_EQ(exp->level, 1u);
  EXPECT_EQ(exp->deadline, 64u);            // the slot cascades at its start
  EXPECT_EQ(f.wheel.next_deadline(), 70u);  // ... but the earliest deadline is 70
  f.advance(64);
  EXPECT_EQ(f.wheel.occupied(0), std::uint64_t{1} << (70 % 64));  // cascaded to level 0
  f.advance(70);
  f.advance(5000);
  EXPECT_EQ(f.fired_when, (std::vector<std::uint64_t>{5, 70, 5000}));
}

TEST(TimerWheel, RemoveBeforeFiring) {
  Fixture f;
  TimerEntry* a = f.add(10);
  TimerEntry* b = f.add(10);
  TimerEntry* c = f.add(300);
  f.wheel.remove(b);
  f.wheel.remove(c);
  EXPECT_EQ(f.wheel.size(), 1u);
  EXPECT_EQ(f.wheel.occupied(1), 0u);
  f.wheel.remove(a);
  EXPECT_TRUE(f.wheel.empty());
  EXPECT_EQ(f.wheel.occupied(0), 0u);
  f.advance(1000);
  EXPECT_TRUE(f.fired_when.empty());
}

TEST(TimerWheel, ReplaceKeepsPosition) {
  Fixture f;
  f.add(10);
  TimerEntry* mid = f.add(10);
  f.add(10);
  TimerEntry moved;
  moved.when = 10;
  f.wheel.replace(mid, &moved);
  f.wheel.remove(&moved);
  EXPECT_EQ(f.wheel.size(), 2u);
  f.advance(10);
  EXPECT_EQ(f.fired_when.size(), 2u);
}

TEST(TimerWheel, CascadesFireEverythingInOrderNeverEarly) {
  std::mt19937_64 rng(12345);
  Fixture f;
  std::uniform_int_distribution<std::uint64_t> dist(1, 300'000);
  std::vector<TimerEntry*> live;
  for (int i = 0; i < 5000; ++i) live.push_back(f.add(dist(rng)));
  // Cancel a fifth of them.
  std::size_t cancelled = 0;
  for (std::size_t i = 0; i < live.size(); i += 5, ++cancelled) f.wheel.remove(live[i]);
  std::uniform_int_distribution<std::uint64_t> step(1, 900);
  std::uint64_t now = 0;
  while (!f.wheel.empty()) {
    now += step(rng);
    auto before = f.fired_when.size();
    f.advance(now);
    for (auto i = before; i < f.fired_when.size(); ++i) ASSERT_LE(f.fired_when[i], now);
    // Nothing left in the wheel is due.
    if (auto nd = f.wheel.next_deadline()) {
      ASSERT_GT(*nd, now);
    }
  }
  EXPECT_EQ(f.fired_when.size(), live.size() - cancelled);
  EXPECT_TRUE(std::is_sorted(f.fired_when.begin(), f.fired_when.end()));
}

TEST(TimerWheel, EntriesInsertedAsTimeAdvances) {
  // Insert relative to a moving `elapsed`, including across 64 and 4096 boundaries.
  Fixture f;
  std::uint64_t now = 0;
  for (int round = 0; round < 200; ++round) {
    now += 37;
    f.advance(now);
    f.add(now + 1);
    f.add(now + 63);
    f.add(now + 64);
    f.add(now + 4096);
  }
  f.advance(now + 5000);
  EXPECT_EQ(f.fired_when.size(), 800u);
  EXPECT_TRUE(std::is_sorted(f.fired_when.begin(), f.fired_when.end()));
  for (std::size_t i = 0; i < f.fired_when.size(); ++i) EXPECT_GE(f.fired_at[i], f.fired_when[i]);
}

TEST(TimerWheel, FarEntriesLapTheTopLevel) {
  Fixture f;
  f.add(5 * kRange + 3);
  f.add(kRange / 2);
  // The first deadline is the near one; the far one never fires before its tick.
  EXPECT_EQ(f.wheel.next_deadline(), kRange / 2);
  for (std::uint64_t now = kRange / 4; now < 5 * kRange + 3; now += kRange / 4) {
    f.advance(now);
    for (auto w : f.fired_when) ASSERT_LE(w, now);
  }
  EXPECT_EQ(f.fired_when.size(), 1u);
  f.advance(5 * kRange + 2);
  EXPECT_EQ(f.fired_when.size(), 1u);
  f.advance(5 * kRange + 3);
  EXPECT_EQ(f.fired_when, (std::vector<std::uint64_t>{kRange / 2, 5 * kRange + 3}));
}

}  // namespace
