/// @file
/// sluice time: sleep, sleep_until, timeout, timeout_at, interval, interval_at (Tokio's
/// tokio::time).
///
/// Timers run on the driver of the sluice runtime that polls them: a hierarchical timing wheel
/// with 1 ms resolution; a timer never fires before its deadline.
///
/// Example:
/// ```cpp
/// #include <sluice/time.hpp>
/// sluice::Task<void> run() {
///   co_await sluice::sleep(std::chrono::milliseconds(10));
///   auto r = co_await sluice::timeout(std::chrono::milliseconds(5),
///                                     sluice::sleep(std::chrono::seconds(1)));
///   assert(r.is_err());
/// }
/// ```
#pragma once

#include <sluice/instant.hpp>
#include <sluice/interval.hpp>
#include <sluice/sleep.hpp>
#include <sluice/timeout.hpp>
