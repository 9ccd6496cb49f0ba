// sluice::detail::TaskHeader / TaskVTable / Scheduler: the type-erased front of every task cell.
//
// A task cell (task_cell.hpp) is one allocation: TaskHeader, then the future / output slot, then
// the join waker. Schedulers and wakers only see TaskHeader*: the vtable reaches the typed parts.
// The header's fields other than `state` are written before the task is published (spawn) and then
// only by their owners: `queue_next` by whichever run queue holds the task's notified reference;
// `owned_prev/owned_next/owned_shard` under the owned-tasks shard lock (owned_tasks.hpp).
//
// Example (how a scheduler runs a task it popped):
//   TaskHeader* t = queue.pop();
//   t->vtable->poll(t);          // consumes the notified reference
#pragma once

#include <cstdint>

#include <sluice/detail/task_state.hpp>

namespace sluice {
class Waker;
}

namespace sluice::detail {

struct TaskHeader;

/// The per-future-type functions of a task cell.
struct TaskVTable {
  /// Runs the task once (consumes one notified reference).
  void (*poll)(TaskHeader*);
  /// Frees the cell (ref count reached zero).
  void (*dealloc)(TaskHeader*);
  /// JoinHandle::poll: moves the output into `*static_cast<std::optional<Out>*>(dst)` when the
  /// task is complete, otherwise stores `waker` as the join waker.
  void (*try_read_output)(TaskHeader*, void* dst, const Waker& waker);
  /// ~JoinHandle when the fast path failed: clears JOIN_INTEREST, drops output, drops the ref.
  void (*drop_join_handle_slow)(TaskHeader*);
  /// Runtime shutdown: cancels the task if idle (consumes the owned-list reference).
  void (*shutdown)(TaskHeader*);
};

/// What a task cell needs from the scheduler that owns it.
class Scheduler {
 public:
  /// A waker made `task` NOTIFIED: queue it (takes over one reference).
  virtual void schedule(TaskHeader* task) = 0;
  /// A new task was spawned: queue it (takes over one reference). Default: as schedule().
  virtual void schedule_spawned(TaskHeader* task) { schedule(task); }
  /// The task was woken while it was running (yield_now, coop): queue it at the back (takes over
  /// one reference). `budget_spent`: the poll used up the task's coop budget, so the wake is
  /// (most likely) the budget's own yield rather than yield_now or another task's wake.
  virtual void yield(TaskHeader* task, bool budget_spent) = 0;
  /// The task completed: remove it from the owned-tasks list. True when it was still there (the
  /// list's reference is then released by the caller).
  virtual bool release(TaskHeader* task) noexcept = 0;

 protected:
  ~Scheduler() = default;
};

/// The fixed front of every task cell.
struct TaskHeader {
  TaskState state;
  const TaskVTable* vtable = nullptr;
  Scheduler* scheduler = nullptr;
  TaskHeader* queue_next = nullptr;  // run-queue link (InjectQueue, current-thread queue)
  TaskHeader* owned_prev = nullptr;  // owned-tasks list links (under the shard lock)
  TaskHeader* owned_next = nullptr;
  std::uint32_t owned_shard = 0;
  bool owned_linked = false;  // under the shard lock

  TaskHeader(const TaskVTable* vt, Scheduler* s) noexcept : vtable(vt), scheduler(s) {}
};

/// Drops one reference of `t`, deallocating it if that was the last.
inline void task_drop_reference(TaskHeader* t) noexcept {
  if (t->state.ref_dec()) t->vtable->dealloc(t);
}

}  // namespace sluice::detail
