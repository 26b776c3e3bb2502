package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/reload"
)

// --- the load and app scenarios (issues 5 and 7) ---

// loadDataset marks the load-script scenarios: they read a generated
// orders file (bench.WriteOrdersCSV, --load-rows records) with reload.Run,
// from CSV and from Parquet. appDataset marks the snapshot scenarios: they
// save and open the star schema's model (engine.WriteSnapshot, ReadModel)
// through a file. Neither runs through an engine session, so they are not
// part of bench.Scenarios.
const (
	loadDataset bench.Dataset = "load"
	appDataset  bench.Dataset = "app"
)

// The load and app scenarios.
const (
	scenarioLoadCSV     = "load/csv"
	scenarioLoadParquet = "load/parquet"
	scenarioAppSave     = "app/save"
	scenarioAppOpen     = "app/open"
)

// dataScenarios lists the load and app scenarios for --scenario.
func dataScenarios() []*bench.Scenario {
	return []*bench.Scenario{
		{Name: scenarioLoadCSV, Dataset: loadDataset,
			About: "reload.Run of LOAD * FROM the orders CSV (--load-rows records, about 86 bytes each): parsing, " +
				"number interpretation, interning, the final model"},
		{Name: scenarioLoadParquet, Dataset: loadDataset,
			About: "reload.Run of LOAD * FROM the same orders as Parquet (written once by the script's STORE)"},
		{Name: scenarioAppSave, Dataset: appDataset,
			About: "Model.WriteSnapshot of the star model to a file (zstd, fastest), closed"},
		{Name: scenarioAppOpen, Dataset: appDataset,
			About: "engine.ReadModel of that file: the model ready to answer"},
	}
}

// ordersScript loads the orders file name from connection d.
func ordersScript(name, format string) string {
	if format == "parquet" {
		return "Orders: LOAD * FROM [lib://d/" + name + "] (parquet);"
	}
	return "Orders: LOAD * FROM [lib://d/" + name + "] (txt, utf8, embedded labels, delimiter is ',', msq);"
}

// benchLoad runs the load scenarios on an orders file of rows records
// written to a temporary directory (removed afterwards).
func benchLoad(ctx context.Context, o *benchOptions, rep *benchReport, scs []*bench.Scenario,
	rows int, bar *progressbar.ProgressBar, step func(string)) error {
	if len(scs) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "assoc-bench-load-")
	if err != nil {
		return fmt.Errorf("cannot create a directory for the orders file: %w", err)
	}
	defer os.RemoveAll(dir)
	bar.Describe(fmt.Sprintf("load: writing %s orders", rowsLabel(rows)))
	f, err := os.Create(filepath.Join(dir, "orders.csv"))
	if err != nil {
		return fmt.Errorf("cannot create the orders file: %w", err)
	}
	size, err := bench.WriteOrdersCSV(f, rows, false)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write the orders file: %w", err)
	}
	step("load: orders written")
	req := func(script string) reload.Request {
		return reload.Request{Script: script, Connections: map[string]string{"d": dir}, AllowDirs: []string{dir}}
	}
	for _, sc := range scs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted before %s: %w", sc.Name, err)
		}
		bar.Describe(fmt.Sprintf("%s %s", sc.Name, rowsLabel(rows)))
		script, bytes := ordersScript("orders.csv", "csv"), size
		if sc.Name == scenarioLoadParquet {
			store := ordersScript("orders.csv", "csv") + "\nSTORE Orders INTO [lib://d/orders.parquet] (parquet);"
			if _, err := reload.Run(ctx, req(store)); err != nil {
				return fmt.Errorf("cannot write the orders as Parquet: %w", err)
			}
			st, err := os.Stat(filepath.Join(dir, "orders.parquet"))
			if err != nil {
				return err
			}
			script, bytes = ordersScript("orders.parquet", "parquet"), st.Size()
		}
		var loaded int64
		plan := bench.Plan{Warmup: o.warmup, Runs: o.runs, Budget: o.budget, MinRuns: 3}
		t, err := bench.Measure(plan, gcReset, func() error {
			res, err := reload.Run(ctx, req(script))
			if err != nil {
				return err
			}
			loaded = res.Model.Stats().Rows
			return nil
		})
		if err != nil {
			return fmt.Errorf("cannot run %s at %d rows: %w", sc.Name, rows, err)
		}
		if loaded != int64(rows) {
			return fmt.Errorf("%s loaded %d rows of %d", sc.Name, loaded, rows)
		}
		rep.Results = append(rep.Results, benchResult{Scenario: sc.Name, Dataset: string(sc.Dataset), Rows: rows,
			About: sc.About, Timing: t, AnswerRows: int(loaded), Bytes: bytes, Load: bench.LoadAverage()})
		step(sc.Name)
	}
	return nil
}

