package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// Background builds. A chart's pre-aggregation is built when the chart is
// asked for the second time (preagg.go), which makes that second answer
// slow: on a sheet, the second selection after opening it paid for every
// chart's pass over all rows (70-140 ms at 10M rows). After a chart's
// first ask the build is queued instead, and one goroutine per model runs
// the queue while the engine is idle (no query for idleBefore), between a
// user's clicks, so the second selection finds the pre-aggregations ready.
// ClearCaches drops the queue and waits for a running build.

// backgroundBuilds enables the queue (tests that count builds turn it off).
var backgroundBuilds = true

// idleBefore is how long the engine must have been idle before a queued
// build starts; maxQueued bounds the queue.
const (
	idleBefore = 200 * time.Millisecond
	maxQueued  = 64
)

type bgJob struct {
	key string
	gen uint64
	run func()
}

type bgBuilds struct {
	mu      sync.Mutex
	idle    *sync.Cond // signalled when running turns false
	queue   []bgJob
	pending map[string]bool // queued or building
	running bool
	gen     uint64        // ClearCaches increments it: older jobs are dropped
	wake    chan struct{} // wakes a runner waiting for idleness
	// busy is the time (UnixNano) of the latest foreground query.
	busy atomic.Int64
}

var bgBuilt atomic.Int64

// bgRunners counts the running queue goroutines of all models (tests wait
// for them before counting builds).
var bgRunners sync.WaitGroup

// touch records foreground activity.
func (m *Model) touch() { m.bg.busy.Store(time.Now().UnixNano()) }

// buildLater queues run under key unless it is queued already.
func (m *Model) buildLater(key string, run func()) {
	if !backgroundBuilds {
		return
	}
	b := &m.bg
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending[key] || len(b.queue) >= maxQueued {
		return
	}
	if b.pending == nil {
		b.pending = map[string]bool{}
	}
	b.pending[key] = true
	b.queue = append(b.queue, bgJob{key: key, gen: b.gen, run: run})
	if b.wake == nil {
		b.wake = make(chan struct{}, 1)
	}
	if !b.running {
		b.running = true
		bgRunners.Add(1)
		go m.runBuilds(b.wake)
	}
}

// runBuilds runs the queue, each job once the engine has been idle.
func (m *Model) runBuilds(wake chan struct{}) {
	defer bgRunners.Done()
	b := &m.bg
	for {
		// Wait for idleness (or for the queue to be dropped).
		for {
			b.mu.Lock()
			empty := len(b.queue) == 0
			b.mu.Unlock()
			if empty {
				break
			}
			wait := time.Duration(b.busy.Load()+int64(idleBefore)) - time.Duration(time.Now().UnixNano())
			if wait <= 0 {
				break
			}
			t := time.NewTimer(min(wait, idleBefore))
			select {
			case <-t.C:
			case <-wake:
				t.Stop()
			}
		}
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.running = false
			if b.idle != nil {
				b.idle.Broadcast()
			}
			b.mu.Unlock()
			return
		}
		j := b.queue[0]
		b.queue = b.queue[1:]
		stale := j.gen != b.gen
		b.mu.Unlock()
		if !stale {
			func() {
				defer func() { _ = recover() }() // a failed build leaves no entry
				j.run()
			}()
			bgBuilt.Add(1)
		}
		b.mu.Lock()
		delete(b.pending, j.key)
		b.mu.Unlock()
	}
}

// dropBuilds empties the queue and waits for a running build to finish.
func (m *Model) dropBuilds() {
	b := &m.bg
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen++
	b.queue = nil
	b.pending = nil
	if b.idle == nil {
		b.idle = sync.NewCond(&b.mu)
	}
	if b.running && b.wake != nil {
		select { // a runner waiting for idleness exits at once
		case b.wake <- struct{}{}:
		default:
		}
	}
	for b.running {
		b.idle.Wait()
	}
}

// WaitBuilds blocks until the background builds queued so far have run
// (benchmarks and tests use it to measure a sheet after the user's think
// time).
func (m *Model) WaitBuilds() {
	b := &m.bg
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.idle == nil {
		b.idle = sync.NewCond(&b.mu)
	}
	for b.running {
		b.idle.Wait()
	}
}
