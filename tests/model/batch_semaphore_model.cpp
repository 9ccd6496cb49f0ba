// Relacy model of detail::BatchSemaphore: cancelling an Acquire while a release is granting it
// permits, a release racing a cancellation, close racing a queued acquire and a release, the
// hand-off hook racing a cancel. In every
// case the permits are conserved and every waiter that keeps waiting is eventually served (a
// lost permit or a lost wake makes its wait loop spin forever, which Relacy reports).
// Build and run (see also the `model` preset):
//   g++ -std=c++20 -DSLUICE_MODEL=1 -Iinclude tests/model/batch_semaphore_model.cpp -o /tmp/x &&
//   /tmp/x
//
// Prelude: see atomic_waker_model.cpp (standard headers, then Relacy, then #undef new/delete).
#include <algorithm>
#include <array>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include <relacy/relacy.hpp>

#include "model/support/run_model.hpp"
#undef new
#undef delete

// g++ compiles `delete p` to the sized operator delete, which Relacy does not replace (it only
// defines the unsized one, inline): route the sized forms to it. (Or: -fno-sized-deallocation.)
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete[](p); }

#include <sluice/detail/batch_semaphore.hpp>

namespace {

using sluice::Context;
using sluice::Waker;
using sluice::coop::Budget;
using sluice::detail::Atomic;
using sluice::detail::BatchSemaphore;
namespace mo = sluice::detail::mo;

// A waker counting wake-ups and live clones with model atomics.
struct ModelWaker {
  Atomic<int> woken{0};
  Atomic<int> clones{0};
  Waker waker{this, &kVTable};

  static ModelWaker* of(void* d) { return static_cast<ModelWaker*>(d); }
  static void* clone(void* d) {
    of(d)->clones.fetch_add(1, mo::relaxed);
    return d;
  }
  static void wake_by_ref(void* d) { of(d)->woken.store(1, mo::release); }
  static void wake(void* d) {
    wake_by_ref(d);
    drop(d);
  }
  static void drop(void* d) { of(d)->clones.fetch_sub(1, mo::acq_rel); }
  static constexpr sluice::RawWakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};

  // Spins (yielding to the model scheduler) until woken, then clears the flag.
  void wait() {
    while (woken.exchange(0, mo::acquire) == 0) sluice::detail::spin_hint();
  }
};

enum class Outcome { Ok, Closed };

// Acquires `n` permits, waiting as long as needed. The Acquire lives on the heap; what catches a
// release touching its node after it completed is the destructor's touch() (a data race for
// Relacy), not the heap: Relacy does not report accesses to freed memory in this build.
Outcome acquire_blocking(BatchSemaphore& sem, std::size_t n, ModelWaker& w) {
  Budget b = Budget::unconstrained();
  Context cx(w.waker, b);
  auto* acq = new BatchSemaphore::Acquire(sem.acquire(n));
  for (;;) {
    auto p = acq->poll(cx);
    if (p.is_ready()) {
      const bool ok = p.value().has_value();
      delete acq;
      return ok ? Outcome::Ok : Outcome::Closed;
    }
    w.wait();
  }
}

// Semaphore at 0. T0 asks for 2 and cancels (possibly while T1's releases are granting it
// permits, or after it was granted in full but not polled); T1 releases 1 + 1; T2 waits for 1
// behind T0 and must be served. At the end all 2 permits are back.
struct CancelWhileBeingGranted : rl::test_suite<CancelWhileBeingGranted, 3> {
  BatchSemaphore sem{0};
  ModelWaker w0;
  ModelWaker w2;

  void thread(unsigned id) {
    if (id == 0) {
      Budget b = Budget::unconstrained();
      Context cx(w0.waker, b);
      auto* acq = new BatchSemaphore::Acquire(sem.acquire(2));
      auto p = acq->poll(cx);
      if (p.is_ready()) {
        RL_ASSERT(p.value().has_value());
        delete acq;
        sem.release(2);  // it got them: give them back
      } else {
        delete acq;  // cancel: queued, partially or fully granted
      }
    } else if (id == 1) {
      sem.release(1);
      sem.release(1);
    } else {
      RL_ASSERT(acquire_blocking(sem, 1, w2) == Outcome::Ok);
      sem.release(1);
    }
  }
  void after() {
    RL_ASSERT(sem.available_permits() == 2);
    RL_ASSERT(w0.clones.load(mo::acquire) == 0);
    RL_ASSERT(w2.clones.load(mo::acquire) == 0);
  }
};

// Semaphore at 1. T0 queues for 3 (taking the 1) and cancels; T1 releases 2 concurrently, and
// T2 tries to take 1 without waiting. Permits are conserved whatever the interleaving.
struct ReleaseRacingCancel : rl::test_suite<ReleaseRacingCancel, 3> {
  BatchSemaphore sem{1};
  ModelWaker w0;

