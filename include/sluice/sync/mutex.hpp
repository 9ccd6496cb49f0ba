/// @file
/// sluice::Mutex<T>: an async mutex whose guard may be held across co_await (tokio::sync::Mutex).
///
/// Fair: lock() futures are served in FIFO order (a fair semaphore with one permit underneath).
/// Prefer std::mutex when the critical section never suspends: it is cheaper. Use this one when
/// the lock must be held while awaiting (e.g. around an I/O resource), or the seeds' "don't use
/// channels when a mutex works" counter.
///
/// Example:
/// ```cpp
/// sluice::Mutex<std::uint64_t> counter(0);
/// {
///   auto guard = co_await counter.lock();
///   *guard += 1;
/// }                                          // unlocked here
/// ```
#pragma once

#include <optional>
#include <utility>

#include <sluice/block_on.hpp>
#include <sluice/context.hpp>
#include <sluice/detail/batch_semaphore.hpp>
#include <sluice/poll.hpp>

namespace sluice {

template <class T>
class Mutex;

/// Exclusive access to a Mutex<T>'s value; unlocks when destroyed.
///
/// Example: `auto g = co_await m.lock(); g->push_back(1); *g = {};`
template <class T>
class [[nodiscard]] MutexGuard {
 public:
  /// Takes over `o`'s lock; `o` unlocks nothing and must not be dereferenced.
  MutexGuard(MutexGuard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
  MutexGuard& operator=(MutexGuard&&) = delete;
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;
  /// Unlocks: the next queued lock() (if any) gets the mutex.
  ~MutexGuard() {
    if (m_) m_->sem_.release(1);
  }

  /// The protected value.
  T& operator*() const noexcept { return m_->value_; }
  /// Member access to the protected value.
  T* operator->() const noexcept { return &m_->value_; }

 private:
  friend class Mutex<T>;
  explicit MutexGuard(Mutex<T>* m) noexcept : m_(m) {}
  Mutex<T>* m_;
};

/// A fair async mutex around a T, whose guard may be held across co_await (see mutex.hpp).
template <class T>
class Mutex {
 public:
  /// An unlocked mutex holding T(args...).
  ///
  /// Example: `sluice::Mutex<std::map<std::string, int>> db;`
  template <class... A>
  explicit Mutex(A&&... args) : value_(std::forward<A>(args)...) {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  /// Future of lock(): completes with the guard once the lock is ours.
  ///
  /// Cancel safety: cancel safe; a cancelled lock() loses its place in the queue only.
  class [[nodiscard]] Lock {
   public:
    using Output = MutexGuard<T>;  ///< The guard; a Mutex is never closed, so no error.
    /// Ready with the guard once the lock is held.
    Poll<Output> poll(Context& cx) {
      auto p = acq_.poll(cx);
      if (p.is_pending()) return pending;
      return Output(m_);  // never closed: always success
    }

   private:
    friend class Mutex;
    explicit Lock(Mutex* m) : m_(m), acq_(m->sem_.acquire(1)) {}
    Mutex* m_;
    detail::BatchSemaphore::Acquire acq_;
  };

  /// Locks, waiting in FIFO order behind earlier lock() calls.
  ///
  /// Example: `auto g = co_await m.lock();`
  ///
  /// Cancel safety: cancel safe (see Lock).
  Lock lock() { return Lock(this); }

  /// The guard now, or nullopt when the lock is held or others are queued for it.
  ///
  /// Example: `if (auto g = m.try_lock()) **g += 1;`
  std::optional<MutexGuard<T>> try_lock() {
    if (!sem_.try_acquire(1)) return std::nullopt;
    return MutexGuard<T>(this);
  }

  /// Locks from a plain thread, parking it until the lock is ours. Throws std::logic_error on a
  /// runtime thread (it would block the worker; use lock()).
  ///
  /// Example: `std::thread t([&] { auto g = m.blocking_lock(); *g += 1; });`
  MutexGuard<T> blocking_lock() { return sluice::block_on(lock()); }

  /// Direct access when no guard can exist (the caller has exclusive access to the Mutex).
  T& get_mut() noexcept { return value_; }

 private:
  friend class MutexGuard<T>;
  detail::BatchSemaphore sem_{1};
  T value_;
};

}  // namespace sluice
