// sluice::detail::BatchSemaphore: the fair (FIFO) semaphore under the bounded mpsc capacity, and
// later under the public Semaphore, Mutex and RwLock (Tokio's batch_semaphore idea, our code).
//
// permits_ (detail::Atomic<std::size_t>) bits:
//   bit 0 (kClosed)     the semaphore is closed. Set by close() (fetch_or, under the lock, so
//                       the word and the wait list agree), never cleared.
//   bit 1 (kQueued)     the wait list may be non-empty: set whenever it is not, and possibly
//                       still set after it emptied ("stale"; then the word holds zero
//                       permits). Set and cleared only by the lock holder: set by the CAS that
//                       takes the last permits before queueing, cleared when the list empties
//                       (see "Clearing kQueued").
//   bit 2 (kLocked)     the lock of the wait list (see "The lock").
//   bits 3.. (<< kShift) permits available to take without queueing.
//   Taken by CAS (try_acquire, and Acquire's first poll), added by CAS (release, while kQueued
//   is clear: lock-free), or reduced by CAS (forget_permits).
//
// The lock: a bit of the same word, so that a waiter takes what is left, sets kQueued and takes
// the lock in one CAS (with a separate spin lock that was a lock exchange plus a CAS), and a
// release that empties the list adds its permits, clears kQueued and unlocks in one write.
// Taken by a CAS from a word without kLocked (spinning with spin_backoff otherwise). The word
// changes while it is held only by the lock-free operations above, and while kQueued is set
// the word holds zero permits, so those write nothing (or, asked for zero permits, the same
// value): the holder then unlocks with a plain store. With kQueued clear it unlocks with a
// fetch_sub, since a lock-free release may add permits meanwhile.
//
// Lock-free release: release() adds its permits with one CAS as long as kQueued is clear. A
// waiter sets kQueued (under the lock) in the very CAS that takes what is left, so a release
// CAS racing it fails, reloads, sees kQueued and takes the locked path that serves the queue.
// The mpsc receiver gives one permit back per message; with nobody waiting that is one CAS.
//
// Clearing kQueued: a release that serves the last waiter and has no permits left over clears
// it with a plain store under the lock (while kQueued is set the word holds zero permits, and
// then only lock holders change it: try_acquire, the lock-free release and forget_permits write
// nothing, or the same value). The receiver of a capacity-1 channel, whose sender waits for every
// second message, then gives its next permit back with one CAS instead of a locked add (A/B:
// mpsc_spsc_1 1.04x ct and mt). Other ways the list empties (a cancelled waiter) leave kQueued
// set ("stale"): the next locked add that finds the list empty clears it in the same fetch_add
// that adds the permits. A stale flag changes no answer: it is only ever set while the word
// holds zero permits, when every acquirer must lock and queue anyway, and an acquirer that
// finds it set queues without writing the word.
//
// Wait list: an intrusive doubly linked FIFO of Waiter nodes, guarded by the lock. Each node
// lives inside its Acquire future (no allocation). Node fields (remaining, waker, links, linked)
// are read and written only with the lock held.
//
// Invariant (FIFO, no barging): while a waiter is queued, permits_ holds zero permits. A new
// acquirer that cannot be served in full takes what is there (under the lock, before queueing)
// and queues for the rest; release() assigns permits to the head waiter first and adds to
// permits_ only what is left once the queue is empty. So try_acquire and the lock-free fast path
// of Acquire, which only look at permits_, cannot overtake a queued waiter; a large request at
// the head of the queue blocks later small ones (it is not starved).
//
// Waking: release() and close() take the wakers of the waiters they complete out of the nodes
// with the lock held, then wake them after unlocking, in batches of WakeList::kCapacity. A
// hand-off waiter whose waker is its task's own (the Send a task body awaits directly) keeps no
// clone: it borrows the task (Waiter::task; the node lives in that task's future, which cannot
// be destroyed while we hold the lock), and the release runs the first half of a wake_by_ref
// under the lock, one CAS that marks the task notified and takes the queue's reference
// (notify_task_by_ref, task_waker.hpp); the task is queued after the unlock. A clone at the
// enqueue and a wake by value cost one RMW more.
//
// Cancellation: destroying an Acquire that is queued removes its node and gives back the permits
// it was already assigned (partially, or even in full when it was not polled since), handing them
// to the next waiters in order.
//
// Hand-off (the mpsc send of a task body; mpsc-internals.md, "Hand-off"): a waiter may carry a
// hook that the release serving it in full runs under the lock, before it sets `granted`: the
// bounded mpsc Send moves its value into the channel there, so the receiver that released the
// slot finds the next value at once instead of waiting for the sender to be scheduled (Go's
// receiver takes a blocked sender's value the same way). The permits then belong to that value:
// a handed-off Acquire that is destroyed gives nothing back. The hook may add wakers to the
// release's WakeList (the receiver's), woken with the waiters' after the unlock.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/deferred_wakes.hpp>
#include <sluice/detail/spin_lock.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/detail/task_waker.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

