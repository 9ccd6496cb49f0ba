// RuntimeCore: what a Runtime, its Handles and its blocking threads share (private to src/).
//
// Lifetime: held by std::shared_ptr from Runtime, every Handle, and every blocking-pool thread,
// so a detached blocking thread (shutdown_timeout) or a late wake from it never touches freed
// scheduler state. Runtime::~Runtime / shutdown_timeout run shutdown(): stop the workers, close
// and shut down the owned tasks, drain the run queues, wait for (then detach) blocking threads,
// and finally shut the driver down.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include <sluice/detail/driver.hpp>
#include <sluice/detail/owned_tasks.hpp>
#include <sluice/detail/runtime_context.hpp>
#include <sluice/runtime.hpp>

namespace sluice::detail {

/// spawn_blocking's bounded, on-demand thread pool.
class BlockingPool {
 public:
  BlockingPool(std::size_t max_threads, std::chrono::nanoseconds keep_alive, std::string name)
      : max_threads_(max_threads), keep_alive_(keep_alive), name_(std::move(name)) {}
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;
  ~BlockingPool();

  /// Queues `task` (its notified + "pool" references); starts a thread if none is idle.
  void spawn(TaskHeader* task, const std::shared_ptr<RuntimeCore>& core);
  /// Cancels queued tasks, waits up to `timeout` (nullopt: forever) for the threads, then detaches
  /// those still running. Idempotent.
  void shutdown(std::optional<std::chrono::nanoseconds> timeout);

 private:
  void run(std::shared_ptr<RuntimeCore> core, std::size_t id);
  static void run_task(TaskHeader* t);
  static void cancel_task(TaskHeader* t);

  std::mutex mu_;
  std::condition_variable cv_;       // work or shutdown for idle threads
  std::condition_variable exit_cv_;  // num_threads_ reached zero
  std::deque<TaskHeader*> queue_;
  std::unordered_map<std::size_t, std::thread> threads_;
  std::size_t next_id_ = 0;
  std::size_t num_threads_ = 0;
  std::size_t num_idle_ = 0;
  std::size_t num_notify_ = 0;
  bool shutdown_ = false;
  const std::size_t max_threads_;
  const std::chrono::nanoseconds keep_alive_;
  const std::string name_;
};

/// The shared state of one runtime; subclassed by the two schedulers.
class RuntimeCore : public std::enable_shared_from_this<RuntimeCore> {
 public:
  explicit RuntimeCore(const RuntimeConfig& cfg)
      : cfg_(cfg),
        blocking_(cfg.max_blocking_threads, cfg.thread_keep_alive, cfg.thread_name + "-blocking") {}
  RuntimeCore(const RuntimeCore&) = delete;
  RuntimeCore& operator=(const RuntimeCore&) = delete;
  virtual ~RuntimeCore() = default;

  /// Starts worker threads (called once the shared_ptr exists).
  virtual void start() {}
  /// The scheduler tasks are bound to.
  virtual Scheduler* scheduler() noexcept = 0;
  /// Runs `target` to completion on the calling thread.
  virtual void block_on(BlockOnTarget target) = 0;

  /// The shutdown sequence (see the top of this file). Idempotent.
  void shutdown(std::optional<std::chrono::nanoseconds> blocking_timeout);

  Driver& driver() noexcept { return driver_; }
  OwnedTasks& owned() noexcept { return owned_; }
  BlockingPool& blocking() noexcept { return blocking_; }
  const RuntimeConfig& config() const noexcept { return cfg_; }

 protected:
  /// Stops and joins the worker threads (multi-thread); nothing for current-thread.
  virtual void stop_workers() {}
  /// Closes the queues and drops every queued notified reference.
  virtual void drain_queues() = 0;

 private:
  RuntimeConfig cfg_;
  Driver driver_;
  OwnedTasks owned_;
  BlockingPool blocking_;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;
};

/// RAII: makes `core` this thread's runtime (and, if `runtime_thread`, marks the thread as one
/// that must not block); restores the previous values.
class EnterGuard {
 public:
  EnterGuard(RuntimeCore* core, bool runtime_thread) noexcept;
  ~EnterGuard();
  EnterGuard(const EnterGuard&) = delete;
  EnterGuard& operator=(const EnterGuard&) = delete;

 private:
  RuntimeCore* prev_core_;
  bool prev_runtime_thread_;
};

/// RAII: counts a block_on in progress on this thread.
class BlockOnDepthGuard {
 public:
  BlockOnDepthGuard() noexcept;
  ~BlockOnDepthGuard();
  BlockOnDepthGuard(const BlockOnDepthGuard&) = delete;
  BlockOnDepthGuard& operator=(const BlockOnDepthGuard&) = delete;
};

/// Factories (current_thread.cpp, multi_thread.cpp).
std::shared_ptr<RuntimeCore> make_current_thread_core(const RuntimeConfig& cfg);
std::shared_ptr<RuntimeCore> make_multi_thread_core(const RuntimeConfig& cfg);

/// Names the calling thread (best effort, truncated to 15 characters).
void set_thread_name(const std::string& name) noexcept;

}  // namespace sluice::detail
