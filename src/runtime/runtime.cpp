// Runtime, Builder, Handle and the shutdown sequence. See include/sluice/runtime.hpp.
#include <stdexcept>

#include <sluice/runtime.hpp>

#include "runtime/runtime_core.hpp"

namespace sluice {

namespace detail {

void RuntimeCore::shutdown(std::optional<std::chrono::nanoseconds> blocking_timeout) {
  {
    std::lock_guard lock(shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  stop_workers();
  {
    // Task destructors may spawn or wake; let them see this runtime (spawns are cancelled).
    EnterGuard enter(this, false);
    owned_.close_and_shutdown_all();
    drain_queues();
  }
  blocking_.shutdown(blocking_timeout);
  driver_.shutdown();
}

Scheduler* core_scheduler(RuntimeCore& core) noexcept { return core.scheduler(); }

void core_spawn(RuntimeCore& core, TaskHeader* task) {
  if (!core.owned().bind(task)) {
    task_drop_reference(task);     // the notified reference: it will never be queued
    task->vtable->shutdown(task);  // the owned-list reference; completes as cancelled
    return;
  }
  task->scheduler->schedule_spawned(task);
}

void core_spawn_blocking(RuntimeCore& core, TaskHeader* task) {
  core.blocking().spawn(task, core.shared_from_this());
}

void core_block_on(RuntimeCore& core, BlockOnTarget target) {
  if (on_runtime_thread() || in_block_on()) {
    throw std::logic_error(
        "sluice: cannot call Runtime::block_on from a runtime thread (it would block the worker); "
        "use the async form (co_await)");
  }
  core.block_on(target);
}

}  // namespace detail

// ---- Builder ---------------------------------------------------------------------------------

Builder& Builder::worker_threads(std::size_t n) {
  if (n == 0) throw std::invalid_argument("sluice::Builder::worker_threads: must be at least 1");
  cfg_.worker_threads = n;
  return *this;
}

Builder& Builder::max_blocking_threads(std::size_t n) {
  if (n == 0)
    throw std::invalid_argument("sluice::Builder::max_blocking_threads: must be at least 1");
  cfg_.max_blocking_threads = n;
  return *this;
}

Builder& Builder::event_interval(std::uint32_t n) {
  if (n == 0) throw std::invalid_argument("sluice::Builder::event_interval: must be at least 1");
  cfg_.event_interval = n;
  return *this;
}

Builder& Builder::global_queue_interval(std::uint32_t n) {
  if (n == 0)
    throw std::invalid_argument("sluice::Builder::global_queue_interval: must be at least 1");
  cfg_.global_queue_interval = n;
  return *this;
}

Runtime Builder::build() const {
  detail::RuntimeConfig cfg = cfg_;
  std::shared_ptr<detail::RuntimeCore> core;
  if (cfg.kind == detail::RuntimeConfig::Kind::kCurrentThread) {
    core = detail::make_current_thread_core(cfg);
  } else {
    if (cfg.worker_threads == 0) {
      cfg.worker_threads = std::thread::hardware_concurrency();
      if (cfg.worker_threads == 0) cfg.worker_threads = 1;
    }
    core = detail::make_multi_thread_core(cfg);
  }
  core->start();
  return Runtime(std::move(core));
}

// ---- Runtime -----------------------------------------------------------------------------------

Runtime& Runtime::operator=(Runtime&& o) noexcept {
  if (this != &o) {
    if (core_) core_->shutdown(std::nullopt);
    core_ = std::move(o.core_);
  }
  return *this;
}

Runtime::~Runtime() {
  if (core_) core_->shutdown(std::nullopt);
}

void Runtime::shutdown_timeout(std::chrono::nanoseconds d) {
  if (core_) core_->shutdown(d);
}

std::size_t Runtime::num_workers() const noexcept {
  if (!core_ || core_->config().kind == detail::RuntimeConfig::Kind::kCurrentThread) return 0;
  return core_->config().worker_threads;
}

// ---- Handle ------------------------------------------------------------------------------------

Handle Handle::current() {
  auto h = try_current();
  if (!h) throw std::logic_error("sluice::Handle::current called outside a runtime");
  return std::move(*h);
}

std::optional<Handle> Handle::try_current() {
  detail::RuntimeCore* core = detail::current_core();
  if (!core) return std::nullopt;
  return Handle(core->shared_from_this());
}

}  // namespace sluice
