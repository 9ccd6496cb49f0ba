// The multi-thread (work-stealing) scheduler, after Tokio's runtime/scheduler/multi_thread.
//
// Each worker owns a LocalQueue (others steal half of it), a LIFO slot (a task woken or spawned
// by the running task runs next on the same worker; at most kMaxLifoPolls in a row) and a Parker.
// The shared InjectQueue takes wakes from outside the runtime; a worker checks it every
// global_queue_interval ticks and whenever its local queue is empty. A worker without work steals
// (at most half the workers search at once: IdleWorkers), then parks. Exactly one parked worker
// at a time owns the driver (try-lock) and sleeps in Driver::park; the others wait on their own
// condition variable. New work elsewhere: IdleWorkers::worker_to_notify() then that worker's
// Parker::unpark (driver unpark or condvar notify). Every event_interval ticks a worker polls the
// driver with a zero timeout if it can take it, so timers fire while all workers are busy.
//
// When not to wake an idle worker (docs/design/task-model.md, "Keeping hand-offs on one core"):
// a task that calls yield_now while it is the only runnable task here goes to the local queue
// without a notify; a task whose coop budget ran out does not notify unless two other tasks wait
// in the stealable queue; a LIFO chain cut at kMaxLifoPolls does not notify either (as Tokio).
// Waking a worker there only lets it steal one end of an mpsc sender/receiver pair: every
// message then crosses caches, and the SPSC benches ran at half the speed.
//
// Patient steal (docs/design/task-model.md, "Patient stealing"): a searching worker takes from a
// victim's short queue (fewer than kStealBacklog tasks) only if the victim does not pop a task
// of its own within kStealPatience, or pushes a yield_now'd task meanwhile. A victim that keeps
// popping is running short tasks that wake each other (an mpsc group, an actor and its
// clients): stealing one of them splits tasks that talk and every message crosses the cores.
// A victim stuck in a long poll (after kStealPatience), a backlog, or CPU-bound tasks cycling
// through yield_now are still stolen from. A worker that declined sleeps at most
// kDeclinedRecheck (condition variable, not the driver) and searches again.
// Oversubscribed (a block_on thread is awake besides the unparked workers and the machine has
// no core to spare): the watch does not spin, it would take a core the others need; the first
// look declines and notes the victim's counters, the look after the recheck sleep steals if the
// victim popped nothing (or pushed a yielder) since. contention_unbounded mt 16M -> 49M msgs/s:
// a 3 us spin let a worker split the senders whenever one's poll (128 sends) ran longer.
//
// The block_on thread (docs/design/task-model.md, "The block_on thread"): once its future has
// returned pending, or when it first spawns, a thread in block_on owns block_on_worker_ (one such
// thread at a time), a Worker without a thread of its own. Tasks it wakes (from its future's poll
// or from tasks it runs) go to that queue and LIFO slot without notifying anyone; tasks it spawns
// go to the back of that queue (not Tokio: there they start on the workers) with a notify to an
// idle worker. While its future waits it runs them until the future is woken, they run out, or
// kBlockOnSlice passed since it began (then the rest go to the inject queue, as when block_on
// returns). Workers steal from that queue only when the thread popped none of it for
// kBlockOnStall (a body that runs long without awaiting, or blocks). Go's main goroutine is the
// model: a receiver in block_on and the senders it spawned or made room for take turns on one
// core instead of waking each other across threads, with three threads on two cores
// (contention_bounded_full mt: 3M -> 24M msgs/s for the woken ones; spawned ones: 1.5x more).
//
// Parker state word (per worker, Tokio's park.rs): kEmpty / kParkedCondvar / kParkedDriver
// (set by the owner worker before it sleeps) / kNotified (set by unpark from any thread, consumed
// by the owner). unpark always swaps in kNotified so a wake before park is never lost.
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <sluice/detail/idle_workers.hpp>
#include <sluice/detail/inject_queue.hpp>
#include <sluice/detail/local_queue.hpp>
#include <sluice/detail/sync.hpp>
#include <sluice/detail/thread_parker.hpp>

