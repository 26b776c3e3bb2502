package demo

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/reload/script"
)

func TestExtract(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, Extract(dir))
	tests := []struct {
		file   string
		header []string
		rows   int
		first  []string
	}{
		{"flights.csv", []string{"date", "delay", "distance", "origin", "destination"}, 20000,
			[]string{"2001/01/01 00:47", "66", "1750", "DTW", "LAS"}},
		{"airports.csv", []string{"iata", "name", "city", "state", "country", "latitude", "longitude"}, 3376,
			[]string{"00M", "Thigpen", "Bay Springs", "MS", "USA", "31.95376472", "-89.23450472"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join(dir, tt.file))
			require.NoError(t, err)
			defer f.Close()
			recs, err := csv.NewReader(f).ReadAll()
			require.NoError(t, err)
			require.Equal(t, tt.header, recs[0])
			require.Len(t, recs, tt.rows+1)
			require.Equal(t, tt.first, recs[1])
		})
	}
	require.Error(t, Extract(filepath.Join(dir, "missing")), "the directory must exist")
}

// TestScript checks that the demo script parses and that its tables link
// the way its comments say: Flights to OriginAirports through Origin only,
// to DestAirports through Destination only, and the two airport tables not
// at all (a tree: no synthetic key, no circular reference).
func TestScript(t *testing.T) {
	s, err := script.Parse(Script)
	require.NoError(t, err)
	fields := map[string][]string{}
	var files []string
	for _, st := range s.Stmts {
		ld, ok := st.(*script.Load)
		if !ok {
			continue
		}
		require.NotNil(t, ld.Label, "every LOAD is labelled: %s", ld.Text)
		from, ok := ld.Source.(*script.From)
		require.True(t, ok, "every LOAD reads a file: %s", ld.Text)
		files = append(files, from.File.Text)
		for _, f := range ld.Fields {
			name := f.Expr.Src
			if f.Alias != nil {
				name = f.Alias.Text
			}
			fields[ld.Label.Text] = append(fields[ld.Label.Text], name)
		}
	}
	require.Equal(t, []string{"lib://demo/flights.csv", "lib://demo/airports.csv", "lib://demo/airports.csv"}, files)
	for _, f := range files {
		require.True(t, strings.HasPrefix(f, "lib://"+Connection+"/"))
		require.Contains(t, Files, strings.TrimPrefix(f, "lib://"+Connection+"/"))
	}
	shared := func(a, b string) []string {
		var out []string
		for _, f := range fields[a] {
			if slices.Contains(fields[b], f) {
				out = append(out, f)
			}
		}
		return out
	}
	require.Equal(t, []string{"Origin"}, shared("Flights", "OriginAirports"))
	require.Equal(t, []string{"Destination"}, shared("Flights", "DestAirports"))
	require.Empty(t, shared("OriginAirports", "DestAirports"))
}
