/// @file
/// sluice::broadcast: a multi-producer, multi-consumer channel where every receiver sees every
/// value sent after it subscribed (each gets its own copy; T must be copyable).
///
/// The channel keeps the last `capacity` values (rounded up to a power of two). A receiver that
/// falls further behind is lapped: its next recv() reports Lagged(n), n the exact number of values
/// it missed, and it continues from the oldest value still kept. Slow receivers never slow the
/// sender. Internals: detail/broadcast_ring.hpp.
///
/// channel(capacity) makes a sender and its first receiver; Sender<T>(capacity) (Tokio's
/// Sender::new) a sender alone, whose sends fail until someone subscribes.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::broadcast::channel<std::string>(16);
/// auto rx2 = tx.subscribe();
/// (void)tx.send("hello");            // both receivers will see it
/// auto a = co_await rx.recv();       // "hello"
/// auto b = co_await rx2.recv();      // "hello"
/// ```
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <sluice/block_on.hpp>
#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/broadcast_ring.hpp>
#include <sluice/detail/runtime_context.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>

/// @namespace sluice::broadcast
/// @brief A multi-producer, multi-consumer channel in which every receiver sees every value:
/// Tokio's tokio::sync::broadcast.
namespace sluice::broadcast {

/// No receiver is subscribed: the value was not sent and is handed back in `value`.
///
/// Example:
/// ```cpp
/// if (auto r = tx.send(ev); !r) drop(std::move(r).error().value);
/// ```
template <class T>
struct SendError {
  T value;  ///< The value that was not sent.
  /// "channel closed".
  const char* what() const noexcept { return "channel closed"; }
};

/// Why recv() produced no value: Closed (every sender gone and every value received) or
/// Lagged(n) (the receiver was lapped and missed n values; the next recv() continues from the
/// oldest value still kept).
///
/// Example:
/// ```cpp
/// auto r = co_await rx.recv();
/// if (!r && r.error().is_lagged())
///   std::printf("missed %llu\n", static_cast<unsigned long long>(r.error().lagged_count()));
/// ```
class RecvError {
 public:
  /// Which error this is.
  enum class Kind {
    Closed,  ///< Every sender is gone and every value was received.
    Lagged   ///< The receiver was lapped and missed lagged_count() values.
  };
  /// The Closed error.
  static RecvError closed() noexcept { return RecvError(Kind::Closed, 0); }
  /// The Lagged(n) error.
  static RecvError lagged(std::uint64_t n) noexcept { return RecvError(Kind::Lagged, n); }
  /// Closed or Lagged.
  Kind kind() const noexcept { return kind_; }
  /// True for Closed.
  bool is_closed() const noexcept { return kind_ == Kind::Closed; }
  /// True for Lagged(n).
  bool is_lagged() const noexcept { return kind_ == Kind::Lagged; }
  /// n of Lagged(n); 0 for Closed.
  std::uint64_t lagged_count() const noexcept { return n_; }
  /// "channel closed" or "receiver lagged behind".
  const char* what() const noexcept {
    return is_closed() ? "channel closed" : "receiver lagged behind";
  }
  /// Same kind and same lagged count.
  friend bool operator==(const RecvError&, const RecvError&) noexcept = default;

