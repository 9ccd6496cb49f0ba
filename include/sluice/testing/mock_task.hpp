/// @file
/// sluice::testing: poll a future by hand with a counting waker (tokio-test's `task::spawn`).
///
/// Writing your own future means answering three questions in tests: does it return pending
/// and ready at the right times, does it wake the waker it was given when progress becomes
/// possible, and does it let go of that waker when it is destroyed (cancelled)? MockTask
/// answers them without a runtime: it owns the future, polls it with a waker that counts its
/// wake-ups and its live clones, and can destroy the future on demand.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::oneshot::channel<int>();
/// auto t = sluice::testing::spawn(std::move(rx));
/// EXPECT_TRUE(t.poll().is_pending());      // registered the waker
/// EXPECT_EQ(t.waker_ref_count(), 1u);      // the channel keeps one clone
/// tx.send(7);
/// EXPECT_TRUE(t.is_woken());               // the send woke it
/// EXPECT_EQ(t.poll().value().value(), 7);
/// ```
///
/// Counters are atomic: other threads may wake the waker while the test thread polls.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/coop_budget.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/future.hpp>
#include <sluice/poll.hpp>
#include <sluice/waker.hpp>

/// @namespace sluice::testing
/// @brief Test tools: poll a future by hand with a waker that counts its wake-ups and clones
/// (tokio-test's task::spawn).
namespace sluice::testing {

/// @cond
namespace detail {

/// Shared state of a CountingWaker, alive while the CountingWaker or any clone of it lives.
///
/// refs_:   1 for the CountingWaker's own Waker + 1 per live clone; the last drop frees this.
/// wakes_:  total wake()/wake_by_ref() calls (any thread, relaxed increments).
/// woken_:  set by every wake, cleared by CountingWaker::take_woken()/clear (acq_rel exchange).
struct CountingWakerState {
  sluice::detail::Atomic<std::size_t> refs_{1};
  sluice::detail::Atomic<std::size_t> wakes_{0};
  sluice::detail::Atomic<bool> woken_{false};

  static CountingWakerState* of(void* d) noexcept { return static_cast<CountingWakerState*>(d); }
  static void* clone(void* d) {
    of(d)->refs_.fetch_add(1, sluice::detail::mo::relaxed);
    return d;
  }
  static void wake_by_ref(void* d) {
    auto* s = of(d);
    s->wakes_.fetch_add(1, sluice::detail::mo::relaxed);
    s->woken_.store(true, sluice::detail::mo::release);
  }
  static void wake(void* d) {
    wake_by_ref(d);
    drop(d);
  }
  static void drop(void* d) {
    if (of(d)->refs_.fetch_sub(1, sluice::detail::mo::acq_rel) == 1) delete of(d);
  }
  static constexpr RawWakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};
};

}  // namespace detail
/// @endcond

/// A waker that counts how often it was woken and how many clones of it are alive.
///
/// `waker()` is the CountingWaker's own Waker (not counted); every copy of it is a counted
/// clone until it is dropped or consumed by `wake()`. Clones may outlive the CountingWaker.
/// Movable, not copyable.
///
/// Example:
/// ```cpp
/// sluice::testing::CountingWaker cw;
/// sluice::Waker w = cw.waker();          // a clone
/// EXPECT_EQ(cw.ref_count(), 1u);
/// std::move(w).wake();                   // consumes the clone
/// EXPECT_EQ(cw.wake_count(), 1u);
/// EXPECT_EQ(cw.ref_count(), 0u);
/// EXPECT_TRUE(cw.take_woken());          // and clears the flag
/// ```
class CountingWaker {
 public:
  /// A fresh waker: no wake-ups, no clones (allocates the shared counters).
  CountingWaker() : waker_(new detail::CountingWakerState, &detail::CountingWakerState::kVTable) {}
  /// Takes over `o`'s counters; `o` must not be used afterwards.
  CountingWaker(CountingWaker&&) noexcept = default;
  /// Drops this waker's own reference to its counters, then takes over `o`'s.
  CountingWaker& operator=(CountingWaker&&) noexcept = default;
  CountingWaker(const CountingWaker&) = delete;
  CountingWaker& operator=(const CountingWaker&) = delete;
  /// Drops its own reference; the counters live on while clones of waker() do.
  ~CountingWaker() = default;

  /// The waker to put in a Context (copy it to get a counted clone).
  const Waker& waker() const noexcept { return waker_; }
  /// Number of wake()/wake_by_ref() calls so far, from any thread.
  std::size_t wake_count() const noexcept {
    return state()->wakes_.load(sluice::detail::mo::acquire);
  }
  /// Live clones of waker() (the CountingWaker's own reference is not counted).
  std::size_t ref_count() const noexcept {
    return state()->refs_.load(sluice::detail::mo::acquire) - 1;
  }
  /// True if woken since the flag was last cleared.
  bool is_woken() const noexcept { return state()->woken_.load(sluice::detail::mo::acquire); }
  /// Returns is_woken() and clears the flag.
  bool take_woken() noexcept {
    return state()->woken_.exchange(false, sluice::detail::mo::acq_rel);
  }

