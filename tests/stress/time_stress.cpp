// Timer stress: 100k timers with random deadlines in [0, 200] ms registered from 4 threads while
// a fifth thread parks on the driver and fires them; half are cancelled (destroyed) at random
// moments. Every timer that is not cancelled fires exactly once, never before its deadline, and
// all firings happen in deadline order. Iterations are divided by env SLUICE_STRESS_DIV.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sluice/detail/driver.hpp>
#include <sluice/detail/time_driver.hpp>
#include <sluice/sleep.hpp>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using sluice::detail::Driver;
using sluice::detail::DriverScope;

int stress_div() {
  const char* s = std::getenv("SLUICE_STRESS_DIV");
  int d = s ? std::atoi(s) : 1;
  return d > 0 ? d : 1;
}

struct Record {
  std::atomic<int> wakes{0};
  std::atomic<std::uint64_t> seq{0};
  Clock::time_point fired_at{};  // written by the (single) firing thread before `wakes`
  Clock::time_point deadline{};  // written by the registering thread
  bool cancelled = false;        // written by the registering thread
  bool immediate = false;        // ready at its first poll
};

struct Shared {
  std::vector<Record> records;
  std::atomic<std::uint64_t> next_seq{0};
  explicit Shared(std::size_t n) : records(n) {}
};

struct Target {
  Shared* shared;
  std::size_t id;
};

void* clone_fn(void* d) { return d; }
void wake_fn(void* d) {
  auto* t = static_cast<Target*>(d);
  auto& r = t->shared->records[t->id];
  r.fired_at = Clock::now();
  r.seq.store(t->shared->next_seq.fetch_add(1, std::memory_order_relaxed),
              std::memory_order_relaxed);
  r.wakes.fetch_add(1, std::memory_order_release);
}
void drop_fn(void*) {}
constexpr sluice::RawWakerVTable kVTable{&clone_fn, &wake_fn, &wake_fn, &drop_fn};

TEST(TimeStress, HundredThousandTimersFourThreadsHalfCancelled) {
  constexpr std::size_t kThreads = 4;
  const std::size_t total = 100'000 / static_cast<std::size_t>(stress_div());
  const std::size_t per_thread = total / kThreads;
  const std::size_t n = per_thread * kThreads;

  Driver d;
  Shared shared(n);
  std::vector<Target> targets(n);
  for (std::size_t i = 0; i < n; ++i) targets[i] = Target{&shared, i};

  std::atomic<bool> stop{false};
  std::thread parker([&] {
    DriverScope scope(&d);
    while (!stop.load(std::memory_order_acquire)) d.park(std::nullopt);
  });

  std::vector<std::vector<std::optional<sluice::Sleep>>> sleeps(kThreads);
  std::vector<std::thread> inserters;
  for (std::size_t t = 0; t < kThreads; ++t) {
    inserters.emplace_back([&, t] {
      DriverScope scope(&d);
      std::mt19937_64 rng(1000 + t);
      std::uniform_int_distribution<int> us(0, 200'000);
      auto& mine = sleeps[t];
      mine.resize(per_thread);
      constexpr std::size_t kChunk = 100;
      for (std::size_t base = 0; base < per_thread; base += kChunk) {
        std::size_t end = std::min(per_thread, base + kChunk);
        for (std::size_t i = base; i < end; ++i) {
          std::size_t id = t * per_thread + i;
          auto deadline = Clock::now() + std::chrono::microseconds(us(rng));
          shared.records[id].deadline = deadline;
          mine[i].emplace(sluice::sleep_until(deadline));
          sluice::Waker w(&targets[id], &kVTable);
          sluice::coop::Budget b = sluice::coop::Budget::unconstrained();
          sluice::Context cx(w, b);
          if (mine[i]->poll(cx).is_ready()) shared.records[id].immediate = true;
        }
        // Cancel half of this chunk (a random half), racing with the firing thread.
        for (std::size_t i = base; i < end; ++i) {
          if (rng() % 2 == 0) {
            shared.records[t * per_thread + i].cancelled = true;
            mine[i].reset();
          }
        }
      }
    });
  }
  for (auto& th : inserters) th.join();

  // Wait until every remaining timer fired (all deadlines are within 200 ms of registration).
  while (d.time().size() > 0) std::this_thread::sleep_for(1ms);
  stop.store(true, std::memory_order_release);
  d.unpark();
  parker.join();

  std::size_t fired = 0;
  std::size_t kept = 0;
  std::vector<std::pair<std::uint64_t, std::size_t>> order;  // (seq, id)
  for (std::size_t id = 0; id < n; ++id) {
    auto& r = shared.records[id];
    int w = r.wakes.load(std::memory_order_acquire);
    ASSERT_LE(w, 1) << "timer " << id << " woken twice";
    if (!r.cancelled) {
      ++kept;
      if (r.immediate) {
        EXPECT_EQ(w, 0);
        EXPECT_LE(r.deadline, Clock::now());
      } else {
        ASSERT_EQ(w, 1) << "timer " << id << " never fired";
      }
    }
    if (w == 1) {
      ++fired;
      ASSERT_GE(r.fired_at, r.deadline) << "timer " << id << " fired early";
      order.emplace_back(r.seq.load(std::memory_order_relaxed), id);
    }
  }
  std::sort(order.begin(), order.end());
  for (std::size_t i = 1; i < order.size(); ++i) {
    ASSERT_LE(shared.records[order[i - 1].second].deadline,
              shared.records[order[i].second].deadline)
        << "fired out of deadline order at position " << i;
  }
  EXPECT_GT(kept, n / 3);
  EXPECT_GE(fired, kept - n / 100);  // nearly all kept timers went through the wheel
  // Every Sleep still alive completed.
  for (auto& v : sleeps)
    for (auto& s : v)
      if (s) {
        EXPECT_TRUE(s->is_elapsed());
      }
}

}  // namespace
