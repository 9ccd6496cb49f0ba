// The runtime-independent half of the C++ peers of bench/compare/run (sluice_compare,
// asio_compare): argument parsing, die(), EXTRA lines, RSS helpers, the warm-up + median loop
// and the RESULT line. Header-only (inline functions and templates), no sluice or asio
// includes: each peer includes it by relative path ("../common/harness.hpp") and supplies a
// runtime factory and its workload functions.
//
// Protocol (bench/compare/README.md):
//   <program> --workload NAME --flavour mt|ct [--n N] [--reps R]
//   RESULT <workload> <flavour> <ops_per_sec|bytes|n/a>   exactly one line on stdout
//   EXTRA <workload> <flavour> key=value                  optional, after RESULT
//   * rate workloads: one untimed warm-up run at max(N/10, 1), then R timed runs at N
//     (default 3), each timed from the main thread around the whole workload call; the value
//     is the MEDIAN of the R runs' ops/s;
//   * memory workloads: one run in this fresh process (no warm-up: it would pre-grow the
//     heap), ct only (mt answers n/a); the value is bytes, lower is better;
//   * a wrong answer: die() prints the reason on stderr and exits 1, so the runner shows
//     `err`, never a fast number.
//
// Use:
//   int main(int argc, char** argv) {
//     harness::Options o = harness::parse_args(argc, argv, "my_compare");
//     const Entry* w = find(o.workload);
//     if (w == nullptr) return harness::print_na(o, "is not a workload of this peer");
//     return harness::run(o, w->kind, w->default_n,
//                         [](bool multi_thread) { return Runtime(multi_thread); },
//                         [&](Runtime& rt, std::uint64_t n) { return w->fn(rt, n); });
//   }

#pragma once

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harness {

namespace detail {

/// The program name that prefixes die() and usage messages; set by parse_args().
inline const char* program_name = "compare";

inline std::mutex extras_mu;
inline std::vector<std::pair<std::string, std::int64_t>> extras;

}  // namespace detail

/// Prints `<program>: <what>` on stderr and exits 1: a wrong answer must show as `err` in the
/// table, never as a fast number. Safe to call from any worker thread.
[[noreturn]] inline void die(const char* what) {
  std::fprintf(stderr, "%s: %s\n", detail::program_name, what);
  std::fflush(stderr);
  std::_Exit(1);  // not exit(): other threads may still be running tasks
}

template <class T>
inline void do_not_optimize(T const& v) {
  asm volatile("" : : "r,m"(v) : "memory");
}

/// One `EXTRA <workload> <flavour> key=value` line, printed after the RESULT line.
inline void report_extra(std::string_view key, std::int64_t value) {
  std::lock_guard lock(detail::extras_mu);
  detail::extras.emplace_back(std::string(key), value);
}

/// The entry called `name` in the first of `tables` that has one, or nullptr. Both C++ peers keep
/// one table per workload file (runtime, mpsc, sync) of entries with a `name` member.
template <class Entry>
const Entry* find_entry(std::initializer_list<std::span<const Entry>> tables,
                        std::string_view name) {
  for (auto table : tables) {
    for (const auto& w : table) {
      if (w.name == name) return &w;
    }
  }
  return nullptr;
}

namespace detail {

inline std::int64_t status_kib(std::string_view field) {
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

}  // namespace detail

/// Resident set size of this process in bytes (VmRSS), and its peak (VmHWM).
inline std::int64_t rss_bytes() { return detail::status_kib("VmRSS") * 1024; }
inline std::int64_t peak_rss_bytes() { return detail::status_kib("VmHWM") * 1024; }

/// Gives free heap pages back to the OS (glibc malloc_trim(0)).
inline void release_free_memory() { malloc_trim(0); }

/// Resets VmHWM to the current RSS (`echo 5 > /proc/self/clear_refs`); false if refused.
inline bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

/// How the harness runs a workload and reads its return value.
enum class Kind {
  kRate,    ///< warm-up at N/10, R timed runs; returns ops; printed as ops/s (median)
  kMemory,  ///< one untimed run in a fresh process, ct only; returns bytes (lower is better)
};

/// The command line.
struct Options {
  std::string workload;
  std::string flavour;  ///< "mt" or "ct"
  std::uint64_t n = 0;  ///< 0 = the workload's default N
  std::uint64_t reps = 3;

  bool multi_thread() const { return flavour == "mt"; }
};

[[noreturn]] inline void usage() {
  std::fprintf(stderr, "usage: %s --workload NAME --flavour mt|ct [--n N] [--reps R]\n",
               detail::program_name);
  std::exit(2);
}

namespace detail {

inline std::uint64_t parse_u64(const char* s) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0') usage();
  return static_cast<std::uint64_t>(v);
}

inline void print_extras(const Options& o) {
  std::lock_guard lock(extras_mu);
  for (const auto& [key, value] : extras) {
    std::printf("EXTRA %s %s %s=%lld\n", o.workload.c_str(), o.flavour.c_str(), key.c_str(),
                static_cast<long long>(value));
  }
}

}  // namespace detail

/// Parses `--workload NAME --flavour mt|ct [--n N] [--reps R]`; prints usage and exits 2 on
/// anything else. `program` (e.g. "sluice_compare") prefixes die() and usage messages.
inline Options parse_args(int argc, char** argv, const char* program) {
  detail::program_name = program;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) usage();
    const char* v = argv[++i];
    if (a == "--workload") {
      o.workload = v;
    } else if (a == "--flavour") {
      o.flavour = v;
    } else if (a == "--n") {
      o.n = detail::parse_u64(v);
    } else if (a == "--reps") {
      o.reps = detail::parse_u64(v);
    } else {
      usage();
    }
  }
  if (o.workload.empty() || (o.flavour != "mt" && o.flavour != "ct")) usage();
  return o;
}

