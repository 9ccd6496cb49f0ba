// Go peer for sluice's side-by-side comparison (bench/compare/run): the harness.
//
// Usage: go_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
// Prints exactly one line `RESULT <workload> <flavour> <value|n/a>` (n/a where Go has no
// equivalent, e.g. block_on_overhead), possibly followed by `EXTRA <workload> <flavour>
// key=value` lines.
//
// Flavours: mt = GOMAXPROCS(2), ct = GOMAXPROCS(1).
// Protocol shared by all peers:
//   - rate workloads: one untimed warm-up run at max(N/10,1), then R timed runs at N
//     (default 3); the value is the MEDIAN ops/s;
//   - memory workloads: one run in this fresh process, ct only (mt answers n/a); the value
//     is bytes, lower is better.
//
// Workloads live in runtime_workloads.go, mpsc_workloads.go and sync_workloads.go; adding
// one = `func name(n uint64) uint64` plus an entry in `workloads`.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type kind int

const (
	rate   kind = iota // warm-up + R timed runs; returns ops; printed as ops/s
	memory             // one run in a fresh process, ct only; returns bytes (lower is better)
)

type workload struct {
	fn       func(n uint64) uint64
	kind     kind
	defaultN uint64
}

var workloads = map[string]workload{
	"spawn_join":          {spawnJoin, rate, 100_000},
	"yield_pingpong":      {yieldPingpong, rate, 1_000_000},
	"timer_insert_cancel": {timerInsertCancel, rate, 1_000_000},
	// block_on_overhead: no Go equivalent (no runtime entry from outside) -> n/a.

	"mpsc_spsc_1":             {mpscSpsc1, rate, 10_000_000},
	"mpsc_spsc_1024":          {mpscSpsc1024, rate, 10_000_000},
	"mpsc_mpsc_4x128":         {mpscMpsc4x128, rate, 10_000_000},
	"mpsc_unbounded_spsc":     {mpscUnboundedSpsc, rate, 10_000_000},
	"contention_bounded":      {contentionBounded, rate, 1_000_000},
	"contention_bounded_full": {contentionBoundedFull, rate, 1_000_000},
	"contention_unbounded":    {contentionUnbounded, rate, 1_000_000},
	"uncontended_bounded":     {uncontendedBounded, rate, 1_000_000},
	"uncontended_unbounded":   {uncontendedUnbounded, rate, 1_000_000},
	"mpsc_memory":             {mpscMemory, memory, 1_000_000},
	"mpsc_memory_unbounded":   {mpscMemoryUnbounded, memory, 1_000_000},

	"actor_latency":             {actorLatency, rate, 1_000_000},
	"actor_throughput_8":        {actorThroughput8, rate, 1_000_000},
	"broadcast_1x4":             {broadcast1x4, rate, 1_000_000},
	"watch_4":                   {watch4, rate, 1_000_000},
	"mutex_uncontended":         {mutexUncontended, rate, 10_000_000},
	"mutex_contended":           {mutexContended, rate, 10_000_000},
	"semaphore_acquire_release": {semaphoreAcquireRelease, rate, 10_000_000},
	"semaphore_contended_4x2":   {semaphoreContended4x2, rate, 10_000_000},
}

// die prints `go_compare: <what>` and exits 1: a wrong answer must show as `err`, never as a
// fast number.
func die(what string) {
	fmt.Fprintln(os.Stderr, "go_compare: "+what)
	os.Exit(1)
}

var (
	extrasMu sync.Mutex
	extras   []string
)

// reportExtra records one `EXTRA <workload> <flavour> key=value` line, printed after RESULT.
func reportExtra(key string, value int64) {
	extrasMu.Lock()
	extras = append(extras, fmt.Sprintf("%s=%d", key, value))
	extrasMu.Unlock()
}

func statusKiB(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		die("cannot read /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			rest := strings.TrimSpace(line[len(field)+1:])
			v, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(rest, "kB")), 10, 64)
			if err != nil {
				die("bad /proc/self/status line")
			}
			return v
		}
	}
	die("field missing from /proc/self/status")
	return 0
}

// rssBytes is VmRSS in bytes; peakRSSBytes is VmHWM.
func rssBytes() int64     { return statusKiB("VmRSS") * 1024 }
func peakRSSBytes() int64 { return statusKiB("VmHWM") * 1024 }

// resetPeakRSS resets VmHWM to the current RSS (`echo 5 > /proc/self/clear_refs`).
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

func main() {
	name := flag.String("workload", "", "workload name")
	flavour := flag.String("flavour", "", "mt|ct")
	n := flag.Uint64("n", 0, "operations (0 = workload default)")
	reps := flag.Int("reps", 3, "timed repetitions (median reported)")
	flag.Parse()

	switch *flavour {
	case "mt":
		runtime.GOMAXPROCS(2)
	case "ct":
		runtime.GOMAXPROCS(1)
	default:
		fmt.Fprintln(os.Stderr, "usage: go_compare --workload NAME --flavour mt|ct [--n N] [--reps R]")
		os.Exit(2)
	}
	if *name == "" {
		fmt.Fprintln(os.Stderr, "missing --workload")
		os.Exit(2)
	}
	w, ok := workloads[*name]
	if !ok {
		fmt.Printf("RESULT %s %s n/a\n", *name, *flavour)
		return
	}
	if *n == 0 {
		*n = w.defaultN
	}
	if *reps < 1 {
		*reps = 1
	}
	printExtras := func() {
		for _, e := range extras {
			fmt.Printf("EXTRA %s %s %s\n", *name, *flavour, e)
		}
	}

	if w.kind == memory {
		if *flavour == "mt" {
			fmt.Fprintf(os.Stderr, "go_compare: %s is measured on ct only\n", *name)
			fmt.Printf("RESULT %s %s n/a\n", *name, *flavour)
			return
		}
		bytes := w.fn(*n)
		fmt.Printf("RESULT %s %s %d\n", *name, *flavour, bytes)
		printExtras()
		return
	}

	warm := *n / 10
	if warm == 0 {
		warm = 1
	}
	w.fn(warm)

	rates := make([]float64, 0, *reps)
	for r := 0; r < *reps; r++ {
		t0 := time.Now()
		ops := w.fn(*n)
		dt := time.Since(t0).Seconds()
		rates = append(rates, float64(ops)/dt)
	}
	sort.Float64s(rates)
	fmt.Printf("RESULT %s %s %.0f\n", *name, *flavour, rates[len(rates)/2])
	printExtras()
}
