/// @file
/// sluice::detail::mpsc::RxBase<T, S>: the receiving half shared by mpsc::Receiver and
/// mpsc::UnboundedReceiver (they add only what differs: capacity queries for the bounded one).
/// Move-only; owns one reference to the Chan (mpsc_chan.hpp). Destroying it closes the channel
/// and destroys every unread value right then.
///
/// Users never name RxBase, but they call every public member of it through a Receiver, so
/// the API reference documents it (docs/Doxyfile reads this one detail header).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <sluice/block_on.hpp>
#include <sluice/context.hpp>
#include <sluice/detail/mpsc_chan.hpp>
#include <sluice/detail/runtime_context.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>
#include <sluice/sync/mpsc/error.hpp>

/// @namespace sluice::detail
/// @brief Implementation details. The reference shows only what users call through public
/// types: the receiving API of the mpsc channels (mpsc::RxBase).

/// @namespace sluice::detail::mpsc
/// @brief The mpsc channels' shared state and futures; only RxBase, the base class of
/// mpsc::Receiver and mpsc::UnboundedReceiver, is part of the reference.
namespace sluice::detail::mpsc {

/// The receiving half of an mpsc channel (bounded or unbounded): the members of
/// mpsc::Receiver and mpsc::UnboundedReceiver that both share. S is the channel's semaphore
/// (bounded or unbounded).
template <class T, class S>
class RxBase {
 public:
  /// The shared channel state (an implementation detail).
  using ChanT = Chan<T, S>;

  /// Adopts the receiver's reference to `c` (channel() and unbounded_channel() make it).
  explicit RxBase(std::shared_ptr<ChanT> c) noexcept : chan_(std::move(c)) {}
  RxBase(const RxBase&) = delete;
  RxBase& operator=(const RxBase&) = delete;
  /// Takes over `o`'s channel; `o` must not be used afterwards.
  RxBase(RxBase&&) noexcept = default;
  /// Drops the current receiver (closing its channel, as the destructor does), then takes
  /// over `o`'s.
  RxBase& operator=(RxBase&& o) noexcept {
    if (this != &o) {
      reset();
      chan_ = std::move(o.chan_);
    }
    return *this;
  }
  /// Closes the channel and destroys every unread message now; later sends fail.
  ~RxBase() { reset(); }

  /// Receives the next message; nullopt once every sender is gone (or the receiver closed and
  /// every permit came back) and the buffer is drained. The receiver must outlive the future.
  ///
  /// Example:
  /// ```cpp
  /// while (std::optional<int> v = co_await rx.recv()) std::cout << *v << "\n";
  /// ```
  ///
  /// Cancel safety: cancel safe. A cancelled recv() (e.g. the losing branch of a select) has
  /// received nothing; the message stays in the channel.
  Recv<T, S> recv() noexcept { return Recv<T, S>(chan_.get()); }

  /// Receives up to `limit` messages at once, appending them to `buf`; completes with how many
  /// were added (at least one), or 0 when the channel is closed and drained, or `limit` is 0.
  ///
  /// Example:
  /// ```cpp
  /// std::vector<int> buf;
  /// while (std::size_t n = co_await rx.recv_many(buf, 64)) { process(buf); buf.clear(); }
  /// ```
  ///
  /// Cancel safety: cancel safe: nothing is added to `buf` unless it completes.
  RecvMany<T, S> recv_many(std::vector<T>& buf, std::size_t limit) noexcept {
    return RecvMany<T, S>(chan_.get(), &buf, limit);
  }

  /// Takes a message if one is there. Errors: Empty (senders remain, or the receiver closed
  /// while permits are outstanding), Disconnected (closed and drained). Never a spurious Empty:
  /// if a sender is writing the next message right now, waits for it.
  ///
  /// Example:
  /// ```cpp
  /// auto r = rx.try_recv();
  /// if (r) use(*r); else if (r.error() == sluice::mpsc::TryRecvError::Disconnected) done();
  /// ```
  Result<T, ::sluice::mpsc::TryRecvError> try_recv() { return chan_->try_recv(); }

