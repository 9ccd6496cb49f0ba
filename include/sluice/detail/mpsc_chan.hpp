// sluice::detail::mpsc::Chan<T, S>: the state shared by every handle of one mpsc channel (Tokio's
// chan.rs idea, our code). The user handles (sync/mpsc/*.hpp) are thin wrappers around it.
//
// Pieces (docs/design/mpsc-internals.md):
//   list       BlockList<T>: the values. push from any sender thread, pop from the receiver.
//   rx_waker   AtomicWaker: the receiver's waker, woken after every push and when the last
//              sender goes (list closed) or an unused permit comes back to a closed channel.
//   sem        the capacity. BoundedSemaphore: a fair BatchSemaphore of `bound` permits; a
//              sender acquires one per value, the receiver releases one per value taken out.
//              UnboundedCapacity: nothing to count; the receiver's close is a bit in the
//              block list's tail index (BlockList::close_rx), so a send learns about it from
//              the claim it makes anyway. is_closed_for_senders() / rx_closed_and_idle() ask
//              whichever of the two holds the answer.
//   closed_waiters  wakers of Sender::closed() futures, woken once when the receiver closes.
//
// Counts (Atomic<size_t>):
//   tx_count       strong senders (Sender, OwnedPermit's sender). The one that takes it from 1
//                  to 0 closes the list (after its pushes, so close() comes after every push)
//                  and wakes the receiver. Never goes up from 0 again (WeakSender::upgrade CAS).
//   tx_weak_count  WeakSenders. Informational only (strong/weak counts of the API).
// Receiver-only plain field: rx_closed (close() or drop was called).
//
// Unbounded close: a send whose claim came before the receiver's close is read (or destroyed by
// the receiver's drain or ~BlockList); one whose claim came after gets its value back.
//
// Memory: the Chan lives in a shared_ptr held by every handle; futures that borrow a handle
// (send, reserve, recv ...) hold a raw Chan* and must not outlive that handle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/atomic_waker.hpp>
#include <sluice/detail/batch_semaphore.hpp>
#include <sluice/detail/block_list.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>
#include <sluice/sync/mpsc/error.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail::mpsc {

/// Capacity of a bounded channel: a fair semaphore with `bound` permits.
class BoundedSemaphore {
 public:
  explicit BoundedSemaphore(std::size_t bound) : sem_(bound), bound_(bound) {}
  /// Gives back `n` slots (the receiver took values out, or permits were dropped unused). The
  /// receiver's poll passes its Context's list: the senders served wake when its poll ends.
  void add_permits(std::size_t n, DeferredWakes* deferred = nullptr) { sem_.release(n, deferred); }
  void close() { sem_.close(); }
  bool is_closed() const { return sem_.is_closed(); }
  /// No value queued and no permit outstanding.
  bool is_idle() const { return sem_.available_permits() == bound_; }
  std::size_t available() const { return sem_.available_permits(); }
  std::size_t bound() const noexcept { return bound_; }
  BatchSemaphore& inner() noexcept { return sem_; }

 private:
  BatchSemaphore sem_;
  std::size_t bound_;
};

/// "Capacity" of an unbounded channel: none. A receiver's take gives nothing back, and the
/// receiver's close lives in the block list's tail index (BlockList::close_rx): an unbounded send
/// is the list's claim and ready bit and nothing else (it used to add to a message counter
/// first, one more locked instruction on one more shared line; mpsc-internals.md).
///
/// Example (what Chan does with it):
///   chan.sem.add_permits(1);   // nothing to do
class UnboundedCapacity {
 public:
  /// The receiver took `n` values out: unbounded, so nothing to give back.
  void add_permits(std::size_t, DeferredWakes* = nullptr) noexcept {}
};

