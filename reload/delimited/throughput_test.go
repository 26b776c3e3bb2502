package delimited

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time (user+system) of the calling thread
// (thread=true) or of the whole process.
func cpuTime(thread bool) time.Duration {
	var ru syscall.Rusage
	who := syscall.RUSAGE_SELF
	if thread {
		who = 1 // RUSAGE_THREAD
	}
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestThroughput reports parsing throughput on the benchmark file measured
// in CPU time, which a machine shared with other jobs distorts far less than
// wall time. It runs only with DELIMITED_THROUGHPUT=1.
func TestThroughput(t *testing.T) {
	if os.Getenv("DELIMITED_THROUGHPUT") == "" {
		t.Skip("set DELIMITED_THROUGHPUT=1 to measure")
	}
	data := benchCSV()
	mb := float64(len(data)) / 1e6
	const rounds = 5
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := time.Duration(1 << 62)
	for range rounds {
		c0 := cpuTime(true)
		r, err := NewReader(bytes.NewReader(data), Format{}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		consume(t, r)
		r.Close()
		best = min(best, cpuTime(true)-c0)
	}
	t.Logf("stream, one thread: %.0f MB per CPU-second (best of %d)", mb/best.Seconds(), rounds)
	for _, w := range []int{1, 2} {
		bestWall, bestCPU := time.Duration(1<<62), time.Duration(1<<62)
		for range rounds {
			c0, w0 := cpuTime(false), time.Now()
			r, err := NewParallelReader(context.Background(), bytes.NewReader(data), int64(len(data)), Format{}, Options{Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			consume(t, r)
			r.Close()
			bestWall = min(bestWall, time.Since(w0))
			bestCPU = min(bestCPU, cpuTime(false)-c0)
		}
		t.Logf("parallel, %d workers: %.0f MB/s wall, %.0f MB per CPU-second (best of %d)", w, mb/bestWall.Seconds(), mb/bestCPU.Seconds(), rounds)
	}
}