/// `RESULT <workload> <flavour> n/a` on stdout and `<program>: <workload> <why>` on stderr
/// (`why` reads as a predicate: "is measured on ct only"); returns 0, the exit status: a peer
/// without the workload is not an error.
inline int print_na(const Options& o, const char* why) {
  std::fprintf(stderr, "%s: %s %s\n", detail::program_name, o.workload.c_str(), why);
  std::printf("RESULT %s %s n/a\n", o.workload.c_str(), o.flavour.c_str());
  return 0;
}

/// Runs one workload by the protocol above and prints its RESULT (and EXTRA) lines; returns
/// the exit status.
///   make_runtime(bool multi_thread) -> Runtime   (a prvalue: Runtime need not be movable)
///   fn(Runtime&, std::uint64_t n) -> std::uint64_t  ops done (kRate) or bytes (kMemory)
template <class MakeRuntime, class Fn>
int run(const Options& o, Kind kind, std::uint64_t default_n, MakeRuntime&& make_runtime, Fn&& fn) {
  const std::uint64_t n = o.n != 0 ? o.n : default_n;
  const std::uint64_t reps = o.reps != 0 ? o.reps : 1;

  if (kind == Kind::kMemory) {
    if (o.multi_thread()) return print_na(o, "is measured on ct only");
    auto rt = make_runtime(false);
    std::uint64_t bytes = fn(rt, n);
    std::printf("RESULT %s %s %llu\n", o.workload.c_str(), o.flavour.c_str(),
                static_cast<unsigned long long>(bytes));
    detail::print_extras(o);
    return 0;
  }

  auto rt = make_runtime(o.multi_thread());
  do_not_optimize(fn(rt, std::max<std::uint64_t>(n / 10, 1)));  // warm-up

  std::vector<double> rates;
  rates.reserve(reps);
  for (std::uint64_t r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t ops = fn(rt, n);
    std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    rates.push_back(static_cast<double>(ops) / dt.count());
  }
  std::sort(rates.begin(), rates.end());
  std::printf("RESULT %s %s %.0f\n", o.workload.c_str(), o.flavour.c_str(),
              rates[rates.size() / 2]);
  detail::print_extras(o);
  return 0;
}

}  // namespace harness
