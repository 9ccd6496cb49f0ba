/// @file
/// sluice::RwLock<T>: an async reader-writer lock (tokio::sync::RwLock), fair and write-preferring.
///
/// A fair semaphore with max_readers permits underneath: read() takes one, write() takes all of
/// them. Waiters are served in FIFO order, so once a writer queues, readers that arrive after it
/// wait behind it (writers are never starved), and the readers queued before it still go first.
///
/// Example:
/// ```cpp
/// sluice::RwLock<Config> config(load());
/// {
///   auto r = co_await config.read();      // many readers at once
///   use(r->port);
/// }
/// {
///   auto w = co_await config.write();     // exclusive
///   w->port = 8080;
/// }
/// ```
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

#include <sluice/block_on.hpp>
#include <sluice/context.hpp>
#include <sluice/detail/batch_semaphore.hpp>
#include <sluice/poll.hpp>

namespace sluice {

template <class T>
class RwLock;

/// Shared (read) access to an RwLock<T>'s value; releases its read permit when destroyed.
///
/// Example: `auto r = co_await lock.read(); std::size_t n = r->size();`
template <class T>
class [[nodiscard]] RwLockReadGuard {
 public:
  /// Takes over `o`'s read permit; `o` releases nothing and must not be dereferenced.
  RwLockReadGuard(RwLockReadGuard&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
  RwLockReadGuard& operator=(RwLockReadGuard&&) = delete;
  RwLockReadGuard(const RwLockReadGuard&) = delete;
  RwLockReadGuard& operator=(const RwLockReadGuard&) = delete;
  /// Releases the read permit.
  ~RwLockReadGuard() {
    if (l_) l_->sem_.release(1);
  }

  /// The protected value, read-only.
  const T& operator*() const noexcept { return l_->value_; }
  /// Read-only member access to the protected value.
  const T* operator->() const noexcept { return &l_->value_; }

 private:
  friend class RwLock<T>;
  explicit RwLockReadGuard(RwLock<T>* l) noexcept : l_(l) {}
  RwLock<T>* l_;
};

/// Exclusive (write) access to an RwLock<T>'s value; releases the lock when destroyed.
///
/// Example: `auto w = co_await lock.write(); w->clear();`
template <class T>
class [[nodiscard]] RwLockWriteGuard {
 public:
  /// Takes over `o`'s write lock; `o` releases nothing and must not be dereferenced.
  RwLockWriteGuard(RwLockWriteGuard&& o) noexcept : l_(std::exchange(o.l_, nullptr)) {}
  RwLockWriteGuard& operator=(RwLockWriteGuard&&) = delete;
  RwLockWriteGuard(const RwLockWriteGuard&) = delete;
  RwLockWriteGuard& operator=(const RwLockWriteGuard&) = delete;
  /// Releases the write lock (all max_readers permits at once).
  ~RwLockWriteGuard() {
    if (l_) l_->sem_.release(l_->max_readers_);
  }

  /// The protected value.
  T& operator*() const noexcept { return l_->value_; }
  /// Member access to the protected value.
  T* operator->() const noexcept { return &l_->value_; }

 private:
  friend class RwLock<T>;
  explicit RwLockWriteGuard(RwLock<T>* l) noexcept : l_(l) {}
  RwLock<T>* l_;
};

/// A fair, write-preferring async reader-writer lock around a T (see rwlock.hpp).
template <class T>
class RwLock {
 public:
  /// Default limit on concurrent readers (Tokio's u32::MAX >> 3).
  static constexpr std::size_t kDefaultMaxReaders = std::size_t{0xFFFFFFFFu} >> 3;

  /// An unlocked RwLock holding T(args...).
  ///
  /// Example: `sluice::RwLock<std::vector<int>> v;`
  template <class... A>
  explicit RwLock(A&&... args)
      : max_readers_(kDefaultMaxReaders),
        sem_(kDefaultMaxReaders),
        value_(std::forward<A>(args)...) {}

  /// An RwLock holding T(args...) that allows at most `max_readers` concurrent readers.
  /// Throws std::invalid_argument unless 1 <= max_readers <= kDefaultMaxReaders.
  ///
  /// Example: `auto l = sluice::RwLock<int>::with_max_readers(4, 0);`
  template <class... A>
  static RwLock with_max_readers(std::size_t max_readers, A&&... args) {
    return RwLock(MaxReadersTag{}, max_readers, std::forward<A>(args)...);
  }
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  /// Future of read() / write(): completes with the guard.
  ///
  /// Cancel safety: cancel safe; a cancelled lock loses its place in the queue only.
  template <class Guard>
  class [[nodiscard]] LockFuture {
   public:
    using Output = Guard;  ///< The read or write guard; an RwLock is never closed.
    /// Ready with the guard once the lock is held in the requested mode.
    Poll<Output> poll(Context& cx) {
      auto p = acq_.poll(cx);
      if (p.is_pending()) return pending;
      return Output(l_);
    }

   private:
    friend class RwLock;
    LockFuture(RwLock* l, std::size_t n) : l_(l), acq_(l->sem_.acquire(n)) {}
    RwLock* l_;
    detail::BatchSemaphore::Acquire acq_;
  };

  /// Shared access, in FIFO order with writers (readers queue behind a waiting writer).
  ///
  /// Example: `auto r = co_await l.read();`
  ///
  /// Cancel safety: cancel safe.
  LockFuture<RwLockReadGuard<T>> read() { return {this, 1}; }
  /// Exclusive access, in FIFO order.
  ///
  /// Example: `auto w = co_await l.write();`
  ///
  /// Cancel safety: cancel safe.
  LockFuture<RwLockWriteGuard<T>> write() { return {this, max_readers_}; }

  /// A read guard now, or nullopt (a writer holds or waits for the lock).
  std::optional<RwLockReadGuard<T>> try_read() {
    if (!sem_.try_acquire(1)) return std::nullopt;
    return RwLockReadGuard<T>(this);
  }
  /// A write guard now, or nullopt.
  std::optional<RwLockWriteGuard<T>> try_write() {
    if (!sem_.try_acquire(max_readers_)) return std::nullopt;
    return RwLockWriteGuard<T>(this);
  }
  /// read() from a plain thread (std::logic_error on a runtime thread).
  RwLockReadGuard<T> blocking_read() { return sluice::block_on(read()); }
  /// write() from a plain thread (std::logic_error on a runtime thread).
  RwLockWriteGuard<T> blocking_write() { return sluice::block_on(write()); }

  /// Direct access when the caller has exclusive access to the RwLock itself.
  T& get_mut() noexcept { return value_; }

 private:
  friend class RwLockReadGuard<T>;
  friend class RwLockWriteGuard<T>;
  struct MaxReadersTag {};
  template <class... A>
  RwLock(MaxReadersTag, std::size_t max_readers, A&&... args)
      : max_readers_(checked(max_readers)), sem_(max_readers_), value_(std::forward<A>(args)...) {}
  static std::size_t checked(std::size_t n) {
    if (n == 0 || n > kDefaultMaxReaders)
      throw std::invalid_argument("sluice::RwLock: max_readers must be in 1..2^29-1");
    return n;
  }

  std::size_t max_readers_;
  detail::BatchSemaphore sem_;
  T value_;
};

}  // namespace sluice
