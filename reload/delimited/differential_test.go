package delimited

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// csvRows reads in with encoding/csv (variable field counts).
func csvRows(tb testing.TB, in string, comma rune, lazy bool) ([][]string, error) {
	tb.Helper()
	r := csv.NewReader(strings.NewReader(in))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = lazy
	r.ReuseRecord = false
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, rec)
	}
}

// requireSameRows compares our result (no labels) with encoding/csv's
// records: the width is that of the first record, shorter records are
// padded with absent fields, longer ones truncated and reported as ragged.
func requireSameRows(tb testing.TB, want [][]string, got result, crlf bool, msg string) {
	tb.Helper()
	require.Len(tb, got.Rows, len(want), msg)
	if len(want) == 0 {
		return
	}
	width := len(want[0])
	require.Len(tb, got.Names, width, msg)
	var ragged []string
	for i, rec := range want {
		row := make([]string, width)
		for c := range row {
			if c < len(rec) {
				row[c] = rec[c]
			} else {
				row[c] = absent
			}
		}
		gotRow := got.Rows[i]
		if crlf {
			// encoding/csv turns CR LF inside quoted fields into LF; we
			// keep the bytes.
			gotRow = append([]string(nil), gotRow...)
			for c := range gotRow {
				gotRow[c] = strings.ReplaceAll(gotRow[c], "\r\n", "\n")
			}
		}
		require.Equal(tb, row, gotRow, "%s: record %d", msg, i+1)
		if len(rec) != width {
			ragged = append(ragged, fmt.Sprintf("%d:%d", i+1, len(rec)))
		}
	}
	require.Equal(tb, ragged, got.Ragged, msg)
}

// TestDifferentialRFC4180 writes random records with encoding/csv (which
// quotes as RFC 4180 requires) and requires MSQ parsing to read them back
// exactly as encoding/csv does.
func TestDifferentialRFC4180(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 37))
	pieces := []string{"a", "bc", "1.5", " ", ",", ";", "\"", "\n", "'", "\t", "é", "\"\"", "x y", "#"}
	n := 400
	if testing.Short() {
		n = 50
	}
	for i := range n {
		comma := []rune{',', ';', '\t', '|'}[i%4]
		crlf := i%3 == 0
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = comma
		w.UseCRLF = crlf
		width := 1 + rng.IntN(6)
		for range rng.IntN(30) {
			nf := width
			if rng.IntN(8) == 0 {
				nf = 1 + rng.IntN(8) // ragged
			}
			rec := make([]string, nf)
			for c := range rec {
				var sb strings.Builder
				for range rng.IntN(5) {
					sb.WriteString(pieces[rng.IntN(len(pieces))])
				}
				rec[c] = sb.String()
			}
			if nf == 1 && strings.TrimSpace(rec[0]) == "" {
				rec[0] = "z" // encoding/csv would write a blank line, which both skip
			}
			require.NoError(t, w.Write(rec))
		}
		w.Flush()
		in := buf.String()
		want, err := csvRows(t, in, comma, false)
		require.NoError(t, err)
		got := readAll(t, in, Format{Delimiter: string(comma), Labels: LabelsNone}, allConfigs[:5], Options{})
		require.Empty(t, got.Err)
		requireSameRows(t, want, got, crlf, in)
	}
}

// TestDifferentialLazy compares MSQ parsing with encoding/csv's LazyQuotes
// mode on random text of quotes, delimiters and line feeds, where both
// define the same result: quotes inside unquoted fields are data, and so are
// quotes inside quoted fields that do not end them.
func TestDifferentialLazy(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 43))
	alphabet := "ab,\"\n"
	n := 5000
	if testing.Short() {
		n = 500
	}
	compared := 0
	for range n {
		b := make([]byte, rng.IntN(30))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		in := string(b)
		got := read(t, in, Format{Labels: LabelsNone}, Options{}, false)
		if got.Err != "" {
			// Only an open quote at the end is an error here, and
			// encoding/csv's lazy mode accepts it.
			require.Contains(t, got.Err, ErrUnterminatedQuote.Error())
			continue
		}
		want, err := csvRows(t, in, ',', true)
		require.NoError(t, err, "%q", in)
		requireSameRows(t, want, got, false, in)
		compared++
	}
	require.Greater(t, compared, n/3)
}
