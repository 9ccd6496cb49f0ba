// sluice peer for the side-by-side comparison (bench/compare/run): the harness.
//
// Usage: sluice_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
// Prints exactly one line `RESULT <workload> <flavour> <value|n/a>` on stdout, possibly
// followed by `EXTRA <workload> <flavour> key=value` lines.
//
// Protocol shared by all peers (see bench/compare/README.md):
//   * rate workloads: one untimed warm-up run at max(N/10, 1), then R timed runs at N
//     (default 3), each timed from the main thread around the whole workload call
//     (including its block_on); the value is the MEDIAN of the R runs' ops/s;
//   * memory workloads: one run in this fresh process (no warm-up: it would pre-grow the
//     heap), ct only (mt answers n/a); the value is bytes, lower is better.
// The loop, the argument parsing and the printing are the shared C++ harness,
// ../common/harness.hpp (also used by the Asio peer); this file only maps names to
// workloads and flavours to sluice runtimes.
//
// The workloads live in runtime_workloads.cpp, mpsc_workloads.cpp and sync_workloads.cpp;
// adding one = a `std::uint64_t name(sluice::Runtime&, std::uint64_t n)` plus one row in its
// file's table.
//
// g++ 12 note: never construct an aggregate inside a co_await expression; bind it to a local
// first (see timer_insert_cancel in runtime_workloads.cpp).

#include <cstdint>
#include <string_view>

#include <sluice/runtime.hpp>

#include "../common/harness.hpp"
#include "compare.hpp"

namespace {

using compare::WorkloadEntry;

const WorkloadEntry* find_workload(std::string_view name) {
  return harness::find_entry(
      {compare::runtime_workloads(), compare::mpsc_workloads(), compare::sync_workloads()}, name);
}

sluice::Runtime make_runtime(bool multi_thread) {
  if (multi_thread) return sluice::Builder::multi_thread().worker_threads(2).build();
  return sluice::Builder::current_thread().build();
}

}  // namespace

int main(int argc, char** argv) {
  const harness::Options options = harness::parse_args(argc, argv, "sluice_compare");
  const WorkloadEntry* w = find_workload(options.workload);
  if (w == nullptr) return harness::print_na(options, "is not a sluice_compare workload");
  return harness::run(options, w->kind, w->default_n, make_runtime,
                      [w](sluice::Runtime& rt, std::uint64_t n) { return w->fn(rt, n); });
}
