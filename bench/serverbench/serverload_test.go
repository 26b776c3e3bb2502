package serverbench

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/server"
)

var (
	starMu    sync.Mutex
	starCache = map[int]*engine.Model{}
)

// starModel is the benchmark star schema at rows fact rows, built once.
func starModel(t testing.TB, rows int) *engine.Model {
	t.Helper()
	starMu.Lock()
	defer starMu.Unlock()
	if m, ok := starCache[rows]; ok {
		return m
	}
	st, err := bench.NewStar(bench.StarOptions{FactRows: rows, Dimensions: true})
	require.NoError(t, err)
	starCache[rows] = st.Model
	return st.Model
}

// smallStar is the star schema at 10,000 fact rows.
func smallStar(t testing.TB) *engine.Model { return starModel(t, 1e4) }

// requireSane checks what every successful run must satisfy.
func requireSane(t *testing.T, r *ServerLoadResult, clients int) {
	t.Helper()
	require.Equal(t, clients, r.Clients)
	require.Zero(t, r.Errors, "first error: %s", r.FirstError)
	require.Empty(t, r.FirstError)
	require.Zero(t, r.Failed)
	require.Positive(t, r.Cycles)
	require.Positive(t, r.Elapsed)
	require.Positive(t, r.Setup)
	require.Positive(t, r.Min)
	require.LessOrEqual(t, r.Min, r.Median)
	require.LessOrEqual(t, r.Median, r.P90)
	require.LessOrEqual(t, r.P90, r.P99)
	require.LessOrEqual(t, r.P99, r.Max)
	require.Positive(t, r.SelectMedian)
	require.Positive(t, r.LayoutMedian)
	require.Less(t, r.SelectMedian, r.Max)
	require.InDelta(t, float64(r.Cycles)/r.Elapsed.Seconds(), r.CyclesPerSecond, 1e-6*r.CyclesPerSecond)
	// 5 regions + 20 of 50 products + 5 store regions
	require.Equal(t, 30, r.PageRows)
	require.Greater(t, r.ResponseBytes, 1000)
	require.Zero(t, r.Pushed, "sessions are independent: nobody pushes changes to them")
}

func TestServerLoadCycles(t *testing.T) {
	m := smallStar(t)
	tests := []struct {
		name    string
		opts    ServerLoadOptions
		clients int
		cycles  int // exact count when > 0
	}{
		{name: "one client, cycle count", opts: ServerLoadOptions{Clients: 1, Cycles: 25, Warmup: 2}, clients: 1, cycles: 25},
		{name: "one client, odd count, no warm-up", opts: ServerLoadOptions{Clients: 1, Cycles: 7}, clients: 1, cycles: 7},
		{name: "8 clients, cycle count", opts: ServerLoadOptions{Clients: 8, Cycles: 10, Warmup: 1}, clients: 8, cycles: 80},
		{name: "one client, 1 s", opts: ServerLoadOptions{Clients: 1, Duration: time.Second}, clients: 1},
		{name: "8 clients, 1 s", opts: ServerLoadOptions{Clients: 8, Duration: time.Second, Warmup: 1}, clients: 8},
		{name: "one client, cold caches", opts: ServerLoadOptions{Clients: 1, Cycles: 6, Warmup: 1, ColdCaches: true}, clients: 1, cycles: 6},
		{name: "cycle count within a duration", opts: ServerLoadOptions{Clients: 2, Cycles: 3, Duration: time.Minute}, clients: 2, cycles: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ServerLoad(context.Background(), m, tt.opts)
			require.NoError(t, err)
			requireSane(t, r, tt.clients)
			if tt.cycles > 0 {
				require.Equal(t, tt.cycles, r.Cycles)
			}
			if tt.opts.Duration > 0 && tt.opts.Cycles == 0 {
				require.GreaterOrEqual(t, r.Elapsed, tt.opts.Duration)
				require.Less(t, r.Elapsed, tt.opts.Duration+10*time.Second)
				require.GreaterOrEqual(t, r.Cycles, tt.clients, "each client ran at least one cycle")
			}
		})
	}
}

func TestServerLoadOtherFields(t *testing.T) {
	// Select in a fact field and read two customer fields; a page of 3
	// rows of 40 countries.
	r, err := ServerLoad(context.Background(), smallStar(t), ServerLoadOptions{
		Clients: 2, Cycles: 4, Fields: []string{"StoreRegion", "Country", "Segment"}, PageRows: 3})
	require.NoError(t, err)
	require.Zero(t, r.Errors, r.FirstError)
	require.Equal(t, 8, r.Cycles)
	require.Equal(t, 3+3+3, r.PageRows)
}

