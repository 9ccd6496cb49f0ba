// Relacy model of detail::AtomicWaker: a wake racing a registration is never lost, concurrent
// wakes wake once, and no waker clone leaks. Build and run (see also the `model` preset):
//   g++ -std=c++20 -DSLUICE_MODEL=1 -Iinclude tests/model/atomic_waker_model.cpp -o /tmp/x &&
//   /tmp/x
//
// Prelude (same in every model): the standard headers the code uses come first, because Relacy
// defines memory_order_* as macros that break <atomic> if it is included later; then Relacy;
// then its `new`/`delete` macros are removed (they break the `= delete` declarations in
// sync.hpp; Relacy's replacement of the global operator new/delete still tracks every
// allocation for leaks); then the sized operator delete is routed to Relacy's.
#include <algorithm>
#include <array>
#include <atomic>
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
// defines the unsized one, inline): route the sized forms to it, or libc's free() would receive
// memory Relacy allocated. (Alternative: compile with -fno-sized-deallocation.)
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete[](p); }

#include <sluice/detail/atomic_waker.hpp>

namespace {

using sluice::Waker;
using sluice::detail::Atomic;
using sluice::detail::AtomicWaker;
namespace mo = sluice::detail::mo;

// A waker that counts wake-ups and live clones with model atomics.
struct ModelWaker {
  Atomic<int> wakes{0};
  Atomic<int> clones{0};  // live clones (the Waker below is not counted)
  Waker waker{this, &kVTable};

  static ModelWaker* of(void* d) { return static_cast<ModelWaker*>(d); }
  static void* clone(void* d) {
    of(d)->clones.fetch_add(1, mo::relaxed);
    return d;
  }
  static void wake_by_ref(void* d) { of(d)->wakes.fetch_add(1, mo::acq_rel); }
  static void wake(void* d) {
    wake_by_ref(d);
    drop(d);
  }
  static void drop(void* d) { of(d)->clones.fetch_sub(1, mo::acq_rel); }
  static constexpr sluice::RawWakerVTable kVTable{&clone, &wake, &wake_by_ref, &drop};
};

// T0 registers w1, checks the flag, registers w2, checks again; T1 sets the flag and wakes.
// (These scenarios also check the idle-wake fast path: removing either seq_cst fence of the
// protocol, in register_owned or in wake, makes ReceiverLoop fail.)
// If T0 saw no flag after registering w2, w2 must have been woken.
struct WakeRacingRegister : rl::test_suite<WakeRacingRegister, 2> {
  AtomicWaker cell;
  ModelWaker w1;
  ModelWaker w2;
  Atomic<int> flag{0};
  rl::var<int> seen;

  void before() { seen($) = 0; }
  void thread(unsigned id) {
    if (id == 0) {
      cell.register_by_ref(w1.waker);
      if (flag.load(mo::acquire) == 1) {
        seen($) = 1;
        return;
      }
      cell.register_by_ref(w2.waker);
      if (flag.load(mo::acquire) == 1) seen($) = 2;
    } else {
      flag.store(1, mo::release);
      cell.wake();
    }
  }
  void after() {
    if (seen($) == 0) RL_ASSERT(w2.wakes.load(mo::acquire) >= 1);
    if (seen($) == 1) RL_ASSERT(w2.wakes.load(mo::acquire) == 0);
    cell.clear();  // drop whatever is still stored
    RL_ASSERT(w1.clones.load(mo::acquire) == 0);
    RL_ASSERT(w2.clones.load(mo::acquire) == 0);
  }
};

// Two wakers race each other and a registration: the registered waker is woken unless the
// registering thread saw both events afterwards; nothing leaks.
struct TwoWakesRacingRegister : rl::test_suite<TwoWakesRacingRegister, 3> {
  AtomicWaker cell;
  ModelWaker w;
  Atomic<int> a{0};
  Atomic<int> b{0};
  rl::var<int> saw_both;

