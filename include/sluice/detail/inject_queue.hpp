// InjectQueue: the scheduler's global run queue (Tokio's `runtime/task/inject.rs`).
//
// An intrusive FIFO list of nodes linked through their public `N* queue_next` member, guarded by
// one mutex. Any thread pushes (wakes from outside a worker, local-queue overflow); any worker
// pops, one node at a time or a batch to refill its local queue.
//
// Fields:
//   head_, tail_, closed_   plain; read and written only with mutex_ held.
//   len_     Atomic<size_t>: a mirror of the node count. Written (Release) only with mutex_ held,
//            after the list was changed; read (Acquire) by anyone without the lock, so
//            `is_empty()` is a cheap hint that lets idle workers skip the lock.
//   closed_flag_  Atomic<bool>: a mirror of closed_, written once (Release) under the lock by
//            close(); read lock-free by is_closed().
//
// Closing: after close(), push() refuses new nodes (returns false; the caller still owns the node
// and drops its reference). push_batch() still accepts nodes, as Tokio's does: it is only called
// by a worker whose local queue overflows while it runs, and the scheduler drains the inject
// queue with pop() after every worker has stopped. pop() keeps working after close().
//
// Under -DSLUICE_MODEL=1 the mutex is Relacy's rl::mutex, so a model may include this queue.
#pragma once

#include <cstddef>
#include <mutex>

#include <sluice/detail/spin_lock.hpp>

#include "sluice/detail/sync.hpp"

namespace sluice::detail {

#if defined(SLUICE_MODEL)
/// The inject queue's mutex under the model build: Relacy's, with its debug info.
class InjectMutex {
 public:
  void lock() { m_.lock(RL_INFO); }
  void unlock() { m_.unlock(RL_INFO); }

 private:
  rl::mutex m_;
};
#else
/// The inject queue's mutex (plain build): a SpinLock, as the critical sections are a few
/// pointer moves and a spawner thread meets the workers' pops on every spawn from outside.
using InjectMutex = SpinLock;
#endif

/// Multi-producer multi-consumer FIFO of intrusive nodes (`N` has a public `N* queue_next`).
///
/// The queue never owns the nodes: it only links them. Destroying a non-empty queue leaks
/// nothing of its own; the scheduler must drain it first (it holds task references).
///
/// Example:
///   InjectQueue<Header> inject;
///   if (!inject.push(task)) drop_reference(task);   // closed: the caller keeps the node
///   while (Header* t = inject.pop()) run(t);
template <class N>
class InjectQueue {
 public:
  InjectQueue() : len_(0), closed_flag_(false) {}
  // Not copyable or movable (atomic and mutex members). No `= delete` spelled here: Relacy
  // #defines `delete` under the model build.

  /// Appends `n`. Returns false, without linking `n`, if the queue is closed.
  ///
  /// Example: `if (!inject.push(t)) release(t);`
  bool push(N* n) {
    std::lock_guard<InjectMutex> lock(mutex_);
    if (closed_) return false;
    n->queue_next = nullptr;
    link_locked(n, n, 1);
    return true;
  }

  /// Appends the list `first .. last` (linked through queue_next, `count` nodes) as one batch.
  /// Accepted even after close() (see the file comment). `last->queue_next` is overwritten.
  ///
  /// Example: `a->queue_next = b; inject.push_batch(a, b, 2);`
  void push_batch(N* first, N* last, std::size_t count) {
    if (count == 0) return;
    last->queue_next = nullptr;
    std::lock_guard<InjectMutex> lock(mutex_);
    link_locked(first, last, count);
  }

  /// Removes and returns the oldest node, or null if the queue is empty.
  ///
  /// Example: `while (N* n = inject.pop()) run(n);`
  N* pop() {
    if (is_empty()) return nullptr;
    std::lock_guard<InjectMutex> lock(mutex_);
    return pop_locked();
  }

  /// Removes up to `max` of the oldest nodes into `out[0..]` under one lock; returns how many.
  ///
  /// Example: `std::size_t k = inject.pop_n(buf, local.remaining_slots());`
  std::size_t pop_n(N** out, std::size_t max) {
    if (max == 0 || is_empty()) return 0;
    std::lock_guard<InjectMutex> lock(mutex_);
    std::size_t k = 0;
    while (k < max) {
      N* n = pop_locked();
      if (n == nullptr) break;
      out[k] = n;
      k += 1;
    }
    return k;
  }

  /// Number of queued nodes (a lock-free snapshot; may be stale by the time it is used).
  ///
  /// Example: `if (inject.len() > 0) ...`
  std::size_t len() const noexcept { return len_.load(mo::acquire); }

  /// True if no node is queued (lock-free snapshot).
  ///
  /// Example: `if (!inject.is_empty()) notify_parked_worker();`
  bool is_empty() const noexcept { return len() == 0; }

  /// Closes the queue to push(). Returns true the first time, false if it was already closed.
  ///
  /// Example: `if (inject.close()) wake_all_workers();`
  bool close() {
    std::lock_guard<InjectMutex> lock(mutex_);
    if (closed_) return false;
    closed_ = true;
    closed_flag_.store(true, mo::release);
    return true;
  }

  /// True once close() was called.
  ///
  /// Example: `if (inject.is_closed()) return;`
  bool is_closed() const noexcept { return closed_flag_.load(mo::acquire); }

 private:
  void link_locked(N* first, N* last, std::size_t count) {
    if (tail_ == nullptr) {
      head_ = first;
    } else {
      tail_->queue_next = first;
    }
    tail_ = last;
    count_ += count;
    len_.store(count_, mo::release);
  }

  N* pop_locked() {
    N* n = head_;
    if (n == nullptr) return nullptr;
    head_ = n->queue_next;
    if (head_ == nullptr) tail_ = nullptr;
    n->queue_next = nullptr;
    count_ -= 1;
    len_.store(count_, mo::release);
    return n;
  }

  mutable InjectMutex mutex_;
  N* head_ = nullptr;      // guarded by mutex_
  N* tail_ = nullptr;      // guarded by mutex_
  std::size_t count_ = 0;  // guarded by mutex_; len_ mirrors it
  bool closed_ = false;    // guarded by mutex_; closed_flag_ mirrors it
  Atomic<std::size_t> len_;
  Atomic<bool> closed_flag_;
};

}  // namespace sluice::detail