func TestServerLoadBadOptions(t *testing.T) {
	m := smallStar(t)
	tests := []struct {
		name string
		m    *engine.Model
		opts ServerLoadOptions
		err  string
	}{
		{name: "no model", opts: ServerLoadOptions{Clients: 1, Cycles: 1}, err: "no model"},
		{name: "no clients", m: m, opts: ServerLoadOptions{Cycles: 1}, err: "cannot run 0 clients"},
		{name: "too many clients", m: m, opts: ServerLoadOptions{Clients: 1e6, Cycles: 1}, err: "cannot run 1000000 clients"},
		{name: "no end", m: m, opts: ServerLoadOptions{Clients: 1}, err: "set Cycles or Duration"},
		{name: "negative cycles", m: m, opts: ServerLoadOptions{Clients: 1, Cycles: -1}, err: "cannot run -1 cycles"},
		{name: "negative duration", m: m, opts: ServerLoadOptions{Clients: 1, Duration: -time.Second}, err: "must not be negative"},
		{name: "negative warm-up", m: m, opts: ServerLoadOptions{Clients: 1, Cycles: 1, Warmup: -1}, err: "cannot run -1 warm-up cycles"},
		{name: "empty fields", m: m, opts: ServerLoadOptions{Clients: 1, Cycles: 1, Fields: []string{}}, err: "Fields is empty"},
		{name: "empty field name", m: m, opts: ServerLoadOptions{Clients: 1, Cycles: 1, Fields: []string{"Region", ""}}, err: "list object 1: its field name is empty"},
		{name: "negative page", m: m, opts: ServerLoadOptions{Clients: 1, Cycles: 1, PageRows: -1}, err: "cannot fetch -1 rows"},
		{name: "negative timeout", m: m, opts: ServerLoadOptions{Clients: 1, Cycles: 1, Timeout: -time.Second}, err: "timeout must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ServerLoad(context.Background(), tt.m, tt.opts)
			require.ErrorContains(t, err, tt.err)
			require.Nil(t, r)
		})
	}
}

func TestServerLoadSetupFailures(t *testing.T) {
	m := smallStar(t)
	tests := []struct {
		name   string
		fields []string
		err    string
	}{
		// An unknown field gives an empty list object.
		{name: "unknown field", fields: []string{"Region", "NoSuchField"}, err: `"NoSuchField" is wrong`},
		// Segment has 4 values but a one-row page shows one of them.
		{name: "one value to select", fields: []string{"Segment"}, err: `field "Segment" has 1 value(s) on its first page`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := ServerLoadOptions{Clients: 3, Cycles: 2, Fields: tt.fields}
			if tt.name == "one value to select" {
				opts.PageRows = 1
			}
			r, err := ServerLoad(context.Background(), m, opts)
			require.ErrorContains(t, err, "no client got through its setup")
			require.ErrorContains(t, err, tt.err)
			require.Nil(t, r)
		})
	}
}

func TestServerLoadCancelled(t *testing.T) {
	m := smallStar(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancel()
	}()
	t0 := time.Now()
	r, err := ServerLoad(ctx, m, ServerLoadOptions{Clients: 4, Duration: time.Hour})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "server benchmark interrupted")
	require.Nil(t, r)
	require.Less(t, time.Since(t0), 30*time.Second)
}

func TestPercentiles(t *testing.T) {
	ds := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x)
		}
		return out
	}
	tests := []struct {
		name          string
		sorted        []time.Duration
		med, p90, p99 time.Duration
	}{
		{name: "empty", sorted: nil},
		{name: "one", sorted: ds(5), med: 5, p90: 5, p99: 5},
		{name: "two", sorted: ds(1, 3), med: 2, p90: 3, p99: 3},
		{name: "ten", sorted: ds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), med: 5, p90: 9, p99: 10},
		{name: "hundred", sorted: func() []time.Duration {
			var v []int
			for i := 1; i <= 100; i++ {
				v = append(v, i)
			}
			return ds(v...)
		}(), med: 50, p90: 90, p99: 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.med, median(tt.sorted))
			require.Equal(t, tt.p90, percentile(tt.sorted, 0.90))
			require.Equal(t, tt.p99, percentile(tt.sorted, 0.99))
		})
	}
}

