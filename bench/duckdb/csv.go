package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/reload"
)

// The --csv mode loads one delimited file with the engine's load script
// (reload.Run, LOAD * FROM the file) and with DuckDB's read_csv (CREATE
// TABLE AS SELECT * FROM read_csv(...)), alternately, with the same number
// of threads, and reports each one's median time, throughput by wall clock
// and by CPU time, and memory.

// csvTiming is one engine's runs on the CSV file.
type csvTiming struct {
	Runs     []time.Duration `json:"runs_ns"`
	CPU      []time.Duration `json:"cpu_ns"`
	Median   time.Duration   `json:"median_ns"`
	MBps     float64         `json:"mb_per_s"`
	MBperCPU float64         `json:"mb_per_cpu_s"`
	// PeakBytes is the largest Go heap growth seen during a run (engine)
	// or DuckDB's memory after the load (duckdb_memory(), all tags).
	PeakBytes int64 `json:"peak_bytes"`
	// FinalBytes is the engine's Model.Stats().Bytes, or DuckDB's
	// IN_MEMORY_TABLE bytes.
	FinalBytes int64 `json:"final_bytes"`
	Rows       int64 `json:"rows"`
}

// csvReport is the result of the --csv mode.
type csvReport struct {
	Started time.Time     `json:"started"`
	Machine bench.Machine `json:"machine"`
	DuckDB  string        `json:"duckdb_version"`
	File    string        `json:"file"`
	Bytes   int64         `json:"bytes"`
	Threads int           `json:"threads"`
	Engine  csvTiming     `json:"engine"`
	Duck    csvTiming     `json:"duckdb"`
	// Ratio is DuckDB's median over the engine's: above 1 the engine
	// loaded faster.
	Ratio     float64    `json:"ratio"`
	LoadStart [3]float64 `json:"load_average_start"`
	LoadEnd   [3]float64 `json:"load_average_end"`
}

// writeOrdersCSV writes the orders file of bench.WriteOrdersCSV to path
// (the file reload's BenchmarkLoadCSV generates too).
func writeOrdersCSV(path string, rows int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := bench.WriteOrdersCSV(f, rows, false)
	if err != nil {
		f.Close()
		return n, err
	}
	return n, f.Close()
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapPeak samples the Go heap every 2 ms while f runs and returns its
// largest growth over the heap before.
func heapPeak(f func() error) (int64, error) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > base && v-base > peak.Load() {
					peak.Store(v - base)
				}
			}
		}
	}()
	err := f()
	close(stop)
	<-done
	return int64(peak.Load()), err
}

