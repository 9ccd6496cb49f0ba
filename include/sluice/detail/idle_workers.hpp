// IdleWorkers: which multi-thread workers are searching for work and which are parked
// (Tokio's `runtime/scheduler/multi_thread/idle.rs`).
//
// Atomic word:
//   state_  Atomic<size_t>, all operations SeqCst:
//             bits  0..15  num_searching - workers looking for work (stealing / checking inject).
//                                          +1 by transition_worker_to_searching() (the worker
//                                          itself) and by worker_to_notify() (for the worker it
//                                          wakes); -1 by transition_worker_from_searching() and by
//                                          transition_worker_to_parked(_, true) (the worker
//                                          itself).
//             bits 16..    num_unparked  - workers not parked. Starts at num_workers; -1 by
//                                          transition_worker_to_parked() (the worker itself, under
//                                          the lock); +1 by worker_to_notify() and by
//                                          unpark_worker_by_id() (any thread, under the lock).
//   The SeqCst load in worker_to_notify() pairs with the SeqCst fetch_sub of the last searcher:
//   either the notifier sees a searcher (which will find the new work, or notify when it stops
//   searching), or the searcher's final check sees the work.
// sleepers_ (guarded by mutex_): indices of parked workers, pushed by the worker itself before it
//   parks, removed by worker_to_notify() (any thread) or unpark_worker_by_id().
#pragma once

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sluice/detail/sync.hpp"

namespace sluice::detail {

/// Bookkeeping of searching and parked workers; decides whom to wake when work arrives.
///
/// Example:
///   IdleWorkers idle(4);
///   if (auto w = idle.worker_to_notify()) workers[*w].unpark();   // after queueing work
///   if (idle.transition_worker_to_parked(me, searching)) recheck_queues_then_park();
class IdleWorkers {
 public:
  /// All `num_workers` workers start unparked and not searching. Throws std::logic_error if
  /// num_workers is 0 or does not fit the 16-bit searching field.
  ///
  /// Example: `IdleWorkers idle(std::thread::hardware_concurrency());`
  explicit IdleWorkers(std::size_t num_workers)
      : state_(num_workers << kUnparkShift), num_workers_(num_workers) {
    if (num_workers == 0 || num_workers > kSearchMask) {
      throw std::logic_error("sluice: IdleWorkers: worker count must be in 1..65535");
    }
    sleepers_.reserve(num_workers);
  }
  // Not copyable or movable (atomic and mutex members). No `= delete` spelled here: Relacy
  // #defines `delete` under the model build.

  /// Called after new work was queued. Returns a parked worker's index, already removed from the
  /// parked set and counted as unparked and searching; the caller must unpark it. Returns
  /// nullopt when nobody should be woken: a worker is already searching, or none is parked.
  ///
  /// Example: `if (auto w = idle.worker_to_notify()) parkers[*w].unpark();`
  std::optional<std::size_t> worker_to_notify() {
    if (!notify_should_wakeup()) return std::nullopt;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!notify_should_wakeup() || sleepers_.empty()) return std::nullopt;
    state_.fetch_add(1 | (std::size_t{1} << kUnparkShift), mo::seq_cst);
    const std::size_t w = sleepers_.back();
    sleepers_.pop_back();
    return w;
  }

  /// A worker that starts searching for work calls this. False (nothing changed) when at least
  /// half the workers already search: the caller should park instead. The limit is a heuristic:
  /// racing callers may briefly exceed it.
  ///
  /// Example: `if (idle.transition_worker_to_searching()) searching = true;`
  bool transition_worker_to_searching() {
    const std::size_t state = state_.load(mo::seq_cst);
    if (2 * (state & kSearchMask) >= num_workers_) return false;
    state_.fetch_add(1, mo::seq_cst);
    return true;
  }

  /// A searching worker found work (or gives up). Returns true if it was the last searcher:
  /// the caller must then notify another worker if work remains.
  ///
  /// Example: `if (idle.transition_worker_from_searching()) notify_parked();`
  bool transition_worker_from_searching() {
    const std::size_t prev = state_.fetch_sub(1, mo::seq_cst);
    return (prev & kSearchMask) == 1;
  }

  /// Before parking: records worker `index` as parked (and no longer searching if
  /// `is_searching`). Returns true if it was the last searcher: the caller must check the
  /// queues once more before sleeping.
  ///
  /// Example: `if (idle.transition_worker_to_parked(me, searching) && has_work()) ...`
  bool transition_worker_to_parked(std::size_t index, bool is_searching) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t dec = std::size_t{1} << kUnparkShift;
    if (is_searching) dec += 1;
    const std::size_t prev = state_.fetch_sub(dec, mo::seq_cst);
    sleepers_.push_back(index);
    return is_searching && (prev & kSearchMask) == 1;
  }

  /// After waking: removes `index` from the parked set if it is still there (counting it as
  /// unparked, not searching). Returns true if it was still recorded as parked (nobody notified
  /// it; it woke for another reason), false if worker_to_notify() had already taken it.
  ///
  /// Example: `idle.unpark_worker_by_id(me);`
  bool unpark_worker_by_id(std::size_t index) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = std::find(sleepers_.begin(), sleepers_.end(), index);
    if (it == sleepers_.end()) return false;
    *it = sleepers_.back();
    sleepers_.pop_back();
    state_.fetch_add(std::size_t{1} << kUnparkShift, mo::seq_cst);
    return true;
  }

  /// True if worker `index` is recorded as parked.
  ///
  /// Example: `if (idle.is_parked(me)) continue_sleeping();`
  bool is_parked(std::size_t index) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::find(sleepers_.begin(), sleepers_.end(), index) != sleepers_.end();
  }

  /// Number of searching workers (snapshot).
  ///
  /// Example: `if (idle.num_searching() == 0) ...`
  std::size_t num_searching() const noexcept { return state_.load(mo::seq_cst) & kSearchMask; }

  /// Number of unparked workers (snapshot). Added beyond the contract, for tests and metrics.
  ///
  /// Example: `assert(idle.num_unparked() <= n);`
  std::size_t num_unparked() const noexcept { return state_.load(mo::seq_cst) >> kUnparkShift; }

 private:
  static constexpr unsigned kUnparkShift = 16;
  static constexpr std::size_t kSearchMask = (std::size_t{1} << kUnparkShift) - 1;

  bool notify_should_wakeup() {
    // fetch_add(0) rather than load: a read-modify-write always sees the latest value (Tokio).
    const std::size_t state = state_.fetch_add(0, mo::seq_cst);
    return (state & kSearchMask) == 0 && (state >> kUnparkShift) < num_workers_;
  }

  Atomic<std::size_t> state_;
  const std::size_t num_workers_;
  mutable std::mutex mutex_;
  std::vector<std::size_t> sleepers_;  // guarded by mutex_
};

}  // namespace sluice::detail
