// Relacy models of the task state word (include/sluice/detail/task_state.hpp), engineer S.
//
// The harness below mirrors TaskCell::poll_task / complete / shutdown (task_cell.hpp) with the
// future reduced to an rl::var ("the future is dropped" counter), so Relacy reports a data race
// if two threads ever own the future at once, and the asserts check the counts:
//   - WakeWhileRunning<ByVal>: a wake racing a poll causes exactly one re-run (none if it landed
//     before the poll started), and the task is never polled concurrently.
//   - WakeAfterComplete<ByVal>: a wake racing a poll that completes never schedules the task.
//   - ShutdownRacingPoll<Ready>: runtime shutdown (transition_to_shutdown) racing a poll that
//     completes or stays pending: exactly one of them drops the future.
//   - AbortRacingPoll: JoinHandle::abort (notify_and_cancel) racing a pending poll: the task ends
//     COMPLETE and the future is dropped exactly once.
// In every model the reference count reaches zero exactly once.
//
// Run: g++ -std=c++20 -DSLUICE_MODEL=1 -Iinclude tests/model/task_state_model.cpp -o /tmp/m &&
// /tmp/m
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <new>

#include <relacy/relacy.hpp>
#undef new
#undef delete

#include <sluice/detail/task_state.hpp>

namespace {

using sluice::detail::Atomic;
using sluice::detail::NotifyByRef;
using sluice::detail::NotifyByVal;
using sluice::detail::TaskState;
using sluice::detail::ToIdle;
using sluice::detail::ToRunning;
namespace bits = sluice::detail::task_bits;
namespace mo = sluice::detail::mo;

/// The pieces of TaskCell's harness that touch the state word.
template <class Suite>
struct Harness {
  Suite& self() { return static_cast<Suite&>(*this); }