/// Wakers of the Sender::closed() futures; woken once, when the receiver closes.
class ClosedWaiters {
 public:
  /// Registers (or refreshes) the waker of waiter `id` (0: not registered yet, set here).
  /// False when the channel is already closed: the waiter is done.
  bool wait(std::uint64_t& id, const Waker& w) {
    std::lock_guard<std::mutex> g(mu_);
    if (done_) return false;
    for (auto& [wid, wk] : waiters_) {
      if (wid == id) {
        if (!wk.will_wake(w)) wk = w;
        return true;
      }
    }
    id = next_id_++;
    waiters_.emplace_back(id, w);
    return true;
  }
  /// Forgets waiter `id` (its future was cancelled).
  void remove(std::uint64_t id) {
    Waker dropped;
    std::lock_guard<std::mutex> g(mu_);
    for (std::size_t i = 0; i < waiters_.size(); ++i) {
      if (waiters_[i].first == id) {
        dropped = std::move(waiters_[i].second);
        waiters_[i] = std::move(waiters_.back());
        waiters_.pop_back();
        return;
      }
    }
  }
  /// Marks closed and wakes every waiter (outside the lock).
  void notify_all() {
    std::vector<std::pair<std::uint64_t, Waker>> taken;
    {
      std::lock_guard<std::mutex> g(mu_);
      done_ = true;
      taken.swap(waiters_);
    }
    for (auto& [id, w] : taken) std::move(w).wake();
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::uint64_t, Waker>> waiters_;
  std::uint64_t next_id_ = 1;
  bool done_ = false;
};

/// The shared state of one channel (see the top of this file).
template <class T, class S>
class Chan {
 public:
  template <class... A>
  explicit Chan(A&&... a) : sem(std::forward<A>(a)...) {}
  Chan(const Chan&) = delete;
  Chan& operator=(const Chan&) = delete;

  // ---- sender side: any thread ----

  /// Pushes a value whose capacity was obtained (a bounded channel's permit) and wakes the
  /// receiver.
  void push(T&& v) {
    list.push(std::move(v));  // ends with the ready-bit fetch_or
    rx_waker.wake_after_rmw();
  }

  /// push() for the semaphore's hand-off hook (batch_semaphore.hpp, "Hand-off"): runs under the
  /// semaphore's lock, so the receiver's waker goes onto `wakers`, woken after the unlock.
  void push_handed_off(T&& v, semaphore_impl::WakeList& wakers) noexcept {
    list.push(std::move(v));  // ends with the ready-bit fetch_or
    if (Waker w = rx_waker.take_after_rmw(); !w.is_empty()) wakers.push(std::move(w));
  }

  /// A strong sender goes; the last one closes the list and wakes the receiver.
  void tx_drop() {
    if (tx_count.fetch_sub(1, mo::acq_rel) == 1) {
      list.close();
      rx_waker.wake();
    }
  }

  /// Gives back `n` unused permits (bounded channels); wakes the receiver if it waits for a
  /// closed channel to idle.
  void release_permits(std::size_t n) {
    sem.add_permits(n);
    if (sem.is_closed() && sem.is_idle()) rx_waker.wake();
  }

  /// Unbounded send: false (value not moved from) once the receiver closed.
  bool try_push(T& v) {
    if (!list.try_push(std::move(v))) return false;  // its last RMW is the ready-bit fetch_or
    rx_waker.wake_after_rmw();
    return true;
  }

  /// Any thread: the receiver closed or dropped, so no new value gets in.
  bool is_closed_for_senders() const {
    if constexpr (kUnbounded) {
      return list.is_rx_closed();
    } else {
      return sem.is_closed();
    }
  }

  /// One more strong sender unless every strong sender is gone (WeakSender::upgrade).
  bool try_upgrade() {
    std::size_t n = tx_count.load(mo::relaxed);
    while (n != 0) {
      if (tx_count.compare_exchange_weak(n, n + 1, mo::acq_rel)) return true;
    }
    return false;
  }

  // ---- receiver side: one thread ----

