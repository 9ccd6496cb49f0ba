// LocalQueue: a worker's fixed-size run queue; one owner pushes and pops, any thread steals.
// The protocol is Tokio's `runtime/scheduler/multi_thread/queue.rs`, rewritten in C++.
//
// Positions are u32 counters that wrap; slot of position p = buffer_[p & (Capacity - 1)].
// Live items are the positions [head.real, tail). Positions [head.steal, head.real) are being
// copied out by a stealer: their slots must not be overwritten yet.
//
// Atomic words:
//   tail_   Atomic<uint32_t>: one past the newest item. Written only by the owner (Release, after
//           it filled the slot); read by stealers (Acquire) and by the owner (Relaxed).
//   head_   Atomic<uint64_t> packing two u32 halves:
//             bits  0..31  real  - the oldest item not yet claimed. Advanced by CAS by the owner
//                                  (pop, overflow) and by a stealer (claiming its half).
//             bits 32..63  steal - equal to real when no steal is in progress. A stealer that
//                                  claims [real, real+n) leaves steal where it was, copies the
//                                  items out, then CASes steal up to the current real.
//           While steal != real, other stealers back off (return nothing) and the owner may still
//           pop (moves real only) but must not reuse the slots at [steal, real): push treats the
//           queue as full from `steal`, and overflow refuses to move items (it needs steal ==
//           real).
//   buffer_ Capacity x Atomic<N*>, all accesses Relaxed: the slot of position p is written only by
//           the owner, before the Release store of tail_ that publishes p; it is read by a stealer
//           only after its Acquire load of tail_ saw p published, and the owner overwrites it
//           only after an Acquire load of head_ showed steal past p (the stealer's AcqRel CAS).
// CASes use the one-order form: the failure order is derived (acq_rel -> acquire, release ->
// relaxed), which is also what the Relacy facade accepts.
//
// The nodes are intrusive: LocalQueue never owns them. Its owner must drain it (pop until null)
// before destroying it.
#pragma once

#include <cassert>
#include <cstdint>
#include <stdexcept>

#include "sluice/detail/inject_queue.hpp"
#include "sluice/detail/sync.hpp"

#if defined(SLUICE_MODEL)
#define SLUICE_QUEUE_ASSERT(cond) RL_ASSERT(cond)
#else
#define SLUICE_QUEUE_ASSERT(cond) assert(cond)
#endif

namespace sluice::detail {

/// Single-owner, multi-stealer bounded run queue of intrusive nodes (`N* queue_next` member).
///
/// Owner-only operations: push_back_or_overflow, push_back_batch, pop, remaining_slots, and
/// steal_into when called with this queue as `dst`. Any thread: steal_into (as source), len,
/// is_empty, is_stealable.
///
/// Example:
///   LocalQueue<Header> local;  InjectQueue<Header> inject;
///   local.push_back_or_overflow(task, inject);        // owner
///   Header* next = local.pop();                        // owner, FIFO
///   Header* stolen = victim.steal_into(local);         // thief, on its own queue `local`
template <class N, std::uint32_t Capacity = 256>
class LocalQueue {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0,
                "LocalQueue Capacity must be a power of two >= 2");
  static_assert(Capacity <= (1u << 30), "LocalQueue Capacity too large for u32 positions");

 public:
  /// The number of slots.
  static constexpr std::uint32_t capacity = Capacity;

  LocalQueue() : head_(0), tail_(0) {
    for (std::uint32_t i = 0; i < Capacity; i += 1) buffer_[i].store(nullptr, mo::relaxed);
  }
  // Not copyable or movable (atomic members). No `= delete` spelled here: Relacy
  // #defines `delete` under the model build.

  /// Owner only. Appends `n`. If the queue is full, moves the older half of it plus `n` to
  /// `inject` as one batch; if it is full while a steal is in progress, sends just `n` there.
  /// Nodes sent to `inject` go through push_batch, which accepts them even if it is closed.
  ///
  /// Example: `local.push_back_or_overflow(task, inject);`
  void push_back_or_overflow(N* n, InjectQueue<N>& inject) {
    std::uint32_t tail = 0;
    for (;;) {
      const std::uint64_t head = head_.load(mo::acquire);
      const std::uint32_t steal = steal_part(head);
      const std::uint32_t real = real_part(head);
      tail = tail_.load(mo::relaxed);
      if (tail - steal < Capacity) break;  // room
      if (steal != real) {
        // A stealer is copying items out; it will free room soon, but do not wait for it.
        inject.push_batch(n, n, 1);
        return;
      }
      if (push_overflow(n, real, tail, inject)) return;
      // A stealer claimed items between our load and the CAS: there is room now; retry.
    }
    buffer_[tail & kMask].store(n, mo::relaxed);
    tail_.store(tail + 1, mo::release);
  }