  /// Runs one notified reference (poll_task). `ready`: the poll completes the future.
  void run(bool ready) {
    auto& s = self();
    for (;;) {
      switch (s.state.transition_to_running()) {
        case ToRunning::kFailed:
          return;
        case ToRunning::kDealloc:
          s.dealloc();
          return;
        case ToRunning::kCancelled:
          cancel_and_complete();
          return;
        case ToRunning::kSuccess:
          break;
      }
      s.runs($) += 1;
      if (ready) {
        s.future_drops($) += 1;
        complete();
        return;
      }
      switch (s.state.transition_to_idle()) {
        case ToIdle::kOkNotified:  // re-queued: the new reference runs next (here: loop)
          if (s.state.ref_dec()) s.dealloc();
          continue;
        case ToIdle::kOkDoNothing:
          return;
        case ToIdle::kOkDealloc:
          s.dealloc();
          return;
        case ToIdle::kCancelled:
          cancel_and_complete();
          return;
      }
    }
  }
  void cancel_and_complete() {
    self().future_drops($) += 1;
    complete();
  }
  void complete() {
    auto& s = self();
    s.state.transition_to_complete();
    if (s.state.transition_to_terminal(1)) s.dealloc();
  }
};

#define SLUICE_MODEL_COMMON                             \
  TaskState state{bits::kNotified | 2 * bits::kRefOne}; \
  Atomic<int> deallocs{0};                              \
  rl::var<int> runs;                                    \
  rl::var<int> future_drops;                            \
  void dealloc() { deallocs.fetch_add(1, mo::acq_rel); }

template <bool ByVal>
struct WakeWhileRunning : rl::test_suite<WakeWhileRunning<ByVal>, 2>,
                          Harness<WakeWhileRunning<ByVal>> {
  SLUICE_MODEL_COMMON
  rl::var<int> woke_late;  // 1 when the wake found the task running or idle (not yet notified)

  void before() {
    runs($) = 0;
    future_drops($) = 0;
    woke_late($) = 0;
  }
  void thread(unsigned id) {
    if (id == 0) {
      this->run(false);  // a poll that stays pending
      return;
    }
    if (ByVal) {
      NotifyByVal r = state.transition_to_notified_by_val();
      woke_late($) = (r == NotifyByVal::kMarkedRunning || r == NotifyByVal::kSubmit) ? 1 : 0;
      if (r == NotifyByVal::kSubmit) this->run(false);
      if (r == NotifyByVal::kDealloc) dealloc();
    } else {
      NotifyByRef r = state.transition_to_notified_by_ref();
      woke_late($) = (r != NotifyByRef::kDoNothing) ? 1 : 0;
      if (r == NotifyByRef::kSubmit) this->run(false);
      if (state.ref_dec()) dealloc();  // the waker itself is dropped afterwards
    }
  }
  void after() {
    RL_ASSERT(runs($) == 1 + woke_late($));
    RL_ASSERT(future_drops($) == 0);
    RL_ASSERT(deallocs.load(mo::acquire) == 1);
  }
};

template <bool ByVal>
struct WakeAfterComplete : rl::test_suite<WakeAfterComplete<ByVal>, 2>,
                           Harness<WakeAfterComplete<ByVal>> {
  SLUICE_MODEL_COMMON
  void before() {
    runs($) = 0;
    future_drops($) = 0;
  }
  void thread(unsigned id) {
    if (id == 0) {
      this->run(true);  // a poll that completes
      return;
    }
    if (ByVal) {
      NotifyByVal r = state.transition_to_notified_by_val();
      RL_ASSERT(r != NotifyByVal::kSubmit);
      if (r == NotifyByVal::kDealloc) dealloc();
    } else {
      RL_ASSERT(state.transition_to_notified_by_ref() != NotifyByRef::kSubmit);
      if (state.ref_dec()) dealloc();
    }
  }
  void after() {
    RL_ASSERT(runs($) == 1);
    RL_ASSERT(future_drops($) == 1);
    RL_ASSERT(deallocs.load(mo::acquire) == 1);
    RL_ASSERT((state.load() & bits::kComplete) != 0);
  }
};

template <bool Ready>
struct ShutdownRacingPoll : rl::test_suite<ShutdownRacingPoll<Ready>, 2>,
                            Harness<ShutdownRacingPoll<Ready>> {
  SLUICE_MODEL_COMMON
  void before() {
    runs($) = 0;
    future_drops($) = 0;
  }
  void thread(unsigned id) {
    if (id == 0) {
      this->run(Ready);
      return;
    }
    // TaskCell::shutdown with the owned-list reference.
    if (state.transition_to_shutdown()) {
      this->cancel_and_complete();
    } else if (state.ref_dec()) {
      dealloc();
    }
  }
  void after() {
    RL_ASSERT(future_drops($) == 1);
    RL_ASSERT(deallocs.load(mo::acquire) == 1);
    RL_ASSERT((state.load() & bits::kComplete) != 0);
  }
};

struct AbortRacingPoll : rl::test_suite<AbortRacingPoll, 2>, Harness<AbortRacingPoll> {
  SLUICE_MODEL_COMMON
  void before() {
    runs($) = 0;
    future_drops($) = 0;
  }
  void thread(unsigned id) {
    if (id == 0) {
      run(false);
      return;
    }
    // JoinHandle::abort, then the JoinHandle is dropped (its reference).
    if (state.transition_to_notified_and_cancel()) run(false);
    if (state.ref_dec()) dealloc();
  }
  void after() {
    RL_ASSERT(future_drops($) == 1);
    RL_ASSERT(deallocs.load(mo::acquire) == 1);
    RL_ASSERT((state.load() & bits::kComplete) != 0);
  }
};

template <class Suite>
bool check(const char* name, int iterations) {
  rl::test_params p;
  p.iteration_count = iterations;
  p.search_type = rl::random_scheduler_type;
  bool ok = rl::simulate<Suite>(p);
  std::printf("%s: %s\n", name, ok ? "ok" : "FAILED");
  return ok;
}

}  // namespace

int main() {
  const int n = 100000;
  bool ok = true;
  ok &= check<WakeWhileRunning<true>>("wake_by_val while running", n);
  ok &= check<WakeWhileRunning<false>>("wake_by_ref while running", n);
  ok &= check<WakeAfterComplete<true>>("wake_by_val after complete", n);
  ok &= check<WakeAfterComplete<false>>("wake_by_ref after complete", n);
  ok &= check<ShutdownRacingPoll<true>>("shutdown racing a completing poll", n);
  ok &= check<ShutdownRacingPoll<false>>("shutdown racing a pending poll", n);
  ok &= check<AbortRacingPoll>("abort racing a pending poll", n);
  return ok ? 0 : 1;
}
