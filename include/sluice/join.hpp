/// @file
/// Run several futures concurrently inside one task: join, try_join, join_all.
///
/// These are Tokio's `join!` / `try_join!` and futures' `join_all`: the futures run concurrently
/// (interleaved on the polling task, not in parallel on other threads). Each poll of the combined
/// future polls every branch that has not finished yet, starting from a rotating index so that no
/// branch is always first. All branches share the combined future's waker: a branch that wakes it
/// gets every unfinished branch polled again. join and try_join live in one object (no allocation).
///
/// Pass futures by value (`std::move(f)` for a named one); to lend a future instead of giving it
/// away, pass `sluice::by_ref(f)`.
#pragma once

#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <sluice/context.hpp>
#include <sluice/detail/combinator_by_ref.hpp>
#include <sluice/detail/combinator_maybe_done.hpp>
#include <sluice/future.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>

namespace sluice {

/// @cond
namespace detail {

template <class T>
struct is_result : std::false_type {};
template <class T, class E>
struct is_result<Result<T, E>> : std::true_type {};

template <class... F>
inline constexpr bool all_rvalues_v = (!std::is_lvalue_reference_v<F> && ...);

/// Polls branch `i` of a tuple of MaybeDone; true when it is done.
template <class Tuple, std::size_t... Is>
bool poll_slot(Tuple& t, std::size_t i, Context& cx, std::index_sequence<Is...>) {
  bool done = false;
  (void)((i == Is ? (done = std::get<Is>(t).poll(cx), true) : false) || ...);
  return done;
}

}  // namespace detail
/// @endcond

/// Future of `join(futs...)`: completes with the tuple of every output once all completed.
///
/// Cancel safety: destroying it destroys every unfinished branch and every output already
/// produced; it is cancel safe only if every branch is and you do not need those outputs.
template <Future... Fs>
class [[nodiscard]] Join {
 public:
  /// One element per branch, in argument order; a void output is a std::monostate.
  using Output = std::tuple<detail::stored_output_t<Fs>...>;

  /// Takes ownership of the branches (use join()).
  explicit Join(Fs&&... fs) : slots_(std::move(fs)...) {}

  /// Polls every unfinished branch (a different one first each time); ready with all outputs
  /// once the last branch completed. Throws std::logic_error if polled after completion.
  Poll<Output> poll(Context& cx) {
    if (finished_) detail::throw_polled_after_completion("sluice::join");
    constexpr std::size_t n = sizeof...(Fs);
    const std::size_t start = start_;
    start_ = (start_ + 1) % n;
    bool all = true;
    for (std::size_t k = 0; k < n; ++k) {
      if (!detail::poll_slot(slots_, (start + k) % n, cx, std::index_sequence_for<Fs...>{}))
        all = false;
    }
    if (!all) return pending;
    finished_ = true;
    return std::apply([](auto&... s) { return Output(s.take()...); }, slots_);
  }

 private:
  std::tuple<detail::MaybeDone<Fs>...> slots_;
  std::size_t start_ = 0;
  bool finished_ = false;
};

/// Runs every future concurrently and completes with the tuple of their outputs, in argument
/// order (a void output is a std::monostate). Tokio's `join!`.
///
/// Each poll polls every unfinished branch (rotating which goes first); the branches run on the
/// polling task, so none of them runs in parallel with another.
///
/// Example:
/// ```cpp
/// // _ is the std::monostate of log_line's void output
/// auto [a, b, _] = co_await sluice::join(fetch("a"), fetch("b"), log_line("x"));
/// ```
///
/// Cancel safety: see Join.
template <Future... Fs>
Join<std::decay_t<Fs>...> join(Fs&&... fs) {
  static_assert(sizeof...(Fs) > 0, "sluice::join needs at least one future");
  static_assert(
      detail::all_rvalues_v<Fs...>,
      "sluice::join: pass futures by value (std::move(f)), or lend them with sluice::by_ref(f)");
  return Join<std::decay_t<Fs>...>(std::move(fs)...);
}

/// Future of `try_join(futs...)`: the tuple of every value, or the first error.
///
/// Cancel safety: as Join; in addition, on the first error every other branch is destroyed
/// at once (before this future returns ready), so their outputs are lost.
template <Future... Fs>
class [[nodiscard]] TryJoin {
  static_assert((detail::is_result<future_output_t<Fs>>::value && ...),
                "sluice::try_join: every future must output a sluice::Result<T, E>");
  using E = typename std::tuple_element_t<0, std::tuple<future_output_t<Fs>...>>::error_type;
  static_assert((std::is_same_v<typename future_output_t<Fs>::error_type, E> && ...),
                "sluice::try_join: every Result must have the same error type E");

 public:
  /// The success values T_i of the branches, in argument order (void as std::monostate).
  using Values =
      std::tuple<detail::value_or_monostate_t<typename future_output_t<Fs>::value_type>...>;
  /// All values, or the first error E.
  using Output = Result<Values, E>;

  /// Takes ownership of the branches (use try_join()).
  explicit TryJoin(Fs&&... fs) : slots_(std::move(fs)...) {}