// benchRows lists the fact sizes of the benchmarks; ASSOC_BENCH_MAX_ROWS
// caps them (default 1e7), as in package engine's benchmarks.
func benchRows() []int {
	maxRows := 10_000_000
	if v := os.Getenv("ASSOC_BENCH_MAX_ROWS"); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			maxRows = int(n)
		}
	}
	var out []int
	for _, n := range []int{10_000, 1_000_000, 10_000_000, 100_000_000} {
		if n <= maxRows {
			out = append(out, n)
		}
	}
	return out
}

// BenchmarkRoundTrip is one client's cycle over loopback: a selection in
// Region and the layouts of the Region, Product and StoreRegion list
// objects.
func BenchmarkRoundTrip(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run("rows="+strings.Replace(strconv.FormatFloat(float64(rows), 'g', -1, 64), "e+0", "e", 1), func(b *testing.B) {
			m := starModel(b, rows)
			ts, err := startServer(m, server.Options{})
			require.NoError(b, err)
			defer ts.stop()
			o := ServerLoadOptions{Clients: 1, Cycles: 1}
			o.defaults()
			c, err := dial(context.Background(), "ws://"+ts.addr, 0, &o)
			require.NoError(b, err)
			defer c.close()
			require.NoError(b, c.setup())
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				m.ClearCaches() // cold: no inference shared from the last cycle
				b.StartTimer()
				if _, err := c.cycle(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestLayoutCheck(t *testing.T) {
	page := func(cells string) string {
		return `{"qLayout":{"qListObject":{"qSize":{"qcx":1,"qcy":3},"qDimensionInfo":{"qStateCounts":{"qSelected":1}},` +
			`"qDataPages":[{"qMatrix":[` + cells + `]}]}}}`
	}
	const three = `[{"qText":"a","qElemNumber":0,"qState":"S"}],[{"qText":"b","qElemNumber":1,"qState":"A"}],[{"qText":"c","qElemNumber":2,"qState":"X"}]`
	tests := []struct {
		name     string
		layout   string
		rows     int
		selected int
		err      string
	}{
		{name: "selected value", layout: page(three), rows: 20, selected: 0},
		{name: "no selection asked", layout: page(three), rows: 20, selected: -1},
		{name: "short page", layout: page(three), rows: 2, selected: 0, err: "the data page has 3 rows, want 2"},
		{name: "missing rows", layout: page(`[{"qText":"a","qElemNumber":0,"qState":"S"}]`), rows: 20, selected: 0, err: "has 1 rows, want 3"},
		{name: "wrong state", layout: page(three), rows: 20, selected: 1, err: `the selected value "b" (1) is in state "A", want S`},
		{name: "not on the page", layout: page(three), rows: 20, selected: 7, err: "the selected value 7 is not on the data page"},
		{name: "nothing possible", layout: page(`[{"qElemNumber":0,"qState":"X"}],[{"qElemNumber":1,"qState":"A"}],[{"qElemNumber":2,"qState":"X"}]`),
			rows: 20, selected: -1, err: "no value on the data page is possible"},
		{name: "two cells", layout: page(`[{"qState":"O"},{"qState":"O"}],[{"qState":"O"}],[{"qState":"O"}]`), rows: 20, selected: -1, err: "row 0 has 2 cells"},
		{name: "no list object", layout: `{"qLayout":{}}`, rows: 20, selected: -1, err: "no qListObject"},
		{name: "empty list", layout: `{"qLayout":{"qListObject":{"qSize":{"qcx":1,"qcy":0},"qDataPages":[]}}}`, rows: 20, selected: -1,
			err: "does the field exist?"},
		{name: "two pages", layout: `{"qLayout":{"qListObject":{"qSize":{"qcx":1,"qcy":1},"qDataPages":[{},{}]}}}`, rows: 20, selected: -1,
			err: "2 data pages, want 1"},
		{name: "two selected", layout: strings.Replace(page(three), `"qSelected":1`, `"qSelected":2`, 1), rows: 20, selected: 0,
			err: "2 values are selected, want 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l listLayout
			require.NoError(t, json.Unmarshal([]byte(tt.layout), &l))
			err := l.check(tt.rows, tt.selected)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.err)
		})
	}
}

func TestServerLoadCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := ServerLoad(ctx, smallStar(t), ServerLoadOptions{Clients: 3, Cycles: 5})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "interrupted during the setup")
	require.Nil(t, r)
}
