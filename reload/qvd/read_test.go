package qvd

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/symbols"
)

// cell is a row value in tests: nil for NULL, else the text and, for a
// number, the number.
type cell = *symbols.Dual

func num(f float64, text string) cell { d := symbols.NumText(f, text); return &d }
func txt(s string) cell               { d := symbols.Text(s); return &d }

// rowsOf returns the table as rows of cells.
func rowsOf(t *Table) [][]cell {
	rows := make([][]cell, t.Records)
	for r := range rows {
		rows[r] = make([]cell, len(t.Fields))
		for i, f := range t.Fields {
			if v, ok := f.Value(r); ok {
				rows[r][i] = &v
			}
		}
	}
	return rows
}

// sameDual compares duals exactly: same text, same number bits (any NaN
// equals any NaN).
func sameDual(a, b symbols.Dual) bool {
	if a.Text != b.Text {
		return false
	}
	if math.IsNaN(a.Num) || math.IsNaN(b.Num) {
		return math.IsNaN(a.Num) && math.IsNaN(b.Num)
	}
	return math.Float64bits(a.Num) == math.Float64bits(b.Num)
}

func requireSameRows(t *testing.T, want, got [][]cell) {
	t.Helper()
	require.Len(t, got, len(want))
	for r := range want {
		require.Len(t, got[r], len(want[r]), "row %d", r)
		for c := range want[r] {
			w, g := want[r][c], got[r][c]
			if w == nil || g == nil {
				require.True(t, w == nil && g == nil, "row %d col %d: want %v, got %v", r, c, w, g)
				continue
			}
			require.True(t, sameDual(*w, *g), "row %d col %d: want %#v, got %#v", r, c, *w, *g)
		}
	}
}

func TestReadQlikFiles(t *testing.T) {
	tb, err := ReadFile("testdata/test_qvd.qvd", Options{})
	require.NoError(t, err)
	require.Equal(t, "TEST", tb.Name)
	require.Equal(t, 12, tb.Records)
	q := func(i int) cell { return txt(fmt.Sprintf("Q%d", (i-1)/3+1)) }
	// Expected values decoded independently (a few lines of Python over
	// the raw bytes) and checked by hand against the CSV the file was made
	// from: doubles 0x05/0x06 keep the loaded text ("10.0"); big integers
	// Qlik could not hold as numbers are texts.
	doubles := []cell{num(1.2, "1.2"), num(10, "10.0"), num(64, "64"), num(0, "0"), num(0, "0"), num(0, "0"),
		num(1, "1"), num(213.95625, "213.95625"), num(2, "2"), num(3, "3"), num(5, "5"), num(1000, "1000")}
	big := []cell{txt("3213821398129038"), num(1241264654654, "1241264654654"), txt("13213154565465464"),
		num(8478784, "8478784"), num(37898975865, "37898975865"), num(999999999, "999999999"),
		txt("765765756865865"), num(54455435435643, "54455435435643"), num(765765775, "765765775"),
		num(4354354343, "4354354343"), num(240, "240"), num(64, "64")}
	var want [][]cell
	for i := 1; i <= 12; i++ {
		want = append(want, []cell{num(float64(i), strconv.Itoa(i)), q(i), doubles[i-1], big[i-1]})
	}
	requireSameRows(t, want, rowsOf(tb))
	require.Equal(t, []string{"$ascii", "$text"}, tb.Field("TEST.Quarter").Tags)
	require.Equal(t, []string{}, tb.Field("TEST.big").Tags)
	require.Len(t, tb.Field("TEST.Month").Symbols, 12)
	require.Contains(t, tb.Lineage, "<Discriminator>INLINE;</Discriminator>")

	tb, err = ReadFile("testdata/test_qvd_null.qvd", Options{})
	require.NoError(t, err)
	want = nil
	someNull := []cell{num(1.2, "1.2"), num(10, "10.0"), num(64, "64"), nil, nil, nil,
		num(1, "1"), num(213.95625, "213.95625"), num(2, "2"), num(3, "3"), num(5, "5"), num(1000, "1000")}
	for i := 1; i <= 12; i++ {
		want = append(want, []cell{num(float64(i), strconv.Itoa(i)), q(i), someNull[i-1], nil})
	}
	requireSameRows(t, want, rowsOf(tb))
	allNull := tb.Field("all Null")
	require.Empty(t, allNull.Symbols)
	for r := range tb.Records {
		require.Zero(t, allNull.Column.Code(r))
	}
	require.Len(t, tb.Field("some_null").Symbols, 9)
}

