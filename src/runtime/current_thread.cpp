// The current-thread scheduler: tasks run on the thread that calls Runtime::block_on.
//
// One FIFO run queue (intrusive through TaskHeader::queue_next) touched only by the thread that
// holds the core (core_mu_, taken by block_on), plus the inject queue for wakes from other
// threads (which also unpark the driver). block_on loop (Tokio's): poll the block_on future when
// it was woken; run up to event_interval ready tasks; park on the driver when there is nothing to
// run, or poll it with a zero timeout after event_interval tasks. Every global_queue_interval
// ticks the inject queue is checked first so remote wakes are not starved.
//
// A second thread calling block_on while the core is taken polls its own future with its thread
// waker and takes the core over when it is released (it is woken for that).
#include <mutex>
#include <vector>

#include <sluice/detail/inject_queue.hpp>
#include <sluice/detail/thread_parker.hpp>

#include "runtime/runtime_core.hpp"

namespace sluice::detail {

namespace {

/// The block_on future's waker target. Reference counted, so a clone that outlives the runtime
/// stays harmless. State: `woken` (any thread sets, the driving thread clears); `driver` (null
/// after shutdown; under mu).
class BlockOnSignal {
 public:
  explicit BlockOnSignal(Driver* d) noexcept : driver_(d) {}
  void ref_inc() noexcept { refs_.fetch_add(1, mo::relaxed); }
  void ref_dec() noexcept {
    if (refs_.fetch_sub(1, mo::acq_rel) == 1) delete this;
  }
  void wake();
  bool take_woken() noexcept { return woken_.exchange(false, mo::acq_rel); }
  bool is_woken() const noexcept { return woken_.load(mo::acquire); }
  void set_woken() noexcept { woken_.store(true, mo::release); }
  void detach_driver() noexcept {
    std::lock_guard lock(mu_);
    driver_ = nullptr;
  }
  Waker waker() noexcept {
    ref_inc();
    return Waker(this, &kVTable);
  }

 private:
  static void* clone(void* p) {
    static_cast<BlockOnSignal*>(p)->ref_inc();
    return p;
  }
  static void wake_val(void* p) {
    static_cast<BlockOnSignal*>(p)->wake();
    static_cast<BlockOnSignal*>(p)->ref_dec();
  }
  static void wake_ref(void* p) { static_cast<BlockOnSignal*>(p)->wake(); }
  static void drop(void* p) { static_cast<BlockOnSignal*>(p)->ref_dec(); }
  static constexpr RawWakerVTable kVTable{&clone, &wake_val, &wake_ref, &drop};

  Atomic<std::size_t> refs_{1};
  Atomic<bool> woken_{false};
  std::mutex mu_;
  Driver* driver_;
};

thread_local BlockOnSignal* t_driving_signal = nullptr;

void BlockOnSignal::wake() {
  woken_.store(true, mo::release);
  if (t_driving_signal == this) return;  // the driving thread checks `woken` before parking
  std::lock_guard lock(mu_);
  if (driver_) driver_->unpark();
}

class CurrentThreadCore;
thread_local CurrentThreadCore* t_driving = nullptr;

class CurrentThreadCore final : public RuntimeCore, public Scheduler {
 public:
  explicit CurrentThreadCore(const RuntimeConfig& cfg)
      : RuntimeCore(cfg), signal_(new BlockOnSignal(&driver())) {}
  ~CurrentThreadCore() override { signal_->ref_dec(); }

  Scheduler* scheduler() noexcept override { return this; }

  void schedule(TaskHeader* t) override {
    if (t_driving == this) {
      push_local(t);
      return;
    }
    if (!inject_.push(t)) {
      task_drop_reference(t);  // shut down: the task is (being) cancelled
      return;
    }
    driver().unpark();
  }
  void yield(TaskHeader* t, bool /*budget_spent*/) override { schedule(t); }
  bool release(TaskHeader* t) noexcept override { return owned().remove(t); }

  void block_on(BlockOnTarget target) override;

