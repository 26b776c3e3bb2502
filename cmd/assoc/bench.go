package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/bench/serverbench"
	"github.com/assocengine/assoc/engine"
)

func init() {
	register(&command{name: "bench", summary: "run the benchmark suite on this machine", run: runBench})
}

// benchOptions are the flags of assoc bench.
type benchOptions struct {
	rows         []int
	threads      int
	scenarios    string
	json         bool
	runs         int
	warmup       int
	warmCaches   bool
	tpchSF       float64
	skew         float64
	bandwidthMiB int
	budget       time.Duration
	quiet        bool
	// clients and loadDuration size the server/load scenario.
	clients      int
	loadDuration time.Duration
	// loadRows sizes the orders file of the load scenarios.
	loadRows int
}

// benchData describes one generated data set.
type benchData struct {
	Dataset string `json:"dataset"`
	Rows    int    `json:"rows"`
	// Build is the time to generate the data and build the model.
	Build time.Duration `json:"build_ns"`
	// Bytes is Model.Stats().Bytes; FactBytesPerRow the fact table's.
	Bytes           int64   `json:"bytes"`
	FactBytesPerRow float64 `json:"fact_bytes_per_row"`
}

// benchResult is one scenario at one size.
type benchResult struct {
	Scenario string       `json:"scenario"`
	Dataset  string       `json:"dataset"`
	Rows     int          `json:"rows"`
	About    string       `json:"about"`
	Timing   bench.Timing `json:"timing"`
	// AnswerRows is the number of rows the last run's answer had over all
	// its parts (list-object values, hypercube rows).
	AnswerRows int        `json:"answer_rows"`
	Load       [3]float64 `json:"load_average"`
	// Bytes is the file the load and app scenarios read or write.
	Bytes int64 `json:"bytes,omitempty"`
	// Server holds the measurements of the server scenarios (Timing then
	// has the cycle latencies, Runs the cycle count, AnswerRows the rows
	// of the three list-object pages).
	Server *serverbench.ServerLoadResult `json:"server,omitempty"`
}

// benchReport is what assoc bench prints (as a table or as JSON).
type benchReport struct {
	Started time.Time     `json:"started"`
	Version string        `json:"version"`
	Machine bench.Machine `json:"machine"`
	Threads int           `json:"threads"`
	Runs    int           `json:"runs"`
	Warmup  int           `json:"warmup"`
	// WarmCaches is true when runs may reuse the model's caches from earlier
	// runs (--warm-caches); by default every run starts cold.
	WarmCaches bool          `json:"warmCaches"`
	Data       []benchData   `json:"data"`
	Results    []benchResult `json:"results"`
	Skipped    []string      `json:"skipped,omitempty"`
}

