package fuzz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/reload"
)

// runColumnarFile runs a tiny script that loads data as the file name:
// the reload must answer with a model or a *reload.Error — never a
// panic, never an internal error — and stay within its limits.
func runColumnarFile(t *testing.T, name, script string, data []byte) {
	if len(data) > 1<<16 {
		return
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := reload.Run(ctx, reload.Request{
		Script:      script,
		Connections: map[string]string{"d": dir},
		AllowDirs:   []string{dir},
		Limits:      reload.Limits{MaxRows: 100_000, MaxMemory: 64 << 20, MaxDuration: 3 * time.Second},
	})
	if err != nil {
		var re *reload.Error
		if !errors.As(err, &re) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if errors.Is(err, reload.ErrInternal) {
			t.Fatalf("internal error: %v", re.Err)
		}
		if res != nil {
			t.Fatal("a failed reload returned a result")
		}
		return
	}
	if res == nil || res.Model == nil {
		t.Fatal("no model and no error")
	}
}

// columnarSeeds adds the small Parquet and Arrow files of
// reload/testdata/data that have the given extensions.
func columnarSeeds(f *testing.F, exts ...string) {
	for _, ext := range exts {
		files, err := filepath.Glob(filepath.Join("..", "reload", "testdata", "data", "*."+ext))
		require.NoError(f, err)
		require.NotEmpty(f, files)
		for _, p := range files {
			b, err := os.ReadFile(p)
			require.NoError(f, err)
			f.Add(b)
		}
	}
}

// The seeds are a few KB, so minimizing a new input takes long: run these
// targets with a short -fuzzminimizetime, for example
//
//	go test ./fuzz -run '^$' -fuzz FuzzParquetSource -fuzztime 20s -fuzzminimizetime 2s

// FuzzParquetSource loads arbitrary bytes as a Parquet file (the Parquet
// source of reload: footer, schema, row groups, pages, dictionaries).
// Seeds: orders.parquet (three row groups, dictionary pages, decimals,
// dates, timestamps, NULLs) and a few broken prefixes of it.
func FuzzParquetSource(f *testing.F) {
	columnarSeeds(f, "parquet")
	f.Add([]byte("PAR1PAR1"))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		runColumnarFile(t, "f.parquet", "T: LOAD * FROM [lib://d/f.parquet] (parquet);\nU: LOAD Count(*) AS n RESIDENT T;", data)
	})
}

// FuzzIPCSource loads arbitrary bytes as an Arrow IPC file or stream.
// Seeds: orders.arrow (file, a dictionary column) and orders.arrows
// (stream of three batches).
func FuzzIPCSource(f *testing.F) {
	columnarSeeds(f, "arrow", "arrows")
	f.Add([]byte("ARROW1\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		runColumnarFile(t, "f.arrow", "T: LOAD * FROM [lib://d/f.arrow] (ipc);", data)
	})
}