// runCSV is the --csv mode.
func runCSV(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	path, err := filepath.Abs(o.csv)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if os.IsNotExist(err) {
		logf("writing %d rows to %s ...", o.csvRows, path)
		if _, err := writeOrdersCSV(path, o.csvRows); err != nil {
			return fmt.Errorf("cannot write %s: %w", path, err)
		}
		st, err = os.Stat(path)
	}
	if err != nil {
		return fmt.Errorf("--csv: %w", err)
	}
	d, err := openDuck(ctx, o.threads)
	if err != nil {
		return err
	}
	defer d.close()
	rep := &csvReport{Started: time.Now().UTC(), Machine: bench.DescribeMachine(), DuckDB: d.version(ctx), File: path,
		Bytes: st.Size(), Threads: o.threads, LoadStart: bench.LoadAverage()}
	mb := float64(st.Size()) / 1e6
	logf("%s: %.0f MB; DuckDB %s; %d threads each; %d runs after %d warm-ups", filepath.Base(path), mb, rep.DuckDB, o.threads, o.runs, o.warmup)

	dir, name := filepath.Dir(path), filepath.Base(path)
	req := reload.Request{
		Script:      "T: LOAD * FROM [lib://d/" + name + "] (txt, utf8, embedded labels, delimiter is ',', msq);",
		Connections: map[string]string{"d": dir},
		AllowDirs:   []string{dir},
	}
	engineRun := func(timed bool) error {
		var res *reload.Result
		c0, t0 := cpuTime(), time.Now()
		peak, err := heapPeak(func() error {
			var err error
			res, err = reload.Run(ctx, req)
			return err
		})
		wall, cpu := time.Since(t0), cpuTime()-c0
		if err != nil {
			return err
		}
		if timed {
			e := &rep.Engine
			e.Runs, e.CPU = append(e.Runs, wall), append(e.CPU, cpu)
			e.PeakBytes = max(e.PeakBytes, peak)
			e.FinalBytes = res.Model.Stats().Bytes
			if tb, err := res.Model.Table("T"); err == nil {
				e.Rows = int64(tb.Rows)
			}
		}
		return nil
	}
	q := fmt.Sprintf("CREATE OR REPLACE TABLE csv_load AS SELECT * FROM read_csv('%s', header = true)", strings.ReplaceAll(path, "'", "''"))
	duckRun := func(timed bool) error {
		if err := d.exec(ctx, "DROP TABLE IF EXISTS csv_load"); err != nil {
			return err
		}
		c0, t0 := cpuTime(), time.Now()
		if err := d.exec(ctx, q); err != nil {
			return err
		}
		wall, cpu := time.Since(t0), cpuTime()-c0
		if timed {
			k := &rep.Duck
			k.Runs, k.CPU = append(k.Runs, wall), append(k.CPU, cpu)
			var all int64
			if err := d.conn.QueryRowContext(ctx, "SELECT sum(memory_usage_bytes) FROM duckdb_memory()").Scan(&all); err != nil {
				return fmt.Errorf("cannot read duckdb_memory(): %w", err)
			}
			k.PeakBytes = max(k.PeakBytes, all)
			if k.FinalBytes, _, err = d.tableBytes(ctx); err != nil {
				return err
			}
			if err := d.conn.QueryRowContext(ctx, "SELECT count(*) FROM csv_load").Scan(&k.Rows); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range o.warmup + o.runs {
		timed := i >= o.warmup
		logf("  run %d/%d: engine ...", i+1, o.warmup+o.runs)
		if err := engineRun(timed); err != nil {
			return fmt.Errorf("engine: %w", err)
		}
		runtime.GC()
		logf("  run %d/%d: DuckDB ...", i+1, o.warmup+o.runs)
		if err := duckRun(timed); err != nil {
			return fmt.Errorf("DuckDB: %w", err)
		}
	}
	if err := d.exec(ctx, "DROP TABLE IF EXISTS csv_load"); err != nil {
		return err
	}
	for _, t := range []*csvTiming{&rep.Engine, &rep.Duck} {
		t.Median = median(t.Runs)
		t.MBps = mb / t.Median.Seconds()
		t.MBperCPU = mb / median(t.CPU).Seconds()
	}
	if rep.Engine.Rows != rep.Duck.Rows {
		return fmt.Errorf("the engine loaded %d rows, DuckDB %d", rep.Engine.Rows, rep.Duck.Rows)
	}
	rep.Ratio = rep.Duck.Median.Seconds() / rep.Engine.Median.Seconds()
	rep.LoadEnd = bench.LoadAverage()
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(stdout, "%s, %.0f MB, %d rows, %d threads, load average %.2f → %.2f\n", rep.File, mb, rep.Engine.Rows, rep.Threads, rep.LoadStart[0], rep.LoadEnd[0])
	fmt.Fprintln(tw, "\tmedian s\tMB/s\tMB per CPU-s\tpeak MB\tfinal MB\t")
	for _, r := range []struct {
		name string
		t    csvTiming
	}{{"engine (LOAD)", rep.Engine}, {"DuckDB (read_csv)", rep.Duck}} {
		fmt.Fprintf(tw, "%s\t%.2f\t%.0f\t%.0f\t%.0f\t%.0f\t\n", r.name, r.t.Median.Seconds(), r.t.MBps, r.t.MBperCPU, float64(r.t.PeakBytes)/1e6, float64(r.t.FinalBytes)/1e6)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "ratio DuckDB/engine: %.2f (above 1: the engine loaded faster)\n", rep.Ratio)
	return nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
