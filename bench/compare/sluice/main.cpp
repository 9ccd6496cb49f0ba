// sluice peer for the side-by-side comparison (bench/compare/run): the harness.
//
// Usage: sluice_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
// Prints exactly one line `RESULT <workload> <flavour> <value|n/a>` on stdout, possibly
// followed by `EXTRA <workload> <flavour> key=value` lines.
//
// Protocol shared by all three peers (see bench/compare/README.md):
//   * rate workloads: one untimed warm-up run at max(N/10, 1), then R timed runs at N
//     (default 3), each timed from the main thread around the whole workload call
//     (including its block_on); the value is the MEDIAN of the R runs' ops/s;
//   * memory workloads: one run in this fresh process (no warm-up: it would pre-grow the
//     heap), ct only (mt answers n/a); the value is bytes, lower is better.
//
// The workloads live in runtime_workloads.cpp, mpsc_workloads.cpp and sync_workloads.cpp;
// adding one = a `std::uint64_t name(sluice::Runtime&, std::uint64_t n)` plus one row in its
// file's table.
//
// g++ 12 note: never construct an aggregate inside a co_await expression; bind it to a local
// first (see timer_insert_cancel in runtime_workloads.cpp).

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sluice/runtime.hpp>

#include "compare.hpp"

namespace compare {

void die(const char* what) {
  std::fprintf(stderr, "sluice_compare: %s\n", what);
  std::fflush(stderr);
  std::_Exit(1);  // not exit(): other threads may still be running tasks
}

namespace {
std::mutex extras_mu;
std::vector<std::pair<std::string, std::int64_t>> extras;

std::int64_t status_kib(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
        line[field.size()] == ':') {
      return std::strtoll(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  die("cannot read /proc/self/status");
}
}  // namespace

void report_extra(std::string_view key, std::int64_t value) {
  std::lock_guard lock(extras_mu);
  extras.emplace_back(std::string(key), value);
}

std::int64_t rss_bytes() { return status_kib("VmRSS") * 1024; }
std::int64_t peak_rss_bytes() { return status_kib("VmHWM") * 1024; }

void release_free_memory() { malloc_trim(0); }

bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace compare

namespace {

using compare::Kind;
using compare::WorkloadEntry;

const WorkloadEntry* find_workload(std::string_view name) {
  for (auto table :
       {compare::runtime_workloads(), compare::mpsc_workloads(), compare::sync_workloads()}) {
    for (const auto& w : table) {
      if (w.name == name) return &w;
    }
  }
  return nullptr;
}

sluice::Runtime make_runtime(bool multi_thread) {
  if (multi_thread) return sluice::Builder::multi_thread().worker_threads(2).build();
  return sluice::Builder::current_thread().build();
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: sluice_compare --workload NAME --flavour mt|ct [--n N] [--reps R]\n");
  std::exit(2);
}

std::uint64_t parse_u64(const char* s) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0') usage();
  return static_cast<std::uint64_t>(v);
}

void print_extras(const std::string& workload, const std::string& flavour) {
  std::lock_guard lock(compare::extras_mu);
  for (const auto& [key, value] : compare::extras) {
    std::printf("EXTRA %s %s %s=%lld\n", workload.c_str(), flavour.c_str(), key.c_str(),
                static_cast<long long>(value));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload;
  std::string flavour;
  std::uint64_t n = 0;
  std::uint64_t reps = 3;

  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) usage();
    const char* v = argv[++i];
    if (a == "--workload") {
      workload = v;
    } else if (a == "--flavour") {
      flavour = v;
    } else if (a == "--n") {
      n = parse_u64(v);
    } else if (a == "--reps") {
      reps = parse_u64(v);
    } else {
      usage();
    }
  }
  if (workload.empty() || (flavour != "mt" && flavour != "ct")) usage();

  const WorkloadEntry* w = find_workload(workload);
  if (w == nullptr) {
    std::printf("RESULT %s %s n/a\n", workload.c_str(), flavour.c_str());
    return 0;
  }
  if (n == 0) n = w->default_n;
  if (reps == 0) reps = 1;

  if (w->kind == Kind::kMemory) {
    if (flavour == "mt") {
      std::fprintf(stderr, "sluice_compare: %s is measured on ct only\n", workload.c_str());
      std::printf("RESULT %s %s n/a\n", workload.c_str(), flavour.c_str());
      return 0;
    }
    sluice::Runtime rt = make_runtime(false);
    std::uint64_t bytes = w->fn(rt, n);
    std::printf("RESULT %s %s %llu\n", workload.c_str(), flavour.c_str(),
                static_cast<unsigned long long>(bytes));
    print_extras(workload, flavour);
    return 0;
  }

  sluice::Runtime rt = make_runtime(flavour == "mt");
  compare::do_not_optimize(w->fn(rt, std::max<std::uint64_t>(n / 10, 1)));  // warm-up

  std::vector<double> rates;
  rates.reserve(reps);
  for (std::uint64_t r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t ops = w->fn(rt, n);
    std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    rates.push_back(static_cast<double>(ops) / dt.count());
  }
  std::sort(rates.begin(), rates.end());
  std::printf("RESULT %s %s %.0f\n", workload.c_str(), flavour.c_str(), rates[rates.size() / 2]);
  print_extras(workload, flavour);
  return 0;
}
