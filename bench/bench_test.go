package bench

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
)

func TestCompare(t *testing.T) {
	nan := math.NaN()
	part := func(name string, exact []bool, rows ...Row) *Answer {
		return &Answer{Parts: []*Part{NewPart(name, exact, rows)}}
	}
	r := func(k string, v ...float64) Row { return Row{Keys: []string{k}, Values: v} }
	tests := []struct {
		name    string
		eng     *Answer
		sql     *Answer
		ok      bool
		problem string
	}{
		{name: "same rows in another order", eng: part("p", nil, r("a", 1), r("b", 2)), sql: part("p", nil, r("b", 2), r("a", 1)), ok: true},
		{name: "within tolerance", eng: part("p", nil, r("a", 1e6)), sql: part("p", nil, r("a", 1e6*(1+1e-13))), ok: true},
		{name: "beyond tolerance", eng: part("p", nil, r("a", 1e6)), sql: part("p", nil, r("a", 1e6*(1+1e-9))), problem: "relative difference"},
		{name: "exact column", eng: part("p", []bool{true}, r("a", 10)), sql: part("p", nil, r("a", 10*(1+1e-15))), problem: "column 1"},
		{name: "NULL matches NULL", eng: part("p", nil, r("a", nan)), sql: part("p", nil, r("a", nan)), ok: true},
		{name: "NULL against a number", eng: part("p", nil, r("a", nan)), sql: part("p", nil, r("a", 0)), problem: "NULL"},
		{name: "missing row", eng: part("p", nil, r("a", 1)), sql: part("p", nil, r("a", 1), r("b", 1)), problem: "1 rows and SQL 2"},
		{name: "other key", eng: part("p", nil, r("a", 1)), sql: part("p", nil, r("b", 1)), problem: `keys ["a"]`},
		{name: "other value count", eng: part("p", nil, r("a", 1)), sql: part("p", nil, r("a", 1, 2)), problem: "1 values in the engine and 2"},
		{name: "other part count", eng: part("p", nil), sql: &Answer{}, problem: "1 parts and SQL 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(tt.eng, tt.sql, SumTolerance(1000))
			require.Equal(t, tt.ok, c.OK, "%v", c.Problems)
			if tt.problem != "" {
				require.NotEmpty(t, c.Problems)
				require.Contains(t, c.Problems[0], tt.problem)
			}
		})
	}
}

func TestCompareCapsProblems(t *testing.T) {
	var a, b []Row
	for i := range 50 {
		a = append(a, Row{Keys: []string{string(rune('a' + i%26)), string(rune('A' + i/26))}, Values: []float64{1}})
		b = append(b, Row{Keys: a[i].Keys, Values: []float64{2}})
	}
	c := Compare(&Answer{Parts: []*Part{NewPart("p", nil, a)}}, &Answer{Parts: []*Part{NewPart("p", nil, b)}}, 0)
	require.False(t, c.OK)
	require.Len(t, c.Problems, 10)
}

func TestSumTolerance(t *testing.T) {
	require.InDelta(t, 2*1008*math.Pow(2, -53), SumTolerance(1000), 1e-30)
	require.Greater(t, SumTolerance(0), 0.0)
	require.Less(t, SumTolerance(10_000_000), 3e-9)
	// A real reordering of a real sum stays within it.
	xs := make([]float64, 100_000)
	for i := range xs {
		xs[i] = Amount(int(mix(uint64(i)) % 100_000))
	}
	var fwd, bwd float64
	for i := range xs {
		fwd += xs[i]
		bwd += xs[len(xs)-1-i]
	}
	d, ok := agree(fwd, bwd, false, SumTolerance(len(xs)))
	require.True(t, ok, "difference %g", d)
}

