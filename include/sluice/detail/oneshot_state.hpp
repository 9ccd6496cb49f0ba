// sluice::detail::OneshotInner<T>: the one allocation behind a oneshot channel.
//
// Layout: a state word, a reference count (2: sender + receiver), the value stored in place
// (raw storage, constructed by the sender, destroyed exactly once), and two wakers: the
// receiver's (rx_waker_) and the sender's (tx_waker_, for Sender::closed()).
//
// state_ (detail::Atomic<std::uint32_t>) bits:
//   RX_TASK_SET = 0b00001  rx_waker_ holds the receiver's waker. While clear, only the receiver
//                          touches rx_waker_. While set, the receiver leaves it alone; the sender
//                          reads it (wake_by_ref) only if its COMPLETE transition saw the bit set
//                          and CLOSED clear.
//   VALUE_SENT  = 0b00010  the value is constructed in storage_. Set together with COMPLETE by
//                          the sender's successful send; from then on storage_ belongs to the
//                          receiver (acquire on the state load that sees the bit).
//   CLOSED      = 0b00100  the receiver closed or was dropped: a later send fails and hands the
//                          value back. Set only by the receiver.
//   TX_TASK_SET = 0b01000  tx_waker_ holds the sender's waker (mirror of RX_TASK_SET: only the
//                          sender touches tx_waker_ while clear; the receiver reads it only if its
//                          CLOSED transition saw the bit set and COMPLETE clear).
//   COMPLETE    = 0b10000  the sender is done: it sent (with VALUE_SENT) or was dropped (without).
//                          Set only by the sender, once.
// Value ownership: before COMPLETE|VALUE_SENT the sender owns storage_; a send whose CAS sees
// CLOSED moves the value back out and destroys it. After VALUE_SENT the receiver owns it: it
// moves it out when received, or destroys it when dropped; value_taken_ (receiver-only, plain)
// remembers that. ~OneshotInner destroys a sent value nobody took (cannot happen through the
// public handles, kept as a safety net).
// Wakers are dropped by their owner when it leaves, if the other side can no longer read them
// (the owner's final transition did not see the other side's final bit), else by ~OneshotInner.
// refs_: 2 at creation; each handle releases one when it is done (acq_rel); the last frees.
//
// Example:
//   auto* inner = new detail::OneshotInner<int>();
//   // sender:   inner->send(5);  inner->release();
//   // receiver: poll_recv(cx) ... inner->rx_drop(); inner->release();
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/poll.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

/// Shared state of one oneshot channel (see the file comment for the state word).
template <class T>
class OneshotInner {
 public:
  static constexpr std::uint32_t kRxTaskSet = 0b00001;
  static constexpr std::uint32_t kValueSent = 0b00010;
  static constexpr std::uint32_t kClosed = 0b00100;
  static constexpr std::uint32_t kTxTaskSet = 0b01000;
  static constexpr std::uint32_t kComplete = 0b10000;

  /// What the receiver found: a value, nothing yet, or "never a value" (sender gone / closed).
  enum class Take { kValue, kEmpty, kClosed };

  OneshotInner() : state_(0), refs_(2) {}
  OneshotInner(const OneshotInner&) = delete;
  OneshotInner& operator=(const OneshotInner&) = delete;
  ~OneshotInner() {
    if ((state_.load(mo::relaxed) & kValueSent) && !value_taken_) destroy_value();
  }

  /// Drops one handle's reference; the last one frees the channel.
  void release() {
    if (refs_.fetch_sub(1, mo::acq_rel) == 1) delete this;
  }

  // ---- sender side -------------------------------------------------------------------------

  /// Stores `v` and wakes the receiver; returns the value back if the receiver closed first.
  std::optional<T> send(T&& v) {
    touch_value();
    ::new (static_cast<void*>(storage_)) T(std::move(v));
    std::uint32_t cur = state_.load(mo::relaxed);
    for (;;) {
      if (cur & kClosed) {
        touch_value();
        struct DestroyOnExit {  // even if moving the value back out throws
          OneshotInner* self;
          ~DestroyOnExit() { self->destroy_value(); }
        } guard{this};
        std::optional<T> back(std::move(*ptr()));
        finish_tx(cur);
        return back;
      }
      if (state_.compare_exchange_weak(cur, cur | kValueSent | kComplete, mo::acq_rel)) break;
    }
    finish_tx(cur);
    return std::nullopt;
  }

  /// The sender is dropped without sending: the receiver will see RecvError.
  void tx_drop() {
    const std::uint32_t prev = state_.fetch_or(kComplete, mo::acq_rel);
    finish_tx(prev);
  }

  /// True once the receiver closed or was dropped.
  bool is_closed() const { return (state_.load(mo::acquire) & kClosed) != 0; }

