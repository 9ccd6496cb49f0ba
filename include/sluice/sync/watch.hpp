/// @file
/// sluice::watch: a single-value channel. Senders replace the value; receivers see the latest one
/// and can wait for it to change. Intermediate values a receiver did not look at are skipped.
///
/// Typical uses: configuration that changes at runtime, shutdown signals, progress reports.
/// Internals (detail/watch_state.hpp): the value under a reader-writer lock, a version counter
/// with a closed bit, each receiver remembers the version it last saw; waiting receivers are
/// spread over 8 waiter lists so one send wakes many receivers without one hot lock.
///
/// channel<T>(init...) makes a sender and its first receiver; Sender<T>(init) (Tokio's
/// Sender::new) a sender alone, whose send() fails until someone subscribes.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::watch::channel<int>(0);
/// sluice::spawn([](sluice::watch::Receiver<int> rx) -> sluice::Task<void> {
///   for (;;) {
///     auto changed = co_await rx.changed();   // bind first (g++ 12: task-model.md)
///     if (!changed) break;
///     std::printf("now %d\n", *rx.borrow());
///   }
/// }(rx)).detach();
/// (void)tx.send(1);
/// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <stdexcept>
#include <utility>

#include <sluice/block_on.hpp>
#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/watch_state.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>

/// @namespace sluice::watch
/// @brief A single-value channel: receivers see the latest value and can wait for it to
/// change. Tokio's tokio::sync::watch.
namespace sluice::watch {

/// Every receiver is gone: the value was not stored; it is handed back in `value`.
///
/// Example:
/// ```cpp
/// if (auto r = tx.send(cfg); !r) log(r.error().what());   // r.error().value is cfg
/// ```
template <class T>
struct SendError {
  T value;  ///< The value that was not stored.
  /// "channel closed".
  const char* what() const noexcept { return "channel closed"; }
};

/// Every sender is gone (and, for changed(), the latest value was already seen).
///
/// Example:
/// ```cpp
/// auto changed = co_await rx.changed();
/// if (!changed) break;   // sender dropped
/// ```
struct RecvError {
  /// "channel closed".
  const char* what() const noexcept { return "channel closed"; }
  /// Always true: all RecvErrors are equal.
  friend bool operator==(RecvError, RecvError) noexcept { return true; }
};

/// A read guard on the channel's value: dereference it to read. It holds the shared lock, so
/// keep it short: a send waits for every guard to go (borrowing twice on one thread around a
/// send deadlocks). Movable, not copyable.
///
/// Example:
/// ```cpp
/// auto cfg = rx.borrow_and_update();
/// if (cfg.has_changed()) apply(*cfg);
/// ```
template <class T>
class Ref {
 public:
  /// A guard over `*v` holding the shared lock `lk`; made by borrow() / borrow_and_update().
  Ref(std::shared_lock<detail::SpinRwLock> lk, const T* v, bool changed) noexcept
      : lk_(std::move(lk)), v_(v), changed_(changed) {}
  /// Takes over `o`'s lock; `o` must not be dereferenced afterwards.
  Ref(Ref&&) noexcept = default;
  /// Releases the lock held now, then takes over `o`'s.
  Ref& operator=(Ref&&) noexcept = default;

  /// The value.
  const T& operator*() const noexcept { return *v_; }
  /// Member access to the value.
  const T* operator->() const noexcept { return v_; }
  /// True when this borrow saw a value its receiver had not marked seen before (for
  /// borrow_and_update: the one it just marked seen). Always false for Sender::borrow().
  bool has_changed() const noexcept { return changed_; }

 private:
  std::shared_lock<detail::SpinRwLock> lk_;
  const T* v_;
  bool changed_;
};

template <class T>
class Sender;
template <class T>
class Receiver;
template <class T>
class Changed;
template <class T, class Pred>
class WaitFor;
template <class T>
class Closed;

template <class T, class... A>
std::pair<Sender<T>, Receiver<T>> channel(A&&... init);

/// Publishes values. Copyable (each copy is one more sender); the channel closes for receivers
/// when the last copy is dropped.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::watch::channel<std::string>("v1");
/// (void)tx.send("v2");
/// tx.send_modify([](std::string& s) { s += "+patch"; });
/// ```
template <class T>
class Sender {
  using Shared = sluice::detail::WatchShared<T>;

