// The one place where sluice names its atomics (STYLE.md habit 6).
//
// Lock-free code in sluice writes `detail::Atomic<T>` and `detail::mo::acquire` etc. instead of
// std::atomic directly, so that a model-check build (-DSLUICE_MODEL=1, the `model` preset) can
// swap them for Relacy's `rl::atomic`, which explores every interleaving and memory-order outcome
// of a small test. Write `fetch_add(1)`, not `++`, on atomics: Relacy's wrapper has no operators.
//
// Example:
//   detail::Atomic<std::size_t> count{0};
//   count.fetch_add(1, detail::mo::relaxed);
#pragma once

#include <atomic>
#include <cstddef>
#include <new>

#if defined(SLUICE_MODEL)
#include <relacy/relacy.hpp>
#endif

// SLUICE_TSAN: built with ThreadSanitizer, which does not model std::atomic_thread_fence (g++
// rejects it under -Werror=tsan). Code whose correctness argument uses fences provides an
// RMW-based variant for this build (AtomicWaker).
#if defined(__SANITIZE_THREAD__)
#define SLUICE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SLUICE_TSAN 1
#endif
#endif

namespace sluice::detail {

#if defined(SLUICE_MODEL)

/// Memory orders under the model build: Relacy's own enumeration.
namespace mo {
inline constexpr rl::memory_order relaxed = rl::mo_relaxed;
inline constexpr rl::memory_order acquire = rl::mo_acquire;
inline constexpr rl::memory_order release = rl::mo_release;
inline constexpr rl::memory_order acq_rel = rl::mo_acq_rel;
inline constexpr rl::memory_order seq_cst = rl::mo_seq_cst;
}  // namespace mo

/// std::atomic-shaped wrapper over rl::atomic that passes Relacy's debug info for each call.
template <class T>
class Atomic {
 public:
  Atomic() = default;
  explicit Atomic(T v) { a_.store(v, rl::mo_relaxed, RL_INFO); }
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T load(rl::memory_order o = rl::mo_seq_cst) const { return a_.load(o, RL_INFO); }
  void store(T v, rl::memory_order o = rl::mo_seq_cst) { a_.store(v, o, RL_INFO); }
  T exchange(T v, rl::memory_order o = rl::mo_seq_cst) { return a_.exchange(v, o, RL_INFO); }
  bool compare_exchange_weak(T& e, T d, rl::memory_order s, rl::memory_order f) {
    return a_.compare_exchange_weak(e, d, s, RL_INFO, f, RL_INFO);
  }
  bool compare_exchange_weak(T& e, T d, rl::memory_order o = rl::mo_seq_cst) {
    return a_.compare_exchange_weak(e, d, o, RL_INFO);
  }
  bool compare_exchange_strong(T& e, T d, rl::memory_order s, rl::memory_order f) {
    return a_.compare_exchange_strong(e, d, s, RL_INFO, f, RL_INFO);
  }
  bool compare_exchange_strong(T& e, T d, rl::memory_order o = rl::mo_seq_cst) {
    return a_.compare_exchange_strong(e, d, o, RL_INFO);
  }
  T fetch_add(T v, rl::memory_order o = rl::mo_seq_cst) { return a_.fetch_add(v, o, RL_INFO); }
  T fetch_sub(T v, rl::memory_order o = rl::mo_seq_cst) { return a_.fetch_sub(v, o, RL_INFO); }
  T fetch_or(T v, rl::memory_order o = rl::mo_seq_cst) { return a_.fetch_or(v, o, RL_INFO); }
  T fetch_and(T v, rl::memory_order o = rl::mo_seq_cst) { return a_.fetch_and(v, o, RL_INFO); }

 private:
  mutable rl::atomic<T> a_;
};

/// Relacy thread yield hint for spin loops.
inline void spin_hint() { rl::yield(1, RL_INFO); }

/// A sequentially consistent fence (Relacy's, so the model checks arguments that rely on it).
inline void fence_seq_cst() { rl::atomic_thread_fence(rl::mo_seq_cst, RL_INFO); }

/// fence_seq_cst() for a caller whose previous atomic operation is a read-modify-write; under
/// the model, a real fence.
inline void fence_seq_cst_after_rmw() { fence_seq_cst(); }

#else

/// Memory orders (plain build: std's).
namespace mo {
inline constexpr std::memory_order relaxed = std::memory_order_relaxed;
inline constexpr std::memory_order acquire = std::memory_order_acquire;
inline constexpr std::memory_order release = std::memory_order_release;
inline constexpr std::memory_order acq_rel = std::memory_order_acq_rel;
inline constexpr std::memory_order seq_cst = std::memory_order_seq_cst;
}  // namespace mo

template <class T>
using Atomic = std::atomic<T>;

/// CPU pause for spin loops.
inline void spin_hint() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// A sequentially consistent fence.
inline void fence_seq_cst() noexcept { std::atomic_thread_fence(std::memory_order_seq_cst); }

/// fence_seq_cst() for a caller whose previous atomic operation, in program order, is a
/// read-modify-write (e.g. BlockList::push's ready-bit fetch_or). On x86 every locked RMW is a
/// full barrier already (loads are not reordered with locked instructions), so only the compiler
/// must be kept from moving memory accesses across: that saves a second locked instruction per
/// mpsc push. Elsewhere: a real fence.
inline void fence_seq_cst_after_rmw() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("" ::: "memory");
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

#endif

/// Size used to keep producer- and consumer-owned fields on separate cache lines.
inline constexpr std::size_t kCacheLine = 64;

/// A value padded to a cache line of its own.
template <class T>
struct alignas(kCacheLine) CachePadded {
  T value;
};

}  // namespace sluice::detail