  /// Receiver close(): no new sends; queued values and outstanding permits still arrive.
  void close_rx() {
    if (rx_closed) return;
    rx_closed = true;
    if constexpr (kUnbounded) {
      list.close_rx();
    } else {
      sem.close();
    }
    closed_waiters.notify_all();
  }

  /// Receiver destroyed: close, destroy every readable value now, drop the waker.
  void rx_drop() {
    close_rx();
    for (;;) {
      auto r = list.pop();
      if (!r.has_value()) break;
      sem.add_permits(1);
    }
    rx_waker.clear();  // the receiving task's reference goes with the receiver
  }

  /// recv(): a value, nullopt when closed and drained, or pending (waker registered).
  /// The common case (budget left, a value queued) is inlined into the awaiting coroutine, so
  /// the value reaches it in registers; everything else is poll_recv_slow().
  [[gnu::always_inline]] Poll<std::optional<T>> poll_recv(Context& cx) {
    if (cx.budget().try_spend()) [[likely]] {
      auto r = list.pop();
      if (r.has_value()) [[likely]] {
        std::optional<T> out(std::in_place, std::move(r).value());
        sem.add_permits(1, ContextInternals::deferred(cx));
        return Poll<std::optional<T>>(std::move(out));
      }
      cx.budget().refund();
    }
    return poll_recv_slow(cx);
  }

  /// poll_recv() when the fast path did not complete: budget exhausted, empty, closed or a
  /// write still in flight (it pops again: the state may have changed since).
  [[gnu::noinline]] Poll<std::optional<T>> poll_recv_slow(Context& cx) {
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    DeferredWakes* deferred = ContextInternals::deferred(cx);
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto r = list.pop();
      if (r.has_value()) {
        std::optional<T> out(std::in_place, std::move(r).value());
        sem.add_permits(1, deferred);
        coop->made_progress();
        return Poll<std::optional<T>>(std::move(out));
      }
      if (r.status() == PopStatus::Closed) {
        coop->made_progress();
        return Poll<std::optional<T>>(std::nullopt);
      }
      // Empty or Inconsistent (the sender wakes us once its write lands): register, look again.
      if (attempt == 0) register_waiting(cx, deferred);
    }
    if (rx_closed_and_idle()) {
      coop->made_progress();
      return Poll<std::optional<T>>(std::nullopt);
    }
    return pending;
  }

