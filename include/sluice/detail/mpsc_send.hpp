// The futures of a bounded mpsc Sender: Send, SendTimeout, Reserve, ReserveMany. Each waits for
// capacity on the channel's fair semaphore (an Acquire future inside it), so waiting senders are
// served in FIFO order and a cancelled one gives back whatever capacity it was granted.
// They borrow the Sender that made them (a raw Chan*): the Sender must outlive them.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/mpsc_chan.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>
#include <sluice/sleep.hpp>
#include <sluice/sync/mpsc/error.hpp>
#include <sluice/sync/mpsc/permit.hpp>

namespace sluice::detail {
template <class F>
class LeafAwaiter;  // task.hpp: lets a task body's Send hand off
}  // namespace sluice::detail

namespace sluice::detail::mpsc {

/// Future of Sender::send(v): waits for a slot, then sends; on a closed channel gives `v` back
/// in SendError.
///
/// Hand-off: when the Send is awaited directly by the body of a spawned task (`co_await
/// tx.send(v)`, not inside select or timeout), the release that grants it a slot also moves the
/// value into the channel, under the semaphore's lock (batch_semaphore.hpp, "Hand-off"); the
/// task's next poll only reports it. The receiver that freed the slot then finds the value at once.
/// Only aborting the task (or shutting down the runtime) can cancel such a send, and an abort
/// that comes after the grant finds the value sent, as if the task had run a little longer.
///
/// Cancel safety: not lossless: cancelled before completing, the value is dropped with the
/// future (use reserve() first to keep it), and it was not sent. The place in the queue is lost;
/// capacity already granted goes to the next waiter.
template <class T>
class [[nodiscard]] Send {
 public:
  using Output = Result<void, ::sluice::mpsc::SendError<T>>;

  Send(BoundedChan<T>* chan, T value) : chan_(chan), value_(std::in_place, std::move(value)) {}
  /// A Send may be moved before its first poll only: once queued with a hand-off, the
  /// semaphore holds its address (std::logic_error).
  Send(Send&& o)
      : chan_(o.unqueued_chan()), value_(std::move(o.value_)), handoff_ok_(o.handoff_ok_) {}
  Send(const Send&) = delete;
  Send& operator=(const Send&) = delete;
  Send& operator=(Send&&) = delete;
  ~Send() = default;

  /// Sends when a slot is free. The common first poll (budget left, a free slot, nobody queued)
  /// is inlined into the awaiting coroutine; everything else, including misuse, is poll_slow().
  [[gnu::always_inline]] Poll<Output> poll(Context& cx) {
    if (value_ && !acq_) [[likely]] {
      if (cx.budget().try_spend()) {
        if (chan_->sem.inner().try_acquire(1)) {
          T v = std::move(*value_);
          value_.reset();
          chan_->push(std::move(v));
          return Output();
        }
        cx.budget().refund();
      }
    }
    return poll_slow(cx);
  }

  /// Cancels the wait (granted capacity goes back) and returns the value (SendTimeout).
  T cancel() {
    acq_.reset();
    T v = std::move(*value_);
    value_.reset();
    return v;
  }

 private:
  // The task body awaits this Send directly (LeafAwaiter, task.hpp): hand-off allowed.
  template <class>
  friend class ::sluice::detail::LeafAwaiter;
  void allow_handoff() noexcept { handoff_ok_ = true; }

  // The hook the semaphore runs under its lock when it serves this Send in full.
  static void handoff(void* self, semaphore_impl::WakeList& wakers) noexcept {
    auto* s = static_cast<Send*>(self);
    T v = std::move(*s->value_);
    s->value_.reset();
    s->chan_->push_handed_off(std::move(v), wakers);
  }

  // The move constructor's check, made before anything is moved out of `this`.
  BoundedChan<T>* unqueued_chan() const {
    if (acq_) throw std::logic_error("sluice::mpsc::Send moved after it was polled");
    return chan_;
  }

  [[gnu::noinline]] Poll<Output> poll_slow(Context& cx) {
    if (!acq_) {
      if (!value_) throw std::logic_error("sluice::mpsc::Send polled after completion");
      // First poll: take a free slot without building the Acquire future (its first poll would
      // do the same CAS, and the waiter node it carries is only needed to queue). try_acquire
      // refuses while senders are queued, so this does not overtake them.
      auto coop = ::sluice::coop::poll_proceed(cx);
      if (!coop) return pending;
      auto taken = chan_->sem.inner().try_acquire(1);
      if (taken || taken.error() == TryAcquireError::Closed) {
        coop->made_progress();
        return finish(taken.has_value());
      }
      acq_.emplace(chan_->sem.inner().acquire(1));  // no slot: queue (spends its own unit)
      if constexpr (std::is_nothrow_move_constructible_v<T>) {
        if (handoff_ok_) acq_->set_handoff(&Send::handoff, this);
      }
    }
    auto r = acq_->poll(cx);  // throws once it completed (polled after completion)
    if (r.is_pending()) return pending;
    if (acq_->handed_off()) return Output();  // the releaser moved the value in
    return finish(r.value().has_value());
  }

