/// @file
/// Wait for the first of several futures: select (fair) and select_biased, Tokio's `select!`.
///
/// `co_await sluice::select(a, b, c)` polls the branches until one is ready, destroys (cancels)
/// all the others, and completes with a Selected: which branch won and its output. Before any
/// branch is polled the coop budget is checked; when it is exhausted the select wakes its task
/// and answers pending without polling anything (Tokio's `poll_budget_available`).
///
/// Pass futures by value (`std::move(f)` for a named one), or lend one with `sluice::by_ref(f)`:
/// a lent future is not cancelled when it loses, so the same future can be raced again in the
/// next loop iteration — the analogue of `&mut fut` in tokio::select!.
#pragma once

#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/detail/combinator_by_ref.hpp>
#include <sluice/detail/combinator_maybe_done.hpp>
#include <sluice/future.hpp>
#include <sluice/poll.hpp>

namespace sluice {

/// The outcome of a select: the index of the branch that completed first and its output.
/// Ts are the branch outputs with void replaced by std::monostate; types may repeat, so a
/// branch is named by its index, never by its type.
///
/// Example:
/// ```cpp
/// auto s = co_await sluice::select(rx.recv(), sluice::sleep(100ms));
/// switch (s.index()) {
///   case 0: handle(std::move(s).get<0>()); break;   // std::optional<T> from recv
///   case 1: on_timeout(); break;                    // sleep's void as std::monostate
/// }
/// // or: s.visit([](auto index, auto& value) { if constexpr (index == 0) ... });
/// ```
template <class... Ts>
class Selected {
  static_assert(sizeof...(Ts) > 0, "sluice::Selected needs at least one branch");

 public:
  /// Records that branch I won with output `args...`.
  template <std::size_t I, class... A>
  explicit Selected(std::in_place_index_t<I> tag, A&&... args)
      : v_(tag, std::forward<A>(args)...) {}

  /// Index (in argument order) of the branch that won.
  std::size_t index() const noexcept { return v_.index(); }
  /// True when branch I won.
  template <std::size_t I>
  bool is() const noexcept {
    return v_.index() == I;
  }
  ///@{
  /// @brief The output of branch I; throws std::bad_variant_access when another branch won.
  /// The rvalue overload (`std::move(s).get<I>()`) moves it out.
  template <std::size_t I>
  auto& get() & {
    return std::get<I>(v_);
  }
  template <std::size_t I>
  const auto& get() const& {
    return std::get<I>(v_);
  }
  template <std::size_t I>
  auto&& get() && {
    return std::get<I>(std::move(v_));
  }
  ///@}
  /// Pointer to the output of branch I, or null when another branch won.
  template <std::size_t I>
  auto* get_if() noexcept {
    return std::get_if<I>(&v_);
  }
  ///@{
  /// @brief Calls `fn(std::integral_constant<std::size_t, I>{}, output)` for the winning
  /// branch I and returns its result; every instantiation must return the same type. The
  /// rvalue overload passes the output as an rvalue.
  template <class Fn>
  decltype(auto) visit(Fn&& fn) & {
    return visit_impl<Selected&>(*this, std::forward<Fn>(fn), std::index_sequence_for<Ts...>{});
  }
  template <class Fn>
  decltype(auto) visit(Fn&& fn) && {
    return visit_impl<Selected&&>(std::move(*this), std::forward<Fn>(fn),
                                  std::index_sequence_for<Ts...>{});
  }
  ///@}
  ///@{
  /// @brief The underlying variant (index = winning branch).
  std::variant<Ts...>& as_variant() & noexcept { return v_; }
  const std::variant<Ts...>& as_variant() const& noexcept { return v_; }
  ///@}

 private:
  template <class Self, class Fn, std::size_t... Is>
  static decltype(auto) visit_impl(Self self, Fn&& fn, std::index_sequence<Is...>) {
    using R = std::invoke_result_t<Fn, std::integral_constant<std::size_t, 0>,
                                   decltype(std::get<0>(std::forward<Self>(self).v_))>;
    using Thunk = R (*)(Self, Fn &&);
    static constexpr Thunk table[] = {+[](Self s, Fn&& f) -> R {
      return std::forward<Fn>(f)(std::integral_constant<std::size_t, Is>{},
                                 std::get<Is>(std::forward<Self>(s).v_));
    }...};
    return table[self.index()](std::forward<Self>(self), std::forward<Fn>(fn));
  }
  std::variant<Ts...> v_;
};

/// Future of select / select_biased (Biased: poll in argument order; otherwise from a random
/// branch each poll).
///
/// Cancel safety: when a branch wins, every other branch is destroyed before this future
/// returns ready, so the select is cancel safe exactly when each branch is (a branch that
/// loses a value on cancellation, such as a send, loses it here too). Destroying the select
/// itself cancels every branch. Branches lent with by_ref are never cancelled.
template <bool Biased, Future... Fs>
class [[nodiscard]] SelectFuture {
 public:
  /// The winning branch's index and output (void outputs as std::monostate).
  using Output = Selected<detail::stored_output_t<Fs>...>;