 protected:
  void drain_queues() override {
    signal_->detach_driver();
    inject_.close();
    while (TaskHeader* t = inject_.pop()) task_drop_reference(t);
    while (TaskHeader* t = pop_local()) task_drop_reference(t);
  }

 private:
  void push_local(TaskHeader* t) noexcept {
    t->queue_next = nullptr;
    if (local_tail_)
      local_tail_->queue_next = t;
    else
      local_head_ = t;
    local_tail_ = t;
  }
  TaskHeader* pop_local() noexcept {
    TaskHeader* t = local_head_;
    if (!t) return nullptr;
    local_head_ = t->queue_next;
    if (!local_head_) local_tail_ = nullptr;
    t->queue_next = nullptr;
    return t;
  }
  TaskHeader* next_task() {
    ++tick_;
    if (tick_ % config().global_queue_interval == 0) {
      if (TaskHeader* t = inject_.pop()) return t;
      return pop_local();
    }
    if (TaskHeader* t = pop_local()) return t;
    return inject_.pop();
  }
  /// Runs the scheduler until `target` is ready (the caller holds core_mu_).
  void drive(BlockOnTarget target);
  void release_core();

  BlockOnSignal* signal_;
  InjectQueue<TaskHeader> inject_;
  TaskHeader* local_head_ = nullptr;  // only the core holder
  TaskHeader* local_tail_ = nullptr;
  std::uint32_t tick_ = 0;
  std::mutex core_mu_;
  std::mutex waiters_mu_;
  std::vector<Waker> waiters_;  // block_on callers waiting for the core
};

void CurrentThreadCore::drive(BlockOnTarget target) {
  struct DrivingScope {
    CurrentThreadCore* prev = t_driving;
    BlockOnSignal* prev_signal = t_driving_signal;
    DrivingScope(CurrentThreadCore* c, BlockOnSignal* s) {
      t_driving = c;
      t_driving_signal = s;
    }
    ~DrivingScope() {
      t_driving = prev;
      t_driving_signal = prev_signal;
    }
  } scope(this, signal_);
  Waker waker = signal_->waker();
  signal_->set_woken();
  const std::uint32_t interval = config().event_interval;
  for (;;) {
    if (signal_->take_woken()) {
      coop::Budget budget = coop::Budget::initial();
      Context cx(waker, budget);
      if (target.poll(target.self, cx)) return;
    }
    bool parked = false;
    for (std::uint32_t i = 0; i < interval; ++i) {
      TaskHeader* t = next_task();
      if (!t) {
        if (!signal_->is_woken()) driver().park(std::nullopt);
        parked = true;
        break;
      }
      t->vtable->poll(t);
    }
    if (!parked) driver().park(std::chrono::nanoseconds::zero());
  }
}

void CurrentThreadCore::release_core() {
  core_mu_.unlock();
  std::vector<Waker> waiters;
  {
    std::lock_guard lock(waiters_mu_);
    waiters.swap(waiters_);
  }
  for (auto& w : waiters) std::move(w).wake();
}

void CurrentThreadCore::block_on(BlockOnTarget target) {
  EnterGuard enter(this, true);
  BlockOnDepthGuard depth;
  DriverScope driver_scope(&driver());
  Waker thread_waker;
  for (;;) {
    if (core_mu_.try_lock()) {
      struct Release {
        CurrentThreadCore* c;
        ~Release() { c->release_core(); }
      } release{this};
      drive(target);
      return;
    }
    // Another thread drives the runtime: wait for our future or for the core, whichever first.
    if (thread_waker.is_empty()) thread_waker = current_thread_waker();
    {
      std::lock_guard lock(waiters_mu_);
      waiters_.push_back(thread_waker);
    }
    if (core_mu_.try_lock()) {
      core_mu_.unlock();
      continue;
    }
    coop::Budget budget = coop::Budget::initial();
    Context cx(thread_waker, budget);
    if (target.poll(target.self, cx)) return;
    park_current_thread();
  }
}

}  // namespace

std::shared_ptr<RuntimeCore> make_current_thread_core(const RuntimeConfig& cfg) {
  return std::make_shared<CurrentThreadCore>(cfg);
}

}  // namespace sluice::detail
