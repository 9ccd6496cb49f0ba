// sluice::detail::SpinRwLock: a reader-writer lock for critical sections of a few dozen
// instructions (a watch channel's value: borrow() copies or reads it, send() replaces it).
//
// std::shared_mutex (a pthread rwlock) goes to the kernel as soon as a reader and a writer
// meet, and the watch benchmark spent a third of its time in futex calls: a send per value
// against four receivers borrowing on the other worker. This lock spins first (with the CPU's
// pause hint), then yields the thread, then sleeps in short naps, so a meeting costs a few
// hundred cycles and a lock held for long (a Ref kept alive by its user) still does not burn a
// core.
//
// Writers have priority: a waiting writer sets kWriterWaiting, which stops new readers, so a
// sender is not starved by receivers that borrow back to back.
//
// Satisfies Lockable and SharedLockable (std::unique_lock / std::shared_lock work).
//
// Example:
//   detail::SpinRwLock lock;
//   { std::shared_lock r(lock); /* read */ }
//   { std::unique_lock w(lock); /* write */ }
#pragma once

#include <cstdint>

#include <sluice/detail/spin_lock.hpp>
#include <sluice/detail/sync.hpp>

namespace sluice::detail {

class SpinRwLock {
 public:
  SpinRwLock() = default;
  SpinRwLock(const SpinRwLock&) = delete;
  SpinRwLock& operator=(const SpinRwLock&) = delete;

  /// Exclusive lock: waits until no reader and no writer holds it.
  void lock() noexcept {
    for (std::uint32_t spins = 0;; ++spins) {
      std::uint32_t s = state_.load(mo::relaxed);
      if ((s & ~kWriterWaiting) == 0) {
        // Free (perhaps with our own or another writer's waiting bit): take it, clearing the bit;
        // another waiting writer sets it again on its next turn.
        if (state_.compare_exchange_weak(s, kWriter, mo::acquire, mo::relaxed)) return;
        continue;
      }
      if ((s & kWriterWaiting) == 0) state_.fetch_or(kWriterWaiting, mo::relaxed);
      spin_backoff(spins);
    }
  }
  bool try_lock() noexcept {
    std::uint32_t s = state_.load(mo::relaxed);
    return (s & ~kWriterWaiting) == 0 &&
           state_.compare_exchange_strong(s, kWriter, mo::acquire, mo::relaxed);
  }
  void unlock() noexcept { state_.fetch_sub(kWriter, mo::release); }

  /// Shared lock: waits while a writer holds the lock or waits for it.
  void lock_shared() noexcept {
    for (std::uint32_t spins = 0;; ++spins) {
      std::uint32_t s = state_.load(mo::relaxed);
      if ((s & (kWriter | kWriterWaiting)) == 0) {
        if (state_.compare_exchange_weak(s, s + kReader, mo::acquire, mo::relaxed)) return;
        continue;
      }
      spin_backoff(spins);
    }
  }
  bool try_lock_shared() noexcept {
    std::uint32_t s = state_.load(mo::relaxed);
    return (s & (kWriter | kWriterWaiting)) == 0 &&
           state_.compare_exchange_strong(s, s + kReader, mo::acquire, mo::relaxed);
  }
  void unlock_shared() noexcept { state_.fetch_sub(kReader, mo::release); }

 private:
  static constexpr std::uint32_t kWriter = 1;
  static constexpr std::uint32_t kWriterWaiting = 2;
  static constexpr std::uint32_t kReader = 4;  // readers count in the bits above

  Atomic<std::uint32_t> state_{0};
};

}  // namespace sluice::detail