  /// Takes ownership of the branches (use select() or select_biased()).
  explicit SelectFuture(Fs&&... fs) : slots_(std::move(fs)...) {}

  /// Pending without polling any branch when the task's coop budget is exhausted (the task is
  /// woken to try again). Otherwise polls the branches, from the first (Biased) or from a
  /// random one, and is ready with the first that completes, after destroying the others.
  /// Throws std::logic_error if polled after completion.
  Poll<Output> poll(Context& cx) {
    if (finished_)
      detail::throw_polled_after_completion(Biased ? "sluice::select_biased" : "sluice::select");
    if (!coop::has_budget_remaining(cx)) {
      cx.waker().wake_by_ref();  // out of budget: yield, poll the branches next time
      return pending;
    }
    constexpr std::size_t n = sizeof...(Fs);
    const std::size_t start = Biased ? 0 : detail::fast_rand_n(static_cast<std::uint32_t>(n));
    for (std::size_t k = 0; k < n; ++k) {
      std::optional<Output> out;
      poll_branch((start + k) % n, cx, out, std::index_sequence_for<Fs...>{});
      if (out) {
        finished_ = true;
        std::apply([](auto&... s) { (s.cancel(), ...); }, slots_);  // losers destroyed now
        return std::move(*out);
      }
    }
    return pending;
  }

 private:
  template <std::size_t... Is>
  void poll_branch(std::size_t i, Context& cx, std::optional<Output>& out,
                   std::index_sequence<Is...>) {
    (void)((i == Is ? (try_branch<Is>(cx, out), true) : false) || ...);
  }
  template <std::size_t I>
  void try_branch(Context& cx, std::optional<Output>& out) {
    auto& s = std::get<I>(slots_);
    if (s.poll(cx))
      out.emplace(std::in_place_index<I>, s.take());  // the winner is already destroyed
  }

  std::tuple<detail::MaybeDone<Fs>...> slots_;
  bool finished_ = false;
};

/// Fair select over futures F...: see select().
template <Future... Fs>
using Select = SelectFuture<false, Fs...>;
/// Biased select over futures F...: see select_biased().
template <Future... Fs>
using SelectBiased = SelectFuture<true, Fs...>;

/// Waits for the first future to complete; completes with Selected (its index and output)
/// after destroying every other future. Each poll starts at a random branch, so a branch that
/// is always ready cannot starve the others (tokio::select! without `biased;`).
///
/// Example (receive with a timeout):
/// ```cpp
/// auto s = co_await sluice::select(rx.recv(), sluice::sleep(std::chrono::seconds(1)));
/// if (s.is<1>()) co_return Err(TimedOut{});
/// auto msg = std::move(s).get<0>();
/// ```
///
/// Example (a future kept across loop iterations, like `&mut fut`):
/// ```cpp
/// auto shutdown = shutdown_rx.recv();
/// for (;;) {
///   auto s = co_await sluice::select(sluice::by_ref(shutdown), rx.recv());
///   if (s.index() == 0) break;
///   ...
/// }
/// ```
///
/// Cancel safety: see SelectFuture.
template <Future... Fs>
Select<std::decay_t<Fs>...> select(Fs&&... fs) {
  static_assert(sizeof...(Fs) > 0, "sluice::select needs at least one future");
  static_assert(
      (!std::is_lvalue_reference_v<Fs> && ...),
      "sluice::select: pass futures by value (std::move(f)), or lend them with sluice::by_ref(f)");
  return Select<std::decay_t<Fs>...>(std::move(fs)...);
}

/// Like select(), but polls the branches in argument order every time (tokio::select! with
/// `biased;`): earlier branches win ties. Cheaper, and deterministic; use it when a branch
/// must take priority (e.g. a shutdown signal first).
///
/// Example:
/// ```cpp
/// auto s = co_await sluice::select_biased(shutdown.recv(), rx.recv());   // shutdown wins ties
/// ```
///
/// Cancel safety: see SelectFuture.
template <Future... Fs>
SelectBiased<std::decay_t<Fs>...> select_biased(Fs&&... fs) {
  static_assert(sizeof...(Fs) > 0, "sluice::select_biased needs at least one future");
  static_assert((!std::is_lvalue_reference_v<Fs> && ...),
                "sluice::select_biased: pass futures by value (std::move(f)), or lend them with "
                "sluice::by_ref(f)");
  return SelectBiased<std::decay_t<Fs>...>(std::move(fs)...);
}

}  // namespace sluice
