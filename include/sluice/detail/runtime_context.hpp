// sluice::detail runtime context: the thread-local "which runtime am I in" and the non-template
// entry points that the template front ends (Runtime::spawn, block_on, spawn_blocking) call.
//
// Every thread has: the current RuntimeCore (set on worker threads, blocking-pool threads and
// inside Runtime::block_on; used by sluice::spawn and Handle::current), a flag "this is a runtime
// thread" (workers and Runtime::block_on: blocking here would stall the runtime), and a depth of
// sluice::block_on calls.
//
// Example:
//   if (sluice::detail::on_runtime_thread()) ...;        // must not block
//   sluice::detail::assert_can_block("blocking_recv");    // throws std::logic_error there
#pragma once

#include <optional>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/detail/scheduler.hpp>

namespace sluice::detail {

class RuntimeCore;

/// The runtime this thread runs in (worker, blocking thread, inside Runtime::block_on), or null.
RuntimeCore* current_core() noexcept;

/// True on runtime worker threads and inside Runtime::block_on.
bool on_runtime_thread() noexcept;

/// True inside sluice::block_on / Runtime::block_on on this thread.
bool in_block_on() noexcept;

/// Throws std::logic_error("sluice: cannot call <what> from a runtime thread (it would block the
/// worker); use the async form") on a runtime thread or inside block_on.
///
/// Example:
///   void blocking_recv() { sluice::detail::assert_can_block("blocking_recv"); ... }
void assert_can_block(const char* what);

/// The scheduler that tasks spawned on `core` are bound to.
Scheduler* core_scheduler(RuntimeCore& core) noexcept;
/// Binds a new task (3 refs: list, JoinHandle, notified) and schedules it; cancels it at once
/// when the runtime is shut down.
void core_spawn(RuntimeCore& core, TaskHeader* task);
/// The scheduler of spawn_blocking tasks (never schedules: blocking tasks are never woken).
Scheduler* blocking_scheduler() noexcept;
/// Queues a blocking task on the blocking pool of `core` (cancelled when shut down).
void core_spawn_blocking(RuntimeCore& core, TaskHeader* task);

/// A type-erased future for Runtime::block_on: poll returns true once ready.
struct BlockOnTarget {
  void* self;
  bool (*poll)(void* self, Context& cx);
};
/// Runs `target` to completion on this thread within `core` (drives a current-thread runtime).
void core_block_on(RuntimeCore& core, BlockOnTarget target);

/// Polls `F` into an output slot (used by both block_on flavours).
template <class F, class T>
struct BlockOnSlot {
  explicit BlockOnSlot(F* f) noexcept : fut(f) {}
  F* fut;
  std::optional<T> out;
  static bool poll(void* p, Context& cx) {
    auto* s = static_cast<BlockOnSlot*>(p);
    auto r = s->fut->poll(cx);
    if (r.is_pending()) return false;
    s->out.emplace(std::move(r).value());
    return true;
  }
};
template <class F>
struct BlockOnSlot<F, void> {
  explicit BlockOnSlot(F* f) noexcept : fut(f) {}
  F* fut;
  bool done = false;
  static bool poll(void* p, Context& cx) {
    auto* s = static_cast<BlockOnSlot*>(p);
    if (s->fut->poll(cx).is_pending()) return false;
    s->done = true;
    return true;
  }
};

}  // namespace sluice::detail
