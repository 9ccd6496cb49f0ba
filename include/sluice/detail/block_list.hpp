// sluice::detail::BlockList<T>: the lock-free multi-producer single-consumer list of blocks under
// every mpsc channel (Tokio's list.rs idea, our code). Blocks: block.hpp.
//
// Positions. Every push claims one position with a single fetch_add on tail_position_; position
// p lives in the block whose start_index is p rounded down to kBlockCap, at offset p % kBlockCap.
// close() claims one more position and sets kTxClosed in its block instead of writing a value.
//
// Receiver close (unbounded channels): close_rx() sets kRxClosed, the top bit of tail_position_,
// with one fetch_or and keeps the position it returned, c. Every claim is a fetch_add on the
// same word, so each is ordered with the close: a claim below c came first and will be written;
// a claim that returns the bit came after and fails (try_push gives the value back, nothing is
// written, no block is touched). The receiver is done at index c. Everything that reads
// tail_position_ masks the bit; dead claims only make it larger, which is safe for the release
// rule below (a block whose observed tail lies past c is simply not recycled before the end).
// This is what lets an unbounded send be two locked instructions (claim, ready bit) instead of
// three (it used to count messages in a separate word to learn about the close).
//
// Sender side (any thread), fields on their own cache line:
//   tail_position_ (Atomic<size_t>)  next position to claim. fetch_add(1) by push/close; loaded
//                                    by the sender that releases a block and by the receiver to
//                                    tell Empty from Inconsistent.
//   block_tail_    (Atomic<Block*>)  a block at or before the block of tail_position_. Senders
//                                    start their walk there. Advanced (CAS) only across *final*
//                                    blocks (all slots written); the sender whose CAS succeeds
//                                    loads tail_position_ and stores it in the block it left
//                                    (tx_release), which makes that block reclaimable.
//   A sender walks from block_tail_ to its block, appending a new block when next is null
//   (grow: CAS on next; the loser appends its block further down for later use). It then
//   constructs the value in place and sets the slot's ready bit with Release.
//   The claim (fetch_add), the block_tail_ load, the block_tail_ CAS and the tail_position_ load
//   after it are seq_cst: together they guarantee that the tail position recorded by a releasing
//   sender covers the claim of every sender that may still hold a pointer into the block (a
//   store-buffering shape that acquire/release alone would allow to fail). On x86 the RMWs are
//   locked anyway and the loads are plain loads: this costs nothing.
//
// Receiver side (one thread), fields on their own cache line, no atomics:
//   head_ (block of index_), index_ (next position to read), free_head_ (oldest block not yet
//   recycled). pop() moves head_ forward along next, reads the ready bit of index_ (Acquire),
//   moves the value out and destroys the slot. Blocks between free_head_ and head_ are recycled
//   once released and fully read (observed tail position <= index_): reset, then pushed back
//   after block_tail_ (at most kReclaimTries CAS attempts along the chain), otherwise freed.
//
// Memory policy (differs from Tokio's documentation, matches Tokio 1.24's code): a recycled
// block is linked at most kReclaimTries (3) links after block_tail_, so a drained list holds its
// head block, at most 3 spare blocks, the blocks not yet released (block_tail_ lags the tail by
// about one block) and the spares appended by senders that raced to grow. After any burst the
// memory returns to this small constant; allocated_blocks() reports it for tests.
//
// Contract: close() is called at most once and after every push() has returned (the channel's
// last sender closes); pop(), is_empty(), len() and close_rx() only from the receiving thread;
// push() is not mixed with close_rx() (a bounded channel closes through its semaphore, and its
// outstanding permits may still push); the destructor runs when no other thread uses the list,
// and destroys every unread value exactly once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>

#include <sluice/detail/block.hpp>
#include <sluice/detail/sync.hpp>

