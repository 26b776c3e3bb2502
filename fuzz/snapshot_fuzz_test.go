package fuzz

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/symbols"
)

// maxFuzzModelBytes bounds what one input may make the readers allocate
// for a model.
const maxFuzzModelBytes = 64 << 20

// FuzzSnapshotOpen feeds arbitrary bytes to the model snapshot reader
// (engine.ReadModel) and to the app file reader (qix.ReadApp). Reading
// must fail with a corruption, version or size error, or succeed, never
// panic; a model read must write back and read back to the same bytes.
// Seeds: the version-1 golden snapshot of package engine, snapshots of
// small models (NULLs, a loose table, a synthetic key, odd values) and app
// files holding them.
func FuzzSnapshotOpen(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("..", "engine", "testdata", "snapshot", "v1.model"))
	require.NoError(f, err)
	f.Add(golden)
	for _, m := range seedModels(f) {
		var buf bytes.Buffer
		_, err := m.WriteTo(&buf)
		require.NoError(f, err)
		f.Add(buf.Bytes())
		f.Add(appFile(f, m))
	}
	f.Add(appFile(f, nil))

	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := engine.ReadModel(bytes.NewReader(data), engine.ReadOptions{MaxBytes: maxFuzzModelBytes})
		if err != nil {
			require.True(t, errors.Is(err, engine.ErrSnapshotCorrupt) || errors.Is(err, engine.ErrSnapshotVersion) ||
				errors.Is(err, engine.ErrSnapshotTooLarge), "unexpected kind of error: %v", err)
		} else {
			var a, b bytes.Buffer
			_, err := m.WriteTo(&a)
			require.NoError(t, err, "a model read must write back")
			back, err := engine.ReadModel(bytes.NewReader(a.Bytes()), engine.ReadOptions{})
			require.NoError(t, err, "a model written must read back")
			_, err = back.WriteTo(&b)
			require.NoError(t, err)
			require.Equal(t, a.Bytes(), b.Bytes())
		}

		app, err := qix.ReadApp(bytes.NewReader(data), qix.AppReadOptions{MaxModelBytes: maxFuzzModelBytes})
		if err != nil {
			require.True(t, errors.Is(err, qix.ErrAppFileCorrupt) || errors.Is(err, qix.ErrAppFileVersion) ||
				errors.Is(err, engine.ErrSnapshotVersion) || errors.Is(err, engine.ErrSnapshotTooLarge),
				"unexpected kind of error: %v", err)
			return
		}
		require.NotEmpty(t, app.ID)
	})
}

// seedModels are small models with the structures a snapshot holds.
func seedModels(f *testing.F) []*engine.Model {
	f.Helper()
	var out []*engine.Model
	empty, err := engine.NewBuilder(engine.Options{NoSystemTables: true}).Build()
	require.NoError(f, err)
	out = append(out, empty)
	for _, p := range []symbols.Policy{symbols.Compact, symbols.Bytes} {
		b := engine.NewBuilder(engine.Options{Packing: p})
		facts, err := b.NewTable("Facts", "K1", "K2", "Value")
		require.NoError(f, err)
		dims, err := b.NewTable("Dims", "K1", "K2", "Label")
		require.NoError(f, err)
		loose, err := b.NewTable("Loose", "Value", "Note")
		require.NoError(f, err)
		for i := range 40 {
			var v any = float64(i) / 3
			if i%9 == 0 {
				v = nil
			}
			require.NoError(f, facts.Append(i%5, i%3, v))
			require.NoError(f, dims.Append(i%4, i%3, "l\"ab\u00e9l "+strconv.Itoa(i%6)))
			require.NoError(f, loose.Append(v, symbols.NumText(float64(i), "#"+strconv.Itoa(i))))
		}
		b.Loosen("Loose")
		m, err := b.Build()
		require.NoError(f, err)
		out = append(out, m)
	}
	return out
}

// appFile returns the bytes of an app file holding m (nil: no model).
func appFile(f *testing.F, m *engine.Model) []byte {
	f.Helper()
	path := filepath.Join(f.TempDir(), "seed.assoc")
	app := &qix.AppSnapshot{ID: "seed", Title: "Seed", Script: "LOAD 1 AS x AUTOGENERATE 1;", Model: m,
		Properties: []byte(`{"qTitle":"Seed"}`), Objects: [][]byte{[]byte(`{"qInfo":{"qId":"s","qType":"sheet"}}`)},
		States: []string{"A"}, Variables: map[string]string{"v": "1"}}
	require.NoError(f, qix.WriteAppFile(path, app))
	data, err := os.ReadFile(path)
	require.NoError(f, err)
	return data
}
