/// @file
/// sluice::Instant: a point on the monotonic clock, as Tokio's `Instant`.
///
/// Example:
/// ```cpp
/// sluice::Instant start = sluice::Instant::clock::now();
/// co_await sluice::sleep_until(start + std::chrono::milliseconds(10));
/// ```
#pragma once

#include <chrono>

namespace sluice {

/// A point in time of std::chrono::steady_clock, the clock every sluice timer uses.
///
/// Example:
/// ```cpp
/// sluice::Instant deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
/// ```
using Instant = std::chrono::steady_clock::time_point;

/// @cond
namespace detail {
/// now + d, clamped to about 30 years from now for huge durations (Tokio's far_future).
Instant deadline_after(std::chrono::nanoseconds d) noexcept;
}  // namespace detail
/// @endcond

}  // namespace sluice