/// Error of BatchSemaphore::Acquire: the semaphore was closed.
struct AcquireError {
  friend bool operator==(const AcquireError&, const AcquireError&) = default;
};

/// Why BatchSemaphore::try_acquire failed.
enum class TryAcquireError : unsigned char {
  Closed,     ///< the semaphore was closed
  NoPermits,  ///< not enough permits, or waiters are queued ahead
};

namespace semaphore_impl {

class WakeList;

/// Hand-off hook (see the top of the file): runs under the semaphore's lock when its waiter is
/// served in full; may push wakers onto the list (at most kHandoffWakers).
using HandoffFn = void (*)(void* ctx, WakeList& wakers) noexcept;
inline constexpr std::size_t kHandoffWakers = 1;

/// A waiter queued on the semaphore; lives inside an Acquire future. Guarded by the lock.
struct Waiter {
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  std::size_t remaining = 0;  // permits still to be assigned
  bool linked = false;        // in the wait list
  bool handed_off = false;    // the hand-off hook ran: the permits are spent
  HandoffFn handoff = nullptr;
  void* handoff_ctx = nullptr;
  Waker waker;
  // A hand-off waiter's own task, borrowed (no reference), instead of a clone in `waker`: see
  // "Waking" at the top.
  TaskHeader* task = nullptr;
  // Set (release) by the release that assigned the last permit, as its very last access to the
  // node, after unlinking it and taking its waker: the Acquire may complete without the lock
  // as soon as it reads 1 (acquire), and may then be destroyed at once.
  Atomic<unsigned char> granted{0};
#if defined(SLUICE_MODEL)
  // Written on every access under the model: Relacy reports accesses the lock failed to order.
  void touch() { probe($) = 1; }
  rl::var<int> probe;
#else
  static void touch() noexcept {}
#endif
};

/// Wakers collected under the lock and woken after it. Slots are constructed only when pushed:
/// a release that serves one waiter must not zero and then destroy all kCapacity of them.
class WakeList {
 public:
  static constexpr std::size_t kCapacity = 32;
  WakeList() noexcept {}  // NOLINT: the slots are deliberately left unconstructed
  WakeList(const WakeList&) = delete;
  WakeList& operator=(const WakeList&) = delete;
  ~WakeList() {
    for (std::size_t i = first_; i < n_; ++i) slots_[i].waker.~Waker();
  }
  bool full() const noexcept { return n_ == kCapacity; }
  /// Room for `k` more wakers.
  bool has_room(std::size_t k) const noexcept { return n_ + k <= kCapacity; }
  void push(Waker&& w) {
    ::new (static_cast<void*>(&slots_[n_].waker)) Waker(std::move(w));
    ++n_;
  }
  /// Wakes them all now, or hands them to `deferred` (deferred_wakes.hpp) when given.
  void wake_all(DeferredWakes* deferred = nullptr) {
    while (first_ < n_) {
      Waker w = std::move(slots_[first_].waker);
      slots_[first_].waker.~Waker();
      ++first_;  // before waking: a wake that throws leaves only the rest to the destructor
      if (deferred != nullptr) {
        deferred->push(std::move(w));  // wakes at once when full
      } else {
        std::move(w).wake();
      }
    }
    first_ = n_ = 0;
  }

