package reload

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/reload/qvd"
	"github.com/assocengine/assoc/symbols"
)

// The benchmarks of issue 5: loading Parquet, Arrow IPC, JSON and QVD
// files with a script. Run them with GOMAXPROCS=1 and 2 in the
// environment: go test's -cpu flag does not hold GOMAXPROCS down under the
// runtime's own updates.

// flightsFile returns flights-3m.parquet (bench.FetchFlights), or skips.
func flightsFile(b *testing.B) string {
	dir, err := bench.CacheDir()
	if err != nil {
		b.Skip(err)
	}
	p, err := bench.FetchFlights(context.Background(), dir)
	if errors.Is(err, bench.ErrOffline) {
		b.Skip(err)
	}
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkLoadParquetFlights loads vega-datasets' flights-3m.parquet (3M
// flights, 5 columns: a timestamp, two integers, two airport codes;
// Polars-written, zstd, 11 row groups) with a script. Issue 5: at most
// 1.5 s on two cores.
func BenchmarkLoadParquetFlights(b *testing.B) {
	p := flightsFile(b)
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	benchLoad(b, filepath.Dir(p), st.Size(), "Flights: LOAD * FROM [lib://d/"+filepath.Base(p)+"] (parquet);")
}

var flightsIPC struct {
	once sync.Once
	dir  string
	err  error
}

// BenchmarkLoadIPCFlights loads the same flights from an uncompressed
// Arrow IPC file (written once per run by converting the Parquet file).
func BenchmarkLoadIPCFlights(b *testing.B) {
	p := flightsFile(b)
	flightsIPC.once.Do(func() {
		flightsIPC.dir = benchTempDir(b)
		flightsIPC.err = parquetToIPC(p, filepath.Join(flightsIPC.dir, "flights.arrow"))
	})
	if flightsIPC.err != nil {
		b.Fatal(flightsIPC.err)
	}
	st, err := os.Stat(filepath.Join(flightsIPC.dir, "flights.arrow"))
	if err != nil {
		b.Fatal(err)
	}
	benchLoad(b, flightsIPC.dir, st.Size(), "Flights: LOAD * FROM [lib://d/flights.arrow];")
}

// benchTempDir returns the directory of the generated benchmark files
// (removed by TestMain).
func benchTempDir(b *testing.B) string {
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
	return benchFiles.dir
}

// parquetToIPC copies a Parquet file to an Arrow IPC file.
func parquetToIPC(src, dst string) error {
	pf, err := file.OpenParquetFile(src, false)
	if err != nil {
		return err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		return err
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		return err
	}
	defer rr.Release()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	var w *ipc.FileWriter
	for rr.Next() {
		rec := rr.Record()
		if w == nil {
			if w, err = ipc.NewFileWriter(out, ipc.WithSchema(rec.Schema())); err != nil {
				return err
			}
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	if w == nil {
		return fmt.Errorf("%s has no records", src)
	}
	if err := w.Close(); err != nil {
		return err
	}
	return out.Close()
}

// BenchmarkLoadJSON loads the orders of BenchmarkLoadCSV as NDJSON (one
// object a line).
func BenchmarkLoadJSON(b *testing.B) {
	dir, _ := benchCSV(b, "orders_typical", false)
	p := filepath.Join(dir, "orders_typical.ndjson")
	if _, err := os.Stat(p); err != nil {
		if err := csvToNDJSON(filepath.Join(dir, "orders_typical.csv"), p); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	benchLoad(b, dir, st.Size(), "T: LOAD * FROM [lib://d/orders_typical.ndjson];")
}

// csvToNDJSON rewrites the generated CSV (no quotes, no commas in
// values) as NDJSON: numbers stay numbers, the rest strings.
func csvToNDJSON(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	w := bufio.NewWriterSize(out, 1<<20)
	var names []string
	numeric := map[string]bool{"OrderId": true, "Qty": true, "Price": true, "Amount": true}
	for sc.Scan() {
		cells := strings.Split(sc.Text(), ",")
		if names == nil {
			names = cells
			continue
		}
		w.WriteByte('{')
		for i, c := range cells {
			if i > 0 {
				w.WriteByte(',')
			}
			fmt.Fprintf(w, "%q:", names[i])
			if numeric[names[i]] {
				w.WriteString(c)
			} else {
				w.Write(symbols.AppendJSONString(nil, c))
			}
		}
		w.WriteString("}\n")
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return out.Close()
}

// qvdFile returns the QVD of the orders (written once by STORE) without
// the field skip (if any), and its size.
func qvdFile(b *testing.B, skip string) (string, string, int64) {
	dir, _ := benchCSV(b, "orders_typical", false)
	name := "orders_typical.qvd"
	fields := "*"
	if skip != "" {
		name = "orders_typical_no_" + skip + ".qvd"
		fields = "OrderDate, Region, Category, Product, Customer, Qty, Price, Amount, Flag"
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		req := Request{Script: "T: LOAD " + fields + " FROM [lib://d/orders_typical.csv] (txt, embedded labels, delimiter is ',', msq);\nSTORE T INTO [lib://d/" + name + "] (qvd);",
			Connections: map[string]string{"d": dir}, AllowDirs: []string{dir}}
		if _, err := Run(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	return dir, name, st.Size()
}

// BenchmarkLoadQVDNoId loads the orders QVD without its unique OrderId:
// how fast an optimized QVD load is when no field has millions of
// distinct values to intern.
func BenchmarkLoadQVDNoId(b *testing.B) {
	dir, name, size := qvdFile(b, "OrderId")
	benchLoad(b, dir, size, "T: LOAD * FROM [lib://d/"+name+"] (qvd);")
}

// BenchmarkReadQVD decodes the orders QVD (header, symbols, packed
// records) without loading it into a model: the reader's own speed.
func BenchmarkReadQVD(b *testing.B) {
	dir, name, size := qvdFile(b, "")
	p := filepath.Join(dir, name)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qvd.ReadFile(p, qvd.Options{Policy: symbols.Bytes}); err != nil {
			b.Fatal(err)
		}
	}
}