  /// Owner only. Appends `count` nodes in order. The caller guarantees room:
  /// `count <= remaining_slots()`; otherwise throws std::logic_error and pushes nothing.
  ///
  /// Example: `N* buf[64]; auto k = inject.pop_n(buf, local.remaining_slots());
  /// local.push_back_batch(buf, k);`
  void push_back_batch(N** nodes, std::uint32_t count) {
    if (count == 0) return;
    const std::uint32_t steal = steal_part(head_.load(mo::acquire));
    std::uint32_t tail = tail_.load(mo::relaxed);
    if (count > Capacity || tail - steal > Capacity - count) {
      throw std::logic_error(
          "sluice: LocalQueue::push_back_batch: not enough room in the local queue");
    }
    for (std::uint32_t i = 0; i < count; i += 1) {
      buffer_[tail & kMask].store(nodes[i], mo::relaxed);
      tail += 1;
    }
    tail_.store(tail, mo::release);
  }

  /// Owner only. Removes and returns the oldest node (FIFO), or null if the queue is empty.
  ///
  /// Example: `while (N* t = local.pop()) run(t);`
  N* pop() {
    std::uint64_t head = head_.load(mo::acquire);
    std::uint32_t idx = 0;
    for (;;) {
      const std::uint32_t steal = steal_part(head);
      const std::uint32_t real = real_part(head);
      const std::uint32_t tail = tail_.load(mo::relaxed);
      if (real == tail) return nullptr;
      const std::uint32_t next_real = real + 1;
      // No steal in progress: move both halves. Otherwise leave the stealer's half alone.
      const std::uint64_t next =
          steal == real ? pack(next_real, next_real) : pack(steal, next_real);
      SLUICE_QUEUE_ASSERT(steal == real || steal != next_real);
      if (head_.compare_exchange_weak(head, next, mo::acq_rel)) {
        idx = real & kMask;
        break;
      }
    }
    return buffer_[idx].load(mo::relaxed);
  }

  /// Owner only. Free slots: Capacity minus the items held, counting items a stealer is still
  /// copying out.
  ///
  /// Example: `if (local.remaining_slots() >= 32) refill_from(inject);`
  std::uint32_t remaining_slots() const noexcept {
    const std::uint32_t steal = steal_part(head_.load(mo::acquire));
    const std::uint32_t tail = tail_.load(mo::relaxed);
    return Capacity - (tail - steal);
  }

  /// Any thread, usually the owner of `dst` (which must not be *this). Steals about half of the
  /// items of *this (the older half, rounded up) into `dst`; returns the newest stolen node for
  /// the caller to run right away (it is not put in `dst`), or null if nothing was stolen: *this
  /// is empty, another steal from it is in progress, or `dst` is more than half full.
  ///
  /// Example: `if (N* t = victim.steal_into(mine)) run(t);`
  N* steal_into(LocalQueue& dst) {
    if (&dst == this)
      throw std::logic_error("sluice: LocalQueue::steal_into: cannot steal into itself");
    const std::uint32_t dst_tail = dst.tail_.load(mo::relaxed);
    const std::uint32_t dst_steal = steal_part(dst.head_.load(mo::acquire));
    // The stolen items land at dst positions [dst_tail, dst_tail + n) with n <= Capacity / 2:
    // they must not overlap slots a stealer of dst still reads.
    if (dst_tail - dst_steal > Capacity / 2) return nullptr;

    std::uint32_t n = steal_into2(dst, dst_tail);
    if (n == 0) return nullptr;
    n -= 1;
    N* ret = dst.buffer_[(dst_tail + n) & kMask].load(mo::relaxed);
    if (n > 0) dst.tail_.store(dst_tail + n, mo::release);
    return ret;
  }

  /// Number of items (exact for the owner; a snapshot from other threads).
  ///
  /// Example: `metrics.local_len = local.len();`
  std::uint32_t len() const noexcept {
    const std::uint32_t real = real_part(head_.load(mo::acquire));
    const std::uint32_t tail = tail_.load(mo::acquire);
    return tail - real;
  }

  /// How many items the owner has popped so far (wraps around). Another worker that sees it
  /// move knows the owner is running its queue (the patient steal in multi_thread.cpp).
  ///
  /// Example: `const auto before = victim.popped(); ... if (victim.popped() != before) ...`
  std::uint32_t popped() const noexcept { return real_part(head_.load(mo::acquire)); }