func TestMeasure(t *testing.T) {
	calls, preps := 0, 0
	tm, err := Measure(Plan{Warmup: 2, Runs: 5}, func() error { preps++; return nil }, func() error {
		calls++
		time.Sleep(time.Duration(calls) * time.Millisecond)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 7, calls)
	require.Equal(t, 7, preps)
	require.Equal(t, 5, tm.Runs)
	require.GreaterOrEqual(t, tm.Min, 3*time.Millisecond) // warm-ups (1, 2 ms) are not counted
	require.GreaterOrEqual(t, tm.Median, 5*time.Millisecond)
	require.GreaterOrEqual(t, tm.Max, 7*time.Millisecond)

	// The budget stops early, after the minimum number of runs.
	calls = 0
	tm, err = Measure(Plan{Runs: 100, Budget: time.Nanosecond, MinRuns: 3}, nil, func() error { calls++; return nil })
	require.NoError(t, err)
	require.Equal(t, 3, tm.Runs)
	require.Equal(t, 3, calls)

	_, err = Measure(Plan{Runs: 3}, nil, func() error { return errors.New("boom") })
	require.ErrorContains(t, err, "run 1 failed: boom")
	_, err = Measure(Plan{Runs: 3}, func() error { return errors.New("no") }, func() error { return nil })
	require.ErrorContains(t, err, "cannot prepare run 1: no")
	_, err = Measure(Plan{}, nil, func() error { return nil })
	require.ErrorContains(t, err, "at least one")
}

func TestSummarise(t *testing.T) {
	ms := time.Millisecond
	require.Equal(t, Timing{Runs: 3, Median: 2 * ms, Min: ms, Max: 9 * ms}, Summarise([]time.Duration{9 * ms, ms, 2 * ms}))
	require.Equal(t, Timing{Runs: 4, Median: 3 * ms, Min: ms, Max: 9 * ms}, Summarise([]time.Duration{9 * ms, ms, 2 * ms, 4 * ms}))
	require.Equal(t, Timing{}, Summarise(nil))
}

func TestMachine(t *testing.T) {
	m := DescribeMachine()
	require.Positive(t, m.Cores)
	require.NotEmpty(t, m.Go)
	require.Equal(t, m.HasAVX2(), contains(m.SIMD, "AVX2"))
	require.Equal(t, m.HasAVX512(), contains(m.SIMD, "AVX512F"))
	gbps := MeasureReadBandwidth(4<<20, 2, 2)
	require.Greater(t, gbps, 0.1)
	require.False(t, math.IsInf(gbps, 0))
	la := LoadAverage()
	require.GreaterOrEqual(t, la[0], 0.0)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestNewStarRejectsBadOptions(t *testing.T) {
	tests := []struct {
		opts StarOptions
		err  string
	}{
		{StarOptions{Skew: -1}, "Skew = -1"},
		{StarOptions{Skew: math.NaN()}, "Skew = NaN"},
		{StarOptions{Days: 4_000_000}, "Days = 4000000"},
		{StarOptions{Customers: 1 << 31}, "Customers = 2147483648"},
	}
	for _, tt := range tests {
		_, err := NewStar(tt.opts)
		require.ErrorContains(t, err, tt.err)
	}
}

func TestNewStarIsDeterministic(t *testing.T) {
	o := StarOptions{FactRows: 200_000, Customers: 5_000, Skew: 0.8, Seed: 1, Dimensions: true}
	a, err := NewStar(o)
	require.NoError(t, err)
	b, err := NewStar(o)
	require.NoError(t, err)
	ta, err := a.Model.Table("Sales")
	require.NoError(t, err)
	tb, err := b.Model.Table("Sales")
	require.NoError(t, err)
	require.Equal(t, 200_000, ta.Rows)
	for c := range ta.Columns {
		for _, r := range []int{0, 1, 65_535, 65_536, 199_999} {
			require.Equal(t, ta.Columns[c].Code(r), tb.Columns[c].Code(r))
		}
	}
	// Every row holds the generator's values (the parallel fill covers all rows).
	cust, err := a.Model.Field("CustomerID")
	require.NoError(t, err)
	for _, r := range []int{0, 70_000, 199_999} {
		d := cust.Symbols.Dual(ta.Column(cust.Index).Code(r) - 1)
		require.Equal(t, float64(o.FactValue(r, ColCustomer)), d.Num)
	}
	// Skew: customer 0 is the most frequent.
	counts := map[int]int{}
	for r := range 200_000 {
		counts[o.FactValue(r, ColCustomer)]++
	}
	require.Greater(t, counts[0], 10*counts[2500]+1)
}

func TestDayParts(t *testing.T) {
	y, m, q := DayParts(0)
	require.Equal(t, []any{2020, 1, "Q1"}, []any{y, m, q})
	y, m, q = DayParts(1460) // 2023-12-31
	require.Equal(t, []any{2023, 12, "Q4"}, []any{y, m, q})
	require.Equal(t, "2020-03-01", DayDate(60).Format("2006-01-02"))
	require.Equal(t, dateText(DayNumber(60)), DayDate(60).Format("2006-01-02"))
}

func TestNewLineitemRejectsBadScale(t *testing.T) {
	_, err := NewLineitem(LineitemOptions{ScaleFactor: -1})
	require.ErrorContains(t, err, "scale factor -1")
	_, err = NewLineitem(LineitemOptions{ScaleFactor: 1000})
	require.ErrorContains(t, err, "scale factor 1000")
	require.Equal(t, "0.05", cents(5))
	require.Equal(t, "123.40", cents(12340))
}

func testSeed() *FlightsSeed {
	base := time.Date(2001, 2, 28, 6, 30, 0, 0, time.UTC)
	s := &FlightsSeed{}
	for i := range 1000 {
		s.Date = append(s.Date, base.Add(time.Duration(i%97)*time.Hour))
		s.Delay = append(s.Delay, int32(i%41-10))
		s.Distance = append(s.Distance, int32(100+i%13))
		s.Origin = append(s.Origin, []string{"ORD", "SFO", "JFK"}[i%3])
		s.Destination = append(s.Destination, []string{"LAX", "ORD", "SEA", "BOS"}[i%4])
	}
	return s
}

func TestNewFlightsReplicates(t *testing.T) {
	seed := testSeed()
	f, err := NewFlights(seed, 2500, 0)
	require.NoError(t, err)
	require.Equal(t, 2500, f.Rows)
	tb, err := f.Model.Table("Flights")
	require.NoError(t, err)
	require.Equal(t, 2500, tb.Rows)

	// The model holds exactly what Row reports, copy by copy.
	fields := f.Model.Fields()
	for _, i := range []int{0, 999, 1000, 1999, 2000, 2499} {
		want := f.Row(i)
		got := map[string]string{}
		for c, fi := range tb.Fields {
			got[fields[fi].Name] = fields[fi].Symbols.Dual(tb.Columns[c].Code(i) - 1).Text
		}
		require.Equal(t, want.Date.Format("2006-01-02 15:04"), got["Date"])
		require.Equal(t, FormatKey(float64(want.Year)), got["Year"])
		require.Equal(t, FormatKey(float64(want.Delay)), got["Delay"])
		require.Equal(t, want.Origin, got["Origin"])
		require.Equal(t, want.Destination, got["Destination"])
	}
	require.Equal(t, 2001, f.Row(5).Year)
	require.Equal(t, 2002, f.Row(1005).Year)
	require.Equal(t, 2003, f.Row(2005).Year)
	require.Equal(t, seed.Date[5].AddDate(2, 0, 0), f.Row(2005).Date)

	// Three years of dates: each copy adds the seed's distinct dates.
	year, err := f.Model.Field("Year")
	require.NoError(t, err)
	require.Equal(t, 3, year.Cardinal())
	date, err := f.Model.Field("Date")
	require.NoError(t, err)
	require.Equal(t, 3*97, date.Cardinal())

	// A selection on the replicated model works.
	s := engine.NewSession(f.Model, engine.SessionOptions{})
	ok, err := s.SelectValues("", "Year", []engine.FieldValue{{IsNumeric: true, Number: 2003}}, false, false)
	require.NoError(t, err)
	require.True(t, ok)
	r, err := s.Result("")
	require.NoError(t, err)
	require.Equal(t, 500, r.PossibleCount(tb.Index))
}

func TestNewFlightsRejectsBadSeeds(t *testing.T) {
	_, err := NewFlights(&FlightsSeed{}, 10, 0)
	require.ErrorContains(t, err, "empty flights seed")
	s := testSeed()
	s.Delay = s.Delay[:10]
	_, err = NewFlights(s, 10, 0)
	require.ErrorContains(t, err, "different lengths")
	_, err = NewFlights(testSeed(), 1<<32, 0)
	require.ErrorContains(t, err, "at most 2^31")
}

func TestFetchFlightsFromCachedPackage(t *testing.T) {
	dir := t.TempDir()
	// A stand-in for the npm package: only the member FetchFlights reads.
	tgz := filepath.Join(dir, "vega-datasets-3.2.1.tgz")
	f, err := os.Create(tgz)
	require.NoError(t, err)
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for name, body := range map[string]string{"package/README.md": "readme", "package/data/flights-3m.parquet": "PAR1 stand-in"} {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}))
		_, err = tw.Write([]byte(body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())

	path, err := FetchFlights(context.Background(), dir)
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "PAR1 stand-in", string(b))
	// Cached now: a second call does not need the archive.
	require.NoError(t, os.Remove(tgz))
	again, err := FetchFlights(context.Background(), dir)
	require.NoError(t, err)
	require.Equal(t, path, again)
}

func TestFetchFlightsWithoutNpm(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no npm on it
	_, err := FetchFlights(context.Background(), t.TempDir())
	require.ErrorIs(t, err, ErrOffline)
	require.ErrorContains(t, err, "npm is not installed")
}

func TestFetchFlightsBadArchive(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vega-datasets-3.2.1.tgz"), []byte("not gzip"), 0o644))
	_, err := FetchFlights(context.Background(), dir)
	require.ErrorContains(t, err, "cannot read")
}

func TestCacheDir(t *testing.T) {
	t.Setenv("ASSOC_BENCH_CACHE", "/tmp/somewhere")
	d, err := CacheDir()
	require.NoError(t, err)
	require.Equal(t, "/tmp/somewhere", d)
}
