// sluice::detail::AtomicWaker: a cell holding one Waker, registered by one side and woken by any
// thread, lock-free. The mpsc receiver keeps its waker here; every send wakes it.
//
// Protocol (Tokio's AtomicWaker idea, plus a "stored" bit so an idle wake costs no RMW): a small
// state machine guards the Waker stored in waker_.
//
// state_ (detail::Atomic<std::size_t>) bits:
//   REGISTERING  = 0b001  the registering side owns waker_ (register_by_ref's CAS from an idle
//                         state); it clears the bit with a CAS to STORED.
//   WAKING       = 0b010  a waking side owns waker_ (take_waker's fetch_or from an idle state);
//                         it takes the waker out and clears WAKING and STORED.
//   STORED       = 0b100  waker_ holds a waker nobody has taken yet.
//   idle states: 0 (EMPTY: waker_ is empty) and STORED; nobody owns waker_.
//   REGISTERING | WAKING  a wake arrived while a registration was in progress: the waking side
//                         backed off (it took nothing); the registering side sees the failed CAS,
//                         takes the waker it just stored, resets state_ to 0 and wakes it. This
//                         is why a wake racing a register is never lost.
// Who writes what:
//   register_by_ref: only one thread at a time (the owner: the channel's receiver).
//   take_waker / wake: any thread, concurrently. Only the one that moved the state from idle to
//     WAKING touches waker_.
//
// The idle wake (the common case of a busy channel: the receiver is running, nothing stored):
// wake() is `fence(seq_cst); if (state_ == 0) return;` with a plain load, no RMW on the cache
// line the receiver also writes. Why no wake is lost: the waker publishes its event E (a value
// pushed, the list closed) before its fence Fw; register_by_ref ends with a fence Fr, and the
// receiver re-checks for E after it. The two fences are ordered in the single total order S:
//   Fr before Fw: the registration's write of state_ (before Fr) is visible to the load after
//     Fw, so the waker sees a non-zero state and takes the slow path, or a later take already
//     woke the registered waker;
//   Fw before Fr: every write before Fw, E included, is visible to the receiver's re-check
//     after Fr, so the receiver sees E and needs no wake.
// Memory orders: the CAS that acquires ownership is Acquire (sees the previous owner's writes to
// waker_), every release of ownership is Release or AcqRel (publishes our writes to waker_).
//
// Example:
//   detail::AtomicWaker rx_waker;
//   // receiver, inside poll: register, then re-check the condition
//   rx_waker.register_by_ref(cx.waker());
//   if (auto v = try_pop()) return std::move(*v);
//   return sluice::pending;
//   // sender, after publishing a value, from any thread:
//   rx_waker.wake();
#pragma once

#include <cstddef>
#include <exception>
#include <utility>

#include <sluice/detail/sync.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

/// A lock-free cell holding one Waker: one side registers, any thread wakes.
///
/// `register_by_ref` must not be called from two threads at once (Tokio's rule: the receiver
/// registers, senders wake). `wake` and `take_waker` may be called from any number of threads.
/// A wake that races a registration is never lost: either the waker being registered is woken,
/// or the wake found it stored.
///
/// Example:
///   detail::AtomicWaker w;
///   w.register_by_ref(cx.waker());   // in poll, before re-checking the condition
///   w.wake();                        // from another thread after making progress
class AtomicWaker {
 public:
  AtomicWaker() noexcept : state_(kEmpty) {}
  AtomicWaker(const AtomicWaker&) = delete;
  AtomicWaker& operator=(const AtomicWaker&) = delete;
  ~AtomicWaker() = default;

  /// Stores a clone of `waker` (skipped when the stored one will_wake it already) to be woken by
  /// the next wake(). If a wake() runs concurrently, `waker` is woken before returning. The
  /// caller re-checks its condition afterwards (see the protocol at the top of this file).
  ///
  /// Example:
  ///   w.register_by_ref(cx.waker());
  void register_by_ref(const Waker& waker) {
    std::size_t cur = state_.load(mo::relaxed);
    for (;;) {
      if ((cur & ~kStored) == 0) {  // idle: try to own waker_
        if (state_.compare_exchange_weak(cur, cur | kRegistering, mo::acquire, mo::relaxed)) {
          register_owned(waker, cur | kRegistering);
          return;
        }
        continue;  // `cur` was reloaded
      }
      if ((cur & kRegistering) != 0) {
        // A concurrent register_by_ref, which the contract forbids. As Tokio, do nothing: the
        // other registration wins.
        return;
      }
      // WAKING: a wake is taking the previously stored waker right now. This registration comes
      // after the event it signals, so wake the new waker directly (the task polls again).
      waker.wake_by_ref();
      spin_hint();
      return;
    }
  }