#include "runtime/runtime_core.hpp"

namespace sluice::detail {

namespace {

constexpr int kMaxLifoPolls = 3;
constexpr std::uint32_t kStealBacklog = 8;  // a victim queue this long is stolen from at once
constexpr std::chrono::nanoseconds kStealPatience{3000};  // Go waits 3 us before taking runnext
// A worker that declined to steal sleeps at most this long before it looks again (a victim that
// kept up may get stuck in a long poll later with tasks queued behind it).
constexpr std::chrono::nanoseconds kDeclinedRecheck{100'000};
constexpr std::size_t kMaxInjectBatch = 64;
// The block_on thread runs the tasks it woke; after this long busy (its future's poll plus
// those tasks) it hands the rest to the workers (run_block_on_tasks).
constexpr std::chrono::nanoseconds kBlockOnSlice{100'000};
// Workers steal from the block_on thread's short queue only after it popped nothing for about
// this long (steal_patiently, Watch::kBlockOnThread): with the 100 us recheck alone they took the
// senders it spawned about once per contention_bounded iteration (8.6-12M msgs/s; 23M with 1 ms).
constexpr std::chrono::nanoseconds kBlockOnStall{1'000'000};

class MultiThreadCore;

/// Sleeping watch of one victim (victim_kept_up_since_last_look): armed by a look that declined,
/// with the victim's counters then.
struct VictimWatch {
  bool armed = false;
  std::uint32_t popped = 0;
  std::uint32_t yields = 0;
  std::chrono::steady_clock::time_point since{};  // when it saw the victim pop (stall watch)
};

struct alignas(kCacheLine) Worker {
  // Shared with the other workers.
  LocalQueue<TaskHeader> queue;
  Atomic<int> park_state{0};
  Atomic<std::uint32_t> yields{0};  // yield_now pushes so far (the owner writes, stealers read)
  std::mutex park_mu;
  std::condition_variable park_cv;
  // Owner thread only.
  MultiThreadCore* core = nullptr;
  std::size_t index = 0;
  TaskHeader* lifo = nullptr;
  bool is_searching = false;
  bool declined_steal = false;       // the last search left a victim's tasks alone (patient steal)
  std::vector<VictimWatch> watches;  // sleeping watch, per victim (Worker::index)
  Atomic<bool> running{false};       // block_on worker only: its thread is not parked
  bool is_parking = false;  // inside park: wakes from the driver go local without notifying
  std::uint32_t tick = 0;
  std::uint32_t rand = 0;
  std::thread thread;

  std::uint32_t next_rand() noexcept {
    rand ^= rand << 13;
    rand ^= rand >> 17;
    rand ^= rand << 5;
    return rand;
  }
};

constexpr int kEmpty = 0;
constexpr int kParkedCondvar = 1;
constexpr int kParkedDriver = 2;
constexpr int kNotified = 3;
constexpr int kYieldsBeforeSleep = 3;  // park_worker's rounds before it sleeps

thread_local Worker* t_worker = nullptr;

class MultiThreadCore final : public RuntimeCore, public Scheduler {
 public:
  explicit MultiThreadCore(const RuntimeConfig& cfg) : RuntimeCore(cfg), idle_(cfg.worker_threads) {
    for (std::size_t i = 0; i < cfg.worker_threads; ++i) {
      auto w = std::make_unique<Worker>();
      w->core = this;
      w->index = i;
      w->rand = static_cast<std::uint32_t>(0x9E3779B9u * (i + 1)) | 1u;
      w->watches.resize(cfg.worker_threads + 1);  // the workers and the block_on worker
      workers_.push_back(std::move(w));
    }
    block_on_worker_.core = this;
    block_on_worker_.index = cfg.worker_threads;  // matches no worker
  }
  ~MultiThreadCore() override {
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();  // only if shutdown never ran (start failed)
    }
  }

  void start() override {
    for (auto& w : workers_) {
      Worker* wp = w.get();
      wp->thread = std::thread([this, wp] { run_worker(wp); });
    }
  }

  Scheduler* scheduler() noexcept override { return this; }

  void schedule(TaskHeader* t) override {
    Worker* w = t_worker;
    if (w && w->core == this) {
      schedule_local(w, t, Wake::kWake);
    } else {
      schedule_remote(t);
    }
  }
  void schedule_spawned(TaskHeader* t) override {
    // A task spawned on the block_on thread goes to the back of that thread's queue (never its
    // LIFO slot: the queue is stealable), claiming it first if need be, and an idle worker is
    // told: the thread runs the task itself once its future waits, unless that worker's
    // sleeping watch sees the thread pop nothing for kBlockOnStall (then it steals), so a body
    // that spawns jobs and blocks still gets them run ("The block_on thread").
    if (Worker* bt = block_on_worker_for_spawn()) {
      bt->queue.push_back_or_overflow(t, inject_);
      notify_parked();
    } else {
      schedule(t);
    }
  }
  void yield(TaskHeader* t, bool budget_spent) override {
    Worker* w = t_worker;
    if (w && w->core == this) {
      schedule_local(w, t, budget_spent ? Wake::kBudgetYield : Wake::kYield);
    } else {
      schedule_remote(t);
    }
  }
  bool release(TaskHeader* t) noexcept override { return owned().remove(t); }

  void block_on(BlockOnTarget target) override {
    EnterGuard enter(this, true);
    BlockOnDepthGuard depth;
    DriverScope driver_scope(&driver());
    Waker waker = current_thread_waker();
    // Once its future waits, the block_on thread serves the tasks it wakes (top of the file,
    // "The block_on thread"), if no other thread's block_on does already. Claimed after the
    // first pending poll, or at the first spawn: a future ready at once pays nothing
    // (block_on_overhead).
    BlockOnWorkerScope scope(this);
    for (;;) {
      {
        coop::Budget budget = coop::Budget::initial();
        Context cx(waker, budget);
        QuietScope quiet(scope.worker());  // wakes during the poll notify nobody: see after it
        if (target.poll(target.self, cx)) return;
      }
      if (Worker* bt = scope.worker_or_claim()) {
        run_block_on_tasks(bt);
        park_current_thread(bt->running);  // `running` is false only while it really sleeps
      } else {
        park_current_thread();
      }
    }
  }

 protected:
  void stop_workers() override {
    shutdown_.store(true, mo::seq_cst);
    for (auto& w : workers_) unpark_worker(*w);
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();
    }
  }

  void drain_queues() override {
    inject_.close();
    while (TaskHeader* t = inject_.pop()) task_drop_reference(t);
    if (TaskHeader* t = std::exchange(block_on_worker_.lifo, nullptr)) task_drop_reference(t);
    while (TaskHeader* t = block_on_worker_.queue.pop()) task_drop_reference(t);
    for (auto& w : workers_) {
      if (TaskHeader* t = std::exchange(w->lifo, nullptr)) task_drop_reference(t);
      while (TaskHeader* t = w->queue.pop()) task_drop_reference(t);
    }
  }

 private:
  enum class Wake { kWake, kYield, kBudgetYield };

  void schedule_local(Worker* w, TaskHeader* t, Wake kind) {
    bool should_notify = false;
    switch (kind) {
      case Wake::kWake: {
        TaskHeader* prev = std::exchange(w->lifo, t);
        should_notify = prev != nullptr;
        if (prev) w->queue.push_back_or_overflow(prev, inject_);
        break;
      }
      case Wake::kYield:
        // yield_now (or a wake while running): wake an idle worker only if this one has other
        // work besides the yielder. When the yielder is all there is, this worker runs it again
        // next, and a woken worker could only steal it. With other work, two CPU-bound
        // yielders end up one per worker.
        should_notify = !w->queue.is_empty() || w->lifo != nullptr;
        w->yields.store(w->yields.load(mo::relaxed) + 1, mo::relaxed);  // owner is the only writer
        w->queue.push_back_or_overflow(t, inject_);
        break;
      case Wake::kBudgetYield:
        // The coop budget ran out: this task is busy on a channel, typically one end of a
        // ping-pong pair whose other end sits in the LIFO slot or alone in the queue. Wake an
        // idle worker only for a real backlog (two stealable tasks besides the yielder): a
        // worker woken for less steals one end of the pair, and then every 128 messages cost
        // a futex wake and a cross-core hand-off (mpsc_spsc_1024 mt: 8.4M -> 16.7M msg/s).
        should_notify = w->queue.len() >= 2;
        w->queue.push_back_or_overflow(t, inject_);
        break;
    }
    if (should_notify && !w->is_parking) notify_parked();
  }

  void schedule_remote(TaskHeader* t) {
    if (push_inject(t)) notify_parked();
  }

  /// To the inject queue without a notify; false (reference dropped) once shut down.
  bool push_inject(TaskHeader* t) {
    if (inject_.push(t)) return true;
    task_drop_reference(t);  // shut down: the task is (being) cancelled
    return false;
  }

  void notify_parked() {
    if (auto i = idle_.worker_to_notify()) unpark_worker(*workers_[*i]);
  }

  void notify_if_work_pending() {
    for (auto& w : workers_) {
      if (!w->queue.is_empty()) {
        notify_parked();
        return;
      }
    }
    if (!block_on_worker_.queue.is_empty()) {
      notify_parked();
      return;
    }
    if (!inject_.is_empty()) notify_parked();
  }

  // ---- the block_on thread as a worker ----------------------------------------------------------

  /// While a block_on holds block_on_worker_: t_worker points at it (so wakes and spawns made on
  /// this thread go to its queue, as on a worker); when the block_on returns, whatever is left
  /// in it moves to the inject queue for the workers.
  class BlockOnWorkerScope;
  /// The scope of the block_on running on this thread, if any (BlockOnWorkerScope).
  inline static thread_local BlockOnWorkerScope* t_block_on_scope = nullptr;

  class BlockOnWorkerScope {
   public:
    /// Also the thread's t_block_on_scope while it lives, for spawns made before the claim.
    explicit BlockOnWorkerScope(MultiThreadCore* core) noexcept
        : core_(core), outer_(std::exchange(t_block_on_scope, this)) {}
    BlockOnWorkerScope(const BlockOnWorkerScope&) = delete;
    BlockOnWorkerScope& operator=(const BlockOnWorkerScope&) = delete;
    ~BlockOnWorkerScope() {
      t_block_on_scope = outer_;
      if (bt_ == nullptr) return;
      bt_->running.store(false, mo::relaxed);
      t_worker = prev_;
      core_->hand_over_block_on_tasks(bt_);
      core_->block_on_worker_taken_.store(false, mo::release);
    }
    Worker* worker() const noexcept { return bt_; }
    bool belongs_to(const MultiThreadCore* core) const noexcept { return core_ == core; }
    /// The block_on worker, claimed now if free (null when another block_on has it).
    Worker* worker_or_claim() noexcept {
      if (bt_ == nullptr && !claimed_once_) {
        claimed_once_ = true;
        if (!core_->block_on_worker_taken_.exchange(true, mo::acquire)) {
          bt_ = &core_->block_on_worker_;
          bt_->running.store(true, mo::relaxed);
          prev_ = std::exchange(t_worker, bt_);
        }
      }
      return bt_;
    }

   private:
    MultiThreadCore* core_;
    BlockOnWorkerScope* outer_;  // t_block_on_scope before this one
    Worker* bt_ = nullptr;
    Worker* prev_ = nullptr;
    bool claimed_once_ = false;  // tried (and maybe failed): do not retry every poll
  };

  /// The block_on worker when the caller is this runtime's block_on thread and holds it (or
  /// claims it now); null elsewhere.
  Worker* block_on_worker_for_spawn() noexcept {
    if (t_worker == &block_on_worker_) return t_worker;
    if (t_worker != nullptr || t_block_on_scope == nullptr) return nullptr;
    if (!t_block_on_scope->belongs_to(this)) return nullptr;
    return t_block_on_scope->worker_or_claim();
  }

  /// Wakes made while the block_on future is polled notify no idle worker (like a worker inside
  /// park): the block_on thread runs the woken tasks itself right after, unless the future is
  /// done (then they go to the inject queue, with a notify).
  class QuietScope {
   public:
    explicit QuietScope(Worker* bt) noexcept : bt_(bt) {
      if (bt_ != nullptr) bt_->is_parking = true;
    }
    QuietScope(const QuietScope&) = delete;
    QuietScope& operator=(const QuietScope&) = delete;
    ~QuietScope() {
      if (bt_ != nullptr) bt_->is_parking = false;
    }

   private:
    Worker* bt_;
  };

  /// Runs the block_on thread's own tasks until its future is woken or they run out. No idle
  /// worker is told about them: each futex wake would sit on this thread's path, and a woken
  /// worker splits tasks that talk to this thread (contention_bounded_full mt 24M msgs/s with
  /// no notify, 8-13M with a notify per round). Bound: once kBlockOnSlice has passed since it
  /// started running them, the rest go to the inject queue for the workers (a woken task that
  /// runs long keeps the others waiting at most that task's poll).
  void run_block_on_tasks(Worker* bt) {
    std::chrono::steady_clock::time_point start{};
    while (!current_thread_notified() && !shutdown_.load(mo::acquire)) {
      if (bt->lifo == nullptr && bt->queue.is_empty()) return;
      const auto now = std::chrono::steady_clock::now();
      if (start == std::chrono::steady_clock::time_point{}) {
        start = now;
      } else if (now - start > kBlockOnSlice) {
        hand_over_block_on_tasks(bt);
        return;
      }
      ++bt->tick;
      TaskHeader* t = next_local_task(bt);
      if (t == nullptr) return;  // stolen meanwhile
      run_task(bt, t);
    }
  }

  /// block_on returns: its thread's queued tasks go to the workers.
  void hand_over_block_on_tasks(Worker* bt) {
    bool moved = false;
    while (TaskHeader* t = next_local_task(bt)) moved |= push_inject(t);
    if (moved) notify_parked();
  }

  // ---- worker loop -----------------------------------------------------------------------------

  void run_worker(Worker* w) {
    set_thread_name(config().thread_name + "-" + std::to_string(w->index));
    EnterGuard enter(this, true);
    DriverScope driver_scope(&driver());
    t_worker = w;
    const std::uint32_t event_interval = config().event_interval;
    while (!shutdown_.load(mo::acquire)) {
      ++w->tick;
      if (w->tick % event_interval == 0) park_timeout(w, true);
      if (TaskHeader* t = next_task(w)) {
        run_task(w, t);
        continue;
      }
      if (TaskHeader* t = steal_work(w)) {
        run_task(w, t);
        continue;
      }
      park(w);
    }
    if (w->is_searching) {
      w->is_searching = false;
      idle_.transition_worker_from_searching();
    }
    t_worker = nullptr;
  }

  /// The LIFO slot first (a wake that arrived while this worker was parked in the driver lands
  /// there, as in Tokio's next_local_task), then the local queue.
  TaskHeader* next_local_task(Worker* w) {
    if (TaskHeader* t = std::exchange(w->lifo, nullptr)) return t;
    return w->queue.pop();
  }

  TaskHeader* next_task(Worker* w) {
    if (w->tick % config().global_queue_interval == 0) {
      if (TaskHeader* t = inject_.pop()) return t;
      return next_local_task(w);
    }
    if (TaskHeader* t = next_local_task(w)) return t;
    if (inject_.is_empty()) return nullptr;
    // Refill the local queue with what the inject queue holds (up to kMaxInjectBatch), not a
    // fair share per worker as Tokio: tasks spawned or woken together from outside (a block_on
    // body's senders) then start together, and patient stealing spreads them only if this
    // worker does not keep up; a backlog of kStealBacklog or more is still stolen at once.
    // contention_bounded mt 1.66x, contention_bounded_full mt 1.36x (task-model.md).
    std::size_t want = std::min<std::size_t>(
        {inject_.len(), kMaxInjectBatch, std::size_t{w->queue.remaining_slots()} + 1});
    TaskHeader* buf[kMaxInjectBatch];
    std::size_t n = inject_.pop_n(buf, want);
    if (n == 0) return nullptr;
    if (n > 1) w->queue.push_back_batch(buf + 1, static_cast<std::uint32_t>(n - 1));
    return buf[0];
  }

  TaskHeader* steal_work(Worker* w) {
    if (!w->is_searching) w->is_searching = idle_.transition_worker_to_searching();
    if (!w->is_searching) return nullptr;
    w->declined_steal = false;
    std::size_t n = workers_.size();
    std::size_t start = w->next_rand() % n;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t idx = (start + i) % n;
      if (idx == w->index) continue;
      if (TaskHeader* t = steal_patiently(w, *workers_[idx], Watch::kSpinUnlessOversubscribed)) {
        return t;
      }
    }
    // The block_on thread's queue: the sleeping watch, stealing after a kBlockOnStall stall. That
    // thread polls its future between the tasks it runs, and a receiver's poll there (a hundred
    // values, each making room for a waiting sender) often lasts longer than kStealPatience: a
    // spinning watch then took the senders to this worker, where every message crossed the cores
    // (contention_bounded_full mt 8.5M -> 16.4M msgs/s). A thread stuck in its future's poll
    // still loses its queue, to the first look kBlockOnStall after its last pop.
    if (TaskHeader* t = steal_patiently(w, block_on_worker_, Watch::kBlockOnThread)) return t;
    return inject_.pop();
  }

