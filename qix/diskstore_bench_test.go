package qix_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/qix"
)

var (
	benchAppMu   sync.Mutex
	benchAppSnap = map[int]*qix.AppSnapshot{}
)

// benchApp is an app over the star schema (with dimensions) of rows fact
// rows, generated once per size.
func benchApp(b *testing.B, rows int) *qix.AppSnapshot {
	b.Helper()
	benchAppMu.Lock()
	defer benchAppMu.Unlock()
	if a := benchAppSnap[rows]; a != nil {
		return a
	}
	s, err := bench.NewStar(bench.StarOptions{FactRows: rows, Dimensions: true})
	require.NoError(b, err)
	a := &qix.AppSnapshot{ID: qix.NewAppID(), Title: "star", Script: "// generated", Model: s.Model,
		Properties: []byte(`{"qTitle":"star"}`), Objects: [][]byte{[]byte(`{"qInfo":{"qId":"s","qType":"sheet"}}`)}}
	benchAppSnap[rows] = a
	return a
}

func benchName(rows int) string { return fmt.Sprintf("rows=%.0e", float64(rows)) }

// BenchmarkDiskStoreSave saves the star app with DiskStore.Save (temp
// file, fsync, rename, directory fsync); MB/s are of file bytes.
func BenchmarkDiskStoreSave(b *testing.B) {
	for _, rows := range []int{1_000_000, 10_000_000} {
		b.Run(benchName(rows), func(b *testing.B) {
			app := benchApp(b, rows)
			d, err := qix.NewDiskStore(b.TempDir(), qix.DiskStoreOptions{})
			require.NoError(b, err)
			require.NoError(b, d.Save(app))
			st, err := os.Stat(filepath.Join(d.Dir(), qix.AppFileName(app.ID)))
			require.NoError(b, err)
			b.SetBytes(st.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := d.Save(app); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Size())/1e6, "file-MB")
		})
	}
}

// BenchmarkDiskStoreLoad opens the saved star app with DiskStore.Load
// (file in the page cache); MB/s are of file bytes.
func BenchmarkDiskStoreLoad(b *testing.B) {
	for _, rows := range []int{1_000_000, 10_000_000} {
		b.Run(benchName(rows), func(b *testing.B) {
			app := benchApp(b, rows)
			d, err := qix.NewDiskStore(b.TempDir(), qix.DiskStoreOptions{})
			require.NoError(b, err)
			require.NoError(b, d.Save(app))
			st, err := os.Stat(filepath.Join(d.Dir(), qix.AppFileName(app.ID)))
			require.NoError(b, err)
			b.SetBytes(st.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := d.Load(app.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
