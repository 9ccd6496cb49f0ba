// sluice::detail::SpinLock and spin_backoff: a mutex for critical sections of a few dozen
// instructions that several workers enter at once (a semaphore's wait list).
//
// std::mutex sleeps in the kernel as soon as two threads meet: a bounded mpsc channel with four
// producers waiting for capacity made ~43k futex calls per 1.55M messages on two workers (the
// waiters' enqueue and the receiver's release meet on the semaphore's lock). This lock spins
// first (with the CPU's pause hint), then yields the thread, then sleeps in short naps, so a
// meeting costs a few hundred cycles, and a holder that was preempted still does not make the
// others burn a core.
//
// Satisfies Lockable (std::unique_lock / std::lock_guard work).
//
// Example:
//   detail::SpinLock lock;
//   { std::lock_guard g(lock); /* a few loads and stores */ }
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include <sluice/detail/sync.hpp>

namespace sluice::detail {

/// One step of waiting for a lock held by another thread: pause-spin, then yield, then nap
/// (`spins` counts the caller's failed attempts so far). The holder usually leaves fast.
///
/// Example: `for (std::uint32_t spins = 0; !try_take(); ++spins) spin_backoff(spins);`
inline void spin_backoff(std::uint32_t spins) noexcept {
  if (spins < 64) {
    spin_hint();
  } else if (spins < 64 + 256) {
    std::this_thread::yield();
  } else {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

/// A test-and-test-and-set lock with spin_backoff; not fair, not recursive.
class SpinLock {
 public:
  SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  /// Waits until the lock is free, then takes it.
  void lock() noexcept {
    for (std::uint32_t spins = 0; !try_lock(); ++spins) spin_backoff(spins);
  }
  /// Takes the lock if it is free (the plain load first keeps waiters off the line while held).
  bool try_lock() noexcept {
    return !locked_.load(mo::relaxed) && !locked_.exchange(true, mo::acquire);
  }
  /// Releases the lock (the caller holds it).
  void unlock() noexcept { locked_.store(false, mo::release); }

 private:
  Atomic<bool> locked_{false};
};

}  // namespace sluice::detail
