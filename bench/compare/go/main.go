// Go peer for sluice's side-by-side comparison (bench/compare/run).
//
// Usage: go_compare --workload NAME --flavour mt|ct [--n N] [--reps R]
// Prints exactly one line: `RESULT <workload> <flavour> <ops_per_sec>`
// (or `... n/a` where Go has no equivalent, e.g. block_on_overhead).
//
// Flavours: mt = GOMAXPROCS(2), ct = GOMAXPROCS(1).
// Protocol shared by all peers: one untimed warm-up run at max(N/10,1), then R
// timed runs at N (default 3), report the MEDIAN ops/s.
//
// Adding a workload: write `func name(n uint64) uint64` returning the number of
// operations performed and add it to the `workloads` map.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"time"
)

var workloads = map[string]func(n uint64) uint64{
	"spawn_join":          spawnJoin,
	"yield_pingpong":      yieldPingpong,
	"timer_insert_cancel": timerInsertCancel,
	// block_on_overhead: no Go equivalent (no runtime entry from outside) -> n/a.
}

var defaultN = map[string]uint64{
	"spawn_join": 100_000,
}

// spawnJoin: n goroutines each store their index in a slice slot; WaitGroup; check sum.
func spawnJoin(n uint64) uint64 {
	out := make([]uint64, n)
	var wg sync.WaitGroup
	wg.Add(int(n))
	for i := uint64(0); i < n; i++ {
		go func(i uint64) {
			out[i] = i
			wg.Done()
		}(i)
	}
	wg.Wait()
	var sum uint64
	for _, v := range out {
		sum += v
	}
	if sum != n*(n-1)/2 {
		fmt.Fprintln(os.Stderr, "spawn_join: bad sum")
		os.Exit(1)
	}
	return n
}

// yieldPingpong: two goroutines each call runtime.Gosched() n times.
func yieldPingpong(n uint64) uint64 {
	var wg sync.WaitGroup
	wg.Add(2)
	for k := 0; k < 2; k++ {
		go func() {
			for i := uint64(0); i < n; i++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	return 2 * n
}

// timerInsertCancel: n times time.NewTimer(1s) + Stop().
func timerInsertCancel(n uint64) uint64 {
	stopped := uint64(0)
	for i := uint64(0); i < n; i++ {
		t := time.NewTimer(time.Second)
		if t.Stop() {
			stopped++
		}
	}
	if stopped != n {
		fmt.Fprintln(os.Stderr, "timer_insert_cancel: a 1 s timer fired early")
		os.Exit(1)
	}
	return n
}

func main() {
	workload := flag.String("workload", "", "workload name")
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
	if *workload == "" {
		fmt.Fprintln(os.Stderr, "missing --workload")
		os.Exit(2)
	}
	f, ok := workloads[*workload]
	if !ok {
		fmt.Printf("RESULT %s %s n/a\n", *workload, *flavour)
		return
	}
	if *n == 0 {
		if d, ok := defaultN[*workload]; ok {
			*n = d
		} else {
			*n = 1_000_000
		}
	}
	if *reps < 1 {
		*reps = 1
	}

	warm := *n / 10
	if warm == 0 {
		warm = 1
	}
	f(warm)

	rates := make([]float64, 0, *reps)
	for r := 0; r < *reps; r++ {
		t0 := time.Now()
		ops := f(*n)
		dt := time.Since(t0).Seconds()
		rates = append(rates, float64(ops)/dt)
	}
	sort.Float64s(rates)
	fmt.Printf("RESULT %s %s %.0f\n", *workload, *flavour, rates[len(rates)/2])
}
