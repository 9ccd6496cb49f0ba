// Test helpers for runtime tests (engineer S): leaf futures with counted lifetimes.
#pragma once

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/poll.hpp>
#include <sluice/waker.hpp>

namespace sluice::test {

/// Counts constructions (incl. copies/moves) and destructions of tracked objects.
struct LifeCounter {
  std::atomic<int> alive{0};
  std::atomic<int> destroyed{0};
};

/// A leaf that never completes; keeps the latest waker; counted lifetime.
class Never {
 public:
  using Output = int;
  explicit Never(LifeCounter* c) : c_(c) { c_->alive.fetch_add(1); }
  Never(Never&& o) noexcept : c_(o.c_) { c_->alive.fetch_add(1); }
  Never(const Never&) = delete;
  ~Never() {
    c_->alive.fetch_sub(1);
    c_->destroyed.fetch_add(1);
  }
  Poll<int> poll(Context& cx) {
    waker_ = cx.waker();
    return pending;
  }

 private:
  LifeCounter* c_;
  Waker waker_;
};

/// A leaf that is pending until `flag` is set; wakes are up to the test (via `slot`).
class WaitFlag {
 public:
  using Output = void;
  WaitFlag(std::atomic<bool>* flag, std::mutex* mu, Waker* slot)
      : flag_(flag), mu_(mu), slot_(slot) {}
  Poll<void> poll(Context& cx) {
    std::lock_guard g(*mu_);
    if (flag_->load()) return Poll<void>::ready();
    *slot_ = cx.waker();
    return pending;
  }

 private:
  std::atomic<bool>* flag_;
  std::mutex* mu_;
  Waker* slot_;
};

/// Iteration count divided by env SLUICE_STRESS_DIV (default 1), at least 1.
inline long stress_iters(long n) {
  const char* d = std::getenv("SLUICE_STRESS_DIV");
  long div = d ? std::atol(d) : 1;
  if (div < 1) div = 1;
  long r = n / div;
  return r < 1 ? 1 : r;
}

}  // namespace sluice::test
