// sluice::detail::TimerEntry: the intrusive node a Sleep carries for the timing wheel.
//
// The entry lives inside the Sleep future (no allocation per timer). While registered it is
// linked into one slot list of its TimeDriver's wheel; every field except the two atomics is then
// guarded by that TimeDriver's mutex. See time_driver.hpp for the operations.
#pragma once

#include <chrono>
#include <cstdint>

#include <sluice/detail/sync.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

class TimeDriver;

/// One timer: deadline, waker and wheel links. Owned by a Sleep; driven by a TimeDriver.
struct TimerEntry {
  /// `state` values.
  static constexpr std::uint8_t kIdle = 0;        // not registered with any driver
  static constexpr std::uint8_t kRegistered = 1;  // linked into `driver`'s wheel
  static constexpr std::uint8_t kFired = 2;       // deadline reached; unlinked; waker taken
  static constexpr std::uint8_t kShutdown = 3;    // its driver shut down while it was registered

  // Linked-list and wheel fields: guarded by the driver's mutex while kRegistered.
  TimerEntry* prev = nullptr;
  TimerEntry* next = nullptr;
  std::uint64_t when = 0;        // deadline in ticks (ms since the driver's start), rounded up
  std::uint16_t slot_index = 0;  // level * 64 + slot while linked
  Waker waker;                   // woken (outside the lock) when the entry fires
  /// The exact deadline; written by the owner (under the driver's mutex while registered).
  std::chrono::steady_clock::time_point deadline{};

  // State word (values above).
  //   kIdle -> kRegistered : owner thread, under the driver mutex, with `driver` set.
  //   kRegistered -> kFired / kShutdown : the firing (parking) thread or shutdown(), under the
  //     mutex; it stores `state` first and then `driver = nullptr` (release), and never touches
  //     the entry afterwards. So an owner that loads `driver == nullptr` (acquire) sees the final
  //     state and may free the entry without locking.
  //   kRegistered -> kIdle (cancel) / relink (reset): owner thread under the mutex.
  //   kFired -> kIdle (reset after firing): owner thread, no lock (nobody else references it).
  Atomic<std::uint8_t> state{kIdle};
  Atomic<TimeDriver*> driver{nullptr};  // non-null exactly while kRegistered
};

}  // namespace sluice::detail