namespace sluice::detail {

/// What BlockList::pop() found.
enum class PopStatus : unsigned char {
  Value,         ///< a value was moved out
  Empty,         ///< no position was claimed beyond the receiver's index
  Closed,        ///< the senders closed the list and every value was read
  Inconsistent,  ///< a sender claimed the next position but has not finished writing it
};

/// The answer of BlockList::pop(): a status, and the value when the status is Value.
///
/// Example:
///   auto r = list.pop();
///   if (r.has_value()) use(std::move(r).value());
///   else if (r.status() == detail::PopStatus::Closed) finish();
template <class T>
class [[nodiscard]] PopResult {
 public:
  /// A result holding a value constructed from `args`.
  template <class... Args>
  explicit PopResult(std::in_place_t, Args&&... args)
      : status_(PopStatus::Value), value_(std::in_place, std::forward<Args>(args)...) {}
  /// A result without a value (`s` must not be Value).
  explicit PopResult(PopStatus s) noexcept : status_(s) {}

  PopStatus status() const noexcept { return status_; }
  bool has_value() const noexcept { return status_ == PopStatus::Value; }
  /// The value (only when has_value()).
  T& value() & noexcept { return *value_; }
  const T& value() const& noexcept { return *value_; }
  T&& value() && noexcept { return std::move(*value_); }

 private:
  PopStatus status_;
  std::optional<T> value_;
};

/// Lock-free MPSC list of blocks of kBlockCap slots: many pushers, one popper.
///
/// Values are moved in and out: T may be move-only and not default-constructible. T's move
/// constructor should not throw: push() is noexcept because a claimed slot must be written
/// (a throwing move, or running out of memory for a new block, terminates, as Rust aborts).
///
/// Example:
///   detail::BlockList<int> list;
///   list.push(1);                       // any thread
///   auto r = list.pop();                // receiver thread: r.value() == 1
///   list.close();                       // after the last push
///   assert(list.pop().status() == detail::PopStatus::Closed);
template <class T>
class BlockList {
 public:
  using BlockT = Block<T>;
  /// Walk length when pushing a recycled block back after the tail (Tokio's 3).
  static constexpr int kReclaimTries = 3;

  BlockList() : tx_(new BlockT(0)), stats_(1) {
    rx_.head = tx_.block_tail.load(mo::relaxed);
    rx_.free_head = rx_.head;
  }
  BlockList(const BlockList&) = delete;
  BlockList& operator=(const BlockList&) = delete;

  /// Destroys every unread value exactly once and frees every block.
  ~BlockList() {
    BlockT* b = rx_.free_head;
    while (b != nullptr) {
      BlockT* next = b->load_next(mo::acquire);
      const std::size_t start = b->start_index();
      for (std::size_t off = 0; off < kBlockCap; ++off) {
        const std::size_t pos = start + off;
        if (pos >= rx_.index && b->has_ready_bit(pos)) b->value_at(pos).~T();
      }
      delete b;
      b = next;
    }
  }

  // ---- sender side: any thread ----

  /// Appends `value` (claims a position, then publishes the value with Release). Its last atomic
  /// operation is the ready-bit fetch_or (Chan::push relies on it: AtomicWaker::wake_after_rmw).
  ///
  /// Example:
  ///   list.push(std::string("hello"));
  void push(T&& value) noexcept {
    const std::size_t slot = tx_.tail_position.fetch_add(1, mo::seq_cst);
    find_block(slot)->write(slot, std::move(value));
  }

  /// push() unless the receiver closed (close_rx): then false, and `value` is not moved from.
  /// Its last atomic operation on success is the ready-bit fetch_or, as push().
  ///
  /// Example:
  ///   if (!list.try_push(std::move(v))) return Err(SendError<T>{std::move(v)});
  bool try_push(T&& value) noexcept {
    const std::size_t slot = tx_.tail_position.fetch_add(1, mo::seq_cst);
    if (slot & kRxClosed) [[unlikely]] {
      return false;  // claimed after the close: a dead claim, nothing to write
    }
    find_block(slot)->write(slot, std::move(value));
    return true;
  }

  /// Any thread: true once close_rx() ran.
  ///
  /// Example:
  ///   if (list.is_rx_closed()) return Err(...);
  bool is_rx_closed() const { return (tx_.tail_position.load(mo::acquire) & kRxClosed) != 0; }

