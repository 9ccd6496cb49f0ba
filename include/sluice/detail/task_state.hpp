// sluice::detail::TaskState: the atomic state word of a spawned task (Tokio's
// runtime/task/state.rs).
//
// One std::size_t (through detail::Atomic, so the Relacy model in tests/model/ checks this very
// code):
//
//   bit 0  RUNNING        set by the thread that claims the task to poll it (to_running) or to
//                         cancel it (transition_to_shutdown); cleared by to_idle / to_complete.
//                         Whoever holds RUNNING owns the future/output slot of the cell.
//   bit 1  COMPLETE       set once by to_complete (the output is stored); never cleared.
//   bit 2  NOTIFIED       "a notified reference of this task is in (or on its way to) a run queue".
//                         Set by wakers (to_notified_*) and abort; cleared by to_running. At most
//                         one run-queue entry per task exists at any time.
//   bit 3  CANCELLED      set by abort (notify_and_cancel) or runtime shutdown; the thread holding
//                         RUNNING then drops the future and stores JoinError::cancelled.
//   bit 4  JOIN_INTEREST  the JoinHandle still exists. Cleared only by the JoinHandle
//                         (unset_join_interested); while it is set, the output belongs to the
//                         JoinHandle; once cleared, the completing thread drops the output.
//   bit 5  JOIN_WAKER     the join waker field of the cell holds a waker. While it is clear and the
//                         task is not COMPLETE, only the JoinHandle writes that field; while it is
//                         set, only the completing thread reads it (to wake the JoinHandle).
//   bits 6..  ref count   one per reference: the owned-tasks list, the JoinHandle, every notified
//                         entry in a run queue, every Waker clone. Dealloc when it reaches zero.
//
// Initial state: 3 refs (owned list, JoinHandle, first schedule) | JOIN_INTEREST | NOTIFIED.
// Every transition is a single atomic RMW (a CAS loop that normally succeeds first time); a wake
// of a task that is already NOTIFIED or COMPLETE costs one load.
//
// Example:
//   sluice::detail::TaskState s;                    // initial
//   assert(s.transition_to_running() == sluice::detail::ToRunning::kSuccess);
//   assert(s.transition_to_idle() == sluice::detail::ToIdle::kOkDoNothing);
#pragma once

#include <cstddef>

#include <sluice/detail/sync.hpp>

namespace sluice::detail {

/// Bits of the state word (see the top of this file).
namespace task_bits {
inline constexpr std::size_t kRunning = 1u << 0;
inline constexpr std::size_t kComplete = 1u << 1;
inline constexpr std::size_t kNotified = 1u << 2;
inline constexpr std::size_t kCancelled = 1u << 3;
inline constexpr std::size_t kJoinInterest = 1u << 4;
inline constexpr std::size_t kJoinWaker = 1u << 5;
inline constexpr std::size_t kLifecycle = kRunning | kComplete;
inline constexpr std::size_t kRefShift = 6;
inline constexpr std::size_t kRefOne = std::size_t{1} << kRefShift;
inline constexpr std::size_t kRefMask = ~(kRefOne - 1);
inline constexpr std::size_t kInitial = 3 * kRefOne | kJoinInterest | kNotified;
}  // namespace task_bits

/// Outcome of transition_to_running (a scheduler popped a notified reference).
enum class ToRunning { kSuccess, kCancelled, kFailed, kDealloc };
/// Outcome of transition_to_idle (after a pending poll).
enum class ToIdle { kOkNotified, kOkDoNothing, kOkDealloc, kCancelled };
/// Outcome of transition_to_notified_by_val (a Waker consumed by wake()).
enum class NotifyByVal { kDoNothing, kMarkedRunning, kSubmit, kDealloc };
/// Outcome of transition_to_notified_by_ref (wake_by_ref()).
enum class NotifyByRef { kDoNothing, kMarkedRunning, kSubmit };

/// The atomic state word of one task. See the top of this file for the bit layout and rules.
class TaskState {
 public:
  using Bits = std::size_t;
  TaskState() noexcept : v_(task_bits::kInitial) {}
  explicit TaskState(Bits initial) noexcept : v_(initial) {}
  TaskState(const TaskState&) = delete;
  TaskState& operator=(const TaskState&) = delete;