  void thread(unsigned id) {
    if (id == 0) {
      Budget b = Budget::unconstrained();
      Context cx(w0.waker, b);
      auto* acq = new BatchSemaphore::Acquire(sem.acquire(3));
      auto p = acq->poll(cx);
      delete acq;
      if (p.is_ready()) sem.release(3);
    } else if (id == 1) {
      sem.release(2);
    } else {
      if (sem.try_acquire(1)) sem.release(1);
    }
  }
  void after() {
    RL_ASSERT(sem.available_permits() == 3);
    RL_ASSERT(w0.clones.load(mo::acquire) == 0);
  }
};

// Semaphore at 1. T0 waits for 2; T1 releases 1; T2 closes. T0 ends with success or Closed,
// never hangs, and every permit is accounted for.
struct CloseRacingQueuedAcquire : rl::test_suite<CloseRacingQueuedAcquire, 3> {
  BatchSemaphore sem{1};
  ModelWaker w0;

  void thread(unsigned id) {
    if (id == 0) {
      if (acquire_blocking(sem, 2, w0) == Outcome::Ok) sem.release(2);
    } else if (id == 1) {
      sem.release(1);
    } else {
      sem.close();
    }
  }
  void after() {
    RL_ASSERT(sem.is_closed());
    RL_ASSERT(sem.available_permits() == 2);
    RL_ASSERT(w0.clones.load(mo::acquire) == 0);
  }
};

// Two waiters of 2 each queue at 0 permits while T2 releases 2 then 2: both are served (the
// wait list, the wakes batched outside the lock and the pool agree), nothing is left over.
struct TwoWaitersServed : rl::test_suite<TwoWaitersServed, 3> {
  BatchSemaphore sem{0};
  ModelWaker w0;
  ModelWaker w1;
  Atomic<int> order{0};

  void thread(unsigned id) {
    if (id < 2) {
      ModelWaker& w = id == 0 ? w0 : w1;
      RL_ASSERT(acquire_blocking(sem, 2, w) == Outcome::Ok);
      order.fetch_add(1, mo::acq_rel);
    } else {
      sem.release(2);
      sem.release(2);
    }
  }
  void after() {
    RL_ASSERT(order.load(mo::acquire) == 2);
    RL_ASSERT(sem.available_permits() == 0);
  }
};

// The lock-free release: at 0 permits T0 queues for 1 while T1 and T2 each release 1 without
// the lock (nobody was queued when they looked) or through it (T0 got queued first). A permit
// that slipped into the pool after T0 set kQueued would leave T0 waiting forever (Relacy reports
// the livelock); at the end exactly 1 permit is left in the pool.
struct LockFreeReleaseRacingEnqueue : rl::test_suite<LockFreeReleaseRacingEnqueue, 3> {
  BatchSemaphore sem{0};
  ModelWaker w0;

  void thread(unsigned id) {
    if (id == 0) {
      RL_ASSERT(acquire_blocking(sem, 1, w0) == Outcome::Ok);
    } else {
      sem.release(1);
    }
  }
  void after() {
    RL_ASSERT(sem.available_permits() == 1);
    RL_ASSERT(w0.clones.load(mo::acquire) == 0);
  }
};

// The lazy clear of kQueued (batch_semaphore.hpp, "Lazy clear"): T0 waits for a permit twice
// at capacity 0 while T1 releases twice and T2 tries to take one without waiting. When a
// release serves T0 and empties the list, kQueued stays set; the next release must still reach
// T0 or the pool (a release stuck behind a stale flag would leave T0 waiting forever), and
// try_acquire must only ever take a permit nobody queued for. At the end the pool holds what
// T2 did not take, and a release on the now idle semaphore puts permits straight in the pool.
struct StaleQueuedFlagAfterTheLastWaiter : rl::test_suite<StaleQueuedFlagAfterTheLastWaiter, 3> {
  BatchSemaphore sem{0};
  ModelWaker w0;
  Atomic<int> t2_took{0};

  void thread(unsigned id) {
    if (id == 0) {
      RL_ASSERT(acquire_blocking(sem, 1, w0) == Outcome::Ok);
      RL_ASSERT(acquire_blocking(sem, 1, w0) == Outcome::Ok);
    } else if (id == 1) {
      sem.release(1);
      sem.release(1);
      sem.release(1);
    } else {
      if (sem.try_acquire(1)) t2_took.store(1, mo::relaxed);
    }
  }
  void after() {
    const int took = t2_took.load(mo::relaxed);
    RL_ASSERT(sem.available_permits() == static_cast<std::size_t>(1 - took));
    sem.release(2);
    RL_ASSERT(sem.available_permits() == static_cast<std::size_t>(3 - took));
    RL_ASSERT(sem.try_acquire(3 - took));
    RL_ASSERT(sem.available_permits() == 0);
    RL_ASSERT(w0.clones.load(mo::acquire) == 0);
  }
};

// A queued Acquire completes without the lock once its node says `granted` (batch_semaphore.hpp,
// Waiter::granted). T0 polls its Acquire in a loop without waiting for the wake (a spurious
// poll, as after a select branch or a timeout re-polls it) and frees it the moment it is ready;
// T1's release may be in the middle of serving it. Had the release touched the node after
// setting `granted` (moving its waker out, unlinking it), that access would race with the
// Acquire destructor's touch() and Relacy reports the data race (checked: with the store moved
// before the unlink this test fails; Relacy does not itself flag accesses to freed memory in
// this build). The permit is used once and given back.
struct PollingWaiterFreedWhileBeingServed : rl::test_suite<PollingWaiterFreedWhileBeingServed, 2> {
  BatchSemaphore sem{0};
  ModelWaker w0;

