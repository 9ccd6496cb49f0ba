// sluice::detail::Block<T>: one block of the mpsc block list (block_list.hpp): kBlockCap slots
// plus three words of bookkeeping. See block_list.hpp for the protocol that links blocks.
//
// ready_slots_ (detail::Atomic<std::uint64_t>) bits:
//   bit i (0 <= i < kBlockCap)  slot i holds a value. Set (fetch_or, Release) by the sender that
//                               claimed the slot, right after it constructed the value in place.
//                               Read (Acquire) by the receiver before moving the value out. The
//                               receiver never clears a single bit: reclaim() resets the word.
//   kReleased  (bit kBlockCap)  no sender can reach this block any more: block_tail moved past it.
//                               Set (Release) by the sender whose CAS advanced block_tail, in the
//                               same fetch_or as the observed tail (below). The receiver may
//                               recycle the block once it has read every slot below that tail.
//   kTxClosed  (bit kBlockCap+1) the senders closed the list; the closing claim's slot is in this
//                               block. Set (Release) by BlockList::close().
//   bits kObservedShift..63     the tail position the releasing sender saw just after its CAS,
//                               minus start_index_ (it fits in 30 bits unless senders claimed
//                               2^30 positions past a block while one of its writers stalled;
//                               then all ones, kObservedUnknown, and the receiver uses the
//                               current tail position instead: larger, so reclaiming stays safe).
//                               Tokio keeps this in a fourth word; packing it makes a block 280
//                               bytes, a 288-byte malloc chunk instead of 304 (1M queued u64:
//                               8.6 MiB instead of 9.1).
// Plain fields:
//   start_index_   position of slot 0. Written before the block is published by a CAS on some
//                  block's next_ (AcqRel), or while the block is private (allocation, reclaim).
//   next_          atomic: null until a sender (grow) or the receiver (reclaim) appends a block.
// Values live in raw storage: slot i is constructed by its sender and destroyed by the receiver
// when it moves the value out (or by ~BlockList for unread values).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include <sluice/detail/sync.hpp>

namespace sluice::detail {

/// Slots per block: 32 (Tokio's figure on 64-bit targets); 2 under the model build, so that
/// small models cross block boundaries.
#if defined(SLUICE_MODEL)
inline constexpr std::size_t kBlockCap = 2;
#else
inline constexpr std::size_t kBlockCap = 32;
#endif
static_assert((kBlockCap & (kBlockCap - 1)) == 0 && kBlockCap <= 32,
              "kBlockCap: power of two <= 32");

namespace block_impl {

inline constexpr std::uint64_t kReadyMask = (std::uint64_t{1} << kBlockCap) - 1;
inline constexpr std::uint64_t kReleased = std::uint64_t{1} << kBlockCap;
inline constexpr std::uint64_t kTxClosed = std::uint64_t{1} << (kBlockCap + 1);
inline constexpr unsigned kObservedShift = kBlockCap + 2;
/// Largest observed-tail offset the ready word holds; the all-ones value means "unknown".
inline constexpr std::uint64_t kObservedUnknown = ~std::uint64_t{0} >> kObservedShift;

/// The type of detail::mo::acquire etc. (std::memory_order, or Relacy's under the model).
using MemoryOrder = std::remove_cv_t<decltype(mo::acquire)>;

/// Start position of the block holding `slot_index`.
constexpr std::size_t start_index(std::size_t slot_index) noexcept {
  return slot_index & ~(kBlockCap - 1);
}
/// Offset of `slot_index` inside its block.
constexpr std::size_t offset(std::size_t slot_index) noexcept {
  return slot_index & (kBlockCap - 1);
}

/// A plain field published through atomics. Under SLUICE_MODEL it is an rl::var, so Relacy
/// reports any access that the protocol failed to order.
template <class V>
class Field {
 public:
  explicit Field(V v) : v_(v) {}
#if defined(SLUICE_MODEL)
  V get() const { return v_($).load(); }
  void set(V v) { v_($).store(v); }

 private:
  rl::var<V> v_;
#else
  V get() const noexcept { return v_; }
  void set(V v) noexcept { v_ = v; }

 private:
  V v_;
#endif
};

}  // namespace block_impl

/// What the receiver finds at one slot.
enum class SlotState : unsigned char {
  Ready,     ///< the value is there
  NotReady,  ///< nobody wrote the slot yet
  Closed,    ///< not written, and the senders closed the list in this block
};

/// A block of kBlockCap slots of the mpsc list. Never destroys values itself.
template <class T>
class Block {
 public:
  explicit Block(std::size_t start_index)
      : start_index_(start_index), next_(nullptr), ready_slots_(0) {}
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  ~Block() = default;

