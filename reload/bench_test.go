package reload

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/assocengine/assoc/bench"
)

// genCSV writes a deterministic file of mixed numeric and text fields
// (about 100 bytes per row) and returns its size. With high set, three
// numeric fields are nearly unique (an id, prices and amounts); otherwise
// only the id is, as in a typical fact table.
func genCSV(tb testing.TB, path string, rows int, high bool) int64 {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := bench.WriteOrdersCSV(f, rows, high)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

var benchFiles struct {
	mu    sync.Mutex
	dir   string
	sizes map[string]int64
}

// benchCSV returns the directory and size of a generated file (about 200
// MB, or ASSOC_BENCH_CSV_ROWS rows) named name.csv.
func benchCSV(b *testing.B, name string, high bool) (string, int64) {
	benchFiles.mu.Lock()
	defer benchFiles.mu.Unlock()
	if benchFiles.dir == "" {
		dir, err := os.MkdirTemp("", "reload-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchFiles.dir = dir
		benchFiles.sizes = map[string]int64{}
	}
	if size, ok := benchFiles.sizes[name]; ok {
		return benchFiles.dir, size
	}
	rows := 2_000_000
	if s := os.Getenv("ASSOC_BENCH_CSV_ROWS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			rows = n
		}
	}
	size := genCSV(b, filepath.Join(benchFiles.dir, name+".csv"), rows, high)
	benchFiles.sizes[name] = size
	return benchFiles.dir, size
}

// BenchmarkLoadCSV loads a generated file and reports the throughput by
// wall clock and by CPU time (MB/cpu-s, meaningful on a shared machine)
// and the peak heap during the load relative to the final model's size
// (peak/app).
func BenchmarkLoadCSV(b *testing.B) {
	for _, card := range []string{"typical", "high"} {
		b.Run("card="+card, func(b *testing.B) {
			dir, size := benchCSV(b, "orders_"+card, card == "high")
			benchLoad(b, dir, size, "T: LOAD * FROM [lib://d/orders_"+card+".csv] (txt, utf8, embedded labels, delimiter is ',', msq);")
		})
	}
}

func benchLoad(b *testing.B, dir string, size int64, script string) {
	req := Request{Script: script, Connections: map[string]string{"d": dir}, AllowDirs: []string{dir}}
	b.SetBytes(size)
	b.ReportAllocs()
	var peak, peakLive atomic.Uint64
	var appBytes int64
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	read := func() (heap, live uint64) {
		metrics.Read(sample)
		return sample[0].Value.Uint64(), sample[1].Value.Uint64()
	}
	grow := func(p *atomic.Uint64, v, base uint64) {
		if v > base && v-base > p.Load() {
			p.Store(v - base)
		}
	}
	var cpu time.Duration
	for b.Loop() {
		runtime.GC()
		base, baseLive := read()
		c0 := cpuTime()
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					h, l := read()
					grow(&peak, h, base)
					grow(&peakLive, l, baseLive)
				}
			}
		}()
		res, err := Run(context.Background(), req)
		cpu += cpuTime() - c0
		close(stop)
		<-done
		if err != nil {
			b.Fatal(err)
		}
		appBytes = res.Model.Stats().Bytes
	}
	b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
	b.ReportMetric(float64(peak.Load())/float64(appBytes), "peak/app")
	b.ReportMetric(float64(peakLive.Load())/float64(appBytes), "live/app")
	b.ReportMetric(float64(appBytes)/1e6, "appMB")
}

// cpuTime returns the CPU time (user and system) used by the process, so
// that throughput can be measured on a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestMain removes the generated benchmark files.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchFiles.dir != "" {
		os.RemoveAll(benchFiles.dir)
	}
	os.Exit(code)
}

// BenchmarkLoadQVD loads a QVD written from the generated typical file
// (an optimized load: symbols are copied in file order, codes mapped).
func BenchmarkLoadQVD(b *testing.B) {
	dir, _ := benchCSV(b, "orders_typical", false)
	qvdPath := filepath.Join(dir, "orders_typical.qvd")
	if _, err := os.Stat(qvdPath); err != nil {
		req := Request{Script: "T: LOAD * FROM [lib://d/orders_typical.csv] (txt, embedded labels, delimiter is ',', msq);\nSTORE T INTO [lib://d/orders_typical.qvd] (qvd);",
			Connections: map[string]string{"d": dir}, AllowDirs: []string{dir}}
		if _, err := Run(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(qvdPath)
	if err != nil {
		b.Fatal(err)
	}
	benchLoad(b, dir, st.Size(), "T: LOAD * FROM [lib://d/orders_typical.qvd] (qvd);")
}
