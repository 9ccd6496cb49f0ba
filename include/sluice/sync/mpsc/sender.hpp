/// @file
/// sluice::mpsc::Sender / WeakSender / OwnedPermit: the sending side of a bounded channel.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::channel<int>(16);
/// auto tx2 = tx;                                   // copy = clone: one more sender
/// if (auto r = co_await tx.send(1); r.is_err()) std::puts("receiver gone");
/// ```
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include <sluice/block_on.hpp>
#include <sluice/context.hpp>
#include <sluice/detail/mpsc_chan.hpp>
#include <sluice/detail/mpsc_send.hpp>
#include <sluice/detail/runtime_context.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>
#include <sluice/sleep.hpp>
#include <sluice/sync/mpsc/error.hpp>
#include <sluice/sync/mpsc/permit.hpp>

namespace sluice::mpsc {

template <class T>
class Sender;
template <class T>
class WeakSender;
template <class T>
class OwnedPermit;
template <class T>
class Receiver;

/// @cond
namespace detail_impl {
template <class T>
class ReserveOwned;
/// Builds handles from a Chan (channel(), unbounded_channel()).
struct Access;
}  // namespace detail_impl
/// @endcond

/// The sending half of a bounded channel. Copying it makes one more sender (Tokio's clone);
/// the channel closes for the receiver once the last strong sender (Sender or OwnedPermit) is
/// gone and the buffer is drained. Futures and permits it returns borrow it: keep the Sender
/// alive until they are done. Safe to use from several threads through separate copies.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::channel<std::string>(8);
/// sluice::spawn([](sluice::mpsc::Sender<std::string> tx) -> sluice::Task<> {
///   auto msg = std::string("hi");
///   (void)co_await tx.send(std::move(msg));
/// }(tx)).detach();
/// ```
template <class T>
class Sender {
 public:
  /// The shared channel state (an implementation detail).
  using ChanT = ::sluice::detail::mpsc::BoundedChan<T>;

  /// One more strong sender of the same channel (Tokio's clone).
  Sender(const Sender& o) noexcept : chan_(o.chan_) {
    chan_->tx_count.fetch_add(1, ::sluice::detail::mo::relaxed);
  }
  /// Takes over `o`'s place as a sender; `o` must not be used afterwards (only destroyed or
  /// assigned to).
  Sender(Sender&& o) noexcept = default;
  /// Becomes a copy of `o`; the sender this was is dropped (as by the destructor).
  Sender& operator=(const Sender& o) {
    Sender copy(o);
    swap(copy);
    return *this;
  }
  /// Takes over `o`'s place; the sender this was is dropped (as by the destructor).
  Sender& operator=(Sender&& o) noexcept {
    Sender moved(std::move(o));
    swap(moved);
    return *this;
  }
  /// One sender less; the last strong one closes the channel for the receiver.
  ~Sender() {
    if (chan_) chan_->tx_drop();
  }
  /// Exchanges the channels of two senders.
  void swap(Sender& o) noexcept { chan_.swap(o.chan_); }

  /// Waits for a free slot, then sends `value`. Errors: SendError holding `value` when the
  /// receiver is closed or gone. Senders waiting for a slot are served in FIFO order.
  ///
  /// Example:
  /// ```cpp
  /// auto msg = Msg{1};                      // not a temporary inside co_await (g++ 12)
  /// if (auto r = co_await tx.send(std::move(msg)); r.is_err()) log(r.error().what());
  /// ```
  ///
  /// Cancel safety: not lossless. Cancelled before it completes, the value is dropped, it was
  /// not sent, and the place in the queue is lost (capacity granted meanwhile goes to the next
  /// waiter). To keep the value, `reserve()` first and send through the Permit.
  ///
  /// Hand-off: awaited directly by a spawned task's body (as above, not inside select or
  /// timeout), a send waiting for a slot completes at the moment the receiver frees one: the
  /// receiver moves the value into the channel for it, and receives it without waiting for
  /// this task to run (Go's channels do the same). Only aborting the task can cancel such a
  /// send; an abort that comes after the slot was freed finds the value sent.
  ::sluice::detail::mpsc::Send<T> send(T value) { return {chan_.get(), std::move(value)}; }