 private:
  union Slot {
    Slot() noexcept {}  // NOLINT: constructed by push()
    ~Slot() {}          // NOLINT: destroyed by wake_all() or ~WakeList()
    Waker waker;
  };
  std::array<Slot, kCapacity> slots_;
  std::size_t first_ = 0;  // slots [first_, n_) hold wakers
  std::size_t n_ = 0;
};

}  // namespace semaphore_impl

/// A fair FIFO semaphore whose acquirers may take several permits at once.
///
/// Example:
///   detail::BatchSemaphore sem(2);
///   Result<void, AcquireError> r = co_await sem.acquire(2);   // may wait, in FIFO order
///   sem.release(2);
class BatchSemaphore {
 public:
  /// Largest number of permits (Tokio's usize::MAX >> 3).
  static constexpr std::size_t kMaxPermits = SIZE_MAX >> 3;

  /// A semaphore with `permits` available permits (at most kMaxPermits, else std::logic_error).
  explicit BatchSemaphore(std::size_t permits) : permits_(checked(permits) << kShift) {}
  BatchSemaphore(const BatchSemaphore&) = delete;
  BatchSemaphore& operator=(const BatchSemaphore&) = delete;
  /// Precondition: no Acquire is queued (they hold pointers to this semaphore).
  ~BatchSemaphore() = default;

  class Acquire;

  /// A future that completes once `n` permits were acquired, in FIFO order with the others.
  Acquire acquire(std::size_t n);

  /// Takes `n` permits now, or fails: NoPermits when there are not enough (or waiters are queued:
  /// nobody overtakes them), Closed when closed. `n` > kMaxPermits throws std::logic_error.
  ///
  /// Example:
  ///   if (sem.try_acquire(1)) { work(); sem.release(1); }
  Result<void, TryAcquireError> try_acquire(std::size_t n) {
    const std::size_t need = checked(n);
    std::size_t curr = permits_.load(mo::acquire);
    for (;;) {
      if (curr & kClosed) return Err(TryAcquireError::Closed);
      if ((curr >> kShift) < need) return Err(TryAcquireError::NoPermits);  // or kQueued
      if (permits_.compare_exchange_weak(curr, curr - (need << kShift), mo::acq_rel)) return {};
    }
  }

  /// Gives `n` permits back: to the queued waiters first, in order (waking the ones served,
  /// outside the lock), the rest to the pool. Exceeding kMaxPermits throws std::logic_error.
  /// With `deferred`, the served waiters' wakes go to that list (deferred_wakes.hpp) instead.
  ///
  /// Example:
  ///   sem.release(1);   // e.g. the mpsc receiver took one message out
  void release(std::size_t n, DeferredWakes* deferred = nullptr) {
    if (n == 0) return;
    std::size_t curr = permits_.load(mo::relaxed);
    if (checked(n) > kMaxPermits - (curr >> kShift)) {
      throw std::logic_error("sluice::BatchSemaphore: released more permits than kMaxPermits");
    }
    // Fast path: nobody queued, one CAS (see "Lock-free release" at the top).
    while ((curr & kQueued) == 0) {
      if (permits_.compare_exchange_weak(curr, curr + (n << kShift), mo::release, mo::relaxed))
        return;
    }
    Guard lock(this);
    add_permits_locked(n, lock, deferred);
  }