  /// How steal_patiently decides whether a victim keeps up with its short queue.
  enum class Watch {
    kSpinUnlessOversubscribed,  // victim_keeps_up, or the sleeping watch when oversubscribed()
    kBlockOnThread,             // the sleeping watch, stealing after a kBlockOnStall stall
  };

  // Half of `victim`'s queue, unless it is empty, or short and its owner keeps up (then
  // w->declined_steal is set).
  TaskHeader* steal_patiently(Worker* w, Worker& victim, Watch watch) {
    if (victim.queue.is_empty()) return nullptr;  // nothing to take, nothing declined
    bool kept_up = false;
    if (victim.queue.len() < kStealBacklog) {
      if (watch == Watch::kBlockOnThread) {
        kept_up = victim_kept_up_since_last_look(w, victim, kBlockOnStall);
      } else if (oversubscribed()) {
        kept_up = victim_kept_up_since_last_look(w, victim, std::chrono::nanoseconds::zero());
      } else {
        kept_up = victim_keeps_up(victim);
      }
    }
    if (kept_up) {
      w->declined_steal = true;
      return nullptr;
    }
    return victim.queue.steal_into(w->queue);
  }

  // A block_on thread is running besides the unparked workers (this searcher among them) and
  // the machine has no core to spare: a steal would put a third thread on two cores.
  bool oversubscribed() const noexcept {
    return block_on_worker_.running.load(mo::relaxed) && idle_.num_unparked() + 1 > hw_cores_;
  }

