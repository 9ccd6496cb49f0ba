// sluice::detail::BroadcastShared<T>: the ring behind a broadcast channel.
//
// - slots_: `capacity` slots (a power of two, mask_ = capacity - 1). Slot i holds the value sent
//   at position pos (pos & mask_ == i), pos itself, and rem: how many receivers still have to
//   read it. A slot starts with pos = i - capacity (wrapping), i.e. "position i not written
//   yet". Each slot has its own mutex (values are copied out under it, serially, so a T whose
//   copy is not thread-safe is fine).
// - tail_ (under tail_mu_): pos, the position of the next send; rx_count, the live receivers;
//   closed, set when the last strong sender goes; rx_waiters, the receivers waiting for
//   position pos; closed_waiters, Sender::closed() futures waiting for rx_count == 0.
// - Lock order: tail_mu_ before a slot's mutex. A receiver that finds its slot not written yet
//   drops the slot lock and takes tail_mu_ then the slot lock again.
// - Sending at pos overwrites the slot of pos - capacity: receivers that had not read it are
//   lapped; their next read notices (slot pos > their cursor) and reports Lagged(n) with n =
//   (tail pos - capacity) - cursor, then resumes at tail pos - capacity, the oldest kept value.
// - rem: set to rx_count by the send; decremented by each read or by a receiver's drop for each
//   slot it had not read; the value is destroyed when it reaches 0 (freed once every receiver
//   saw it) or when the slot is overwritten (every remaining receiver was lapped).
// - tx_count_ (strong senders, the channel closes when it reaches 0) and weak_count_ are atomics;
//   upgrade() is a CAS loop that never revives 0.
//
// Example:
//   auto s = std::make_shared<detail::BroadcastShared<int>>(4);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <sluice/detail/sync.hpp>
#include <sluice/detail/waiter_list.hpp>

namespace sluice::detail {

/// Shared state of one broadcast channel (see the file comment).
template <class T>
class BroadcastShared {
  static_assert(std::is_copy_constructible_v<T>,
                "sluice::broadcast: every receiver gets its own copy, so T must be copyable");

 public:
  struct alignas(kCacheLine) Slot {
    std::mutex mu;
    std::uint64_t pos = 0;
    std::size_t rem = 0;
    std::optional<T> val;
  };
  struct Tail {
    std::uint64_t pos = 0;
    std::size_t rx_count = 0;
    bool closed = false;
    WaiterList rx_waiters;
    WaiterList closed_waiters;
  };

  /// Rounds `capacity` up to a power of two; throws std::invalid_argument for 0 or a capacity
  /// too large to round.
  explicit BroadcastShared(std::size_t capacity)
      : slots_(round_up(capacity)), mask_(slots_.size() - 1) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].pos = static_cast<std::uint64_t>(i) - static_cast<std::uint64_t>(slots_.size());
    }
  }

  std::size_t capacity() const noexcept { return slots_.size(); }
  Slot& slot(std::uint64_t pos) noexcept { return slots_[static_cast<std::size_t>(pos & mask_)]; }

  std::mutex tail_mu_;
  Tail tail_;
  Atomic<std::size_t> tx_count_{1};
  Atomic<std::size_t> weak_count_{0};

  /// Wakes every receiver waiting for a value (tail_mu_ held through `lk`).
  void notify_rx(std::unique_lock<std::mutex>& lk) { tail_.rx_waiters.wake_all(lk); }

 private:
  static std::size_t round_up(std::size_t c) {
    if (c == 0)
      throw std::invalid_argument("sluice::broadcast::channel: capacity must be greater than 0");
    if (c > (std::size_t{1} << 40))
      throw std::invalid_argument("sluice::broadcast::channel: capacity too large");
    std::size_t p = 1;
    while (p < c) p <<= 1;
    return p;
  }

  std::vector<Slot> slots_;
  std::uint64_t mask_;
};

}  // namespace sluice::detail
