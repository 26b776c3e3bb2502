// Command duckdb runs the benchmark suite of package bench on the
// associative engine and on DuckDB side by side, in one process, on the
// same data, with the same number of threads, and checks that both give the
// same numbers. See README.md.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/engine"
)

type options struct {
	rows        []int
	scenarios   string
	json        bool
	runs        int
	warmup      int
	threads     int
	tpchSF      float64
	flightsRows int
	cache       string
	skew        float64
	enum        bool
	cpuprofile  string
	budget      time.Duration
	checkpoint  bool
	warmCaches  bool   // --warm-caches: runs reuse the model's caches
	csv         string // --csv: the file of the CSV load comparison
	csvRows     int    // rows generated when that file does not exist
}

// dataInfo describes one data set as both engines hold it.
type dataInfo struct {
	Dataset string `json:"dataset"`
	Rows    int    `json:"rows"`
	// EngineBuild and DuckLoad are the times to build the engine model and
	// to load DuckDB's tables.
	EngineBuild time.Duration `json:"engine_build_ns"`
	DuckLoad    time.Duration `json:"duckdb_load_ns"`
	// EngineBytes is Model.Stats().Bytes (symbol tables and columns);
	// EngineHeap the Go heap the model keeps alive (after GC).
	EngineBytes int64 `json:"engine_bytes"`
	EngineHeap  int64 `json:"engine_heap_bytes"`
	// FactBytesPerRow is the engine's bytes per row of the largest table.
	FactBytesPerRow float64 `json:"engine_fact_bytes_per_row"`
	// DuckBytesLoaded is duckdb_memory()'s IN_MEMORY_TABLE total right
	// after loading (appended rows are not compressed); DuckBytes the same
	// after CHECKPOINT, which compresses the tables and is what the
	// queries run on. DuckUsage is pragma_database_size's memory_usage
	// after CHECKPOINT.
	DuckBytesLoaded int64  `json:"duckdb_bytes_loaded"`
	DuckBytes       int64  `json:"duckdb_bytes"`
	DuckUsage       string `json:"duckdb_memory_usage"`
	// MemoryRatio is DuckBytes / EngineBytes.
	MemoryRatio float64 `json:"memory_ratio"`
}

// result is one scenario at one size.
type result struct {
	Scenario string       `json:"scenario"`
	Dataset  string       `json:"dataset"`
	Rows     int          `json:"rows"`
	About    string       `json:"about"`
	Engine   bench.Timing `json:"engine"`
	DuckDB   bench.Timing `json:"duckdb"`
	// Ratio is DuckDB's median over the engine's: how many times faster
	// the engine answered.
	Ratio      float64    `json:"ratio"`
	Agree      bool       `json:"agree"`
	MaxRelDiff float64    `json:"max_rel_diff"`
	Tolerance  float64    `json:"tolerance"`
	Problems   []string   `json:"problems,omitempty"`
	Load       [3]float64 `json:"load_average"`
}