  /// Closes the list: claims one more position and marks its block closed. Call once, after
  /// every push() has returned. The receiver sees Closed once it has read every value.
  ///
  /// Example:
  ///   if (tx_count.fetch_sub(1, mo::acq_rel) == 1) list.close();
  void close() noexcept {
    const std::size_t slot = tx_.tail_position.fetch_add(1, mo::seq_cst);
    if (slot & kRxClosed) return;  // the receiver closed first: it stops at its own position
    stats_.closed_at.store(slot + 1, mo::seq_cst);
    find_block(slot)->tx_close();
  }

  // ---- receiver side: one thread ----

  /// Receiver close (unbounded channels): later try_push() calls fail; every value claimed
  /// before it is still read, then pop() returns Closed. Idempotent.
  ///
  /// Example:
  ///   list.close_rx();
  ///   while (list.pop().has_value()) {}   // drains what was sent before the close
  void close_rx() noexcept {
    if (rx_.closed_at != kNotClosed) return;
    rx_.closed_at = tx_.tail_position.fetch_or(kRxClosed, mo::seq_cst) & ~kRxClosed;
  }

  /// Takes the next value. Empty: nothing claimed; Inconsistent: the next position is claimed but
  /// not yet written (try again soon); Closed: closed and drained.
  ///
  /// Example:
  ///   for (auto r = list.pop(); r.has_value(); r = list.pop()) use(std::move(r).value());
  PopResult<T> pop() {
    if (!try_advancing_head()) return empty_or_inconsistent();
    reclaim_blocks();
    BlockT* block = rx_.head;
    switch (block->state_at(rx_.index)) {
      case SlotState::Ready: {
        T& slot = block->value_at(rx_.index);
        PopResult<T> r(std::in_place, std::move(slot));  // if this throws, the value stays
        slot.~T();
        rx_.index += 1;
        return r;
      }
      case SlotState::Closed:
        return PopResult<T>(PopStatus::Closed);
      case SlotState::NotReady:
        break;
    }
    return empty_or_inconsistent();
  }

  /// True when no value is waiting: nothing claimed beyond the read position, or only the
  /// closing claim. A claimed but unwritten position counts as a value (it is on its way).
  /// Correct at block boundaries (Tokio #6603): the head block is advanced first.
  ///
  /// Example:
  ///   if (list.is_empty()) register_waker();
  bool is_empty() {
    if (try_advancing_head()) {
      switch (rx_.head->state_at(rx_.index)) {
        case SlotState::Ready:
          return false;
        case SlotState::Closed:
          return true;
        case SlotState::NotReady:
          break;
      }
    }
    return rx_end() == rx_.index;
  }

  /// Receiver: values claimed and not yet read (claimed but unwritten ones included). The
  /// closing claim is not counted once close() returned (while close() runs, it may be).
  ///
  /// Example:
  ///   std::size_t queued = list.len();
  std::size_t len() const {
    const std::size_t closed_at = stats_.closed_at.load(mo::seq_cst);
    const std::size_t end = closed_at != 0 ? std::min(closed_at - 1, rx_end()) : rx_end();
    return end > rx_.index ? end - rx_.index : 0;
  }

  /// Blocks currently allocated (linked or spare): for tests of the memory policy.
  std::size_t allocated_blocks() const { return stats_.live_blocks.load(mo::relaxed); }

 private:
  // Sender: walks from block_tail_ to the block of `slot`, growing the chain when needed and
  // advancing block_tail_ across final blocks.
  BlockT* find_block(std::size_t slot) {
    const std::size_t start = block_impl::start_index(slot);
    const std::size_t off = block_impl::offset(slot);
    BlockT* block = tx_.block_tail.load(mo::seq_cst);
    // Only senders far enough ahead try to move block_tail_: the others would mostly fail.
    bool try_updating_tail = block->distance(start) > off;
    while (!block->is_at_index(start)) {
      BlockT* next = block->load_next(mo::acquire);
      if (next == nullptr) next = grow(block);
      if (try_updating_tail && block->is_final()) {
        BlockT* expected = block;
        if (tx_.block_tail.compare_exchange_strong(expected, next, mo::seq_cst)) {
          block->tx_release(claimed());
        } else {
          try_updating_tail = false;
        }
      }
      block = next;
    }
    return block;
  }

