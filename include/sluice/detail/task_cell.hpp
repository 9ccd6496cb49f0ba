// sluice::detail::TaskCell<F>: the one allocation behind every spawned task.
//
// Layout: TaskHeader (state word, vtable, scheduler, queue and owned-list links; scheduler.hpp),
// then a union of the future F and its output Result<T, JoinError> (the "stage"), then the join
// waker. The task's Waker is the header pointer with kTaskWakerVTable (task_waker.hpp).
//
// Ownership of the stage: the thread holding RUNNING (task_state.hpp) owns the future; after
// COMPLETE, the output belongs to the JoinHandle while JOIN_INTEREST is set, and is dropped by the
// completing thread (or by ~JoinHandle, whichever observes the other) otherwise. The join waker is
// written only by the JoinHandle while JOIN_WAKER is clear and the task is not complete.
//
// Each poll gets a fresh coop::Budget::initial(). An exception thrown by F::poll is caught and
// stored as JoinError::from_exception; the runtime keeps running.
//
// Example (what spawn does):
//   auto* cell = new TaskCell<F>(std::move(fut), scheduler);
//   bind_and_schedule(cell);                          // owned list + first run-queue entry
//   JoinHandle<T> h(cell);                            // the JoinHandle's reference
#pragma once

#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/coop_budget.hpp>
#include <sluice/detail/deferred_wakes.hpp>
#include <sluice/detail/frame_allocator.hpp>
#include <sluice/detail/scheduler.hpp>
#include <sluice/detail/task_waker.hpp>
#include <sluice/future.hpp>
#include <sluice/join_error.hpp>
#include <sluice/result.hpp>
#include <sluice/task.hpp>
#include <sluice/waker.hpp>

namespace sluice::detail {

/// The output a JoinHandle<T> receives.
template <class T>
using JoinOutput = Result<T, JoinError>;

/// One spawned task: header + future/output + join waker. See the top of this file.
template <class F>
class TaskCell final : public TaskHeader {
 public:
  using T = future_output_t<F>;
  using Out = JoinOutput<T>;

  template <class G>
  TaskCell(G&& fut, Scheduler* s) : TaskHeader(&kVTable, s) {
    ::new (static_cast<void*>(&future_)) F(std::forward<G>(fut));
    if constexpr (is_task<F>::value) mark_task_body(future_);  // only an abort drops it
    stage_ = Stage::kRunning;
  }
  TaskCell(const TaskCell&) = delete;
  TaskCell& operator=(const TaskCell&) = delete;
  ~TaskCell() { drop_stage(); }

  // Cells share the coroutine frames' per-thread size-class pool (frame_allocator.hpp).
  static void* operator new(std::size_t size) { return frame_alloc(size); }
  static void operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }

 private:
  enum class Stage : std::uint8_t { kRunning, kFinished, kConsumed };

  static TaskCell* cell(TaskHeader* h) noexcept { return static_cast<TaskCell*>(h); }

  static void poll_task(TaskHeader* h) {
    TaskCell* c = cell(h);
    switch (h->state.transition_to_running()) {
      case ToRunning::kSuccess:
        break;
      case ToRunning::kCancelled:
        c->cancel_and_complete();
        return;
      case ToRunning::kFailed:
        return;
      case ToRunning::kDealloc:
        dealloc(h);
        return;
    }
    bool budget_spent = false;
    if (c->poll_future(budget_spent)) {
      c->complete();
      return;
    }
    switch (h->state.transition_to_idle()) {
      case ToIdle::kOkNotified:
        h->scheduler->yield(h, budget_spent);  // the new notified reference
        task_drop_reference(h);                // the reference this poll consumed
        return;
      case ToIdle::kOkDoNothing:
        return;
      case ToIdle::kOkDealloc:
        dealloc(h);
        return;
      case ToIdle::kCancelled:
        c->cancel_and_complete();
        return;
    }
  }

