/// @file
/// sluice::oneshot: a channel that carries exactly one value from one Sender to one Receiver.
///
/// The request/response half of the actor pattern: put a Sender in a command, await the Receiver
/// for the reply. One allocation per channel; send and receive take no lock (one atomic state
/// word, the value stored in place; see detail/oneshot_state.hpp).
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::oneshot::channel<int>();
/// sluice::spawn([](sluice::oneshot::Sender<int> tx) -> sluice::Task<void> {
///   (void)tx.send(42);
///   co_return;
/// }(std::move(tx))).detach();
/// sluice::Result<int, sluice::oneshot::RecvError> r = co_await std::move(rx);   // 42
/// ```
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <sluice/block_on.hpp>
#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/oneshot_state.hpp>
#include <sluice/detail/runtime_context.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>

/// @namespace sluice::oneshot
/// @brief A channel that carries exactly one value: Tokio's tokio::sync::oneshot.
namespace sluice::oneshot {

/// The sender was dropped without sending (or the receiver closed before a value arrived).
///
/// Example:
/// ```cpp
/// auto r = co_await std::move(rx);
/// if (!r) std::puts(r.error().what());   // "channel closed"
/// ```
struct RecvError {
  /// "channel closed".
  const char* what() const noexcept { return "channel closed"; }
  /// Always true: all RecvErrors are equal.
  friend bool operator==(RecvError, RecvError) noexcept { return true; }
};

/// Why try_recv() returned no value.
///
/// Example:
/// ```cpp
/// if (auto r = rx.try_recv(); !r && r.error() == sluice::oneshot::TryRecvError::Empty) { ... }
/// ```
enum class TryRecvError {
  Empty,   ///< no value yet, the sender is still alive
  Closed,  ///< no value will ever come (sender dropped, or receiver closed)
};

template <class T>
class Sender;
template <class T>
class Receiver;

/// @cond
namespace detail {
template <class T>
void release(sluice::detail::OneshotInner<T>*& p) {
  if (p) std::exchange(p, nullptr)->release();
}
}  // namespace detail
/// @endcond

/// Future returned by Sender::closed(): ready once the receiver is dropped or closed.
///
/// Example:
/// ```cpp
/// auto s = co_await sluice::select(tx.closed(), compute());
/// if (s.index() == 0) return;   // nobody wants the answer any more
/// ```
///
/// Cancel safety: cancel safe (a closed channel stays closed).
template <class T>
class [[nodiscard]] Closed {
 public:
  using Output = void;  ///< Completes with nothing.
  /// Watches `tx`, which must outlive this future (use Sender::closed()).
  explicit Closed(Sender<T>& tx) noexcept : tx_(&tx) {}
  /// Polls Sender::poll_closed().
  Poll<void> poll(Context& cx) { return tx_->poll_closed(cx); }

 private:
  Sender<T>* tx_;
};

/// Sends the one value of a oneshot channel. Move-only; sending consumes it.
///
/// Dropping a Sender without sending makes the receiver see RecvError.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::oneshot::channel<std::string>();
/// if (auto r = tx.send("hi"); !r) std::puts("receiver gone");   // r.error() is "hi"
/// ```
template <class T>
class Sender {
 public:
  /// An empty sender (moved-from state); using it throws std::logic_error.
  Sender() noexcept = default;
  /// Takes over `o`'s channel; `o` becomes empty.
  Sender(Sender&& o) noexcept : inner_(std::exchange(o.inner_, nullptr)) {}
  /// Drops the current sender (as the destructor does), then takes over `o`'s channel.
  Sender& operator=(Sender&& o) noexcept {
    if (this != &o) {
      reset();
      inner_ = std::exchange(o.inner_, nullptr);
    }
    return *this;
  }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;
  /// Drops the sender: if it has not sent, the receiver completes with RecvError.
  ~Sender() { reset(); }