  void before() { saw_both($) = 0; }
  void thread(unsigned id) {
    if (id == 0) {
      cell.register_by_ref(w.waker);
      const int sa = a.load(mo::acquire);
      const int sb = b.load(mo::acquire);
      saw_both($) = (sa == 1 && sb == 1) ? 1 : 0;
    } else if (id == 1) {
      a.store(1, mo::release);
      cell.wake();
    } else {
      b.store(1, mo::release);
      cell.wake();
    }
  }
  void after() {
    if (saw_both($) == 0) RL_ASSERT(w.wakes.load(mo::acquire) >= 1);
    cell.clear();
    RL_ASSERT(w.clones.load(mo::acquire) == 0);
  }
};

// The receiver loop: register, re-check, repeat (`kRounds` times); a sender publishes twice. The
// receiver must end having seen both values or holding a wake for the missing one (the last
// registration must have been woken after it). With kTakeAfterRmw the sender does what the
// mpsc hand-off does: it publishes with an RMW, takes a clone of the armed waker
// (take_after_rmw) and wakes it later, while the receiver re-arms the same waker round after
// round (the one-CAS path).
template <int kRounds, bool kTakeAfterRmw>
struct ReceiverLoop : rl::test_suite<ReceiverLoop<kRounds, kTakeAfterRmw>, 2> {
  AtomicWaker cell;
  ModelWaker w;
  Atomic<int> published{0};
  rl::var<int> seen;

  void before() { seen($) = 0; }
  void thread(unsigned id) {
    if (id == 0) {
      for (int round = 0; round < kRounds; ++round) {
        cell.register_by_ref(w.waker);
        const int now = published.load(mo::acquire);
        if (now > seen($)) seen($) = now;
      }
      return;
    }
    for (int i = 1; i <= 2; ++i) {
      if constexpr (kTakeAfterRmw) {
        published.fetch_add(1, mo::acq_rel);
        if (Waker got = cell.take_after_rmw(); !got.is_empty()) std::move(got).wake();
      } else {
        published.store(i, mo::release);
        cell.wake();
      }
    }
  }
  void after() {
    if (seen($) < 2) RL_ASSERT(w.wakes.load(mo::acquire) >= 1);
    cell.clear();
    RL_ASSERT(w.clones.load(mo::acquire) == 0);
  }
};

// Re-arming (the one-CAS path) racing a wake: the cell starts with `w` stored and disarmed (a
// previous wait was woken). If T0 saw no flag after re-arming, the wake must have woken `w`.
// Fails without the fence after the re-arming CAS (fence_seq_cst_after_rmw).
struct ReArmRacingWake : rl::test_suite<ReArmRacingWake, 2> {
  AtomicWaker cell;
  ModelWaker w;
  Atomic<int> flag{0};
  rl::var<int> seen;

  void before() {
    seen($) = 0;
    cell.register_by_ref(w.waker);
    cell.wake();  // disarms; `w` stays stored
  }
  void thread(unsigned id) {
    if (id == 0) {
      cell.register_by_ref(w.waker);
      if (flag.load(mo::acquire) == 1) seen($) = 1;
    } else {
      flag.store(1, mo::release);
      cell.wake();
    }
  }
  void after() {
    if (seen($) == 0) RL_ASSERT(w.wakes.load(mo::acquire) >= 2);  // 1 from before()
    cell.clear();
    RL_ASSERT(w.clones.load(mo::acquire) == 0);
  }
};

// The receiver goes away (clear) while a wake is in flight: the wake must not read the waker
// after clear dropped it (Relacy reports the access), and no clone leaks.
struct ClearRacingWake : rl::test_suite<ClearRacingWake, 2> {
  AtomicWaker cell;
  ModelWaker w;

  void thread(unsigned id) {
    if (id == 0) {
      cell.register_by_ref(w.waker);
      cell.clear();
    } else {
      cell.wake();
    }
  }
  void after() { RL_ASSERT(w.clones.load(mo::acquire) == 0); }
};

using sluice::model::run_model;

}  // namespace

int main() {
  bool ok = true;
  ok &= run_model<WakeRacingRegister>("wake racing register (full search)",
                                      rl::fair_full_search_scheduler_type, 0);
  ok &= run_model<TwoWakesRacingRegister>("two wakes racing register",
                                          rl::fair_context_bound_scheduler_type, 3);
  ok &= run_model<ReceiverLoop<2, false>>("receiver loop (random)", rl::random_scheduler_type,
                                          200000);
  ok &= run_model<ReArmRacingWake>("re-arm racing wake (full search)",
                                   rl::fair_full_search_scheduler_type, 0);
  ok &= run_model<ReceiverLoop<3, true>>("take racing re-arm (random)", rl::random_scheduler_type,
                                         200000);
  ok &= run_model<ClearRacingWake>("clear racing wake (full search)",
                                   rl::fair_full_search_scheduler_type, 0);
  std::printf(ok ? "atomic_waker_model: OK\n" : "atomic_waker_model: FAILED\n");
  return ok ? 0 : 1;
}