  /// Sends now if a slot is free. Errors: Full(value) or Closed(value).
  ///
  /// Example:
  /// ```cpp
  /// if (auto r = tx.try_send(5); r.is_err() && r.error().is_full()) std::puts("busy");
  /// ```
  Result<void, TrySendError<T>> try_send(T value) {
    auto r = chan_->sem.inner().try_acquire(1);
    if (r.is_err()) {
      const auto kind = r.error() == ::sluice::detail::TryAcquireError::Closed
                            ? TrySendErrorKind::Closed
                            : TrySendErrorKind::Full;
      return Err(TrySendError<T>{kind, std::move(value)});
    }
    chan_->push(std::move(value));
    return {};
  }

  /// send() with a deadline: Timeout(value) if no slot came within `timeout`, Closed(value) if
  /// the receiver went. Needs a sluice runtime (it uses a timer).
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await tx.send_timeout(v, std::chrono::milliseconds(100));
  /// ```
  ///
  /// Cancel safety: as send(): cancelling drops the value.
  ::sluice::detail::mpsc::SendTimeout<T> send_timeout(T value, std::chrono::nanoseconds timeout) {
    return {send(std::move(value)), ::sluice::sleep(timeout)};
  }

  /// send() for plain threads: blocks the thread until sent or closed.
  ///
  /// Errors: SendError(value) when closed; throws std::logic_error on a runtime thread.
  ///
  /// Example:
  /// ```cpp
  /// std::thread t([tx] { (void)tx.blocking_send(1); });
  /// ```
  Result<void, SendError<T>> blocking_send(T value) {
    ::sluice::detail::assert_can_block("mpsc blocking_send");
    return ::sluice::block_on(send(std::move(value)));
  }

  /// Waits for one slot and returns it as a Permit (send through it later without waiting).
  /// Errors: SendError<void> when closed.
  ///
  /// Example:
  /// ```cpp
  /// auto p = co_await tx.reserve();
  /// if (p) p->send(make_value());
  /// ```
  ///
  /// Cancel safety: nothing is lost; cancelling loses the place in the queue only.
  ::sluice::detail::mpsc::Reserve<T> reserve() {
    return ::sluice::detail::mpsc::Reserve<T>(chan_.get());
  }

  /// Waits for `n` slots at once. Errors: SendError<void> when closed or n > max_capacity().
  ///
  /// Example:
  /// ```cpp
  /// auto it = co_await tx.reserve_many(2);
  /// if (it) { it->next()->send(1); it->next()->send(2); }
  /// ```
  ///
  /// Cancel safety: as reserve().
  ::sluice::detail::mpsc::ReserveMany<T> reserve_many(std::size_t n) { return {chan_.get(), n}; }

  /// Like reserve(), moving this Sender into the OwnedPermit (no borrow to keep alive).
  /// Errors: SendError<void> when closed (the Sender is dropped then).
  ///
  /// Example:
  /// ```cpp
  /// auto p = co_await std::move(tx).reserve_owned();
  /// if (p) tx = std::move(*p).send(1);            // send() gives the Sender back
  /// ```
  ///
  /// Cancel safety: as reserve(); cancelling drops the moved Sender.
  detail_impl::ReserveOwned<T> reserve_owned() &&;

  /// A Permit if a slot is free now. Errors: Full / Closed.
  ///
  /// Example:
  /// ```cpp
  /// if (auto p = tx.try_reserve()) p->send(1);
  /// ```
  Result<Permit<T>, TrySendError<void>> try_reserve() {
    if (auto e = try_acquire(1)) return Err(TrySendError<void>{*e});
    return Permit<T>(chan_.get());
  }

