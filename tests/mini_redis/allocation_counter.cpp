// Replacement global operator new/delete for mini_redis_tests that count the bytes a thread
// allocates while support::AllocationCounter is alive (tests/support/allocation_counter.hpp).
// Everything else is plain malloc/free.
#include "support/allocation_counter.hpp"

#include <cstddef>
#include <cstdlib>
#include <new>

namespace {
thread_local bool t_counting = false;
thread_local std::size_t t_bytes = 0;
}  // namespace

namespace support::detail {
void start_counting_allocations() noexcept {
  t_bytes = 0;
  t_counting = true;
}
void stop_counting_allocations() noexcept { t_counting = false; }
std::size_t counted_allocation_bytes() noexcept { return t_bytes; }
}  // namespace support::detail

void* operator new(std::size_t n) {
  if (t_counting) t_bytes += n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*n*/) noexcept { std::free(p); }
// The nothrow forms must be replaced too: otherwise they come from the default (ASan's)
// allocator while the delete above frees with free(), an alloc-dealloc mismatch
// (std::stable_sort's temporary buffer uses new(nothrow)).
void* operator new(std::size_t n, const std::nothrow_t& /*tag*/) noexcept {
  if (t_counting) t_bytes += n;
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }
void* operator new[](std::size_t n) {
  if (t_counting) t_bytes += n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, const std::nothrow_t& /*tag*/) noexcept {
  if (t_counting) t_bytes += n;
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t /*n*/) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept { std::free(p); }
