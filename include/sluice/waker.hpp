/// @file
/// sluice::Waker: the handle a pending future keeps so that someone can wake its task later.
///
/// Modelled on Rust's Waker/RawWaker: a data pointer and a table of four functions (clone, wake,
/// wake_by_ref, drop). Waking a runtime task schedules it; waking a thread waker unparks a thread.
/// Copying a Waker clones it (a task waker bumps the task's reference count); destroying it drops.
///
/// Example (a leaf future that is ready the second time it is polled):
/// ```cpp
/// struct Once {
///   using Output = void;
///   bool polled = false;
///   sluice::Poll<void> poll(sluice::Context& cx) {
///     if (polled) return sluice::Poll<void>::ready();
///     polled = true;
///     cx.waker().wake_by_ref();   // ask to be polled again
///     return sluice::pending;
///   }
/// };
/// ```
#pragma once

#include <utility>

namespace sluice {

/// The function table behind a Waker. Each function receives the Waker's data pointer.
struct RawWakerVTable {
  /// Returns the data pointer of a new Waker for the same target (e.g. after a ref-count bump).
  void* (*clone)(void* data);
  /// Wakes the target and releases this Waker's reference (the Waker is consumed).
  void (*wake)(void* data);
  /// Wakes the target without releasing anything.
  void (*wake_by_ref)(void* data);
  /// Releases this Waker's reference without waking.
  void (*drop)(void* data);
};

/// A copyable handle that wakes one task or thread.
///
/// A default-constructed Waker is empty: waking it does nothing. Wakers are thread-safe to wake
/// from any thread; a single Waker object is not safe to mutate from two threads at once.
///
/// Example:
/// ```cpp
/// sluice::Waker saved = cx.waker();   // keep a clone
/// ...
/// std::move(saved).wake();            // later, from any thread
/// ```
class Waker {
 public:
  /// An empty waker: wake() and wake_by_ref() do nothing.
  constexpr Waker() noexcept = default;
  /// Adopts `data` (one reference) with the given table.
  constexpr Waker(void* data, const RawWakerVTable* vtable) noexcept : data_(data), vt_(vtable) {}

  /// Clones `o` through its vtable (an empty Waker copies as empty).
  Waker(const Waker& o) : data_(o.vt_ ? o.vt_->clone(o.data_) : nullptr), vt_(o.vt_) {}
  /// Takes over `o`'s reference; `o` becomes empty.
  Waker(Waker&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), vt_(std::exchange(o.vt_, nullptr)) {}
  /// Drops the current target and clones `o`; does nothing when will_wake(o) already holds.
  Waker& operator=(const Waker& o) {
    if (this != &o && !will_wake(o)) {
      Waker tmp(o);
      swap(tmp);
    }
    return *this;
  }
  /// Drops the current target and takes over `o`'s reference; `o` becomes empty.
  Waker& operator=(Waker&& o) noexcept {
    if (this != &o) {
      Waker tmp(std::move(o));
      swap(tmp);
    }
    return *this;
  }
  /// Drops the reference without waking (see reset()).
  ~Waker() { reset(); }

  /// Wakes the target and empties this Waker.
  void wake() && {
    if (vt_) {
      auto* vt = std::exchange(vt_, nullptr);
      vt->wake(std::exchange(data_, nullptr));
    }
  }
  /// Wakes the target; this Waker stays valid.
  void wake_by_ref() const {
    if (vt_) vt_->wake_by_ref(data_);
  }
  /// True when both wakers wake the same target, so re-registering can be skipped.
  bool will_wake(const Waker& o) const noexcept { return data_ == o.data_ && vt_ == o.vt_; }
  /// True for a default-constructed (or moved-from) Waker.
  bool is_empty() const noexcept { return vt_ == nullptr; }
  /// Drops the reference and becomes empty.
  void reset() noexcept {
    if (vt_) {
      auto* vt = std::exchange(vt_, nullptr);
      vt->drop(std::exchange(data_, nullptr));
    }
  }
  /// Exchanges the targets of two wakers.
  void swap(Waker& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(vt_, o.vt_);
  }

  /// The data pointer (for runtimes that recognise their own wakers).
  void* data() const noexcept { return data_; }
  /// The function table (for runtimes that recognise their own wakers).
  const RawWakerVTable* vtable() const noexcept { return vt_; }

  /// A waker that does nothing when woken (useful to poll a future once).
  static const Waker& noop() noexcept;

 private:
  void* data_ = nullptr;
  const RawWakerVTable* vt_ = nullptr;
};

/// @cond
namespace detail {
inline void* noop_clone(void* d) { return d; }
inline void noop_fn(void*) {}
inline constexpr RawWakerVTable kNoopWakerVTable{&noop_clone, &noop_fn, &noop_fn, &noop_fn};
inline const Waker kNoopWaker{nullptr, &kNoopWakerVTable};
}  // namespace detail
/// @endcond

inline const Waker& Waker::noop() noexcept { return detail::kNoopWaker; }

}  // namespace sluice
