// sluice::detail::OwnedTasks: every live task of a runtime, so that shutdown can cancel them.
//
// A sharded intrusive doubly-linked list (shard = hash of the task address, so there is no shared
// counter on the spawn path); each shard has its own lock, a SpinLock: the critical sections are
// a few pointer writes, and a std::mutex's lock and unlock were 9% of spawn_join mt from the
// block_on thread. Spawn binds (one uncontended lock), completion removes (one lock).
// close_and_shutdown_all() first closes every shard, so that a late bind fails and the spawner
// cancels its task at once, then pops each task and calls its vtable shutdown (which consumes the
// list's reference).
//
// Example:
//   if (!owned.bind(task)) task->vtable->shutdown(task);   // runtime already shut down
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>

#include <sluice/detail/scheduler.hpp>
#include <sluice/detail/spin_lock.hpp>
#include <sluice/detail/sync.hpp>

namespace sluice::detail {

/// The list of a runtime's live tasks. See the top of this file.
class OwnedTasks {
 public:
  OwnedTasks() = default;
  OwnedTasks(const OwnedTasks&) = delete;
  OwnedTasks& operator=(const OwnedTasks&) = delete;

  /// Links `t` in; false (nothing linked) when the list is closed.
  bool bind(TaskHeader* t);
  /// Unlinks `t` if it is linked; true when it was (its reference passes to the caller).
  bool remove(TaskHeader* t) noexcept;
  /// Closes the list, then shuts down every task still in it. Idempotent.
  void close_and_shutdown_all();
  /// True once close_and_shutdown_all() started.
  bool is_closed() const noexcept { return closed_.load(mo::acquire); }

 private:
  static constexpr std::size_t kShards = 16;
  struct alignas(kCacheLine) Shard {
    SpinLock mu;
    TaskHeader* head = nullptr;
    bool closed = false;
  };
  static std::size_t shard_of(const TaskHeader* t) noexcept {
    auto a = reinterpret_cast<std::uintptr_t>(t);
    return (a >> 6 ^ a >> 12) % kShards;
  }
  Shard shards_[kShards];
  Atomic<bool> closed_{false};
};

}  // namespace sluice::detail