// TestReadAAPLMatchesCSV compares AAPL.qvd with the CSV it was loaded
// from, row by row. How values compare:
//   - Texts: every field's text equals the CSV text exactly, since Qlik
//     keeps the text a number was read from ("0.0", "6.551188676404236",
//     "2010-01-04") and stores it with the number (0x05/0x06).
//   - Dates: the number is the serial day (days since 1899-12-30) of the
//     CSV's YYYY-MM-DD.
//   - Decimals: the number is within 1 ulp of strconv.ParseFloat of the
//     CSV text, and equal for all but a few: Qlik's decimal parser is not
//     correctly rounded (45 of the 19,222 numbers are 1 ulp off).
func TestReadAAPLMatchesCSV(t *testing.T) {
	tb, err := ReadFile("testdata/AAPL.qvd", Options{})
	require.NoError(t, err)
	f, err := os.Open("testdata/AAPL.csv")
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"Date", "Open", "High", "Low", "Close", "Volume", "Dividends", "Stock Splits"}, recs[0])
	require.Equal(t, len(recs)-1, tb.Records)
	for i, name := range recs[0] {
		require.Equal(t, name, tb.Fields[i].Name)
	}
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	offByOne := 0
	for r, rec := range recs[1:] {
		for c, s := range rec {
			v, ok := tb.Fields[c].Value(r)
			require.True(t, ok, "row %d col %d is NULL", r, c)
			require.Equal(t, s, v.Text, "row %d col %d", r, c)
			if c == 0 {
				d, err := time.Parse("2006-01-02", s)
				require.NoError(t, err)
				require.Equal(t, d.Sub(epoch).Hours()/24, v.Num, "row %d date %s", r, s)
				continue
			}
			want, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			if v.Num != want {
				offByOne++
				require.Equal(t, math.Nextafter(want, v.Num), v.Num, "row %d col %d: %s", r, c, s)
			}
		}
	}
	require.Equal(t, 45, offByOne)
	require.Equal(t, []string{"$numeric", "$integer", "$timestamp", "$date"}, tb.Fields[0].Tags)
}

func TestDecodeSelectedFields(t *testing.T) {
	data := readTestdata(t, "AAPL.qvd")
	all, err := Decode(data, Options{})
	require.NoError(t, err)
	tb, err := Decode(data, Options{Fields: []string{"Volume", "Date"}, Parallelism: 1, Policy: symbols.Bytes})
	require.NoError(t, err)
	require.Len(t, tb.Fields, 2)
	require.Equal(t, "Date", tb.Fields[0].Name, "file order")
	require.Equal(t, "Volume", tb.Fields[1].Name)
	require.Equal(t, symbols.U16, tb.Fields[0].Column.Encoding())
	for _, f := range tb.Fields {
		ref := all.Field(f.Name)
		require.Equal(t, ref.Symbols, f.Symbols)
		for r := range tb.Records {
			require.Equal(t, ref.Column.Code(r), f.Column.Code(r))
		}
	}
	_, err = Decode(data, Options{Fields: []string{"Date", "Price"}})
	require.ErrorContains(t, err, `cannot decode QVD table "Stock": no field "Price" (fields: "Date", "Open",`)
}

// refCodes is the reference decoder: it reads the record bit by bit.
func refCodes(index []byte, n, rbs, off, width int, bias int64, nsym int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		var raw int64
		for b := 0; b < width; b++ {
			bit := off + b
			if index[i*rbs+bit/8]>>(bit%8)&1 == 1 {
				raw |= 1 << b
			}
		}
		idx := raw + bias
		if idx >= 0 && idx < int64(nsym) {
			out[i] = uint32(idx) + 1
		}
	}
	return out
}

func TestDecodeCodesMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 7, 8, 9, 63, 64, 65, 1023, 1024, 1025} {
		for _, rbs := range []int{1, 2, 3, 5, 8, 9, 10, 13, 16, 17} {
			index := make([]byte, n*rbs)
			for i := range index {
				index[i] = byte(r.Uint32())
			}
			for trial := 0; trial < 12; trial++ {
				width := r.IntN(min(8*rbs, maxBitWidth) + 1)
				off := r.IntN(8*rbs - width + 1)
				bias := []int64{0, 0, -2, -1, 3}[r.IntN(5)]
				nsym := []int{1 << width, 1<<width - 1, 1<<width + 5, 0, 1, 3}[r.IntN(6)]
				dst := make([]uint32, n)
				decodeCodes(dst, index, rbs, off, width, bias, nsym)
				require.Equal(t, refCodes(index, n, rbs, off, width, bias, nsym), dst,
					"n=%d rbs=%d off=%d width=%d bias=%d nsym=%d", n, rbs, off, width, bias, nsym)
			}
		}
	}
}

// qvdBytes assembles a QVD from a header and the binary sections.
func qvdBytes(header string, syms, index []byte) []byte {
	b := []byte(header + "\r\n\x00")
	b = append(b, syms...)
	return append(b, index...)
}

