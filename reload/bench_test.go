package reload

import (
	"bufio"
	"context"
	"fmt"
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
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("OrderId,OrderDate,Region,Category,Product,Customer,Qty,Price,Amount,Flag\n")
	regions := []string{"North", "South", "East", "West", "Central", "Nordic", "Baltic", "Iberia", "Benelux", "Alps"}
	var x uint64 = 88172645463325252
	rnd := func() uint64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return x
	}
	var buf []byte
	for i := 0; i < rows; i++ {
		r := rnd()
		buf = buf[:0]
		buf = strconv.AppendInt(buf, int64(i+1), 10)
		day := 1 + int(r%3650)
		y, m, d := time.Date(2015, 1, day, 0, 0, 0, 0, time.UTC).Date()
		buf = fmt.Appendf(buf, ",%04d-%02d-%02d,", y, int(m), d)
		buf = append(buf, regions[(r>>12)%uint64(len(regions))]...)
		buf = fmt.Appendf(buf, ",Category %d,Product %05d,Customer %06d,", (r>>16)%50, (r>>24)%10000, (r>>32)%100000)
		qty := 1 + (r>>40)%20
		buf = strconv.AppendUint(buf, qty, 10)
		price := float64((r>>44)%100000) / 100
		if !high {
			price = float64((r>>44)%1000) / 4
		}
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, price, 'f', 2, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, price*float64(qty), 'f', 2, 64)
		if r&1 == 0 {
			buf = append(buf, ",Y\n"...)
		} else {
			buf = append(buf, ",N\n"...)
		}
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	return st.Size()
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