  /// `n` permits if free now. Errors: Full (also when n > max_capacity()) / Closed.
  ///
  /// Example:
  /// ```cpp
  /// if (auto it = tx.try_reserve_many(4)) while (auto p = it->next()) p->send(0);
  /// ```
  Result<PermitIterator<T>, TrySendError<void>> try_reserve_many(std::size_t n) {
    if (n > max_capacity()) return Err(TrySendError<void>{TrySendErrorKind::Full});
    if (auto e = try_acquire(n)) return Err(TrySendError<void>{*e});
    return PermitIterator<T>(chan_.get(), n);
  }

  /// try_reserve() moving this Sender into the OwnedPermit; on failure the Sender comes back in
  /// the error (Full / Closed).
  ///
  /// Example:
  /// ```cpp
  /// auto r = std::move(tx).try_reserve_owned();
  /// if (r) tx = std::move(*r).send(1); else tx = std::move(r.error()).into_inner();
  /// ```
  Result<OwnedPermit<T>, TrySendError<Sender>> try_reserve_owned() &&;

  /// Completes once the receiver is closed or dropped.
  ///
  /// Example:
  /// ```cpp
  /// auto s = co_await sluice::select(tx.closed(), work());
  /// ```
  ///
  /// Cancel safety: cancel safe (once closed, a channel stays closed).
  ::sluice::detail::mpsc::Closed<T, ::sluice::detail::mpsc::BoundedSemaphore> closed() {
    return ::sluice::detail::mpsc::Closed<T, ::sluice::detail::mpsc::BoundedSemaphore>(chan_.get());
  }

  /// True once the receiver is closed or dropped.
  ///
  /// Example:
  /// ```cpp
  /// if (tx.is_closed()) return;
  /// ```
  bool is_closed() const { return chan_->is_closed_for_senders(); }

  /// Free slots right now (max_capacity() minus queued messages and outstanding permits).
  ///
  /// Example:
  /// ```cpp
  /// assert(tx.capacity() <= tx.max_capacity());
  /// ```
  std::size_t capacity() const { return chan_->sem.available(); }

  /// The capacity given to channel().
  ///
  /// Example:
  /// ```cpp
  /// assert(sluice::mpsc::channel<int>(8).tx.max_capacity() == 8);
  /// ```
  std::size_t max_capacity() const { return chan_->sem.bound(); }

  /// True when both senders feed the same channel.
  ///
  /// Example:
  /// ```cpp
  /// auto tx2 = tx;
  /// assert(tx.same_channel(tx2));
  /// ```
  bool same_channel(const Sender& o) const noexcept { return chan_ == o.chan_; }

  /// A WeakSender: does not keep the channel open; upgrade() it to send.
  ///
  /// Example:
  /// ```cpp
  /// sluice::mpsc::WeakSender<int> weak = tx.downgrade();
  /// ```
  [[nodiscard]] WeakSender<T> downgrade() const;

  /// Strong senders of this channel (this one included).
  ///
  /// Example:
  /// ```cpp
  /// assert(tx.strong_count() == 1);
  /// ```
  std::size_t strong_count() const { return chan_->tx_count.load(::sluice::detail::mo::acquire); }

  /// Weak senders of this channel.
  ///
  /// Example:
  /// ```cpp
  /// auto w = tx.downgrade();
  /// assert(tx.weak_count() == 1);
  /// ```
  std::size_t weak_count() const {
    return chan_->tx_weak_count.load(::sluice::detail::mo::acquire);
  }

 private:
  template <class U>
  friend class WeakSender;
  template <class U>
  friend class OwnedPermit;
  friend class detail_impl::ReserveOwned<T>;
  friend struct detail_impl::Access;

  // Adopts one strong count already taken on `chan`.
  explicit Sender(std::shared_ptr<ChanT> chan) noexcept : chan_(std::move(chan)) {}