  Bits load() const noexcept { return v_.load(mo::acquire); }

  static constexpr std::size_t ref_count(Bits s) noexcept { return s >> task_bits::kRefShift; }
  static constexpr bool is_idle(Bits s) noexcept { return (s & task_bits::kLifecycle) == 0; }

  /// A scheduler runs a notified reference: claims RUNNING and clears NOTIFIED. Fails (and
  /// consumes that reference) when the task is running elsewhere or complete.
  ToRunning transition_to_running() noexcept {
    using namespace task_bits;
    Bits cur = v_.load(mo::acquire);
    for (;;) {
      Bits next = cur;
      ToRunning action;
      if (!is_idle(cur)) {
        next -= kRefOne;
        action = ref_count(next) == 0 ? ToRunning::kDealloc : ToRunning::kFailed;
      } else {
        next = (next | kRunning) & ~kNotified;
        action = (next & kCancelled) ? ToRunning::kCancelled : ToRunning::kSuccess;
      }
      if (v_.compare_exchange_weak(cur, next, mo::acq_rel)) return action;
    }
  }

  /// After a pending poll. kOkNotified: the task was woken during the poll; a new notified
  /// reference was created and the caller must schedule it (then drop its own reference).
  /// kOkDoNothing / kOkDealloc: the poll's reference was consumed. kCancelled: still RUNNING; the
  /// caller must cancel the task.
  ToIdle transition_to_idle() noexcept {
    using namespace task_bits;
    Bits cur = v_.load(mo::acquire);
    for (;;) {
      if (cur & kCancelled) return ToIdle::kCancelled;
      Bits next = cur & ~kRunning;
      ToIdle action;
      if (!(next & kNotified)) {
        next -= kRefOne;
        action = ref_count(next) == 0 ? ToIdle::kOkDealloc : ToIdle::kOkDoNothing;
      } else {
        next += kRefOne;
        action = ToIdle::kOkNotified;
      }
      if (v_.compare_exchange_weak(cur, next, mo::acq_rel)) return action;
    }
  }

  /// RUNNING -> COMPLETE. Returns the new snapshot (JOIN_INTEREST / JOIN_WAKER are read from it).
  Bits transition_to_complete() noexcept {
    using namespace task_bits;
    // RUNNING (bit 0) is set and COMPLETE (bit 1) clear: adding 1 carries RUNNING into COMPLETE.
    // (fetch_add rather than fetch_xor: the Relacy facade has no fetch_xor.)
    Bits prev = v_.fetch_add(kComplete - kRunning, mo::acq_rel);
    return prev + (kComplete - kRunning);
  }

  /// Drops `count` references after completion; true when the task must be deallocated.
  bool transition_to_terminal(std::size_t count) noexcept {
    Bits prev = v_.fetch_sub(count * task_bits::kRefOne, mo::acq_rel);
    return ref_count(prev) == count;
  }

  /// A waker consumed by wake(): its reference becomes the notified one (kSubmit), or is dropped.
  NotifyByVal transition_to_notified_by_val() noexcept {
    using namespace task_bits;
    Bits cur = v_.load(mo::acquire);
    for (;;) {
      Bits next = cur;
      NotifyByVal action;
      if (cur & kRunning) {
        next = (next | kNotified) - kRefOne;  // the running thread holds a reference too
        action = NotifyByVal::kMarkedRunning;
      } else if (cur & (kComplete | kNotified)) {
        next -= kRefOne;
        action = ref_count(next) == 0 ? NotifyByVal::kDealloc : NotifyByVal::kDoNothing;
      } else {
        next |= kNotified;
        action = NotifyByVal::kSubmit;
      }
      if (v_.compare_exchange_weak(cur, next, mo::acq_rel)) return action;
    }
  }