 private:
  RecvError(Kind k, std::uint64_t n) noexcept : kind_(k), n_(n) {}
  Kind kind_;
  std::uint64_t n_;
};

/// Why try_recv() produced no value: Empty (nothing new yet), Closed, or Lagged(n).
///
/// Example:
/// ```cpp
/// auto r = rx.try_recv();
/// if (!r && r.error().is_empty()) ...;
/// ```
class TryRecvError {
 public:
  /// Which error this is.
  enum class Kind {
    Empty,   ///< No new value yet; senders are still alive.
    Closed,  ///< Every sender is gone and every value was received.
    Lagged   ///< The receiver was lapped and missed lagged_count() values.
  };
  /// The Empty error.
  static TryRecvError empty() noexcept { return TryRecvError(Kind::Empty, 0); }
  /// The Closed error.
  static TryRecvError closed() noexcept { return TryRecvError(Kind::Closed, 0); }
  /// The Lagged(n) error.
  static TryRecvError lagged(std::uint64_t n) noexcept { return TryRecvError(Kind::Lagged, n); }
  /// Empty, Closed or Lagged.
  Kind kind() const noexcept { return kind_; }
  /// True for Empty.
  bool is_empty() const noexcept { return kind_ == Kind::Empty; }
  /// True for Closed.
  bool is_closed() const noexcept { return kind_ == Kind::Closed; }
  /// True for Lagged(n).
  bool is_lagged() const noexcept { return kind_ == Kind::Lagged; }
  /// n of Lagged(n); 0 otherwise.
  std::uint64_t lagged_count() const noexcept { return n_; }
  /// Same kind and same lagged count.
  friend bool operator==(const TryRecvError&, const TryRecvError&) noexcept = default;

 private:
  TryRecvError(Kind k, std::uint64_t n) noexcept : kind_(k), n_(n) {}
  Kind kind_;
  std::uint64_t n_;
};

template <class T>
class Sender;
template <class T>
class WeakSender;
template <class T>
class Receiver;
template <class T>
class Recv;
template <class T>
class Closed;
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity);

/// Sends to every subscribed receiver. Copyable (a copy is one more strong sender); the channel
/// is closed for receivers once the last strong sender is dropped.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::broadcast::channel<int>(8);
/// auto n = tx.send(1);   // Ok(1): one receiver will see it
/// ```
template <class T>
class Sender {
  using Shared = sluice::detail::BroadcastShared<T>;

 public:
  /// A sender with no receiver yet (Tokio's `Sender::new(capacity)`); the channel keeps the last
  /// `capacity` values (rounded up to a power of two), as channel(capacity) does. Until someone
  /// subscribe()s, send() fails and hands the value back, receiver_count() is 0 and closed() is
  /// ready at once (Tokio 1.48, #7629: such a channel starts closed). subscribe() opens it.
  ///
  /// Errors: throws std::invalid_argument when capacity is 0.
  ///
  /// Example:
  /// ```cpp
  /// sluice::broadcast::Sender<std::string> tx(16);
  /// auto r = tx.send("lost");        // Err: nobody listens; r.error().value == "lost"
  /// auto rx = tx.subscribe();
  /// (void)tx.send("seen");           // Ok(1): rx will receive it
  /// ```
  explicit Sender(std::size_t capacity) : s_(std::make_shared<Shared>(capacity)) {}
  /// One more strong sender of the same channel (Tokio's clone).
  Sender(const Sender& o) noexcept : s_(o.s_) {
    if (s_) s_->tx_count_.fetch_add(1, sluice::detail::mo::relaxed);
  }
  /// Takes over `o`'s place as a strong sender; `o` must not be used afterwards.
  Sender(Sender&&) noexcept = default;
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
  /// One strong sender less; the last one closes the channel: receivers get Closed once they
  /// have received the values still kept.
  ~Sender() { reset(); }

  /// Sends `v` without waiting; returns how many receivers will see it. Overwrites the oldest
  /// value when the ring is full (receivers that had not read it will report Lagged).
  ///
  /// Errors: SendError holding `v` when no receiver is subscribed (a later subscribe() reopens).
  ///
  /// Example:
  /// ```cpp
  /// if (auto r = tx.send(ev)) std::printf("%zu receivers\n", *r);
  /// ```
  Result<std::size_t, SendError<T>> send(T v) {
    std::unique_lock lk(s_->tail_mu_);
    auto& tail = s_->tail_;
    if (tail.rx_count == 0) return Err(SendError<T>{std::move(v)});
    const std::uint64_t pos = tail.pos;
    const std::size_t rem = tail.rx_count;
    tail.pos = pos + 1;
    {
      auto& slot = s_->slot(pos);
      std::lock_guard sg(slot.mu);
      slot.pos = pos;
      slot.rem = rem;
      slot.val.emplace(std::move(v));
    }
    s_->notify_rx(lk);
    return rem;
  }