 public:
  /// A sender with no receiver yet, holding `init` (Tokio's `Sender::new(init)`). Until someone
  /// subscribe()s, send() fails and hands the value back (the held value stays as it was),
  /// receiver_count() is 0, is_closed() is true and closed() is ready at once; borrow(),
  /// send_replace(), send_modify() and send_if_modified() work as usual. subscribe() opens it.
  ///
  /// Example:
  /// ```cpp
  /// sluice::watch::Sender<int> tx(0);
  /// auto r = tx.send(1);             // Err: nobody listens; r.error().value == 1
  /// int old = tx.send_replace(2);    // 0: stored even with no receivers
  /// auto rx = tx.subscribe();        // *rx.borrow() == 2, counted as seen
  /// (void)tx.send(3);                // Ok: rx.changed() completes
  /// ```
  explicit Sender(T init) : s_(std::make_shared<Shared>(std::move(init))) {
    s_->rx_count_.store(0, sluice::detail::mo::relaxed);  // not shared with anyone yet
  }
  /// One more sender of the same channel.
  Sender(const Sender& o) noexcept : s_(o.s_) {
    if (s_) s_->tx_count_.fetch_add(1, sluice::detail::mo::relaxed);
  }
  /// Takes over `o`'s place as a sender; `o` must not be used afterwards.
  Sender(Sender&& o) noexcept = default;
  /// Drops this sender (as the destructor does), then becomes a copy of `o`.
  Sender& operator=(const Sender& o) {
    if (this != &o) *this = Sender(o);
    return *this;
  }
  /// Drops this sender (as the destructor does), then takes over `o`'s place.
  Sender& operator=(Sender&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::move(o.s_);
    }
    return *this;
  }
  /// One sender less; the last one closes the channel: waiting changed() futures complete with
  /// RecvError once their receiver has seen the latest value.
  ~Sender() { reset(); }

  /// Stores `v` and wakes the receivers, unless there are none: then `v` is handed back in the
  /// error and the value is left unchanged.
  ///
  /// Example:
  /// ```cpp
  /// if (!tx.send(2)) std::puts("no receivers");
  /// ```
  Result<void, SendError<T>> send(T v) {
    if (s_->rx_count_.load(sluice::detail::mo::acquire) == 0)
      return Err(SendError<T>{std::move(v)});
    (void)send_replace(std::move(v));
    return {};
  }

  /// Modifies the value in place under the write lock and wakes the receivers, even when there
  /// are none. `f` must not borrow the channel (it would deadlock).
  ///
  /// Example:
  /// ```cpp
  /// tx.send_modify([](Config& c) { c.timeout_ms = 1000; });
  /// ```
  template <class F>
  void send_modify(F&& f) {
    (void)send_if_modified([&](T& v) {
      std::forward<F>(f)(v);
      return true;
    });
  }

  /// Runs `f` on the value under the write lock; wakes the receivers only when `f` returns
  /// true. Returns what `f` returned. If `f` throws, nothing is notified and the exception
  /// propagates (the value keeps whatever `f` did to it).
  ///
  /// Example:
  /// ```cpp
  /// bool changed = tx.send_if_modified([](int& v) {
  ///   if (v == 3) return false;
  ///   v = 3;
  ///   return true;
  /// });
  /// ```
  template <class F>
  bool send_if_modified(F&& f) {
    {
      std::unique_lock lk(s_->lock_);
      if (!std::forward<F>(f)(s_->value_)) return false;
      s_->state_.fetch_add(Shared::kStep, sluice::detail::mo::seq_cst);
    }
    s_->notify_rx();
    return true;
  }

  /// Replaces the value (even with no receivers), wakes the receivers, returns the old value.
  ///
  /// Example:
  /// ```cpp
  /// int old = tx.send_replace(5);
  /// ```
  T send_replace(T v) {
    {
      std::unique_lock lk(s_->lock_);
      using std::swap;
      swap(s_->value_, v);
      s_->state_.fetch_add(Shared::kStep, sluice::detail::mo::seq_cst);
    }
    s_->notify_rx();
    return v;
  }

  /// A read guard on the current value (has_changed() is false).
  ///
  /// Example:
  /// ```cpp
  /// int now = *tx.borrow();
  /// ```
  Ref<T> borrow() const {
    std::shared_lock lk(s_->lock_);
    return Ref<T>(std::move(lk), &s_->value_, false);
  }

  /// A new receiver that counts the current value as seen. Reopens a channel whose receivers
  /// were all dropped.
  ///
  /// Example:
  /// ```cpp
  /// auto rx2 = tx.subscribe();
  /// ```
  Receiver<T> subscribe() const {
    s_->rx_count_.fetch_add(1, sluice::detail::mo::acq_rel);
    return Receiver<T>(s_, s_->state_.load(sluice::detail::mo::seq_cst) & ~Shared::kClosed);
  }

