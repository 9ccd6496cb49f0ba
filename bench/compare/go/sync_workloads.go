// Sync workloads (issue 4). Harness and protocol: main.go. Same shapes as the sluice and
// Tokio peers, with Go's own tools:
//
//	actor_latency, actor_throughput_8   a goroutine owning a map answers get/set commands sent
//	                                    over chan(32), each carrying a reply chan (cap 1)
//	broadcast_1x4                       Go has no broadcast channel: emulated as 4 buffered
//	                                    chans (cap 1024), one per receiver; same 512-value
//	                                    chunks acknowledged by all 4
//	watch_4                             Go has no watch channel: emulated with sync.Mutex +
//	                                    sync.Cond and a version counter
//	mutex_uncontended, mutex_contended  sync.Mutex (blocking, not async)
//	semaphore_acquire_release,          a buffered chan struct{} of capacity 1 (or 2) as the
//	semaphore_contended_4x2             semaphore
package main

import (
	"sync"
	"sync/atomic"
)

// ---------------------------------------------------------------------------
// Actor. Client id, round trip i: even i sets key (id, i/2 % 1024) to i, odd i gets it back
// and checks it is i - 1.
// ---------------------------------------------------------------------------

const missing = ^uint64(0)

type command struct {
	set        bool
	key, value uint64
	reply      chan uint64
}

func actor(rx <-chan command, done chan<- struct{}) {
	m := make(map[uint64]uint64)
	for cmd := range rx {
		out := missing
		if cmd.set {
			if old, ok := m[cmd.key]; ok {
				out = old
			}
			m[cmd.key] = cmd.value
		} else if v, ok := m[cmd.key]; ok {
			out = v
		}
		cmd.reply <- out
	}
	close(done)
}

func actorClient(tx chan<- command, id, n uint64, wg *sync.WaitGroup) {
	for i := uint64(0); i < n; i++ {
		reply := make(chan uint64, 1)
		tx <- command{set: i%2 == 0, key: id<<32 | (i/2)%1024, value: i, reply: reply}
		r := <-reply
		if i%2 == 1 && r != i-1 {
			die("actor client: get returned a wrong value")
		}
	}
	wg.Done()
}

func runActor(clients, n uint64) uint64 {
	per := n / clients
	if per == 0 {
		per = 1
	}
	tx := make(chan command, 32)
	done := make(chan struct{})
	go actor(tx, done)
	var wg sync.WaitGroup
	wg.Add(int(clients))
	for c := uint64(0); c < clients; c++ {
		go actorClient(tx, c, per, &wg)
	}
	wg.Wait()
	close(tx) // the actor stops
	<-done
	return per * clients
}

func actorLatency(n uint64) uint64     { return runActor(1, n) }
func actorThroughput8(n uint64) uint64 { return runActor(8, n) }

// ---------------------------------------------------------------------------
// broadcast_1x4: values 0..n-1 in chunks of 512, each value sent on all 4 receiver chans; each
// receiver acknowledges the last value of a chunk, and the sender starts the next chunk after
// 4 acks. ops = 4n deliveries.
// ---------------------------------------------------------------------------

const (
	chunk          = 512
	ring           = 1024
	bcastReceivers = 4
)

func broadcast1x4(n uint64) uint64 {
	var chans [bcastReceivers]chan uint64
	acks := make(chan uint64, bcastReceivers)
	results := make(chan uint64, bcastReceivers)
	for r := range chans {
		chans[r] = make(chan uint64, ring)
		go func(rx <-chan uint64) {
			for i := uint64(0); i < n; i++ {
				if v := <-rx; v != i {
					die("broadcast: values out of order")
				}
				if (i+1)%chunk == 0 || i+1 == n {
					acks <- i
				}
			}
			results <- n
		}(chans[r])
	}
	go func() {
		for start := uint64(0); start < n; start += chunk {
			end := start + chunk
			if end > n {
				end = n
			}
			for i := start; i < end; i++ {
				for _, ch := range chans {
					ch <- i
				}
			}
			for k := 0; k < bcastReceivers; k++ {
				if a := <-acks; a != end-1 {
					die("broadcast: bad acknowledgement")
				}
			}
		}
	}()
	var total uint64
	for r := 0; r < bcastReceivers; r++ {
		total += <-results
	}
	if total != bcastReceivers*n {
		die("broadcast: wrong count")
	}
	return total
}

// ---------------------------------------------------------------------------
// watch_4: the sender goroutine stores 1..n under a mutex, bumps a version and broadcasts on a
// sync.Cond; each receiver waits for a version newer than the one it saw, reads the value,
// checks it never decreases, and stops at n. ops = n sends.
// ---------------------------------------------------------------------------

const watchReceivers = 4

type watchCell struct {
	mu      sync.Mutex
	cond    *sync.Cond
	version uint64
	value   uint64
}

func watch4(n uint64) uint64 {
	w := &watchCell{}
	w.cond = sync.NewCond(&w.mu)
	var wg sync.WaitGroup
	wg.Add(watchReceivers + 1)
	for r := 0; r < watchReceivers; r++ {
		go func() {
			var seen, last uint64
			for last != n {
				w.mu.Lock()
				for w.version == seen {
					w.cond.Wait()
				}
				seen = w.version
				v := w.value
				w.mu.Unlock()
				if v < last {
					die("watch: value went backwards")
				}
				last = v
			}
			wg.Done()
		}()
	}
	go func() {
		for i := uint64(1); i <= n; i++ {
			w.mu.Lock()
			w.value = i
			w.version++
			w.mu.Unlock()
			w.cond.Broadcast()
		}
		wg.Done()
	}()
	wg.Wait()
	return n
}

// ---------------------------------------------------------------------------
// Mutex: `tasks` goroutines each lock / increment / unlock n / tasks times.
// ---------------------------------------------------------------------------

func runMutex(tasks, n uint64) uint64 {
	per := n / tasks
	if per == 0 {
		per = 1
	}
	var mu sync.Mutex
	var counter uint64
	var wg sync.WaitGroup
	wg.Add(int(tasks))
	for t := uint64(0); t < tasks; t++ {
		go func() {
			for i := uint64(0); i < per; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	if counter != tasks*per {
		die("mutex: lost an increment")
	}
	return counter
}

func mutexUncontended(n uint64) uint64 { return runMutex(1, n) }
func mutexContended(n uint64) uint64   { return runMutex(4, n) }

// ---------------------------------------------------------------------------
// Semaphore: a chan struct{} of capacity `permits`; acquire = send, release = receive. A
// counter of holders checks no more than `permits` are ever inside.
// ---------------------------------------------------------------------------

func runSem(permits int, tasks, n uint64) uint64 {
	per := n / tasks
	if per == 0 {
		per = 1
	}
	sem := make(chan struct{}, permits)
	var inside atomic.Uint64
	var wg sync.WaitGroup
	wg.Add(int(tasks))
	for t := uint64(0); t < tasks; t++ {
		go func() {
			for i := uint64(0); i < per; i++ {
				sem <- struct{}{}
				if inside.Add(1) > uint64(permits) {
					die("semaphore: too many holders")
				}
				inside.Add(^uint64(0))
				<-sem
			}
			wg.Done()
		}()
	}
	wg.Wait()
	if len(sem) != 0 {
		die("semaphore: permits leaked")
	}
	return per * tasks
}

func semaphoreAcquireRelease(n uint64) uint64 { return runSem(1, 1, n) }
func semaphoreContended4x2(n uint64) uint64   { return runSem(2, 4, n) }