  /// A new receiver that sees every value sent after this call.
  ///
  /// Example:
  /// ```cpp
  /// auto rx = tx.subscribe();
  /// ```
  Receiver<T> subscribe() const { return Receiver<T>::attach(s_); }

  /// Number of live receivers (0 for a fresh Sender(capacity)).
  ///
  /// Example:
  /// ```cpp
  /// if (tx.receiver_count() == 0) std::puts("nobody listens: send() would fail");
  /// ```
  std::size_t receiver_count() const {
    std::lock_guard g(s_->tail_mu_);
    return s_->tail_.rx_count;
  }

  /// Number of values some receiver has not read yet (the largest backlog, at most capacity).
  ///
  /// Example:
  /// ```cpp
  /// if (tx.len() == capacity) std::puts("someone is about to lag");
  /// ```
  std::size_t len() const {
    std::lock_guard g(s_->tail_mu_);
    const std::uint64_t end = s_->tail_.pos;
    const std::uint64_t cap = s_->capacity();
    const std::uint64_t begin = end > cap ? end - cap : 0;
    for (std::uint64_t p = begin; p < end; ++p) {
      auto& slot = s_->slot(p);
      std::lock_guard sg(slot.mu);
      if (slot.pos == p && slot.rem > 0) return static_cast<std::size_t>(end - p);
    }
    return 0;
  }
  /// True when every receiver has read every value.
  bool is_empty() const { return len() == 0; }
  /// True when both senders belong to the same channel.
  bool same_channel(const Sender& o) const noexcept { return s_ == o.s_; }
  /// Number of strong senders.
  std::size_t strong_count() const { return s_->tx_count_.load(sluice::detail::mo::acquire); }
  /// Number of weak senders.
  std::size_t weak_count() const { return s_->weak_count_.load(sluice::detail::mo::acquire); }

  /// A weak sender: does not keep the channel open; upgrade() gives a Sender while one lives.
  ///
  /// Example:
  /// ```cpp
  /// auto weak = tx.downgrade();
  /// if (auto strong = weak.upgrade()) (void)strong->send(1);
  /// ```
  [[nodiscard]] WeakSender<T> downgrade() const { return WeakSender<T>(s_); }

  /// Future that completes once there is no receiver (all dropped).
  ///
  /// Example:
  /// ```cpp
  /// co_await tx.closed();
  /// ```
  ///
  /// Cancel safety: cancel safe.
  Closed<T> closed() const { return Closed<T>(s_); }

 private:
  friend class WeakSender<T>;
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t capacity);
  explicit Sender(std::shared_ptr<Shared> s) noexcept : s_(std::move(s)) {}
  void reset() {
    if (!s_) return;
    if (s_->tx_count_.fetch_sub(1, sluice::detail::mo::acq_rel) == 1) {
      std::unique_lock lk(s_->tail_mu_);
      s_->tail_.closed = true;
      s_->notify_rx(lk);
    }
    s_.reset();
  }
  std::shared_ptr<Shared> s_;
};

/// A sender that does not keep the channel open. Copyable.
///
/// Example:
/// ```cpp
/// auto weak = tx.downgrade();
/// drop(tx);
/// EXPECT_FALSE(weak.upgrade());
/// ```
template <class T>
class WeakSender {
  using Shared = sluice::detail::BroadcastShared<T>;

 public:
  /// One more weak sender of the same channel.
  WeakSender(const WeakSender& o) noexcept : s_(o.s_) {
    s_->weak_count_.fetch_add(1, sluice::detail::mo::relaxed);
  }
  /// Becomes a weak sender of `o`'s channel.
  WeakSender& operator=(const WeakSender& o) {
    if (this != &o) {
      WeakSender tmp(o);
      std::swap(s_, tmp.s_);
    }
    return *this;
  }
  /// One weak sender less (never closes the channel).
  ~WeakSender() {
    if (s_) s_->weak_count_.fetch_sub(1, sluice::detail::mo::relaxed);
  }