  /// Number of live receivers (0 for a fresh Sender(init)).
  ///
  /// Example:
  /// ```cpp
  /// if (tx.receiver_count() == 0) std::puts("nobody listens: send() would fail");
  /// ```
  std::size_t receiver_count() const { return s_->rx_count_.load(sluice::detail::mo::acquire); }
  /// Number of live senders (copies of this one included).
  std::size_t sender_count() const { return s_->tx_count_.load(sluice::detail::mo::acquire); }
  /// True when every receiver is gone (send would fail).
  bool is_closed() const { return receiver_count() == 0; }
  /// True when both handles belong to the same channel.
  bool same_channel(const Sender& o) const noexcept { return s_ == o.s_; }

  /// Future that completes once every receiver is gone.
  ///
  /// Example:
  /// ```cpp
  /// co_await tx.closed();   // nobody listens any more: stop producing
  /// ```
  ///
  /// Cancel safety: cancel safe.
  Closed<T> closed() const { return Closed<T>(s_); }

 private:
  template <class U, class... A>
  friend std::pair<Sender<U>, Receiver<U>> channel(A&&... init);
  explicit Sender(std::shared_ptr<Shared> s) noexcept : s_(std::move(s)) {}
  void reset() {
    if (!s_) return;
    if (s_->tx_count_.fetch_sub(1, sluice::detail::mo::acq_rel) == 1) {
      {
        // Under the write lock, so a reader never sees CLOSED with a stale version.
        std::unique_lock lk(s_->lock_);
        s_->state_.fetch_or(Shared::kClosed, sluice::detail::mo::seq_cst);
      }
      s_->notify_rx();
    }
    s_.reset();
  }
  std::shared_ptr<Shared> s_;
};

/// Observes the latest value. Copyable: a copy remembers the same last-seen version.
///
/// Example:
/// ```cpp
/// for (;;) {
///   auto changed = co_await rx.changed();
///   if (!changed) break;
///   auto cfg = rx.borrow_and_update();
///   apply(*cfg);
/// }
/// ```
template <class T>
class Receiver {
  using Shared = sluice::detail::WatchShared<T>;

