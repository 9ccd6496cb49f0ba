// sluice::detail::WatchShared<T>: the state behind a watch channel.
//
// - value_ under a reader-writer lock (SpinRwLock: the sections are a few instructions, and a
//   pthread rwlock took a futex call whenever a send met a borrow): receivers borrow under the
//   shared lock, senders write under the exclusive lock.
// - state_ (detail::Atomic<std::uint64_t>): version << 1 | CLOSED. The version starts at 0 and
//   steps by 2 on every notifying write; it is changed only with the exclusive lock held, so a
//   reader holding the shared lock sees the version of the value it reads. CLOSED (bit 0) is set
//   once, when the last Sender goes.
// - rx_count_ / tx_count_: live receivers / senders (relaxed increments by a live handle, acq_rel
//   decrements; the drop to zero notifies).
// - Receivers that wait for a new version park in one of kShards waiter lists (picked by the
//   waiting future's address), each with its own mutex and an atomic count of its waiters, so a
//   send touches only shards that have waiters and many receivers do not queue on one lock.
//   Lost-wake-up rule: a waiter bumps its shard's count (seq_cst) under the shard lock before it
//   re-checks state_ (seq_cst); a notifier changes state_ (seq_cst) before it reads the counts
//   (seq_cst). Either the waiter sees the new state or the notifier sees the waiter.
// - Senders waiting in closed() park in tx_waiters_ (same rule with rx_count_).
//
// Example:
//   auto s = std::make_shared<detail::WatchShared<int>>(0);
//   s->notify_rx();   // after a write
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>

#include <sluice/detail/spin_rw_lock.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/detail/waiter_list.hpp>

namespace sluice::detail {

/// A waiter list with its own lock and a waiter count readable without it.
struct alignas(kCacheLine) NotifyShard {
  std::mutex mu;
  WaiterList list;
  Atomic<std::size_t> waiting{0};

  /// Queues `n` (or refreshes its waker) unless `ready()` holds after queueing; returns true
  /// (and leaves `n` unqueued) when ready() held.
  template <class Ready>
  bool wait(WaitNode& n, const Waker& w, Ready&& ready) {
    std::unique_lock lk(mu);
    if (!n.queued.load(mo::relaxed)) {
      list.push_back(n);
      waiting.fetch_add(1, mo::seq_cst);
    }
    if (!n.waker.will_wake(w)) n.waker = w;
    if (ready()) {
      cancel_locked(n);
      return true;
    }
    return false;
  }
  /// Removes `n` if it is still queued (the waiting future is dropped or done).
  void cancel(WaitNode& n) {
    if (!n.queued.load(mo::acquire)) return;
    std::lock_guard g(mu);
    cancel_locked(n);
  }
  /// Wakes every waiter queued now (no lock taken when nobody waits), outside the lock, in
  /// batches of 32.
  void notify_all() {
    if (waiting.load(mo::seq_cst) == 0) return;
    std::unique_lock lk(mu);
    std::size_t budget = list.size();  // waiters queued after this point wait for the next change
    while (budget > 0 && !list.empty()) {
      std::array<Waker, 32> batch;
      std::size_t k = 0;
      while (k < batch.size() && budget > 0 && !list.empty()) {
        batch[k++] = list.pop_front();
        waiting.fetch_sub(1, mo::seq_cst);
        --budget;
      }
      lk.unlock();
      for (std::size_t i = 0; i < k; ++i) std::move(batch[i]).wake();
      lk.lock();
    }
  }

 private:
  void cancel_locked(WaitNode& n) {
    if (n.queued.load(mo::relaxed)) {
      list.remove(n);
      waiting.fetch_sub(1, mo::seq_cst);
    }
  }
};

/// Shared state of one watch channel (see the file comment).
template <class T>
class WatchShared {
 public:
  static constexpr std::uint64_t kClosed = 1;
  static constexpr std::uint64_t kStep = 2;
  static constexpr std::size_t kShards = 8;

  template <class... A>
  explicit WatchShared(A&&... a) : value_(std::forward<A>(a)...) {}

  SpinRwLock lock_;
  T value_;
  Atomic<std::uint64_t> state_{0};
  Atomic<std::size_t> rx_count_{1};
  Atomic<std::size_t> tx_count_{1};
  std::array<NotifyShard, kShards> rx_shards_;
  NotifyShard tx_waiters_;

  /// The shard a waiting future parks in.
  NotifyShard& shard_for(const void* p) noexcept {
    return rx_shards_[(reinterpret_cast<std::uintptr_t>(p) >> 6) % kShards];
  }
  /// Wakes every receiver waiting for a new version (call after changing state_).
  void notify_rx() {
    for (auto& s : rx_shards_) s.notify_all();
  }
  /// Wakes every Sender::closed() waiter (call after rx_count_ fell to zero).
  void notify_tx() { tx_waiters_.notify_all(); }
};

}  // namespace sluice::detail
