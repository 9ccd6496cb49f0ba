// Counts the bytes the current thread allocates with operator new while an AllocationCounter
// is alive. The replacement operator new/delete live in tests/mini_redis/allocation_counter.cpp
// (a TU of their own, so g++ does not inline them into callers and warn about malloc/free
// pairs), linked into mini_redis_tests only.
//
// Example:
//   std::size_t bytes = 0;
//   { support::AllocationCounter c; parse(...); bytes = c.bytes(); }
//   EXPECT_LT(bytes, 1024u);
#pragma once

#include <cstddef>

namespace support {

namespace detail {
void start_counting_allocations() noexcept;
void stop_counting_allocations() noexcept;
std::size_t counted_allocation_bytes() noexcept;
}  // namespace detail

/// Counts this thread's operator new bytes from construction to destruction.
class AllocationCounter {
 public:
  AllocationCounter() noexcept { detail::start_counting_allocations(); }
  ~AllocationCounter() { detail::stop_counting_allocations(); }
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;
  /// Bytes requested so far.
  std::size_t bytes() const noexcept { return detail::counted_allocation_bytes(); }
};

}  // namespace support
