package qvd

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/symbols"
)

var update = flag.Bool("update", false, "rewrite golden files")

var fixedTime = WriteOptions{CreateTime: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)}

// workedExample is the table of spec §6.6: T(A, B) with rows (x, 1),
// (y, NULL), (x, 2).
func workedExample() *Table {
	return &Table{
		Name:    "T",
		Records: 3,
		Fields: []*Field{
			{Name: "A", Symbols: []symbols.Dual{symbols.Text("x"), symbols.Text("y")},
				Column: symbols.ColumnFromCodes([]uint32{1, 2, 1}, symbols.Compact)},
			{Name: "B", Symbols: []symbols.Dual{symbols.Number(1), symbols.Number(2)},
				Column: symbols.ColumnFromCodes([]uint32{1, 0, 2}, symbols.Compact)},
		},
	}
}

func TestWorkedExample(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, workedExample(), fixedTime))
	out := buf.Bytes()

	h, err := ParseHeader(out)
	require.NoError(t, err)
	// Symbols then records, byte for byte as in §6.6.
	require.Equal(t, []byte{
		0x04, 'x', 0x00, 0x04, 'y', 0x00, // A: x, y
		0x01, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, // B: 1, 2
		0x04, 0x01, 0x06, // records
	}, out[h.DataStart:])
	require.Equal(t, "\r\n\x00", string(out[h.DataStart-3:h.DataStart]))
	require.Equal(t, []FieldHeader{
		{Name: "A", BitOffset: 0, BitWidth: 1, Bias: 0, NumberFormat: NumberFormat{Type: "UNKNOWN"},
			NoOfSymbols: 2, Offset: 0, Length: 6, Tags: []string{"$ascii", "$text"}},
		{Name: "B", BitOffset: 1, BitWidth: 2, Bias: -2, NumberFormat: NumberFormat{Type: "UNKNOWN"},
			NoOfSymbols: 2, Offset: 6, Length: 10, Tags: []string{"$numeric", "$integer"}},
	}, h.Fields)
	require.Equal(t, 1, h.RecordByteSize)
	require.Equal(t, 3, h.NoOfRecords)
	require.Equal(t, 16, h.Offset)
	require.Equal(t, 3, h.Length)
	require.Equal(t, "2024-01-01 12:00:00", h.CreateUtcTime)
	require.Equal(t, DefaultQvBuildNo, h.QvBuildNo)

	// Decoding row 2: A is y, B is NULL.
	tb, err := Decode(out, Options{})
	require.NoError(t, err)
	requireSameRows(t, [][]cell{
		{txt("x"), num(1, "1")},
		{txt("y"), nil},
		{txt("x"), num(2, "2")},
	}, rowsOf(tb))

	// The whole file, header included, is pinned by a golden file.
	golden := "testdata/worked_example.qvd"
	if *update {
		require.NoError(t, os.WriteFile(golden, out, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run with -update to create the golden file")
	require.Equal(t, string(want), string(out))
}

func TestHeaderLayout(t *testing.T) {
	var buf bytes.Buffer
	tb := workedExample()
	tb.Comment = "a <comment> & more\rline"
	tb.Fields[0].Comment = "field comment"
	require.NoError(t, Write(&buf, tb, WriteOptions{CreateTime: fixedTime.CreateTime, CreatorDoc: "doc-id", QvBuildNo: "12345"}))
	out := buf.String()
	hdr := out[:strings.Index(out, "\x00")]
	lines := strings.Split(hdr, "\r\n")
	require.Equal(t, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`, lines[0])
	require.Equal(t, " <QvdTableHeader>", lines[1])
	require.Equal(t, "   <QvBuildNo>12345</QvBuildNo>", lines[2])
	require.Equal(t, "   <CreatorDoc>doc-id</CreatorDoc>", lines[3])
	require.Equal(t, "     <QvdFieldHeader>", lines[11])
	require.Equal(t, "       <FieldName>A</FieldName>", lines[12])
	require.Equal(t, "         <Type>UNKNOWN</Type>", lines[17])
	require.Equal(t, " </QvdTableHeader>", lines[len(lines)-2])
	require.Equal(t, "", lines[len(lines)-1], "header ends with \\r\\n before the NUL")
	require.NotContains(t, strings.ReplaceAll(hdr, "\r\n", ""), "\n", "only CRLF line ends")
	require.Contains(t, hdr, "<Comment>a &lt;comment&gt; &amp; more&#xD;line</Comment>")

	h, err := ParseHeader(buf.Bytes())
	require.NoError(t, err)
	require.Equal(t, tb.Comment, h.Comment)
	require.Equal(t, "field comment", h.Fields[0].Comment)
	require.Equal(t, "doc-id", h.CreatorDoc)
	require.Equal(t, "-1", h.SourceFileSize)
}

func TestSymbolTypes(t *testing.T) {
	plain := newNumberTexter(NumberFormat{})
	fixed := newNumberTexter(NumberFormat{Type: "FIX", Fmt: "0.00"})
	le32 := func(v int32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	le64 := func(f float64) []byte {
		b := make([]byte, 8)
		u := math.Float64bits(f)
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		return b
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name   string
		d      symbols.Dual
		texter *numberTexter
		want   []byte
	}{
		{"text", symbols.Text("abc"), &plain, []byte("\x04abc\x00")},
		{"empty text", symbols.Text(""), &plain, []byte("\x04\x00")},
		{"int", symbols.Number(42), &plain, cat([]byte{1}, le32(42))},
		{"negative int", symbols.Number(-7), &plain, cat([]byte{1}, le32(-7))},
		{"int32 max", symbols.Number(math.MaxInt32), &plain, cat([]byte{1}, le32(math.MaxInt32))},
		{"beyond int32", symbols.Number(math.MaxInt32 + 1), &plain, cat([]byte{2}, le64(math.MaxInt32+1))},
		{"float", symbols.Number(1.5), &plain, cat([]byte{2}, le64(1.5))},
		{"minus zero keeps its sign", symbols.Number(math.Copysign(0, -1)), &plain, cat([]byte{2}, le64(math.Copysign(0, -1)))},
		{"infinity", symbols.Number(math.Inf(1)), &plain, cat([]byte{2}, le64(math.Inf(1)))},
		{"dual int", symbols.NumText(10, "10.0"), &plain, cat([]byte{5}, le32(10), []byte("10.0\x00"))},
		{"dual float", symbols.NumText(0.5, "half"), &plain, cat([]byte{6}, le64(0.5), []byte("half\x00"))},
		{"dual with empty text", symbols.NumText(3, ""), &plain, cat([]byte{5}, le32(3), []byte{0})},
		{"format text is default", symbols.NumText(3, "3.00"), &fixed, cat([]byte{1}, le32(3))},
		{"plain text under a format", symbols.NumText(3, "3"), &fixed, cat([]byte{5}, le32(3), []byte("3\x00"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := appendSymbol(nil, tc.d, tc.texter)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, err := appendSymbol(nil, symbols.Text("a\x00b"), &plain)
	require.ErrorContains(t, err, "contains a NUL byte")
	_, err = appendSymbol(nil, symbols.NumText(1, "a\x00b"), &plain)
	require.ErrorContains(t, err, "contains a NUL byte")
}

func TestComputedTags(t *testing.T) {
	tests := []struct {
		name string
		nf   NumberFormat
		syms []symbols.Dual
		want []string
	}{
		{"none", NumberFormat{}, nil, []string{}},
		{"ints", NumberFormat{}, []symbols.Dual{symbols.Number(1), symbols.NumText(2, "02")}, []string{"$numeric", "$integer"}},
		{"numbers", NumberFormat{}, []symbols.Dual{symbols.Number(1), symbols.Number(2.5)}, []string{"$numeric"}},
		{"dates", NumberFormat{Type: "DATE"}, []symbols.Dual{symbols.NumText(40182, "2010-01-04")}, []string{"$numeric", "$integer", "$timestamp", "$date"}},
		{"timestamps", NumberFormat{Type: "TIMESTAMP"}, []symbols.Dual{symbols.NumText(40182.5, "x")}, []string{"$numeric", "$timestamp"}},
		{"ascii texts", NumberFormat{}, []symbols.Dual{symbols.Text("a"), symbols.Text("b")}, []string{"$ascii", "$text"}},
		{"texts", NumberFormat{}, []symbols.Dual{symbols.Text("a"), symbols.Text("é")}, []string{"$text"}},
		{"mixed", NumberFormat{}, []symbols.Dual{symbols.Text("a"), symbols.Number(1)}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var st symbolStats
			for _, d := range tc.syms {
				st.add(d)
			}
			require.Equal(t, tc.want, st.tags(tc.nf))
		})
	}
}

// genTable builds a random table exercising every symbol kind, NULLs,
// fields with 0, 1, 2 and many symbols, and many fields (records wider
// than 64 bits).
func genTable(r *rand.Rand) *Table {
	n := []int{0, 1, 2, 3, 17, 64, 65, 200, 1000}[r.IntN(9)]
	t := &Table{Name: fmt.Sprintf("T%d", r.IntN(100)), Records: n}
	nf := 1 + r.IntN(8)
	if r.IntN(3) == 0 {
		// Many fields with many symbols: records wider than 64 bits.
		nf = 12 + r.IntN(12)
		n = 200 + r.IntN(800)
		t.Records = n
	}
	for i := 0; i < nf; i++ {
		f := &Field{Name: fmt.Sprintf("F%d <&>", i)}
		kind := r.IntN(9)
		nsym := []int{0, 1, 2, 3, 5, 100, 700}[r.IntN(7)]
		seen := map[string]bool{}
		for len(f.Symbols) < nsym {
			var d symbols.Dual
			switch kind {
			case 0: // texts, some non-ASCII, some empty
				d = symbols.Text([]string{"", "a", "é", "x y", "日本"}[r.IntN(5)] + fmt.Sprint(r.IntN(5000)))
			case 1: // ints, some beyond int32
				d = symbols.Number(float64(r.Int64N(1<<40) - 1<<39))
			case 2: // floats, with -0 and infinities
				d = symbols.Number([]float64{r.NormFloat64() * 1e6, r.Float64(), math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1e300}[r.IntN(6)])
			case 3: // duals
				v := float64(r.IntN(100000))
				if r.IntN(2) == 0 {
					v += 0.25
				}
				d = symbols.NumText(v, fmt.Sprintf("#%v", v))
			case 4: // a simple number format: texts follow it or not
				f.NumberFormat = NumberFormat{Type: "FIX", NDec: 2, Fmt: "#,##0.00", Dec: ".", Thou: ","}
				v := float64(r.IntN(1e7)) / 4
				tx := newNumberTexter(f.NumberFormat)
				d = symbols.NumText(v, tx.text(v))
				if r.IntN(3) == 0 {
					d.Text = symbols.FormatNumber(v)
				}
			case 5: // dates under a date format
				f.NumberFormat = NumberFormat{Type: "DATE", Fmt: "YYYY-MM-DD"}
				v := float64(30000 + r.IntN(20000))
				tx := newNumberTexter(f.NumberFormat)
				d = symbols.NumText(v, tx.text(v))
			default: // mixed
				switch r.IntN(3) {
				case 0:
					d = symbols.Text(fmt.Sprint("t", r.IntN(9999)))
				case 1:
					d = symbols.Number(float64(r.IntN(9999)))
				default:
					d = symbols.NumText(r.Float64(), fmt.Sprint("d", r.IntN(9999)))
				}
			}
			key := fmt.Sprintf("%x|%s", math.Float64bits(d.Num), d.Text)
			if !seen[key] {
				seen[key] = true
				f.Symbols = append(f.Symbols, d)
			}
		}
		if r.IntN(4) == 0 {
			f.Tags = []string{"$key", "custom tag"}
		}
		if r.IntN(4) == 0 {
			f.Comment = "comment\nwith lines"
		}
		nullPct := []int{0, 0, 10, 50, 100}[r.IntN(5)]
		codes := make([]uint32, n)
		for j := range codes {
			if len(f.Symbols) == 0 || r.IntN(100) < nullPct {
				continue
			}
			codes[j] = uint32(r.IntN(len(f.Symbols)) + 1)
		}
		f.Column = symbols.ColumnFromCodes(codes, []symbols.Policy{symbols.Compact, symbols.Bytes}[r.IntN(2)])
		t.Fields = append(t.Fields, f)
	}
	return t
}

// expectWritten is a naive model of what Write stores: per field the
// used symbols in their given order, codes renumbered to them.
func expectWritten(t *Table) *Table {
	out := &Table{Name: t.Name, Records: t.Records, Comment: t.Comment, Lineage: t.Lineage}
	for _, f := range t.Fields {
		used := make([]bool, len(f.Symbols)+1)
		for r := range t.Records {
			used[f.Column.Code(r)] = true
		}
		newCode := make([]uint32, len(used))
		g := &Field{Name: f.Name, NumberFormat: f.NumberFormat, Tags: f.Tags, Comment: f.Comment}
		for c := 1; c < len(used); c++ {
			if used[c] {
				g.Symbols = append(g.Symbols, f.Symbols[c-1])
				newCode[c] = uint32(len(g.Symbols))
			}
		}
		codes := make([]uint32, t.Records)
		for r := range codes {
			codes[r] = newCode[f.Column.Code(r)]
		}
		g.Column = symbols.ColumnFromCodes(codes, symbols.Compact)
		out.Fields = append(out.Fields, g)
	}
	return out
}

// requireSameTable compares tables field by field: names, formats,
// comments, tags (when want has them), symbols (exactly, see sameDual) in
// order, and codes.
func requireSameTable(t *testing.T, want, got *Table) {
	t.Helper()
	require.Equal(t, want.Name, got.Name)
	require.Equal(t, want.Records, got.Records)
	require.Equal(t, want.Comment, got.Comment)
	require.Equal(t, want.Lineage, got.Lineage)
	require.Len(t, got.Fields, len(want.Fields))
	for i, w := range want.Fields {
		g := got.Fields[i]
		require.Equal(t, w.Name, g.Name)
		nf := w.NumberFormat
		if nf.Type == "" {
			nf.Type = "UNKNOWN"
		}
		require.Equal(t, nf, g.NumberFormat, "field %q", w.Name)
		require.Equal(t, w.Comment, g.Comment, "field %q", w.Name)
		if w.Tags != nil {
			require.Equal(t, w.Tags, g.Tags, "field %q", w.Name)
		}
		require.Len(t, g.Symbols, len(w.Symbols), "field %q", w.Name)
		for k := range w.Symbols {
			require.True(t, sameDual(w.Symbols[k], g.Symbols[k]), "field %q symbol %d: want %#v, got %#v", w.Name, k, w.Symbols[k], g.Symbols[k])
		}
		for r := range want.Records {
			require.Equal(t, w.Column.Code(r), g.Column.Code(r), "field %q row %d", w.Name, r)
		}
	}
}

func TestRoundTripRandomTables(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	wide := 0
	for trial := 0; trial < 300; trial++ {
		tb := genTable(r)
		var buf bytes.Buffer
		require.NoError(t, Write(&buf, tb, fixedTime), "trial %d", trial)
		got, err := Decode(buf.Bytes(), Options{Parallelism: 1 + r.IntN(3)})
		require.NoError(t, err, "trial %d", trial)
		requireSameTable(t, expectWritten(tb), got)
		if got.Header.RecordByteSize > 8 {
			wide++
		}
		// Computed tags agree with the written symbols.
		for i, f := range tb.Fields {
			if f.Tags == nil {
				var st symbolStats
				for _, d := range got.Fields[i].Symbols {
					st.add(d)
				}
				require.Equal(t, st.tags(f.NumberFormat), got.Fields[i].Tags)
			}
		}
		// Writing what was read gives the same bytes.
		var again bytes.Buffer
		require.NoError(t, Write(&again, got, fixedTime))
		require.Equal(t, buf.Bytes(), again.Bytes(), "trial %d", trial)
	}
	require.GreaterOrEqual(t, wide, 5, "records wider than 64 bits are exercised")
}

func TestWriteBitWidths(t *testing.T) {
	col := func(codes ...uint32) *symbols.Column { return symbols.ColumnFromCodes(codes, symbols.Compact) }
	nums := func(n int) []symbols.Dual {
		s := make([]symbols.Dual, n)
		for i := range s {
			s[i] = symbols.Number(float64(i))
		}
		return s
	}
	tb := &Table{Name: "W", Records: 4, Fields: []*Field{
		{Name: "const", Symbols: nums(1), Column: col(1, 1, 1, 1)},    // width 0
		{Name: "allnull", Symbols: nums(0), Column: col(0, 0, 0, 0)},  // width 0, Bias -2
		{Name: "unused", Symbols: nums(3), Column: col(2, 2, 2, 2)},   // two symbols dropped: width 0
		{Name: "two", Symbols: nums(2), Column: col(1, 2, 1, 2)},      // width 1
		{Name: "nullable", Symbols: nums(1), Column: col(0, 1, 0, 1)}, // raw 0 and 2: width 2
		{Name: "four", Symbols: nums(4), Column: col(1, 2, 3, 4)},     // width 2
	}}
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, tb, fixedTime))
	h, err := ParseHeader(buf.Bytes())
	require.NoError(t, err)
	type fw struct{ width, offset, bias, nsym int }
	var got []fw
	for _, f := range h.Fields {
		got = append(got, fw{f.BitWidth, f.BitOffset, f.Bias, f.NoOfSymbols})
	}
	require.Equal(t, []fw{{0, 0, 0, 1}, {0, 0, -2, 0}, {0, 0, 0, 1}, {1, 0, 0, 2}, {2, 1, -2, 1}, {2, 3, 0, 4}}, got)
	require.Equal(t, 1, h.RecordByteSize)
	got2, err := Decode(buf.Bytes(), Options{})
	require.NoError(t, err)
	requireSameTable(t, expectWritten(tb), got2)

	// Only width-0 fields: no index bytes at all.
	codes := make([]uint32, 1000)
	for i := range codes {
		codes[i] = 1
	}
	tb = &Table{Name: "Z", Records: len(codes), Fields: []*Field{
		{Name: "c", Symbols: nums(1), Column: symbols.ColumnFromCodes(codes, symbols.Compact)},
	}}
	buf.Reset()
	require.NoError(t, Write(&buf, tb, fixedTime))
	h, err = ParseHeader(buf.Bytes())
	require.NoError(t, err)
	require.Equal(t, 0, h.RecordByteSize)
	require.Equal(t, 0, h.Length)
	require.Equal(t, len(buf.Bytes()), h.DataStart+h.Offset)
	got2, err = Decode(buf.Bytes(), Options{})
	require.NoError(t, err)
	requireSameTable(t, tb, got2)
}

func TestRewriteQlikFiles(t *testing.T) {
	for _, name := range []string{"AAPL.qvd", "test_qvd.qvd", "test_qvd_null.qvd"} {
		t.Run(name, func(t *testing.T) {
			orig, err := ReadFile("testdata/"+name, Options{})
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, Write(&buf, orig, fixedTime))
			got, err := Decode(buf.Bytes(), Options{})
			require.NoError(t, err)
			requireSameTable(t, orig, got)
			require.Equal(t, orig.Header.TableName, got.Header.TableName)
			// Duals whose text is the default rendering ("1" for 1) are
			// stored as bare numbers, so the symbol table never grows.
			require.LessOrEqual(t, got.Header.Offset, orig.Header.Offset)
		})
	}
}

func TestWriteErrors(t *testing.T) {
	base := func() *Table { return workedExample() }
	tests := []struct {
		name   string
		modify func(*Table)
		want   string
	}{
		{"negative records", func(t *Table) { t.Records = -1 }, "negative record count"},
		{"nil field", func(t *Table) { t.Fields[1] = nil }, "field 2 is nil"},
		{"no column", func(t *Table) { t.Fields[0].Column = nil }, `field "A": no column for 3 records`},
		{"short column", func(t *Table) { t.Records = 4 }, `field "A": column has 3 rows, table has 4`},
		{"code out of range", func(t *Table) { t.Fields[0].Symbols = t.Fields[0].Symbols[:1] }, `field "A": row 1 has code 2 but the field has 1 symbols`},
		{"NUL in text", func(t *Table) { t.Fields[0].Symbols[1] = symbols.Text("y\x00") }, `field "A": symbol 1: text "y\x00" contains a NUL byte`},
		{"control char in name", func(t *Table) { t.Fields[0].Name = "A\x01" }, "character U+0001 at byte 1 is not allowed in XML"},
		{"invalid UTF-8 in table name", func(t *Table) { t.Name = "T\xff" }, "invalid UTF-8 at byte 1"},
		{"bad lineage", func(t *Table) { t.Lineage = "<LineageInfo>" }, "lineage is not well-formed XML"},
		{"lineage closing the element", func(t *Table) { t.Lineage = "</Lineage><X>" }, "lineage is not well-formed XML"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := base()
			tc.modify(tb)
			var buf bytes.Buffer
			err := Write(&buf, tb, fixedTime)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	// A failing writer is reported.
	err := Write(failingWriter{}, base(), fixedTime)
	require.ErrorContains(t, err, `cannot write QVD table "T": disk full`)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestNewField(t *testing.T) {
	syms := []symbols.Dual{symbols.Text("a"), symbols.Number(2)}
	f, err := NewField("F", syms, []uint32{0, 1, 2, 2})
	require.NoError(t, err)
	require.Equal(t, []uint32{0, 1, 2, 2}, f.Codes())
	require.Equal(t, symbols.Packed, f.Column.Encoding())
	tb := &Table{Name: "N", Records: 4, Fields: []*Field{f}}
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, tb, fixedTime))
	got, err := Decode(buf.Bytes(), Options{})
	require.NoError(t, err)
	require.Equal(t, []uint32{0, 1, 2, 2}, got.Fields[0].Codes())
	requireSameTable(t, tb, got)

	_, err = NewField("F", syms, []uint32{0, 3})
	require.ErrorContains(t, err, `cannot make QVD field "F": row 1 has code 3 but there are 2 symbols`)
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.qvd")
	require.NoError(t, WriteFile(path, workedExample(), fixedTime))
	got, err := ReadFile(path, Options{})
	require.NoError(t, err)
	requireSameTable(t, workedExample(), got)
	h, err := ReadHeaderFile(path)
	require.NoError(t, err)
	require.Equal(t, 3, h.NoOfRecords)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left")

	// A failed write leaves nothing behind.
	bad := workedExample()
	bad.Fields[0].Symbols[0] = symbols.Text("\x00")
	require.Error(t, WriteFile(filepath.Join(dir, "bad.qvd"), bad, fixedTime))
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)

	require.Error(t, WriteFile(filepath.Join(dir, "no/such/dir/t.qvd"), workedExample(), fixedTime))
}

func TestWriteLargeWideTable(t *testing.T) {
	// The benchmark table at a size a test can afford: 77-bit records.
	tb := benchTable(20_000, false)
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, tb, WriteOptions{}))
	got, err := Decode(buf.Bytes(), Options{})
	require.NoError(t, err)
	require.Equal(t, 9, got.Header.RecordByteSize, "15+16+12+17+7+2 bits")
	requireSameTable(t, expectWritten(tb), got)
}
