// sluice::detail::TimerWheel: hierarchical timing wheel, 6 levels x 64 slots, 1 tick = 1 ms.
//
// Level L slot s holds the entries whose deadline `when` lies in the s-th 64^L-tick span of the
// current 64^(L+1)-tick span around `elapsed` (the wheel's current time): an entry goes to the
// level of the highest 6-bit group in which `when` and `elapsed` differ, so level 0 holds the
// next < 64 ms exactly, level 1 the next 64 x 64 ms in 64 ms buckets, and so on. Entries further
// than the wheel's range (2^36 ms, about 795 days) go to the top level, whose slots act as a ring:
// when such a slot comes round the entry is re-inserted and waits another lap. Processing a slot
// of level L > 0 "cascades": its entries move down to finer levels (or fire when due).
// A 64-bit occupied bitmap per level finds the next non-empty slot with one rotate + ctz.
//
// Not thread-safe: TimeDriver guards it with its mutex. Entries are intrusive (TimerEntry).
// The design follows Tokio's runtime/time/wheel.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <sluice/detail/timer_entry.hpp>

namespace sluice::detail {

/// The wheel proper: slots of intrusive doubly linked lists plus per-level occupied bitmaps.
class TimerWheel {
 public:
  static constexpr unsigned kLevels = 6;
  static constexpr unsigned kSlotBits = 6;
  static constexpr unsigned kSlots = 1u << kSlotBits;  // 64
  /// Largest distance from `elapsed` that has a slot of its own (2^36 - 1 ticks).
  static constexpr std::uint64_t kMaxDuration = (std::uint64_t{1} << (kSlotBits * kLevels)) - 1;

  /// The next slot to process: its level, slot and the tick at which it is due.
  struct Expiration {
    unsigned level;
    unsigned slot;
    std::uint64_t deadline;
  };

  TimerWheel() = default;
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  /// The wheel's current time in ticks: everything at or before it has been processed.
  std::uint64_t elapsed() const noexcept { return elapsed_; }
  /// Number of linked entries.
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  /// Links `e` (its `when` must be > elapsed()) into the slot for e->when.
  void insert(TimerEntry* e) noexcept;
  /// Unlinks a linked entry.
  void remove(TimerEntry* e) noexcept;
  /// Puts `dst` where the linked `src` is (same slot and list position); `src` ends unlinked.
  void replace(TimerEntry* src, TimerEntry* dst) noexcept;

  /// The earliest slot that holds entries (a slot of level > 0 is due at its start, when it
  /// cascades, which may be before any of its entries' deadlines).
  std::optional<Expiration> next_expiration() const noexcept;

  /// The earliest deadline of any linked entry (scans one slot when the next slot to process is
  /// above level 0). nullopt when empty.
  std::optional<std::uint64_t> next_deadline() const noexcept;

  /// Advances the wheel to tick `now`: calls fire(e) for every entry with when <= now, in
  /// non-decreasing `when` order, after unlinking it (fire may then release the entry).
  template <class Fire>
  void advance(std::uint64_t now, Fire&& fire) {
    while (auto exp = next_expiration()) {
      if (exp->deadline > now) break;
      TimerEntry* e = take_slot(exp->level, exp->slot);
      elapsed_ = exp->deadline;
      while (e != nullptr) {
        TimerEntry* next = e->next;
        e->prev = e->next = nullptr;
        if (e->when <= elapsed_) {
          --size_;
          fire(e);
        } else {
          --size_;
          insert(e);  // cascade to a finer level (or the same top slot, one lap later)
        }
        e = next;
      }
    }
    if (now > elapsed_) elapsed_ = now;
  }

  /// Unlinks every entry, calling f(e) for each (used by shutdown).
  template <class F>
  void drain(F&& f) {
    for (unsigned level = 0; level < kLevels; ++level) {
      while (occupied_[level] != 0) {
        auto slot = static_cast<unsigned>(__builtin_ctzll(occupied_[level]));
        TimerEntry* e = take_slot(level, slot);
        while (e != nullptr) {
          TimerEntry* next = e->next;
          e->prev = e->next = nullptr;
          --size_;
          f(e);
          e = next;
        }
      }
    }
  }

  /// The level an entry due at `when` belongs to when the wheel is at `elapsed`.
  static unsigned level_for(std::uint64_t elapsed, std::uint64_t when) noexcept;
  /// The slot of `when` within `level`.
  static unsigned slot_for(std::uint64_t when, unsigned level) noexcept {
    return static_cast<unsigned>((when >> (level * kSlotBits)) & (kSlots - 1));
  }

  /// The occupied bitmap of one level (tests).
  std::uint64_t occupied(unsigned level) const noexcept { return occupied_[level]; }

 private:
  TimerEntry* take_slot(unsigned level, unsigned slot) noexcept;

  std::array<std::array<TimerEntry*, kSlots>, kLevels> slots_{};
  std::array<std::uint64_t, kLevels> occupied_{};
  std::uint64_t elapsed_ = 0;
  std::size_t size_ = 0;
};

}  // namespace sluice::detail