  std::optional<TrySendErrorKind> try_acquire(std::size_t n) {
    auto r = chan_->sem.inner().try_acquire(n);
    if (r) return std::nullopt;
    return r.error() == ::sluice::detail::TryAcquireError::Closed ? TrySendErrorKind::Closed
                                                                  : TrySendErrorKind::Full;
  }

  std::shared_ptr<ChanT> chan_;
};

/// A sender that does not keep the channel open. upgrade() gives a Sender while some strong
/// sender is alive, nullopt once they are all gone. Copyable.
///
/// Example:
/// ```cpp
/// auto weak = tx.downgrade();
/// if (auto strong = weak.upgrade()) (void)strong->try_send(1);
/// ```
template <class T>
class WeakSender {
 public:
  /// One more weak sender of the same channel.
  WeakSender(const WeakSender& o) noexcept : chan_(o.chan_) {
    chan_->tx_weak_count.fetch_add(1, ::sluice::detail::mo::relaxed);
  }
  /// Takes over `o`'s place; `o` must not be used afterwards (only destroyed or assigned to).
  WeakSender(WeakSender&&) noexcept = default;
  /// Copy and move assignment (`o` is taken by value): becomes a weak sender of `o`'s channel.
  WeakSender& operator=(WeakSender o) noexcept {
    chan_.swap(o.chan_);
    return *this;
  }
  /// One weak sender less (never closes the channel).
  ~WeakSender() {
    if (chan_) chan_->tx_weak_count.fetch_sub(1, ::sluice::detail::mo::relaxed);
  }

  /// A strong Sender, or nullopt when every strong sender is gone (the channel is closed).
  ///
  /// Example:
  /// ```cpp
  /// std::optional<sluice::mpsc::Sender<int>> tx = weak.upgrade();
  /// ```
  std::optional<Sender<T>> upgrade() const {
    if (!chan_->try_upgrade()) return std::nullopt;
    return Sender<T>(chan_);
  }
  /// Strong senders of the channel.
  ///
  /// Example:
  /// ```cpp
  /// assert(weak.strong_count() == 1);
  /// ```
  std::size_t strong_count() const { return chan_->tx_count.load(::sluice::detail::mo::acquire); }
  /// Weak senders of the channel (this one included).
  ///
  /// Example:
  /// ```cpp
  /// assert(weak.weak_count() == 1);
  /// ```
  std::size_t weak_count() const {
    return chan_->tx_weak_count.load(::sluice::detail::mo::acquire);
  }

 private:
  friend class Sender<T>;
  explicit WeakSender(std::shared_ptr<typename Sender<T>::ChanT> c) noexcept : chan_(std::move(c)) {
    chan_->tx_weak_count.fetch_add(1, ::sluice::detail::mo::relaxed);
  }
  std::shared_ptr<typename Sender<T>::ChanT> chan_;
};

template <class T>
WeakSender<T> Sender<T>::downgrade() const {
  return WeakSender<T>(chan_);
}

/// A reserved slot that owns its Sender (from reserve_owned / try_reserve_owned): no borrow.
/// `send(v)` and `release()` give the Sender back; destroying it unused frees the slot.
///
/// Example:
/// ```cpp
/// auto p = co_await std::move(tx).reserve_owned();
/// auto tx_back = std::move(*p).send(7);
/// ```
template <class T>
class [[nodiscard]] OwnedPermit {
 public:
  /// Takes over `o`'s slot and Sender; `o` is left used (its send() throws).
  OwnedPermit(OwnedPermit&& o) noexcept : tx_(std::move(o.tx_)) { o.tx_.reset(); }
  /// Frees the slot held now (if unused) and drops its Sender, then takes over `o`'s.
  OwnedPermit& operator=(OwnedPermit&& o) noexcept {
    if (this != &o) {
      give_back();
      tx_ = std::move(o.tx_);
      o.tx_.reset();
    }
    return *this;
  }
  OwnedPermit(const OwnedPermit&) = delete;
  OwnedPermit& operator=(const OwnedPermit&) = delete;
  /// Frees the slot if unused (then drops the Sender).
  ~OwnedPermit() { give_back(); }