  /// Sends `v` without waiting and consumes the sender (it becomes empty). Returns the value
  /// back as the error when the receiver was dropped or closed.
  ///
  /// Errors: throws std::logic_error when the sender is empty (already sent or moved from). If
  /// moving `v` into the channel throws, the exception propagates and the sender is dropped
  /// (the receiver sees RecvError).
  ///
  /// Example:
  /// ```cpp
  /// auto r = tx.send(5);
  /// if (r.is_err()) use(std::move(r).error());   // the 5, handed back
  /// ```
  Result<void, T> send(T v) {
    auto* inner = take_inner("send");
    std::optional<T> back = [&]() -> std::optional<T> {
      try {
        return inner->send(std::move(v));
      } catch (...) {  // T's move constructor threw: nothing was sent, the sender is dropped
        inner->tx_drop();
        inner->release();
        throw;
      }
    }();
    inner->release();
    if (back) return Err(std::move(*back));
    return {};
  }

  /// True once the receiver was dropped or closed (a send would fail). False for an empty sender.
  ///
  /// Example:
  /// ```cpp
  /// if (tx.is_closed()) return;   // skip the work
  /// ```
  bool is_closed() const { return inner_ && inner_->is_closed(); }

  /// Ready once the receiver was dropped or closed; otherwise registers cx's waker (only the
  /// last registered waker is woken). Spends coop budget when it completes.
  ///
  /// Example (in a hand-written future):
  /// ```cpp
  /// if (tx_.poll_closed(cx).is_ready()) return sluice::Poll<void>::ready();
  /// ```
  Poll<void> poll_closed(Context& cx) {
    if (!inner_) throw std::logic_error("sluice::oneshot::Sender::poll_closed on an empty sender");
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    Poll<void> p = inner_->poll_closed(cx);
    if (p.is_ready()) coop->made_progress();
    return p;
  }

  /// Future that completes when the receiver is dropped or closed. The sender must outlive it.
  ///
  /// Example:
  /// ```cpp
  /// co_await tx.closed();
  /// ```
  ///
  /// Cancel safety: cancel safe.
  Closed<T> closed() noexcept { return Closed<T>(*this); }

 private:
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel();
  explicit Sender(sluice::detail::OneshotInner<T>* p) noexcept : inner_(p) {}
  sluice::detail::OneshotInner<T>* take_inner(const char* what) {
    if (!inner_)
      throw std::logic_error(std::string("sluice::oneshot::Sender::") + what +
                             " on an empty sender");
    return std::exchange(inner_, nullptr);
  }
  void reset() {
    if (inner_) {
      inner_->tx_drop();
      detail::release(inner_);
    }
  }
  sluice::detail::OneshotInner<T>* inner_ = nullptr;
};

/// Receives the one value of a oneshot channel. Move-only. The Receiver is itself a future:
/// `co_await rx` or `co_await std::move(rx)` yields the value, or RecvError when the sender was
/// dropped without sending (or close() was called before a value arrived).
///
/// Polling again after it completed throws std::logic_error (see is_terminated()). Dropping the
/// Receiver closes the channel and destroys a value sent but not received.
///
/// Example:
/// ```cpp
/// auto r = co_await sluice::timeout(std::chrono::seconds(1), std::move(rx));
/// ```
///
/// Cancel safety: cancel safe when awaited by reference (`co_await rx` or `sluice::by_ref(rx)`
/// in a select): if another branch wins, no value was taken and the receiver can be awaited
/// again. Awaited by value (`std::move(rx)` into a select that loses), the value is dropped with
/// the receiver.
template <class T>
class Receiver {
 public:
  /// The value, or RecvError when none will come.
  using Output = Result<T, RecvError>;

