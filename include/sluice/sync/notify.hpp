/// @file
/// sluice::Notify: wake one task or all of them, without data (tokio::sync::Notify).
///
/// notify_one() wakes the longest-waiting notified() future; when nobody waits it stores one
/// permit (at most one) that the next notified() consumes at once. notify_waiters() wakes every
/// notified() future created before the call (polled or not) and stores nothing.
///
/// The waiters are an intrusive FIFO list whose nodes live inside the Notified futures (no
/// allocation), guarded by a mutex; the stored permit and the notify_waiters() generation are
/// atomics, so notify_one() with nobody waiting and a notified() that finds a permit take no lock.
///
/// Example (a worker that sleeps until there is work):
/// ```cpp
/// sluice::Notify notify;
/// sluice::spawn([&]() -> sluice::Task<void> {
///   for (;;) { co_await notify.notified(); drain_queue(); }
/// }()).detach();
/// push_work(); notify.notify_one();
/// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/poll.hpp>
#include <sluice/waker.hpp>

namespace sluice {

class Notify;

/// Future of Notify::notified(). Completes after a notify_one() chose it (or a stored permit was
/// there), or after a notify_waiters() that came after its creation.
///
/// Cancel safety: cancelling loses nothing: a Notified destroyed after notify_one() picked it
/// but before it completed hands that notification on (to the next waiter, or as the stored
/// permit). It loses its place in the FIFO queue.
class [[nodiscard]] Notified {
 public:
  using Output = void;  ///< Completes with nothing.

  /// Takes over `o`'s place in the wait queue and any notification it received; `o` is then
  /// left completed (polling it throws). Moving a Notified that was never polled just copies
  /// it.
  Notified(Notified&& o);
  Notified(const Notified&) = delete;
  Notified& operator=(const Notified&) = delete;
  Notified& operator=(Notified&&) = delete;
  /// Leaves the wait queue; a notify_one() that picked this future but was not consumed yet
  /// is handed to the next waiter (or stored as the permit).
  ~Notified();

  /// Ready once notified; otherwise queued with cx's waker. Spends one unit of coop budget
  /// when ready. Throws std::logic_error if polled after completion.
  Poll<void> poll(Context& cx);

 private:
  friend class Notify;
  enum class State : unsigned char { Init, Waiting, Done };
  enum class Notification : unsigned char { None, One, All };

  Notified(Notify* n, std::uint64_t generation) noexcept : notify_(n), generation_(generation) {}

  Notify* notify_;
  std::uint64_t generation_;  // notify_waiters() calls seen at creation
  State state_ = State::Init;
  // Guarded by notify_->mu_ while linked or Waiting.
  Notification notification_ = Notification::None;
  Waker waker_;
  Notified* prev_ = nullptr;
  Notified* next_ = nullptr;
};

/// Notifies tasks without sending data (see notify.hpp). Not copyable or movable.
class Notify {
 public:
  /// No stored permit and nobody waiting.
  Notify() = default;
  Notify(const Notify&) = delete;
  Notify& operator=(const Notify&) = delete;
  /// Precondition: no Notified future of this Notify is alive.
  ~Notify() = default;

  /// A future that completes when this Notify notifies it. Creating it already counts for
  /// notify_waiters(): a notify_waiters() between creation and first poll completes it.
  ///
  /// Example: `co_await notify.notified();`
  ///
  /// Cancel safety: see Notified.
  Notified notified() noexcept { return Notified(this, generation_.load(detail::mo::acquire)); }

  /// Wakes the longest-waiting notified() future, or stores one permit if none waits (a second
  /// notify_one() with nobody waiting does nothing more).
  ///
  /// Example: `notify.notify_one();`
  void notify_one() {
    // Lock-free when nobody waits: store the permit.
    int s = state_.load(detail::mo::acquire);
    while (s != kWaiting) {
      if (s == kNotified) return;
      if (state_.compare_exchange_weak(s, kNotified, detail::mo::acq_rel, detail::mo::acquire))
        return;
    }
    Waker w;
    {
      std::lock_guard lock(mu_);
      w = notify_one_locked();
    }
    std::move(w).wake();
  }

  /// Wakes every notified() future created before this call. Stores no permit.
  ///
  /// Example: `shutdown.notify_waiters();   // every listener returns`
  void notify_waiters() {
    std::vector<Waker> wakers;
    {
      std::lock_guard lock(mu_);
      generation_.fetch_add(1, detail::mo::acq_rel);
      while (Notified* w = head_) {
        unlink(w);
        w->notification_ = Notified::Notification::All;
        if (!w->waker_.is_empty()) wakers.push_back(std::move(w->waker_));
      }
      int s = kWaiting;
      state_.compare_exchange_strong(s, kEmpty, detail::mo::acq_rel, detail::mo::acquire);
    }
    for (auto& w : wakers) std::move(w).wake();
  }

