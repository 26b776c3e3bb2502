package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBenchFlags(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{name: "help", args: []string{"bench", "--help"}, status: 0, stderr: "-scenario"},
		{name: "bad rows", args: []string{"bench", "--rows", "ten"}, status: 2, stderr: `--rows: "ten" is not a row count`},
		{name: "fractional rows", args: []string{"bench", "--rows", "1.5"}, status: 2, stderr: `--rows: "1.5"`},
		{name: "no rows", args: []string{"bench", "--rows", ","}, status: 2, stderr: "--rows: no row count given"},
		{name: "zero threads", args: []string{"bench", "--threads", "0"}, status: 2, stderr: "--threads 0 is out of range"},
		{name: "zero runs", args: []string{"bench", "--runs", "0"}, status: 2, stderr: "--runs 0 is out of range"},
		{name: "negative skew", args: []string{"bench", "--skew", "-1"}, status: 2, stderr: "--skew -1 is out of range"},
		{name: "negative budget", args: []string{"bench", "--budget", "-1s"}, status: 2, stderr: "--budget -1s is negative"},
		{name: "bad scale factor", args: []string{"bench", "--tpch-sf", "1000"}, status: 2, stderr: "--tpch-sf 1000 is out of range"},
		{name: "unknown scenario", args: []string{"bench", "--scenario", "star/nope"}, status: 2, stderr: `no scenario matches "star/nope"`},
		{name: "extra argument", args: []string{"bench", "now"}, status: 2, stderr: `unexpected argument "now"`},
		{name: "listed in help", args: []string{"help"}, status: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, out, errOut := testEnv(nil)
			require.Equal(t, tt.status, run(tt.args, e), "stderr: %s", errOut)
			require.Contains(t, errOut.String(), tt.stderr)
			if tt.name == "listed in help" {
				require.Contains(t, out.String(), "bench ")
			}
		})
	}
}

func TestBenchTable(t *testing.T) {
	e, out, errOut := testEnv(nil)
	args := []string{"bench", "--rows", "2e4,3e4", "--scenario", "star/cycle,star/select-*,tpch", "--tpch-sf", "0.002",
		"--runs", "2", "--warmup", "1", "--bandwidth-mib", "8", "--threads", "2"}
	require.Equal(t, 0, run(args, e), "stderr: %s", errOut)
	s := out.String()
	for _, want := range []string{"CPU:", "cores:", "AVX2:", "AVX-512:", "bandwidth:", "GB/s", "fact B/row",
		"star/cycle", "star/select-excluded", "tpch/q1", "tpch/q6", "20000", "30000"} {
		require.Contains(t, s, want)
	}
	require.NotContains(t, s, "star/count-distinct")
	require.Contains(t, s, "caches: cold")
	// The progress bar went to stderr with its step count (what it names
	// depends on how fast the steps run: it redraws at most every 100 ms).
	require.Regexp(t, `\(\d+/\d+\)`, errOut.String())
}

func TestBenchJSON(t *testing.T) {
	e, out, errOut := testEnv(nil)
	args := []string{"bench", "--json", "--quiet", "--rows", "1e4", "--scenario", "star,flights", "--tpch-sf", "0",
		"--runs", "3", "--warmup", "0", "--bandwidth-mib", "0"}
	require.Equal(t, 0, run(args, e), "stderr: %s", errOut)
	var rep benchReport
	require.NoError(t, json.Unmarshal([]byte(out.String()), &rep), out.String())
	require.Equal(t, 3, rep.Runs)
	require.Equal(t, 0.0, rep.Machine.ReadGBps)
	require.Len(t, rep.Data, 1)
	require.Equal(t, 10_000, rep.Data[0].Rows)
	require.Greater(t, rep.Data[0].FactBytesPerRow, 0.0)
	require.GreaterOrEqual(t, len(rep.Results), 10)
	for _, r := range rep.Results {
		require.True(t, strings.HasPrefix(r.Scenario, "star/"), r.Scenario)
		require.Equal(t, 3, r.Timing.Runs, r.Scenario)
		require.Positive(t, r.Timing.Median, r.Scenario)
		require.LessOrEqual(t, r.Timing.Min, r.Timing.Median)
		require.LessOrEqual(t, r.Timing.Median, r.Timing.Max)
		require.Positive(t, r.AnswerRows, r.Scenario)
	}
	// flights needs Parquet: skipped with the reason.
	require.Len(t, rep.Skipped, 2)
	require.Contains(t, rep.Skipped[0], "bench/duckdb")
	require.Empty(t, errOut.String(), "--quiet draws no progress bar")
}