  /// Closes the semaphore: every queued and future acquire fails with AcquireError, try_acquire
  /// with Closed. Permits already handed out stay valid and may still be released.
  ///
  /// Example:
  ///   sem.close();   // the mpsc receiver was closed or dropped
  void close() {
    semaphore_impl::WakeList wakers;
    bool more = true;
    while (more) {
      Guard lock(this);
      permits_.fetch_or(kClosed, mo::release);
      while (head_ != nullptr && !wakers.full()) {
        semaphore_impl::Waiter* w = head_;
        unlink(w);  // keeps w->remaining: its Acquire returns what it was assigned
        collect_wake(w, wakers);
      }
      more = head_ != nullptr;
      lock.unlock();
      wakers.wake_all();
    }
  }

  /// True once close() was called.
  bool is_closed() const { return (permits_.load(mo::acquire) & kClosed) != 0; }

  /// Permits available without waiting (zero while waiters are queued).
  std::size_t available_permits() const { return permits_.load(mo::acquire) >> kShift; }

  /// Removes up to `n` available permits for good; returns how many were removed.
  ///
  /// Example:
  ///   sem.forget_permits(1);   // shrink the capacity by one
  std::size_t forget_permits(std::size_t n) {
    if (n == 0) return 0;
    std::size_t curr = permits_.load(mo::acquire);
    for (;;) {
      const std::size_t avail = curr >> kShift;
      const std::size_t taken = std::min(avail, n);
      if (permits_.compare_exchange_weak(curr, curr - (taken << kShift), mo::acq_rel)) return taken;
    }
  }

 private:
  static constexpr std::size_t kClosed = 1;
  static constexpr std::size_t kQueued = 2;
  static constexpr std::size_t kLocked = 4;
  static constexpr unsigned kShift = 3;

  // The lock (kLocked, see "The lock" at the top).
  void lock_word() {
    std::size_t curr = permits_.load(mo::relaxed);
    for (std::uint32_t spins = 0;; ++spins) {
      if ((curr & kLocked) == 0) {
        if (permits_.compare_exchange_weak(curr, curr | kLocked, mo::acquire, mo::relaxed)) return;
        continue;  // `curr` was reloaded
      }
      wait_for_lock(spins);
      curr = permits_.load(mo::relaxed);
    }
  }

  static void wait_for_lock(std::uint32_t spins) {
#if defined(SLUICE_MODEL)
    (void)spins;
    spin_hint();
#else
    spin_backoff(spins);
#endif
  }

  // Clears kLocked, and kQueued too when the holder left the list empty (`list_empty`). With
  // kQueued set the word holds zero permits and nobody else changes it (see "The lock" and
  // "Clearing kQueued"), so a plain store does; otherwise a lock-free release may be adding
  // permits.
  void unlock_word(bool list_empty = false) {
    const std::size_t curr = permits_.load(mo::relaxed);
    if ((curr & kQueued) != 0) {
      permits_.store(curr & ~(kLocked | (list_empty ? kQueued : 0)), mo::release);
    } else {
      permits_.fetch_sub(kLocked, mo::release);
    }
  }

  // Holds the lock for a scope (std::unique_lock's shape, for the kLocked bit).
  class Guard {
   public:
    explicit Guard(BatchSemaphore* sem) : sem_(sem) { sem_->lock_word(); }
    // Adopts a lock the caller took in one of its own CASes.
    Guard(BatchSemaphore* sem, std::adopt_lock_t) noexcept : sem_(sem) {}
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() {
      if (owns_) sem_->unlock_word();
    }
    bool owns_lock() const noexcept { return owns_; }
    void lock() {
      sem_->lock_word();
      owns_ = true;
    }
    void unlock(bool list_empty = false) {
      sem_->unlock_word(list_empty);
      owns_ = false;
    }
    // The caller cleared kLocked itself (in a store or RMW that changed the word anyway).
    void released() noexcept { owns_ = false; }

   private:
    BatchSemaphore* sem_;
    bool owns_ = true;
  };

  static std::size_t checked(std::size_t n) {
    if (n > kMaxPermits)
      throw std::logic_error("sluice::BatchSemaphore: permit count exceeds kMaxPermits");
    return n;
  }

  void push_back(semaphore_impl::Waiter* w) {
    w->touch();
    w->prev = tail_;
    w->next = nullptr;
    if (tail_ != nullptr) {
      tail_->next = w;
    } else {
      head_ = w;
    }
    tail_ = w;
    w->linked = true;
  }