  // The sleeping watch (oversubscribed, or the block_on victim): no spinning (it takes a core
  // the others need). The first look declines and notes the victim's counters (per victim); a
  // later one, after the declined worker's recheck sleep, steals if the victim pushed a yielder
  // since, or popped nothing since and `min_stall` has passed since it was last seen popping
  // (zero: any later look). Until then it declines without renewing the watch.
  static bool victim_kept_up_since_last_look(Worker* w, const Worker& victim,
                                             std::chrono::nanoseconds min_stall) {
    const std::uint32_t popped = victim.queue.popped();
    const std::uint32_t yields = victim.yields.load(mo::relaxed);
    const auto now = min_stall.count() != 0 ? std::chrono::steady_clock::now()
                                            : std::chrono::steady_clock::time_point{};
    VictimWatch& watch = w->watches[victim.index];
    if (watch.armed && (yields != watch.yields || popped == watch.popped)) {
      // A yielder was pushed (spread it), or nothing was popped since the watch was armed.
      if (yields == watch.yields && now - watch.since < min_stall) return true;  // not long yet
      watch.armed = false;
      return false;
    }
    watch = VictimWatch{true, popped, yields, now};
    return true;
  }

  // Patient steal (top of the file): true when the victim pops a task of its own within
  // kStealPatience (or its queue empties), so its queued tasks are best left where they are;
  // false when it is stuck in a long poll or cycles CPU-bound yielders.
  static bool victim_keeps_up(const Worker& victim) {
    const std::uint32_t popped = victim.queue.popped();
    const std::uint32_t yields = victim.yields.load(mo::relaxed);
    const auto deadline = std::chrono::steady_clock::now() + kStealPatience;
    do {
      for (int i = 0; i < 16; ++i) spin_hint();
      if (victim.yields.load(mo::relaxed) != yields) return false;
      if (victim.queue.popped() != popped || victim.queue.is_empty()) return true;
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }

  void run_task(Worker* w, TaskHeader* t) {
    if (w->is_searching) {
      w->is_searching = false;
      if (idle_.transition_worker_from_searching()) notify_parked();  // we were the last searcher
    }
    t->vtable->poll(t);
    int lifo_polls = 0;
    while (TaskHeader* next = std::exchange(w->lifo, nullptr)) {
      if (++lifo_polls > kMaxLifoPolls) {
        // To the back of the local queue, for fairness, without waking an idle worker (as
        // Tokio): a ping-pong pair (an mpsc sender and its receiver) stays on this worker
        // instead of being split across cores, where every hand-off would cross caches and
        // often cost a futex wake.
        w->queue.push_back_or_overflow(next, inject_);
        return;
      }
      next->vtable->poll(next);
    }
  }

  // ---- parking ---------------------------------------------------------------------------------

  void park(Worker* w) {
    if (w->lifo || !w->queue.is_empty()) return;
    // After a declined steal the pending work it saw is being run by its owner: do not wake a
    // worker for it (the one woken would be this one, searching and declining in a loop that
    // takes the core from a third thread such as a block_on receiver); sleep a short while and
    // look again instead, in case that owner got stuck in a long poll meanwhile.
    const bool declined = std::exchange(w->declined_steal, false);
    bool last_searcher = idle_.transition_worker_to_parked(w->index, w->is_searching);
    w->is_searching = false;
    if (last_searcher && !declined) notify_if_work_pending();
    while (!shutdown_.load(mo::acquire)) {
      park_timeout(w, false, declined ? std::optional(kDeclinedRecheck) : std::nullopt);
      if (w->lifo) {
        w->is_searching = !idle_.unpark_worker_by_id(w->index);
        return;
      }
      if (!idle_.is_parked(w->index)) {
        w->is_searching = true;
        return;
      }
      if (declined) {  // the recheck time passed: search again
        w->is_searching = !idle_.unpark_worker_by_id(w->index);
        return;
      }
    }
  }

  /// zero_timeout: maintenance poll of the driver (only if free); otherwise sleep until unparked
  /// or, with a `limit`, at most that long.
  void park_timeout(Worker* w, bool zero_timeout,
                    std::optional<std::chrono::nanoseconds> limit = std::nullopt) {
    w->is_parking = true;
    if (zero_timeout) {
      if (try_lock_driver()) {
        driver().park(std::chrono::nanoseconds::zero());
        unlock_driver();
      }
    } else {
      park_worker(*w, limit);
    }
    w->is_parking = false;
    // Wake another worker only when this one now has more than one runnable task (later Tokio
    // releases' should_notify_others; Tokio 1.24 notifies for any stealable task). With "any queued
    // task" the maintenance poll every event_interval ticks woke the idle worker whenever one end
    // of an mpsc pair sat in the queue: one eventfd write and an epoll_wait per 128 messages, and
    // often a stolen half of the pair (mpsc_spsc_1 mt: 12k wake-ups for 1.55M messages).
    if (!w->is_searching && w->queue.len() + (w->lifo != nullptr ? 1u : 0u) > 1) notify_parked();
  }

  void park_worker(Worker& w, std::optional<std::chrono::nanoseconds> limit) {
    // Like the block_on thread's parker (context.cpp): a few scheduler yields, each checked with
    // a plain load, before sleeping, so a wake that comes within microseconds costs no futex or
    // eventfd; the CAS below consumes it.
    for (int i = 0; i < kYieldsBeforeSleep && w.park_state.load(mo::relaxed) != kNotified; ++i) {
      std::this_thread::yield();
    }
    {
      int expected = kNotified;
      if (w.park_state.compare_exchange_strong(expected, kEmpty, mo::seq_cst, mo::seq_cst)) return;
    }
    // A timed park (after a declined steal) waits on the condition variable: the driver's
    // epoll timeout has millisecond granularity, and the driver is better left to a worker
    // that sleeps until there is work.
    if (!limit && try_lock_driver()) {
      int expected = kEmpty;
      if (w.park_state.compare_exchange_strong(expected, kParkedDriver, mo::seq_cst, mo::seq_cst)) {
        driver().park(std::nullopt);
      }
      w.park_state.exchange(kEmpty, mo::seq_cst);  // kNotified (consumed) or kParkedDriver
      unlock_driver();
      return;
    }
    std::unique_lock lock(w.park_mu);
    int expected = kEmpty;
    if (!w.park_state.compare_exchange_strong(expected, kParkedCondvar, mo::seq_cst, mo::seq_cst)) {
      w.park_state.exchange(kEmpty, mo::seq_cst);  // was kNotified: consume it
      return;
    }
    for (;;) {
      if (!limit) {
        w.park_cv.wait(lock);
      } else if (w.park_cv.wait_for(lock, *limit) == std::cv_status::timeout) {
        w.park_state.exchange(kEmpty, mo::seq_cst);  // kParkedCondvar, or a racing kNotified
        return;                                      // (consumed: park() sees it in idle_)
      }
      expected = kNotified;
      if (w.park_state.compare_exchange_strong(expected, kEmpty, mo::seq_cst, mo::seq_cst)) return;
    }
  }

  void unpark_worker(Worker& w) {
    switch (w.park_state.exchange(kNotified, mo::seq_cst)) {
      case kParkedCondvar: {
        {
          std::lock_guard lock(w.park_mu);
        }  // the parker is in (or entering) park_cv.wait
        w.park_cv.notify_one();
        break;
      }
      case kParkedDriver:
        driver().unpark();
        break;
      default:
        break;
    }
  }

  bool try_lock_driver() noexcept { return !driver_locked_.exchange(true, mo::acquire); }
  void unlock_driver() noexcept { driver_locked_.store(false, mo::release); }

  std::vector<std::unique_ptr<Worker>> workers_;
  // The queue of the thread inside block_on (one at a time; others park as before). Not in
  // workers_: no thread of its own, never parked or notified through idle_.
  Worker block_on_worker_;
  Atomic<bool> block_on_worker_taken_{false};
  const std::size_t hw_cores_ = std::max(1u, std::thread::hardware_concurrency());
  InjectQueue<TaskHeader> inject_;
  IdleWorkers idle_;
  Atomic<bool> driver_locked_{false};
  Atomic<bool> shutdown_{false};
};

}  // namespace

std::shared_ptr<RuntimeCore> make_multi_thread_core(const RuntimeConfig& cfg) {
  return std::make_shared<MultiThreadCore>(cfg);
}

}  // namespace sluice::detail
