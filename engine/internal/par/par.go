// Package par runs loops over row ranges on a bounded set of goroutines.
// Work is split into chunks whose size is a multiple of 64 rows so that
// chunks own whole bitset words. A panic in a worker is recovered and
// returned as an error to the caller.
package par

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// ChunkRows is the default number of rows per chunk (64 Ki).
const ChunkRows = 1 << 16

var maxWorkers atomic.Int32

// SetMaxWorkers caps the number of goroutines a loop uses (0 = GOMAXPROCS).
// The license core cap and tests use it.
func SetMaxWorkers(n int) { maxWorkers.Store(int32(n)) }

// Workers returns the number of goroutines a loop may use.
func Workers() int {
	n := runtime.GOMAXPROCS(0)
	if m := int(maxWorkers.Load()); m > 0 && m < n {
		n = m
	}
	return n
}

// For calls fn(worker, lo, hi) for consecutive ranges covering [0, n), each
// at most chunk rows (rounded up to a multiple of 64), on up to Workers()
// goroutines. worker is in [0, Workers()) and identifies the goroutine, so
// fn can use per-worker scratch. Small inputs run on the caller's goroutine.
func For(n, chunk int, fn func(worker, lo, hi int)) error {
	if n <= 0 {
		return nil
	}
	if chunk <= 0 {
		chunk = ChunkRows
	}
	chunk = (chunk + 63) &^ 63
	nchunks := (n + chunk - 1) / chunk
	w := min(Workers(), nchunks)
	if w <= 1 {
		return run(func() {
			for lo := 0; lo < n; lo += chunk {
				fn(0, lo, min(lo+chunk, n))
			}
		})
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, w)
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			errs[k] = run(func() {
				for {
					c := int(next.Add(1) - 1)
					if c >= nchunks {
						return
					}
					lo := c * chunk
					fn(k, lo, min(lo+chunk, n))
				}
			})
		}(k)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error in parallel loop: %v\n%s", r, debug.Stack())
		}
	}()
	f()
	return nil
}