 public:
  /// One more receiver, starting with the same last-seen version as `o`.
  Receiver(const Receiver& o) noexcept : s_(o.s_), version_(o.version_) {
    if (s_) s_->rx_count_.fetch_add(1, sluice::detail::mo::relaxed);
  }
  /// Takes over `o`'s place and last-seen version; `o` must not be used afterwards.
  Receiver(Receiver&& o) noexcept = default;
  /// Drops this receiver (as the destructor does), then becomes a copy of `o`.
  Receiver& operator=(const Receiver& o) {
    if (this != &o) *this = Receiver(o);
    return *this;
  }
  /// Drops this receiver (as the destructor does), then takes over `o`'s place.
  Receiver& operator=(Receiver&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::move(o.s_);
      version_ = o.version_;
    }
    return *this;
  }
  /// One receiver less; when it was the last, sends fail and Sender::closed() completes.
  ~Receiver() { reset(); }

  /// A read guard on the current value; does not mark it seen. has_changed() on the guard says
  /// whether it is newer than the last value this receiver marked seen.
  ///
  /// Example:
  /// ```cpp
  /// int v = *rx.borrow();
  /// ```
  Ref<T> borrow() const {
    std::shared_lock lk(s_->lock_);
    const std::uint64_t now = current();
    return Ref<T>(std::move(lk), &s_->value_, now != version_);
  }

  /// A read guard on the current value, marking it seen.
  ///
  /// Example:
  /// ```cpp
  /// auto v = rx.borrow_and_update();   // changed() now waits for a newer value
  /// ```
  Ref<T> borrow_and_update() {
    std::shared_lock lk(s_->lock_);
    const std::uint64_t now = current();
    const bool changed = now != version_;
    version_ = now;
    return Ref<T>(std::move(lk), &s_->value_, changed);
  }

  /// Whether a value newer than the last one marked seen is there.
  ///
  /// Errors: RecvError once every sender is gone.
  ///
  /// Example:
  /// ```cpp
  /// if (rx.has_changed().value_or(false)) reload();
  /// ```
  Result<bool, RecvError> has_changed() const {
    const std::uint64_t st = s_->state_.load(sluice::detail::mo::seq_cst);
    if (st & Shared::kClosed) return Err(RecvError{});
    return (st & ~Shared::kClosed) != version_;
  }

  /// Makes the current value count as unseen (changed() completes at once).
  ///
  /// Example:
  /// ```cpp
  /// rx.mark_changed();
  /// ```
  void mark_changed() { version_ = current() - Shared::kStep; }

  /// Makes the current value count as seen.
  ///
  /// Example:
  /// ```cpp
  /// rx.mark_unchanged();
  /// ```
  void mark_unchanged() { version_ = current(); }

  /// Future that completes with success once a value newer than the last seen one is there
  /// (marking it seen), or with RecvError once every sender is gone and the latest value was
  /// seen. The receiver must outlive the future.
  ///
  /// Example:
  /// ```cpp
  /// auto changed = co_await rx.changed();
  /// if (!changed) co_return;   // closed
  /// ```
  ///
  /// Cancel safety: cancel safe: if it loses a select, nothing was marked seen.
  Changed<T> changed() { return Changed<T>(*this); }

  /// Future that completes with a read guard on the first value (the current one included)
  /// for which `pred(const T&)` is true, marking it seen; or RecvError when every sender is gone
  /// and the latest value does not satisfy it. `pred` runs under the read lock.
  ///
  /// Example:
  /// ```cpp
  /// auto ready = co_await rx.wait_for([](const State& s) { return s.ready; });
  /// ```
  ///
  /// Cancel safety: cancel safe: the last value marked seen did not satisfy `pred`.
  template <class Pred>
  WaitFor<T, std::decay_t<Pred>> wait_for(Pred&& pred) {
    return WaitFor<T, std::decay_t<Pred>>(*this, std::forward<Pred>(pred));
  }

  /// True when both handles belong to the same channel.
  bool same_channel(const Receiver& o) const noexcept { return s_ == o.s_; }

 private:
  friend class Sender<T>;
  friend class Changed<T>;
  template <class, class>
  friend class WaitFor;
  template <class U, class... A>
  friend std::pair<Sender<U>, Receiver<U>> channel(A&&... init);
  Receiver(std::shared_ptr<Shared> s, std::uint64_t v) noexcept : s_(std::move(s)), version_(v) {}
  std::uint64_t current() const {
    return s_->state_.load(sluice::detail::mo::seq_cst) & ~Shared::kClosed;
  }
  void reset() {
    if (!s_) return;
    if (s_->rx_count_.fetch_sub(1, sluice::detail::mo::seq_cst) == 1) s_->notify_tx();
    s_.reset();
  }

  /// One poll of changed(): ready(true) on a new version (marked seen when `mark`), ready(false)
  /// when closed and the latest version was seen.
  Poll<bool> poll_changed(Context& cx, sluice::detail::WaitNode& node, bool mark) {
    auto& shard = s_->shard_for(&node);
    auto check = [&]() -> int {
      const std::uint64_t st = s_->state_.load(sluice::detail::mo::seq_cst);
      if ((st & ~Shared::kClosed) != version_) return 1;
      if (st & Shared::kClosed) return 2;
      return 0;
    };
    int r = check();
    if (r == 0 && !shard.wait(node, cx.waker(), [&] { return (r = check()) != 0; })) return pending;
    shard.cancel(node);
    if (r == 1) {
      if (mark) version_ = current();
      return true;
    }
    return false;
  }

  std::shared_ptr<Shared> s_;
  std::uint64_t version_ = 0;
};

/// Future returned by Receiver::changed(): Result<void, RecvError>.
///
/// Example:
/// ```cpp
/// auto r = co_await rx.changed();
/// ```
///
/// Cancel safety: cancel safe.
template <class T>
class [[nodiscard]] Changed {
 public:
  /// Success once a newer value is there, or RecvError once the channel is closed.
  using Output = Result<void, RecvError>;
  /// Waits on `rx`, which must outlive this future (use Receiver::changed()).
  explicit Changed(Receiver<T>& rx) noexcept : rx_(&rx) {}
  /// Moves a Changed that has not been polled yet (a polled one is queued by address).
  Changed(Changed&& o) noexcept : rx_(o.rx_) {}  // only before the first poll
  Changed(const Changed&) = delete;
  Changed& operator=(const Changed&) = delete;
  /// Leaves the wait queue; nothing is marked seen.
  ~Changed() {
    if (rx_ && rx_->s_) rx_->s_->shard_for(&node_).cancel(node_);
  }

