// BlockingPool: spawn_blocking's thread pool. See src/runtime/runtime_core.hpp.
//
// Accounting (all under mu_): num_threads_ counts live pool threads; num_idle_ those waiting for
// work that nobody has claimed; a spawner that finds an idle thread moves one unit from num_idle_
// to num_notify_ and signals cv_, the woken thread consumes a num_notify_ unit. A thread that waits
// keep_alive_ without being notified exits (detaching itself).
#include <sluice/detail/task_cell.hpp>

#include "runtime/runtime_core.hpp"

namespace sluice::detail {

namespace {
/// Blocking tasks are never woken (their future never answers pending) and are not in the owned
/// list, so this scheduler only answers release().
class BlockingSchedule final : public Scheduler {
 public:
  void schedule(TaskHeader* t) override { task_drop_reference(t); }
  void yield(TaskHeader* t, bool /*budget_spent*/) override { task_drop_reference(t); }
  bool release(TaskHeader*) noexcept override { return false; }
};
BlockingSchedule g_blocking_schedule;
}  // namespace

Scheduler* blocking_scheduler() noexcept { return &g_blocking_schedule; }

BlockingPool::~BlockingPool() {
  // shutdown() ran (Runtime) or the pool never started a thread; detach leftovers defensively.
  for (auto& [id, t] : threads_) {
    if (t.joinable()) t.detach();
  }
}

void BlockingPool::run_task(TaskHeader* t) {
  t->vtable->poll(t);      // consumes the notified reference
  task_drop_reference(t);  // the pool's reference
}

void BlockingPool::cancel_task(TaskHeader* t) {
  t->vtable->shutdown(t);  // consumes the pool's reference
  task_drop_reference(t);  // the notified reference
}

void BlockingPool::spawn(TaskHeader* task, const std::shared_ptr<RuntimeCore>& core) {
  std::unique_lock lock(mu_);
  if (shutdown_) {
    lock.unlock();
    cancel_task(task);
    return;
  }
  queue_.push_back(task);
  if (num_idle_ > 0) {
    --num_idle_;
    ++num_notify_;
    cv_.notify_one();
    return;
  }
  if (num_threads_ >= max_threads_) return;  // a busy thread will take it
  std::size_t id = next_id_++;
  ++num_threads_;
  try {
    threads_.emplace(id, std::thread([this, core, id] { run(core, id); }));
  } catch (...) {
    --num_threads_;
    if (num_threads_ == 0) {
      queue_.pop_back();
      lock.unlock();
      cancel_task(task);
    }
    throw;
  }
}

void BlockingPool::run(std::shared_ptr<RuntimeCore> core, std::size_t id) {
  set_thread_name(name_);
  EnterGuard enter(core.get(), false);
  std::unique_lock lock(mu_);
  for (;;) {
    while (!queue_.empty()) {
      TaskHeader* t = queue_.front();
      queue_.pop_front();
      bool cancel = shutdown_;
      lock.unlock();
      if (cancel)
        cancel_task(t);
      else
        run_task(t);
      lock.lock();
    }
    if (shutdown_) break;
    ++num_idle_;
    bool exit = false;
    for (;;) {
      bool timed_out = cv_.wait_for(lock, keep_alive_) == std::cv_status::timeout;
      if (num_notify_ > 0) {
        --num_notify_;
        break;
      }
      if (shutdown_) {
        --num_idle_;
        break;
      }
      if (timed_out) {
        --num_idle_;
        exit = true;
        break;
      }
    }
    if (exit) {
      auto it = threads_.find(id);
      if (it != threads_.end()) {
        it->second.detach();
        threads_.erase(it);
      }
      break;
    }
  }
  --num_threads_;
  if (num_threads_ == 0) exit_cv_.notify_all();
  lock.unlock();
  // `core` (the last reference, possibly) is released here, after the pool lock.
}

void BlockingPool::shutdown(std::optional<std::chrono::nanoseconds> timeout) {
  std::unordered_map<std::size_t, std::thread> threads;
  bool all_exited = true;
  std::deque<TaskHeader*> orphans;
  {
    std::unique_lock lock(mu_);
    if (shutdown_ && threads_.empty()) return;
    shutdown_ = true;
    cv_.notify_all();
    if (timeout) {
      all_exited = exit_cv_.wait_for(lock, *timeout, [&] { return num_threads_ == 0; });
    } else {
      exit_cv_.wait(lock, [&] { return num_threads_ == 0; });
    }
    threads.swap(threads_);
    if (all_exited) orphans.swap(queue_);
  }
  for (TaskHeader* t : orphans) cancel_task(t);
  for (auto& [id, t] : threads) {
    if (!t.joinable()) continue;
    if (all_exited && t.get_id() != std::this_thread::get_id())
      t.join();
    else
      t.detach();
  }
}

}  // namespace sluice::detail