  /// recv() for plain threads: blocks until a message or the end.
  ///
  /// Errors: throws std::logic_error on a runtime thread (use `co_await rx.recv()` there).
  ///
  /// Example:
  /// ```cpp
  /// std::thread t([&rx] { while (auto v = rx.blocking_recv()) use(*v); });
  /// ```
  std::optional<T> blocking_recv() {
    assert_can_block("mpsc blocking_recv");
    return ::sluice::block_on(recv());
  }

  /// recv_many() for plain threads.
  ///
  /// Errors: throws std::logic_error on a runtime thread.
  ///
  /// Example:
  /// ```cpp
  /// std::vector<int> buf;
  /// std::size_t n = rx.blocking_recv_many(buf, 16);
  /// ```
  std::size_t blocking_recv_many(std::vector<T>& buf, std::size_t limit) {
    assert_can_block("mpsc blocking_recv_many");
    return ::sluice::block_on(recv_many(buf, limit));
  }

  /// Closes the channel for sending: later sends and reserves fail, Sender::closed() completes;
  /// messages already queued and outstanding permits can still be received. Clean shutdown is
  /// close() then draining with recv() until nullopt.
  ///
  /// Example:
  /// ```cpp
  /// rx.close();
  /// while (auto v = co_await rx.recv()) finish(*v);
  /// ```
  void close() { chan_->close_rx(); }

  /// True once the receiver closed or every strong sender is gone.
  ///
  /// Example:
  /// ```cpp
  /// if (rx.is_closed() && rx.is_empty()) return;
  /// ```
  bool is_closed() const {
    return chan_->is_closed_for_senders() || chan_->tx_count.load(mo::acquire) == 0;
  }

  /// True when no message is waiting (one being written counts as waiting).
  ///
  /// Example:
  /// ```cpp
  /// if (rx.is_empty()) flush();
  /// ```
  bool is_empty() const { return chan_->list.is_empty(); }

  /// Messages queued (including ones being written).
  ///
  /// Example:
  /// ```cpp
  /// std::cout << rx.len() << " messages queued\n";
  /// ```
  std::size_t len() const { return chan_->list.len(); }

  /// Strong senders alive (OwnedPermits included: each holds a Sender).
  ///
  /// Example:
  /// ```cpp
  /// assert(rx.sender_strong_count() == 1);
  /// ```
  std::size_t sender_strong_count() const { return chan_->tx_count.load(mo::acquire); }

  /// Weak senders alive.
  ///
  /// Example:
  /// ```cpp
  /// auto weak = tx.downgrade();
  /// assert(rx.sender_weak_count() == 1);
  /// ```
  std::size_t sender_weak_count() const { return chan_->tx_weak_count.load(mo::acquire); }

  /// Polls for the next message, for people writing their own futures: as recv(), keeping only
  /// the waker of the last call. May return pending spuriously (a wake then follows).
  ///
  /// Example:
  /// ```cpp
  /// sluice::Poll<std::optional<int>> p = rx.poll_recv(cx);
  /// ```
  Poll<std::optional<T>> poll_recv(Context& cx) { return chan_->poll_recv(cx); }

  /// Polls recv_many() (see poll_recv()).
  ///
  /// Example:
  /// ```cpp
  /// sluice::Poll<std::size_t> p = rx.poll_recv_many(cx, buf, 8);
  /// ```
  Poll<std::size_t> poll_recv_many(Context& cx, std::vector<T>& buf, std::size_t limit) {
    return chan_->poll_recv_many(cx, buf, limit);
  }

  /// Blocks currently held by the channel's block list (memory-policy tests and diagnostics).
  std::size_t allocated_blocks_for_testing() const { return chan_->list.allocated_blocks(); }

 protected:
  /// The channel, for the derived receivers' capacity queries.
  ChanT& chan() const noexcept { return *chan_; }

 private:
  void reset() {
    if (chan_) {
      chan_->rx_drop();
      chan_.reset();
    }
  }
  std::shared_ptr<ChanT> chan_;
};

}  // namespace sluice::detail::mpsc