  /// Ready once the receiver closed or was dropped; otherwise registers cx's waker.
  Poll<void> poll_closed(Context& cx) {
    std::uint32_t cur = state_.load(mo::acquire);
    if (cur & kClosed) return Poll<void>::ready();
    if (cur & kTxTaskSet) {
      if (tx_waker_.will_wake(cx.waker())) return pending;
      cur = state_.fetch_and(~kTxTaskSet, mo::acq_rel);
      if (cur & kClosed) return Poll<void>::ready();  // receiver may be reading tx_waker_
    }
    touch_tx_waker();
    tx_waker_ = cx.waker();
    cur = state_.fetch_or(kTxTaskSet, mo::acq_rel);
    if (cur & kClosed) return Poll<void>::ready();
    return pending;
  }

  // ---- receiver side -----------------------------------------------------------------------

  /// Non-blocking look: the value (moved into `out`), Empty or Closed.
  Take try_take(std::optional<T>& out) {
    const std::uint32_t cur = state_.load(mo::acquire);
    return take_from(cur, out);
  }

  /// Like try_take, but registers cx's waker when empty (ready is reported through the result).
  Take poll_take(Context& cx, std::optional<T>& out) {
    std::uint32_t cur = state_.load(mo::acquire);
    if (cur & (kComplete | kClosed)) return take_from(cur, out);
    if (cur & kRxTaskSet) {
      if (rx_waker_.will_wake(cx.waker())) return Take::kEmpty;
      cur = state_.fetch_and(~kRxTaskSet, mo::acq_rel);
      if (cur & kComplete) return take_from(cur, out);  // sender may be reading rx_waker_
    }
    touch_rx_waker();
    rx_waker_ = cx.waker();
    cur = state_.fetch_or(kRxTaskSet, mo::acq_rel);
    if (cur & kComplete) return take_from(cur, out);
    return Take::kEmpty;
  }

  /// True when a value is stored and not yet taken.
  bool has_value() const { return (state_.load(mo::acquire) & kValueSent) && !value_taken_; }

  /// Receiver::close(): later sends fail; a value already sent stays takeable.
  void rx_close() {
    const std::uint32_t prev = state_.fetch_or(kClosed, mo::acq_rel);
    if (prev & kClosed) return;
    if ((prev & kTxTaskSet) && !(prev & kComplete)) {
      touch_tx_waker();
      tx_waker_.wake_by_ref();
    }
  }

  /// The receiver leaves: close, destroy an untaken value, drop its waker when safe.
  void rx_drop() {
    const std::uint32_t prev = state_.fetch_or(kClosed, mo::acq_rel);
    if (!(prev & kClosed) && (prev & kTxTaskSet) && !(prev & kComplete)) {
      touch_tx_waker();
      tx_waker_.wake_by_ref();
    }
    if ((prev & kValueSent) && !value_taken_) {
      value_taken_ = true;
      destroy_value();
    }
    if (!(prev & kComplete)) {
      // The sender has not completed, so it will see CLOSED and never read rx_waker_.
      touch_rx_waker();
      rx_waker_.reset();
    }
  }

 private:
  void finish_tx(std::uint32_t prev) {
    if ((prev & kRxTaskSet) && !(prev & kClosed)) {
      touch_rx_waker();
      rx_waker_.wake_by_ref();
    }
    if (!(prev & kClosed)) {
      // The receiver had not closed, so it will see COMPLETE and never read tx_waker_.
      touch_tx_waker();
      tx_waker_.reset();
    }
  }

  Take take_from(std::uint32_t cur, std::optional<T>& out) {
    if ((cur & kValueSent) && !value_taken_) {
      touch_value();
      out.emplace(std::move(*ptr()));
      value_taken_ = true;
      destroy_value();
      return Take::kValue;
    }
    if (cur & (kComplete | kClosed)) return Take::kClosed;
    return Take::kEmpty;
  }

  T* ptr() noexcept { return std::launder(reinterpret_cast<T*>(storage_)); }
  void destroy_value() noexcept { std::destroy_at(ptr()); }

#if defined(SLUICE_MODEL)
  // Model build: each access to the value or a waker also writes a checked variable, so Relacy
  // reports two accesses that the state word failed to order.
  void touch_value() { value_probe_($) = 1; }
  void touch_rx_waker() { rx_probe_($) = 1; }
  void touch_tx_waker() { tx_probe_($) = 1; }
  rl::var<int> value_probe_;
  rl::var<int> rx_probe_;
  rl::var<int> tx_probe_;
#else
  static void touch_value() noexcept {}
  static void touch_rx_waker() noexcept {}
  static void touch_tx_waker() noexcept {}
#endif

  Atomic<std::uint32_t> state_;
  Atomic<std::uint32_t> refs_;
  bool value_taken_ = false;  // receiver-only
  alignas(T) unsigned char storage_[sizeof(T)];
  Waker rx_waker_;
  Waker tx_waker_;
};

}  // namespace sluice::detail