  /// An empty receiver (moved-from); it is terminated.
  Receiver() noexcept = default;
  /// Takes over `o`'s channel; `o` becomes empty (terminated).
  Receiver(Receiver&& o) noexcept : inner_(std::exchange(o.inner_, nullptr)) {}
  /// Drops the current receiver (as the destructor does), then takes over `o`'s channel.
  Receiver& operator=(Receiver&& o) noexcept {
    if (this != &o) {
      reset();
      inner_ = std::exchange(o.inner_, nullptr);
    }
    return *this;
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  /// Closes the channel (a later send fails and returns its value) and destroys a value that
  /// was sent but not received.
  ~Receiver() { reset(); }

  /// Polls for the value: ready with it, ready with RecvError, or pending (cx's waker
  /// registered). Spends one unit of coop budget when it completes.
  ///
  /// Errors: throws std::logic_error when polled after it completed.
  ///
  /// Example:
  /// ```cpp
  /// auto p = rx.poll(cx);
  /// if (p.is_ready() && p.value()) use(*p.value());
  /// ```
  Poll<Output> poll(Context& cx) {
    if (!inner_) throw std::logic_error("sluice::oneshot::Receiver polled after completion");
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    std::optional<T> out;
    switch (inner_->poll_take(cx, out)) {
      case Take::kValue:
        coop->made_progress();
        finish();
        return Output(std::move(*out));
      case Take::kClosed:
        coop->made_progress();
        finish();
        return Output(Err(RecvError{}));
      case Take::kEmpty:
        break;
    }
    return pending;
  }

  /// Takes the value if it is there, without waiting.
  ///
  /// Errors: TryRecvError::Empty (nothing yet), TryRecvError::Closed (the sender is gone without
  /// sending, the receiver was closed, or the value was already received).
  ///
  /// Example:
  /// ```cpp
  /// auto r = rx.try_recv();
  /// if (r) use(*r); else if (r.error() == sluice::oneshot::TryRecvError::Empty) retry_later();
  /// ```
  Result<T, TryRecvError> try_recv() {
    if (!inner_) return Err(TryRecvError::Closed);
    std::optional<T> out;
    switch (inner_->try_take(out)) {
      case Take::kValue:
        finish();
        return Result<T, TryRecvError>(std::move(*out));
      case Take::kClosed:
        finish();
        return Err(TryRecvError::Closed);
      case Take::kEmpty:
        break;
    }
    return Err(TryRecvError::Empty);
  }

  /// Blocks the calling (non-runtime) thread until the value or the error arrives.
  ///
  /// Errors: throws std::logic_error on a runtime thread or inside block_on (use co_await).
  ///
  /// Example:
  /// ```cpp
  /// std::thread t([rx = std::move(rx)]() mutable { auto r = std::move(rx).blocking_recv(); });
  /// ```
  Result<T, RecvError> blocking_recv() {
    sluice::detail::assert_can_block("sluice::oneshot::Receiver::blocking_recv");
    if (!inner_) return Err(RecvError{});
    return sluice::block_on(*this);
  }

  /// Closes the channel: a later send fails and hands its value back, Sender::closed()
  /// completes. A value sent before close() can still be received.
  ///
  /// Example:
  /// ```cpp
  /// rx.close();
  /// auto r = rx.try_recv();   // the value if it came before close, else Closed
  /// ```
  void close() {
    if (inner_) inner_->rx_close();
  }

  /// True once the receiver yielded its value or error (polling it again would throw).
  ///
  /// Example:
  /// ```cpp
  /// while (!rx.is_terminated()) { ... co_await rx ... }
  /// ```
  bool is_terminated() const noexcept { return inner_ == nullptr; }

  /// True when there is no value to receive right now (none sent yet, already received, or
  /// never coming).
  ///
  /// Example:
  /// ```cpp
  /// if (!rx.is_empty()) use(*rx.try_recv());
  /// ```
  bool is_empty() const { return !inner_ || !inner_->has_value(); }

 private:
  using Take = typename sluice::detail::OneshotInner<T>::Take;
  template <class U>
  friend std::pair<Sender<U>, Receiver<U>> channel();
  explicit Receiver(sluice::detail::OneshotInner<T>* p) noexcept : inner_(p) {}
  void finish() { reset(); }
  void reset() {
    if (inner_) {
      inner_->rx_drop();
      detail::release(inner_);
    }
  }
  sluice::detail::OneshotInner<T>* inner_ = nullptr;
};

/// Creates a oneshot channel: one allocation, shared by the two handles.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::oneshot::channel<int>();
/// ```
template <class T>
std::pair<Sender<T>, Receiver<T>> channel() {
  auto* inner = new sluice::detail::OneshotInner<T>();
  return {Sender<T>(inner), Receiver<T>(inner)};
}

}  // namespace sluice::oneshot
