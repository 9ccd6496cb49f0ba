// sluice::detail::AtomicWaker: a cell holding one Waker, registered by one side and woken by any
// thread, lock-free. The mpsc receiver keeps its waker here; every send wakes it.
//
// Protocol (Tokio's AtomicWaker idea): a small state machine guards the Waker stored in waker_.
//
// state_ (detail::Atomic<std::size_t>) bits:
//   WAITING      = 0b00  nobody owns waker_. It holds the last registered waker (or is empty).
//   REGISTERING  = 0b01  the registering side owns waker_ (register_by_ref's CAS WAITING ->
//                        REGISTERING); it clears the bit with a CAS back to WAITING.
//   WAKING       = 0b10  a waking side owns waker_ (take_waker's fetch_or from WAITING); it takes
//                        the waker out and clears the bit with fetch_and.
//   REGISTERING | WAKING a wake arrived while a registration was in progress: the waking side
//                        backed off (it took nothing); the registering side sees the failed CAS,
//                        takes the waker it just stored, resets state_ to WAITING and wakes it.
//                        This is why a wake racing a register is never lost.
// Who writes what:
//   register_by_ref: only one thread at a time (the owner: the channel's receiver). Sets
//     REGISTERING, writes waker_, clears REGISTERING (or, on a concurrent wake, swaps to WAITING).
//   take_waker / wake: any thread, concurrently. Sets WAKING; only the one that moved the state
//     from WAITING to WAKING touches waker_, then clears WAKING.
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
  AtomicWaker() noexcept : state_(kWaiting) {}
  AtomicWaker(const AtomicWaker&) = delete;
  AtomicWaker& operator=(const AtomicWaker&) = delete;
  ~AtomicWaker() = default;

  /// Stores a clone of `waker` (skipped when the stored one will_wake it already) to be woken by
  /// the next wake(). If a wake() runs concurrently, `waker` is woken before returning.
  ///
  /// Example:
  ///   w.register_by_ref(cx.waker());
  void register_by_ref(const Waker& waker) {
    std::size_t expected = kWaiting;
    if (state_.compare_exchange_strong(expected, kRegistering, mo::acquire)) {
      // We own waker_ now.
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
      std::size_t registering = kRegistering;
      if (!state_.compare_exchange_strong(registering, kWaiting, mo::acq_rel)) {
        // A concurrent wake set WAKING (state is REGISTERING | WAKING) and took nothing: wake the
        // waker we just stored ourselves, then hand the cell back.
        touch();
        Waker to_wake = std::move(waker_);
        state_.exchange(kWaiting, mo::acq_rel);
        std::move(to_wake).wake();
      }
      old.reset();  // dropped outside the critical section
      if (error) std::rethrow_exception(error);
      return;
    }
    if (expected == kWaking) {
      // A wake is taking the previously stored waker right now: this registration comes after the
      // event it signals, so wake the new waker directly (the task polls again).
      waker.wake_by_ref();
      spin_hint();
      return;
    }
    // REGISTERING (| WAKING): a concurrent register_by_ref, which the contract forbids. As Tokio,
    // do nothing: the other registration wins.
  }

  /// Takes the stored waker out of the cell (empty Waker if none, or if another thread is
  /// registering or waking at this moment: that thread then takes care of the wake).
  ///
  /// Example:
  ///   if (Waker w = cell.take_waker(); !w.is_empty()) std::move(w).wake();
  Waker take_waker() {
    const std::size_t prev = state_.fetch_or(kWaking, mo::acq_rel);
    if (prev == kWaiting) {
      touch();
      Waker w = std::move(waker_);
      state_.fetch_and(~kWaking, mo::release);
      return w;
    }
    // REGISTERING: the registrar will see WAKING and wake its waker itself.
    // WAKING: another waker is taking the waker right now.
    return Waker{};
  }

  /// Wakes the stored waker, if any (see take_waker()). Safe from any thread.
  ///
  /// Example:
  ///   list.push(std::move(v));
  ///   rx_waker.wake();
  void wake() {
    Waker w = take_waker();
    std::move(w).wake();
  }

 private:
  static constexpr std::size_t kWaiting = 0;
  static constexpr std::size_t kRegistering = 0b01;
  static constexpr std::size_t kWaking = 0b10;

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