  /// A strong Sender, or nullopt once every strong sender is gone.
  std::optional<Sender<T>> upgrade() const {
    std::size_t n = s_->tx_count_.load(sluice::detail::mo::relaxed);
    while (n != 0) {
      if (s_->tx_count_.compare_exchange_weak(n, n + 1, sluice::detail::mo::acq_rel))
        return Sender<T>(s_);
    }
    return std::nullopt;
  }
  /// Number of strong senders.
  std::size_t strong_count() const { return s_->tx_count_.load(sluice::detail::mo::acquire); }
  /// Number of weak senders.
  std::size_t weak_count() const { return s_->weak_count_.load(sluice::detail::mo::acquire); }

 private:
  friend class Sender<T>;
  explicit WeakSender(std::shared_ptr<Shared> s) noexcept : s_(std::move(s)) {
    s_->weak_count_.fetch_add(1, sluice::detail::mo::relaxed);
  }
  std::shared_ptr<Shared> s_;
};

/// Receives every value sent after it subscribed. Move-only; resubscribe() makes another
/// receiver at the tail. Dropping it marks its unread values read.
///
/// Example:
/// ```cpp
/// for (;;) {
///   auto r = co_await rx.recv();
///   if (r) handle(*r);
///   else if (r.error().is_closed()) break;   // Lagged: keep going
/// }
/// ```
template <class T>
class Receiver {
  using Shared = sluice::detail::BroadcastShared<T>;