type report struct {
	Started  time.Time     `json:"started"`
	Machine  bench.Machine `json:"machine"`
	DuckDB   string        `json:"duckdb_version"`
	Threads  int           `json:"threads"`
	Runs     int           `json:"runs"`
	Warmup   int           `json:"warmup"`
	Budget   time.Duration `json:"budget_ns"`
	DuckEnum bool          `json:"duckdb_enum"`
	// Checkpoint says whether DuckDB's tables were checkpointed
	// (compressed) before the queries.
	Checkpoint bool `json:"duckdb_checkpoint"`
	// WarmCaches says whether the engine's runs reused the model's caches
	// (shared results, row values, pre-aggregations) of earlier runs.
	WarmCaches bool       `json:"engine_warm_caches"`
	LoadStart  [3]float64 `json:"load_average_start"`
	LoadEnd    [3]float64 `json:"load_average_end"`
	Data       []dataInfo `json:"data"`
	Results    []result   `json:"results"`
	Skipped    []string   `json:"skipped,omitempty"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench/duckdb:", err)
		os.Exit(1)
	}
}

// parseRows parses a comma-separated list of row counts ("1e6,1e7").
func parseRows(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 1 || v > 2e9 || v != float64(int(v)) {
			return nil, fmt.Errorf("--rows: %q is not a row count between 1 and 2e9", f)
		}
		out = append(out, int(v))
	}
	if len(out) == 0 {
		return nil, errors.New("--rows: no row count given")
	}
	return out, nil
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("bench/duckdb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	rows := fs.String("rows", "1e6,1e7", "fact rows of the star schema, comma-separated (e.g. 1e6,1e7,1e8)")
	fs.StringVar(&o.scenarios, "scenario", "", "comma-separated scenario names, data sets or globs (default all)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.IntVar(&o.runs, "runs", 10, "timed runs per scenario and engine")
	fs.IntVar(&o.warmup, "warmup", 2, "untimed warm-up runs")
	fs.IntVar(&o.threads, "threads", 2, "threads for each engine (GOMAXPROCS and DuckDB's SET threads)")
	fs.Float64Var(&o.tpchSF, "tpch-sf", 1, "TPC-H scale factor for dbgen (0 skips TPC-H)")
	flights := fs.String("flights-rows", "30e6", "rows of the replicated flights table (0 skips it)")
	fs.StringVar(&o.cache, "cache", "", "cache directory for flights-3m.parquet (default $ASSOC_BENCH_CACHE or the user cache)")
	fs.Float64Var(&o.skew, "skew", 0, "Zipf exponent of CustomerID and Product in the star schema (0 uniform)")
	fs.BoolVar(&o.enum, "enum", false, "give DuckDB ENUM columns (dictionary encoding) instead of VARCHAR")
	fs.DurationVar(&o.budget, "budget", 30*time.Second, "stop a scenario's timed runs on one engine after this much time once 3 ran (0 = no limit)")
	fs.BoolVar(&o.warmCaches, "warm-caches", false, "let the engine's runs reuse the model's shared results, row values and pre-aggregations (default: cleared before every run)")
	fs.BoolVar(&o.checkpoint, "checkpoint", true, "CHECKPOINT DuckDB after loading, which compresses its tables, and query those")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "directory for a CPU profile of each scenario's engine side")
	fs.StringVar(&o.csv, "csv", "", "instead of the scenarios, time loading this CSV file with the engine's LOAD and DuckDB's read_csv (generated first when missing)")
	csvRows := fs.String("csv-rows", "12e6", "rows of the orders CSV generated for --csv (about 86 bytes each)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run . [flags]\n\nRuns the bench scenarios on the associative engine and on DuckDB, side by side.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if o.rows, err = parseRows(*rows); err != nil {
		return nil, err
	}
	fr, err := strconv.ParseFloat(*flights, 64)
	if err != nil || fr < 0 || fr > 2e9 {
		return nil, fmt.Errorf("--flights-rows: %q is not a row count", *flights)
	}
	o.flightsRows = int(fr)
	cr, err := strconv.ParseFloat(*csvRows, 64)
	if err != nil || cr < 1 || cr > 2e9 {
		return nil, fmt.Errorf("--csv-rows: %q is not a row count", *csvRows)
	}
	o.csvRows = int(cr)
	if o.runs < 1 || o.warmup < 0 || o.threads < 1 || o.budget < 0 {
		return nil, fmt.Errorf("--runs must be ≥ 1, --warmup ≥ 0, --threads ≥ 1 and --budget ≥ 0 (got %d, %d, %d, %s)", o.runs, o.warmup, o.threads, o.budget)
	}
	if o.tpchSF < 0 || o.tpchSF > 100 {
		return nil, fmt.Errorf("--tpch-sf %g is out of range [0, 100]", o.tpchSF)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	runtime.GOMAXPROCS(o.threads)
	if o.csv != "" {
		return runCSV(ctx, o, stdout, stderr)
	}
	scs, err := bench.Filter(bench.Scenarios(bench.StarOptions{Skew: o.skew, Dimensions: true}), o.scenarios)
	if err != nil {
		return err
	}
	d, err := openDuck(ctx, o.threads)
	if err != nil {
		return err
	}
	defer d.close()

	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	rep := &report{Started: time.Now().UTC(), Machine: bench.DescribeMachine(), DuckDB: d.version(ctx),
		Threads: o.threads, Runs: o.runs, Warmup: o.warmup, Budget: o.budget, DuckEnum: o.enum, Checkpoint: o.checkpoint, WarmCaches: o.warmCaches, LoadStart: bench.LoadAverage()}
	logf("measuring memory bandwidth ...")
	rep.Machine.ReadGBps = bench.MeasureReadBandwidth(256<<20, o.threads, 5)
	logf("DuckDB %s, %d threads each; %d runs after %d warm-ups; load average %.2f", rep.DuckDB, o.threads, o.runs, o.warmup, rep.LoadStart[0])

	r := &runner{o: o, d: d, rep: rep, logf: logf}
	for _, ds := range bench.Datasets(scs) {
		var dscs []*bench.Scenario
		for _, sc := range scs {
			if sc.Dataset == ds {
				dscs = append(dscs, sc)
			}
		}
		var err error
		switch ds {
		case bench.DatasetStar:
			for _, n := range o.rows {
				if err = r.star(ctx, n, dscs); err != nil {
					break
				}
			}
		case bench.DatasetTPCH:
			err = r.tpch(ctx, dscs)
		case bench.DatasetFlights:
			err = r.flights(ctx, dscs)
		}
		if err != nil {
			return err
		}
	}
	rep.LoadEnd = bench.LoadAverage()
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
}

type runner struct {
	o    *options
	d    *duck
	rep  *report
	logf func(string, ...any)
}

// heap returns the live Go heap after a full collection.
func heap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

func (r *runner) star(ctx context.Context, n int, scs []*bench.Scenario) error {
	r.logf("star schema, %d fact rows: building the engine model ...", n)
	h0 := heap()
	t0 := time.Now()
	st, err := bench.NewStar(bench.StarOptions{FactRows: n, Skew: r.o.skew, Dimensions: true})
	if err != nil {
		return err
	}
	info := dataInfo{Dataset: "star", Rows: n, EngineBuild: time.Since(t0)}
	info.EngineHeap = heap() - h0
	r.logf("  built in %.1f s; loading DuckDB through the appender ...", info.EngineBuild.Seconds())
	t0 = time.Now()
	if err := loadStar(ctx, r.d, &st.Opts, r.o.enum); err != nil {
		return err
	}
	info.DuckLoad = time.Since(t0)
	r.logf("  loaded in %.1f s", info.DuckLoad.Seconds())
	if err := r.memory(ctx, &info, st.Model); err != nil {
		return err
	}
	if err := r.scenarios(ctx, scs, st.Model, n, n); err != nil {
		return err
	}
	return dropStar(ctx, r.d)
}

func (r *runner) tpch(ctx context.Context, scs []*bench.Scenario) error {
	if r.o.tpchSF == 0 {
		r.rep.Skipped = append(r.rep.Skipped, "tpch: --tpch-sf 0")
		return nil
	}
	dir, err := os.MkdirTemp("", "assoc-tpch-")
	if err != nil {
		return fmt.Errorf("cannot create a temporary directory for the Parquet export: %w", err)
	}
	defer os.RemoveAll(dir)
	r.logf("TPC-H: CALL dbgen(sf=%g) and export lineitem to Parquet ...", r.o.tpchSF)
	t0 := time.Now()
	path, err := tpchToParquet(ctx, r.d, r.o.tpchSF, dir)
	if err != nil {
		return err
	}
	duckLoad := time.Since(t0)
	r.logf("  %.1f s; loading %s into the engine through pqarrow and engine.Builder ...", duckLoad.Seconds(), filepath.Base(path))
	h0 := heap()
	t0 = time.Now()
	m, rows, err := loadParquetModel(ctx, path, "lineitem")
	if err != nil {
		return err
	}
	info := dataInfo{Dataset: "tpch lineitem", Rows: rows, EngineBuild: time.Since(t0), DuckLoad: duckLoad}
	info.EngineHeap = heap() - h0
	r.logf("  %d rows in %.1f s", rows, info.EngineBuild.Seconds())
	if err := r.memory(ctx, &info, m); err != nil {
		return err
	}
	if err := r.scenarios(ctx, scs, m, rows, rows); err != nil {
		return err
	}
	return r.d.exec(ctx, "DROP TABLE lineitem")
}

func (r *runner) flights(ctx context.Context, scs []*bench.Scenario) error {
	if r.o.flightsRows == 0 {
		r.rep.Skipped = append(r.rep.Skipped, "flights: --flights-rows 0")
		return nil
	}
	dir := r.o.cache
	if dir == "" {
		var err error
		if dir, err = bench.CacheDir(); err != nil {
			return err
		}
	}
	path, err := bench.FetchFlights(ctx, dir)
	if errors.Is(err, bench.ErrOffline) {
		msg := fmt.Sprintf("flights: skipped: %v", err)
		r.logf("%s", msg)
		r.rep.Skipped = append(r.rep.Skipped, msg)
		return nil
	}
	if err != nil {
		return err
	}
	r.logf("flights: reading %s and replicating it to %d rows ...", path, r.o.flightsRows)
	seed, err := readFlightsSeed(ctx, path)
	if err != nil {
		return err
	}
	h0 := heap()
	t0 := time.Now()
	f, err := bench.NewFlights(seed, r.o.flightsRows, 0)
	if err != nil {
		return err
	}
	info := dataInfo{Dataset: "flights", Rows: f.Rows, EngineBuild: time.Since(t0)}
	info.EngineHeap = heap() - h0
	t0 = time.Now()
	if err := loadFlights(ctx, r.d, f); err != nil {
		return err
	}
	info.DuckLoad = time.Since(t0)
	if err := r.memory(ctx, &info, f.Model); err != nil {
		return err
	}
	if err := r.scenarios(ctx, scs, f.Model, f.Rows, f.Rows); err != nil {
		return err
	}
	return r.d.exec(ctx, "DROP TABLE flights")
}

func (r *runner) memory(ctx context.Context, info *dataInfo, m *engine.Model) error {
	st := m.Stats()
	info.EngineBytes = st.Bytes
	for _, t := range st.PerTable {
		if t.Rows == info.Rows {
			info.FactBytesPerRow = t.BytesPerRow
		}
	}
	var err error
	if info.DuckBytesLoaded, _, err = r.d.tableBytes(ctx); err != nil {
		return err
	}
	if r.o.checkpoint {
		if err := r.d.exec(ctx, "CHECKPOINT"); err != nil {
			return err
		}
	}
	if info.DuckBytes, info.DuckUsage, err = r.d.tableBytes(ctx); err != nil {
		return err
	}
	if info.EngineBytes > 0 {
		info.MemoryRatio = float64(info.DuckBytes) / float64(info.EngineBytes)
	}
	r.logf("  memory: engine %s (%.2f B/row in the fact table; Go heap %s), DuckDB %s as loaded, %s after CHECKPOINT: %.1f×",
		mib(info.EngineBytes), info.FactBytesPerRow, mib(info.EngineHeap), mib(info.DuckBytesLoaded), mib(info.DuckBytes), info.MemoryRatio)
	fields := slices.Clone(st.PerField)
	slices.SortFunc(fields, func(a, b engine.FieldStats) int {
		return cmp.Compare(b.SymbolBytes+b.ColumnBytes, a.SymbolBytes+a.ColumnBytes)
	})
	for _, f := range fields[:min(len(fields), 8)] {
		r.logf("    %-16s %10d symbols  %9s symbol table  %9s columns", f.Name, f.Symbols, mib(f.SymbolBytes), mib(f.ColumnBytes))
	}
	r.rep.Data = append(r.rep.Data, *info)
	return nil
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// scenarios runs each scenario on both engines and compares the answers.
func (r *runner) scenarios(ctx context.Context, scs []*bench.Scenario, m *engine.Model, rows, terms int) error {
	for _, sc := range scs {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := engine.NewSession(m, engine.SessionOptions{})
		var eng *bench.Answer
		stopProfile, err := r.profile(sc, rows)
		if err != nil {
			return err
		}
		plan := bench.Plan{Warmup: r.o.warmup, Runs: r.o.runs, Budget: r.o.budget, MinRuns: 3}
		reset := sc.Reset
		if r.o.warmCaches {
			reset = sc.ResetWarm
		}
		et, err := bench.Measure(plan,
			func() error { return reset(s) },
			func() error {
				var err error
				eng, err = sc.Engine(s)
				return err
			})
		stopProfile()
		if err != nil {
			return fmt.Errorf("%s on the engine: %w", sc.Name, err)
		}
		var raw []rawResult
		dt, err := bench.Measure(plan, nil, func() error {
			var err error
			raw, err = r.d.runQueries(ctx, sc.SQL)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s on DuckDB: %w", sc.Name, err)
		}
		sqlAns, err := answer(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.Name, err)
		}
		cmp := bench.Compare(eng, sqlAns, bench.SumTolerance(terms))
		res := result{Scenario: sc.Name, Dataset: string(sc.Dataset), Rows: rows, About: sc.About,
			Engine: et, DuckDB: dt, Agree: cmp.OK, MaxRelDiff: cmp.MaxRelDiff, Tolerance: cmp.Tolerance,
			Problems: cmp.Problems, Load: bench.LoadAverage()}
		if et.Median > 0 {
			res.Ratio = float64(dt.Median) / float64(et.Median)
		}
		r.rep.Results = append(r.rep.Results, res)
		check := "same numbers"
		if !cmp.OK {
			check = "DIFFERENT: " + strings.Join(cmp.Problems, "; ")
		}
		r.logf("  %-22s engine %9.3f ms  DuckDB %9.3f ms  %7.1f×  %s", sc.Name, et.MedianMS(), dt.MedianMS(), res.Ratio, check)
	}
	return nil
}

// profile starts a CPU profile of a scenario's engine side when
// --cpuprofile is set and returns the function that stops it.
func (r *runner) profile(sc *bench.Scenario, rows int) (func(), error) {
	if r.o.cpuprofile == "" {
		return func() {}, nil
	}
	if err := os.MkdirAll(r.o.cpuprofile, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create %s: %w", r.o.cpuprofile, err)
	}
	name := filepath.Join(r.o.cpuprofile, fmt.Sprintf("%s-%d.pprof", strings.ReplaceAll(sc.Name, "/", "-"), rows))
	f, err := os.Create(name)
	if err != nil {
		return nil, fmt.Errorf("cannot create the profile %s: %w", name, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot start the CPU profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func printReport(w io.Writer, rep *report) {
	m := rep.Machine
	fmt.Fprintf(w, "Assoc engine vs DuckDB %s, same data in one process, %d threads each (GOMAXPROCS=%d, SET threads=%d)\n",
		rep.DuckDB, rep.Threads, rep.Threads, rep.Threads)
	fmt.Fprintf(w, "machine: %s, %d cores, %.1f GiB, %s, SIMD %s, sequential read %.1f GB/s\n",
		m.CPU, m.Cores, float64(m.MemoryBytes)/(1<<30), m.Go, strings.Join(m.SIMD, " "), m.ReadGBps)
	fmt.Fprintf(w, "median of up to %d runs after %d warm-ups (fewer past a %s budget, at least 3); load average %.2f at start, %.2f at end; DuckDB ENUM columns: %v, checkpointed: %v; engine caches: %s\n\n",
		rep.Runs, rep.Warmup, rep.Budget, rep.LoadStart[0], rep.LoadEnd[0], rep.DuckEnum, rep.Checkpoint, cacheMode(rep.WarmCaches))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "data\trows\tengine build s\tDuckDB load s\tengine MiB\tfact B/row\tDuckDB MiB loaded\tDuckDB MiB checkpointed\tDuckDB/engine\t")
	for _, d := range rep.Data {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.2f\t%.1f\t%.1f\t%.1f×\t\n", d.Dataset, d.Rows, d.EngineBuild.Seconds(), d.DuckLoad.Seconds(),
			float64(d.EngineBytes)/(1<<20), d.FactBytesPerRow, float64(d.DuckBytesLoaded)/(1<<20), float64(d.DuckBytes)/(1<<20), d.MemoryRatio)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trows\tengine ms\tDuckDB ms\tDuckDB/engine\tsame numbers\tmax rel diff\truns\tload\t")
	for _, r := range rep.Results {
		agree := "yes"
		if !r.Agree {
			agree = "NO"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.1f×\t%s\t%.1e\t%d/%d\t%.2f\t\n", r.Scenario, r.Rows, r.Engine.MedianMS(), r.DuckDB.MedianMS(),
			r.Ratio, agree, r.MaxRelDiff, r.Engine.Runs, r.DuckDB.Runs, r.Load[0])
	}
	tw.Flush()
	for _, r := range rep.Results {
		if !r.Agree {
			fmt.Fprintf(w, "\n%s at %d rows: the engines disagree:\n  %s\n", r.Scenario, r.Rows, strings.Join(r.Problems, "\n  "))
		}
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "\nskipped: %s\n", s)
	}
}

// cacheMode names how the engine's runs treated the model's caches.
func cacheMode(warm bool) string {
	if warm {
		return "warm (reused between runs)"
	}
	return "cold (cleared before every run)"
}
