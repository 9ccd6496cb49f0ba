/// @file
/// sluice::Task<T>: the coroutine type, sluice's `async fn`.
///
/// A Task is lazy: nothing runs until it is awaited by another Task or polled as a future (by
/// spawn, block_on, select, join, timeout ...). Inside a Task, `co_await` accepts any Future (a
/// leaf such as a channel receive or a sleep) or another Task:
///   - `co_await leaf` polls the leaf once; if it is ready there is no suspension at all. If it is
///     pending, the whole chain of Tasks suspends and the outermost Task (the root) remembers the
///     leaf; the next poll of the root re-polls that leaf and resumes the chain once it is ready.
///   - `co_await child_task` runs the child inline, on the same root; when the child finishes
///     without suspending, the parent simply continues (await_suspend returns false).
///
/// Resumption never relies on compiler tail calls: a child that finishes after a suspension hands
/// its parent to the root's trampoline loop, so a million sequential awaits use constant stack on
/// g++ 12 at any optimisation level and under sanitizers (DESIGN.md section 5).
///
/// Exceptions thrown in a Task propagate to whoever awaits it; a spawned Task that throws reports
/// the exception through its JoinHandle. Destroying a Task cancels it: its frame, the child Tasks
/// it awaits and the leaf it waits on are destroyed, and the leaf deregisters its waker.
///
/// Example:
/// ```cpp
/// sluice::Task<int> answer() { co_return 42; }
/// sluice::Task<int> twice() {
///   int a = co_await answer();
///   co_await sluice::sleep(std::chrono::milliseconds(1));
///   co_return 2 * a;
/// }
/// int v = sluice::Runtime::current_thread().block_on(twice());   // 84
/// ```
///
/// Cancel safety: a Task is as cancel safe as the awaits inside it; dropping it mid-await cancels
/// the leaf it waits on (see that leaf's documentation).
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <sluice/context.hpp>
#include <sluice/detail/frame_allocator.hpp>
#include <sluice/future.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>

namespace sluice {

template <class T = void>
class Task;

/// @cond
namespace detail {

/// State of one poll-driven chain of Tasks, kept in the outermost Task's promise.
struct TaskRoot {
  Context* cx = nullptr;                         // the context of the poll in progress
  bool (*leaf_poll)(void*, Context&) = nullptr;  // re-polls the pending leaf; true when ready
  void* leaf = nullptr;                          // the awaiter of the pending leaf
  std::coroutine_handle<> waiting;               // coroutine to resume once the leaf is ready
  std::coroutine_handle<> next;                  // trampoline: the coroutine to resume next
  // The root is a spawned task's body (set by TaskCell): nothing but an abort of the task can
  // drop a leaf it awaits directly, so a leaf may complete on its own behalf (the mpsc Send's
  // hand-off, mpsc_send.hpp). Not set for a Task polled by select, timeout or a user's future.
  bool task_body = false;
};

template <class T>
void mark_task_body(Task<T>& t) noexcept;

template <class T>
struct is_task : std::false_type {};
template <class T>
struct is_task<Task<T>> : std::true_type {};

class TaskPromiseBase;

// The awaiter's copy of a leaf's output into the awaiting coroutine, field by field for the
// outputs channel futures have (std::optional, Result): poll wrote them with small stores, and
// a whole-object copy (one 16-byte load) would wait for those stores to reach the cache (a
// store-forwarding stall, measured at about a tenth of a message's cost).
template <class T>
T move_output(T& v) {
  return std::move(v);
}
template <class U>
std::optional<U> move_output(std::optional<U>& v) {
  if (v.has_value()) return std::optional<U>(std::in_place, std::move(*v));
  return std::nullopt;
}
template <class U, class E>
Result<U, E> move_output(Result<U, E>& r) {
  if (r.has_value()) return Result<U, E>(std::move(*r));
  return Err(std::move(r).error());
}
template <class E>
Result<void, E> move_output(Result<void, E>& r) {
  if (r.has_value()) return Result<void, E>();
  return Err(std::move(r).error());
}

/// Awaiter for `co_await leaf` inside a Task: polls in await_ready, parks the chain otherwise.
template <class F>
class LeafAwaiter {
 public:
  using Output = future_output_t<F>;
  LeafAwaiter(F& f, TaskRoot* root) noexcept : fut_(&f), root_(root) {}
  LeafAwaiter(const LeafAwaiter&) = delete;
  LeafAwaiter& operator=(const LeafAwaiter&) = delete;
  ~LeafAwaiter() {
    if (has_out_) out_.~Poll<Output>();
  }

