// mpsc workloads (issue 3). Harness and protocol: main.go. Same shapes as the sluice and
// Tokio peers, with Go channels:
//
//	mpsc_spsc_1, mpsc_spsc_1024   one producer goroutine -> chan(1 | 1024) -> one consumer
//	mpsc_mpsc_4x128               four producers -> chan(128) -> one consumer
//	mpsc_unbounded_spsc           Go has no unbounded channel: the usual emulation, a pump
//	                              goroutine moving values from an unbuffered input chan to an
//	                              unbuffered output chan through a growable slice
//	contention_*, uncontended_*   Tokio's benches/sync_mpsc.rs shapes, the main goroutine as
//	                              the receiver; "capacity 1_000_000" and "unbounded" are a chan
//	                              of capacity 5000 (never full with 5000 messages in flight;
//	                              make(chan, 1e6) would allocate and zero 8 MB per iteration)
//	mpsc_memory                   chan(n) holding n values (Go allocates the whole buffer up front)
//	mpsc_memory_unbounded         the pump emulation holding n values in its slice
package main

import (
	"runtime/debug"
	"sync"
)

const idShift = 56 // mpsc_mpsc_4x128: value = producer id << 56 | sequence number
const seqMask = uint64(1)<<idShift - 1

// orderCheck checks each producer's values arrive in order (producer id in the top byte).
type orderCheck struct {
	next      [4]uint64
	producers uint64
	count     uint64
}

func (c *orderCheck) see(v uint64) {
	id := v >> idShift
	if id >= c.producers {
		die("mpsc consumer: bad producer id")
	}
	if v&seqMask != c.next[id] {
		die("mpsc consumer: values out of order")
	}
	c.next[id]++
	c.count++
}

// consume receives until the channel is closed (every sender gone) and reports the count.
func consume(ch <-chan uint64, producers uint64, done chan<- uint64) {
	c := orderCheck{producers: producers}
	for v := range ch {
		c.see(v)
	}
	done <- c.count
}

func runBounded(capacity int, producers uint64, n uint64) uint64 {
	per := n / producers
	ch := make(chan uint64, capacity)
	var wg sync.WaitGroup
	wg.Add(int(producers))
	for p := uint64(0); p < producers; p++ {
		go func(base uint64) {
			for i := uint64(0); i < per; i++ {
				ch <- base | i
			}
			wg.Done()
		}(p << idShift)
	}
	go func() { wg.Wait(); close(ch) }() // "last sender dropped"
	done := make(chan uint64)
	go consume(ch, producers, done)
	got := <-done
	if got != per*producers {
		die("mpsc: wrong message count")
	}
	return got
}

func mpscSpsc1(n uint64) uint64     { return runBounded(1, 1, n) }
func mpscSpsc1024(n uint64) uint64  { return runBounded(1024, 1, n) }
func mpscMpsc4x128(n uint64) uint64 { return runBounded(128, 4, n) }

// unboundedChan is the common Go emulation of an unbounded channel: a goroutine pumps values
// from `in` to `out` through a slice. Closing `in` flushes the slice and closes `out`.
func unboundedChan() (chan<- uint64, <-chan uint64) {
	in := make(chan uint64)
	out := make(chan uint64)
	go func() {
		defer close(out)
		var buf []uint64
		for {
			if len(buf) == 0 {
				v, ok := <-in
				if !ok {
					return
				}
				buf = append(buf, v)
				continue
			}
			select {
			case v, ok := <-in:
				if !ok {
					for _, v := range buf {
						out <- v
					}
					return
				}
				buf = append(buf, v)
			case out <- buf[0]:
				buf = buf[1:]
			}
		}
	}()
	return in, out
}

func mpscUnboundedSpsc(n uint64) uint64 {
	in, out := unboundedChan()
	go func() {
		for i := uint64(0); i < n; i++ {
			in <- i
		}
		close(in)
	}()
	done := make(chan uint64)
	go consume(out, 1, done)
	if <-done != n {
		die("mpsc_unbounded_spsc: wrong message count")
	}
	return n
}

