/// @file
/// sluice::mpsc::unbounded_channel<T>(): a multi-producer, single-consumer channel without a
/// capacity limit. Sending never waits (a plain call, from any thread, in or out of a runtime);
/// memory grows with the backlog and shrinks back once it is drained.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::unbounded_channel<int>();
/// std::thread t([tx] { (void)tx.send(1); });      // a plain thread
/// auto v = co_await rx.recv();                     // 1
/// ```
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

#include <sluice/detail/mpsc_chan.hpp>
#include <sluice/detail/mpsc_rx.hpp>
#include <sluice/result.hpp>
#include <sluice/sync/mpsc/channel.hpp>
#include <sluice/sync/mpsc/error.hpp>

namespace sluice::mpsc {

template <class T>
class WeakUnboundedSender;

/// The sending half of an unbounded channel. Copy = clone; the channel closes for the receiver
/// when the last UnboundedSender goes.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::unbounded_channel<std::string>();
/// if (auto r = tx.send("hello"); r.is_err()) std::puts("receiver gone");
/// ```
template <class T>
class UnboundedSender {
 public:
  /// The shared channel state (an implementation detail).
  using ChanT = ::sluice::detail::mpsc::UnboundedChan<T>;

  /// One more sender of the same channel (Tokio's clone).
  UnboundedSender(const UnboundedSender& o) noexcept : chan_(o.chan_) {
    chan_->tx_count.fetch_add(1, ::sluice::detail::mo::relaxed);
  }
  /// Takes over `o`'s place as a sender; `o` must not be used afterwards (only destroyed or
  /// assigned to).
  UnboundedSender(UnboundedSender&&) noexcept = default;
  /// Copy and move assignment (`o` is taken by value): becomes a sender of `o`'s channel; the
  /// sender this was is dropped (as by the destructor).
  UnboundedSender& operator=(UnboundedSender o) noexcept {
    chan_.swap(o.chan_);
    return *this;
  }
  /// One sender less; the last one closes the channel for the receiver.
  ~UnboundedSender() {
    if (chan_) chan_->tx_drop();
  }

  /// Sends `value` now, never waiting. Errors: SendError holding `value` once the receiver is
  /// closed or gone.
  ///
  /// Example:
  /// ```cpp
  /// (void)tx.send(42);
  /// ```
  Result<void, SendError<T>> send(T value) {
    if (!chan_->try_push(value)) return Err(SendError<T>{std::move(value)});
    return {};
  }

  /// Completes once the receiver is closed or dropped.
  ///
  /// Example:
  /// ```cpp
  /// co_await tx.closed();
  /// ```
  ///
  /// Cancel safety: cancel safe.
  ::sluice::detail::mpsc::Closed<T, ::sluice::detail::mpsc::UnboundedCapacity> closed() {
    return ::sluice::detail::mpsc::Closed<T, ::sluice::detail::mpsc::UnboundedCapacity>(
        chan_.get());
  }

  /// True once the receiver is closed or dropped.
  ///
  /// Example:
  /// ```cpp
  /// if (tx.is_closed()) return;
  /// ```
  bool is_closed() const { return chan_->is_closed_for_senders(); }
  /// True when both senders feed the same channel.
  ///
  /// Example:
  /// ```cpp
  /// auto tx2 = tx;
  /// assert(tx.same_channel(tx2));
  /// ```
  bool same_channel(const UnboundedSender& o) const noexcept { return chan_ == o.chan_; }
  /// A weak sender that does not keep the channel open.
  ///
  /// Example:
  /// ```cpp
  /// auto weak = tx.downgrade();
  /// ```
  [[nodiscard]] WeakUnboundedSender<T> downgrade() const;
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
  /// auto weak = tx.downgrade();
  /// assert(tx.weak_count() == 1);
  /// ```
  std::size_t weak_count() const {
    return chan_->tx_weak_count.load(::sluice::detail::mo::acquire);
  }