  [[gnu::always_inline]] bool await_ready() {
    if constexpr (requires(F & f) { f.allow_handoff(); }) {
      if (root_->task_body) fut_->allow_handoff();  // see TaskRoot::task_body
    }
    return poll_into(*root_->cx);
  }
  void await_suspend(std::coroutine_handle<> h) noexcept {
    root_->leaf = this;
    root_->leaf_poll = &LeafAwaiter::poll_thunk;
    root_->waiting = h;
  }
  [[gnu::always_inline]] Output await_resume() {
    if constexpr (std::is_void_v<Output>) {
      return;
    } else {
      return move_output(out_.value());
    }
  }

 private:
  static bool poll_thunk(void* self, Context& cx) {
    return static_cast<LeafAwaiter*>(self)->poll_into(cx);
  }
  // The future's Poll is built in place (guaranteed elision: no temporary to copy from, so the
  // small stores poll makes are not read back by one wide load, a store-forwarding stall).
  [[gnu::always_inline]] bool poll_into(Context& cx) {
    if (has_out_) {
      out_.~Poll<Output>();
      has_out_ = false;
    }
    ::new (static_cast<void*>(std::addressof(out_))) Poll<Output>(fut_->poll(cx));
    has_out_ = true;
    return out_.is_ready();
  }
  F* fut_;
  TaskRoot* root_;
  union {
    Poll<Output> out_;
  };
  bool has_out_ = false;
};

/// What every Task promise shares: root linkage, continuation, exception, frame allocation.
class TaskPromiseBase {
 public:
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) const noexcept {
      auto& p = h.promise();
      // A child started inline returns to its parent's await_suspend, which sees it done.
      // A child resumed by the trampoline hands its parent to the trampoline instead.
      if (p.continuation_ && !p.inline_) p.root_->next = p.continuation_;
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  template <class U>
  auto await_transform(Task<U>&& t) noexcept;
  template <class U>
  auto await_transform(Task<U>& t) noexcept;
  template <Future F>
    requires(!is_task<std::remove_cvref_t<F>>::value)
  LeafAwaiter<std::remove_reference_t<F>> await_transform(F&& f)
  noexcept { return LeafAwaiter<std::remove_reference_t<F>>(f, root_); }

  /// Anything else is a compile error with a readable message.
  template <class A>
    requires(!Future<A> && !is_task<std::remove_cvref_t<A>>::value)
  void await_transform(A&&) noexcept {
    static_assert(
        sizeof(A) == 0,
        "sluice::Task can only co_await a sluice::Future (a type with `using Output = T;` "
        "and `Poll<T> poll(Context&)`) or another sluice::Task");
  }

  static void* operator new(std::size_t size) { return frame_alloc(size); }
  static void operator delete(void* p, std::size_t size) noexcept { frame_free(p, size); }

  TaskRoot* root_ = nullptr;              // the root this Task runs under (null before start)
  std::coroutine_handle<> continuation_;  // the awaiting parent, if any
  bool inline_ = false;                   // true while the parent's await_suspend runs us inline
  std::exception_ptr exception_;
  TaskRoot own_root_;  // used when this Task is polled as a root

 protected:
  void rethrow_if_failed() {
    if (exception_) std::rethrow_exception(std::exchange(exception_, nullptr));
  }
};

template <class T>
class TaskPromise final : public TaskPromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U = T>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) { value_.emplace(std::forward<U>(v)); }
  T take_result() {
    rethrow_if_failed();
    return move_output(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class TaskPromise<void> final : public TaskPromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take_result() { rethrow_if_failed(); }
};

/// Awaiter for `co_await task` inside a Task: runs the child inline on the parent's root.
template <class U>
class TaskAwaiter {
 public:
  TaskAwaiter(std::coroutine_handle<TaskPromise<U>> child, TaskRoot* root) noexcept
      : child_(child), root_(root) {}
  bool await_ready() const {
    if (!child_) throw std::logic_error("sluice::Task: awaiting an empty or moved-from Task");
    if (child_.promise().root_ != nullptr)
      throw std::logic_error("sluice::Task: awaiting a Task that was already started");
    return false;
  }
  bool await_suspend(std::coroutine_handle<> parent) {
    auto& cp = child_.promise();
    cp.root_ = root_;
    cp.continuation_ = parent;
    cp.inline_ = true;
    child_.resume();
    cp.inline_ = false;
    return !child_.done();  // still running: the trampoline resumes the parent later
  }
  U await_resume() { return child_.promise().take_result(); }

 private:
  std::coroutine_handle<TaskPromise<U>> child_;
  TaskRoot* root_;
};

}  // namespace detail
/// @endcond

/// A lazy coroutine producing a T; also a Future. Move-only.
///
/// Declare a coroutine returning Task<T> (Task<> for void) and `co_return` a T. Nothing runs
/// until the Task is awaited by another Task or polled as a future (spawn, block_on, select,
/// join, timeout); see task.hpp for how awaiting leaves and child Tasks works. An exception
/// escaping the coroutine is rethrown to whoever awaits or polls it. Destroying a Task
/// cancels it.
template <class T>
class [[nodiscard]] Task {
 public:
  /// The promise the compiler uses for coroutines returning Task<T> (an implementation detail).
  using promise_type = detail::TaskPromise<T>;
  /// What the coroutine `co_return`s, and what awaiting or polling the Task yields.
  using Output = T;

