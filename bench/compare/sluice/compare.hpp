// Shared by the sluice peer's translation units (bench/compare/run builds them into one
// program, sluice_compare). See main.cpp for the protocol; the runtime-independent helpers
// (die, EXTRA lines, RSS) come from the shared C++ harness, ../common/harness.hpp.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <sluice/runtime.hpp>

#include "../common/harness.hpp"

namespace compare {

/// Prints `sluice_compare: <what>` on stderr and exits 1: a wrong answer must show as `err`
/// in the table, never as a fast number. Safe to call from any worker thread.
using harness::die;

using harness::do_not_optimize;

/// One `EXTRA <workload> <flavour> key=value` line, printed after the RESULT line.
using harness::report_extra;

/// Resident set size of this process in bytes (VmRSS), and its peak (VmHWM).
using harness::peak_rss_bytes;
using harness::rss_bytes;
/// Gives free heap pages back to the OS (glibc malloc_trim(0)).
using harness::release_free_memory;
/// Resets VmHWM to the current RSS (`echo 5 > /proc/self/clear_refs`); false if refused.
using harness::reset_peak_rss;

/// How the harness runs a workload and reads its return value (kRate: ops, printed as ops/s;
/// kMemory: bytes, ct only).
using harness::Kind;

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