  /// Ready when a newer value is there (marked seen) or the channel is closed. Spends one unit
  /// of coop budget when ready.
  Poll<Output> poll(Context& cx) {
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    Poll<bool> p = rx_->poll_changed(cx, node_, true);
    if (p.is_pending()) return pending;
    coop->made_progress();
    if (p.value()) return Output();
    return Output(Err(RecvError{}));
  }

 private:
  Receiver<T>* rx_;
  sluice::detail::WaitNode node_;
};

/// Future returned by Receiver::wait_for(): Result<Ref<T>, RecvError>.
///
/// Example:
/// ```cpp
/// auto r = co_await rx.wait_for([](int v) { return v > 10; });
/// ```
///
/// Cancel safety: cancel safe.
template <class T, class Pred>
class [[nodiscard]] WaitFor {
 public:
  /// A read guard on the first value satisfying the predicate, or RecvError once the channel
  /// is closed and the latest value does not.
  using Output = Result<Ref<T>, RecvError>;
  /// Waits on `rx`, which must outlive this future, for `pred` (use Receiver::wait_for()).
  WaitFor(Receiver<T>& rx, Pred pred) : rx_(&rx), pred_(std::move(pred)) {}
  /// Moves a WaitFor that has not been polled yet (a polled one is queued by address).
  WaitFor(WaitFor&& o) noexcept
      : rx_(o.rx_), pred_(std::move(o.pred_)) {}  // only before the first poll
  WaitFor(const WaitFor&) = delete;
  WaitFor& operator=(const WaitFor&) = delete;
  /// Leaves the wait queue.
  ~WaitFor() {
    if (rx_ && rx_->s_) rx_->s_->shard_for(&node_).cancel(node_);
  }

  /// Checks the current value, then waits for newer ones, marking each checked value seen.
  /// Spends one unit of coop budget when ready.
  Poll<Output> poll(Context& cx) {
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    for (;;) {
      if (!checked_current_) {
        checked_current_ = true;
        Ref<T> r = rx_->borrow_and_update();
        if (pred_(*r)) {
          coop->made_progress();
          rx_->s_->shard_for(&node_).cancel(node_);
          return Output(std::move(r));
        }
      }
      Poll<bool> p = rx_->poll_changed(cx, node_, false);
      if (p.is_pending()) return pending;
      if (!p.value()) {
        coop->made_progress();
        return Output(Err(RecvError{}));
      }
      checked_current_ = false;  // a newer value: check it
    }
  }

 private:
  Receiver<T>* rx_;
  Pred pred_;
  bool checked_current_ = false;
  sluice::detail::WaitNode node_;
};

/// Future returned by Sender::closed(): completes once every receiver is gone.
///
/// Example:
/// ```cpp
/// co_await tx.closed();
/// ```
///
/// Cancel safety: cancel safe.
template <class T>
class [[nodiscard]] Closed {
  using Shared = sluice::detail::WatchShared<T>;

 public:
  using Output = void;  ///< Completes with nothing.
  /// Watches the channel state `s` (its type is private: use Sender::closed()).
  explicit Closed(std::shared_ptr<Shared> s) noexcept : s_(std::move(s)) {}
  /// Moves a Closed that has not been polled yet (a polled one is queued by address).
  Closed(Closed&& o) noexcept : s_(std::move(o.s_)) {}  // only before the first poll
  Closed(const Closed&) = delete;
  Closed& operator=(const Closed&) = delete;
  /// Leaves the wait queue.
  ~Closed() {
    if (s_) s_->tx_waiters_.cancel(node_);
  }

  /// Ready when no receiver is left; otherwise registered. Spends one unit of coop budget when
  /// ready.
  Poll<void> poll(Context& cx) {
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    auto none = [&] { return s_->rx_count_.load(sluice::detail::mo::seq_cst) == 0; };
    if (none() || s_->tx_waiters_.wait(node_, cx.waker(), none)) {
      coop->made_progress();
      return Poll<void>::ready();
    }
    return pending;
  }

 private:
  std::shared_ptr<Shared> s_;
  sluice::detail::WaitNode node_;
};

/// Creates a watch channel holding `T(init...)`; the receiver counts it as seen.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::watch::channel<bool>(false);   // a shutdown flag
/// ```
template <class T, class... A>
std::pair<Sender<T>, Receiver<T>> channel(A&&... init) {
  auto s = std::make_shared<sluice::detail::WatchShared<T>>(std::forward<A>(init)...);
  Receiver<T> rx(s, 0);
  return {Sender<T>(std::move(s)), std::move(rx)};
}

}  // namespace sluice::watch