  void unlink(semaphore_impl::Waiter* w) {
    w->touch();
    if (w->prev != nullptr) {
      w->prev->next = w->next;
    } else {
      head_ = w->next;
    }
    if (w->next != nullptr) {
      w->next->prev = w->prev;
    } else {
      tail_ = w->prev;
    }
    w->prev = w->next = nullptr;
    w->linked = false;
    // kQueued stays set even if the list emptied: see "Clearing kQueued" at the top.
  }

  // Moves what wakes `w` onto `wakers` (lock held): its waker, or for a borrowed task the first
  // half of a wake_by_ref (task_waker.hpp), whose second half the list runs after the unlock.
  static void collect_wake(semaphore_impl::Waiter* w, semaphore_impl::WakeList& wakers) {
    if (w->task != nullptr) {
      if (Waker later = notify_task_by_ref(w->task); !later.is_empty()) {
        wakers.push(std::move(later));
      }
      w->task = nullptr;
    } else if (!w->waker.is_empty()) {
      wakers.push(std::move(w->waker));
    }
  }

  // Assigns `rem` permits to the waiters in order, then the rest to permits_; unlocks `lock`
  // and wakes the completed waiters outside it (or defers them to `deferred`). Returns with
  // `lock` released.
  void add_permits_locked(std::size_t rem, Guard& lock, DeferredWakes* deferred = nullptr) {
    semaphore_impl::WakeList wakers;
    while (rem > 0) {
      if (!lock.owns_lock()) lock.lock();
      while (wakers.has_room(1 + semaphore_impl::kHandoffWakers)) {
        semaphore_impl::Waiter* w = head_;
        if (w == nullptr) break;
        w->touch();
        const std::size_t give = std::min(rem, w->remaining);
        w->remaining -= give;
        rem -= give;
        if (w->remaining > 0) break;  // rem is 0: the head waiter keeps its place
        unlink(w);
        if (w->handoff != nullptr) {
          w->handoff(w->handoff_ctx, wakers);  // noexcept; see "Hand-off" at the top
          w->handed_off = true;
        }
        collect_wake(w, wakers);
        w->granted.store(1, mo::release);  // last access: the Acquire may be gone after it
      }
      if (head_ == nullptr && rem > 0) {
        // The list is empty: one fetch_add puts the rest in the pool, clears kQueued and unlocks
        // (see "Clearing kQueued" at the top). kQueued and kLocked are set bits, so
        // subtracting them borrows nothing; release() checked the bound.
        const std::size_t curr = permits_.load(mo::relaxed);
        permits_.fetch_add((rem << kShift) - (curr & kQueued) - kLocked, mo::release);
        rem = 0;
        lock.released();
      } else {
        lock.unlock(/*list_empty=*/head_ == nullptr);  // an emptied list also clears kQueued
      }
      wakers.wake_all(deferred);
    }
    if (lock.owns_lock()) lock.unlock();
  }

  friend class Acquire;

  Atomic<std::size_t> permits_;
  semaphore_impl::Waiter* head_ = nullptr;  // oldest waiter: served first
  semaphore_impl::Waiter* tail_ = nullptr;
};

/// Future of BatchSemaphore::acquire(n): ready with success once `n` permits were assigned to it,
/// or with AcquireError if the semaphore is closed. Spends one unit of coop budget when it
/// completes. Polling it again after it completed throws std::logic_error.
///
/// Once polled pending, it is queued: it may be moved (the node is relinked under the lock).
///
/// Example:
///   auto acq = sem.acquire(3);
///   Result<void, detail::AcquireError> r = co_await acq;
///   if (r) { use_three(); sem.release(3); }
///
/// Cancel safety: cancelling loses the place in the queue; permits already assigned to it (in
/// part, or in full if it was not polled since) are given back to the next waiters. Nothing is
/// lost.
class [[nodiscard]] BatchSemaphore::Acquire {
 public:
  using Output = Result<void, AcquireError>;

