// sluice::detail::WaiterList: an intrusive FIFO list of waiting futures, guarded by a lock the
// caller owns (broadcast's tail mutex, a watch notify shard's mutex). No allocation: each waiting
// future embeds a WaitNode.
//
// WaitNode::queued is written only with the guarding lock held (true by push_back, false by
// pop_front/remove). The owner of a node may read it without the lock as a hint: false means no
// list holds the node and no waker thread will touch it again (pop_front stores false after
// moving the waker out, with release), so the node may be destroyed; true means "lock, then
// check again and remove".
//
// Example:
//   std::unique_lock lk(mu);
//   if (!node.queued.load(mo::relaxed)) list.push_back(node);
//   node.waker = cx.waker();
//   ...
//   // notifier:
//   std::unique_lock lk(mu);
//   list.wake_all(lk);      // wakes outside the lock, in batches
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <sluice/detail/sync.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

/// One waiting future's place in a WaiterList (embedded in the future).
struct WaitNode {
  WaitNode() = default;
  WaitNode(const WaitNode&) = delete;
  WaitNode& operator=(const WaitNode&) = delete;

  Waker waker;                 // under the list's lock while queued
  WaitNode* prev = nullptr;    // under the list's lock
  WaitNode* next = nullptr;    // under the list's lock
  Atomic<bool> queued{false};  // see the file comment
};

/// Intrusive doubly-linked FIFO of WaitNodes; every member function needs the guarding lock.
///
/// Example:
///   detail::WaiterList waiters;   // guarded by `mu`
///   { std::lock_guard g(mu); waiters.push_back(node); }
class WaiterList {
 public:
  WaiterList() = default;
  WaiterList(const WaiterList&) = delete;
  WaiterList& operator=(const WaiterList&) = delete;

  /// True when nobody waits.
  bool empty() const noexcept { return head_ == nullptr; }
  /// Number of queued nodes.
  std::size_t size() const noexcept { return size_; }

  /// Appends `n` (which must not be queued).
  void push_back(WaitNode& n) noexcept {
    n.prev = tail_;
    n.next = nullptr;
    if (tail_) {
      tail_->next = &n;
    } else {
      head_ = &n;
    }
    tail_ = &n;
    ++size_;
    n.queued.store(true, mo::relaxed);
  }

  /// Unlinks `n` if it is queued; its waker stays in it (the owner drops it).
  void remove(WaitNode& n) noexcept {
    if (!n.queued.load(mo::relaxed)) return;
    unlink(n);
    n.queued.store(false, mo::relaxed);
  }

  /// Unlinks the first node and returns its waker; the node is not touched afterwards.
  Waker pop_front() noexcept {
    WaitNode* n = head_;
    unlink(*n);
    Waker w = std::move(n->waker);
    n->queued.store(false, mo::release);
    return w;
  }

  /// Wakes every node queued when called. `lk` must hold the guarding lock; it is released
  /// while each batch of up to 32 wakers is woken and re-acquired, so it is held on return.
  template <class Lock>
  void wake_all(Lock& lk) {
    std::size_t budget = size_;  // nodes queued after we started are not our business
    while (budget > 0 && !empty()) {
      std::array<Waker, 32> batch;
      std::size_t k = 0;
      while (k < batch.size() && budget > 0 && !empty()) {
        batch[k++] = pop_front();
        --budget;
      }
      lk.unlock();
      for (std::size_t i = 0; i < k; ++i) std::move(batch[i]).wake();
      lk.lock();
    }
  }

 private:
  void unlink(WaitNode& n) noexcept {
    if (n.prev) {
      n.prev->next = n.next;
    } else {
      head_ = n.next;
    }
    if (n.next) {
      n.next->prev = n.prev;
    } else {
      tail_ = n.prev;
    }
    n.prev = n.next = nullptr;
    --size_;
  }

  WaitNode* head_ = nullptr;
  WaitNode* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sluice::detail
