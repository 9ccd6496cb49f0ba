/// @file
/// sluice::JoinHandle<T>: the future of a spawned task's outcome.
///
/// `co_await std::move(h)` (or block_on(std::move(h))) yields Result<T, JoinError>: the task's
/// value, or a JoinError saying it was cancelled (abort(), runtime shutdown) or threw. Dropping the
/// JoinHandle detaches the task: it keeps running and its output is dropped when it completes.
///
/// Example:
/// ```cpp
/// sluice::JoinHandle<int> h = sluice::spawn(compute());
/// sluice::Result<int, sluice::JoinError> r = co_await std::move(h);
/// if (r) use(*r); else if (r.error().is_cancelled()) ...;
/// ```
#pragma once

#include <optional>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/scheduler.hpp>
#include <sluice/detail/task_cell.hpp>
#include <sluice/join_error.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>

namespace sluice {

/// Owned permission to await (or abort) one spawned task. Move-only.
///
/// Example:
/// ```cpp
/// auto h = rt.spawn(work());
/// h.abort();
/// auto r = rt.block_on(std::move(h));   // cancelled, unless work() had already finished
/// ```
///
/// Cancel safety: cancel safe. Dropping a JoinHandle (or a future awaiting it) only detaches the
/// task; it does not cancel it (call abort() for that).
template <class T>
class [[nodiscard]] JoinHandle {
 public:
  /// The task's value, or why there is none (cancelled, or the task threw).
  using Output = Result<T, JoinError>;

  /// An empty handle (default-constructed or moved-from); polling it throws std::logic_error.
  JoinHandle() noexcept = default;
  /// Internal: adopts the JoinHandle reference of a task cell (used by spawn).
  explicit JoinHandle(detail::TaskHeader* raw) noexcept : raw_(raw) {}
  /// Takes over `o`'s task; `o` becomes empty.
  JoinHandle(JoinHandle&& o) noexcept : raw_(std::exchange(o.raw_, nullptr)) {}
  /// Detaches the current task (if any), then takes over `o`'s.
  JoinHandle& operator=(JoinHandle&& o) noexcept {
    if (this != &o) {
      detach();
      raw_ = std::exchange(o.raw_, nullptr);
    }
    return *this;
  }
  JoinHandle(const JoinHandle&) = delete;
  JoinHandle& operator=(const JoinHandle&) = delete;
  /// Detaches the task.
  ~JoinHandle() { detach(); }

  /// Ready with the task's outcome once it completed. Spends one unit of coop budget when ready.
  /// Throws std::logic_error when polled again after it returned the outcome, or when empty.
  Poll<Output> poll(Context& cx) {
    if (!raw_) throw std::logic_error("sluice::JoinHandle: polling an empty or moved-from handle");
    auto coop = coop::poll_proceed(cx);
    if (!coop) return pending;
    std::optional<Output> out;
    raw_->vtable->try_read_output(raw_, &out, cx.waker());
    if (!out) return pending;
    coop->made_progress();
    return Poll<Output>(std::move(*out));
  }

  /// Requests cancellation: the task's future is dropped (on its scheduler) before its next poll,
  /// and the outcome becomes JoinError::cancelled(). No effect once the task completed (the
  /// value is kept). Returns immediately.
  void abort() const {
    if (raw_ && raw_->state.transition_to_notified_and_cancel()) raw_->scheduler->schedule(raw_);
  }

  /// True once the task completed (with a value, an exception or cancelled).
  bool is_finished() const noexcept {
    return raw_ && (raw_->state.load() & detail::task_bits::kComplete) != 0;
  }

  /// True unless default-constructed or moved-from.
  bool valid() const noexcept { return raw_ != nullptr; }

  /// Lets the task run on its own: its output is dropped when it completes; the handle becomes
  /// empty. The same as destroying the handle, said out loud (spawn's result is [[nodiscard]]).
  ///
  /// Example:
  /// ```cpp
  /// sluice::spawn(handle_connection(std::move(socket))).detach();
  /// ```
  void detach() noexcept {
    if (!raw_) return;
    auto* r = std::exchange(raw_, nullptr);
    if (r->state.drop_join_handle_fast()) return;
    r->vtable->drop_join_handle_slow(r);
  }

 private:
  detail::TaskHeader* raw_ = nullptr;
};

}  // namespace sluice
