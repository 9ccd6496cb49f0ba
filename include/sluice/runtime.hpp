/// @file
/// sluice::Runtime, Builder and Handle: the task scheduler, its timer/IO driver and blocking pool.
///
/// Two flavours, as in Tokio:
///   - multi-thread: N worker threads (default: hardware threads), each with a local run queue
///     and a LIFO slot, a shared inject queue, work stealing; Runtime::block_on polls its future on
///     the calling thread, and while the future waits that thread also runs the tasks it woke
///     or spawned (see Runtime::block_on).
///   - current-thread: no threads of its own; Runtime::block_on drives the tasks on the calling
///     thread (FIFO; deterministic enough for interleaving tests).
///
/// Shutdown (~Runtime or shutdown_timeout): workers stop, every still-pending task is destroyed
/// (its JoinHandle yields JoinError::cancelled()), spawns after that are cancelled at once.
///
/// Example:
/// ```cpp
/// sluice::Runtime rt = sluice::Builder::multi_thread().worker_threads(2).build();
/// int v = rt.block_on([]() -> sluice::Task<int> {
///   auto h = sluice::spawn([]() -> sluice::Task<int> { co_return 20; }());
///   co_return (co_await std::move(h)).value() + 1;
/// }());   // 21
/// ```
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <sluice/block_on.hpp>
#include <sluice/detail/runtime_context.hpp>
#include <sluice/future.hpp>
#include <sluice/join_handle.hpp>
#include <sluice/spawn.hpp>
#include <sluice/spawn_blocking.hpp>
#include <sluice/task.hpp>

namespace sluice {

class Runtime;

/// @cond
namespace detail {
/// What a Builder collects.
struct RuntimeConfig {
  enum class Kind { kCurrentThread, kMultiThread };
  Kind kind = Kind::kMultiThread;
  std::size_t worker_threads = 0;  // 0: hardware threads
  std::size_t max_blocking_threads = 512;
  std::chrono::nanoseconds thread_keep_alive = std::chrono::seconds(10);
  std::uint32_t event_interval = 61;
  std::uint32_t global_queue_interval = 31;
  std::string thread_name = "sluice-worker";
};
}  // namespace detail
/// @endcond

/// Configures and builds a Runtime.
///
/// Example:
/// ```cpp
/// auto rt = sluice::Builder::multi_thread().worker_threads(4).max_blocking_threads(16).build();
/// ```
class Builder {
 public:
  /// A multi-thread runtime builder (defaults: hardware threads, 512 blocking threads, 10 s).
  static Builder multi_thread() { return Builder(detail::RuntimeConfig::Kind::kMultiThread); }
  /// A current-thread runtime builder.
  static Builder current_thread() { return Builder(detail::RuntimeConfig::Kind::kCurrentThread); }

  /// Number of worker threads (multi-thread only). Throws std::invalid_argument for 0.
  Builder& worker_threads(std::size_t n);
  /// Upper bound of the spawn_blocking pool. Throws std::invalid_argument for 0.
  Builder& max_blocking_threads(std::size_t n);
  /// How long an idle blocking thread waits for work before it exits.
  Builder& thread_keep_alive(std::chrono::nanoseconds d) {
    cfg_.thread_keep_alive = d;
    return *this;
  }
  /// Scheduler ticks between two polls of the driver (timers) while tasks keep running (61).
  /// Throws std::invalid_argument for 0.
  Builder& event_interval(std::uint32_t n);
  /// Scheduler ticks between two checks of the global inject queue (31). Throws for 0.
  Builder& global_queue_interval(std::uint32_t n);
  /// Name prefix of the runtime's threads ("sluice-worker").
  Builder& thread_name(std::string name) {
    cfg_.thread_name = std::move(name);
    return *this;
  }
  /// Tokio compatibility: timers and I/O are always enabled.
  Builder& enable_all() noexcept { return *this; }
  /// Tokio compatibility: timers are always enabled.
  Builder& enable_time() noexcept { return *this; }

  /// Builds the runtime (starts its worker threads). Throws std::system_error if the kernel
  /// refuses a thread or an fd.
  Runtime build() const;

  /// The configuration collected so far. Its type, detail::RuntimeConfig, is an
  /// implementation detail outside the documented API.
  const detail::RuntimeConfig& config() const noexcept { return cfg_; }

 private:
  explicit Builder(detail::RuntimeConfig::Kind k) { cfg_.kind = k; }
  detail::RuntimeConfig cfg_;
};

/// A cheap, copyable reference to a runtime: spawn onto it from anywhere.
///
/// Example:
/// ```cpp
/// sluice::Handle h = sluice::Handle::current();   // inside a task
/// std::thread([h] { h.spawn(work()); }).join();
/// ```
class Handle {
 public:
  /// The handle of the runtime this thread runs in. Throws std::logic_error outside a runtime.
  static Handle current();
  /// Like current(), but empty outside a runtime.
  static std::optional<Handle> try_current();