  /// wake_by_ref(): kSubmit means a new reference was created that the caller must schedule.
  NotifyByRef transition_to_notified_by_ref() noexcept {
    using namespace task_bits;
    Bits cur = v_.load(mo::acquire);
    for (;;) {
      Bits next = cur;
      NotifyByRef action;
      if (cur & (kComplete | kNotified)) {
        return NotifyByRef::kDoNothing;
      } else if (cur & kRunning) {
        next |= kNotified;
        action = NotifyByRef::kMarkedRunning;
      } else {
        next = (next | kNotified) + kRefOne;
        action = NotifyByRef::kSubmit;
      }
      if (v_.compare_exchange_weak(cur, next, mo::acq_rel)) return action;
    }
  }

  /// JoinHandle::abort(): marks CANCELLED. True when the caller must schedule a new notified
  /// reference (the task was idle and not queued), so that a scheduler thread cancels it.
  bool transition_to_notified_and_cancel() noexcept {
    using namespace task_bits;
    Bits cur = v_.load(mo::acquire);
    for (;;) {
      Bits next = cur;
      bool submit = false;
      if (cur & (kCancelled | kComplete)) {
        return false;
      } else if (cur & kRunning) {
        next |= kNotified | kCancelled;
      } else if (!(cur & kNotified)) {
        next = (next | kNotified | kCancelled) + kRefOne;
        submit = true;
      } else {
        next |= kCancelled;
      }
      if (v_.compare_exchange_weak(cur, next, mo::acq_rel)) return submit;
    }
  }

  /// Shutdown / in-place abort: sets CANCELLED and, if the task is idle, claims RUNNING.
  /// True when the caller now owns the future and must cancel + complete the task.
  bool transition_to_shutdown() noexcept {
    using namespace task_bits;
    Bits cur = v_.load(mo::acquire);
    for (;;) {
      Bits next = cur | kCancelled;
      if (is_idle(cur)) next |= kRunning;
      if (v_.compare_exchange_weak(cur, next, mo::acq_rel)) return is_idle(cur);
    }
  }

  /// Fast path of dropping a JoinHandle of a task that never ran: true if it applied.
  bool drop_join_handle_fast() noexcept {
    using namespace task_bits;
    Bits expected = kInitial;
    return v_.compare_exchange_strong(expected, (kInitial - kRefOne) & ~kJoinInterest, mo::acq_rel);
  }

  /// Clears JOIN_INTEREST; false (nothing changed) when the task already completed, in which
  /// case the JoinHandle must drop the output itself.
  bool unset_join_interested() noexcept {
    using namespace task_bits;
    Bits cur = v_.load(mo::acquire);
    for (;;) {
      if (cur & kComplete) return false;
      if (v_.compare_exchange_weak(cur, cur & ~kJoinInterest, mo::acq_rel)) return true;
    }
  }

  /// Sets JOIN_WAKER after the JoinHandle stored its waker; false when the task completed first.
  bool set_join_waker() noexcept { return update_unless_complete(task_bits::kJoinWaker, true); }
  /// Clears JOIN_WAKER so the JoinHandle may replace the waker; false when the task completed.
  bool unset_join_waker() noexcept { return update_unless_complete(task_bits::kJoinWaker, false); }

  /// Adds a reference (Waker clone).
  void ref_inc() noexcept { v_.fetch_add(task_bits::kRefOne, mo::relaxed); }
  /// Drops a reference; true when it was the last one (the caller deallocates).
  bool ref_dec() noexcept {
    Bits prev = v_.fetch_sub(task_bits::kRefOne, mo::acq_rel);
    return ref_count(prev) == 1;
  }

 private:
  bool update_unless_complete(Bits bit, bool set) noexcept {
    Bits cur = v_.load(mo::acquire);
    for (;;) {
      if (cur & task_bits::kComplete) return false;
      Bits next = set ? (cur | bit) : (cur & ~bit);
      if (v_.compare_exchange_weak(cur, next, mo::acq_rel)) return true;
    }
  }

  Atomic<Bits> v_;
};

}  // namespace sluice::detail
