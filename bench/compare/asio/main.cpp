// Asio peer for the side-by-side comparison (bench/compare/run): the harness.
//
// Usage: asio_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
// Prints exactly one line `RESULT <workload> <flavour> <value|n/a>` on stdout, possibly
// followed by `EXTRA <workload> <flavour> key=value` lines. The protocol (warm-up, median of R
// timed runs, memory workloads on ct only) is the shared C++ harness, ../common/harness.hpp;
// this file maps names to workloads and flavours to Runtime (compare.hpp).
//
// Built by bench/compare/asio/build (Debian's libasio-dev 1.22, standalone, header-only).
// The workloads live in runtime_workloads.cpp, mpsc_workloads.cpp and sync_workloads.cpp;
// adding one = a `template <class F> u64 name(Runtime&, u64 n)` plus one row in its file's
// table (instantiated for Mt and Ct). README.md says how each one is done in Asio.

#include <cstdint>
#include <string_view>

#include "../common/harness.hpp"
#include "compare.hpp"

namespace {

using compare::Runtime;
using compare::WorkloadEntry;

const WorkloadEntry* find_workload(std::string_view name) {
  return harness::find_entry(
      {compare::runtime_workloads(), compare::mpsc_workloads(), compare::sync_workloads()}, name);
}

}  // namespace

int main(int argc, char** argv) {
  const harness::Options options = harness::parse_args(argc, argv, "asio_compare");
  const WorkloadEntry* w = find_workload(options.workload);
  if (w == nullptr) return harness::print_na(options, "is not an asio_compare workload");
  if ((options.flavour == "mt" ? w->mt : w->ct) == nullptr) {
    return harness::print_na(options,
                             "has no Asio equivalent on this flavour (see asio/README.md)");
  }
  return harness::run(
      options, w->kind, w->default_n, [](bool multi_thread) { return Runtime(multi_thread); },
      [w](Runtime& rt, std::uint64_t n) {
        return rt.multi_thread() ? w->mt(rt, n) : w->ct(rt, n);
      });
}