  std::size_t start_index() const { return start_index_.get(); }
  void set_start_index(std::size_t i) { start_index_.set(i); }
  bool is_at_index(std::size_t index) const { return start_index() == index; }
  /// Number of blocks between this block and the block starting at `other_start`.
  std::size_t distance(std::size_t other_start) const {
    return (other_start - start_index()) / kBlockCap;
  }

  Block* load_next(block_impl::MemoryOrder order) const { return next_.load(order); }

  /// Sender: appends `block` (a private block) after this one, numbering it accordingly.
  /// Returns null on success, or the block that is already there. (Single-order CAS: the
  /// failure order is derived, acq_rel -> acquire.)
  Block* try_push(Block* block, block_impl::MemoryOrder order) {
    block->set_start_index(start_index() + kBlockCap);
    Block* expected = nullptr;
    if (next_.compare_exchange_strong(expected, block, order)) return nullptr;
    return expected;
  }

  /// Sender: constructs the value of `slot_index` in place and publishes it (Release).
  /// noexcept: the slot is claimed, so a throwing move would leave a hole the receiver waits on.
  void write(std::size_t slot_index, T&& value) noexcept {
    const std::size_t off = block_impl::offset(slot_index);
    ::new (static_cast<void*>(storage_[off])) T(std::move(value));
    ready_slots_.fetch_or(std::uint64_t{1} << off, mo::release);
  }

  /// Receiver: the state of `slot_index` (Acquire, so a Ready value may be read).
  SlotState state_at(std::size_t slot_index) const {
    const std::uint64_t bits = ready_slots_.load(mo::acquire);
    if (bits & (std::uint64_t{1} << block_impl::offset(slot_index))) return SlotState::Ready;
    return (bits & block_impl::kTxClosed) ? SlotState::Closed : SlotState::NotReady;
  }

  /// The value at `slot_index` (receiver, after state_at() returned Ready).
  T& value_at(std::size_t slot_index) noexcept {
    return *std::launder(reinterpret_cast<T*>(storage_[block_impl::offset(slot_index)]));
  }

  /// True when the ready bit of `slot_index` is set (no ordering: for destruction only).
  bool has_ready_bit(std::size_t slot_index) const {
    return (ready_slots_.load(mo::relaxed) >> block_impl::offset(slot_index)) & 1u;
  }

  /// Sender (close): marks the list closed in this block.
  void tx_close() { ready_slots_.fetch_or(block_impl::kTxClosed, mo::release); }

  /// Sender: true when every slot has been written (the block may leave the tail).
  bool is_final() const {
    return (ready_slots_.load(mo::acquire) & block_impl::kReadyMask) == block_impl::kReadyMask;
  }

  /// Value observed_tail_position() gives when the offset did not fit (see the top of the file).
  static constexpr std::size_t kUnknownTail = SIZE_MAX;

  /// Sender that advanced block_tail past this block: marks it released, with the tail position
  /// it observed, in one fetch_or (Release).
  void tx_release(std::size_t tail_position) {
    const std::uint64_t offset = tail_position - start_index();
    const std::uint64_t packed = std::min<std::uint64_t>(offset, block_impl::kObservedUnknown);
    ready_slots_.fetch_or(block_impl::kReleased | (packed << block_impl::kObservedShift),
                          mo::release);
  }

  /// Receiver: if released, stores the observed tail position in `out` (kUnknownTail when it
  /// did not fit) and returns true.
  bool observed_tail_position(std::size_t& out) const {
    const std::uint64_t bits = ready_slots_.load(mo::acquire);
    if (!(bits & block_impl::kReleased)) return false;
    const std::uint64_t offset = bits >> block_impl::kObservedShift;
    out = offset == block_impl::kObservedUnknown ? kUnknownTail : start_index() + offset;
    return true;
  }

  /// Receiver: resets a fully read, released block before it is pushed back for reuse.
  void reclaim() {
    start_index_.set(0);
    next_.store(nullptr, mo::relaxed);
    ready_slots_.store(0, mo::relaxed);
  }

 private:
  block_impl::Field<std::size_t> start_index_;
  Atomic<Block*> next_;
  Atomic<std::uint64_t> ready_slots_;
  alignas(T) unsigned char storage_[kBlockCap][sizeof(T)];
};

}  // namespace sluice::detail