// oneFieldHeader returns a header for one field A with the given elements
// (table-level values after the field).
func oneFieldHeader(field, table string) string {
	return "<QvdTableHeader><TableName>T</TableName><Fields><QvdFieldHeader><FieldName>A</FieldName>" + field +
		"</QvdFieldHeader></Fields>" + table + "</QvdTableHeader>"
}

func TestDecodeCorrupt(t *testing.T) {
	okField := "<BitOffset>0</BitOffset><BitWidth>2</BitWidth><Bias>0</Bias><NoOfSymbols>2</NoOfSymbols><Offset>0</Offset><Length>6</Length>"
	okTable := "<RecordByteSize>1</RecordByteSize><NoOfRecords>3</NoOfRecords><Offset>6</Offset><Length>3</Length>"
	okSyms := []byte{4, 'x', 0, 4, 'y', 0}
	okIndex := []byte{0, 1, 0}
	_, err := Decode(qvdBytes(oneFieldHeader(okField, okTable), okSyms, okIndex), Options{})
	require.NoError(t, err, "the base case is valid")

	rep := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			panic("test setup: " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
	tests := []struct {
		name         string
		field, table string
		syms, index  []byte
		opts         Options
		want         string
	}{
		{"unknown symbol type", okField, okTable, []byte{4, 'x', 0, 7, 'y', 0}, okIndex, Options{}, "symbol 2 has unknown type byte 0x07"},
		{"unterminated text", okField, okTable, []byte{4, 'x', 0, 4, 'y', 'z'}, okIndex, Options{}, "has no NUL terminator"},
		{"truncated int", rep(okField, "<Length>6<", "<Length>6<"), okTable, []byte{4, 'x', 0, 1, 1, 0}, okIndex, Options{}, "symbol 2 (type 0x01) truncated"},
		{"truncated float", okField, okTable, []byte{4, 0, 2, 1, 2, 3}, okIndex, Options{}, "symbol 2 (type 0x02) truncated"},
		{"too few symbols", rep(okField, "<NoOfSymbols>2<", "<NoOfSymbols>3<"), okTable, okSyms, okIndex, Options{}, "2 symbols found in 6 bytes, header says 3"},
		{"too many symbols", rep(okField, "<NoOfSymbols>2<", "<NoOfSymbols>1<"), okTable, okSyms, okIndex, Options{}, "3 bytes follow the 1 symbols"},
		{"huge symbol count", rep(okField, "<NoOfSymbols>2<", "<NoOfSymbols>4000000000<"), okTable, okSyms, okIndex, Options{}, "NoOfSymbols 4000000000 cannot fit in 6 bytes"},
		{"field past symbol table", rep(okField, "<Length>6<", "<Length>7<"), okTable, okSyms, okIndex, Options{}, "lie outside the 6-byte symbol table"},
		{"field offset huge", rep(okField, "<Offset>0<", "<Offset>9223372036854775807<"), okTable, okSyms, okIndex, Options{}, "lie outside"},
		{"symbol table past end", okField, rep(okTable, "<Offset>6<", "<Offset>600<"), okSyms, okIndex, Options{}, "runs past the end of the file"},
		{"index truncated", okField, okTable, okSyms, okIndex[:2], Options{}, "index table truncated"},
		{"records × size overflow", okField, rep(rep(okTable, "<NoOfRecords>3<", "<NoOfRecords>4611686018427387904<"), "<RecordByteSize>1<", "<RecordByteSize>8<"), okSyms, okIndex, Options{}, "index table truncated"},
		{"short Length", okField, rep(okTable, "<Length>3<", "<Length>2<"), okSyms, okIndex, Options{}, "<Length> 2 is less than"},
		{"bits beyond record", rep(okField, "<BitOffset>0<", "<BitOffset>7<"), okTable, okSyms, okIndex, Options{}, "bits [7, 9) lie outside the 8-bit record"},
		{"huge bit offset", rep(okField, "<BitOffset>0<", "<BitOffset>9223372036854775807<"), okTable, okSyms, okIndex, Options{}, "lie outside"},
		{"bit width > 32", rep(okField, "<BitWidth>2<", "<BitWidth>40<"), rep(rep(okTable, "<RecordByteSize>1<", "<RecordByteSize>8<"), "<Length>3<", "<Length>24<"), okSyms, make([]byte, 24), Options{}, "BitWidth 40 exceeds 32"},
		{"huge bias", rep(okField, "<Bias>0<", "<Bias>-9223372036854775807<"), okTable, okSyms, okIndex, Options{}, "Bias -9223372036854775807 is out of range"},
		{"huge record size", okField, rep(okTable, "<RecordByteSize>1<", "<RecordByteSize>9000000000000<"), okSyms, okIndex, Options{}, "RecordByteSize 9000000000000 is implausible"},
		{"unbacked records", rep(okField, "<BitWidth>2<", "<BitWidth>0<"), rep(rep(okTable, "<RecordByteSize>1<", "<RecordByteSize>0<"), "<NoOfRecords>3<", "<NoOfRecords>1000000000000<"), okSyms, nil, Options{}, "exceeds the limit of 67108864 records"},
		{"unbacked records option", rep(okField, "<BitWidth>2<", "<BitWidth>0<"), rep(rep(okTable, "<RecordByteSize>1<", "<RecordByteSize>0<"), "<NoOfRecords>3<", "<NoOfRecords>11<"), okSyms, nil, Options{MaxUnbackedRecords: 10}, "exceeds the limit of 10 records"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(qvdBytes(oneFieldHeader(tc.field, tc.table), tc.syms, tc.index), tc.opts)
			require.Error(t, err)
			require.ErrorIs(t, err, ErrFormat)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestDecodeNeverPanics feeds every prefix of a small file and random
// byte flips of all test files to Decode: each must decode or fail with an
// error.
func TestDecodeNeverPanics(t *testing.T) {
	small := readTestdata(t, "test_qvd_null.qvd")
	for n := 0; n < len(small); n++ {
		_, err := Decode(small[:n], Options{})
		require.Error(t, err, "prefix of %d bytes", n)
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, name := range []string{"test_qvd.qvd", "test_qvd_null.qvd", "AAPL.qvd"} {
		data := readTestdata(t, name)
		h, err := ParseHeader(data)
		require.NoError(t, err)
		for trial := 0; trial < 300; trial++ {
			mut := bytes.Clone(data)
			for k := 0; k < 1+r.IntN(4); k++ {
				// Half the flips hit the binary part, half the header.
				var i int
				if r.IntN(2) == 0 {
					i = h.DataStart + r.IntN(len(data)-h.DataStart)
				} else {
					i = r.IntN(h.DataStart)
				}
				mut[i] = byte(r.Uint32())
			}
			tb, err := Decode(mut, Options{})
			if err == nil {
				checkInvariants(t, tb)
			}
		}
	}
}

// checkInvariants checks what every decoded table must satisfy.
func checkInvariants(t *testing.T, tb *Table) {
	t.Helper()
	for _, f := range tb.Fields {
		require.Equal(t, tb.Records, f.Column.Len())
		require.LessOrEqual(t, f.Column.MaxCode(), uint32(len(f.Symbols)))
		for r := range tb.Records {
			require.LessOrEqual(t, f.Column.Code(r), uint32(len(f.Symbols)))
		}
	}
}

func TestDecodeNumberFormatText(t *testing.T) {
	// A FIX field with a pattern: bare numbers get the pattern's text,
	// numbers stored with text keep theirs.
	field := "<BitOffset>0</BitOffset><BitWidth>2</BitWidth><Bias>0</Bias>" +
		"<NumberFormat><Type>FIX</Type><nDec>2</nDec><UseThou>1</UseThou><Fmt>#,##0.00</Fmt><Dec>.</Dec><Thou>,</Thou></NumberFormat>" +
		"<NoOfSymbols>3</NoOfSymbols><Offset>0</Offset><Length>22</Length>"
	table := "<RecordByteSize>1</RecordByteSize><NoOfRecords>3</NoOfRecords><Offset>22</Offset><Length>3</Length>"
	var syms []byte
	syms = append(syms, symInt)
	syms = binary.LittleEndian.AppendUint32(syms, 1234)
	syms = append(syms, symFloat)
	syms = binary.LittleEndian.AppendUint64(syms, math.Float64bits(0.5))
	syms = append(syms, symIntText)
	syms = binary.LittleEndian.AppendUint32(syms, 7)
	syms = append(syms, "7!"...)
	syms = append(syms, 0)
	require.Len(t, syms, 22)
	tb, err := Decode(qvdBytes(oneFieldHeader(field, table), syms, []byte{0, 1, 2}), Options{})
	require.NoError(t, err)
	require.Equal(t, []symbols.Dual{symbols.NumText(1234, "1,234.00"), symbols.NumText(0.5, "0.50"), symbols.NumText(7, "7!")}, tb.Fields[0].Symbols)
	require.Equal(t, "FIX", tb.Fields[0].NumberFormat.Type)
	require.Equal(t, "#,##0.00", tb.Fields[0].NumberFormat.Fmt)
}

func TestReadFileErrors(t *testing.T) {
	_, err := ReadFile("testdata/missing.qvd", Options{})
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = ReadFile("testdata/AAPL.csv", Options{})
	require.ErrorIs(t, err, ErrFormat)
	require.ErrorContains(t, err, "cannot read QVD file testdata/AAPL.csv: invalid QVD")

	tb, err := Read(bytes.NewReader(readTestdata(t, "test_qvd.qvd")), Options{})
	require.NoError(t, err)
	require.Equal(t, 12, tb.Records)
}