 private:
  detail::CountingWakerState* state() const noexcept {
    return detail::CountingWakerState::of(waker_.data());
  }
  Waker waker_;
};

/// Owns a future and polls it by hand with a CountingWaker: the C++ twin of tokio-test's
/// `task::Spawn`. Use `sluice::testing::spawn(fut)` to make one.
///
/// - `poll()` polls once with a fresh coop budget (128 units, as a runtime task poll gets) and
///   clears the woken flag first, so `is_woken()` afterwards means "woken during or since".
/// - `poll_with_budget(b)` / `enter(fn)` poll with a budget you choose, or run any code with
///   the future and a Context (to call several methods of a stream-like object, say).
/// - `drop_future()` destroys the future (cancels it); `waker_ref_count()` then tells whether
///   it released every clone of the waker it registered.
///
/// Polling after drop_future() throws std::logic_error. Polling a future again after it returned
/// ready is up to the future (a Task throws std::logic_error).
///
/// Example:
/// ```cpp
/// auto t = sluice::testing::spawn(my_leaf());
/// ASSERT_TRUE(t.poll().is_pending());
/// EXPECT_FALSE(t.is_woken());
/// trigger_from_another_thread();
/// EXPECT_TRUE(t.is_woken());
/// t.drop_future();
/// EXPECT_EQ(t.waker_ref_count(), 0u);     // the cancelled leaf dropped its waker
/// ```
template <Future F>
class MockTask {
 public:
  using Output = future_output_t<F>;  ///< F's output: what a ready poll() holds.

  /// Takes ownership of `fut`.
  explicit MockTask(F fut) : fut_(std::in_place, std::move(fut)) {}

  /// Polls the future once with a fresh initial budget (see coop_budget.hpp).
  Poll<Output> poll() {
    coop::Budget b = coop::Budget::initial();
    return poll_with_budget(b);
  }
  /// Polls the future once with `budget`; the budget shows afterwards what the poll spent.
  Poll<Output> poll_with_budget(coop::Budget& budget) {
    return enter_with_budget(budget, [](Context& cx, F& f) { return f.poll(cx); });
  }
  /// Polls once with a temporary budget, e.g. `t.poll_with_budget(coop::Budget::unconstrained())`.
  Poll<Output> poll_with_budget(coop::Budget&& budget) { return poll_with_budget(budget); }

  /// Runs `fn(Context&, F&)` with this task's waker and a fresh initial budget; returns its result.
  /// Clears the woken flag first, like poll().
  ///
  /// Example:
  /// ```cpp
  /// t.enter([](sluice::Context& cx, auto& fut) { EXPECT_TRUE(fut.poll(cx).is_pending()); });
  /// ```
  template <class Fn>
  decltype(auto) enter(Fn&& fn) {
    coop::Budget b = coop::Budget::initial();
    return enter_with_budget(b, std::forward<Fn>(fn));
  }
  /// enter() with the budget you give.
  template <class Fn>
  decltype(auto) enter_with_budget(coop::Budget& budget, Fn&& fn) {
    if (!fut_) throw std::logic_error("sluice::testing::MockTask: polled after drop_future()");
    waker_.take_woken();
    Context cx(waker_.waker(), budget);
    return std::forward<Fn>(fn)(cx, *fut_);
  }

  /// True if the waker was woken since the last poll (or enter).
  bool is_woken() const noexcept { return waker_.is_woken(); }
  /// Total wake-ups since this MockTask was made.
  std::size_t wake_count() const noexcept { return waker_.wake_count(); }
  /// Live clones of this task's waker held by others (0: nobody can wake it any more).
  std::size_t waker_ref_count() const noexcept { return waker_.ref_count(); }

  /// Destroys the future (cancellation). Idempotent.
  void drop_future() noexcept { fut_.reset(); }
  /// Same as drop_future() (tokio-test spelling).
  void reset() noexcept { drop_future(); }
  /// True until drop_future().
  bool has_future() const noexcept { return fut_.has_value(); }
  /// The future itself (throws std::logic_error after drop_future()).
  F& future() {
    if (!fut_) throw std::logic_error("sluice::testing::MockTask: future() after drop_future()");
    return *fut_;
  }
  /// The task's own waker (copies are counted clones).
  const Waker& waker() const noexcept { return waker_.waker(); }

 private:
  CountingWaker waker_;
  std::optional<F> fut_;
};

/// Wraps `fut` (any Future, including a Task) in a MockTask.
///
/// Example:
/// ```cpp
/// auto t = sluice::testing::spawn(answer());   // Task<int>
/// EXPECT_EQ(t.poll().value(), 42);
/// ```
template <Future F>
MockTask<std::decay_t<F>> spawn(F&& fut) {
  return MockTask<std::decay_t<F>>(std::forward<F>(fut));
}

}  // namespace sluice::testing
