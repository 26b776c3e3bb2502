package fuzz

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/reload/qvd"
	"github.com/assocengine/assoc/symbols"
)

// FuzzQVDRead feeds arbitrary bytes to the QVD reader. Reading must fail
// with an error or succeed, never panic; a table it returns must be
// consistent, must write back, and must read back with the same values.
// Seeds: the QVD files in reload/qvd/testdata (Qlik-written and
// writer-made) but AAPL.qvd, whose 418 KB make mutation slow, and a small
// written table whose records are wider than 8 bytes, as AAPL's are.
func FuzzQVDRead(f *testing.F) {
	seeds, err := filepath.Glob("../reload/qvd/testdata/*.qvd")
	require.NoError(f, err)
	require.NotEmpty(f, seeds)
	for _, path := range seeds {
		if filepath.Base(path) == "AAPL.qvd" {
			continue
		}
		data, err := os.ReadFile(path)
		require.NoError(f, err)
		f.Add(data)
	}
	f.Add(wideQVD(f))
	// Bounded so that a tiny input cannot ask for a huge table of
	// constant fields (RecordByteSize 0).
	opts := qvd.Options{MaxUnbackedRecords: 1 << 16}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, herr := qvd.ParseHeader(data)
		h2, rerr := qvd.ReadHeader(bytes.NewReader(data))
		require.Equal(t, herr == nil, rerr == nil, "ParseHeader and ReadHeader disagree: %v / %v", herr, rerr)
		if herr == nil {
			require.Equal(t, h, h2)
		}
		tb, err := qvd.Decode(data, opts)
		if err != nil {
			return
		}
		require.NoError(t, herr, "Decode accepted a header ParseHeader rejects")
		for _, fl := range tb.Fields {
			require.Equal(t, tb.Records, fl.Column.Len())
			require.LessOrEqual(t, fl.Column.MaxCode(), uint32(len(fl.Symbols)))
		}
		var buf bytes.Buffer
		require.NoError(t, qvd.Write(&buf, tb, qvd.WriteOptions{}), "a table read must write back")
		back, err := qvd.Decode(buf.Bytes(), opts)
		require.NoError(t, err, "a written table must read back")
		require.Equal(t, tb.Records, back.Records)
		require.Len(t, back.Fields, len(tb.Fields))
		for i, fl := range tb.Fields {
			bf := back.Fields[i]
			require.Equal(t, fl.Name, bf.Name)
			for r := range tb.Records {
				a, aok := fl.Value(r)
				b, bok := bf.Value(r)
				require.Equal(t, aok, bok, "field %q row %d NULL-ness", fl.Name, r)
				if aok {
					require.True(t, sameValue(a, b), "field %q row %d: %#v became %#v", fl.Name, r, a, b)
				}
			}
		}
	})
}

// wideQVD writes a 6-row table of 24 fields of 3 bits each (five
// symbols — numbers, texts and duals — and a NULL): 72-bit records.
func wideQVD(f *testing.F) []byte {
	tb := &qvd.Table{Name: "Wide", Records: 6}
	for i := range 24 {
		syms := []symbols.Dual{
			symbols.Number(float64(i)), symbols.Number(float64(i) + 0.5), symbols.Text(fmt.Sprint("t", i)),
			symbols.NumText(float64(i), fmt.Sprint("#", i)), symbols.Text(""),
		}
		codes := []uint32{uint32(i%5 + 1), 0, 1, 2, 3, 4}
		codes[1+i%5] = 5
		tb.Fields = append(tb.Fields, &qvd.Field{Name: fmt.Sprint("F", i), Symbols: syms, Column: symbols.ColumnFromCodes(codes, symbols.Compact)})
	}
	var buf bytes.Buffer
	require.NoError(f, qvd.Write(&buf, tb, qvd.WriteOptions{}))
	h, err := qvd.ParseHeader(buf.Bytes())
	require.NoError(f, err)
	require.Greater(f, h.RecordByteSize, 8)
	return buf.Bytes()
}

func sameValue(a, b symbols.Dual) bool {
	if a.Text != b.Text {
		return false
	}
	if math.IsNaN(a.Num) || math.IsNaN(b.Num) {
		return math.IsNaN(a.Num) && math.IsNaN(b.Num)
	}
	return math.Float64bits(a.Num) == math.Float64bits(b.Num)
}