  // Sender: appends a new block after `block`; returns the block that follows `block`.
  BlockT* grow(BlockT* block) {
    auto* fresh = new BlockT(block->start_index() + kBlockCap);
    stats_.live_blocks.fetch_add(1, mo::relaxed);
    BlockT* next = block->try_push(fresh, mo::acq_rel);
    if (next == nullptr) return fresh;
    // Another sender appended first: keep ours as a spare at the end of the chain.
    BlockT* curr = next;
    while (BlockT* n = curr->try_push(fresh, mo::acq_rel)) curr = n;
    return next;
  }

  // Receiver: moves head_ to the block of index_; false when that block is not linked yet.
  bool try_advancing_head() {
    const std::size_t start = block_impl::start_index(rx_.index);
    while (!rx_.head->is_at_index(start)) {
      BlockT* next = rx_.head->load_next(mo::acquire);
      if (next == nullptr) return false;
      rx_.head = next;
    }
    return true;
  }

  // Receiver: recycles the blocks before head_ that are released and fully read.
  void reclaim_blocks() {
    while (rx_.free_head != rx_.head) {
      BlockT* block = rx_.free_head;
      std::size_t observed = 0;
      if (!block->observed_tail_position(observed)) return;
      // Offset too large to pack: the current tail is later than the observed one, so waiting
      // for it is safe (only slower to recycle).
      if (observed == BlockT::kUnknownTail) observed = claimed();
      if (observed > rx_.index) return;
      rx_.free_head = block->load_next(mo::acquire);
      reclaim_block(block);
    }
  }

  // Receiver: resets `block` and links it after the tail, or frees it (memory policy above).
  void reclaim_block(BlockT* block) {
    block->reclaim();
    BlockT* curr = tx_.block_tail.load(mo::acquire);
    for (int i = 0; i < kReclaimTries; ++i) {
      BlockT* next = curr->try_push(block, mo::acq_rel);
      if (next == nullptr) return;
      curr = next;
    }
    delete block;
    stats_.live_blocks.fetch_sub(1, mo::relaxed);
  }

  PopResult<T> empty_or_inconsistent() const {
    if (rx_.index == rx_.closed_at) return PopResult<T>(PopStatus::Closed);  // close_rx, drained
    const bool empty = rx_end() == rx_.index;
    return PopResult<T>(empty ? PopStatus::Empty : PopStatus::Inconsistent);
  }

  // Receiver: the end of what will be written: the close_rx position once closed (later claims
  // are dead), otherwise the tail position.
  std::size_t rx_end() const { return rx_.closed_at != kNotClosed ? rx_.closed_at : claimed(); }

  // Any thread: positions claimed so far (dead claims after a close_rx included: the bit is
  // masked, the count is not).
  std::size_t claimed() const { return tx_.tail_position.load(mo::seq_cst) & ~kRxClosed; }

  /// Top bit of tail_position_: set by close_rx().
  static constexpr std::size_t kRxClosed = ~(~std::size_t{0} >> 1);
  static constexpr std::size_t kNotClosed = ~std::size_t{0};

  struct alignas(kCacheLine) TxSide {
    explicit TxSide(BlockT* first) : block_tail(first), tail_position(0) {}
    Atomic<BlockT*> block_tail;
    Atomic<std::size_t> tail_position;
  };
  struct alignas(kCacheLine) RxSide {
    BlockT* head = nullptr;
    BlockT* free_head = nullptr;
    std::size_t index = 0;
    std::size_t closed_at = kNotClosed;  // close_rx(): the first dead position
  };
  struct alignas(kCacheLine) Stats {
    explicit Stats(std::size_t n) : live_blocks(n), closed_at(0) {}
    Atomic<std::size_t> live_blocks;
    Atomic<std::size_t> closed_at;  // 0 while open, then the closing claim's position + 1
  };

  TxSide tx_;
  RxSide rx_;
  Stats stats_;
};

}  // namespace sluice::detail