  /// Takes the stored waker out of the cell (empty Waker if none, or if another thread is
  /// registering or waking at this moment: that thread then takes care of the wake).
  ///
  /// Example:
  ///   if (Waker w = cell.take_waker(); !w.is_empty()) std::move(w).wake();
  Waker take_waker() {
    const std::size_t prev = state_.fetch_or(kWaking, mo::acq_rel);
    if ((prev & ~kStored) == 0) {
      touch();
      Waker w = std::move(waker_);
      state_.fetch_and(~(kWaking | kStored), mo::release);
      return w;
    }
    // REGISTERING: the registrar will see WAKING and wake its waker itself.
    // WAKING: another waker is taking the waker right now.
    return Waker{};
  }

  /// Wakes the stored waker, if any (see take_waker()). Safe from any thread. When nothing is
  /// stored and nobody is registering it costs a fence and a load (see the top of this file).
  ///
  /// Example:
  ///   list.push(std::move(v));
  ///   rx_waker.wake();
  void wake() {
    protocol_fence();  // Fw of the protocol: orders the caller's event before the state load
    wake_fenced();
  }

  /// wake() for a caller whose last atomic operation was a read-modify-write that published its
  /// event (BlockList::push ends with the ready-bit fetch_or): on x86 that RMW is the fence Fw.
  ///
  /// Example:
  ///   list.push(std::move(v));   // ends with fetch_or
  ///   rx_waker.wake_after_rmw();
  void wake_after_rmw() {
#if !defined(SLUICE_TSAN)
    fence_seq_cst_after_rmw();
#endif
    wake_fenced();
  }

  /// wake_after_rmw() that returns the waker instead of waking it (empty if none), for a caller
  /// that holds a lock and wakes after releasing it (the mpsc hand-off, batch_semaphore.hpp).
  ///
  /// Example:
  ///   list.push(std::move(v));   // ends with fetch_or
  ///   if (Waker w = rx_waker.take_after_rmw(); !w.is_empty()) wakers.push(std::move(w));
  Waker take_after_rmw() {
#if defined(SLUICE_TSAN)
    if (state_.fetch_add(0, mo::acq_rel) == kEmpty) return Waker{};
#else
    fence_seq_cst_after_rmw();
    if (state_.load(mo::relaxed) == kEmpty) return Waker{};
#endif
    return take_waker();
  }

 private:
  // The fences of the protocol. Under ThreadSanitizer (no fence support) they are left out and
  // wake_fenced() reads the state with an RMW instead: Tokio's protocol, where the RMW chain on
  // state_ orders the wake and the registration (slower, and only in that build).
  static void protocol_fence() {
#if !defined(SLUICE_TSAN)
    fence_seq_cst();
#endif
  }

  void wake_fenced() {
#if defined(SLUICE_TSAN)
    if (state_.fetch_add(0, mo::acq_rel) == kEmpty) return;
#else
    if (state_.load(mo::relaxed) == kEmpty) return;
#endif
    Waker w = take_waker();
    std::move(w).wake();
  }

  // register_by_ref once its CAS set REGISTERING (`owned` is the state it wrote).
  void register_owned(const Waker& waker, std::size_t owned) {
    touch();
    Waker old;
    std::exception_ptr error;
    try {
      if (!waker_.will_wake(waker)) {
        Waker fresh(waker);  // the clone may throw: waker_ stays untouched then
        old = std::exchange(waker_, std::move(fresh));
      }
    } catch (...) {
      error = std::current_exception();
    }
    const std::size_t done = waker_.is_empty() ? kEmpty : kStored;
    if (!state_.compare_exchange_strong(owned, done, mo::acq_rel)) {
      // A concurrent wake set WAKING (state is REGISTERING | WAKING) and took nothing: wake the
      // waker we just stored ourselves, then hand the cell back.
      touch();
      Waker to_wake = std::move(waker_);
      state_.exchange(kEmpty, mo::acq_rel);
      std::move(to_wake).wake();
    }
    protocol_fence();  // Fr of the protocol: orders the registration before the re-check
    old.reset();       // dropped outside the critical section
    if (error) std::rethrow_exception(error);
  }

  static constexpr std::size_t kEmpty = 0;
  static constexpr std::size_t kRegistering = 0b001;
  static constexpr std::size_t kWaking = 0b010;
  static constexpr std::size_t kStored = 0b100;

#if defined(SLUICE_MODEL)
  // Under the model build every access to waker_ also writes this checked variable, so Relacy
  // reports two accesses to waker_ that the state machine failed to order.
  void touch() { probe_($) = 1; }
  rl::var<int> probe_;
#else
  static void touch() noexcept {}
#endif

  Atomic<std::size_t> state_;
  Waker waker_;
};

}  // namespace sluice::detail
