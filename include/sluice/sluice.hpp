/// @file
/// sluice: the umbrella header. Everything a user names, in one include.
///
/// Example:
/// ```cpp
/// #include <sluice/sluice.hpp>
/// int main() {
///   auto rt = sluice::Runtime::multi_thread();
///   return rt.block_on([]() -> sluice::Task<int> {
///     auto h = sluice::spawn([]() -> sluice::Task<int> { co_return 42; }());
///     co_return (co_await std::move(h)).value() == 42 ? 0 : 1;
///   }());
/// }
/// ```
#pragma once

#include <sluice/block_on.hpp>
#include <sluice/context.hpp>
#include <sluice/coop.hpp>
#include <sluice/coop_budget.hpp>
#include <sluice/future.hpp>
#include <sluice/instant.hpp>
#include <sluice/interval.hpp>
#include <sluice/join.hpp>
#include <sluice/join_error.hpp>
#include <sluice/join_handle.hpp>
#include <sluice/net.hpp>
#include <sluice/poll.hpp>
#include <sluice/result.hpp>
#include <sluice/run_main.hpp>
#include <sluice/runtime.hpp>
#include <sluice/select.hpp>
#include <sluice/sleep.hpp>
#include <sluice/spawn.hpp>
#include <sluice/spawn_blocking.hpp>
#include <sluice/sync/broadcast.hpp>
#include <sluice/sync/mpsc.hpp>
#include <sluice/sync/mutex.hpp>
#include <sluice/sync/notify.hpp>
#include <sluice/sync/oneshot.hpp>
#include <sluice/sync/rwlock.hpp>
#include <sluice/sync/semaphore.hpp>
#include <sluice/sync/watch.hpp>
#include <sluice/task.hpp>
#include <sluice/time.hpp>
#include <sluice/timeout.hpp>
#include <sluice/waker.hpp>
#include <sluice/yield_now.hpp>

/// @namespace sluice
/// @brief The runtime, tasks and futures, time, locks and Result; channels and TCP live in the
/// nested namespaces mpsc, oneshot, broadcast, watch and net.
