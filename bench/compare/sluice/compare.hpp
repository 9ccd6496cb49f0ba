// Shared by the sluice peer's translation units (bench/compare/run builds them into one
// program, sluice_compare). See main.cpp for the protocol.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <sluice/runtime.hpp>

namespace compare {

/// Prints `sluice_compare: <what>` on stderr and exits 1: a wrong answer must show as `err`
/// in the table, never as a fast number. Safe to call from any worker thread.
[[noreturn]] void die(const char* what);

template <class T>
void do_not_optimize(T const& v) {
  asm volatile("" : : "r,m"(v) : "memory");
}

/// One `EXTRA <workload> <flavour> key=value` line, printed after the RESULT line.
void report_extra(std::string_view key, std::int64_t value);

/// Resident set size of this process in bytes (VmRSS), and its peak (VmHWM).
std::int64_t rss_bytes();
std::int64_t peak_rss_bytes();
/// Gives free heap pages back to the OS (glibc malloc_trim(0)).
void release_free_memory();
/// Resets VmHWM to the current RSS (`echo 5 > /proc/self/clear_refs`); false if refused.
bool reset_peak_rss();

/// How the harness runs a workload and reads its return value.
enum class Kind {
  kRate,    ///< warm-up at N/10, R timed runs; returns ops; printed as ops/s (median)
  kMemory,  ///< one untimed run in a fresh process, ct only; returns bytes (lower is better)
};

using WorkloadFn = std::uint64_t (*)(sluice::Runtime&, std::uint64_t n);

struct WorkloadEntry {
  std::string_view name;
  WorkloadFn fn;
  std::uint64_t default_n;
  Kind kind = Kind::kRate;
};

// One table per translation unit.
std::span<const WorkloadEntry> runtime_workloads();  // runtime_workloads.cpp
std::span<const WorkloadEntry> mpsc_workloads();     // mpsc_workloads.cpp
std::span<const WorkloadEntry> sync_workloads();     // sync_workloads.cpp

}  // namespace compare
