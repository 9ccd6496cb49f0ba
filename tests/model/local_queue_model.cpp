// Relacy model of detail::LocalQueue (STYLE habit 7). Built only with -DSLUICE_MODEL=1:
//   g++ -std=c++20 -DSLUICE_MODEL=1 -Iinclude tests/model/local_queue_model.cpp -o /tmp/q && /tmp/q
//
// A 4-slot queue, so that a handful of operations crosses the end of the ring. Relacy runs every
// scenario under many schedules (random search, then a context-bound exhaustive search) and also
// lets relaxed loads return any value the memory model allows, so a slot read that the head/tail
// protocol failed to order shows up as a lost or duplicated item.
//
//   OwnerVsStealer:   the owner pushes 7 items (wrapping the ring, sometimes overflowing into the
//                     inject queue) and pops between pushes; one stealer steals twice into its own
//                     queue and pops from it. Every item must be dequeued exactly once.
//   OwnerVsTwoStealers: the same with two stealers, so one steal meets another in progress.
//
// Relacy #defines `new` and `delete` (and the `memory_order_*` names); sluice's headers spell
// `= delete`, so include Relacy first and drop those two macros before including them. The
// standard headers come before Relacy, whose memory_order_* macros break <atomic>.
// clang-format off
#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <new>
#include <stdexcept>

#include <relacy/relacy.hpp>
#undef new
#undef delete
// clang-format on

#include "sluice/detail/local_queue.hpp"

namespace {

constexpr int kItems = 7;
constexpr std::uint32_t kCap = 4;

// Coverage counters across iterations (plain globals, outside the model): how many executions
// sent items through the inject queue, and how many had a stealer take something.
long g_runs = 0;
long g_overflow_runs = 0;
long g_steal_runs = 0;

struct Node {
  Node* queue_next = nullptr;
  int id = 0;
};

using Queue = sluice::detail::LocalQueue<Node, kCap>;
using Inject = sluice::detail::InjectQueue<Node>;

// Shared by both scenarios: the owner's part and the result check.
template <int Threads>
struct QueueModel : rl::test_suite<QueueModel<Threads>, Threads> {
  Node nodes[kItems];
  Queue owner_q;
  Inject inject;
  Queue thief_q[Threads - 1];
  int seen[Threads][kItems];  // seen[t][i]: times thread t dequeued item i (each row one thread)
  bool from_inject = false;   // owner only

  void before() {
    from_inject = false;
    for (int i = 0; i < kItems; ++i) {
      nodes[i].id = i;
      nodes[i].queue_next = nullptr;
      for (int t = 0; t < Threads; ++t) seen[t][i] = 0;
    }
  }

  void record(unsigned t, Node* n) {
    RL_ASSERT(n != nullptr && n >= nodes && n < nodes + kItems);
    seen[t][n->id] += 1;
  }

  void thread(unsigned t) {
    if (t == 0) {
      run_owner();
    } else {
      run_stealer(t);
    }
  }

  void run_owner() {
    // Pushes 0..6 with pops in between: positions reach 7, so slots are reused across the wrap,
    // and the fifth push of the last group finds the queue full unless a stealer took items.
    int next = 0;
    const int pattern[] = {3, 1, 3};  // push 3, pop, push 1, pop, push 3, pop, then drain
    for (int step = 0; next < kItems; ++step) {
      const int pushes = pattern[step % 3];
      for (int k = 0; k < pushes && next < kItems; ++k) {
        owner_q.push_back_or_overflow(&nodes[next], inject);
        next += 1;
      }
      if (Node* n = owner_q.pop()) record(0, n);
    }
    while (Node* n = owner_q.pop()) record(0, n);
    while (Node* n = inject.pop()) {
      record(0, n);
      from_inject = true;
    }
  }

  void run_stealer(unsigned t) {
    Queue& mine = thief_q[t - 1];
    for (int round = 0; round < 2; ++round) {
      if (Node* n = owner_q.steal_into(mine)) record(t, n);
      while (Node* n = mine.pop()) record(t, n);
    }
  }

  void after() {
    // The owner drained its queue and the inject queue; stealers drained their own queues. A
    // steal still running when the owner finished draining ends before its thread does.
    RL_ASSERT(owner_q.is_empty());
    RL_ASSERT(inject.is_empty());
    for (int i = 0; i < kItems; ++i) {
      int total = 0;
      for (int t = 0; t < Threads; ++t) total += seen[t][i];
      RL_ASSERT(total == 1);
    }
    bool stolen = false;
    for (int t = 1; t < Threads; ++t) {
      for (int i = 0; i < kItems; ++i) stolen = stolen || seen[t][i] > 0;
    }
    g_runs += 1;
    g_overflow_runs += from_inject ? 1 : 0;
    g_steal_runs += stolen ? 1 : 0;
  }
};

template <class T>
bool run(const char* name, rl::scheduler_type_e type, rl::iteration_t iterations, unsigned bound) {
  rl::test_params p;
  p.search_type = type;
  p.iteration_count = iterations;
  p.context_bound = bound;
  p.execution_depth_limit = 20000;
  std::printf("%s: %s\n", name, type == rl::random_scheduler_type ? "random" : "context-bound");
  std::fflush(stdout);
  g_runs = g_overflow_runs = g_steal_runs = 0;
  const bool ok = rl::simulate<T>(p);
  std::printf("%s: %ld executions, %ld through the inject queue, %ld with a successful steal\n",
              name, g_runs, g_overflow_runs, g_steal_runs);
  return ok;
}

}  // namespace

int main() {
  bool ok = true;
  ok = run<QueueModel<2>>("OwnerVsStealer", rl::random_scheduler_type, 200000, 1) && ok;
  ok = run<QueueModel<2>>("OwnerVsStealer", rl::fair_context_bound_scheduler_type, 0, 2) && ok;
  ok = run<QueueModel<3>>("OwnerVsTwoStealers", rl::random_scheduler_type, 200000, 1) && ok;
  std::puts(ok ? "local_queue_model: all scenarios passed" : "local_queue_model: FAILED");
  return ok ? 0 : 1;
}
