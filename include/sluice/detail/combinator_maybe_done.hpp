// Internals shared by join / try_join / join_all / select (detail: users never name these).
//
//   value_or_monostate_t<T>  T, or std::monostate for void (so outputs fit in tuples/variants)
//   MaybeDone<F>             a future slot: running (holds F), done (holds its output), or gone
//   fast_rand_n(n)           thread-local xorshift random index for fair polling (Tokio's FastRand)
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <sluice/context.hpp>
#include <sluice/future.hpp>
#include <sluice/poll.hpp>

namespace sluice::detail {

/// T, or std::monostate when T is void.
template <class T>
using value_or_monostate_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

/// The output of future F as it is stored by the combinators (void becomes std::monostate).
template <class F>
using stored_output_t = value_or_monostate_t<future_output_t<F>>;

/// One branch of a join: the running future, then its output once ready, then nothing once
/// the output was taken or the branch was cancelled. The future is destroyed as soon as it
/// completes, before its output is stored.
template <Future F>
class MaybeDone {
 public:
  using Value = stored_output_t<F>;

  explicit MaybeDone(F&& f) : s_(std::in_place_index<kRunning>, std::move(f)) {}

  /// Polls the future if it is still running; true once the output is stored (or taken).
  bool poll(Context& cx) {
    if (s_.index() != kRunning) return true;
    auto p = std::get<kRunning>(s_).poll(cx);
    if (p.is_pending()) return false;
    if constexpr (std::is_void_v<future_output_t<F>>) {
      s_.template emplace<kDone>();
    } else {
      s_.template emplace<kDone>(std::move(p).value());
    }
    return true;
  }
  bool is_done() const noexcept { return s_.index() == kDone; }
  /// The stored output (only when is_done()).
  Value& output() noexcept { return *std::get_if<kDone>(&s_); }
  /// Moves the output out and leaves the slot gone.
  Value take() {
    Value v = std::move(*std::get_if<kDone>(&s_));
    s_.template emplace<kGone>();
    return v;
  }
  /// Destroys the future or the output (cancellation).
  void cancel() noexcept { s_.template emplace<kGone>(); }

 private:
  static constexpr std::size_t kRunning = 0, kDone = 1, kGone = 2;
  std::variant<F, Value, std::monostate> s_;
};

/// Per-thread xorshift64* generator (Tokio's FastRand), seeded from its own address.
class FastRand {
 public:
  FastRand() noexcept {
    // splitmix64 of the address. XOR, not +: g++ 12 folds `&tls_var + big_constant` into a TLS
    // relocation addend that does not fit in 32 bits ("relocation truncated to fit: TPOFF32").
    std::uint64_t z = reinterpret_cast<std::uintptr_t>(this) ^ 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    s_ = (z ^ (z >> 31)) | 1;
  }
  /// Uniform number in [0, n) (n > 0).
  std::uint32_t next_n(std::uint32_t n) noexcept {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    auto r = static_cast<std::uint32_t>((s_ * 0x2545F4914F6CDD1Dull) >> 32);
    return static_cast<std::uint32_t>((std::uint64_t{r} * n) >> 32);
  }

 private:
  std::uint64_t s_;
};

/// Uniform random number in [0, n) from this thread's FastRand (n > 0).
inline thread_local FastRand t_fast_rand;
inline std::uint32_t fast_rand_n(std::uint32_t n) noexcept { return t_fast_rand.next_n(n); }

/// Throws the logic_error every combinator throws when polled after it returned ready.
[[noreturn]] inline void throw_polled_after_completion(const char* what) {
  throw std::logic_error(std::string(what) + " polled after completion");
}

}  // namespace sluice::detail