  /// Polls the future once; true when it finished (output stored, future destroyed).
  /// `budget_spent`: set when the poll used up the task's coop budget (it yields for that).
  bool poll_future(bool& budget_spent) {
    // A borrowed waker: polling holds a reference already, so it is neither cloned nor dropped.
    alignas(Waker) unsigned char buf[sizeof(Waker)];
    const Waker* w =
        ::new (static_cast<void*>(buf)) Waker(static_cast<TaskHeader*>(this), &kTaskWakerVTable);
    coop::Budget budget = coop::Budget::initial();
    DeferredWakes deferred;  // flushed when this function returns (deferred_wakes.hpp)
    Context cx(*w, budget);
    ContextInternals::set_deferred(cx, &deferred);
    try {
      auto p = future_.poll(cx);
      if (p.is_pending()) {
        budget_spent = !budget.has_remaining();
        return false;
      }
      if constexpr (std::is_void_v<T>) {
        drop_stage();
        ::new (static_cast<void*>(&output_)) Out();
      } else {
        T v = std::move(p).value();
        drop_stage();
        ::new (static_cast<void*>(&output_)) Out(std::move(v));
      }
    } catch (...) {
      drop_stage();
      ::new (static_cast<void*>(&output_))
          Out(Err(JoinError::from_exception(std::current_exception())));
    }
    stage_ = Stage::kFinished;
    return true;
  }

  void cancel_and_complete() {
    drop_stage();
    ::new (static_cast<void*>(&output_)) Out(Err(JoinError::cancelled()));
    stage_ = Stage::kFinished;
    complete();
  }

  void complete() {
    TaskState::Bits snap = state.transition_to_complete();
    if (!(snap & task_bits::kJoinInterest)) {
      drop_stage();  // nobody will read it
    } else if (snap & task_bits::kJoinWaker) {
      join_waker_.wake_by_ref();
    }
    std::size_t refs = scheduler->release(this) ? 2 : 1;
    if (state.transition_to_terminal(refs)) dealloc(this);
  }

  void drop_stage() noexcept {
    if (stage_ == Stage::kRunning) {
      future_.~F();
    } else if (stage_ == Stage::kFinished) {
      output_.~Out();
    }
    stage_ = Stage::kConsumed;
  }

  static void dealloc(TaskHeader* h) { delete cell(h); }

  /// True when the output can be read now; otherwise the waker is stored as the join waker.
  bool can_read_output(const Waker& w) {
    TaskState::Bits s = state.load();
    if (s & task_bits::kComplete) return true;
    if (s & task_bits::kJoinWaker) {
      if (join_waker_.will_wake(w)) return false;
      if (!state.unset_join_waker()) return true;  // completed meanwhile
    }
    join_waker_ = w;
    if (state.set_join_waker()) return false;
    join_waker_.reset();  // completed meanwhile: the completing thread did not see our waker
    return true;
  }

  static void try_read_output(TaskHeader* h, void* dst, const Waker& w) {
    TaskCell* c = cell(h);
    if (!c->can_read_output(w)) return;
    if (c->stage_ != Stage::kFinished)
      throw std::logic_error("sluice::JoinHandle polled after it returned the task's output");
    static_cast<std::optional<Out>*>(dst)->emplace(std::move(c->output_));
    c->drop_stage();
  }

  static void drop_join_handle_slow(TaskHeader* h) {
    if (!h->state.unset_join_interested()) cell(h)->drop_stage();  // completed: output is ours
    task_drop_reference(h);
  }

  static void shutdown(TaskHeader* h) {
    if (!h->state.transition_to_shutdown()) {
      task_drop_reference(h);  // running elsewhere: that thread sees CANCELLED
      return;
    }
    cell(h)->cancel_and_complete();
  }

  static constexpr TaskVTable kVTable{&poll_task, &dealloc, &try_read_output,
                                      &drop_join_handle_slow, &shutdown};

  union {
    F future_;
    Out output_;
  };
  Stage stage_ = Stage::kConsumed;
  Waker join_waker_;
};

}  // namespace sluice::detail