 public:
  /// Takes over `o`'s subscription and cursor; `o` must not be used afterwards.
  Receiver(Receiver&& o) noexcept : s_(std::move(o.s_)), next_(o.next_) {}
  /// Unsubscribes this receiver (as the destructor does), then takes over `o`'s subscription.
  Receiver& operator=(Receiver&& o) noexcept {
    if (this != &o) {
      reset();
      s_ = std::move(o.s_);
      next_ = o.next_;
    }
    return *this;
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  /// Unsubscribes: the values it has not read count as read by it, and when it was the last
  /// receiver, Sender::closed() completes.
  ~Receiver() { reset(); }

  /// Future of the next value: Result<T, RecvError>. The receiver must outlive it.
  ///
  /// Example:
  /// ```cpp
  /// auto r = co_await rx.recv();
  /// ```
  ///
  /// Cancel safety: cancel safe: if it loses a select, no value was consumed.
  Recv<T> recv() { return Recv<T>(*this); }

  /// The next value if there is one, without waiting.
  ///
  /// Errors: Empty, Closed, or Lagged(n) (then the next call continues from the oldest value).
  ///
  /// Example:
  /// ```cpp
  /// while (auto r = rx.try_recv()) handle(*r);
  /// ```
  Result<T, TryRecvError> try_recv() {
    Outcome o = read(nullptr, nullptr);
    switch (o.kind) {
      case OutKind::kValue:
        return Result<T, TryRecvError>(std::move(*o.value));
      case OutKind::kEmpty:
        return Err(TryRecvError::empty());
      case OutKind::kClosed:
        return Err(TryRecvError::closed());
      case OutKind::kLagged:
        break;
    }
    return Err(TryRecvError::lagged(o.missed));
  }

  /// Blocks the calling (non-runtime) thread for the next value.
  ///
  /// Errors: as recv(); throws std::logic_error on a runtime thread or inside block_on.
  ///
  /// Example:
  /// ```cpp
  /// std::thread t([rx = tx.subscribe()]() mutable { auto v = rx.blocking_recv(); });
  /// ```
  Result<T, RecvError> blocking_recv() {
    sluice::detail::assert_can_block("sluice::broadcast::Receiver::blocking_recv");
    return sluice::block_on(recv());
  }

  /// Number of values sent since this receiver's cursor (may exceed capacity when lagged).
  std::size_t len() const {
    std::lock_guard g(s_->tail_mu_);
    return static_cast<std::size_t>(s_->tail_.pos - next_);
  }
  /// True when there is nothing new to receive.
  bool is_empty() const { return len() == 0; }
  /// True when every strong sender is gone.
  bool is_closed() const {
    std::lock_guard g(s_->tail_mu_);
    return s_->tail_.closed;
  }
  /// True when both receivers belong to the same channel.
  bool same_channel(const Receiver& o) const noexcept { return s_ == o.s_; }
  /// A new receiver of the same channel, starting at the tail (sees values sent after this).
  ///
  /// Example:
  /// ```cpp
  /// auto rx2 = rx.resubscribe();
  /// ```
  Receiver resubscribe() const { return attach(s_); }
  /// Number of strong senders.
  std::size_t sender_strong_count() const {
    return s_->tx_count_.load(sluice::detail::mo::acquire);
  }
  /// Number of weak senders.
  std::size_t sender_weak_count() const {
    return s_->weak_count_.load(sluice::detail::mo::acquire);
  }

 private:
  friend class Sender<T>;
  friend class Recv<T>;
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel(std::size_t capacity);

  enum class OutKind { kValue, kEmpty, kClosed, kLagged };
  struct Outcome {
    OutKind kind;
    std::optional<T> value;
    std::uint64_t missed = 0;
  };

  Receiver(std::shared_ptr<Shared> s, std::uint64_t next) noexcept
      : s_(std::move(s)), next_(next) {}
  static Receiver attach(const std::shared_ptr<Shared>& s) {
    std::lock_guard g(s->tail_mu_);
    s->tail_.rx_count += 1;
    return Receiver(s, s->tail_.pos);
  }

  /// Copies the value at next_ out of a slot whose pos is next_ (slot lock held).
  Outcome take(typename Shared::Slot& slot) {
    Outcome o{OutKind::kValue, std::optional<T>(*slot.val), 0};
    if (--slot.rem == 0) slot.val.reset();
    ++next_;
    return o;
  }

  /// Reads the value at the cursor. With a node and a waker, queues the node when nothing is
  /// there yet (kEmpty then means "registered").
  Outcome read(sluice::detail::WaitNode* node, const Waker* waker) {
    auto& slot = s_->slot(next_);
    {
      std::lock_guard sg(slot.mu);
      if (slot.pos == next_) return take(slot);
    }
    std::unique_lock tl(s_->tail_mu_);
    std::lock_guard sg(slot.mu);
    if (slot.pos == next_) return take(slot);
    auto& tail = s_->tail_;
    const std::uint64_t cap = s_->capacity();
    if (slot.pos + cap == next_) {  // not written yet
      if (tail.closed) return Outcome{OutKind::kClosed, std::nullopt, 0};
      if (node) {
        if (!node->queued.load(sluice::detail::mo::relaxed)) tail.rx_waiters.push_back(*node);
        if (!node->waker.will_wake(*waker)) node->waker = *waker;
      }
      return Outcome{OutKind::kEmpty, std::nullopt, 0};
    }
    // Lapped: the slot holds a newer position. Jump to the oldest value kept.
    const std::uint64_t oldest = tail.pos - cap;
    const std::uint64_t missed = oldest - next_;
    next_ = oldest;
    return Outcome{OutKind::kLagged, std::nullopt, missed};
  }

  void cancel(sluice::detail::WaitNode& node) {
    if (!s_ || !node.queued.load(sluice::detail::mo::acquire)) return;
    std::lock_guard g(s_->tail_mu_);
    s_->tail_.rx_waiters.remove(node);
  }

  void reset() {
    if (!s_) return;
    std::uint64_t until = 0;
    {
      std::unique_lock lk(s_->tail_mu_);
      auto& tail = s_->tail_;
      tail.rx_count -= 1;
      until = tail.pos;
      if (tail.rx_count == 0) tail.closed_waiters.wake_all(lk);
    }
    // Mark our unread values read (only the last `capacity` can still count us).
    const std::uint64_t cap = s_->capacity();
    std::uint64_t p = next_;
    if (until - p > cap) p = until - cap;
    for (; p < until; ++p) {
      auto& slot = s_->slot(p);
      std::lock_guard sg(slot.mu);
      if (slot.pos == p && slot.rem > 0 && --slot.rem == 0) slot.val.reset();
    }
    s_.reset();
  }

  std::shared_ptr<Shared> s_;
  std::uint64_t next_ = 0;
};

/// Future returned by Receiver::recv(): Result<T, RecvError>.
///
/// Example:
/// ```cpp
/// auto s = co_await sluice::select(rx.recv(), sluice::sleep(1s));
/// ```
///
/// Cancel safety: cancel safe.
template <class T>
class [[nodiscard]] Recv {
 public:
  /// The next value, or Closed / Lagged(n).
  using Output = Result<T, RecvError>;
  /// A receive on `rx`, which must outlive this future (use Receiver::recv()).
  explicit Recv(Receiver<T>& rx) noexcept : rx_(&rx) {}
  /// Moves a Recv that has not been polled yet (a polled one is queued by address).
  Recv(Recv&& o) noexcept : rx_(o.rx_) {}  // only before the first poll
  Recv(const Recv&) = delete;
  Recv& operator=(const Recv&) = delete;
  /// Leaves the wait queue; no value is consumed.
  ~Recv() { rx_->cancel(node_); }

