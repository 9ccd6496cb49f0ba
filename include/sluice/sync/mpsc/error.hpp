/// @file
/// sluice::mpsc error types: what a failed send, try_send, send_timeout or try_recv returns.
///
/// Errors are values (sluice::Result). Every send-side error hands the message back, so nothing
/// is lost when a send fails: `r.error().into_inner()` or `r.error().value`.
///
/// Example:
/// ```cpp
/// auto [tx, rx] = sluice::mpsc::channel<std::string>(1);
/// auto r = tx.try_send("a");            // ok
/// auto r2 = tx.try_send("b");           // full
/// if (!r2 && r2.error().is_full()) std::string back = std::move(r2.error()).into_inner();
/// ```
#pragma once

#include <utility>

namespace sluice::mpsc {

/// Error of Sender::send / UnboundedSender::send / blocking_send: the receiver is gone or
/// closed. Holds the value that could not be sent.
///
/// Example:
/// ```cpp
/// auto r = co_await tx.send(5);
/// if (!r) std::printf("%s, got back %d\n", r.error().what(), r.error().value);
/// ```
template <class T>
struct SendError {
  /// The value that was not sent.
  T value;
  /// Takes the value back.
  T into_inner() && { return std::move(value); }
  /// "channel closed".
  const char* what() const noexcept { return "channel closed"; }
};

/// Error of reserve(), reserve_many(), reserve_owned(): the receiver is gone or closed (no value
/// to hand back), or reserve_many asked for more than the channel's capacity.
///
/// Example:
/// ```cpp
/// auto p = co_await tx.reserve();
/// if (!p) std::puts(p.error().what());   // "channel closed"
/// ```
template <>
struct SendError<void> {
  /// "channel closed".
  const char* what() const noexcept { return "channel closed"; }
  /// Always true: all SendError<void> are equal.
  friend bool operator==(const SendError&, const SendError&) noexcept { return true; }
};

/// Why try_send / try_reserve failed.
enum class TrySendErrorKind : unsigned char {
  Full,    ///< no capacity now (or waiting senders are ahead: nobody overtakes them)
  Closed,  ///< the receiver is gone or closed
};

/// Error of try_send (holds the value) and try_reserve / try_reserve_many (T = void) /
/// try_reserve_owned (holds the Sender back).
///
/// Example:
/// ```cpp
/// auto r = tx.try_send(1);
/// if (!r) {
///   if (r.error().is_full()) std::puts("full");
///   int v = std::move(r.error()).into_inner();
/// }
/// ```
template <class T>
struct TrySendError {
  TrySendErrorKind kind;  ///< Full or Closed.
  /// The value that was not sent.
  T value;
  /// True when the channel was full (kind == Full).
  bool is_full() const noexcept { return kind == TrySendErrorKind::Full; }
  /// True when the receiver is gone or closed (kind == Closed).
  bool is_closed() const noexcept { return kind == TrySendErrorKind::Closed; }
  /// Takes the value back.
  T into_inner() && { return std::move(value); }
  /// "no available capacity" or "channel closed".
  const char* what() const noexcept {
    return is_full() ? "no available capacity" : "channel closed";
  }
};

/// TrySendError without a value (try_reserve, try_reserve_many).
///
/// Example:
/// ```cpp
/// auto p = tx.try_reserve();
/// if (!p && p.error().is_full()) std::puts("no room");
/// ```
template <>
struct TrySendError<void> {
  TrySendErrorKind kind;  ///< Full or Closed.
  /// True when there was no capacity (kind == Full).
  bool is_full() const noexcept { return kind == TrySendErrorKind::Full; }
  /// True when the receiver is gone or closed (kind == Closed).
  bool is_closed() const noexcept { return kind == TrySendErrorKind::Closed; }
  /// "no available capacity" or "channel closed".
  const char* what() const noexcept {
    return is_full() ? "no available capacity" : "channel closed";
  }
};

/// Why send_timeout failed.
enum class SendTimeoutErrorKind : unsigned char {
  Timeout,  ///< the deadline passed before capacity was available
  Closed,   ///< the receiver is gone or closed
};

/// Error of send_timeout: Timeout or Closed, with the value.
///
/// Example:
/// ```cpp
/// auto r = co_await tx.send_timeout(v, std::chrono::milliseconds(10));
/// if (!r && r.error().is_timeout()) retry(std::move(r.error()).into_inner());
/// ```
template <class T>
struct SendTimeoutError {
  SendTimeoutErrorKind kind;  ///< Timeout or Closed.
  /// The value that was not sent.
  T value;
  /// True when the deadline passed first (kind == Timeout).
  bool is_timeout() const noexcept { return kind == SendTimeoutErrorKind::Timeout; }
  /// True when the receiver is gone or closed (kind == Closed).
  bool is_closed() const noexcept { return kind == SendTimeoutErrorKind::Closed; }
  /// Takes the value back.
  T into_inner() && { return std::move(value); }
  /// "timed out waiting on send operation" or "channel closed".
  const char* what() const noexcept {
    return is_timeout() ? "timed out waiting on send operation" : "channel closed";
  }
};

/// Error of try_recv.
///
/// Example:
/// ```cpp
/// auto r = rx.try_recv();
/// if (!r && r.error() == sluice::mpsc::TryRecvError::Empty) do_something_else();
/// ```
enum class TryRecvError : unsigned char {
  Empty,         ///< nothing queued now, but senders may still send
  Disconnected,  ///< every sender is gone (or the receiver closed) and every value was read
};

/// "receiving on an empty channel" / "receiving on a closed channel" (Tokio's wording).
///
/// Example:
/// ```cpp
/// std::puts(sluice::mpsc::to_string(sluice::mpsc::TryRecvError::Empty));
/// ```
inline const char* to_string(TryRecvError e) noexcept {
  return e == TryRecvError::Empty ? "receiving on an empty channel"
                                  : "receiving on a closed channel";
}

}  // namespace sluice::mpsc