  Acquire(const Acquire&) = delete;
  Acquire& operator=(const Acquire&) = delete;
  Acquire& operator=(Acquire&&) = delete;
  Acquire(Acquire&& o) : sem_(o.sem_), needed_(o.needed_), state_(o.state_) {
    // The hook is set before the first poll and only read after it: no lock needed to copy it.
    node_.handoff = o.node_.handoff;
    node_.handoff_ctx = o.node_.handoff_ctx;
    if (state_ != State::Queued) {  // not linked: nobody else writes the node
      node_.handed_off = o.node_.handed_off;
      return;
    }
    Guard lock(sem_);
    o.node_.touch();
    node_.remaining = o.node_.remaining;
    node_.handed_off = o.node_.handed_off;  // written by a release, under this lock
    node_.waker = std::move(o.node_.waker);
    node_.task = std::exchange(o.node_.task, nullptr);
    // Written only under the lock we hold, so a plain copy is exact.
    node_.granted.store(o.node_.granted.load(mo::relaxed), mo::relaxed);
    if (o.node_.linked) {
      node_.prev = o.node_.prev;
      node_.next = o.node_.next;
      (node_.prev ? node_.prev->next : sem_->head_) = &node_;
      (node_.next ? node_.next->prev : sem_->tail_) = &node_;
      node_.linked = true;
      o.node_.prev = o.node_.next = nullptr;
      o.node_.linked = false;
    }
    o.state_ = State::Done;
  }

  /// Cancels: leaves the queue and gives back the permits assigned so far.
  ~Acquire() {
    // Under the model, the end of the node's life is an access too: a release still touching
    // the node after it set `granted` races with it, and Relacy reports the race (it does not
    // report accesses to freed memory here). Elsewhere touch() is empty.
    if (state_ != State::Queued) {
      node_.touch();  // no lock: nobody else may touch the node any more
      return;
    }
    Guard lock(sem_);
    node_.touch();
    if (node_.linked) sem_->unlink(&node_);
    // Handed off: the permits went with the value into the channel, not back to the pool.
    const std::size_t assigned = node_.handed_off ? 0 : needed_ - node_.remaining;
    Waker w = std::move(node_.waker);  // destroyed below, after the unlock
    if (assigned > 0) {
      sem_->add_permits_locked(assigned, lock);
    } else {
      lock.unlock();
    }
  }

  /// Ready(success) once all permits are assigned; Ready(AcquireError) when closed; pending
  /// (queued, waker registered) otherwise.
  Poll<Output> poll(Context& cx) {
    if (state_ == State::Done)
      throw std::logic_error("sluice::BatchSemaphore::Acquire polled after completion");
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    Poll<Output> r = state_ == State::Idle ? poll_first(cx) : poll_queued(cx);
    if (r.is_ready()) {
      state_ = State::Done;
      coop->made_progress();
    }
    return r;
  }

  /// Permits this future asks for.
  std::size_t permits() const noexcept { return needed_; }

  /// Installs the hand-off hook (see the top of the file): when a release serves this Acquire
  /// in full, it runs `fn(ctx, wakers)` under the lock. Only before the first poll (else
  /// std::logic_error); `ctx` must stay valid (not move) until the Acquire completes or is
  /// destroyed. handed_off() then tells whether it ran.
  ///
  /// Example: `acq.set_handoff(&Send::handoff, this);`   // before acq.poll(cx)
  void set_handoff(semaphore_impl::HandoffFn fn, void* ctx) {
    if (state_ != State::Idle)
      throw std::logic_error("sluice::BatchSemaphore::Acquire: hand-off set after the first poll");
    node_.handoff = fn;
    node_.handoff_ctx = ctx;
  }

  /// True once completed by a release that ran the hand-off hook (read after poll() is ready).
  bool handed_off() const noexcept { return node_.handed_off; }

 private:
  friend class BatchSemaphore;
  enum class State : unsigned char { Idle, Queued, Done };