  /// The next value, Closed, Lagged(n), or pending (registered). Spends one unit of coop
  /// budget when ready.
  Poll<Output> poll(Context& cx) {
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    auto o = rx_->read(&node_, &cx.waker());
    using K = typename Receiver<T>::OutKind;
    if (o.kind == K::kEmpty) return pending;
    coop->made_progress();
    rx_->cancel(node_);
    switch (o.kind) {
      case K::kValue:
        return Output(std::move(*o.value));
      case K::kClosed:
        return Output(Err(RecvError::closed()));
      default:
        break;
    }
    return Output(Err(RecvError::lagged(o.missed)));
  }

 private:
  Receiver<T>* rx_;
  sluice::detail::WaitNode node_;
};

/// Future returned by Sender::closed(): completes once no receiver is left.
///
/// Example:
/// ```cpp
/// co_await tx.closed();
/// ```
///
/// Cancel safety: cancel safe.
template <class T>
class [[nodiscard]] Closed {
  using Shared = sluice::detail::BroadcastShared<T>;

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
    if (s_ && node_.queued.load(sluice::detail::mo::acquire)) {
      std::lock_guard g(s_->tail_mu_);
      s_->tail_.closed_waiters.remove(node_);
    }
  }

  /// Ready when no receiver is left; otherwise registered. Spends one unit of coop budget
  /// when ready.
  Poll<void> poll(Context& cx) {
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    std::lock_guard g(s_->tail_mu_);
    auto& tail = s_->tail_;
    if (tail.rx_count == 0) {
      tail.closed_waiters.remove(node_);
      coop->made_progress();
      return Poll<void>::ready();
    }
    if (!node_.queued.load(sluice::detail::mo::relaxed)) tail.closed_waiters.push_back(node_);
    if (!node_.waker.will_wake(cx.waker())) node_.waker = cx.waker();
    return pending;
  }

 private:
  std::shared_ptr<Shared> s_;
  sluice::detail::WaitNode node_;
};

/// Creates a broadcast channel keeping the last `capacity` values (rounded up to a power of two)
/// and its first receiver.
///
/// Errors: throws std::invalid_argument when capacity is 0.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::broadcast::channel<Event>(100);
/// ```
template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
  auto s = std::make_shared<sluice::detail::BroadcastShared<T>>(capacity);
  s->tail_.rx_count = 1;
  Receiver<T> rx(s, 0);
  return {Sender<T>(std::move(s)), std::move(rx)};
}

}  // namespace sluice::broadcast