// ---------------------------------------------------------------------------
// Tokio's benches/sync_mpsc.rs shapes: one iteration = 5 goroutines x 1000 values (or the
// main goroutine sending 5000), received by the main goroutine; repeat until n messages.
// ---------------------------------------------------------------------------

const (
	tasks          = 5
	perTask        = 1000
	perIter        = tasks * perTask
	iterSum        = tasks * perTask * (perTask - 1) / 2 // each goroutine sends 0..999
	uncontendedSum = perIter * (perIter - 1) / 2
	largeEnough    = perIter // stands for Tokio's capacity 1_000_000 and for "unbounded"
)

func iterate(n uint64, expectedSum uint64, iter func() uint64) uint64 {
	iters := n / perIter
	if iters == 0 {
		iters = 1
	}
	for k := uint64(0); k < iters; k++ {
		if iter() != expectedSum {
			die("mpsc: wrong sum in an iteration")
		}
	}
	return iters * perIter
}

func contentionIter(capacity int) uint64 {
	ch := make(chan uint64, capacity)
	for t := 0; t < tasks; t++ {
		go func() {
			for i := uint64(0); i < perTask; i++ {
				ch <- i
			}
		}()
	}
	var sum uint64
	for k := 0; k < perIter; k++ {
		sum += <-ch
	}
	return sum
}

func uncontendedIter() uint64 {
	ch := make(chan uint64, largeEnough)
	for i := uint64(0); i < perIter; i++ {
		ch <- i
	}
	var sum uint64
	for k := 0; k < perIter; k++ {
		sum += <-ch
	}
	return sum
}

func contentionBounded(n uint64) uint64 {
	return iterate(n, iterSum, func() uint64 { return contentionIter(largeEnough) })
}
func contentionBoundedFull(n uint64) uint64 {
	return iterate(n, iterSum, func() uint64 { return contentionIter(100) })
}
func contentionUnbounded(n uint64) uint64 {
	return iterate(n, iterSum, func() uint64 { return contentionIter(largeEnough) })
}
func uncontendedBounded(n uint64) uint64   { return iterate(n, uncontendedSum, uncontendedIter) }
func uncontendedUnbounded(n uint64) uint64 { return iterate(n, uncontendedSum, uncontendedIter) }

// ---------------------------------------------------------------------------
// Memory: queue n values without receiving, read RSS (peak via VmHWM after clear_refs), drain,
// read RSS again, then again after debug.FreeOSMemory() (the Go counterpart of malloc_trim).
// Go's GC neither runs on a schedule we control nor returns memory to the OS at once, so
// after_drain_bytes mostly shows the heap Go keeps.
// ---------------------------------------------------------------------------

func memBaseline() int64 {
	base := rssBytes()
	if !resetPeakRSS() {
		reportExtra("hwm_reset_failed", 1)
	}
	return base
}

func finishMemory(base int64, n uint64, recv func() uint64) uint64 {
	peak := peakRSSBytes()
	reportExtra("filled_bytes", rssBytes()-base)
	var sum uint64
	for i := uint64(0); i < n; i++ {
		sum += recv()
	}
	if sum != n*(n-1)/2 {
		die("mpsc_memory: bad sum")
	}
	reportExtra("after_drain_bytes", rssBytes()-base)
	debug.FreeOSMemory() // GC + return free pages to the OS (the channel is still alive)
	reportExtra("after_trim_bytes", rssBytes()-base)
	if peak < base {
		return 0
	}
	return uint64(peak - base)
}

func mpscMemory(n uint64) uint64 {
	base := memBaseline()
	ch := make(chan uint64, n)
	for i := uint64(0); i < n; i++ {
		ch <- i
	}
	return finishMemory(base, n, func() uint64 {
		select {
		case v := <-ch:
			return v
		default:
			die("mpsc_memory: a queued value is missing")
			return 0
		}
	})
}

func mpscMemoryUnbounded(n uint64) uint64 {
	base := memBaseline()
	in, out := unboundedChan()
	for i := uint64(0); i < n; i++ {
		in <- i // taken by the pump goroutine at once: nobody receives from out yet
	}
	return finishMemory(base, n, func() uint64 { return <-out })
}
