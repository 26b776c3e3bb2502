package bench

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

// VegaDatasets is the npm package that ships flights-3m.parquet (US DOT
// on-time data, 3M flights, 2001-01-01 … 2001-07-01; BSD-3 package, the
// data a US government work).
const VegaDatasets = "vega-datasets@3.2.1"

// FlightsFile is the name of the seed file inside the cache directory.
const FlightsFile = "flights-3m.parquet"

// ErrOffline is returned by FetchFlights when the file is not cached and
// npm cannot fetch it.
var ErrOffline = errors.New("flights-3m.parquet is not cached and npm could not fetch it")

// CacheDir returns the directory where benchmark inputs are cached, outside
// any repository: $ASSOC_BENCH_CACHE, else the user cache directory's
// assoc-bench.
func CacheDir() (string, error) {
	if d := os.Getenv("ASSOC_BENCH_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a cache directory (set ASSOC_BENCH_CACHE): %w", err)
	}
	return filepath.Join(d, "assoc-bench"), nil
}

// FetchFlights returns the path of flights-3m.parquet in dir, fetching it
// first with `npm pack vega-datasets@3.2.1` when it is not there. Without
// npm or a network it returns an error wrapping ErrOffline, which callers
// report and skip.
func FetchFlights(ctx context.Context, dir string) (string, error) {
	dst := filepath.Join(dir, FlightsFile)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot create the cache directory %s: %w", dir, err)
	}
	tgz := filepath.Join(dir, "vega-datasets-3.2.1.tgz")
	if _, err := os.Stat(tgz); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			return "", fmt.Errorf("%w: npm is not installed", ErrOffline)
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "pack", VegaDatasets, "--silent")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%w: npm pack %s: %v: %s", ErrOffline, VegaDatasets, err, out)
		}
	}
	if err := extractFile(tgz, "package/data/"+FlightsFile, dst); err != nil {
		return "", err
	}
	return dst, nil
}

// extractFile copies the member name of the gzipped tar archive to dst.
func extractFile(archive, name, dst string) error {
	f, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("cannot open %s: %w", archive, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", archive, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("cannot find %s in %s", name, archive)
		}
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", archive, err)
		}
		if h.Name != name {
			continue
		}
		tmp := dst + ".tmp"
		out, err := os.Create(tmp)
		if err != nil {
			return fmt.Errorf("cannot create %s: %w", tmp, err)
		}
		if _, err := io.Copy(out, io.LimitReader(tr, 1<<30)); err != nil {
			out.Close()
			return fmt.Errorf("cannot extract %s from %s: %w", name, archive, err)
		}
		if err := out.Close(); err != nil {
			return fmt.Errorf("cannot write %s: %w", tmp, err)
		}
		return os.Rename(tmp, dst)
	}
}

// FlightsSeed holds the rows of flights-3m, read by a Parquet reader (the
// nested module bench/duckdb has one): one entry per flight in every slice.
type FlightsSeed struct {
	Date        []time.Time // departure, UTC
	Delay       []int32     // minutes
	Distance    []int32     // miles
	Origin      []string    // IATA code
	Destination []string    // IATA code
}

// Len returns the number of seed rows, or an error when the columns have
// different lengths.
func (s *FlightsSeed) Len() (int, error) {
	n := len(s.Date)
	if len(s.Delay) != n || len(s.Distance) != n || len(s.Origin) != n || len(s.Destination) != n {
		return 0, fmt.Errorf("the flights seed has columns of different lengths (%d, %d, %d, %d, %d)",
			n, len(s.Delay), len(s.Distance), len(s.Origin), len(s.Destination))
	}
	return n, nil
}

// FlightsFields are the fields of the replicated flights table.
var FlightsFields = []string{"Date", "Year", "Delay", "Distance", "Origin", "Destination"}

// Flights is the seed replicated to Rows rows: copy k (rows k·n …
// k·n+n-1, n the seed's length) is the seed with every date shifted by k
// whole years, so the date and year fields grow as real history would
// while every other distribution stays real.
type Flights struct {
	Seed  *FlightsSeed
	Rows  int
	Model *engine.Model
	n     int
}

