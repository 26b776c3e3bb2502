package engine_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
)

// starModel returns the star schema with dimensions and rows fact rows
// (bench_test.go's cache).
func starModel(b *testing.B, rows int) *engine.Model { return star(b, rows).Model }

func rowsName(n int) string { return fmt.Sprintf("rows=%.0e", float64(n)) }

// BenchmarkSnapshotWrite measures WriteSnapshot of the star schema into
// memory; MB/s are of snapshot bytes.
func BenchmarkSnapshotWrite(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run(rowsName(rows), func(b *testing.B) {
			m := starModel(b, rows)
			var buf bytes.Buffer
			_, err := m.WriteTo(&buf)
			require.NoError(b, err)
			size := buf.Len()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				buf.Reset()
				if _, err := m.WriteTo(&buf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size)/1e6, "snapshot-MB")
		})
	}
}

// BenchmarkSnapshotRead measures ReadModel of the star schema from memory;
// MB/s are of snapshot bytes.
func BenchmarkSnapshotRead(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run(rowsName(rows), func(b *testing.B) {
			m := starModel(b, rows)
			var buf bytes.Buffer
			_, err := m.WriteTo(&buf)
			require.NoError(b, err)
			data := buf.Bytes()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := engine.ReadModel(bytes.NewReader(data), engine.ReadOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSnapshotVsCSV writes the star schema's user tables as CSV
// through zstd (default level) and reports its size next to the
// snapshot's: the snapshot must not be larger. Nothing is written to disk.
func BenchmarkSnapshotVsCSV(b *testing.B) {
	for _, rows := range benchRows() {
		b.Run(rowsName(rows), func(b *testing.B) {
			m := starModel(b, rows)
			var snap countingWriter
			_, err := m.WriteTo(&snap)
			require.NoError(b, err)
			var csv, zst int64
			b.ReportAllocs()
			for b.Loop() {
				csv, zst = csvSize(b, m)
			}
			b.ReportMetric(float64(snap.n)/1e6, "snapshot-MB")
			b.ReportMetric(float64(csv)/1e6, "csv-MB")
			b.ReportMetric(float64(zst)/1e6, "csv.zst-MB")
			b.ReportMetric(float64(snap.n)/float64(zst), "snapshot/csv.zst")
			if snap.n > zst {
				b.Errorf("snapshot is %d bytes, larger than the zstd-compressed CSV (%d bytes)", snap.n, zst)
			}
		})
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// csvSize writes every user table of m as CSV (header line, texts, quoted
// where needed) and returns its size raw and zstd-compressed.
func csvSize(b *testing.B, m *engine.Model) (raw, compressed int64) {
	var zc countingWriter
	zw, err := zstd.NewWriter(&zc, zstd.WithEncoderLevel(zstd.SpeedDefault))
	require.NoError(b, err)
	rc := &countingWriter{}
	w := bufio.NewWriterSize(io.MultiWriter(zw, rc), 1<<20)
	codes := make([]uint32, 4096)
	for _, t := range m.Tables() {
		if t.System {
			continue
		}
		for i, fi := range t.Fields {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(csvQuote(m.Fields()[fi].Name))
		}
		w.WriteByte('\n')
		cols := make([][]uint32, len(t.Columns))
		for lo := 0; lo < t.Rows; lo += len(codes) {
			n := min(len(codes), t.Rows-lo)
			for k, c := range t.Columns {
				cols[k] = append(cols[k][:0], make([]uint32, n)...)
				c.Decode(cols[k], lo)
			}
			for r := range n {
				for k, fi := range t.Fields {
					if k > 0 {
						w.WriteByte(',')
					}
					if code := cols[k][r]; code != 0 {
						w.WriteString(csvQuote(m.Fields()[fi].Symbols.Text(code - 1)))
					}
				}
				w.WriteByte('\n')
			}
		}
	}
	require.NoError(b, w.Flush())
	require.NoError(b, zw.Close())
	return rc.n, zc.n
}

func csvQuote(s string) string {
	if !strings.ContainsAny(s, ",\"\n\r") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