  /// Sends `value` into the slot (never waits or fails) and returns the Sender.
  ///
  /// Errors: throws std::logic_error if already used.
  ///
  /// Example:
  /// ```cpp
  /// tx = std::move(permit).send(1);
  /// ```
  Sender<T> send(T value) && {
    Sender<T> tx = take();
    tx.chan_->push(std::move(value));
    return tx;
  }

  /// Frees the slot without sending and returns the Sender.
  ///
  /// Example:
  /// ```cpp
  /// tx = std::move(permit).release();
  /// ```
  Sender<T> release() && {
    Sender<T> tx = take();
    tx.chan_->release_permits(1);
    return tx;
  }

  /// True when both permits belong to the same channel.
  ///
  /// Example:
  /// ```cpp
  /// assert(p1.same_channel(p2));
  /// ```
  bool same_channel(const OwnedPermit& o) const noexcept {
    return tx_ && o.tx_ && tx_->same_channel(*o.tx_);
  }
  /// True when this permit belongs to the channel of `tx`.
  ///
  /// Example:
  /// ```cpp
  /// assert(permit.same_channel_as_sender(tx));
  /// ```
  bool same_channel_as_sender(const Sender<T>& tx) const noexcept {
    return tx_ && tx_->same_channel(tx);
  }

 private:
  friend class Sender<T>;
  friend class detail_impl::ReserveOwned<T>;
  explicit OwnedPermit(Sender<T> tx) noexcept : tx_(std::in_place, std::move(tx)) {}

  Sender<T> take() {
    if (!tx_) throw std::logic_error("sluice::mpsc::OwnedPermit: already used");
    Sender<T> tx = std::move(*tx_);
    tx_.reset();
    return tx;
  }
  void give_back() noexcept {
    if (tx_) {
      tx_->chan_->release_permits(1);
      tx_.reset();
    }
  }
  std::optional<Sender<T>> tx_;
};

/// @cond
namespace detail_impl {

/// Future of Sender::reserve_owned(): an OwnedPermit holding the Sender, or SendError<void>.
///
/// Cancel safety: nothing is lost but the queue place; the Sender is dropped with the future.
template <class T>
class [[nodiscard]] ReserveOwned {
 public:
  using Output = Result<OwnedPermit<T>, SendError<void>>;

  explicit ReserveOwned(Sender<T> tx)
      : tx_(std::in_place, std::move(tx)),
        acq_(std::in_place, tx_->chan_->sem.inner().acquire(1)) {}

  Poll<Output> poll(Context& cx) {
    if (!tx_) throw std::logic_error("sluice::mpsc::ReserveOwned polled after completion");
    auto r = acq_->poll(cx);
    if (r.is_pending()) return pending;
    Sender<T> tx = std::move(*tx_);
    tx_.reset();
    if (r.value().is_err()) return Output(Err(SendError<void>{}));
    return Output(OwnedPermit<T>(std::move(tx)));
  }

 private:
  std::optional<Sender<T>>
      tx_;  // declared first: destroyed after the Acquire (it may free the Chan)
  std::optional<::sluice::detail::BatchSemaphore::Acquire> acq_;
};

}  // namespace detail_impl
/// @endcond

template <class T>
detail_impl::ReserveOwned<T> Sender<T>::reserve_owned() && {
  return detail_impl::ReserveOwned<T>(std::move(*this));
}

template <class T>
Result<OwnedPermit<T>, TrySendError<Sender<T>>> Sender<T>::try_reserve_owned() && {
  if (auto e = try_acquire(1)) return Err(TrySendError<Sender<T>>{*e, std::move(*this)});
  return OwnedPermit<T>(std::move(*this));
}

}  // namespace sluice::mpsc