  /// Polls every unfinished branch (a different one first each time). Ready with the first
  /// error as soon as a branch fails (the others are destroyed first), or with all values once
  /// every branch succeeded. Throws std::logic_error if polled after completion.
  Poll<Output> poll(Context& cx) {
    if (finished_) detail::throw_polled_after_completion("sluice::try_join");
    constexpr std::size_t n = sizeof...(Fs);
    const std::size_t start = start_;
    start_ = (start_ + 1) % n;
    bool all = true;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (start + k) % n;
      if (!detail::poll_slot(slots_, i, cx, std::index_sequence_for<Fs...>{})) {
        all = false;
      } else if (auto err = take_error(i, std::index_sequence_for<Fs...>{})) {
        finished_ = true;
        std::apply([](auto&... s) { (s.cancel(), ...); }, slots_);  // losers destroyed now
        return Output(Err(std::move(*err)));
      }
    }
    if (!all) return pending;
    finished_ = true;
    return std::apply([](auto&... s) { return Output(Values(unwrap(s.take())...)); }, slots_);
  }

 private:
  // The error of branch i if it just finished with one (branches that finished ok stay stored).
  template <std::size_t... Is>
  std::optional<E> take_error(std::size_t i, std::index_sequence<Is...>) {
    std::optional<E> e;
    (void)((i == Is ? (check_error(std::get<Is>(slots_), e), true) : false) || ...);
    return e;
  }
  template <class Slot>
  static void check_error(Slot& s, std::optional<E>& e) {
    if (s.is_done() && s.output().is_err()) e.emplace(std::move(s.output()).error());
  }
  template <class R>
  static auto unwrap(R&& r) {
    if constexpr (std::is_void_v<typename std::remove_cvref_t<R>::value_type>) {
      return std::monostate{};
    } else {
      return std::move(*r);
    }
  }

  std::tuple<detail::MaybeDone<Fs>...> slots_;
  std::size_t start_ = 0;
  bool finished_ = false;
};

/// Runs futures that each output a `Result<T_i, E>` concurrently. Completes with
/// `Result<std::tuple<T_i...>, E>` (void T_i as std::monostate) once all succeeded, or with the
/// first error as soon as one fails; the other branches are then destroyed (cancelled) before
/// the error is returned. Tokio's `try_join!`.
///
/// Example:
/// ```cpp
/// // r: Result<std::tuple<V, V>, DbError>
/// auto r = co_await sluice::try_join(db.get("a"), db.get("b"));
/// if (!r) co_return r.error();
/// auto& [a, b] = *r;
/// ```
///
/// Cancel safety: see TryJoin.
template <Future... Fs>
TryJoin<std::decay_t<Fs>...> try_join(Fs&&... fs) {
  static_assert(sizeof...(Fs) > 0, "sluice::try_join needs at least one future");
  static_assert(detail::all_rvalues_v<Fs...>,
                "sluice::try_join: pass futures by value (std::move(f)), or lend them with "
                "sluice::by_ref(f)");
  return TryJoin<std::decay_t<Fs>...>(std::move(fs)...);
}

/// Future of `join_all(vector)`: the vector of outputs, in the vector's order.
///
/// Cancel safety: as Join.
template <Future F>
class [[nodiscard]] JoinAll {
 public:
  /// One output per future, in the vector's order (void as std::monostate).
  using Output = std::vector<detail::stored_output_t<F>>;

  /// Takes ownership of the futures (use join_all()).
  explicit JoinAll(std::vector<F> fs) : remaining_(fs.size()) {
    slots_.reserve(fs.size());
    for (auto& f : fs) slots_.emplace_back(std::move(f));
  }

  /// Polls every unfinished future (a different one first each time); ready with all outputs
  /// once the last one completed. Throws std::logic_error if polled after completion.
  Poll<Output> poll(Context& cx) {
    if (finished_) detail::throw_polled_after_completion("sluice::join_all");
    const std::size_t n = slots_.size();
    const std::size_t start = n ? start_ % n : 0;
    ++start_;
    for (std::size_t k = 0; k < n && remaining_ > 0; ++k) {
      auto& s = slots_[(start + k) % n];
      if (!s.is_done() && s.poll(cx)) --remaining_;
    }
    if (remaining_ > 0) return pending;
    finished_ = true;
    Output out;
    out.reserve(n);
    for (auto& s : slots_) out.push_back(s.take());
    slots_.clear();
    return out;
  }

 private:
  std::vector<detail::MaybeDone<F>> slots_;  // one allocation, made up front
  std::size_t remaining_;
  std::size_t start_ = 0;
  bool finished_ = false;
};

/// Runs every future of the vector concurrently; completes with the vector of their outputs in
/// the same order (void outputs as std::monostate). An empty vector completes at once.
/// Each poll polls every unfinished future, so prefer spawning for very large sets.
///
/// Example:
/// ```cpp
/// std::vector<sluice::Task<int>> jobs;
/// for (int i = 0; i < 8; ++i) jobs.push_back(work(i));
/// std::vector<int> results = co_await sluice::join_all(std::move(jobs));
/// ```
///
/// Cancel safety: see JoinAll.
template <Future F>
JoinAll<F> join_all(std::vector<F> fs) {
  return JoinAll<F>(std::move(fs));
}

}  // namespace sluice