func parseBenchFlags(e *env, args []string) (*benchOptions, error) {
	fs := newFlagSet(e, "bench", "[flags]")
	o := &benchOptions{}
	rows := fs.String("rows", "1e6,1e7", "fact rows of the star schema, comma-separated (1e6,1e7,1e8)")
	fs.IntVar(&o.threads, "threads", runtime.NumCPU(), "threads for the engine (GOMAXPROCS)")
	fs.StringVar(&o.scenarios, "scenario", "", "comma-separated scenario names, data sets (star, tpch, server, load, app) or globs (star/select-*); default all")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.IntVar(&o.runs, "runs", 10, "timed runs per scenario (the median is reported)")
	fs.IntVar(&o.warmup, "warmup", 2, "untimed warm-up runs per scenario")
	fs.BoolVar(&o.warmCaches, "warm-caches", false, "keep the model's shared results, row values and pre-aggregations between runs (default: every run starts cold)")
	fs.Float64Var(&o.tpchSF, "tpch-sf", 1, "scale factor of the TPC-H-shaped lineitem table (0 skips TPC-H)")
	fs.Float64Var(&o.skew, "skew", 0, "Zipf exponent of CustomerID and Product in the star schema (0 uniform)")
	fs.IntVar(&o.bandwidthMiB, "bandwidth-mib", 256, "buffer size of the memory-bandwidth probe in MiB (0 skips it)")
	fs.DurationVar(&o.budget, "budget", 30*time.Second, "stop a scenario's timed runs after this much time once 3 ran (0 = no limit)")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress bar")
	fs.IntVar(&o.clients, "clients", 200, "concurrent WebSocket clients of the server/load scenario")
	fs.DurationVar(&o.loadDuration, "load-duration", 30*time.Second, "how long the clients of server/load run their cycles")
	loadRows := fs.Float64("load-rows", 1e6, "records of the orders file the load scenarios read (about 86 bytes each)")
	if err := fs.Parse(args); err != nil {
		return nil, usageError{err}
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	for f := range strings.SplitSeq(*rows, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 1 || v > 2e9 || v != float64(int64(v)) {
			return nil, usageError{fmt.Errorf("--rows: %q is not a row count between 1 and 2e9", f)}
		}
		o.rows = append(o.rows, int(v))
	}
	if *loadRows < 1 || *loadRows > 1e9 || *loadRows != float64(int64(*loadRows)) {
		return nil, usageError{fmt.Errorf("--load-rows %g is not a row count between 1 and 1e9", *loadRows)}
	}
	o.loadRows = int(*loadRows)
	switch {
	case len(o.rows) == 0:
		return nil, usageError{errors.New("--rows: no row count given")}
	case o.threads < 1 || o.threads > 4096:
		return nil, usageError{fmt.Errorf("--threads %d is out of range [1, 4096]", o.threads)}
	case o.runs < 1 || o.runs > 1_000_000:
		return nil, usageError{fmt.Errorf("--runs %d is out of range [1, 1000000]", o.runs)}
	case o.warmup < 0 || o.warmup > 1_000_000:
		return nil, usageError{fmt.Errorf("--warmup %d is out of range [0, 1000000]", o.warmup)}
	case o.tpchSF < 0 || o.tpchSF > 100:
		return nil, usageError{fmt.Errorf("--tpch-sf %g is out of range [0, 100]", o.tpchSF)}
	case o.skew < 0 || o.skew > 10:
		return nil, usageError{fmt.Errorf("--skew %g is out of range [0, 10]", o.skew)}
	case o.budget < 0:
		return nil, usageError{fmt.Errorf("--budget %s is negative", o.budget)}
	case o.bandwidthMiB < 0 || o.bandwidthMiB > 16<<10:
		return nil, usageError{fmt.Errorf("--bandwidth-mib %d is out of range [0, 16384]", o.bandwidthMiB)}
	case o.clients < 1 || o.clients > 10_000:
		return nil, usageError{fmt.Errorf("--clients %d is out of range [1, 10000]", o.clients)}
	case o.loadDuration <= 0 || o.loadDuration > 24*time.Hour:
		return nil, usageError{fmt.Errorf("--load-duration %s is out of range (0, 24h]", o.loadDuration)}
	}
	return o, nil
}

func runBench(ctx context.Context, e *env, args []string) error {
	o, err := parseBenchFlags(e, args)
	if err != nil {
		return err
	}
	all := bench.Scenarios(bench.StarOptions{Skew: o.skew, Dimensions: true})
	all = append(all, serverScenarios()...)
	all = append(all, dataScenarios()...)
	scs, err := bench.Filter(all, o.scenarios)
	if err != nil {
		return usageError{err}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(o.threads))

	rep := &benchReport{Started: time.Now().UTC(), Version: version, Machine: bench.DescribeMachine(),
		Threads: o.threads, Runs: o.runs, Warmup: o.warmup, WarmCaches: o.warmCaches}
	// Split the suite by data set; flights needs a Parquet reader, which
	// only the nested module bench/duckdb has.
	var star, tpch, srv, load, app []*bench.Scenario
	for _, sc := range scs {
		switch sc.Dataset {
		case bench.DatasetStar:
			star = append(star, sc)
		case bench.DatasetTPCH:
			tpch = append(tpch, sc)
		case serverDataset:
			srv = append(srv, sc)
		case loadDataset:
			load = append(load, sc)
		case appDataset:
			app = append(app, sc)
		default:
			rep.Skipped = append(rep.Skipped, sc.Name+": the flights data is read from Parquet, which only "+
				"bench/duckdb can do (cd bench/duckdb && go run . --scenario flights)")
		}
	}
	if o.tpchSF == 0 && len(tpch) > 0 {
		for _, sc := range tpch {
			rep.Skipped = append(rep.Skipped, sc.Name+": --tpch-sf 0")
		}
		tpch = nil
	}

	steps := len(o.rows) * (1 + len(star) + len(srv) + len(app))
	if len(star)+len(srv)+len(app) == 0 {
		steps = 0
	}
	if len(load) > 0 {
		steps += 1 + len(load)
	}
	if len(tpch) > 0 {
		steps += 1 + len(tpch)
	}
	if o.bandwidthMiB > 0 {
		steps++
	}
	bar := progressbar.NewOptions(steps,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetVisibility(!o.quiet),
		progressbar.OptionSetDescription("assoc bench"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	step := func(desc string) {
		bar.Describe(desc)
		_ = bar.Add(1)
	}

	if o.bandwidthMiB > 0 {
		bar.Describe("memory bandwidth")
		rep.Machine.ReadGBps = bench.MeasureReadBandwidth(o.bandwidthMiB<<20, o.threads, 5)
		step("memory bandwidth")
	}
	for _, n := range o.rows {
		if len(star)+len(srv)+len(app) == 0 {
			break
		}
		bar.Describe(fmt.Sprintf("star %s: generating", rowsLabel(n)))
		t0 := time.Now()
		st, err := bench.NewStar(bench.StarOptions{FactRows: n, Skew: o.skew, Dimensions: true})
		if err != nil {
			return err
		}
		rep.Data = append(rep.Data, dataOf("star", n, time.Since(t0), st.Model))
		step(fmt.Sprintf("star %s: generated", rowsLabel(n)))
		if err := benchScenarios(ctx, o, rep, star, st.Model, n, bar, step); err != nil {
			return err
		}
		// The server and app scenarios serve and save the model just built.
		if err := benchServer(ctx, o, rep, srv, st.Model, n, bar, step); err != nil {
			return err
		}
		if err := benchApp(ctx, o, rep, app, st.Model, n, bar, step); err != nil {
			return err
		}
	}
	if err := benchLoad(ctx, o, rep, load, o.loadRows, bar, step); err != nil {
		return err
	}
	if len(tpch) > 0 {
		bar.Describe("tpch: generating lineitem")
		t0 := time.Now()
		li, err := bench.NewLineitem(bench.LineitemOptions{ScaleFactor: o.tpchSF})
		if err != nil {
			return err
		}
		rep.Data = append(rep.Data, dataOf("tpch lineitem", li.Rows, time.Since(t0), li.Model))
		step("tpch: generated")
		if err := benchScenarios(ctx, o, rep, tpch, li.Model, li.Rows, bar, step); err != nil {
			return err
		}
	}
	_ = bar.Finish()
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printBenchReport(e.stdout, rep)
	return nil
}

func dataOf(name string, rows int, build time.Duration, m *engine.Model) benchData {
	st := m.Stats()
	d := benchData{Dataset: name, Rows: rows, Build: build, Bytes: st.Bytes}
	for _, t := range st.PerTable {
		if t.Rows == rows {
			d.FactBytesPerRow = t.BytesPerRow
		}
	}
	return d
}

func benchScenarios(ctx context.Context, o *benchOptions, rep *benchReport, scs []*bench.Scenario, m *engine.Model,
	rows int, bar *progressbar.ProgressBar, step func(string)) error {
	for _, sc := range scs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted before %s: %w", sc.Name, err)
		}
		bar.Describe(fmt.Sprintf("%s %s", sc.Name, rowsLabel(rows)))
		s := engine.NewSession(m, engine.SessionOptions{})
		var ans *bench.Answer
		plan := bench.Plan{Warmup: o.warmup, Runs: o.runs, Budget: o.budget, MinRuns: 3}
		reset := sc.Reset
		if o.warmCaches {
			reset = sc.ResetWarm
		}
		t, err := bench.Measure(plan, func() error { return reset(s) }, func() error {
			var err error
			ans, err = sc.Engine(s)
			return err
		})
		if err != nil {
			return fmt.Errorf("cannot run %s at %d rows: %w", sc.Name, rows, err)
		}
		n := 0
		for _, p := range ans.Parts {
			n += len(p.Rows())
		}
		rep.Results = append(rep.Results, benchResult{Scenario: sc.Name, Dataset: string(sc.Dataset), Rows: rows,
			About: sc.About, Timing: t, AnswerRows: n, Load: bench.LoadAverage()})
		step(sc.Name)
	}
	return nil
}

// rowsLabel renders a row count compactly (1e6, 2.5e7, 12345).
func rowsLabel(n int) string {
	s := strconv.FormatFloat(float64(n), 'g', -1, 64)
	return strings.Replace(s, "e+0", "e", 1)
}

func printBenchReport(w io.Writer, rep *benchReport) {
	m := rep.Machine
	simd := strings.Join(m.SIMD, " ")
	if simd == "" {
		simd = "none"
	}
	fmt.Fprintf(w, "assoc %s bench: %d threads (GOMAXPROCS), median of up to %d runs after %d warm-ups\n", rep.Version, rep.Threads, rep.Runs, rep.Warmup)
	if rep.WarmCaches {
		fmt.Fprintln(w, "caches: warm (runs reuse the model's shared results, row values and pre-aggregations)")
	} else {
		fmt.Fprintln(w, "caches: cold (the model's caches are cleared before every run)")
	}
	fmt.Fprintf(w, "CPU:       %s\n", orUnknown(m.CPU))
	fmt.Fprintf(w, "cores:     %d (%s/%s, %s)\n", m.Cores, m.OS, m.Arch, m.Go)
	fmt.Fprintf(w, "memory:    %.1f GiB\n", float64(m.MemoryBytes)/(1<<30))
	fmt.Fprintf(w, "AVX2:      %s\n", yesNo(m.HasAVX2()))
	fmt.Fprintf(w, "AVX-512:   %s\n", yesNo(m.HasAVX512()))
	fmt.Fprintf(w, "SIMD:      %s\n", simd)
	if m.ReadGBps > 0 {
		fmt.Fprintf(w, "bandwidth: %.1f GB/s sequential read (%d goroutines, measured by this run)\n", m.ReadGBps, rep.Threads)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "data\trows\tbuild s\tMiB\tfact B/row\t")
	for _, d := range rep.Data {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.1f\t%.2f\t\n", d.Dataset, d.Rows, d.Build.Seconds(), float64(d.Bytes)/(1<<20), d.FactBytesPerRow)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trows\tmedian ms\tmin ms\tmax ms\truns\tanswer rows\tload\t")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t%d\t%d\t%.2f\t\n", r.Scenario, r.Rows, r.Timing.MedianMS(),
			float64(r.Timing.Min)/1e6, float64(r.Timing.Max)/1e6, r.Timing.Runs, r.AnswerRows, r.Load[0])
	}
	tw.Flush()
	printServerResults(w, rep)
	printDataResults(w, rep)
	for _, s := range rep.Skipped {
		fmt.Fprintf(w, "skipped %s\n", s)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// --- the server scenarios (issue 3) ---

// serverDataset marks the server scenarios. They run on the star schema's
// model, built once per size for the star scenarios too, but through a
// real server and WebSocket clients (package bench/serverbench) rather
// than through an engine session, so they are not part of bench.Scenarios.
const serverDataset bench.Dataset = "server"

// The server scenarios.
const (
	scenarioServerRoundTrip = "server/roundtrip"
	scenarioServerLoad      = "server/load"
)

// serverScenarios lists the server scenarios for --scenario (they have
// no Engine side: benchServer runs them).
func serverScenarios() []*bench.Scenario {
	return []*bench.Scenario{
		{Name: scenarioServerRoundTrip, Dataset: serverDataset,
			About: "1 WebSocket client on loopback: SelectListObjectValues on Region, then GetLayout of the Region, " +
				"Product and StoreRegion list objects, each request awaited (--runs cycles after --warmup; the model's caches " +
				"are cleared before each cycle unless --warm-caches): issue 3's round trip"},
		{Name: scenarioServerLoad, Dataset: serverDataset,
			About: "--clients WebSocket clients, each in its own session, doing the round trip in a loop for " +
				"--load-duration; they alternate between the same two selections, so they share the model's cached " +
				"inferences, as the users of one busy app do: issue 3's load target"},
	}
}

// benchServer runs the server scenarios on the star model m of rows fact
// rows.
func benchServer(ctx context.Context, o *benchOptions, rep *benchReport, scs []*bench.Scenario, m *engine.Model,
	rows int, bar *progressbar.ProgressBar, step func(string)) error {
	for _, sc := range scs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted before %s: %w", sc.Name, err)
		}
		opts := serverbench.ServerLoadOptions{Warmup: o.warmup}
		switch sc.Name {
		case scenarioServerRoundTrip:
			// --budget caps the cycles' time as it caps other scenarios' runs.
			opts.Clients, opts.Cycles, opts.Duration = 1, o.runs, o.budget
			opts.ColdCaches = !o.warmCaches
			bar.Describe(fmt.Sprintf("%s %s", sc.Name, rowsLabel(rows)))
		case scenarioServerLoad:
			opts.Clients, opts.Duration = o.clients, o.loadDuration
			bar.Describe(fmt.Sprintf("%s %s: %d clients for %s", sc.Name, rowsLabel(rows), o.clients, o.loadDuration))
		default:
			return fmt.Errorf("BUG: unknown server scenario %s", sc.Name)
		}
		r, err := serverbench.ServerLoad(ctx, m, opts)
		if err != nil {
			return fmt.Errorf("cannot run %s at %d rows: %w", sc.Name, rows, err)
		}
		rep.Results = append(rep.Results, benchResult{Scenario: sc.Name, Dataset: string(sc.Dataset), Rows: rows,
			About: sc.About, Timing: bench.Timing{Runs: r.Cycles, Median: r.Median, Min: r.Min, Max: r.Max},
			AnswerRows: r.PageRows, Load: bench.LoadAverage(), Server: r})
		step(sc.Name)
	}
	return nil
}

// printServerResults prints the server scenarios' own table (clients,
// throughput, percentiles, errors) after the results table.
func printServerResults(w io.Writer, rep *benchReport) {
	var srv []benchResult
	for _, r := range rep.Results {
		if r.Server != nil {
			srv = append(srv, r)
		}
	}
	if len(srv) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server scenario\trows\tclients\tcycles\tcycles/s\tmedian ms\tp90 ms\tp99 ms\tmax ms\tselect ms\tlayouts ms\terrors\tload\t")
	for _, r := range srv {
		s := r.Server
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%.2f\t\n", r.Scenario, r.Rows, s.Clients,
			s.Cycles, s.CyclesPerSecond, s.MedianMS(), float64(s.P90)/1e6, s.P99MS(), float64(s.Max)/1e6,
			float64(s.SelectMedian)/1e6, float64(s.LayoutMedian)/1e6, s.Errors, r.Load[0])
	}
	tw.Flush()
	for _, r := range srv {
		if r.Server.Errors > 0 {
			fmt.Fprintf(w, "%s at %d rows: %d error(s), %d client(s) stopped early; the first: %s\n",
				r.Scenario, r.Rows, r.Server.Errors, r.Server.Failed, r.Server.FirstError)
		}
	}
}
