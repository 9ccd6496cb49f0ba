// DeferredWakes: wakes that may wait until the end of the current task poll.
//
// Why: a bounded mpsc receiver that takes a message out of a full channel assigns the freed slot
// to the first waiting sender and wakes it. Woken right away, that sender (often on the other
// worker) sends one message and queues again behind the permit the next receive frees: a task
// wake per message. Woken at the end of the receiver's poll instead, each waiting sender has
// been served by then, the rest of the freed slots went to the free pool, and the woken senders
// send a run of messages without queueing (mpsc_mpsc_4x128 mt 1.30x; docs/design/
// mpsc-internals.md has the measurements).
//
// Who defers: only the mpsc receiver's permit releases (BatchSemaphore::release with a list).
// Mutex and Semaphore hand-offs wake at once: a holder that is not running holds up everyone.
//
// Where the list lives: on the stack of TaskCell::poll_future, reached through the Context
// (detail::ContextInternals). A poll without one (block_on, a plain thread, a test's Context)
// wakes at once. The receiver flushes the list before it returns pending, so a sender it
// waits for is never held back by the deferral; the task poll flushes whatever is left when it
// returns. A full list wakes at once: at most kCapacity wakes wait.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

#include <sluice/waker.hpp>

namespace sluice::detail {

/// Up to kCapacity wakers held until flush() (or destruction). Not thread-safe: one per poll.
///
/// Example:
///   DeferredWakes deferred;
///   if (!deferred.push(std::move(w))) { /* full: w was woken now */ }
///   deferred.flush();   // wakes them all, in push order
class DeferredWakes {
 public:
  static constexpr std::size_t kCapacity = 16;

  DeferredWakes() noexcept {}  // storage left uninitialised: only [0, n_) holds wakers
  DeferredWakes(const DeferredWakes&) = delete;
  DeferredWakes& operator=(const DeferredWakes&) = delete;
  ~DeferredWakes() { flush(); }

  /// Keeps `w` for flush(); when full, wakes it now instead. Returns false in that case.
  bool push(Waker&& w) {
    if (n_ == kCapacity) {
      std::move(w).wake();
      return false;
    }
    ::new (static_cast<void*>(slot(n_))) Waker(std::move(w));
    ++n_;
    return true;
  }

  /// Wakes every kept waker in push order and empties the list.
  void flush() {
    // A wake may run code that defers again (it should not, but stay correct): index, not range.
    for (std::size_t i = 0; i < n_; ++i) {
      Waker* w = slot(i);
      std::move(*w).wake();
      w->~Waker();
    }
    n_ = 0;
  }

  /// Wakers kept now.
  std::size_t size() const noexcept { return n_; }

 private:
  Waker* slot(std::size_t i) noexcept {
    return std::launder(reinterpret_cast<Waker*>(storage_ + i * sizeof(Waker)));
  }

  alignas(Waker) unsigned char storage_[kCapacity * sizeof(Waker)];
  std::size_t n_ = 0;
};

}  // namespace sluice::detail