// gcReset collects garbage between runs, so that no run pays for an
// earlier run's model.
func gcReset() error {
	runtime.GC()
	return nil
}

// benchApp runs the snapshot scenarios on the star model m of rows fact
// rows: save writes the file that open then reads.
func benchApp(ctx context.Context, o *benchOptions, rep *benchReport, scs []*bench.Scenario, m *engine.Model,
	rows int, bar *progressbar.ProgressBar, step func(string)) error {
	if len(scs) == 0 {
		return nil
	}
	dir, err := os.MkdirTemp("", "assoc-bench-app-")
	if err != nil {
		return fmt.Errorf("cannot create a directory for the snapshot: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "star.assoc")
	save := func() error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if _, err := m.WriteSnapshot(w, engine.SnapshotOptions{}); err != nil {
			f.Close()
			return err
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	for _, sc := range scs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted before %s: %w", sc.Name, err)
		}
		bar.Describe(fmt.Sprintf("%s %s", sc.Name, rowsLabel(rows)))
		run := save
		if sc.Name == scenarioAppOpen {
			if _, err := os.Stat(path); err != nil {
				if err := save(); err != nil {
					return fmt.Errorf("cannot write the snapshot: %w", err)
				}
			}
			run = func() error {
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				defer f.Close()
				got, err := engine.ReadModel(bufio.NewReaderSize(f, 1<<20), engine.ReadOptions{})
				if err != nil {
					return err
				}
				if got.Stats().Rows != m.Stats().Rows {
					return fmt.Errorf("the snapshot read has %d rows, the model %d", got.Stats().Rows, m.Stats().Rows)
				}
				return nil
			}
		}
		plan := bench.Plan{Warmup: o.warmup, Runs: o.runs, Budget: o.budget, MinRuns: 3}
		t, err := bench.Measure(plan, gcReset, run)
		if err != nil {
			return fmt.Errorf("cannot run %s at %d rows: %w", sc.Name, rows, err)
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		rep.Results = append(rep.Results, benchResult{Scenario: sc.Name, Dataset: string(sc.Dataset), Rows: rows,
			About: sc.About, Timing: t, Bytes: st.Size(), Load: bench.LoadAverage()})
		step(sc.Name)
	}
	return nil
}

// printDataResults prints the file sizes and throughputs of the load and
// app scenarios after the results table.
func printDataResults(w io.Writer, rep *benchReport) {
	var rs []benchResult
	for _, r := range rep.Results {
		if r.Dataset == string(loadDataset) || r.Dataset == string(appDataset) {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file scenario\trows\tfile MB\tmedian ms\tMB/s\tM rows/s\t")
	for _, r := range rs {
		sec := float64(r.Timing.Median) / 1e9
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.0f\t%.2f\t\n", r.Scenario, r.Rows, float64(r.Bytes)/1e6, r.Timing.MedianMS(),
			float64(r.Bytes)/1e6/sec, float64(r.Rows)/1e6/sec)
	}
	tw.Flush()
}
