// Timing wheel: see include/sluice/detail/timer_wheel.hpp.
#include <bit>

#include <sluice/detail/timer_wheel.hpp>

namespace sluice::detail {

namespace {
constexpr std::uint64_t slot_range(unsigned level) noexcept {
  return std::uint64_t{1} << (level * TimerWheel::kSlotBits);
}
constexpr std::uint64_t level_range(unsigned level) noexcept {
  return std::uint64_t{1} << ((level + 1) * TimerWheel::kSlotBits);
}
}  // namespace

unsigned TimerWheel::level_for(std::uint64_t elapsed, std::uint64_t when) noexcept {
  constexpr std::uint64_t kSlotMask = kSlots - 1;
  // Mask the low bits so that a difference inside one level-0 span still gives level 0.
  std::uint64_t masked = (elapsed ^ when) | kSlotMask;
  if (masked >= kMaxDuration) masked = kMaxDuration - 1;  // beyond the range: top level
  auto significant = 63u - static_cast<unsigned>(std::countl_zero(masked));
  return significant / kSlotBits;
}

void TimerWheel::insert(TimerEntry* e) noexcept {
  unsigned level = level_for(elapsed_, e->when);
  unsigned slot = slot_for(e->when, level);
  TimerEntry*& head = slots_[level][slot];
  e->slot_index = static_cast<std::uint16_t>(level * kSlots + slot);
  e->prev = nullptr;
  e->next = head;
  if (head != nullptr) head->prev = e;
  head = e;
  occupied_[level] |= std::uint64_t{1} << slot;
  ++size_;
}

void TimerWheel::remove(TimerEntry* e) noexcept {
  unsigned level = e->slot_index / kSlots;
  unsigned slot = e->slot_index % kSlots;
  TimerEntry*& head = slots_[level][slot];
  if (e->prev != nullptr) {
    e->prev->next = e->next;
  } else {
    head = e->next;
  }
  if (e->next != nullptr) e->next->prev = e->prev;
  e->prev = e->next = nullptr;
  if (head == nullptr) occupied_[level] &= ~(std::uint64_t{1} << slot);
  --size_;
}

void TimerWheel::replace(TimerEntry* src, TimerEntry* dst) noexcept {
  unsigned level = src->slot_index / kSlots;
  unsigned slot = src->slot_index % kSlots;
  dst->slot_index = src->slot_index;
  dst->prev = src->prev;
  dst->next = src->next;
  if (dst->prev != nullptr) {
    dst->prev->next = dst;
  } else {
    slots_[level][slot] = dst;
  }
  if (dst->next != nullptr) dst->next->prev = dst;
  src->prev = src->next = nullptr;
}

TimerEntry* TimerWheel::take_slot(unsigned level, unsigned slot) noexcept {
  TimerEntry* head = slots_[level][slot];
  slots_[level][slot] = nullptr;
  occupied_[level] &= ~(std::uint64_t{1} << slot);
  return head;
}

std::optional<TimerWheel::Expiration> TimerWheel::next_expiration() const noexcept {
  // Entries of a lower level always come due before any slot of a higher level.
  for (unsigned level = 0; level < kLevels; ++level) {
    std::uint64_t occ = occupied_[level];
    if (occ == 0) continue;
    // Search from the slot after the one `elapsed` is in: that slot itself is never occupied
    // below the top level, and at the top level it only holds entries a lap or more away.
    auto first = static_cast<unsigned>((elapsed_ / slot_range(level) + 1) % kSlots);
    auto zeros = static_cast<unsigned>(std::countr_zero(std::rotr(occ, static_cast<int>(first))));
    unsigned slot = (zeros + first) % kSlots;
    std::uint64_t level_start = elapsed_ & ~(level_range(level) - 1);
    std::uint64_t deadline = level_start + slot * slot_range(level);
    // Only the top level wraps (its slots are a ring for far deadlines): a slot "before" now
    // there is really one lap ahead.
    if (deadline <= elapsed_ && level == kLevels - 1) deadline += level_range(level);
    return Expiration{level, slot, deadline};
  }
  return std::nullopt;
}

std::optional<std::uint64_t> TimerWheel::next_deadline() const noexcept {
  auto exp = next_expiration();
  if (!exp) return std::nullopt;
  if (exp->level == 0) return exp->deadline;
  // A higher-level slot: the earliest deadline among its entries is the wheel's earliest (lower
  // levels are empty and later slots start after this one ends), unless the slot is a top-level
  // one whose entries are all a lap or more away: then wake at the slot's start to re-cascade
  // (early, never late).
  std::uint64_t best = ~std::uint64_t{0};
  for (TimerEntry* e = slots_[exp->level][exp->slot]; e != nullptr; e = e->next) {
    if (e->when < best) best = e->when;
  }
  if (best >= exp->deadline + slot_range(exp->level)) return exp->deadline;
  return best;
}

}  // namespace sluice::detail
