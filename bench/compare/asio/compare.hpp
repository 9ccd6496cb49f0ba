// Shared by the Asio peer's translation units (bench/compare/asio/build links them into one
// program, asio_compare). Protocol: ../common/harness.hpp; how each workload maps onto Asio:
// README.md.
//
// Flavours. Every workload is a template on a flavour tag:
//   Mt: one io_context (concurrency hint 2) run by exactly two threads; the main thread only
//       waits (std::future from co_spawn(..., use_future)). Channels are
//       asio::experimental::concurrent_channel (mutex-protected).
//   Ct: one io_context (concurrency hint 1) run by the main thread itself: co_spawn the body,
//       run(), restart(). Channels are asio::experimental::channel (null mutex: what an Asio
//       user with a single thread picks).
//
// Asio 1.22 facts the workloads are written around:
//   * every channel operation completes through the executor (blocking.never), so each
//     co_await of a channel op is one trip through the scheduler, even when it could finish
//     at once;
//   * close() drops the messages still buffered (receive_state_ = closed), so "every sender
//     is gone" is an in-band end-of-stream marker where buffered data must survive;
//   * the last thread to touch a channel may still be inside it (unlocking its mutex) after
//     it has woken the coroutine that destroys it: where a signalling call can be the last
//     use (Latch, the actors' reply channels), the signaller holds a shared_ptr.
//
// g++ 12 coroutine pitfalls: never build a temporary, aggregate or lambda inside a co_await
// expression (g++ 12 may destroy it twice): bind it to a named local first (kNoError below,
// named Command objects, named executors).
#pragma once

// Asio 1.22 turns co_await support on for clang only when libc++'s <experimental/coroutine>
// exists; clang++-14 with libstdc++ 12 has the standard <coroutine>, which Asio then uses.
#if defined(__clang__) && !defined(ASIO_HAS_CO_AWAIT) && defined(__cpp_impl_coroutine)
#if __has_include(<coroutine>)
#define ASIO_HAS_CO_AWAIT 1
#endif
#endif

#include <atomic>
#include <cstdint>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/experimental/concurrent_channel.hpp>

#include "../common/harness.hpp"

static_assert(ASIO_VERSION >= 102200, "asio_compare needs Asio >= 1.22 (experimental channels)");

namespace compare {

using harness::die;
using u64 = std::uint64_t;

// ---------------------------------------------------------------------------
// Flavours.
// ---------------------------------------------------------------------------

struct Mt {
  static constexpr bool kMultiThread = true;
  template <class Signature>
  using Channel = asio::experimental::concurrent_channel<Signature>;
};

struct Ct {
  static constexpr bool kMultiThread = false;
  template <class Signature>
  using Channel = asio::experimental::channel<Signature>;
};

/// A channel of u64 values (the mpsc workloads' element type).
template <class F>
using U64Channel = typename F::template Channel<void(asio::error_code, u64)>;

/// A channel whose messages only count: signals, semaphore permits. The bool is a dummy:
/// Asio 1.22's channel<void(error_code)> does not compile (chriskohlhoff/asio#1102: two
/// channel_traits specialisations match), and channel<void()> cannot be co_awaited with
/// use_awaitable (its receive has two completion signatures).
template <class F>
using SignalChannel = typename F::template Channel<void(asio::error_code, bool)>;

/// `co_await op(..., use_tuple)` yields a tuple (error_code, values...) instead of throwing.
inline constexpr asio::experimental::as_tuple_t<asio::use_awaitable_t<>> use_tuple{};

/// The error_code slot of every message sent (bound once: no temporaries in co_await).
inline const asio::error_code kNoError{};

/// "Unbounded": a channel whose capacity is never reached (its std::deque grows instead).
inline constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

/// Dies with `where: <exception message>`.
[[noreturn]] inline void die_with(std::exception_ptr e, const char* where) {
  std::string msg = where;
  try {
    std::rethrow_exception(std::move(e));
  } catch (const std::exception& ex) {
    msg += ": ";
    msg += ex.what();
  } catch (...) {
    msg += ": unknown exception";
  }
  die(msg.c_str());
}

/// co_spawn completion token for tasks nobody joins (Tokio's dropped JoinHandle): unlike
/// asio::detached it does not swallow an exception.
struct DieOnException {
  void operator()(std::exception_ptr e) const {
    if (e) die_with(e, "a detached task threw");
  }
};

// ---------------------------------------------------------------------------
// The runtime: one io_context, run by two threads (mt) or by the caller (ct).
// ---------------------------------------------------------------------------

class Runtime {
 public:
  explicit Runtime(bool multi_thread) : multi_thread_(multi_thread), ctx_(multi_thread ? 2 : 1) {
    if (multi_thread_) {
      for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { run_worker(); });
    }
  }
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime() {
    guard_.reset();
    for (auto& t : threads_) t.join();
  }

