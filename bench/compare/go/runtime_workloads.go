// Runtime workloads: spawn_join, yield_pingpong, timer_insert_cancel (block_on_overhead has
// no Go equivalent). Harness and protocol: main.go.
package main

import (
	"runtime"
	"sync"
	"time"
)

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
		die("spawn_join: bad sum")
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
		die("timer_insert_cancel: a 1 s timer fired early")
	}
	return n
}