func TestRowsLabel(t *testing.T) {
	for n, want := range map[int]string{1_000_000: "1e6", 10_000_000: "1e7", 25_000_000: "2.5e7", 12345: "12345"} {
		require.Equal(t, want, rowsLabel(n))
	}
}

func TestBenchServerFlags(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{name: "zero clients", args: []string{"bench", "--clients", "0"}, stderr: "--clients 0 is out of range [1, 10000]"},
		{name: "too many clients", args: []string{"bench", "--clients", "20000"}, stderr: "--clients 20000 is out of range"},
		{name: "zero duration", args: []string{"bench", "--load-duration", "0s"}, stderr: "--load-duration 0s is out of range"},
		{name: "negative duration", args: []string{"bench", "--load-duration", "-5s"}, stderr: "--load-duration -5s is out of range"},
		{name: "bad duration", args: []string{"bench", "--load-duration", "soon"}, stderr: "load-duration"},
		{name: "unknown server scenario", args: []string{"bench", "--scenario", "server/nope"}, stderr: `no scenario matches "server/nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, errOut := testEnv(nil)
			require.Equal(t, 2, run(tt.args, e), "stderr: %s", errOut)
			require.Contains(t, errOut.String(), tt.stderr)
		})
	}
	e, _, errOut := testEnv(nil)
	require.Equal(t, 0, run([]string{"bench", "--help"}, e))
	require.Contains(t, errOut.String(), "-clients")
	require.Contains(t, errOut.String(), "-load-duration")
}

func TestBenchServerRoundTrip(t *testing.T) {
	e, out, errOut := testEnv(nil)
	require.Equal(t, 0, run([]string{"bench", "--scenario", "server/roundtrip", "--rows", "1e4"}, e), "stderr: %s", errOut)
	s := out.String()
	for _, want := range []string{"star  10000", "server scenario", "clients", "p99 ms", "cycles/s"} {
		require.Contains(t, s, want)
	}
	// The results table and the server table both have the scenario, with
	// 10 cycles (--runs), 30 list rows and no errors.
	require.Regexp(t, `server/roundtrip\s+10000\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+10\s+30\s`, s)
	require.Regexp(t, `server/roundtrip\s+10000\s+1\s+10\s+[0-9.]+(\s+[0-9.]+){6}\s+0\s`, s)
	require.NotContains(t, s, "server/load")
	require.NotContains(t, s, "star/cycle")
	require.NotContains(t, s, "error(s)")
}

func TestBenchServerJSON(t *testing.T) {
	e, out, errOut := testEnv(nil)
	args := []string{"bench", "--json", "--quiet", "--rows", "1e4,2e4", "--scenario", "server,star/select-states", "--tpch-sf", "0",
		"--runs", "5", "--warmup", "1", "--bandwidth-mib", "0", "--clients", "4", "--load-duration", "1s"}
	require.Equal(t, 0, run(args, e), "stderr: %s", errOut)
	var rep benchReport
	require.NoError(t, json.Unmarshal([]byte(out.String()), &rep), out.String())
	// One model per size serves the star scenario and both server ones.
	require.Len(t, rep.Data, 2)
	var got []string
	for _, r := range rep.Results {
		got = append(got, r.Scenario+"@"+rowsLabel(r.Rows))
		if r.Dataset != "server" {
			require.Nil(t, r.Server, r.Scenario)
			continue
		}
		s := r.Server
		require.NotNil(t, s, r.Scenario)
		require.Zero(t, s.Errors, s.FirstError)
		require.Equal(t, s.Cycles, r.Timing.Runs)
		require.Equal(t, s.Median, r.Timing.Median)
		require.Equal(t, 30, r.AnswerRows)
		require.LessOrEqual(t, s.Min, s.Median)
		require.LessOrEqual(t, s.Median, s.P99)
		require.LessOrEqual(t, s.P99, s.Max)
		switch r.Scenario {
		case "server/roundtrip":
			require.Equal(t, 1, s.Clients)
			require.Equal(t, 5, s.Cycles)
		case "server/load":
			require.Equal(t, 4, s.Clients)
			require.GreaterOrEqual(t, s.Elapsed.Seconds(), 1.0)
			require.Positive(t, s.CyclesPerSecond)
		}
	}
	require.Equal(t, []string{"star/select-states@10000", "server/roundtrip@10000", "server/load@10000",
		"star/select-states@20000", "server/roundtrip@20000", "server/load@20000"}, got)
	require.Contains(t, out.String(), `"p99_ns"`)
}

// TestBenchWarmCaches checks that --warm-caches is recorded in the report
// (text and JSON) and that the runs still give answers.
func TestBenchWarmCaches(t *testing.T) {
	e, out, errOut := testEnv(nil)
	args := []string{"bench", "--quiet", "--warm-caches", "--rows", "1e4", "--scenario", "star/select-cube", "--tpch-sf", "0",
		"--runs", "3", "--warmup", "1", "--bandwidth-mib", "0"}
	require.Equal(t, 0, run(args, e), "stderr: %s", errOut)
	require.Contains(t, out.String(), "caches: warm")
	e, out, errOut = testEnv(nil)
	require.Equal(t, 0, run(append(args, "--json"), e), "stderr: %s", errOut)
	var rep benchReport
	require.NoError(t, json.Unmarshal([]byte(out.String()), &rep), out.String())
	require.True(t, rep.WarmCaches)
	require.Len(t, rep.Results, 1)
	require.Positive(t, rep.Results[0].AnswerRows)
}

// TestBenchLoadAndApp runs the load-script and snapshot scenarios: every
// load reads all the orders, save and open go through one file, and the
// table gives their throughput.
func TestBenchLoadAndApp(t *testing.T) {
	e, out, errOut := testEnv(nil)
	args := []string{"bench", "--json", "--quiet", "--rows", "2e4", "--scenario", "load,app", "--load-rows", "3000",
		"--runs", "2", "--warmup", "0", "--bandwidth-mib", "0", "--tpch-sf", "0"}
	require.Equal(t, 0, run(args, e), "stderr: %s", errOut)
	var rep benchReport
	require.NoError(t, json.Unmarshal([]byte(out.String()), &rep), out.String())
	got := map[string]benchResult{}
	for _, r := range rep.Results {
		got[r.Scenario] = r
	}
	require.Len(t, got, 4)
	for _, name := range []string{scenarioLoadCSV, scenarioLoadParquet} {
		r := got[name]
		require.Equal(t, 3000, r.Rows, name)
		require.Equal(t, 3000, r.AnswerRows, name)
		require.Positive(t, r.Bytes, name)
		require.Equal(t, 2, r.Timing.Runs, name)
	}
	require.Less(t, got[scenarioLoadParquet].Bytes, got[scenarioLoadCSV].Bytes, "Parquet is smaller than CSV")
	for _, name := range []string{scenarioAppSave, scenarioAppOpen} {
		r := got[name]
		require.Equal(t, 20_000, r.Rows, name)
		require.Positive(t, r.Bytes, name)
		require.Positive(t, r.Timing.Median, name)
	}
	require.Equal(t, got[scenarioAppSave].Bytes, got[scenarioAppOpen].Bytes, "open reads the file save wrote")

	e, out, errOut = testEnv(nil)
	args = []string{"bench", "--quiet", "--rows", "1e4", "--scenario", "load/csv", "--load-rows", "500",
		"--runs", "1", "--warmup", "0", "--bandwidth-mib", "0", "--tpch-sf", "0"}
	require.Equal(t, 0, run(args, e), "stderr: %s", errOut)
	require.Contains(t, out.String(), "file scenario")
	require.Contains(t, out.String(), "MB/s")

	e, _, errOut = testEnv(nil)
	require.Equal(t, 2, run([]string{"bench", "--load-rows", "0"}, e))
	require.Contains(t, errOut.String(), "--load-rows 0 is not a row count")
}