  void thread(unsigned id) {
    if (id == 0) {
      Budget b = Budget::unconstrained();
      Context cx(w0.waker, b);
      auto* acq = new BatchSemaphore::Acquire(sem.acquire(1));
      for (;;) {
        auto p = acq->poll(cx);
        if (p.is_ready()) {
          RL_ASSERT(p.value().has_value());
          break;
        }
        rl::yield(1, $);
      }
      delete acq;
      sem.release(1);
    } else {
      sem.release(1);
    }
  }
  void after() {
    RL_ASSERT(sem.available_permits() == 1);
    RL_ASSERT(w0.clones.load(mo::acquire) == 0);
  }
};

// The hand-off hook (batch_semaphore.hpp, "Hand-off"): T0 queues for 1 permit with a hook that
// moves its payload out (the mpsc Send's value), then either cancels (Cancel) or polls until
// ready (!Cancel), spuriously, as a select would; T1 releases 1 and T2 tries to take 1 without
// waiting. Whatever the interleaving: the hook runs at most once, never after the Acquire is
// gone (the payload is read after the destructor: a hook still running then is a data race on
// it), a completed Acquire knows whether it was handed off, and the permit is either in the pool
// or spent on exactly one message (handed off, or sent by T0 itself from a plain grant).
template <bool Cancel>
struct HandoffRacingCancel : rl::test_suite<HandoffRacingCancel<Cancel>, 3> {
  BatchSemaphore sem{0};
  ModelWaker w0;
  rl::var<int> payload;  // 1 while T0's future holds the value, 0 once moved out
  rl::var<int> hook_runs;
  int sent_by_t0 = 0;  // T0 only

  static void hook(void* self, sluice::detail::semaphore_impl::WakeList&) noexcept {
    auto* t = static_cast<HandoffRacingCancel*>(self);
    t->payload($) = 0;
    t->hook_runs($) = t->hook_runs($) + 1;
  }
  void before() {
    payload($) = 1;
    hook_runs($) = 0;
  }
  void thread(unsigned id) {
    if (id == 0) {
      Budget b = Budget::unconstrained();
      Context cx(w0.waker, b);
      auto* acq = new BatchSemaphore::Acquire(sem.acquire(1));
      acq->set_handoff(&hook, this);
      for (;;) {
        auto p = acq->poll(cx);
        if (p.is_ready()) {
          RL_ASSERT(p.value().has_value());
          if (acq->handed_off()) {
            RL_ASSERT(payload($) == 0);
          } else {
            RL_ASSERT(payload($) == 1);
            payload($) = 0;  // sends it itself
            sent_by_t0 = 1;
          }
          break;
        }
        if (Cancel) break;
        rl::yield(1, $);
      }
      delete acq;
      const int left = payload($);  // after the destructor: the hook ran or never will
      (void)left;
    } else if (id == 1) {
      sem.release(1);
    } else {
      if (sem.try_acquire(1)) sem.release(1);
    }
  }
  void after() {
    const int messages = sent_by_t0 + hook_runs($);
    RL_ASSERT(messages <= 1);
    RL_ASSERT(payload($) == 1 - messages);
    RL_ASSERT(sem.available_permits() == static_cast<std::size_t>(1 - messages));
    RL_ASSERT(w0.clones.load(mo::acquire) == 0);
  }
};

using sluice::model::run_model;

}  // namespace

int main() {
  bool ok = true;
  ok &= run_model<CancelWhileBeingGranted>("cancel while being granted permits",
                                           rl::random_scheduler_type, 200000);
  ok &= run_model<ReleaseRacingCancel>("release racing cancel", rl::random_scheduler_type, 200000);
  ok &= run_model<CloseRacingQueuedAcquire>("close racing a queued acquire",
                                            rl::random_scheduler_type, 200000);
  ok &= run_model<TwoWaitersServed>("two waiters served", rl::random_scheduler_type, 100000);
  ok &= run_model<LockFreeReleaseRacingEnqueue>("lock-free release racing the enqueue",
                                                rl::random_scheduler_type, 200000);
  ok &= run_model<StaleQueuedFlagAfterTheLastWaiter>("a stale kQueued after the last waiter",
                                                     rl::random_scheduler_type, 200000);
  ok &= run_model<PollingWaiterFreedWhileBeingServed>("a polling waiter freed while served",
                                                      rl::random_scheduler_type, 200000);
  ok &= run_model<HandoffRacingCancel<true>>("a hand-off racing a cancel",
                                             rl::random_scheduler_type, 200000);
  ok &= run_model<HandoffRacingCancel<false>>("a hand-off racing spurious polls",
                                              rl::random_scheduler_type, 200000);
  std::printf(ok ? "batch_semaphore_model: OK\n" : "batch_semaphore_model: FAILED\n");
  return ok ? 0 : 1;
}