  /// Sends the value through the slot just taken, or gives it back in SendError (closed).
  Output finish(bool got_slot) {
    T v = std::move(*value_);
    value_.reset();
    if (!got_slot) return Output(Err(::sluice::mpsc::SendError<T>{std::move(v)}));
    chan_->push(std::move(v));
    return Output();
  }

  BoundedChan<T>* chan_;
  std::optional<T> value_;
  std::optional<BatchSemaphore::Acquire> acq_;  // built only when the first poll finds no slot
  bool handoff_ok_ = false;
};

/// Future of Sender::send_timeout(v, d): Send racing a Sleep; Timeout gives the value back.
///
/// Cancel safety: as Send (the value is dropped if the future is cancelled).
template <class T>
class [[nodiscard]] SendTimeout {
 public:
  using Output = Result<void, ::sluice::mpsc::SendTimeoutError<T>>;

  SendTimeout(Send<T> send, Sleep sleep) : send_(std::move(send)), sleep_(std::move(sleep)) {}

  Poll<Output> poll(Context& cx) {
    if (done_) throw std::logic_error("sluice::mpsc::SendTimeout polled after completion");
    auto r = send_.poll(cx);
    if (r.is_ready()) {
      done_ = true;
      if (r.value()) return Output();
      return Output(Err(::sluice::mpsc::SendTimeoutError<T>{
          ::sluice::mpsc::SendTimeoutErrorKind::Closed, std::move(r.value().error().value)}));
    }
    // The deadline is checked without budget, so a busy task cannot hide an elapsed timeout.
    if (sleep_.poll_elapsed(cx.waker())) {
      done_ = true;
      return Output(Err(::sluice::mpsc::SendTimeoutError<T>{
          ::sluice::mpsc::SendTimeoutErrorKind::Timeout, send_.cancel()}));
    }
    return pending;
  }

 private:
  Send<T> send_;
  Sleep sleep_;
  bool done_ = false;
};

/// Future of Sender::reserve(): one Permit, or SendError<void> when the channel is closed.
///
/// Cancel safety: nothing is lost; cancelling loses the place in the queue and gives any
/// granted capacity to the next waiter.
template <class T>
class [[nodiscard]] Reserve {
 public:
  using Output = Result<::sluice::mpsc::Permit<T>, ::sluice::mpsc::SendError<void>>;

  explicit Reserve(BoundedChan<T>* chan) : chan_(chan), acq_(chan->sem.inner().acquire(1)) {}

  Poll<Output> poll(Context& cx) {
    auto r = acq_.poll(cx);
    if (r.is_pending()) return pending;
    if (r.value().is_err()) return Output(Err(::sluice::mpsc::SendError<void>{}));
    return Output(::sluice::mpsc::Permit<T>(chan_));
  }

 private:
  BoundedChan<T>* chan_;
  BatchSemaphore::Acquire acq_;
};

/// Future of Sender::reserve_many(n): a PermitIterator of `n` permits, or SendError<void> when
/// the channel is closed or `n` exceeds max_capacity().
///
/// Cancel safety: as Reserve.
template <class T>
class [[nodiscard]] ReserveMany {
 public:
  using Output = Result<::sluice::mpsc::PermitIterator<T>, ::sluice::mpsc::SendError<void>>;

  ReserveMany(BoundedChan<T>* chan, std::size_t n) : chan_(chan), n_(n) {
    if (n <= chan->sem.bound()) acq_.emplace(chan->sem.inner().acquire(n));
  }

  Poll<Output> poll(Context& cx) {
    if (!acq_) return Output(Err(::sluice::mpsc::SendError<void>{}));
    auto r = acq_->poll(cx);
    if (r.is_pending()) return pending;
    if (r.value().is_err()) return Output(Err(::sluice::mpsc::SendError<void>{}));
    return Output(::sluice::mpsc::PermitIterator<T>(chan_, n_));
  }

 private:
  BoundedChan<T>* chan_;
  std::size_t n_;
  std::optional<BatchSemaphore::Acquire> acq_;
};

}  // namespace sluice::detail::mpsc
