// Probe futures for combinator tests: leaf futures the test completes by hand, recording the
// order in which they were polled and destroyed (join_test, select_test).
//
// Example:
//   auto log = std::make_shared<sluice::test::Log>();
//   auto [p, fut] = sluice::test::probe<int>(1, log);
//   auto t = sluice::testing::spawn(std::move(fut));
//   t.poll();       // pending, log->polls == {1}
//   p->fire(7);     // wakes t
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <sluice/context.hpp>
#include <sluice/poll.hpp>
#include <sluice/waker.hpp>

namespace sluice::test {

// Shared record of what the probes saw: poll order and destructions.
struct Log {
  std::vector<int> polls;
  std::vector<int> destroyed;
  int destroyed_count(int id) const {
    int n = 0;
    for (int d : destroyed) n += d == id;
    return n;
  }
};

// Control block of one probe: the test fires it with a value; it wakes the waker it kept.
template <class T>
struct Probe {
  int id;
  std::optional<T> value;
  sluice::Waker waker;
  void fire(T v) {
    value.emplace(std::move(v));
    waker.wake_by_ref();
  }
};

// A leaf future driven by a Probe: pending (keeping a waker clone) until fired.
template <class T>
class ProbeFuture {
 public:
  using Output = T;
  ProbeFuture(std::shared_ptr<Probe<T>> p, std::shared_ptr<Log> log)
      : p_(std::move(p)), log_(std::move(log)) {}
  ProbeFuture(ProbeFuture&& o) noexcept = default;
  ~ProbeFuture() {
    if (p_) {
      log_->destroyed.push_back(p_->id);
      p_->waker.reset();
    }
  }
  sluice::Poll<T> poll(sluice::Context& cx) {
    log_->polls.push_back(p_->id);
    if (p_->value) return std::move(*p_->value);
    p_->waker = cx.waker();
    return sluice::pending;
  }

 private:
  std::shared_ptr<Probe<T>> p_;
  std::shared_ptr<Log> log_;
};

template <class T>
std::pair<std::shared_ptr<Probe<T>>, ProbeFuture<T>> probe(int id,
                                                           const std::shared_ptr<Log>& log) {
  auto p = std::make_shared<Probe<T>>(Probe<T>{id, std::nullopt, {}});
  return {p, ProbeFuture<T>(p, log)};
}

struct ReadyVoid {
  using Output = void;
  sluice::Poll<void> poll(sluice::Context&) { return sluice::Poll<void>::ready(); }
};
template <class T>
struct ReadyValue {
  using Output = T;
  T v;
  sluice::Poll<T> poll(sluice::Context&) { return std::move(v); }
};

}  // namespace sluice::test