  /// recv_many(): appends up to `limit` values to `buf`; 0 only when closed and drained (or
  /// limit == 0).
  Poll<std::size_t> poll_recv_many(Context& cx, std::vector<T>& buf, std::size_t limit) {
    if (limit == 0) return std::size_t{0};
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    DeferredWakes* deferred = ContextInternals::deferred(cx);
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::size_t n = 0;
      bool closed = false;
      {
        PermitReturn give_back{this, 0, deferred};
        while (n < limit) {
          auto r = list.pop();
          if (!r.has_value()) {
            closed = r.status() == PopStatus::Closed;
            break;
          }
          give_back.n += 1;  // the value is out of the list: its permit returns in any case
          buf.push_back(std::move(r).value());
          ++n;
        }
      }
      if (n > 0 || closed) {
        coop->made_progress();
        return n;
      }
      if (attempt == 0) register_waiting(cx, deferred);
    }
    if (rx_closed_and_idle()) {
      coop->made_progress();
      return std::size_t{0};
    }
    return pending;
  }

  /// try_recv(): never a spurious Empty: waits out a sender that is mid-write.
  Result<T, ::sluice::mpsc::TryRecvError> try_recv() {
    using ::sluice::mpsc::TryRecvError;
    for (;;) {
      auto r = list.pop();
      switch (r.status()) {
        case PopStatus::Value: {
          Result<T, TryRecvError> out(std::move(r).value());
          sem.add_permits(1);
          return out;
        }
        case PopStatus::Closed:
          return Err(TryRecvError::Disconnected);
        case PopStatus::Empty:
          if (rx_closed_and_idle()) return Err(TryRecvError::Disconnected);
          return Err(TryRecvError::Empty);
        case PopStatus::Inconsistent:
          std::this_thread::yield();  // a sender claimed the slot and is writing it
          break;
      }
    }
  }

  static constexpr bool kUnbounded = std::is_same_v<S, UnboundedCapacity>;

  BlockList<T> list;
  alignas(kCacheLine) AtomicWaker rx_waker;
  S sem;
  alignas(kCacheLine) Atomic<std::size_t> tx_count{1};
  Atomic<std::size_t> tx_weak_count{0};
  ClosedWaiters closed_waiters;
  bool rx_closed = false;  // receiver only

 private:
  // Receiver: closed, and no value queued or reserved will arrive any more. (Unbounded: pop()
  // already says Closed then; this is the same fact for the paths that asked for Empty.)
  bool rx_closed_and_idle() {
    if constexpr (kUnbounded) {
      return rx_closed && list.is_empty();
    } else {
      return rx_closed && sem.is_idle();
    }
  }

  struct PermitReturn {
    Chan* chan;
    std::size_t n;
    DeferredWakes* deferred;
    ~PermitReturn() {
      if (n > 0) chan->sem.add_permits(n, deferred);
    }
  };

  /// The channel is empty: the senders this poll served wake now (they are what the receiver
  /// waits for; see deferred_wakes.hpp), then the receiver's waker is registered.
  void register_waiting(Context& cx, DeferredWakes* deferred) {
    if (deferred != nullptr) deferred->flush();
    rx_waker.register_by_ref(cx.waker());
  }
};

/// The Chan of a bounded channel.
template <class T>
using BoundedChan = Chan<T, BoundedSemaphore>;
/// The Chan of an unbounded channel.
template <class T>
using UnboundedChan = Chan<T, UnboundedCapacity>;

/// Future of Receiver::recv(): see there.
template <class T, class S>
class [[nodiscard]] Recv {
 public:
  using Output = std::optional<T>;
  explicit Recv(Chan<T, S>* c) noexcept : chan_(c) {}
  [[gnu::always_inline]] Poll<Output> poll(Context& cx) { return chan_->poll_recv(cx); }

 private:
  Chan<T, S>* chan_;
};

/// Future of Receiver::recv_many(): see there.
template <class T, class S>
class [[nodiscard]] RecvMany {
 public:
  using Output = std::size_t;
  RecvMany(Chan<T, S>* c, std::vector<T>* buf, std::size_t limit) noexcept
      : chan_(c), buf_(buf), limit_(limit) {}
  Poll<Output> poll(Context& cx) { return chan_->poll_recv_many(cx, *buf_, limit_); }

 private:
  Chan<T, S>* chan_;
  std::vector<T>* buf_;
  std::size_t limit_;
};

/// Future of Sender::closed(): see there.
template <class T, class S>
class [[nodiscard]] Closed {
 public:
  using Output = void;
  explicit Closed(Chan<T, S>* c) noexcept : chan_(c) {}
  Closed(Closed&& o) noexcept : chan_(o.chan_), id_(std::exchange(o.id_, 0)) {}
  Closed(const Closed&) = delete;
  Closed& operator=(const Closed&) = delete;
  Closed& operator=(Closed&&) = delete;
  ~Closed() {
    if (id_ != 0) chan_->closed_waiters.remove(id_);
  }
  Poll<void> poll(Context& cx) {
    if (chan_->is_closed_for_senders() || !chan_->closed_waiters.wait(id_, cx.waker())) {
      if (id_ != 0) chan_->closed_waiters.remove(std::exchange(id_, 0));
      return Poll<void>::ready();
    }
    return pending;
  }

 private:
  Chan<T, S>* chan_;
  std::uint64_t id_ = 0;
};

}  // namespace sluice::detail::mpsc