 private:
  friend class Notified;
  static constexpr int kEmpty = 0;     // no permit, nobody waiting
  static constexpr int kWaiting = 1;   // the list is not empty
  static constexpr int kNotified = 2;  // one permit stored, nobody waiting

  /// Picks the head waiter (or stores the permit); returns the waker to wake after unlocking.
  Waker notify_one_locked() {
    Notified* w = head_;
    if (w == nullptr) {
      state_.store(kNotified, detail::mo::release);
      return Waker();
    }
    unlink(w);
    w->notification_ = Notified::Notification::One;
    if (head_ == nullptr) state_.store(kEmpty, detail::mo::release);
    return std::move(w->waker_);
  }

  void push_back(Notified* w) noexcept {
    w->prev_ = tail_;
    w->next_ = nullptr;
    (tail_ ? tail_->next_ : head_) = w;
    tail_ = w;
  }
  void unlink(Notified* w) noexcept {
    (w->prev_ ? w->prev_->next_ : head_) = w->next_;
    (w->next_ ? w->next_->prev_ : tail_) = w->prev_;
    w->prev_ = w->next_ = nullptr;
  }
  bool linked(const Notified* w) const noexcept { return w->prev_ != nullptr || head_ == w; }

  detail::Atomic<int> state_{kEmpty};
  detail::Atomic<std::uint64_t> generation_{0};
  std::mutex mu_;
  Notified* head_ = nullptr;  // guarded by mu_
  Notified* tail_ = nullptr;
};

inline Notified::Notified(Notified&& o)
    : notify_(o.notify_), generation_(o.generation_), state_(o.state_) {
  if (state_ != State::Waiting) return;
  std::lock_guard lock(notify_->mu_);
  notification_ = o.notification_;
  waker_ = std::move(o.waker_);
  if (notify_->linked(&o)) {
    prev_ = o.prev_;
    next_ = o.next_;
    (prev_ ? prev_->next_ : notify_->head_) = this;
    (next_ ? next_->prev_ : notify_->tail_) = this;
    o.prev_ = o.next_ = nullptr;
  }
  o.state_ = State::Done;
}

inline Notified::~Notified() {
  if (state_ != State::Waiting) return;
  Waker forward;
  Waker mine;
  {
    std::lock_guard lock(notify_->mu_);
    mine = std::move(waker_);
    if (notify_->linked(this)) {
      notify_->unlink(this);
      if (notify_->head_ == nullptr) {
        int s = Notify::kWaiting;
        notify_->state_.compare_exchange_strong(s, Notify::kEmpty, detail::mo::acq_rel,
                                                detail::mo::acquire);
      }
    } else if (notification_ == Notification::One) {
      forward = notify_->notify_one_locked();  // picked but never completed: pass it on
    }
  }
  std::move(forward).wake();
}

inline Poll<void> Notified::poll(Context& cx) {
  if (state_ == State::Done) throw std::logic_error("sluice::Notified polled after completion");
  auto coop = coop::poll_proceed(cx);
  if (!coop) return pending;
  Notify& n = *notify_;
  if (state_ == State::Init) {
    // Fast paths: a stored permit, or a notify_waiters() since creation.
    int s = n.state_.load(detail::mo::acquire);
    if (s == Notify::kNotified &&
        n.state_.compare_exchange_strong(s, Notify::kEmpty, detail::mo::acq_rel,
                                         detail::mo::acquire)) {
      state_ = State::Done;
      coop->made_progress();
      return Poll<void>::ready();
    }
    if (n.generation_.load(detail::mo::acquire) != generation_) {
      state_ = State::Done;
      coop->made_progress();
      return Poll<void>::ready();
    }
    std::lock_guard lock(n.mu_);
    bool ready = n.generation_.load(detail::mo::acquire) != generation_;
    s = n.state_.load(detail::mo::acquire);
    while (!ready) {
      // A lock-free notify_one() may turn kEmpty into kNotified at any moment: CAS, never store.
      if (s == Notify::kNotified) {
        ready = n.state_.compare_exchange_weak(s, Notify::kEmpty, detail::mo::acq_rel,
                                               detail::mo::acquire);
      } else if (n.state_.compare_exchange_weak(s, Notify::kWaiting, detail::mo::acq_rel,
                                                detail::mo::acquire)) {
        break;
      }
    }
    if (ready) {
      state_ = State::Done;
      coop->made_progress();
      return Poll<void>::ready();
    }
    waker_ = cx.waker();
    n.push_back(this);
    state_ = State::Waiting;
    return pending;
  }
  Waker old;
  {
    std::lock_guard lock(n.mu_);
    if (notification_ != Notification::None) {
      state_ = State::Done;
      old = std::move(waker_);
    } else if (!waker_.will_wake(cx.waker())) {
      old = std::exchange(waker_, cx.waker());
    }
  }
  if (state_ == State::Done) {
    coop->made_progress();
    return Poll<void>::ready();
  }
  return pending;
}

}  // namespace sluice