  bool multi_thread() const { return multi_thread_; }
  asio::io_context& context() { return ctx_; }

  /// Runs `body` to completion on the io_context and returns its value (Tokio's block_on).
  /// mt: co_spawn(..., use_future) and wait on the future from the calling thread. ct:
  /// co_spawn, then run() the io_context on the calling thread until it is out of work (so
  /// detached tasks still pending also finish), then restart() it for the next call.
  template <class T>
  T block_on(asio::awaitable<T> body) {
    if (multi_thread_) {
      std::future<T> done = asio::co_spawn(ctx_, std::move(body), asio::use_future);
      try {
        return done.get();
      } catch (...) {
        die_with(std::current_exception(), "block_on body threw");
      }
    }
    std::optional<T> out;
    asio::co_spawn(ctx_, std::move(body), [&out](std::exception_ptr e, T v) {
      if (e) die_with(e, "block_on body threw");
      out.emplace(std::move(v));
    });
    ctx_.run();
    ctx_.restart();
    if (!out) die("block_on: the io_context ran out of work before the body finished");
    return std::move(*out);
  }

 private:
  void run_worker() {
    try {
      ctx_.run();
    } catch (...) {
      die_with(std::current_exception(), "a handler threw");
    }
  }

  bool multi_thread_;
  asio::io_context ctx_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_{
      multi_thread_ ? std::optional(asio::make_work_guard(ctx_)) : std::nullopt};
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------
// Joining: Asio 1.22 has no join handle for a group of co_spawned coroutines, so the
// WaitGroup idiom: a counter, and a capacity-1 channel the last one to finish signals.
// ---------------------------------------------------------------------------

template <class F>
class Latch {
 public:
  Latch(const asio::any_io_executor& ex, u64 count)
      : remaining_(count), signal_(std::make_shared<SignalChannel<F>>(ex, 1)) {
    if (count == 0) signal();
  }
  Latch(const Latch&) = delete;
  Latch& operator=(const Latch&) = delete;

  void count_down() {
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) signal();
  }

  asio::awaitable<void> wait() {
    auto [ec, unused] = co_await signal_->async_receive(use_tuple);
    if (ec) die("latch: signal channel failed");
  }

 private:
  void signal() {
    // The waiter may destroy *this as soon as try_send has woken it, while this thread is
    // still inside try_send: hold the channel.
    std::shared_ptr<SignalChannel<F>> keep = signal_;
    if (!keep->try_send(kNoError, true)) die("latch: signalled twice");
  }

  std::atomic<u64> remaining_;
  std::shared_ptr<SignalChannel<F>> signal_;
};

/// co_spawns u64-returning coroutines into numbered slots; join() waits for all of them and
/// returns the slots' sum, in spawn order. Not movable (the handlers point at it).
template <class F>
class JoinSet {
 public:
  JoinSet(const asio::any_io_executor& ex, std::size_t tasks)
      : ex_(ex), results_(tasks), latch_(ex, tasks) {}
  JoinSet(const JoinSet&) = delete;
  JoinSet& operator=(const JoinSet&) = delete;

  void spawn(asio::awaitable<u64> task) {
    if (next_ == results_.size()) die("JoinSet: more tasks than slots");
    const std::size_t slot = next_++;
    asio::co_spawn(ex_, std::move(task), [this, slot](std::exception_ptr e, u64 v) {
      if (e) die_with(e, "a task threw");
      results_[slot] = v;
      latch_.count_down();
    });
  }

  /// Waits for every task; returns the sum of their values (read in spawn order).
  asio::awaitable<u64> join() {
    if (next_ != results_.size()) die("JoinSet: fewer tasks spawned than slots");
    co_await latch_.wait();
    u64 total = 0;
    for (u64 v : results_) total += v;
    co_return total;
  }

  const std::vector<u64>& results() const { return results_; }

 private:
  asio::any_io_executor ex_;
  std::vector<u64> results_;
  std::size_t next_ = 0;
  Latch<F> latch_;
};

// ---------------------------------------------------------------------------
// Workload tables.
// ---------------------------------------------------------------------------

using harness::Kind;

using WorkloadFn = u64 (*)(Runtime&, u64 n);

struct WorkloadEntry {
  std::string_view name;
  WorkloadFn mt;  ///< the workload instantiated for Mt (concurrent_channel); nullptr: n/a
  WorkloadFn ct;  ///< ... and for Ct (channel)
  u64 default_n;
  Kind kind = Kind::kRate;
};

// One table per translation unit.
std::span<const WorkloadEntry> runtime_workloads();  // runtime_workloads.cpp
std::span<const WorkloadEntry> mpsc_workloads();     // mpsc_workloads.cpp
std::span<const WorkloadEntry> sync_workloads();     // sync_workloads.cpp

}  // namespace compare