  /// Spawns `f` on this runtime (from any thread). Cancelled at once after shutdown.
  template <Future F>
  JoinHandle<future_output_t<F>> spawn(F&& f) const {
    return detail::spawn_on(*core_, std::forward<F>(f));
  }
  /// Runs `fn` on this runtime's blocking pool.
  template <class Fn>
  JoinHandle<std::invoke_result_t<std::decay_t<Fn>&>> spawn_blocking(Fn&& fn) const {
    return detail::spawn_blocking_on(*core_, std::forward<Fn>(fn));
  }

 private:
  friend class Runtime;
  explicit Handle(std::shared_ptr<detail::RuntimeCore> c) noexcept : core_(std::move(c)) {}
  std::shared_ptr<detail::RuntimeCore> core_;
};

/// An async runtime: scheduler + driver (timers) + blocking pool. Move-only.
///
/// Example:
/// ```cpp
/// auto rt = sluice::Runtime::current_thread();
/// rt.block_on(main_task());
/// ```
class Runtime {
 public:
  /// A multi-thread runtime with default settings.
  static Runtime multi_thread() { return Builder::multi_thread().build(); }
  /// A current-thread runtime with default settings.
  static Runtime current_thread() { return Builder::current_thread().build(); }

  /// Takes over `o`'s runtime; `o` becomes empty (destroying it does nothing).
  Runtime(Runtime&&) noexcept = default;
  /// Shuts the current runtime down (as ~Runtime), then takes over `o`'s.
  Runtime& operator=(Runtime&& o) noexcept;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  /// Shuts the runtime down (see runtime.hpp); waits for running blocking tasks.
  ~Runtime();

  /// Runs `f` (any Future or Task; an lvalue is polled in place) to completion and returns its
  /// output; rethrows its exception. Inside it, sluice::spawn and timers use this runtime. On a
  /// current-thread runtime this also runs the spawned tasks.
  ///
  /// On a multi-thread runtime, a task that the calling thread spawns or wakes (senders the
  /// block_on body spawned, or made room for) is queued on that thread and run there while the
  /// future waits, the way Go's main goroutine shares its P: a receiver in block_on and its
  /// senders then take turns on one core instead of waking each other across threads. This
  /// differs from Tokio, whose block_on thread runs only its future. Spawning still tells an
  /// idle worker, which steals the queued tasks when the thread pops none of them for 1 ms (the
  /// body runs long without awaiting, or blocks); after 100 us of running them the thread hands
  /// the rest to the workers, and whatever is left when block_on returns goes to them too. One
  /// block_on at a time does this; concurrent ones on other threads only wait.
  ///
  /// Errors: throws std::logic_error when called from a runtime thread or inside block_on
  /// ("cannot call Runtime::block_on from a runtime thread ...").
  ///
  /// Example:
  /// ```cpp
  /// int v = rt.block_on(answer());
  /// ```
  template <Future F>
  future_output_t<F> block_on(F&& f) {
    using Fd = std::remove_cvref_t<F>;
    using T = future_output_t<F>;
    std::conditional_t<std::is_lvalue_reference_v<F>, Fd&, Fd> fut(std::forward<F>(f));
    detail::BlockOnSlot<Fd, T> slot(&fut);
    detail::core_block_on(*core_, detail::BlockOnTarget{&slot, &detail::BlockOnSlot<Fd, T>::poll});
    if constexpr (!std::is_void_v<T>) return std::move(*slot.out);
  }

  /// Spawns `f` on this runtime (from any thread) and returns its JoinHandle.
  ///
  /// Example:
  /// ```cpp
  /// auto h = rt.spawn(work());
  /// rt.block_on(std::move(h));
  /// ```
  template <Future F>
  JoinHandle<future_output_t<F>> spawn(F&& f) {
    return detail::spawn_on(*core_, std::forward<F>(f));
  }

  /// Runs `fn` on this runtime's blocking pool.
  template <class Fn>
  JoinHandle<std::invoke_result_t<std::decay_t<Fn>&>> spawn_blocking(Fn&& fn) {
    return detail::spawn_blocking_on(*core_, std::forward<Fn>(fn));
  }

  /// A handle to this runtime.
  Handle handle() const { return Handle(core_); }

  /// Shuts down now; waits at most `d` for running blocking tasks, then detaches their threads.
  /// The runtime accepts no more work afterwards (spawns are cancelled). Idempotent.
  ///
  /// Example:
  /// ```cpp
  /// rt.shutdown_timeout(std::chrono::milliseconds(100));
  /// ```
  void shutdown_timeout(std::chrono::nanoseconds d);
  /// shutdown_timeout(0).
  void shutdown_background() { shutdown_timeout(std::chrono::nanoseconds::zero()); }

  /// Number of worker threads (0 for a current-thread runtime).
  std::size_t num_workers() const noexcept;

 private:
  friend class Builder;
  explicit Runtime(std::shared_ptr<detail::RuntimeCore> c) noexcept : core_(std::move(c)) {}
  std::shared_ptr<detail::RuntimeCore> core_;
};

}  // namespace sluice
