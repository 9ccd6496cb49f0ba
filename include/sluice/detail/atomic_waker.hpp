// sluice::detail::AtomicWaker: a cell holding one Waker, registered by one side and woken by any
// thread, lock-free. The mpsc receiver keeps its waker here; every send wakes it.
//
// Protocol (Tokio's AtomicWaker idea, changed so that the registered waker stays in the cell
// after a wake: a receiver that waits again with the same waker re-arms it with one CAS, instead
// of cloning it again for every wait, and a wake costs one RMW plus the wake itself).
//
// state_ (detail::Atomic<std::size_t>) bits:
//   REGISTERING  = 0b0001  the registering side owns waker_ to replace or clear it (CAS from an
//                          idle state); it ends with a CAS to an idle state.
//   WAKING       = 0b0010  a waking side owns the wake (fetch_or from an idle state): it reads
//                          waker_ (wake_by_ref, or a clone for take_waker), then stores the state
//                          back with ARMED cleared. Nobody else writes state_ meanwhile (other
//                          wakes' fetch_or sets a bit already set; registrations back off), so
//                          that store is a plain store.
//   STORED       = 0b0100  waker_ holds a waker (a clone the cell owns).
//   ARMED        = 0b1000  the stored waker waits for a wake: set by each registration, cleared
//                          by the wake that wakes it. Only set together with STORED.
//   idle states: 0 (EMPTY), STORED, STORED | ARMED. Nobody owns waker_.
//   REGISTERING | WAKING  a wake arrived while a registration was in progress: the waking side
//                         backed off; the registering side sees its final CAS fail, wakes the
//                         waker it just stored itself and stores STORED (disarmed). This is why a
//                         wake racing a register is never lost.
// Who writes what:
//   waker_: only the registering side (register_by_ref, clear), which must be one thread at a
//     time (the channel's receiver), and only while it owns REGISTERING. So that side may read
//     waker_ without owning it (will_wake, the re-arm fast path): every other access is a read.
//   wakes (wake, take_waker): any thread, concurrently; only the one that moved the state from
//     idle to WAKING reads waker_.
//
// Re-arming: register_by_ref with the waker already stored is one CAS STORED -> STORED | ARMED.
// That RMW is also the fence Fr below on x86 (fence_seq_cst_after_rmw).
//
// The idle wake (the common case of a busy channel: the receiver is running, nothing armed):
// wake() is `fence(seq_cst); if (!(state_ & (ARMED | REGISTERING))) return;` with a plain load,
// no RMW on the cache line the receiver also writes. Why no wake is lost: the waker publishes its
// event E (a value pushed, the list closed) before its fence Fw; register_by_ref ends with a
// fence Fr, and the receiver re-checks for E after it. The two fences are ordered in the single
// total order S:
//   Fr before Fw: the registration's write of state_ (before Fr) is visible to the load after
//     Fw, so the waker sees ARMED and takes the slow path, or a later wake already woke the
//     registered waker (and cleared ARMED);
//   Fw before Fr: every write before Fw, E included, is visible to the receiver's re-check
//     after Fr, so the receiver sees E and needs no wake.
// Memory orders: the CAS that acquires ownership is Acquire (sees the registering side's writes
// to waker_), every release of ownership is Release or AcqRel (publishes our writes to waker_).
//
// Lifetime: the stored waker (a reference to the receiving task) stays in the cell until the
// registering side registers another waker or calls clear() (the mpsc receiver's drop does).
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
/// `register_by_ref` and `clear` must not be called from two threads at once (Tokio's rule: the
/// receiver registers, senders wake). `wake` and `take_waker` may be called from any number of
/// threads. A wake that races a registration is never lost: either the waker being registered
/// is woken, or the wake found it armed.
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

  /// Arms `waker` for the next wake(): re-arms the stored waker when it will_wake `waker` (one
  /// CAS, no clone), else stores a clone of it in place of the old one. If a wake() runs
  /// concurrently, `waker` is woken before returning. The caller re-checks its condition
  /// afterwards (see the protocol at the top of this file).
  ///
  /// Example:
  ///   w.register_by_ref(cx.waker());
  void register_by_ref(const Waker& waker) {
    std::size_t cur = state_.load(mo::relaxed);
    for (;;) {
      if ((cur & (kRegistering | kWaking)) == 0) {  // idle
        if ((cur & kStored) != 0 && stored_will_wake(waker)) {
          // Re-arm: the waker is ours already. This RMW is the fence Fr on x86.
          if (state_.compare_exchange_weak(cur, cur | kArmed, mo::release, mo::relaxed)) {
            fence_seq_cst_after_rmw();
            return;
          }
          continue;  // `cur` was reloaded
        }
        if (state_.compare_exchange_weak(cur, cur | kRegistering, mo::acquire, mo::relaxed)) {
          register_owned(waker, cur | kRegistering);
          return;
        }
        continue;
      }
      if ((cur & kRegistering) != 0) {
        // A concurrent register_by_ref, which the contract forbids. As Tokio, do nothing: the
        // other registration wins.
        return;
      }
      // WAKING: a wake is using the stored waker right now. This registration comes after the
      // event it signals, so wake the new waker directly (the task polls again).
      waker.wake_by_ref();
      spin_hint();
      return;
    }
  }

  /// Drops the stored waker (the registering side, e.g. a receiver that goes away). Waits for
  /// a wake in progress to finish with it first.
  ///
  /// Example:
  ///   rx_waker.clear();   // ~Receiver: the task reference goes now, not with the channel
  void clear() {
    std::size_t cur = state_.load(mo::relaxed);
    for (;;) {
      if (cur == kEmpty) return;
      if ((cur & kWaking) != 0) {  // a wake reads waker_: wait until it stored the state back
        spin_hint();
        cur = state_.load(mo::relaxed);
        continue;
      }
      if (state_.compare_exchange_weak(cur, kRegistering, mo::acquire, mo::relaxed)) break;
    }
    touch_write();
    Waker old = std::move(waker_);
    // A wake that comes now finds REGISTERING and backs off: nothing is armed after a clear.
    state_.store(kEmpty, mo::release);
  }

  /// Disarms the stored waker and returns a clone of it (empty Waker if nothing was armed, or
  /// if another thread is registering or waking at this moment: that thread then takes care of
  /// the wake). The cell keeps its own reference.
  ///
  /// Example:
  ///   if (Waker w = cell.take_waker(); !w.is_empty()) std::move(w).wake();
  Waker take_waker() {
    Waker out;
    const std::size_t prev = state_.fetch_or(kWaking, mo::acq_rel);
    if ((prev & (kRegistering | kWaking)) != 0) {
      // REGISTERING: the registrar will see WAKING and wake its waker itself.
      // WAKING: another wake is using the waker right now.
      return out;
    }
    if ((prev & kArmed) != 0) {
      touch_read();
      try {
        out = waker_;  // the clone may throw: the cell goes back to `prev` untouched
      } catch (...) {
        state_.store(prev, mo::release);
        throw;
      }
    }
    state_.store(prev & ~kArmed, mo::release);  // plain store: see WAKING at the top
    return out;
  }

  /// Wakes the armed waker, if any (by reference: the cell keeps it). Safe from any thread.
  /// When nothing is armed and nobody is registering it costs a fence and a load (see the top
  /// of this file).
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

  /// wake_after_rmw() that returns a clone of the armed waker instead of waking it (empty if
  /// none), for a caller that holds a lock and wakes after releasing it (the mpsc hand-off,
  /// batch_semaphore.hpp).
  ///
  /// Example:
  ///   list.push(std::move(v));   // ends with fetch_or
  ///   if (Waker w = rx_waker.take_after_rmw(); !w.is_empty()) wakers.push(std::move(w));
  Waker take_after_rmw() {
#if defined(SLUICE_TSAN)
    if (!needs_wake(state_.fetch_add(0, mo::acq_rel))) return Waker{};
#else
    fence_seq_cst_after_rmw();
    if (!needs_wake(state_.load(mo::relaxed))) return Waker{};
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

  // A wake has something to do: a waker is armed, or a registration must learn of the wake.
  static bool needs_wake(std::size_t state) noexcept {
    return (state & (kArmed | kRegistering)) != 0;
  }

  // The registering side only (it is the one writer of waker_).
  bool stored_will_wake(const Waker& waker) {
    touch_read();
    return waker_.will_wake(waker);
  }

  void wake_fenced() {
#if defined(SLUICE_TSAN)
    if (!needs_wake(state_.fetch_add(0, mo::acq_rel))) return;
#else
    if (!needs_wake(state_.load(mo::relaxed))) return;
#endif
    const std::size_t prev = state_.fetch_or(kWaking, mo::acq_rel);
    if ((prev & (kRegistering | kWaking)) != 0) return;  // see take_waker()
    if ((prev & kArmed) == 0) {                          // another wake came first
      state_.store(prev, mo::release);
      return;
    }
    struct Disarm {  // stores the state back even if the wake throws
      Atomic<std::size_t>& state;
      std::size_t value;
      ~Disarm() { state.store(value, mo::release); }
    } disarm{state_, prev & ~kArmed};
    waker_.wake_by_ref();  // before the store: a registration may replace waker_ after it
    touch_read();
  }

  // register_by_ref once its CAS set REGISTERING (`owned` is the state it wrote).
  void register_owned(const Waker& waker, std::size_t owned) {
    touch_write();
    Waker old;
    std::exception_ptr error;
    try {
      if (!waker_.will_wake(waker)) {
        Waker fresh(waker);  // the clone may throw: waker_ stays untouched (and unarmed) then
        old = std::exchange(waker_, std::move(fresh));
      }
    } catch (...) {
      error = std::current_exception();
    }
    const std::size_t done = waker_.is_empty() ? kEmpty : (error ? kStored : kStored | kArmed);
    if (!state_.compare_exchange_strong(owned, done, mo::acq_rel)) {
      // A concurrent wake set WAKING (state is REGISTERING | WAKING) and did nothing: wake the
      // waker we just stored ourselves, then hand the cell back, disarmed.
      touch_read();
      waker_.wake_by_ref();
      state_.store(done & ~kArmed, mo::release);  // plain store: see REGISTERING | WAKING
    }
    protocol_fence();  // Fr of the protocol: orders the registration before the re-check
    old.reset();       // dropped outside the critical section
    if (error) std::rethrow_exception(error);
  }

  static constexpr std::size_t kEmpty = 0;
  static constexpr std::size_t kRegistering = 0b0001;
  static constexpr std::size_t kWaking = 0b0010;
  static constexpr std::size_t kStored = 0b0100;
  static constexpr std::size_t kArmed = 0b1000;

#if defined(SLUICE_MODEL)
  // Under the model build every access to waker_ also reads or writes this checked variable,
  // so Relacy reports a write to waker_ that the state machine failed to order with another
  // access.
  void touch_read() { (void)static_cast<int>(probe_($)); }
  void touch_write() { probe_($) = 1; }
  rl::var<int> probe_;
#else
  static void touch_read() noexcept {}
  static void touch_write() noexcept {}
#endif

  Atomic<std::size_t> state_;
  Waker waker_;
};

}  // namespace sluice::detail