  /// True if len() == 0.
  ///
  /// Example: `if (local.is_empty()) go_search();`
  bool is_empty() const noexcept { return len() == 0; }

  /// True if the queue holds items and no steal from it is in progress (a hint for stealers).
  /// Added beyond the contract (Tokio's `is_stealable`).
  ///
  /// Example: `if (victim.is_stealable()) victim.steal_into(mine);`
  bool is_stealable() const noexcept {
    const std::uint64_t head = head_.load(mo::acquire);
    return steal_part(head) == real_part(head) && tail_.load(mo::acquire) != real_part(head);
  }

 private:
  static constexpr std::uint32_t kMask = Capacity - 1;

  static constexpr std::uint32_t real_part(std::uint64_t h) noexcept {
    return static_cast<std::uint32_t>(h);
  }
  static constexpr std::uint32_t steal_part(std::uint64_t h) noexcept {
    return static_cast<std::uint32_t>(h >> 32);
  }
  static constexpr std::uint64_t pack(std::uint32_t steal, std::uint32_t real) noexcept {
    return (static_cast<std::uint64_t>(steal) << 32) | real;
  }

  // Owner, queue full (tail - head == Capacity, no steal in progress): claims the older half,
  // links it plus `n` through queue_next and hands the list to `inject`. False if a stealer
  // moved head first (then there is room and the caller retries the push).
  bool push_overflow(N* n, std::uint32_t head, std::uint32_t tail, InjectQueue<N>& inject) {
    constexpr std::uint32_t kTaken = Capacity / 2;
    SLUICE_QUEUE_ASSERT(tail - head == Capacity);
    (void)tail;
    std::uint64_t expected = pack(head, head);
    const std::uint64_t next = pack(head + kTaken, head + kTaken);
    if (!head_.compare_exchange_strong(expected, next, mo::release)) return false;

    N* first = buffer_[head & kMask].load(mo::relaxed);
    N* prev = first;
    for (std::uint32_t i = 1; i < kTaken; i += 1) {
      N* cur = buffer_[(head + i) & kMask].load(mo::relaxed);
      prev->queue_next = cur;
      prev = cur;
    }
    prev->queue_next = n;
    n->queue_next = nullptr;
    inject.push_batch(first, n, kTaken + 1);
    return true;
  }

  // Claims half of the items of *this, copies them to dst positions [dst_tail, ...), then
  // releases the claim. Returns how many were copied (0: nothing to steal or a steal is busy).
  std::uint32_t steal_into2(LocalQueue& dst, std::uint32_t dst_tail) {
    std::uint64_t prev_packed = head_.load(mo::acquire);
    std::uint64_t next_packed = 0;
    std::uint32_t n = 0;
    for (;;) {
      const std::uint32_t steal = steal_part(prev_packed);
      const std::uint32_t real = real_part(prev_packed);
      const std::uint32_t src_tail = tail_.load(mo::acquire);
      if (steal != real) return 0;  // another stealer is busy with this queue
      n = src_tail - real;
      n -= n / 2;
      if (n == 0) return 0;
      // tail was loaded after head: a stale head with a fresh tail can show more than Capacity
      // items for a moment; the CAS below fails in that case, but keep n within bounds anyway.
      if (n > Capacity / 2) {
        prev_packed = head_.load(mo::acquire);
        continue;
      }
      next_packed = pack(steal, real + n);
      if (head_.compare_exchange_weak(prev_packed, next_packed, mo::acq_rel)) break;
    }
    SLUICE_QUEUE_ASSERT(n <= Capacity / 2);

    const std::uint32_t first = steal_part(next_packed);
    for (std::uint32_t i = 0; i < n; i += 1) {
      N* node = buffer_[(first + i) & kMask].load(mo::relaxed);
      dst.buffer_[(dst_tail + i) & kMask].store(node, mo::relaxed);
    }

    // Done copying: move steal up to real (the owner may have popped meanwhile).
    prev_packed = next_packed;
    for (;;) {
      const std::uint32_t real = real_part(prev_packed);
      SLUICE_QUEUE_ASSERT(steal_part(prev_packed) != real);
      if (head_.compare_exchange_weak(prev_packed, pack(real, real), mo::acq_rel)) {
        return n;
      }
    }
  }

  Atomic<std::uint64_t> head_;  // (steal << 32) | real; see the file comment
  Atomic<std::uint32_t> tail_;  // written by the owner only
  Atomic<N*> buffer_[Capacity];
};

}  // namespace sluice::detail