  Acquire(BatchSemaphore* sem, std::size_t n) : sem_(sem), needed_(checked(n)) {}

  Poll<Output> poll_first(Context& cx) {
    const std::size_t need = needed_ << kShift;
    std::size_t curr = sem_->permits_.load(mo::acquire);
    // Fast path, lock-free: enough permits means nobody is queued (see the invariant).
    for (;;) {
      if (curr & kClosed) return Output(Err(AcquireError{}));
      if ((curr >> kShift) < needed_) break;  // (kQueued implies zero permits)
      if (sem_->permits_.compare_exchange_weak(curr, curr - need, mo::acq_rel)) return Output();
    }
    // Slow path: take what is there and queue for the rest. One CAS takes the permits, sets
    // kQueued and takes the lock, so no release can slip permits into the pool between our take
    // and our enqueue (see "Lock-free release" and "The lock" at the top).
    // The waker is cloned first: a clone that throws leaves the semaphore as it was. A hand-off
    // waiter lives in its task's own future: it borrows the task instead ("Waking" at the top).
    TaskHeader* task = node_.handoff != nullptr ? waker_task(cx.waker()) : nullptr;
    Waker waker;
    if (task == nullptr) waker = cx.waker();
    std::size_t taken = 0;
    for (std::uint32_t spins = 0;;) {
      if (curr & kClosed) return Output(Err(AcquireError{}));
      if (curr & kLocked) {
        wait_for_lock(spins++);
        curr = sem_->permits_.load(mo::acquire);
        continue;
      }
      taken = std::min(curr >> kShift, needed_);
      if (taken == needed_) {  // permits arrived meanwhile (kQueued is clear then)
        if (sem_->permits_.compare_exchange_weak(curr, curr - need, mo::acq_rel)) return Output();
        continue;
      }
      const std::size_t next = (curr - (taken << kShift)) | kQueued | kLocked;
      if (sem_->permits_.compare_exchange_weak(curr, next, mo::acq_rel)) break;
    }
    Guard lock(sem_, std::adopt_lock);
    node_.touch();
    node_.remaining = needed_ - taken;
    node_.waker = std::move(waker);
    node_.task = task;
    sem_->push_back(&node_);
    state_ = State::Queued;
    return pending;  // the unlock is a plain store: kQueued is set
  }

  Poll<Output> poll_queued(Context& cx) {
    // Served in full: the release that did it published the node's last write with this store,
    // so completing needs no lock (a woken waiter would otherwise lock just to learn that).
    if (node_.granted.load(mo::acquire) != 0) return Output();
    Guard lock(sem_);
    node_.touch();
    if (node_.remaining == 0) return Output();  // assigned in full; release() unlinked us
    if (sem_->permits_.load(mo::relaxed) & kClosed) {
      // close() unlinked us: give back what we were assigned, then report the closure.
      if (node_.linked) sem_->unlink(&node_);
      const std::size_t assigned = needed_ - node_.remaining;
      node_.remaining = 0;
      Waker w = std::move(node_.waker);
      if (assigned > 0) {
        sem_->add_permits_locked(assigned, lock);
      } else {
        lock.unlock();
      }
      return Output(Err(AcquireError{}));
    }
    Waker old;
    if (node_.task != nullptr) {
      if (waker_task(cx.waker()) != node_.task) {  // polled by another task: keep a clone
        old = std::exchange(node_.waker, cx.waker());
        node_.task = nullptr;
      }
    } else if (!node_.waker.will_wake(cx.waker())) {
      old = std::exchange(node_.waker, cx.waker());
    }
    lock.unlock();
    return pending;  // `old` is dropped after the unlock
  }

  BatchSemaphore* sem_;
  std::size_t needed_;
  State state_ = State::Idle;
  semaphore_impl::Waiter node_;
};

inline BatchSemaphore::Acquire BatchSemaphore::acquire(std::size_t n) { return Acquire(this, n); }

}  // namespace sluice::detail