// FlightRow is one row of the replicated table.
type FlightRow struct {
	Date                time.Time
	Year                int
	Delay, Distance     int32
	Origin, Destination string
}

// Row returns row i of the replicated table (what the engine holds), for
// loading the same rows into another engine.
func (f *Flights) Row(i int) FlightRow {
	k, j := i/f.n, i%f.n
	d := f.Seed.Date[j].AddDate(k, 0, 0)
	return FlightRow{Date: d, Year: d.Year(), Delay: f.Seed.Delay[j], Distance: f.Seed.Distance[j],
		Origin: f.Seed.Origin[j], Destination: f.Seed.Destination[j]}
}

// serialOf returns t as a serial date-time (days since 1899-12-30).
func serialOf(t time.Time) float64 {
	return float64(t.Unix())/86400 + 25569
}

// NewFlights replicates seed to rows rows (rows ≤ 0 means the seed's own
// length) and builds the engine model: one table, Flights, with the fields
// of FlightsFields. Date is a timestamp (a serial number with the text
// "YYYY-MM-DD hh:mm"), Year its year.
func NewFlights(seed *FlightsSeed, rows int, packing symbols.Policy) (*Flights, error) {
	n, err := seed.Len()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("cannot replicate an empty flights seed")
	}
	if rows <= 0 {
		rows = n
	}
	if rows > 1<<31 {
		return nil, fmt.Errorf("cannot replicate flights to %d rows: at most 2^31 are supported", rows)
	}
	copies := (rows + n - 1) / n
	b := engine.NewBuilder(engine.Options{Packing: packing})
	syms := make([]*symbols.Table, len(FlightsFields))
	for i, f := range FlightsFields {
		syms[i] = b.Symbols(f)
	}
	// Dictionary-encode the seed once: per column, seed row -> local code.
	dateIdx := map[int64]uint32{}
	var dates []time.Time
	dateCode := make([]uint32, n)
	for j, t := range seed.Date {
		u := t.Unix()
		c, ok := dateIdx[u]
		if !ok {
			c = uint32(len(dates))
			dateIdx[u] = c
			dates = append(dates, t)
		}
		dateCode[j] = c
	}
	intern := func(t *symbols.Table, j int, col int) uint32 {
		switch col {
		case 2:
			return t.InternNum(float64(seed.Delay[j]), strconv.Itoa(int(seed.Delay[j]))) + 1
		case 3:
			return t.InternNum(float64(seed.Distance[j]), strconv.Itoa(int(seed.Distance[j]))) + 1
		case 4:
			return t.InternText(seed.Origin[j]) + 1
		}
		return t.InternText(seed.Destination[j]) + 1
	}
	base := make([][]uint32, 6)
	for col := 2; col < 6; col++ {
		base[col] = make([]uint32, n)
		for j := range n {
			base[col][j] = intern(syms[col], j, col)
		}
	}
	cols := make([]*symbols.ColumnBuilder, len(FlightsFields))
	for i := range cols {
		cols[i] = symbols.NewColumnBuilder(rows)
	}
	dmap := make([]uint32, len(dates))
	ymap := make([]uint32, len(dates))
	for k := range copies {
		for c, t := range dates {
			d := t.AddDate(k, 0, 0)
			dmap[c] = syms[0].InternNum(serialOf(d), d.Format("2006-01-02 15:04")) + 1
			ymap[c] = syms[1].InternNum(float64(d.Year()), strconv.Itoa(d.Year())) + 1
		}
		hi := min(n, rows-k*n)
		for j := range hi {
			dc := dateCode[j]
			cols[0].Append(dmap[dc])
			cols[1].Append(ymap[dc])
			for col := 2; col < 6; col++ {
				cols[col].Append(base[col][j])
			}
		}
	}
	packed := make([]*symbols.Column, len(cols))
	for i, cb := range cols {
		packed[i] = cb.Finish(uint32(syms[i].Len()), packing)
	}
	if err := b.AddTable("Flights", FlightsFields, packed); err != nil {
		return nil, fmt.Errorf("cannot add the flights table: %w", err)
	}
	m, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("cannot build the flights model: %w", err)
	}
	return &Flights{Seed: seed, Rows: rows, Model: m, n: n}, nil
}