  /// An empty Task holding no coroutine (valid() is false); polling it throws.
  Task() noexcept = default;
  /// Adopts the coroutine `h`. Called by the promise when a coroutine is created; users get
  /// Tasks by calling coroutines.
  explicit Task(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  /// Takes over `o`'s coroutine; `o` becomes empty.
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  /// Destroys (cancels) the current coroutine, then takes over `o`'s.
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      destroy();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  /// Destroys the coroutine frame, cancelling it if it has not finished.
  ~Task() { destroy(); }

  /// True when this Task holds a coroutine (not default-constructed or moved-from).
  bool valid() const noexcept { return static_cast<bool>(h_); }
  /// True once the coroutine has run to completion.
  bool is_finished() const noexcept { return h_ && h_.done(); }

  /// Polls the Task as a root: runs it until it finishes or waits on a pending leaf.
  /// Throws std::logic_error if polled after it completed; rethrows the Task's exception.
  Poll<T> poll(Context& cx) {
    if (!h_ || h_.done()) throw std::logic_error("sluice::Task polled after completion");
    auto& p = h_.promise();
    auto& r = p.own_root_;
    if (p.root_ == nullptr) {
      p.root_ = &r;
      r.next = h_;
    } else if (p.root_ != &r) {
      throw std::logic_error("sluice::Task polled while it is awaited by another Task");
    } else if (r.leaf != nullptr) {
      if (!r.leaf_poll(r.leaf, cx)) return pending;
      r.leaf = nullptr;
      r.next = std::exchange(r.waiting, nullptr);
    }
    r.cx = &cx;
    while (r.next) std::exchange(r.next, nullptr).resume();
    r.cx = nullptr;
    if (!h_.done()) return pending;
    if constexpr (std::is_void_v<T>) {
      p.take_result();
      return Poll<void>::ready();
    } else {
      return Poll<T>(p.take_result());
    }
  }

 private:
  template <class>
  friend class detail::TaskAwaiter;
  friend class detail::TaskPromiseBase;
  template <class U>
  friend void detail::mark_task_body(Task<U>& t) noexcept;
  void destroy() noexcept {
    if (h_) std::exchange(h_, nullptr).destroy();
  }
  std::coroutine_handle<promise_type> h_;
};

/// @cond
namespace detail {

/// Marks `t` as a spawned task's body (TaskRoot::task_body); called by TaskCell.
template <class T>
void mark_task_body(Task<T>& t) noexcept {
  if (t.h_) t.h_.promise().own_root_.task_body = true;
}

template <class T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}
inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}
template <class U>
auto TaskPromiseBase::await_transform(Task<U>&& t) noexcept {
  return TaskAwaiter<U>(t.h_, root_);
}
template <class U>
auto TaskPromiseBase::await_transform(Task<U>& t) noexcept {
  return TaskAwaiter<U>(t.h_, root_);
}

}  // namespace detail
/// @endcond

}  // namespace sluice