 private:
  friend class WeakUnboundedSender<T>;
  friend struct detail_impl::Access;
  explicit UnboundedSender(std::shared_ptr<ChanT> c) noexcept : chan_(std::move(c)) {}
  std::shared_ptr<ChanT> chan_;
};

/// Weak sender of an unbounded channel: upgrade() while some strong sender lives.
///
/// Example:
/// ```cpp
/// auto weak = tx.downgrade();
/// if (auto strong = weak.upgrade()) (void)strong->send(1);
/// ```
template <class T>
class WeakUnboundedSender {
 public:
  /// One more weak sender of the same channel.
  WeakUnboundedSender(const WeakUnboundedSender& o) noexcept : chan_(o.chan_) {
    chan_->tx_weak_count.fetch_add(1, ::sluice::detail::mo::relaxed);
  }
  /// Takes over `o`'s place; `o` must not be used afterwards (only destroyed or assigned to).
  WeakUnboundedSender(WeakUnboundedSender&&) noexcept = default;
  /// Copy and move assignment (`o` is taken by value): becomes a weak sender of `o`'s channel.
  WeakUnboundedSender& operator=(WeakUnboundedSender o) noexcept {
    chan_.swap(o.chan_);
    return *this;
  }
  /// One weak sender less (never closes the channel).
  ~WeakUnboundedSender() {
    if (chan_) chan_->tx_weak_count.fetch_sub(1, ::sluice::detail::mo::relaxed);
  }
  /// A strong sender, or nullopt once every strong sender is gone.
  ///
  /// Example:
  /// ```cpp
  /// if (auto tx = weak.upgrade()) (void)tx->send(1);
  /// ```
  std::optional<UnboundedSender<T>> upgrade() const {
    if (!chan_->try_upgrade()) return std::nullopt;
    return UnboundedSender<T>(chan_);
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
  friend class UnboundedSender<T>;
  explicit WeakUnboundedSender(std::shared_ptr<typename UnboundedSender<T>::ChanT> c) noexcept
      : chan_(std::move(c)) {
    chan_->tx_weak_count.fetch_add(1, ::sluice::detail::mo::relaxed);
  }
  std::shared_ptr<typename UnboundedSender<T>::ChanT> chan_;
};

template <class T>
WeakUnboundedSender<T> UnboundedSender<T>::downgrade() const {
  return WeakUnboundedSender<T>(chan_);
}

/// The receiving half of an unbounded channel: the methods of mpsc::Receiver without the
/// capacity queries. Destroying it closes the channel and destroys every unread message.
///
/// Example:
/// ```cpp
/// while (auto v = co_await rx.recv()) use(*v);
/// ```
///
/// Cancel safety: recv() and recv_many() are cancel safe.
template <class T>
class UnboundedReceiver
    : public ::sluice::detail::mpsc::RxBase<T, ::sluice::detail::mpsc::UnboundedCapacity> {
  using Base = ::sluice::detail::mpsc::RxBase<T, ::sluice::detail::mpsc::UnboundedCapacity>;

 public:
  /// Takes over `o`'s channel; `o` must not be used afterwards.
  UnboundedReceiver(UnboundedReceiver&&) noexcept = default;
  /// Drops the current receiver (closing its channel), then takes over the other's.
  UnboundedReceiver& operator=(UnboundedReceiver&&) noexcept = default;

 private:
  friend struct detail_impl::Access;
  explicit UnboundedReceiver(std::shared_ptr<typename Base::ChanT> c) noexcept
      : Base(std::move(c)) {}
};

/// The two halves of an unbounded channel (use with structured bindings).
///
/// Example:
/// ```cpp
/// sluice::mpsc::UnboundedChannel<int> ch = sluice::mpsc::unbounded_channel<int>();
/// ```
template <class T>
struct UnboundedChannel {
  UnboundedSender<T> tx;    ///< The first sender.
  UnboundedReceiver<T> rx;  ///< The receiver.
};

/// Creates an unbounded channel.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::unbounded_channel<int>();
/// ```
template <class T>
UnboundedChannel<T> unbounded_channel() {
  return detail_impl::Access::unbounded<UnboundedChannel<T>, UnboundedSender<T>,
                                        UnboundedReceiver<T>,
                                        ::sluice::detail::mpsc::UnboundedChan<T>>();
}

}  // namespace sluice::mpsc
